"""Whatever no handler took gets a polite answer in the person's language: never silence.

Registered as an outer middleware on the dispatcher's message, edited_message and callback_query
observers: it sees the UNHANDLED result after every router was tried, so no router has to be "last".
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.dispatcher.event.bases import UNHANDLED
from aiogram.types import CallbackQuery, Message, TelegramObject

from bot.handlers.common import show_screen, stale_button
from bot.screens import common

MEDIA_KINDS = ("sticker", "photo", "voice", "video", "video_note", "audio", "document", "animation")


class FallbackMiddleware(BaseMiddleware):
    def __init__(self, *, edited: bool = False) -> None:
        self.edited = edited

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        result = await handler(event, data)
        if result is not UNHANDLED:
            return result
        if isinstance(event, CallbackQuery):
            return await self._stale_button(event)
        if isinstance(event, Message) and event.chat.type == "private":
            return await self._message(event, edited=self.edited)
        return result

    async def _stale_button(self, query: CallbackQuery) -> bool:
        if query.message is not None and query.message.chat.type == "private":
            await stale_button(query)
        else:
            await query.answer()
        return True

    async def _message(self, message: Message, edited: bool) -> bool:
        await show_screen(message, common.unexpected(_kind(message, edited)))
        return True


def _kind(message: Message, edited: bool) -> str:
    if edited:
        return "edited"
    if message.text is not None:
        return "command" if message.text.startswith("/") else "text"
    if message.location is not None or message.contact is not None:
        return "place"
    if any(getattr(message, kind) is not None for kind in MEDIA_KINDS):
        return "media"
    return "other"
