"""Routers, one factory per feature. The composition root includes them in `build_routers()` order."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from aiogram import Router
from aiogram.dispatcher.event.handler import FilterObject, HandlerObject
from aiogram.filters import Command, Filter, StateFilter
from aiogram.filters.callback_data import CallbackQueryFilter
from aiogram.types import CallbackQuery, Message

from bot.handlers import (
    agency,
    broadcast,
    checklist,
    consult,
    desk,
    errors,
    guide,
    membership,
    privacy,
    profile,
    search,
    selfcheck,
    start,
    stats,
)


def build_routers() -> list[Router]:
    """Every router, in the order an update tries them: the first handler whose filters match takes it."""
    return [
        errors.router(),  # not a handler of updates: logs a failure without its text, says sorry to the person
        membership.router(),  # blocked / unblocked: only my_chat_member updates, nobody else's business
        agency.early_router(),  # leaving the agency check ends it; admins' registry files are never relayed as a case's message
        broadcast.router(),  # an admin writing an announcement: their text must not be searched or relayed
        stats.router(),  # admins' /admin and /stats: commands no other router takes
        start.router(),  # /start, /menu, /language, /help work from anywhere, even in the middle of a flow
        profile.router(),  # citizenship and destination typed as text while asked (even with a case open)
        privacy.router(),  # /forget works from anywhere, an open case included
        desk.router(),  # consultants: Take in the group; their commands and replies, before a person's router reads them
        selfcheck.router(),  # the self-check: its answers are buttons only
        consult.router(),  # asking for a consultant; while a case is open, what the person sends goes to the consultant
        checklist.router(),  # the checklist and a date typed while asked (after the case relay: help comes first)
        agency.router(),  # the agency check: a name typed while asked; red flags; the report
        guide.router(),  # guidance, country guides, contacts: buttons and commands only
        search.router(),  # last: any other text with no flow in progress is a question to search
    ]


def tune(root: Router) -> None:
    """Make the routers cheaper to pass without changing which handler takes an update.

    - aiogram runs every filter that is not a coroutine function (each `F` magic filter, a lambda) in a
      worker thread: a thread hop of ~80 µs for a check of an attribute. They run on the loop instead.
    - A router whose every button handler reads its own CallbackData (and has no routers inside) is
      skipped at once for a button of another prefix, instead of trying each handler's filter in turn.
      A router with a handler that takes other buttons (a "leaving" handler) is left as it is.
    - A router whose every message handler needs a state of a flow or a command is skipped at once for
      a message in no such state that is not a command.
    """
    for router in _tree(root):
        for observer in router.observers.values():
            for handler in (observer._handler, *observer.handlers):
                for check in handler.filters or ():
                    _on_loop(check)
        observer = router.observers["callback_query"]
        prefixes = _prefixes(observer.handlers)
        if prefixes and not router.sub_routers:  # after the router's own filters (a private chat...): all must pass
            observer.filter(_PrefixFilter(prefixes))
        gate = _gate(router.observers["message"].handlers)
        if gate is not None and not router.sub_routers:
            router.observers["message"].filter(gate)


def _tree(router: Router) -> Iterator[Router]:
    yield router
    for child in router.sub_routers:
        yield from _tree(child)


def _on_loop(check: FilterObject) -> None:
    if check.awaitable:
        return
    run = check.callback

    async def on_loop(*args: Any, **kwargs: Any) -> Any:
        return run(*args, **kwargs)

    check.callback = on_loop  # the parameters it is given were read from `run` and stay as they were
    check.awaitable = True


def _prefixes(handlers: list[HandlerObject]) -> frozenset[tuple[str, str]] | None:
    """The CallbackData (prefix, separator) of the handlers, if every one of them has such a filter."""
    found: set[tuple[str, str]] = set()
    for handler in handlers:
        own = [f.callback for f in handler.filters or () if isinstance(f.callback, CallbackQueryFilter)]
        if not own:
            return None
        found.update((f.callback_data.__prefix__, f.callback_data.__separator__) for f in own)
    return frozenset(found) or None


class _PrefixFilter(Filter):
    """A button's data begins with one of the router's prefixes ("ag:" for AgencyCb: CallbackData packs
    "prefix<sep>values", and refuses any other first part)."""

    def __init__(self, prefixes: frozenset[tuple[str, str]]) -> None:
        self.prefixes = tuple(sorted(prefix + separator for prefix, separator in prefixes))
        self.bare = frozenset(prefix for prefix, _separator in prefixes)  # a CallbackData without fields packs its prefix alone

    async def __call__(self, query: CallbackQuery) -> bool:
        data = query.data
        return bool(data) and (data.startswith(self.prefixes) or data in self.bare)  # type: ignore[union-attr]


def _gate(handlers: list[HandlerObject]) -> _MessageGate | None:
    """What every message handler of a router needs at least (a state of its StateFilter, or a command's
    prefix); None when some handler needs neither (it may take any message)."""
    states: list[Any] = []
    prefixes: set[str] = set()
    for handler in handlers:
        checks = [f.callback for f in handler.filters or ()]
        state = next((c for c in checks if isinstance(c, StateFilter)), None)
        command = next((c for c in checks if isinstance(c, Command)), None)
        if state is not None:
            states.extend(state.states)
        elif command is not None:
            prefixes.update(command.prefix)
        else:
            return None
    return _MessageGate(StateFilter(*states) if states else None, "".join(sorted(prefixes))) if handlers else None


class _MessageGate(Filter):
    """A message in one of the states the router's handlers wait in, or a command for one of them."""

    def __init__(self, states: StateFilter | None, prefixes: str) -> None:
        self.states = states
        self.prefixes = prefixes

    async def __call__(self, message: Message, raw_state: str | None = None) -> bool:
        text = message.text or message.caption
        if text and self.prefixes and text[0] in self.prefixes:
            return True
        return self.states is not None and bool(await self.states(message, raw_state))
