"""Quick hide: for a person who may be watched (a shared phone, the employer beside them), one tap or
/hide deletes the bot's chat with them, both ways, as far as Telegram allows (a bot may delete a
message in a private chat for 48 hours), and leaves one neutral line. Nothing of their data goes: the
profile, checklists, reminders and an open case stay; /start brings the menu back.

To know what to delete the bot keeps the chat's trail: the ids and times of the messages each way
(never their text), recorded as they pass (`TrailRecorder` for what the bot sends, `TrailMiddleware`
for what the person sends), dropped after 48 hours and by /forget.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from aiogram import BaseMiddleware, Bot
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.exceptions import TelegramAPIError, TelegramBadRequest
from aiogram.methods import CopyMessage, TelegramMethod
from aiogram.methods.base import Response, TelegramType
from aiogram.types import Message, MessageId, TelegramObject

from bot.storage.trail import TrailRepository

log = logging.getLogger(__name__)

DELETABLE = timedelta(hours=48)  # Telegram: a bot deletes a message in a private chat for 48 hours after it was sent
MARGIN = timedelta(minutes=5)  # what is that close to the limit is not tried (it would be refused by the time it is asked)
AT_ONCE = 8  # deletions in flight at a time: the chat empties in a second or two, under Telegram's limits


class TrailRecorder(BaseRequestMiddleware):
    """What the bot sends into a private chat goes on the chat's trail (its id and time)."""

    def __init__(self, trail: TrailRepository, clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.trail = trail
        self.clock = clock

    async def __call__(
        self, make_request: NextRequestMiddlewareType[TelegramType], bot: Bot, method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        # aiogram's type says Response; what the chain passes along is the result itself (as in late_answers)
        sent: Any = await make_request(bot, method)
        if isinstance(sent, Message) and sent.chat.type == "private":
            await _record(self.trail, sent.chat.id, sent.message_id, self.clock())
        elif isinstance(method, CopyMessage) and isinstance(sent, MessageId) and isinstance(method.chat_id, int) and method.chat_id > 0:
            await _record(self.trail, method.chat_id, sent.message_id, self.clock())  # a consultant's photo or voice, copied
        return sent


class TrailMiddleware(BaseMiddleware):
    """What a person sends to the bot goes on their chat's trail, before it is handled (a /hide included)."""

    def __init__(self, trail: TrailRepository, clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.trail = trail
        self.clock = clock

    async def __call__(
        self, handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]], event: TelegramObject, data: dict[str, Any],
    ) -> Any:
        if isinstance(event, Message) and event.chat.type == "private":
            await _record(self.trail, event.chat.id, event.message_id, self.clock())
        return await handler(event, data)


async def _record(trail: TrailRepository, chat_id: int, message_id: int, now: datetime) -> None:
    try:
        await trail.add(chat_id, message_id, now)
    except Exception as error:  # the trail is a help, never a reason for a message to fail
        log.warning("trail: a message was not recorded (%s)", type(error).__name__)


@dataclass(frozen=True)
class Hidden:
    deleted: int
    refused: int  # Telegram said no (gone already, or too old by then)


class Hider:
    def __init__(self, bot: Bot, trail: TrailRepository, clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.bot = bot
        self.trail = trail
        self.clock = clock

    async def hide(self, chat_id: int) -> Hidden:
        """Delete the chat's messages that may still be deleted, the newest first (what is on the screen
        goes first). A message of the person's still to be copied to the consultants (a photo waiting for
        the group) stays until it is: hiding never loses what they sent. What Telegram refused for good is
        forgotten with what was deleted; what failed for now (a flood wait, the network) stays on the trail
        for the next hide."""
        keep = await self.trail.still_needed(chat_id)
        ids = [i for i in await self.trail.since(chat_id, self.clock() - DELETABLE + MARGIN) if i not in keep]
        gate = asyncio.Semaphore(AT_ONCE)

        async def delete(message_id: int) -> str:
            async with gate:
                try:
                    await self.bot.delete_message(chat_id, message_id)
                    return "deleted"
                except TelegramBadRequest:
                    return "refused"  # gone already, or too old: for good
                except TelegramAPIError:
                    return "failed"

        done = dict(zip(ids, await asyncio.gather(*(delete(message_id) for message_id in ids)), strict=True))
        await self.trail.forget(chat_id, [i for i, result in done.items() if result != "failed"])
        results = list(done.values())
        hidden = Hidden(deleted=results.count("deleted"), refused=len(results) - results.count("deleted"))
        log.info("chat hidden: %d messages deleted, %d refused", hidden.deleted, hidden.refused)
        return hidden

    async def forget(self, chat_id: int) -> None:
        """The chat's trail dropped (after /forget: what the bot said last is not kept either)."""
        await self.trail.clear(chat_id)

    async def prune(self) -> int:
        """The trail older than Telegram lets a bot delete: of no more use."""
        return await self.trail.prune(self.clock() - DELETABLE)
