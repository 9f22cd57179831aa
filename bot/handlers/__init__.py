"""Routers, one factory per feature. The composition root includes them in `build_routers()` order."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from aiogram import Router
from aiogram.dispatcher.event.handler import FilterObject, HandlerObject
from aiogram.filters import Command, Filter, StateFilter
from aiogram.filters.callback_data import CallbackQueryFilter
from aiogram.fsm.state import State
from aiogram.types import CallbackQuery, Message

from bot.handlers import (
    agency,
    broadcast,
    checkin,
    checklist,
    consult,
    desk,
    errors,
    guide,
    membership,
    privacy,
    profile,
    referral,
    search,
    selfcheck,
    share,
    start,
    stats,
)
from bot.handlers.common import is_admin
from bot.telegram.authorizer import Authorizer


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
        referral.router(),  # /refer by a consultant (in a case's topic too), the partner picked, the person's yes or no
        desk.router(),  # consultants: Take in the group; their commands and replies, before a person's router reads them
        selfcheck.router(),  # the self-check: its answers are buttons only
        consult.router(),  # asking for a consultant; while a case is open, what the person sends goes to the consultant
        checkin.router(),  # safety check-ins: "I'm OK", the setting; a time or workplace typed while asked
        checklist.router(),  # the checklist and a date typed while asked (after the case relay: help comes first)
        agency.router(),  # the agency check: a name typed while asked; red flags; the report
        guide.router(),  # guidance, country guides, contacts: buttons and commands only
        search.router(),  # last: any other text with no flow in progress is a question to search
        share.router(),  # "@bot ..." in any chat: cards to share (inline queries only)
    ]


def tune(root: Router) -> None:
    """Make the routers cheaper to pass without changing which handler takes an update.

    - aiogram runs every filter that is not a coroutine function (each `F` magic filter, a lambda) in a
      worker thread: a thread hop of ~80 µs for a check of an attribute. They run on the loop instead.
    - A router (with no routers inside) whose every button handler needs its own CallbackData, a state
      of a flow or an admin is skipped at once for a button of another prefix, in no such state, from
      someone else, instead of trying each handler's filters in turn.
    - Likewise for messages: a router whose every message handler needs a state of a flow, a command or
      an admin is skipped at once for a message in no such state that is not a command, from someone else.
    """
    for router in _tree(root):
        for observer in router.observers.values():
            for handler in (observer._handler, *observer.handlers):
                for check in handler.filters or ():
                    _on_loop(check)
        if router.sub_routers:
            continue
        buttons = _button_gate(router.observers["callback_query"].handlers)
        if buttons is not None:  # after the router's own filters (a private chat...): all must pass
            router.observers["callback_query"].filter(buttons)
        gate = _gate(router.observers["message"].handlers)
        if gate is not None:
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


def _needs(handler: HandlerObject) -> tuple[str, Any] | None:
    """One thing the handler cannot match without, of those a gate can check cheaply: ("data", (prefix,
    separator)) of its CallbackData, ("state", states) of its StateFilter or State, ("command", prefixes),
    ("admin", None) for is_admin; None if it has none of them."""
    checks = [f.callback for f in handler.filters or ()]
    for check in checks:
        if isinstance(check, CallbackQueryFilter):
            return "data", (check.callback_data.__prefix__, check.callback_data.__separator__)
    for check in checks:
        if isinstance(check, StateFilter):
            return "state", check.states
        if isinstance(check, State):
            return "state", (check,)
    for check in checks:
        if isinstance(check, Command):
            return "command", check.prefix
        if check is is_admin:
            return "admin", None
    return None


def _collect(handlers: list[HandlerObject], kinds: set[str]) -> dict[str, list[Any]] | None:
    found: dict[str, list[Any]] = {"data": [], "state": [], "command": [], "admin": []}
    for handler in handlers:
        need = _needs(handler)
        if need is None or need[0] not in kinds:
            return None
        kind, value = need
        if kind in ("state", "command"):
            found[kind].extend(value)
        else:
            found[kind].append(value)
    return found if handlers else None


def _button_gate(handlers: list[HandlerObject]) -> _PrefixFilter | None:
    """What every button handler of a router needs at least; None when some handler may take any button."""
    found = _collect(handlers, {"data", "state", "admin"})
    if found is None:
        return None
    return _PrefixFilter(frozenset(found["data"]), StateFilter(*found["state"]) if found["state"] else None, bool(found["admin"]))


class _PrefixFilter(Filter):
    """A button whose data begins with one of the router's prefixes ("ag:" for AgencyCb: CallbackData packs
    "prefix<sep>values", and refuses any other first part), or pressed in one of the states the router's
    handlers wait in, or by an admin where a handler needs one."""

    def __init__(self, prefixes: frozenset[tuple[str, str]], states: StateFilter | None = None, admin: bool = False) -> None:
        self.prefixes = tuple(sorted(prefix + separator for prefix, separator in prefixes))
        self.bare = frozenset(prefix for prefix, _separator in prefixes)  # a CallbackData without fields packs its prefix alone
        self.states = states
        self.admin = admin

    async def __call__(self, query: CallbackQuery, raw_state: str | None = None, authorizer: Authorizer | None = None) -> bool:
        data = query.data
        if data and (data.startswith(self.prefixes) or data in self.bare):
            return True
        if self.states is not None and await self.states(query, raw_state):
            return True
        return self.admin and authorizer is not None and await is_admin(query, authorizer)


def _gate(handlers: list[HandlerObject]) -> _MessageGate | None:
    """What every message handler of a router needs at least (a state of its StateFilter, a command's
    prefix, an admin); None when some handler needs none of them (it may take any message)."""
    found = _collect(handlers, {"state", "command", "admin"})
    if found is None:
        return None
    return _MessageGate(StateFilter(*found["state"]) if found["state"] else None, "".join(sorted(set(found["command"]))),
                        bool(found["admin"]))


class _MessageGate(Filter):
    """A message in one of the states the router's handlers wait in, a command for one of them, or an
    admin's message where a handler needs one."""

    def __init__(self, states: StateFilter | None, prefixes: str, admin: bool = False) -> None:
        self.states = states
        self.prefixes = prefixes
        self.admin = admin

    async def __call__(self, message: Message, raw_state: str | None = None, authorizer: Authorizer | None = None) -> bool:
        text = message.text or message.caption
        if text and self.prefixes and text[0] in self.prefixes:
            return True
        if self.states is not None and await self.states(message, raw_state):
            return True
        return self.admin and authorizer is not None and await is_admin(message, authorizer)
