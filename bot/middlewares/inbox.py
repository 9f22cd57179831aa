"""A durable record of every update received, so one in flight when the process dies is handled after restart.

aiogram's polling confirms an update's offset as soon as it is read: Telegram will not send it again.
So the update is written to the inbox before it is handled and deleted once handling ends (a handler
that failed has already told the person so). If the process is killed or cancelled in between, the row
stays, and `replay()` hands it to the dispatcher at the next start. Handlers that keep what a person
sent are idempotent on the message id, so an update handled twice is not kept twice.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from aiogram import BaseMiddleware, Bot, Dispatcher
from aiogram.types import TelegramObject, Update

from bot.storage.outbox import InboxRepository

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 3  # an update that killed the process three times is dropped, not replayed forever


class InboxMiddleware(BaseMiddleware):
    def __init__(self, repo: InboxRepository, clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.repo = repo
        self.clock = clock

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        if not isinstance(event, Update):
            return await handler(event, data)
        await self.repo.add(event.update_id, event.model_dump_json(exclude_none=True), self.clock())
        try:
            result = await handler(event, data)
        except asyncio.CancelledError:
            raise  # the process is stopping mid-update: keep the record, replay it at the next start
        except Exception:
            await self.repo.remove(event.update_id)  # the errors router has answered; do not loop on it
            raise
        await self.repo.remove(event.update_id)
        return result


async def replay(dp: Dispatcher, bot: Bot, repo: InboxRepository) -> int:
    """Handle the updates a previous run received but did not finish; returns how many."""
    done = 0
    for update_id, payload, attempts in await repo.pending():
        if attempts >= MAX_ATTEMPTS:
            log.error("update %s was interrupted %d times; dropped", update_id, attempts)
            await repo.remove(update_id)
            continue
        await repo.bump(update_id)
        log.info("replaying update %s received before the restart", update_id)
        update = Update.model_validate_json(payload, context={"bot": bot})
        await dp.feed_update(bot, update)
        done += 1
    return done
