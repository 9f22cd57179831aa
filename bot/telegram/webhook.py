"""Webhook mode: Telegram posts each update to the bot's HTTP server (behind a reverse proxy with TLS).

The durable-intake rule holds as in polling: an update is written to the inbox before Telegram gets its
200, so an update Telegram considers delivered is always in the database. Telegram sends an update
again until it gets a 2xx; one that is here already is answered 200 and not handled twice. A request
without the secret token Telegram was given is refused (401) and never read. While `MAX_IN_FLIGHT`
updates are being handled, the answer waits (Telegram holds the rest, as polling leaves them with
Telegram). On stop, new requests get 503 (Telegram retries them later, with this or another instance),
the updates in flight finish, then the server closes.
"""

from __future__ import annotations

import hmac
import json
import logging

from aiogram import Bot
from aiogram.types import Update
from aiohttp import web
from pydantic import ValidationError

from bot.telegram.intake import Intake

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
HEALTH_PATH = "/healthz"


class WebhookServer:
    def __init__(self, bot: Bot, intake: Intake, *, url: str, secret: str, host: str, port: int,
                 allowed_updates: list[str], max_connections: int) -> None:
        self.bot = bot
        self.intake = intake
        self.url = url
        self.secret = secret
        self.host = host
        self.port = port
        self.allowed_updates = allowed_updates
        self.max_connections = max(1, min(100, max_connections))  # Telegram's range
        self.path = "/" + url.split("://", 1)[1].partition("/")[2]
        self._runner: web.AppRunner | None = None

    def application(self) -> web.Application:
        app = web.Application(client_max_size=1024 * 1024)
        app.router.add_post(self.path, self.receive)
        app.router.add_get(HEALTH_PATH, self.health)
        return app

    async def start(self) -> None:
        """Listen first, then tell Telegram where to post (the updates it kept meanwhile come at once)."""
        self._runner = web.AppRunner(self.application(), access_log=None, shutdown_timeout=10.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        log.info("webhook server listening on %s:%s%s", self.host, self.port, self.path)
        await self.bot.set_webhook(
            url=self.url, secret_token=self.secret, allowed_updates=self.allowed_updates,
            max_connections=self.max_connections, drop_pending_updates=False,
        )
        log.info("webhook set: Telegram posts updates to %s", self.url)

    async def stop(self) -> None:
        """Close the server (after the intake has stopped: meanwhile requests are answered 503). The webhook
        stays set: Telegram keeps the updates for the next start, or gives them to another instance."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def receive(self, request: web.Request) -> web.Response:
        if not hmac.compare_digest(request.headers.get(SECRET_HEADER, ""), self.secret):
            log.warning("webhook: a request without the right secret token was refused")
            return web.Response(status=401, text="Unauthorized")
        if self.intake.stopping:
            return web.Response(status=503, text="Stopping")
        try:
            update = Update.model_validate(json.loads(await request.read()), context={"bot": self.bot})
        except (ValueError, ValidationError):
            log.warning("webhook: a request whose body is not an update was refused")
            return web.Response(status=400, text="Not an update")
        if not await self.intake.take(update):
            return web.Response(status=503, text="Stopping")
        return web.Response(status=200)

    async def health(self, request: web.Request) -> web.Response:
        status = 503 if self.intake.stopping else 200
        return web.json_response({"ok": status == 200, "in_flight": self.intake.in_flight}, status=status)
