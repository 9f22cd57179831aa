"""What the bot sends while handling an update is written down, so a replay of that update sends only
what was not sent yet.

A replayed update (the process died while handling it) runs its handler again from the start. Calls
that create something a person sees (a message, a copy, a forum topic) are recorded per update: first
that the call is under way, then its result. On a replay, a call already made returns its recorded
result without reaching Telegram, so the handler goes on exactly as it did. A call cut off under way
(the process died between Telegram taking it and the record of its result) cannot be told apart from
one Telegram never got: it is made again, so nothing is lost, and counted in the log as possibly seen
twice. Edits, answers and deletions are not recorded: made twice, Telegram refuses the second as "not
modified" or "already answered", which the handlers take as done. Posts of the outbox are not an
update's calls: the outbox records each by its item, in the same journal file (bot.telegram.outbox).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.exceptions import TelegramAPIError
from aiogram.methods import TelegramMethod
from aiogram.methods.base import Response, TelegramType
from pydantic_core import to_json

from bot.storage.calls import CallJournal

if TYPE_CHECKING:
    from aiogram import Bot

log = logging.getLogger(__name__)


@dataclass
class UpdateCalls:
    """The calls of one update being handled, by the task handling it."""

    update_id: int
    owner: asyncio.Task[Any] | None
    done: dict[str, str | None] = field(default_factory=dict)  # recorded by the run that was cut off
    seen: Counter[str] = field(default_factory=Counter)
    again: int = 0  # calls cut off under way by the last stop, made again

    def key(self, method: TelegramMethod[Any]) -> str:
        """The same call made in the same order by a replay has the same key: method, chat, what it says."""
        name = method.__api_method__
        chat = getattr(method, "chat_id", None)
        said = getattr(method, "text", None) or getattr(method, "caption", None) or getattr(method, "name", None) or ""
        source = f"{getattr(method, 'from_chat_id', '')}/{getattr(method, 'message_id', '')}"
        digest = hashlib.blake2b(f"{said}|{source}".encode(), digest_size=8).hexdigest()
        base = f"{name}:{chat}:{digest}"
        self.seen[base] += 1
        return f"{base}#{self.seen[base]}"


_current: ContextVar[UpdateCalls | None] = ContextVar("update_calls", default=None)


@contextmanager
def handling(calls: UpdateCalls) -> Iterator[None]:
    """Record the calls this task makes for the update."""
    token = _current.set(calls)
    try:
        yield
    finally:
        _current.reset(token)


@contextmanager
def unrecorded() -> Iterator[None]:
    """Calls with a record of their own (the outbox's posts) are not the update's."""
    token = _current.set(None)
    try:
        yield
    finally:
        _current.reset(token)


def creates(method: TelegramMethod[Any]) -> bool:
    """A call that makes something new in a chat: made twice, it is seen twice."""
    name = method.__api_method__
    return (name.startswith(("send", "copy", "forward")) and name != "sendChatAction") or name == "createForumTopic"


class SendJournal(BaseRequestMiddleware):
    def __init__(self, journal: CallJournal) -> None:
        self.journal = journal

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        # aiogram's type says Response; what the chain passes along is the result itself (as in late_answers)
        calls = _current.get()
        # a task the handler started (e.g. an announcement going out) inherits the context but is not the update
        if calls is None or calls.owner is not asyncio.current_task() or not creates(method):
            return await make_request(bot, method)
        key = calls.key(method)
        if key in calls.done:
            recorded = calls.done[key]
            if recorded is not None:
                return cast(Any, _restore(bot, method, recorded))
            calls.again += 1
            log.warning("update %s: a %s cut off by the last stop is made again (it may be seen twice)",
                        calls.update_id, method.__api_method__)
        else:
            self.journal.calling(calls.update_id, key)
        try:
            result = await make_request(bot, method)
        except TelegramAPIError:
            self.journal.uncall(calls.update_id, key)  # Telegram refused it: nothing was made
            raise
        # written in the same step as the answer is read, with nothing to wait for (bot.storage.calls)
        self.journal.called(calls.update_id, key, to_json(result, exclude_none=True).decode())
        return result


def _restore(bot: Bot, method: TelegramMethod[TelegramType], recorded: str) -> Any:
    """The recorded result, as aiogram's session would have made it of Telegram's answer."""
    response = Response[method.__returning__].model_validate(  # type: ignore[name-defined]
        {"ok": True, "result": json.loads(recorded)}, context={"bot": bot}
    )
    return response.result
