"""Broadcasts: an admin's announcement to everyone matching the languages, citizenships and destinations
chosen (several of each; none is everyone), now or from the time the admin chose (`not_before`).

Sent by a scheduler job, one broadcast at a time, each recipient once, at most `RATE` messages a second
overall through the pacer the reminders share (so the two together stay under Telegram's ~30/s), and
one message per chat per broadcast (so never over 1/s into a chat). Every recipient goes
pending -> claimed -> sending -> sent | failed | blocked. At most once: a restart puts `claimed` (not
tried yet) back to pending, and turns `sending` (cut off during its request: Telegram may have it)
into `unknown`, never sent again. A 403 marks the person blocked; a
429 that outlasts the request's own waiting puts the rest of the batch back and pauses the broadcast
for `retry_after`. The admin's progress message is edited at most every PROGRESS_EVERY seconds, and
has a Cancel button; the job checks for a cancel before each batch.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Collection
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from aiogram import Bot
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramRetryAfter,
)

from bot.i18n import CatalogI18n
from bot.models import Broadcast
from bot.screens.broadcast import progress_screen
from bot.services.users import UserService
from bot.storage.broadcasts import BroadcastRepository, Codes
from bot.storage.db import Database
from bot.telegram.pacer import Paced

log = logging.getLogger(__name__)
UTC_ZONE = ZoneInfo("UTC")

BATCH = 25  # recipients claimed at a time: about a second of sending, then a check for a cancel
PROGRESS_EVERY = 5.0  # seconds between edits of the admin's progress message
RUN_BUDGET = 25.0  # seconds one run of the job may send before giving way (the job runs every 2 s)


class Broadcasts:
    def __init__(
        self, bot: Bot, db: Database, repo: BroadcastRepository, users: UserService, i18n: CatalogI18n,
        default_locale: str, pacer: Paced, *, clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        monotonic: Callable[[], float] = time.monotonic, zone: ZoneInfo = UTC_ZONE,
    ) -> None:
        self.bot = bot
        self.db = db
        self.repo = repo
        self.users = users
        self.i18n = i18n
        self.default_locale = default_locale
        self.pacer = pacer
        self.clock = clock
        self.monotonic = monotonic
        self.zone = zone  # the admins' clock (ADMIN_TIMEZONE): a scheduled broadcast's time is shown in it
        self._last_progress: dict[int, float] = {}

    # ------------------------------------------------------------------ making one
    async def audience(self, language: Codes, citizenship: Codes, destination: Codes) -> int:
        with self.db.offloaded():  # a count over every person
            return await self.repo.count_audience(language, citizenship, destination)

    async def create(
        self, author_id: int, text: str, language: Codes, citizenship: Codes, destination: Codes, send_at: datetime | None = None,
    ) -> Broadcast:
        """The broadcast and its recipients (the audience as of now: each gets it once), sent from now on
        or from `send_at`."""
        with self.db.offloaded():  # the recipients: every person of the audience, one INSERT ... SELECT
            async with self.db.transaction():
                broadcast_id = await self.repo.create(author_id, text, language, citizenship, destination, self.clock(), send_at)
                broadcast = await self.repo.get(broadcast_id)
        assert broadcast is not None
        log.info("broadcast %s created for %d recipients", broadcast.id, broadcast.total)
        return broadcast

    async def attach_progress(self, broadcast_id: int, chat_id: int, message_id: int) -> None:
        await self.repo.update(broadcast_id, progress_chat=chat_id, progress_msg=message_id)

    async def cancel(self, broadcast_id: int) -> Broadcast | None:
        if await self.repo.cancel(broadcast_id, self.clock()):
            broadcast = await self.repo.get(broadcast_id)
            if broadcast is not None:
                await self._progress(broadcast, force=True)
            return broadcast
        return None

    async def recover(self, dead: Collection[str] | None = None) -> None:
        unknown = await self.repo.recover(dead)
        if unknown:
            log.warning("broadcasts: %d recipients were being sent to when the bot stopped: not sent again", unknown)

    # ------------------------------------------------------------------ the job
    async def run(self, budget: float = RUN_BUDGET) -> None:
        started = self.monotonic()
        for broadcast in await self.repo.active():
            if broadcast.not_before is not None and broadcast.not_before > self.clock():
                continue
            if broadcast.status == "scheduled":  # its time has come: the audience as of now
                with self.db.offloaded():
                    async with self.db.transaction():
                        await self.repo.begin(broadcast)
            while self.monotonic() - started < budget:
                fresh = await self.repo.get(broadcast.id)
                if fresh is None or fresh.status != "sending":
                    break
                batch = await self.repo.claim(fresh.id, BATCH)
                if not batch:  # nothing left to claim; done once every batch under way (here or elsewhere) is sent
                    if await self.repo.finish(fresh.id, self.clock()):
                        done = await self.repo.get(fresh.id)
                        if done is not None:
                            await self._progress(done, force=True)
                        log.info("broadcast %s finished", fresh.id)
                    break
                paused = await self._send(fresh, batch)
                await self._progress(fresh)
                if paused:
                    return

    async def _send(self, broadcast: Broadcast, batch: list[int]) -> bool:
        """Send to a batch; True when a long 429 paused the broadcast."""
        for position, user_id in enumerate(batch):
            await self.pacer.wait()
            await self.repo.mark(broadcast.id, user_id, "sending")  # from here, a crash means "maybe sent"
            try:
                await self.bot.send_message(user_id, broadcast.text)
            except TelegramRetryAfter as error:
                async with self.db.transaction():
                    for rest in batch[position:]:
                        await self.repo.mark(broadcast.id, rest, "pending")
                    until = self.clock() + timedelta(seconds=error.retry_after)
                    await self.repo.update(broadcast.id, not_before=until.isoformat())
                log.warning("broadcast %s paused for %s s (429)", broadcast.id, error.retry_after)
                return True
            except TelegramForbiddenError:
                await self.repo.mark(broadcast.id, user_id, "blocked")
                await self.users.mark_blocked(user_id, True)
            except TelegramBadRequest:
                await self.repo.mark(broadcast.id, user_id, "failed")
            except TelegramAPIError:  # network and server errors: it may have arrived, so never again
                await self.repo.mark(broadcast.id, user_id, "unknown")
            else:
                await self.repo.mark(broadcast.id, user_id, "sent")
        return False

    # ------------------------------------------------------------------ progress
    async def _locale_of(self, user_id: int) -> str:
        user = await self.users.get(user_id)
        return user.language if user is not None and user.language else self.default_locale

    async def _progress(self, broadcast: Broadcast, *, force: bool = False) -> None:
        if broadcast.progress_chat is None or broadcast.progress_msg is None:
            return
        now = self.monotonic()
        if not force and now - self._last_progress.get(broadcast.id, -math.inf) < PROGRESS_EVERY:
            return
        self._last_progress[broadcast.id] = now
        counts = await self.repo.counts(broadcast.id)
        with self.i18n.context(), self.i18n.use_locale(await self._locale_of(broadcast.author_id)):
            screen = progress_screen(broadcast, counts, self.clock(), self.zone)
        try:
            await self.bot.edit_message_text(
                screen.text, chat_id=broadcast.progress_chat, message_id=broadcast.progress_msg, reply_markup=screen.markup)
        except TelegramAPIError as error:  # "not modified", or the message is gone: progress is not worth more
            log.info("broadcast %s: progress not edited (%s)", broadcast.id, type(error).__name__)

