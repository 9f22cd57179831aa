"""The outbox: what the bot must post is written to the database first, then sent, and retried until sent.

A case is created and its alert queued in one transaction; sending is a separate step, so a failed post
(network, 429, the bot removed from the group) leaves the case intact and the alert waiting. Posts into
a group are paced to at most 20 a minute. Items for one chat go out in the order they were queued.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from aiogram import Bot
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
)
from aiogram.types import InlineKeyboardMarkup

from bot.models import OutboxItem
from bot.services.desk import CaseService
from bot.storage.outbox import OutboxRepository

log = logging.getLogger(__name__)

GROUP_POSTS_PER_MINUTE = 20
CLAIM = timedelta(seconds=60)
MAX_BACKOFF = timedelta(minutes=5)


class GroupPacer:
    """At most `per_minute` posts into one group in any 60 seconds."""

    def __init__(self, per_minute: int = GROUP_POSTS_PER_MINUTE) -> None:
        self.per_minute = per_minute
        self.sent: dict[int, deque[datetime]] = {}

    def wait(self, chat_id: int, now: datetime) -> timedelta:
        stamps = self.sent.get(chat_id)
        if stamps is None:
            return timedelta(0)
        while stamps and now - stamps[0] >= timedelta(minutes=1):
            stamps.popleft()
        if len(stamps) < self.per_minute:
            return timedelta(0)
        return stamps[0] + timedelta(minutes=1) - now

    def record(self, chat_id: int, now: datetime) -> None:
        self.sent.setdefault(chat_id, deque()).append(now)


class Outbox:
    def __init__(
        self, bot: Bot, repo: OutboxRepository, cases: CaseService,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC), pacer: GroupPacer | None = None,
    ) -> None:
        self.bot = bot
        self.repo = repo
        self.cases = cases
        self.clock = clock
        self.pacer = pacer or GroupPacer()

    # ------------------------------------------------------------------ queueing (inside the caller's transaction)
    async def post(
        self, chat_id: int, text: str, markup: InlineKeyboardMarkup | None = None, *,
        case_id: int | None = None, track: str | None = None, source_id: int | None = None,
        failed_notice: tuple[int, str] | None = None,
    ) -> int:
        payload: dict[str, Any] = {"text": text}
        if markup is not None:
            payload["markup"] = markup.model_dump(mode="json", exclude_none=True)
        if failed_notice is not None:
            payload["failed_notice"] = list(failed_notice)
        return await self.repo.add(chat_id, "send", payload, self.clock(), case_id=case_id, track=track, source_id=source_id)

    async def copy(
        self, chat_id: int, from_chat_id: int, message_id: int, caption: str | None = None, *,
        case_id: int | None = None, track: str | None = None, source_id: int | None = None,
        failed_notice: tuple[int, str] | None = None,
    ) -> int:
        payload: dict[str, Any] = {"from_chat_id": from_chat_id, "message_id": message_id}
        if caption is not None:
            payload["caption"] = caption
        if failed_notice is not None:
            payload["failed_notice"] = list(failed_notice)
        return await self.repo.add(chat_id, "copy", payload, self.clock(), case_id=case_id, track=track, source_id=source_id)

    async def edit(self, chat_id: int, message_id: int, text: str, markup: InlineKeyboardMarkup | None = None, *, case_id: int | None = None) -> int:
        payload: dict[str, Any] = {"message_id": message_id, "text": text}
        if markup is not None:
            payload["markup"] = markup.model_dump(mode="json", exclude_none=True)
        return await self.repo.add(chat_id, "edit", payload, self.clock(), case_id=case_id)

    # ------------------------------------------------------------------ sending
    async def flush(self, ids: list[int]) -> None:
        """Try to send these items now (after their transaction committed); what fails waits for run_due()."""
        if not ids:
            return
        for item in await self.repo.due(self.clock(), len(ids), ids):
            if await self.repo.earlier_in_chat(item.id, item.chat_id):
                continue  # an older item for this chat waits: keep the order
            await self._deliver(item)

    async def release_claims(self) -> None:
        """At start: what a dead process was sending is free to send again (one process runs the bot)."""
        await self.repo.release_claims()

    async def run_due(self, limit: int = 200) -> int:
        """Send what is due, oldest first; a chat whose item fails waits for its next turn. Returns items sent."""
        sent = 0
        held: set[int] = set()
        for item in await self.repo.due(self.clock(), limit):
            if item.chat_id in held:
                continue
            if await self._deliver(item):
                sent += 1
            else:
                held.add(item.chat_id)
        return sent

    async def pending(self) -> int:
        return await self.repo.pending()

    async def _deliver(self, item: OutboxItem) -> bool:
        now = self.clock()
        if item.chat_id < 0:
            wait = self.pacer.wait(item.chat_id, now)
            if wait > timedelta(0):
                await self.repo.retry(item.id, now + wait, "paced")
                return False
        if not await self.repo.claim(item.id, now, now + CLAIM):
            return False
        try:
            message_id = await self._call(item)
        except TelegramRetryAfter as error:
            await self.repo.retry(item.id, now + timedelta(seconds=error.retry_after), "429")
            log.warning("outbox %s: flood limit, retry in %ss", item.id, error.retry_after)
            return False
        except TelegramBadRequest as error:
            if item.method == "edit" and "not modified" in error.message:
                await self._done(item, None)
                return True
            if item.chat_id < 0:
                return await self._later(item, now, "400")  # e.g. the group was migrated: an admin must fix it
            return await self._give_up(item, "400")
        except TelegramForbiddenError:
            if item.chat_id < 0:  # the bot was removed from the group: keep the post until it is back
                return await self._later(item, now, "403")
            return await self._give_up(item, "403")  # the person blocked the bot
        except (TelegramNetworkError, TelegramAPIError, OSError) as error:
            return await self._later(item, now, type(error).__name__)
        if item.chat_id < 0:
            self.pacer.record(item.chat_id, now)
        await self._done(item, message_id)
        return True

    async def _call(self, item: OutboxItem) -> int | None:
        payload = item.payload
        markup = InlineKeyboardMarkup.model_validate(payload["markup"]) if "markup" in payload else None
        if item.method == "send":
            message = await self.bot.send_message(item.chat_id, payload["text"], reply_markup=markup)
            return message.message_id
        if item.method == "copy":
            copied = await self.bot.copy_message(
                item.chat_id, payload["from_chat_id"], payload["message_id"], caption=payload.get("caption"),
            )
            return copied.message_id
        if item.method == "edit":
            await self.bot.edit_message_text(
                payload["text"], chat_id=item.chat_id, message_id=payload["message_id"], reply_markup=markup
            )
            return None
        raise ValueError(f"unknown outbox method {item.method!r}")

    async def _done(self, item: OutboxItem, message_id: int | None) -> None:
        async with self.cases.db.transaction():
            if item.case_id is not None and item.track and message_id is not None:
                await self.cases.add_post(item.chat_id, message_id, item.case_id, item.track)
            if item.source_id is not None:
                await self.cases.delivered(item.source_id)
            await self.repo.done(item.id)

    async def _later(self, item: OutboxItem, now: datetime, error: str) -> bool:
        backoff = min(MAX_BACKOFF, timedelta(seconds=5 * 2 ** min(item.attempts, 10)))
        await self.repo.retry(item.id, now + backoff, error)
        log.warning("outbox %s to chat %s failed (%s), retry in %ss", item.id, item.chat_id, error, int(backoff.total_seconds()))
        return False

    async def _give_up(self, item: OutboxItem, error: str) -> bool:
        log.warning("outbox %s to chat %s dropped (%s)", item.id, item.chat_id, error)
        notice = item.payload.get("failed_notice")
        async with self.cases.db.transaction():
            await self.repo.done(item.id)
            if item.case_id is not None:
                await self.cases.delivery_failed(item.case_id, error)
            if notice:
                await self.post(int(notice[0]), str(notice[1]), case_id=item.case_id)
        return True
