"""Every update is in the inbox before it is handled, is handled once, and is marked handled after.

Polling (bot.telegram.intake) writes each batch to the inbox before it asks Telegram for the next one,
so an update Telegram considers delivered is always in the database. An update fed straight to the
Dispatcher (the tests, `try`) is written here. An update already handled is skipped: a replay, or
Telegram sending it again, does nothing twice. If the process dies mid-update, the row stays
unhandled and is replayed at the next start; what the first run sent for it is in its journal
(bot.telegram.journal), so the replay sends only the rest. Handlers that keep what a person sent are
idempotent on the message id, so an update handled twice is not kept twice.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Collection
from datetime import UTC, datetime
from typing import Any

from aiogram import BaseMiddleware, Bot, Dispatcher
from aiogram.types import TelegramObject, Update

from bot.storage.calls import CallJournal
from bot.storage.inbox import InboxRepository
from bot.telegram.journal import UpdateCalls, handling

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 3  # an update that killed the process three times is dropped, not replayed forever
RECORDED = "inbox_recorded"  # fed by the intake: already in the inbox
REPLAYED = "inbox_replayed"  # left unfinished by an earlier run: its journal holds what was sent


class InboxMiddleware(BaseMiddleware):
    def __init__(
        self, repo: InboxRepository, journal: CallJournal, clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    ) -> None:
        self.repo = repo
        self.journal = journal
        self.clock = clock

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        if not isinstance(event, Update):
            return await handler(event, data)
        update_id = event.update_id
        if not data.get(RECORDED) and not data.get(REPLAYED):
            fresh = await self.repo.receive([(update_id, event.model_dump_json(exclude_none=True))], self.clock())
            if not fresh and await self.repo.is_handled(update_id):
                log.info("update %s was handled already; not again", update_id)
                return None
        elif data.get(REPLAYED) and await self.repo.is_handled(update_id):
            # taken over from an instance thought dead that finished it after all (it is read under the chat's lock)
            log.info("update %s was handled already; not again", update_id)
            return None
        done = self.journal.calls(update_id) if data.get(REPLAYED) else {}
        calls = UpdateCalls(update_id, asyncio.current_task(), done)
        try:
            with handling(calls):
                result = await handler(event, data)
        except asyncio.CancelledError:
            raise  # the process is stopping mid-update: keep the record, replay it at the next start
        except Exception:
            await self._handled(calls)  # the errors router has answered; do not loop on it
            raise
        await self._handled(calls)
        return result

    async def _handled(self, calls: UpdateCalls) -> None:
        await self.repo.handled(calls.update_id, self.clock())
        if calls.seen or calls.done:  # the update's calls, if it made or found any (a kill just here: cleared at the next start)
            self.journal.done(calls.update_id)


async def unfinished(bot: Bot, repo: InboxRepository, dead: Collection[str] | None = None) -> list[Update]:
    """The updates an earlier run received and did not finish, oldest first; one that stopped the process
    MAX_ATTEMPTS times is dropped (marked handled), not replayed forever. Only those of the instances in
    `dead` (and unsigned ones) are taken."""
    updates = []
    for update_id, payload, attempts in await repo.pending(dead):
        if attempts >= MAX_ATTEMPTS:
            log.error("update %s was interrupted %d times; dropped", update_id, attempts)
            await repo.handled(update_id, datetime.now(UTC))
            continue
        await repo.bump(update_id)
        updates.append(Update.model_validate_json(payload, context={"bot": bot}))
    return updates


async def replay(dp: Dispatcher, bot: Bot, repo: InboxRepository, dead: Collection[str] | None = None) -> int:
    """Handle, one after another, the updates a previous run received but did not finish; returns how many."""
    updates = await unfinished(bot, repo, dead)
    for update in updates:
        log.info("replaying update %s received before the restart", update.update_id)
        await dp.feed_update(bot, update, **{REPLAYED: True})
    return len(updates)
