"""The sandbox's in-process face: an aiogram session that talks to `Sandbox` instead of HTTP.

Parameters are prepared exactly as aiogram's aiohttp session prepares its form fields, and the
answer goes through aiogram's own `check_response`, so errors arrive as the same exceptions
(TelegramRetryAfter, TelegramForbiddenError, ...) a real server would cause.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import TYPE_CHECKING, Any, cast

from aiogram.client.session.base import BaseSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.methods import TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.types import InputFile

from bot.sandbox.core import Sandbox

if TYPE_CHECKING:
    from aiogram import Bot


class SandboxSession(BaseSession):
    def __init__(self, sandbox: Sandbox) -> None:
        super().__init__(api=TelegramAPIServer.from_base("http://sandbox.invalid"))
        self.sandbox = sandbox

    async def close(self) -> None:
        return None

    def build_params(self, bot: Bot, method: TelegramMethod[Any], files: dict[str, InputFile] | None = None) -> dict[str, Any]:
        params: dict[str, Any] = {}
        files = {} if files is None else files
        for key, value in method.model_dump(warnings=False).items():
            prepared = self.prepare_value(value, bot=bot, files=files)
            if not prepared:
                continue
            params[key] = prepared
        return params

    async def make_request(
        self, bot: Bot, method: TelegramMethod[TelegramType], timeout: int | None = None
    ) -> TelegramType:
        files: dict[str, InputFile] = {}
        params = self.build_params(bot, method, files)
        uploads = {key: (file.filename or key, b"".join([chunk async for chunk in file.read(bot)])) for key, file in files.items()}
        status, body = await self.sandbox.request(bot.token, method.__api_method__, params, uploads)
        response = self.check_response(bot=bot, method=method, status_code=status, content=self.json_dumps(body))
        return cast(TelegramType, response.result)

    async def stream_content(
        self, url: str, headers: dict[str, Any] | None = None, timeout: int = 30,
        chunk_size: int = 65536, raise_for_status: bool = True,
    ) -> AsyncGenerator[bytes, None]:
        """A file the bot downloads: `http://sandbox.invalid/file/bot<token>/<path>`."""
        path = url.split("/file/bot", 1)[-1].split("/", 1)[-1]
        content = self.sandbox.file_content(path)
        for start in range(0, len(content), chunk_size):
            yield content[start:start + chunk_size]
