"""Loads (or creates) the person behind every update and puts the `user` into handler data; counts them active."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject, Update
from aiogram.types import User as TelegramUser

from bot.services.events import EventLog
from bot.services.users import UserService


class UserMiddleware(BaseMiddleware):
    def __init__(self, users: UserService) -> None:
        self.users = users

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        tg_user: TelegramUser | None = data.get("event_from_user")
        chat = data.get("event_chat")
        # Only people who talk to the bot in private are users; a consultant writing in the group is not.
        if tg_user is not None and not tg_user.is_bot and isinstance(event, Update) and event.inline_query is not None:
            # "@bot ..." typed in some chat: not a conversation with the bot, so no one is recorded; a person
            # the bot knows gets their language, anyone else the one their phone says (bot.handlers.share)
            data["user"] = await self.users.get(tg_user.id) or self.users.passer_by(tg_user.id, tg_user.language_code)
        elif tg_user is not None and not tg_user.is_bot and (chat is None or chat.type == "private"):
            data["user"] = await self.users.seen(tg_user.id, tg_user.language_code)
        return await handler(event, data)


class ActivityMiddleware(BaseMiddleware):
    """Counts the person as active today (a message or a button from them), for the figures."""

    def __init__(self, events: EventLog) -> None:
        self.events = events

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        user = data.get("user")
        if user is not None:
            await self.events.seen(user)
        return await handler(event, data)
