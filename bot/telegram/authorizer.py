"""Who is a consultant: a member of a consultants' group (asked with getChatMember, cached briefly) or an admin."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError

from bot.services.desk import Actor
from bot.services.teams import Teams

log = logging.getLogger(__name__)

MEMBER_STATUSES = {"creator", "administrator", "member"}
YES_TTL = 300.0  # a consultant removed from the group loses access within 5 minutes
NO_TTL = 60.0  # someone just added gains it within a minute


class Authorizer:
    def __init__(
        self, bot: Bot, teams: Teams, admin_ids: frozenset[int], clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.bot = bot
        self.teams = teams
        self.admin_ids = admin_ids
        self.clock = clock
        self._cache: dict[tuple[int, int], tuple[bool, float]] = {}

    def is_admin(self, user_id: int) -> bool:
        return user_id in self.admin_ids

    async def member_of(self, user_id: int, chat_id: int) -> bool:
        key = (chat_id, user_id)
        cached = self._cache.get(key)
        now = self.clock()
        if cached is not None and cached[1] > now:
            return cached[0]
        try:
            member = await self.bot.get_chat_member(chat_id, user_id)
        except TelegramAPIError as error:  # the bot left the group, the user is unknown: no access
            log.warning("getChatMember %s in %s failed: %s", user_id, chat_id, type(error).__name__)
            self._cache[key] = (False, now + NO_TTL)
            return False
        status = str(getattr(member.status, "value", member.status))
        allowed = status in MEMBER_STATUSES or (status == "restricted" and bool(getattr(member, "is_member", False)))
        self._cache[key] = (allowed, now + (YES_TTL if allowed else NO_TTL))
        return allowed

    async def consultant(self, user_id: int, name: str, chat_id: int | None = None) -> Actor | None:
        """The actor when `user_id` may work on cases (of the team in `chat_id`, when given), else None."""
        admin = self.is_admin(user_id)
        if admin:
            return Actor(user_id, name, admin=True)
        chats = (chat_id,) if chat_id is not None else self.teams.chat_ids
        for chat in chats:
            if await self.member_of(user_id, chat):
                return Actor(user_id, name)
        return None
