"""Safety check-ins: set up step by step (how often, at what time, the time zone, whether a consultant is
told when two are missed, and what they see), "I'm OK" on a question, pause, resume, withdraw the
consent, stop. The questions themselves come from the job (bot/telegram/checkins.py)."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State
from aiogram.types import CallbackQuery, Message

from bot.callbacks import CheckinAction, CheckinCb, MenuCb, Section
from bot.handlers.common import private_router, show_screen
from bot.models import User
from bot.screens import checkin as screens
from bot.screens.common import Screen, with_prefix
from bot.services.checkins import (
    EVERY,
    MAX_WORKPLACE,
    SHARES,
    CheckinError,
    CheckinService,
    first_after,
    parse_time,
    zone_of,
    zone_or_none,
    zones_for,
)
from bot.services.desk import CaseService
from bot.services.events import EventLog
from bot.states import CheckinData, CheckinForm
from bot.telegram.desk import Desk


def router() -> Router:
    router = private_router("checkin")
    router.message.register(home, Command("checkin"))
    router.callback_query.register(home, MenuCb.filter(F.section == Section.CHECKIN))
    router.callback_query.register(home, CheckinCb.filter(F.a == CheckinAction.HOME))
    router.callback_query.register(setup, CheckinCb.filter(F.a == CheckinAction.SETUP))
    router.callback_query.register(every, CheckinCb.filter(F.a == CheckinAction.EVERY))
    router.callback_query.register(at, CheckinCb.filter(F.a == CheckinAction.AT))
    router.message.register(typed_time, StateFilter(CheckinForm.time), F.text, ~F.text.startswith("/"))
    router.callback_query.register(zone, CheckinCb.filter(F.a == CheckinAction.ZONE))
    router.callback_query.register(consent, CheckinCb.filter(F.a == CheckinAction.CONSENT))
    router.callback_query.register(share, CheckinCb.filter(F.a == CheckinAction.SHARE))
    router.message.register(typed_workplace, StateFilter(CheckinForm.workplace), F.text, ~F.text.startswith("/"))
    router.callback_query.register(confirm, CheckinCb.filter(F.a == CheckinAction.CONFIRM))
    router.callback_query.register(ok, CheckinCb.filter(F.a == CheckinAction.OK))
    router.callback_query.register(change, CheckinCb.filter(F.a.in_({CheckinAction.PAUSE, CheckinAction.RESUME, CheckinAction.WITHDRAW})))
    router.callback_query.register(stop, CheckinCb.filter(F.a == CheckinAction.STOP))
    return router


async def _data(state: FSMContext) -> CheckinData:
    return CheckinData.from_dict(await state.get_data())


async def _keep(state: FSMContext, data: CheckinData, step: State = CheckinForm.setting) -> None:
    await state.set_state(step)
    await state.update_data(data.to_dict())


async def home(event: Message | CallbackQuery, user: User, checkins: CheckinService, desk: Desk, locale: str, state: FSMContext) -> None:
    await state.set_state(None)
    checkin = await checkins.get(user.id)
    if checkin is None:
        await show_screen(event, screens.intro(desk.available))
        return
    await show_screen(event, screens.home(checkin, user, user.language or locale, locale))


async def setup(query: CallbackQuery, user: User, checkins: CheckinService, state: FSMContext) -> None:
    """From the start: what was set before is offered again on the way (the consent and what is shared)."""
    before = await checkins.get(user.id)
    data = CheckinData(escalate=before.escalate if before else None, share=list(before.share) if before else [],
                       workplace=before.workplace if before else None)
    await _keep(state, data)
    await show_screen(query, screens.ask_every())


async def every(query: CallbackQuery, callback_data: CheckinCb, state: FSMContext) -> None:
    days = int(callback_data.v) if callback_data.v.isdigit() else 0
    if days not in EVERY:
        await show_screen(query, screens.ask_every())
        return
    data = await _data(state)
    data.every = days
    await _keep(state, data, CheckinForm.time)  # a time may be typed now
    await show_screen(query, screens.ask_time())


async def at(
    query: CallbackQuery, callback_data: CheckinCb, user: User, checkins: CheckinService, desk: Desk, locale: str, state: FSMContext,
) -> None:
    value = callback_data.v  # HHMM: a colon would split the callback data
    chosen = parse_time(f"{value[:2]}:{value[2:]}") if len(value) == 4 and value.isdigit() else None
    data = await _data(state)
    if chosen is None or data.every is None:
        await show_screen(query, screens.ask_every() if data.every is None else screens.ask_time())
        return
    data.at = chosen
    await show_screen(query, await _after_time(data, user, checkins, desk, locale, state))


async def typed_time(message: Message, user: User, checkins: CheckinService, desk: Desk, locale: str, state: FSMContext) -> None:
    chosen = parse_time(message.text or "")
    data = await _data(state)
    if chosen is None:
        await show_screen(message, with_prefix(screens.bad_time(), screens.ask_time()))
        return
    data.at = chosen
    await show_screen(message, await _after_time(data, user, checkins, desk, locale, state))


async def _after_time(data: CheckinData, user: User, checkins: CheckinService, desk: Desk, locale: str, state: FSMContext) -> Screen:
    """The time zone, asked only when the person's country has several (or is not known)."""
    zones = zones_for(user.place or user.citizenship)
    if len(zones) > 1:
        await _keep(state, data)
        return screens.ask_zone(zones, checkins.clock())
    data.zone = zones[0]
    return await _after_zone(data, user, checkins, desk, locale, state)


async def zone(
    query: CallbackQuery, callback_data: CheckinCb, user: User, checkins: CheckinService, desk: Desk, locale: str, state: FSMContext,
) -> None:
    data = await _data(state)
    offered = zones_for(user.place or user.citizenship)
    if data.every is None or data.at is None or callback_data.v not in offered or zone_or_none(callback_data.v) is None:
        await show_screen(query, screens.ask_every() if data.every is None else screens.ask_time())
        return
    data.zone = callback_data.v
    await show_screen(query, await _after_zone(data, user, checkins, desk, locale, state))


async def _after_zone(data: CheckinData, user: User, checkins: CheckinService, desk: Desk, locale: str, state: FSMContext) -> Screen:
    if not desk.available:  # no consultants to tell: the check-ins only ask
        data.escalate, data.share, data.workplace = False, [], None
        await _keep(state, data)
        return _confirm_screen(data, user, checkins, locale)
    await _keep(state, data)
    return screens.ask_consent()


def _confirm_screen(data: CheckinData, user: User, checkins: CheckinService, locale: str) -> Screen:
    assert data.at is not None and data.zone is not None
    first = first_after(checkins.clock(), data.at, zone_of(data.zone))
    return screens.confirm(data, user, user.language or locale, first, locale)


def _complete(data: CheckinData) -> bool:
    return data.every is not None and data.at is not None and data.zone is not None


async def consent(query: CallbackQuery, callback_data: CheckinCb, user: User, checkins: CheckinService, locale: str, state: FSMContext) -> None:
    data = await _data(state)
    if not _complete(data):
        await _keep(state, data)
        await show_screen(query, screens.ask_every())
        return
    if callback_data.v != "y":
        data.escalate, data.share, data.workplace = False, [], None
        await _keep(state, data)
        await show_screen(query, _confirm_screen(data, user, checkins, locale))
        return
    if not data.escalate:  # newly agreed: the country where the person is, shown by default
        data.share = ["place"] if user.place else []
    data.escalate = True
    await _keep(state, data)
    await show_screen(query, screens.ask_share(data, user, user.language or locale))


async def share(query: CallbackQuery, callback_data: CheckinCb, user: User, locale: str, state: FSMContext) -> None:
    data = await _data(state)
    if not _complete(data) or not data.escalate or callback_data.v not in SHARES:
        await _keep(state, data)
        await show_screen(query, screens.ask_every())
        return
    if callback_data.v in data.share:
        data.share.remove(callback_data.v)
        if callback_data.v == "workplace":
            data.workplace = None
    elif callback_data.v == "workplace":
        await _keep(state, data, CheckinForm.workplace)
        await show_screen(query, screens.ask_workplace())
        return
    else:
        data.share.append(callback_data.v)
    await _keep(state, data)
    await show_screen(query, screens.ask_share(data, user, user.language or locale))


async def typed_workplace(message: Message, user: User, locale: str, state: FSMContext) -> None:
    text = " ".join((message.text or "").split())
    data = await _data(state)
    if not text or len(text) > MAX_WORKPLACE:
        await show_screen(message, screens.ask_workplace())
        return
    data.workplace = text
    if "workplace" not in data.share:
        data.share.append("workplace")
    await _keep(state, data)
    await show_screen(message, screens.ask_share(data, user, user.language or locale))


async def confirm(
    query: CallbackQuery, callback_data: CheckinCb, user: User, checkins: CheckinService, events: EventLog, locale: str, state: FSMContext,
) -> None:
    data = await _data(state)
    if not _complete(data) or data.escalate is None:
        await _keep(state, data)
        await show_screen(query, screens.ask_every())
        return
    if callback_data.v != "y":
        await show_screen(query, _confirm_screen(data, user, checkins, locale))
        return
    assert data.every is not None and data.at is not None and data.zone is not None
    try:
        checkin = await checkins.start(user.id, data.every, data.at, data.zone, escalate=data.escalate, share=tuple(data.share),
                                       workplace=data.workplace)
    except CheckinError:
        await _keep(state, CheckinData())
        await show_screen(query, screens.ask_every())
        return
    await state.set_state(None)
    await state.set_data({})
    await events.record("checkin", user, "on")
    await show_screen(query, with_prefix(screens.started_line(), screens.home(checkin, user, user.language or locale, locale)))


async def ok(query: CallbackQuery, user: User, checkins: CheckinService, cases: CaseService, desk: Desk, events: EventLog, locale: str) -> None:
    """"I'm OK": the open question closes; if a missed check-in had opened a case, its consultants hear it."""
    before, after = await checkins.answered(user.id)
    if before is None or after is None:
        await show_screen(query, screens.intro(desk.available))
        return
    if before.stage != "idle":  # an answer to a question (not a tap on an old one)
        await events.record("checkin", user, "ok")
    told = False
    if before.stage == "raised" and before.case_id is not None:
        case = await cases.get(before.case_id)
        if case is not None and case.open and case.user_id == user.id:
            await desk.tell(case, screens.answered_in_case)
            told = True
    await show_screen(query, screens.answered(after, locale, told=told, was_open=before.stage != "idle"))


async def change(query: CallbackQuery, callback_data: CheckinCb, user: User, checkins: CheckinService, desk: Desk, locale: str) -> None:
    try:
        if callback_data.a == CheckinAction.PAUSE:
            checkin, line = await checkins.pause(user.id), screens.paused_line()
        elif callback_data.a == CheckinAction.RESUME:
            checkin, line = await checkins.resume(user.id), screens.resumed_line()
        else:
            checkin, line = await checkins.set_consent(user.id, False), screens.withdrawn_line()
    except CheckinError:
        await show_screen(query, screens.intro(desk.available))
        return
    await show_screen(query, with_prefix(line, screens.home(checkin, user, user.language or locale, locale)))


async def stop(query: CallbackQuery, callback_data: CheckinCb, user: User, checkins: CheckinService, desk: Desk) -> None:
    if callback_data.v != "y":
        if await checkins.get(user.id) is None:
            await show_screen(query, screens.intro(desk.available))
            return
        await show_screen(query, screens.stop_question())
        return
    await checkins.stop(user.id)
    await show_screen(query, screens.stopped())
