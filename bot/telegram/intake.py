"""Long polling that never loses an update: each batch is written down before Telegram is told it arrived.

Telegram forgets an update once `getUpdates` is called with an offset past it. aiogram's polling asks
for the next batch while the last one may still be on its way to the database, so a crash there lost
it. Here each batch is written to the inbox in one transaction, and only then is the next offset asked
for. Updates are handled as tasks, in order for each chat and person, and at most `limit` at once:
when that many are in flight, the next batch is not fetched (Telegram holds it), so a surge costs
time, not memory. The updates an earlier run left unfinished are queued first, before any new one,
while polling starts at once.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Collection, Hashable
from datetime import UTC, datetime, timedelta

from aiogram import Bot, Dispatcher
from aiogram.dispatcher.middlewares.user_context import UserContextMiddleware
from aiogram.exceptions import TelegramAPIError, TelegramConflictError, TelegramNetworkError, TelegramUnauthorizedError
from aiogram.methods import GetUpdates
from aiogram.types import Update

from bot.middlewares.inbox import RECORDED, REPLAYED, unfinished
from bot.storage.inbox import InboxRepository

log = logging.getLogger(__name__)

KEEP_HANDLED = timedelta(days=1)  # Telegram keeps an unconfirmed update for 24 hours
POLL_TIMEOUT = 25  # seconds Telegram holds a getUpdates open when there is nothing
BATCH = 100  # Telegram's largest
MAX_BACKOFF = 30.0


def chat_key(update: Update) -> Hashable:
    """Updates with the same key are handled one after another, in the order received."""
    context = UserContextMiddleware.resolve_event_context(update)
    if context.chat is None and context.user is None:
        return ("update", update.update_id)
    return (context.chat_id, context.user_id)


class Intake:
    def __init__(
        self, bot: Bot, dp: Dispatcher, inbox: InboxRepository, *, limit: int, allowed_updates: list[str],
        clock: Callable[[], datetime] = lambda: datetime.now(UTC), poll_timeout: int = POLL_TIMEOUT,
    ) -> None:
        self.bot = bot
        self.dp = dp
        self.inbox = inbox
        self.limit = max(1, limit)
        self.allowed_updates = allowed_updates
        self.clock = clock
        self.poll_timeout = poll_timeout
        self.in_flight = 0
        self.peak = 0
        self.failing = False  # the last getUpdates failed (readiness, bot.telegram.health)
        self._room = asyncio.Event()
        self._room.set()
        self._tails: dict[Hashable, asyncio.Task[None]] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._stopping = asyncio.Event()
        self._poll: asyncio.Task[list[Update]] | None = None

    async def resume(self, dead: Collection[str] | None = None) -> int:
        """Queue what an earlier run left unfinished, before any new update (what the instances in `dead`
        had taken). A replay knows what was sent for the update from this instance's
        journal: one taken over from another instance may repeat what that one had sent (logged)."""
        left = await unfinished(self.bot, self.inbox, dead)
        if left:
            log.info("handling %d updates left unfinished by the last run", len(left))
        for update in left:
            self._dispatch(update, {REPLAYED: True})
        return len(left)

    async def take(self, update: Update) -> bool:
        """An update Telegram pushed (webhook mode): waits while `limit` are in flight, writes it to the inbox,
        then queues it; True once it is written (Telegram may be told), False if the intake is stopping.
        One that is here already (Telegram sent it again) is not handled twice."""
        if not await self._wait_for_room():
            return False
        fresh = await self.inbox.receive([(update.update_id, update.model_dump_json(exclude_none=True))], self.clock())
        if update.update_id in fresh:
            self._dispatch(update, {RECORDED: True})
        return True

    @property
    def stopping(self) -> bool:
        return self._stopping.is_set()

    async def stopped(self) -> None:
        await self._stopping.wait()

    async def run(self, dead: Collection[str] | None = None) -> None:
        """Queue what an earlier run left (what the instances in `dead` had taken), then poll until stop();
        returns once polling has ended."""
        await self.resume(dead)
        offset = await self.inbox.next_offset()
        log.info("polling from update %s, at most %d in flight", offset, self.limit)
        failures = 0
        while not self._stopping.is_set():
            if not await self._wait_for_room():
                break
            try:
                updates = await self._get_updates(offset)
            except asyncio.CancelledError:
                if self._stopping.is_set():
                    break
                raise
            except TelegramUnauthorizedError:
                raise  # a wrong token: no point in retrying
            except (TelegramNetworkError, TelegramConflictError, TelegramAPIError, OSError) as error:
                failures += 1
                self.failing = True
                delay = min(MAX_BACKOFF, 0.5 * 2 ** min(failures, 6))
                log.warning("getUpdates failed (%s); again in %.1f s", type(error).__name__, delay)
                await self._sleep(delay)
                continue
            failures = 0
            self.failing = False
            if not updates:
                continue
            fresh = await self.inbox.receive(
                [(u.update_id, u.model_dump_json(exclude_none=True)) for u in updates], self.clock()
            )
            offset = updates[-1].update_id + 1  # asked for only now: the batch is written
            for update in updates:
                if update.update_id in fresh:
                    self._dispatch(update, {RECORDED: True})

    def stop(self) -> None:
        """Stop fetching (an open getUpdates is abandoned; what it would bring stays with Telegram)."""
        self._stopping.set()
        if self._poll is not None and not self._poll.done():
            self._poll.cancel()

    async def prune(self) -> int:
        """Forget the ids of updates handled more than a day ago."""
        return await self.inbox.prune(self.clock() - KEEP_HANDLED)

    async def drain(self, timeout: float) -> bool:
        """Wait for the updates in flight; True when all finished within `timeout` seconds. Those still
        running then are cancelled: they stay unhandled in the inbox, for the next start."""
        if not self._tasks:
            return True
        _done, pending = await asyncio.wait(set(self._tasks), timeout=timeout)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        return not pending

    async def _get_updates(self, offset: int | None) -> list[Update]:
        room = self.limit - self.in_flight
        method = GetUpdates(
            offset=offset, limit=max(1, min(BATCH, room)), timeout=self.poll_timeout, allowed_updates=self.allowed_updates
        )
        self._poll = asyncio.ensure_future(self.bot(method, request_timeout=self.poll_timeout + 10))
        try:
            return await self._poll
        finally:
            self._poll = None

    async def _wait_for_room(self) -> bool:
        """Wait until fewer than `limit` updates are in flight; False if stopped meanwhile."""
        while self.in_flight >= self.limit:
            self._room.clear()
            stop = asyncio.ensure_future(self._stopping.wait())
            room = asyncio.ensure_future(self._room.wait())
            await asyncio.wait({stop, room}, return_when=asyncio.FIRST_COMPLETED)
            stop.cancel()
            room.cancel()
            if self._stopping.is_set():
                return False
        return True

    async def _sleep(self, seconds: float) -> None:
        try:
            await asyncio.wait_for(self._stopping.wait(), seconds)
        except TimeoutError:
            pass

    def _dispatch(self, update: Update, flags: dict[str, bool]) -> None:
        key = chat_key(update)
        previous = self._tails.get(key)
        task = asyncio.create_task(self._handle(update, previous, flags), name=f"update-{update.update_id}")
        self._tails[key] = task
        self._tasks.add(task)
        self.in_flight += 1
        self.peak = max(self.peak, self.in_flight)

        def finished(done: asyncio.Task[None]) -> None:
            self._tasks.discard(done)
            if self._tails.get(key) is done:
                del self._tails[key]
            self.in_flight -= 1
            self._room.set()

        task.add_done_callback(finished)

    async def _handle(self, update: Update, previous: asyncio.Task[None] | None, flags: dict[str, bool]) -> None:
        if previous is not None:
            await asyncio.wait({previous})  # the same chat's earlier update first, however it ended
        try:
            await self.dp.feed_update(self.bot, update, **flags)
        except Exception as error:  # the errors router has answered the person; the log names the update only
            log.error("update %s failed: %s", update.update_id, type(error).__name__)
