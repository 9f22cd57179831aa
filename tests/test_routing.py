"""Which handler takes an update does not depend on how the routers are tuned (bot/handlers.tune): filters
run on the loop instead of in a thread, and buttons skip the routers of other prefixes.

The same walk (people in four languages, an admin, two consultants in the group; taps on whatever the
bot showed last, commands, text) is fed to the bot as built and to the bot without `tune`: the handler
that took each update must be the same, step by step. A few kinds of update are pinned besides."""

from __future__ import annotations

import asyncio
import functools
import random
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from aiogram import Router

import bot.app
from bot.handlers import _tree
from bot.sandbox.core import Limits
from tests.conftest import ADMIN, GROUP, Harness, make_settings

COMMANDS = ["/start", "/menu", "/help", "/language", "/agency", "/checklist", "/forget", "/cancel", "/admin", "/stats",
            "/broadcast", "/consultant", "/contacts", "/guide"]
TEXTS = ["паспорт отобрали", "Salom, ishga qanday borsam boʻladi?", "Помогите пожалуйста", "ok", "Жаңы Жол",
         "12.03.2027", "Россия", "меня бьют", "ҳуҷҷат", "hello"]


def _record(root: Router, winners: list[str]) -> None:
    async def note(handler: Callable[..., Awaitable[Any]], event: Any, data: dict[str, Any]) -> Any:
        callback = data["handler"].callback
        winners.append(f"{callback.__module__}.{callback.__qualname__}")
        return await handler(event, data)

    for router in _tree(root):
        for name, observer in router.observers.items():
            if name not in ("update", "error"):  # the Dispatcher's own handler of updates passes them on
                observer.middleware(note)


async def _walk(tmp_path: Path, seed: int, steps: int) -> list[tuple[str, str]]:
    settings = make_settings(tmp_path, consultant_chat_id=GROUP, admin_ids=[ADMIN])
    h = Harness(settings, limits=Limits.off())
    h.sandbox.add_group(GROUP, "Consultants")
    await h.start()
    assert h.app is not None
    winners: list[str] = []
    _record(h.app.dp, winners)
    rng = random.Random(seed)
    people = [h.sandbox.add_user(7_000_000 + i, f"P{i}", lang) for i, lang in enumerate(["ru", "ky", "tg", "uz", "ru", None])]
    admin = h.sandbox.add_user(ADMIN, "Admin", "ru")
    consultants = [h.sandbox.add_user(7_100_000 + i, f"C{i}", "ru") for i in range(2)]
    h.sandbox.groups[GROUP]["members"].update(c.id for c in consultants)
    trail: list[tuple[str, str]] = []
    try:
        for _ in range(steps):
            who = rng.choice([*people, *people, admin, *consultants])
            in_group = who in consultants and rng.random() < 0.7
            chat = GROUP if in_group else who.id
            shown = [m for m in h.sandbox.bot_messages(chat) if m.inline]
            roll = rng.random()
            if shown and roll < 0.55:
                message = rng.choice(shown[-3:])
                button = rng.choice([b for row in message.buttons for b in row if "callback_data" in b] or [None])
                if button is None:
                    continue
                update = h.sandbox.user_click(who.id, message, button["callback_data"])
                kind = f"tap {button['callback_data']}"
            elif roll < 0.8 or in_group:
                text = rng.choice(COMMANDS if roll < 0.8 else TEXTS)
                update = h.sandbox.user_message(who.id, text, chat_id=chat if in_group else None)
                kind = f"{'group ' if in_group else ''}{text}"
            else:
                text = rng.choice(TEXTS)
                update = h.sandbox.user_message(who.id, text)
                kind = text
            before = len(winners)
            await h.feed(update)
            trail.append((kind, winners[before] if len(winners) > before else "-"))
    finally:
        await h.close()
    return trail


@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_the_same_handler_takes_each_update_with_and_without_tuning(tmp_path: Path, seed: int,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    tuned = await _walk(tmp_path / "tuned", seed, 300)
    monkeypatch.setattr(bot.app, "tune", lambda dp: None)
    plain = await _walk(tmp_path / "plain", seed, 300)
    for step, (mine, theirs) in enumerate(zip(tuned, plain, strict=True)):
        assert mine == theirs, f"step {step}: {mine} tuned, {theirs} as aiogram tries them"
    taken = {winner for _kind, winner in tuned if winner != "-"}
    assert len(taken) >= 25, f"the walk reached only {len(taken)} handlers: {sorted(taken)}"


async def test_no_filter_runs_in_a_thread(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    hops = 0
    real = asyncio.to_thread

    async def counted(*args: Any, **kwargs: Any) -> Any:
        nonlocal hops
        if args and isinstance(args[0], functools.partial):  # how aiogram runs a filter or handler that is not async
            hops += 1
        return await real(*args, **kwargs)

    monkeypatch.setattr(asyncio, "to_thread", counted)
    trail = await _walk(tmp_path, 4, 120)
    assert len(trail) == 120
    assert hops == 0, f"{hops} filters ran in a worker thread"


async def _menu_walk(tmp_path: Path, lang: str) -> list[tuple[str, str]]:
    """A person's commands, then each button of the main menu in turn (back to /menu after each)."""
    h = Harness(make_settings(tmp_path, consultant_chat_id=GROUP, admin_ids=[ADMIN]), limits=Limits.off())
    h.sandbox.add_group(GROUP, "Consultants")
    await h.start()
    assert h.app is not None
    winners: list[str] = []
    _record(h.app.dp, winners)
    trail: list[tuple[str, str]] = []

    async def feed(kind: str, update: dict[str, Any]) -> None:
        before = len(winners)
        await h.feed(update)
        trail.append((kind, winners[before] if len(winners) > before else "-"))

    try:
        person = h.sandbox.add_user(7_200_000, "Pinned", lang)
        for command in ["/start", "/menu", "/help", "/language", "/forget", "/agency", "/cancel", "/menu"]:
            await feed(command, h.sandbox.user_message(person.id, command))
        menu = h.sandbox.bot_messages(person.id)[-1]
        for data in [b["callback_data"] for row in menu.buttons for b in row]:
            await feed(f"tap {data}", h.sandbox.user_click(person.id, menu, data))
            await feed("/menu", h.sandbox.user_message(person.id, "/menu"))
        await feed("text", h.sandbox.user_message(person.id, "паспорт"))
    finally:
        await h.close()
    return trail


# as aiogram chose before the routers were tuned (the commit before `tune`)
PINNED = [
    ('/start', 'bot.handlers.start.start'),
    ('/menu', 'bot.handlers.start.menu'),
    ('/help', 'bot.handlers.start.help_'),
    ('/language', 'bot.handlers.start.language'),
    ('/forget', 'bot.handlers.privacy.ask'),
    ('/agency', 'bot.handlers.agency.start'),
    ('/cancel', 'bot.handlers.agency.leaving'),
    ('/menu', 'bot.handlers.start.menu'),
    ('tap m:guide', 'bot.handlers.guide.home'),
    ('/menu', 'bot.handlers.start.menu'),
    ('tap m:countries', 'bot.handlers.guide.countries'),
    ('/menu', 'bot.handlers.start.menu'),
    ('tap m:checklist', 'bot.handlers.checklist.open_checklist'),
    ('/menu', 'bot.handlers.start.menu'),
    ('tap m:contacts', 'bot.handlers.guide.contacts'),
    ('/menu', 'bot.handlers.start.menu'),
    ('tap m:agency', 'bot.handlers.agency.start'),
    ('/menu', 'bot.handlers.agency.leaving'),
    ('tap m:risk', 'bot.handlers.selfcheck.start'),
    ('/menu', 'bot.handlers.start.menu'),
    ('tap m:consult', 'bot.handlers.consult.from_menu'),
    ('/menu', 'bot.handlers.start.menu'),
    ('tap m:profile', 'bot.handlers.profile.start'),
    ('/menu', 'bot.handlers.start.menu'),
    ('tap m:checkin', 'bot.handlers.checkin.home'),  # new (issue 24): safety check-ins
    ('/menu', 'bot.handlers.start.menu'),
    ('tap m:language', 'bot.handlers.start.language'),
    ('/menu', 'bot.handlers.start.menu'),
    ('tap m:help', 'bot.handlers.start.help_'),
    ('/menu', 'bot.handlers.start.menu'),
    ('tap m:hide', 'bot.handlers.start.hide'),  # new (issue 24): the quick hide, the main menu's last button
    ('/menu', 'bot.handlers.start.menu'),
    # the check-in screen (new, after Profile) ends the profile question left open: text is a question to search again
    ('text', 'bot.handlers.search.answer'),
]


async def test_pinned_winners(tmp_path: Path) -> None:
    trail = await _menu_walk(tmp_path, "ru")
    for step, (got, pinned) in enumerate(zip(trail, PINNED, strict=True)):
        assert got == pinned, f"step {step}"


def test_button_routers_are_skipped_by_prefix() -> None:
    """Routers whose every button handler reads its own CallbackData get a prefix check; others do not."""
    from aiogram import Dispatcher

    from bot.handlers import _PrefixFilter, build_routers, tune
    from bot.states import AgencyFlow, BroadcastForm

    dp = Dispatcher()
    dp.include_routers(*build_routers())
    tune(dp)
    prefixed = {
        router.name: next(f.callback.prefixes for f in router.callback_query._handler.filters or () if isinstance(f.callback, _PrefixFilter))
        for router in _tree(dp)
        if any(isinstance(f.callback, _PrefixFilter) for f in router.callback_query._handler.filters or ())
    }
    assert prefixed["guide"] == ("ct:", "g:", "m:") and prefixed["agency"] == ("ag:", "m:", "rf:")
    # a "leaving" handler takes any button, but only in its flow's states: the router is passed in them
    gates = {router.name: next(f.callback for f in router.callback_query._handler.filters or () if isinstance(f.callback, _PrefixFilter))
             for router in _tree(dp) if router.name in ("broadcast", "agency-early")}
    assert gates["broadcast"].prefixes == ("bc:",) and gates["broadcast"].states.states == (BroadcastForm,)
    assert gates["agency-early"].prefixes == () and gates["agency-early"].states.states == (AgencyFlow,)
    assert not gates["broadcast"].admin and not gates["agency-early"].admin
    assert len(prefixed) >= 12, prefixed


def test_message_routers_are_skipped_outside_their_states_and_commands() -> None:
    from aiogram import Dispatcher

    from bot.handlers import _MessageGate, build_routers, tune

    dp = Dispatcher()
    dp.include_routers(*build_routers())
    tune(dp)
    gated = {router.name for router in _tree(dp)
             if any(isinstance(f.callback, _MessageGate) for f in router.message._handler.filters or ())}
    assert {"start", "guide", "profile", "checklist", "search", "broadcast", "agency-early"} <= gated
    assert not gated & {"consult", "agency"}  # a handler of theirs takes any message
    early = next(f.callback for f in next(r for r in _tree(dp) if r.name == "agency-early").message._handler.filters or ()
                 if isinstance(f.callback, _MessageGate))
    assert early.admin and early.prefixes == "/"  # an admin's registry file is a message with no command and no state
