"""The sandbox's HTTP face: `/bot<token>/<method>` as the Bot API speaks it, with real long polling.

Point the bot at it with TELEGRAM_API_URL=http://127.0.0.1:PORT to test it as a separate process.
"""

from __future__ import annotations

import asyncio
import asyncio.base_events
import json
from typing import Any

from aiohttp import web

from bot.sandbox.core import Sandbox
from bot.sandbox.webhook import stop_pushing


def make_app(sandbox: Sandbox) -> web.Application:
    async def handle(request: web.Request) -> web.Response:
        token = request.match_info["token"]
        method = request.match_info["method"]
        params: dict[str, Any] = dict(request.query)
        uploads: dict[str, tuple[str, bytes]] = {}
        if request.can_read_body:
            if request.content_type == "application/json":
                try:
                    params.update(await request.json())
                except ValueError:
                    return web.json_response(
                        {"ok": False, "error_code": 400, "description": "Bad Request: invalid JSON"}, status=400
                    )
            else:
                form = await request.post()
                for key, value in form.items():
                    if isinstance(value, web.FileField):  # an uploaded file: its part is named by the attach:// reference
                        uploads[key] = (value.filename or key, value.file.read())
                    elif isinstance(value, str):
                        params[key] = value
        status, body = await sandbox.request(token, method, params, uploads)
        return web.Response(status=status, text=json.dumps(body, ensure_ascii=False), content_type="application/json")

    async def download(request: web.Request) -> web.Response:
        try:
            return web.Response(body=sandbox.file_content(request.match_info["path"]))
        except KeyError:
            return web.Response(status=404, text="Not Found")

    app = web.Application()
    app.router.add_route("*", "/bot{token}/{method}", handle)
    app.router.add_get("/file/bot{token}/{path:.+}", download)
    return app


class SandboxServer:
    """Runs the HTTP face on 127.0.0.1 (a random free port unless one is given)."""

    def __init__(self, sandbox: Sandbox, host: str = "127.0.0.1", port: int = 0) -> None:
        self.sandbox = sandbox
        self.host = host
        self.port = port
        self._runner: web.AppRunner | None = None

    async def start(self) -> str:
        self._runner = web.AppRunner(make_app(self.sandbox), access_log=None, shutdown_timeout=2.0)  # a held call (tests) never holds the stop
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        server = site._server  # aiohttp does not expose the bound port otherwise
        if self.port == 0 and isinstance(server, asyncio.base_events.Server) and server.sockets:
            self.port = server.sockets[0].getsockname()[1]
        return self.url

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    async def stop(self) -> None:
        await stop_pushing(self.sandbox)
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
