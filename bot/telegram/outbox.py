"""The outbox: what the bot must post is written to the database first, then sent, and retried until sent.

A case is created and its alert queued in one transaction; sending is a separate step, so a failed post
(network, 429, the bot removed from the group) leaves the case intact and the alert waiting. Posts into
a group are paced to at most 20 a minute. Items for one chat go out in the order they were queued.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections import deque
from collections.abc import Awaitable, Callable, Collection
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
from aiogram.types import InlineKeyboardMarkup, ReactionTypeEmoji

from bot.models import OutboxItem
from bot.services.desk import CaseService
from bot.storage.calls import CallJournal
from bot.storage.outbox import OutboxRepository
from bot.telegram.forum import topic_gone, unchanged
from bot.telegram.journal import unrecorded
from bot.telegram.shared import SharedGroupPacer

log = logging.getLogger(__name__)

GROUP_POSTS_PER_MINUTE = 20
# How long a sender holds a post: longer than one call can take (retries after 429s included), so no other
# instance sends it meanwhile; a dead instance's claims are voided sooner, by the take-over.
CLAIM = timedelta(minutes=10)
MAX_BACKOFF = timedelta(minutes=5)
SEEN = "👀"  # on the person's message once it is in the consultant's chat
FLUSH_LIMIT = 50  # items one flush sends into a chat; the rest go with the outbox job
DONE = "👌"  # on a consultant's message in a case's topic once the person has it
Notice = tuple[int, str] | tuple[int, str, int]  # (chat, text) or (chat, text, forum topic)
PACED = {"send", "copy", "edit"}  # what counts toward a group's 20 posts a minute


class GroupPacer:
    """At most `per_minute` posts into one group in any 60 seconds (this process alone; several instances
    share bot.telegram.shared.SharedGroupPacer)."""

    def __init__(self, per_minute: int = GROUP_POSTS_PER_MINUTE) -> None:
        self.per_minute = per_minute
        self.sent: dict[int, deque[datetime]] = {}

    async def wait(self, chat_id: int, now: datetime) -> timedelta:
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
        self, bot: Bot, repo: OutboxRepository, cases: CaseService, journal: CallJournal,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC), pacer: GroupPacer | SharedGroupPacer | None = None,
    ) -> None:
        self.bot = bot
        self.repo = repo
        self.journal = journal
        self.cases = cases
        self.clock = clock
        self.pacer: GroupPacer | SharedGroupPacer = pacer or GroupPacer()
        self._chat_locks: weakref.WeakValueDictionary[int, asyncio.Lock] = weakref.WeakValueDictionary()
        self.topic_gone: Callable[[int, int], Awaitable[int | None]] | None = None  # (group, topic) -> a new topic

    # ------------------------------------------------------------------ queueing (inside the caller's transaction)
    async def post(
        self, chat_id: int, text: str, markup: InlineKeyboardMarkup | None = None, *,
        case_id: int | None = None, track: str | None = None, source_id: int | None = None,
        failed_notice: Notice | None = None, thread: int | None = None,
    ) -> int:
        """Queue a message; `thread`: into that forum topic; `failed_notice`: (chat, text[, topic]) said if it
        can never be delivered."""
        payload: dict[str, Any] = {"text": text}
        if markup is not None:
            payload["markup"] = markup.model_dump(mode="json", exclude_none=True)
        return await self._add(chat_id, "send", payload, case_id, track, source_id, failed_notice, thread)

    async def copy(
        self, chat_id: int, from_chat_id: int, message_id: int, caption: str | None = None, *,
        case_id: int | None = None, track: str | None = None, source_id: int | None = None,
        failed_notice: Notice | None = None, thread: int | None = None,
    ) -> int:
        payload: dict[str, Any] = {"from_chat_id": from_chat_id, "message_id": message_id}
        if caption is not None:
            payload["caption"] = caption
        return await self._add(chat_id, "copy", payload, case_id, track, source_id, failed_notice, thread)

    async def topic(
        self, chat_id: int, thread: int, op: str, name: str | None = None, *, case_id: int | None = None,
        failed_notice: Notice | None = None,
    ) -> int:
        """Queue a change of a forum topic: op "edit" (a new name), "close" or "delete" (the topic and every
        message in it; `failed_notice` is said if Telegram refuses)."""
        payload: dict[str, Any] = {"op": op}
        if name is not None:
            payload["name"] = name
        return await self._add(chat_id, "topic", payload, case_id, None, None, failed_notice, thread)

    async def drop_topic_changes(self, chat_id: int, thread: int) -> None:
        """A newer case takes the topic over: the earlier case's queued rename and close are void."""
        await self.repo.drop_topic_changes(chat_id, thread)

    async def _add(
        self, chat_id: int, method: str, payload: dict[str, Any], case_id: int | None, track: str | None,
        source_id: int | None, failed_notice: Notice | None, thread: int | None,
    ) -> int:
        if failed_notice is not None:
            payload["failed_notice"] = list(failed_notice)
        if thread is not None:
            payload["thread"] = thread
        return await self.repo.add(chat_id, method, payload, self.clock(), case_id=case_id, track=track, source_id=source_id)

    async def edit(self, chat_id: int, message_id: int, text: str, markup: InlineKeyboardMarkup | None = None, *, case_id: int | None = None) -> int:
        payload: dict[str, Any] = {"message_id": message_id, "text": text}
        if markup is not None:
            payload["markup"] = markup.model_dump(mode="json", exclude_none=True)
        return await self.repo.add(chat_id, "edit", payload, self.clock(), case_id=case_id)

    async def delete(self, chat_id: int, message_id: int, *, case_id: int | None = None) -> int:
        """Queue the deletion of a message of the bot's (one already gone, or too old to delete, is let be)."""
        return await self.repo.add(chat_id, "delete", {"message_id": message_id}, self.clock(), case_id=case_id)

    # ------------------------------------------------------------------ sending
    async def flush(self, ids: list[int]) -> None:
        """Send what waits in these items' chats now (after their transaction committed); what fails waits
        for run_due()."""
        if not ids:
            return
        for chat_id in await self.repo.chats_of(ids):
            await self._drain(chat_id, FLUSH_LIMIT)

    async def run_due(self, limit: int = 200) -> int:
        """Send what is due, oldest first; a chat whose item fails waits for its next turn. Returns items sent."""
        sent = 0
        for chat_id in await self.repo.due_chats(self.clock(), limit):
            sent += await self._drain(chat_id, limit)
        return sent

    async def _drain(self, chat_id: int, limit: int) -> int:
        """Send a chat's items in order until one must wait. One sender at a time per chat: a flush that comes
        second waits for the first, then finds its items sent or sends them, so the order holds."""
        lock = self._chat_locks.get(chat_id)
        if lock is None:
            lock = self._chat_locks[chat_id] = asyncio.Lock()
        sent = 0
        async with lock:
            for item in await self.repo.head_of_chat(chat_id, self.clock(), limit):
                if not await self._deliver(item):
                    break
                sent += 1
        return sent

    async def recover(self, dead: Collection[str] | None = None) -> None:
        """At start, before anything is sent: a post the stopped run had sent but not yet marked done is marked
        now, not sent again; one it was sending when it stopped goes again (it may be seen twice: logged).
        Claims of the dead process are void (those of the instances in `dead`)."""
        for item_id, message_id in self.journal.posts().items():
            item = await self.repo.get(item_id)
            if item is not None and message_id is not None:
                await self._done(item, message_id or None)
            elif item is not None:
                log.warning("outbox %s: cut off under way by the last stop, sent again (it may be seen twice)", item_id)
                continue
            self.journal.unpost(item_id)
        await self.repo.release_claims(dead)

    async def take_over(self, dead: Collection[str]) -> int:
        """Instances died: their claims are void (they would lapse after CLAIM anyway)."""
        return await self.repo.release_claims(dead)

    async def pending(self) -> int:
        return await self.repo.pending()

    async def _deliver(self, item: OutboxItem) -> bool:
        now = self.clock()
        if not await self.repo.claim(item.id, now, now + CLAIM):
            return False  # another sender has it
        if item.chat_id < 0 and item.method in PACED:  # a deletion or a topic's rename is not a post: no turn of the pace
            wait = await self.pacer.wait(item.chat_id, now)
            if wait > timedelta(0):
                await self.repo.retry(item.id, now + wait, "paced")  # held: put back, to wait its turn
                return False
        self.journal.posting(item.id)
        try:
            with unrecorded():  # the outbox row and its `posts` row are this post's record, not the update's
                message_id = await self._call(item)
        except Exception as error:
            self.journal.unpost(item.id)  # refused or failed: nothing to mark done
            return await self._failed(item, now, error)
        self.journal.posted(item.id, message_id)  # in the instant Telegram answered (bot.storage.calls)
        if item.chat_id < 0 and item.method in PACED:
            self.pacer.record(item.chat_id, now)
        await self._done(item, message_id)
        return True

    async def _failed(self, item: OutboxItem, now: datetime, error: Exception) -> bool:
        """Telegram refused the post, or the network failed: wait, retry later, or give up, as the error says."""
        if isinstance(error, TelegramRetryAfter):
            await self.repo.retry(item.id, now + timedelta(seconds=error.retry_after), "429")
            log.warning("outbox %s: flood limit, retry in %ss", item.id, error.retry_after)
            return False
        if isinstance(error, TelegramBadRequest):
            if item.method == "delete":  # already gone, or older than Telegram lets a bot delete: let it be
                await self._done(item, None)
                return True
            if item.method == "edit" and (unchanged(error) or "not found" in error.message or "can't be edited" in error.message):
                await self._done(item, None)  # as asked already, or the message is gone (its topic deleted)
                return True
            if item.method == "topic":
                return await self._topic_failed(item, now, error)
            if topic_gone(error) and "thread" in item.payload:  # someone deleted the topic by hand
                return await self._topic_gone(item, now)
            if item.chat_id < 0:
                return await self._later(item, now, "400")  # e.g. the group was migrated: an admin must fix it
            return await self._give_up(item, "400")
        if isinstance(error, TelegramForbiddenError):
            if item.chat_id < 0:  # the bot was removed from the group: keep the post until it is back
                return await self._later(item, now, "403")
            return await self._give_up(item, "403")  # the person blocked the bot
        if isinstance(error, TelegramNetworkError | TelegramAPIError | OSError):
            return await self._later(item, now, type(error).__name__)
        raise error

    async def _topic_gone(self, item: OutboxItem, now: datetime) -> bool:
        """The topic this post was for is gone (deleted by hand): the case gets a new one (`topic_gone`, the
        desk's), and what waited for the old topic goes there; with no case to go on, into General. Never
        dropped: it may be what a person sent for help."""
        old = int(item.payload["thread"])
        new = await self.topic_gone(item.chat_id, old) if self.topic_gone is not None else None
        await self.repo.retarget(item.chat_id, old, new)
        log.warning("outbox %s: topic %s of %s is gone: %s", item.id, old, item.chat_id, f"now topic {new}" if new else "into General")
        await self.repo.retry(item.id, now, "topic gone")  # at once, where it goes now
        moved = await self.repo.get(item.id)
        return await self._deliver(moved) if moved is not None else True

    async def _topic_failed(self, item: OutboxItem, now: datetime, error: TelegramBadRequest) -> bool:
        """A topic that is as asked already (TOPIC_NOT_MODIFIED), or gone, is let be; so is any other refusal,
        so that one topic never holds up the group's other posts. A deletion refused (the bot may not delete
        messages) is written to the case's audit trail and said in the group, for an admin to do by hand."""
        op = item.payload.get("op")
        if not (unchanged(error) or topic_gone(error)):
            log.warning("outbox %s: topic %s of %s not changed: %s", item.id, op, item.chat_id, error.message)
            if op == "delete":
                await self._undeleted_topic(item, error.message)
        await self._done(item, None)
        return True

    async def _undeleted_topic(self, item: OutboxItem, error: str) -> None:
        async with self.cases.db.transaction():
            if item.case_id is not None:
                await self.cases.delivery_failed(item.case_id, f"topic not deleted: {error}"[:200])
            notice = item.payload.get("failed_notice")
            if notice:
                await self.post(int(notice[0]), str(notice[1]))

    async def _call(self, item: OutboxItem) -> int | None:
        payload = item.payload
        markup = InlineKeyboardMarkup.model_validate(payload["markup"]) if "markup" in payload else None
        thread = payload.get("thread")
        if item.method == "send":
            message = await self.bot.send_message(item.chat_id, payload["text"], reply_markup=markup, message_thread_id=thread)
            return message.message_id
        if item.method == "copy":
            copied = await self.bot.copy_message(
                item.chat_id, payload["from_chat_id"], payload["message_id"], caption=payload.get("caption"),
                message_thread_id=thread,
            )
            return copied.message_id
        if item.method == "topic":
            await self._topic_call(item.chat_id, int(payload["thread"]), payload)
            return None
        if item.method == "delete":
            await self.bot.delete_message(item.chat_id, payload["message_id"])
            return None
        if item.method == "edit":
            await self.bot.edit_message_text(
                payload["text"], chat_id=item.chat_id, message_id=payload["message_id"], reply_markup=markup
            )
            return None
        raise ValueError(f"unknown outbox method {item.method!r}")

    async def _topic_call(self, chat_id: int, thread: int, payload: dict[str, Any]) -> None:
        op = payload["op"]
        if op == "edit":
            await self.bot.edit_forum_topic(chat_id, thread, name=payload["name"])
        elif op == "close":
            await self.bot.close_forum_topic(chat_id, thread)
        elif op == "delete":
            await self.bot.delete_forum_topic(chat_id, thread)
        else:
            raise ValueError(f"unknown topic op {op!r}")

    async def _done(self, item: OutboxItem, message_id: int | None) -> None:
        seen = None
        async with self.cases.db.transaction():
            if item.case_id is not None and item.track and message_id is not None:
                await self.cases.add_post(item.chat_id, message_id, item.case_id, item.track)
            if item.source_id is not None:
                seen = await self.cases.delivered(item.source_id)
            await self.repo.done(item.id)
        self.journal.unpost(item.id)
        if seen is not None:
            await self._show_seen(*seen)

    async def _show_seen(self, chat_id: int, message_id: int) -> None:
        """The person's message is with their consultant: 👀 on it, so they know it was not lost; a consultant's
        message written in a case's topic reached the person: 👌 on it. A sign, not a duty: if Telegram
        refuses it (the message deleted, reactions off), nothing else changes."""
        try:
            with unrecorded():
                emoji = DONE if chat_id < 0 else SEEN
                await self.bot.set_message_reaction(chat_id, message_id, reaction=[ReactionTypeEmoji(emoji=emoji)])
        except (TelegramAPIError, TelegramNetworkError) as error:
            log.info("no 'seen' sign on a message in chat %s: %s", chat_id, type(error).__name__)

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
                thread = int(notice[2]) if len(notice) > 2 else None
                await self.post(int(notice[0]), str(notice[1]), case_id=item.case_id, thread=thread)
        return True
