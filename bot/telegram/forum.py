"""The consultants' group as a forum: which team groups have topics the bot may manage, a topic per case,
and the queue board pinned in General.

Telegram's answers decide: a group is used as a forum when it has topics and the bot is an administrator
with "Manage topics"; otherwise cases go the way of a group without topics (alerts in the group, the
conversation in the consultant's private chat), and the group is told once what right is missing.
Creating a topic needs its id at once (what goes into it follows), so it is called here, not queued;
what changes a topic afterwards (its name, closing, deleting) goes through the outbox with the posts.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError, TelegramBadRequest, TelegramNetworkError

log = logging.getLogger(__name__)

KNOWN_FOR = timedelta(minutes=10)  # rights given or taken are noticed within this
RETRY_AFTER = timedelta(minutes=1)  # after Telegram could not be asked
NO_RIGHTS = ("not enough rights", "chat_admin_required")


def lacks_rights(error: TelegramBadRequest) -> bool:
    return any(words in error.message.lower() for words in NO_RIGHTS)


def not_a_forum(error: TelegramBadRequest) -> bool:
    return "not a forum" in error.message.lower()


def unchanged(error: TelegramBadRequest) -> bool:
    """Telegram's "it is like that already": "message is not modified", TOPIC_NOT_MODIFIED."""
    text = error.message.lower()
    return "not modified" in text or "not_modified" in text


def topic_gone(error: TelegramBadRequest) -> bool:
    text = error.message.lower()
    return "thread not found" in text or "topic_id_invalid" in text or "topic_deleted" in text


class Forums:
    """Whether a team's group is a forum the bot can work in (asked of Telegram, kept for 10 minutes)."""

    def __init__(self, bot: Bot, clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.bot = bot
        self.clock = clock
        self._known: dict[int, tuple[bool, datetime]] = {}
        self.missing_right: set[int] = set()  # forum groups where the bot lacks "Manage topics": told once
        self._warned: set[int] = set()
        self._asking: dict[int, asyncio.Task[bool]] = {}

    async def usable(self, chat_id: int) -> bool:
        """Asked of Telegram the first time; after that the answer known is given at once (callers may hold a
        transaction) and, once 10 minutes old, asked again beside."""
        known = self._known.get(chat_id)
        if known is None:
            return await self._ask(chat_id)
        if self.clock() - known[1] >= KNOWN_FOR and chat_id not in self._asking:
            self._asking[chat_id] = asyncio.create_task(self._ask(chat_id), name=f"forum-check-{chat_id}")
            self._asking[chat_id].add_done_callback(lambda _task: self._asking.pop(chat_id, None))
        return known[0]

    async def _ask(self, chat_id: int) -> bool:
        known = self._known.get(chat_id)
        now = self.clock()
        try:
            chat = await self.bot.get_chat(chat_id)
            forum = bool(chat.is_forum)
            member = await self.bot.get_chat_member(chat_id, self.bot.id) if forum else None
        except (TelegramAPIError, TelegramNetworkError) as error:  # unknown now: as it was, else no topics
            log.warning("forum check of %s failed: %s", chat_id, type(error).__name__)
            usable = known[0] if known is not None else False
            self._known[chat_id] = (usable, now - KNOWN_FOR + RETRY_AFTER)  # asked again in a minute, not each time
            return usable
        status = str(getattr(member.status, "value", member.status)) if member is not None else ""
        manages = status == "creator" or (status == "administrator" and bool(getattr(member, "can_manage_topics", False)))
        usable = forum and manages
        if forum and not manages:
            self.missing_right.add(chat_id)
            log.warning("group %s has topics but the bot may not manage them: cases go without topics", chat_id)
        else:
            self.missing_right.discard(chat_id)
        self._known[chat_id] = (usable, now)
        return usable

    def warn(self, chat_id: int) -> bool:
        """True once a run for a forum group where the bot lacks "Manage topics": the group is to be told."""
        if chat_id not in self.missing_right or chat_id in self._warned:
            return False
        self._warned.add(chat_id)
        return True

    def lost(self, chat_id: int, *, rights: bool = True) -> None:
        """Telegram refused a topic for want of rights (`rights`), or topics were turned off: no topics for a
        while (asked again in 10 minutes)."""
        if rights:
            self.missing_right.add(chat_id)
        self._known[chat_id] = (False, self.clock())



def topic_link(chat_id: int, thread_id: int) -> str | None:
    """A t.me link opening the topic, for the members of a private supergroup (-100… ids)."""
    text = str(chat_id)
    return f"https://t.me/c/{text[4:]}/{thread_id}" if text.startswith("-100") else None
