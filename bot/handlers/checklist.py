"""The checklist: items to tick, the person's dates (tapped on a calendar or typed), items with a date
of their own (a contract, a patent), monthly payments, and the reminders the bot will send."""

from __future__ import annotations

from datetime import date, datetime
from html import escape

from aiogram import F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from bot.callbacks import CalCb, CheckCb, MenuCb
from bot.content import Content
from bot.handlers.common import private_router, show, stale_button
from bot.models import User
from bot.screens import checklist as cs
from bot.services.checklist import ChecklistError, ChecklistService, Sheet
from bot.services.dates import DateProblem, parse_date, within_range
from bot.states import ChecklistForm, ProfileForm

TRIP_FIELDS = {"dep": "departure", "arr": "arrival"}


def router() -> Router:
    router = private_router("checklist")

    @router.message(Command("checklist"))
    @router.callback_query(MenuCb.filter(F.section == "checklist"))
    @router.callback_query(CheckCb.filter(F.a == "show"))
    async def open_checklist(
        event: Message | CallbackQuery, user: User, checklists: ChecklistService, content: Content, locale: str,
        state: FSMContext, callback_data: CheckCb | MenuCb | None = None,
    ) -> None:
        available = checklists.available(user)
        if user.citizenship is None and (available or user.destination is None):
            # the rules differ by citizenship: ask it once, here (and the destination, if not known)
            await state.set_state(ProfileForm.citizenship)
            await state.update_data(then="checklist")
            screen = cs.ask_profile()
            await show(event, screen.text, screen.markup)
            return
        if not available:
            screen = cs.no_checklist()
            await show(event, screen.text, screen.markup)
            return
        await state.set_state(None)
        phase = callback_data.id if isinstance(callback_data, CheckCb) and callback_data.id in ("before", "after") else None
        await _show_sheet(event, content, locale, await checklists.sheet(user), phase)

    @router.callback_query(CheckCb.filter(F.a.in_({"tap", "tick", "done"})))
    async def tap(query: CallbackQuery, callback_data: CheckCb, user: User, checklists: ChecklistService, content: Content, locale: str, state: FSMContext) -> None:
        sheet = await _sheet_or_stale(query, checklists, user)
        entry = sheet.entry(callback_data.id) if sheet else None
        if sheet is None or entry is None:
            if sheet is not None:
                await stale_button(query)
            return
        repeat = entry.item.deadline is not None and entry.item.deadline.repeat is not None
        if callback_data.a == "tap" and entry.item.own_date and (entry.day is None or repeat):
            if entry.day is None:
                await _open_calendar(query, state, content, locale, checklists, user, sheet, entry.id)
            else:
                screen = cs.item_screen(content, locale, sheet, entry)
                await show(query, screen.text, screen.markup)
            return
        if callback_data.a == "done":
            sheet = await checklists.set_done(user, entry.id)
            await query.answer(_("Marked as done ✅"))
            await _show_sheet(query, content, locale, sheet, entry.item.phase, answer=False)
            return
        sheet = await checklists.toggle(user, entry.id)
        fresh = sheet.entry(entry.id)
        assert fresh is not None
        if callback_data.a == "tick":  # from the item's own screen: stay there
            screen = cs.item_screen(content, locale, sheet, fresh)
            await show(query, screen.text, screen.markup)
            return
        await _show_sheet(query, content, locale, sheet, entry.item.phase)

    @router.callback_query(CheckCb.filter(F.a == "paid?"))
    async def paid_question(query: CallbackQuery, callback_data: CheckCb, user: User, checklists: ChecklistService, content: Content, locale: str) -> None:
        sheet = await _sheet_or_stale(query, checklists, user)
        entry = sheet.entry(callback_data.id) if sheet else None
        if sheet is None or entry is None or entry.day is None:
            if sheet is not None:
                await stale_button(query)
            return
        screen = cs.paid_choice(content, locale, entry, total=False)
        await show(query, screen.text, screen.markup)

    @router.callback_query(CheckCb.filter(F.a.in_({"paid", "paidall"})))
    async def paid(query: CallbackQuery, callback_data: CheckCb, user: User, checklists: ChecklistService, content: Content, locale: str) -> None:
        try:
            sheet = await checklists.set_paid(user, callback_data.id, callback_data.n, more=callback_data.a == "paid")
        except ChecklistError:
            await stale_button(query)
            return
        entry = sheet.entry(callback_data.id)
        assert entry is not None
        await query.answer(_("Saved ✅"))
        screen = cs.item_screen(content, locale, sheet, entry)
        await show(query, screen.text, screen.markup, answer=False)

    @router.callback_query(CheckCb.filter(F.a.in_({"mute", "unmute"})))
    async def mute(query: CallbackQuery, callback_data: CheckCb, user: User, checklists: ChecklistService, content: Content, locale: str) -> None:
        try:
            sheet = await checklists.mute(user, callback_data.id, callback_data.a == "mute")
        except ChecklistError:
            await stale_button(query)
            return
        await query.answer(_("No more reminders for this item.") if callback_data.a == "mute" else _("Reminders are back on for this item."))
        entry = sheet.entry(callback_data.id)
        if callback_data.n == 1 or entry is None or not entry.item.own_date:  # from the reminders list
            _sheet, pending = await checklists.scheduled(user)
            screen = cs.reminders(content, locale, sheet, pending)
        else:
            screen = cs.item_screen(content, locale, sheet, entry)
        await show(query, screen.text, screen.markup, answer=False)

    @router.callback_query(CheckCb.filter(F.a == "dates"))
    async def dates(query: CallbackQuery, user: User, checklists: ChecklistService, content: Content, locale: str) -> None:
        sheet = await _sheet_or_stale(query, checklists, user)
        if sheet is not None:
            screen = cs.dates(content, locale, sheet)
            await show(query, screen.text, screen.markup)

    @router.message(Command("reminders"))
    @router.callback_query(CheckCb.filter(F.a.in_({"rem", "on", "off"})))
    async def reminders(
        event: Message | CallbackQuery, user: User, checklists: ChecklistService, content: Content, locale: str,
        callback_data: CheckCb | None = None,
    ) -> None:
        if not checklists.available(user):
            screen = cs.no_checklist()
            await show(event, screen.text, screen.markup)
            return
        if callback_data is not None and callback_data.a in ("on", "off"):
            await checklists.set_reminders(user, callback_data.a == "on")
        sheet, pending = await checklists.scheduled(user)
        screen = cs.reminders(content, locale, sheet, pending)
        await show(event, screen.text, screen.markup)

    # -- dates --------------------------------------------------------------------------------------
    @router.callback_query(CalCb.filter(F.a == "open"))
    async def calendar_open(query: CallbackQuery, callback_data: CalCb, user: User, checklists: ChecklistService, content: Content, locale: str, state: FSMContext) -> None:
        sheet = await _sheet_or_stale(query, checklists, user)
        if sheet is None:
            return
        if not _known_field(sheet, callback_data.f):
            await stale_button(query)
            return
        await _open_calendar(query, state, content, locale, checklists, user, sheet, callback_data.f)

    @router.callback_query(CalCb.filter(F.a == "m"))
    async def calendar_month(query: CallbackQuery, callback_data: CalCb, user: User, checklists: ChecklistService, content: Content, locale: str, state: FSMContext) -> None:
        sheet = await _sheet_or_stale(query, checklists, user)
        month = _tapped(sheet, callback_data, "%Y%m") if sheet else None
        if sheet is not None and month is None:
            await stale_button(query)
        elif sheet is not None and month is not None:
            await _open_calendar(query, state, content, locale, checklists, user, sheet, callback_data.f, month=month)

    @router.callback_query(CalCb.filter(F.a == "d"))
    async def calendar_day(query: CallbackQuery, callback_data: CalCb, user: User, checklists: ChecklistService, content: Content, locale: str, state: FSMContext) -> None:
        sheet = await _sheet_or_stale(query, checklists, user)
        day = _tapped(sheet, callback_data, "%Y%m%d") if sheet else None
        if sheet is not None and day is None:
            await stale_button(query)
        elif day is not None:
            await _apply(query, state, content, locale, checklists, user, callback_data.f, day)

    @router.callback_query(CalCb.filter(F.a == "x"))
    async def calendar_cancel(query: CallbackQuery, user: User, checklists: ChecklistService, content: Content, locale: str, state: FSMContext) -> None:
        await state.set_state(None)
        sheet = await _sheet_or_stale(query, checklists, user)
        if sheet is not None:
            await _show_sheet(query, content, locale, sheet)

    @router.callback_query(CalCb.filter(F.a == "noop"))
    async def calendar_label(query: CallbackQuery) -> None:
        await query.answer()

    @router.message(StateFilter(ChecklistForm.date), F.text, ~F.text.startswith("/"))
    async def typed_date(message: Message, user: User, checklists: ChecklistService, content: Content, locale: str, state: FSMContext) -> None:
        field = (await state.get_data()).get("field", "")
        if not checklists.available(user):
            await state.set_state(None)
            screen = cs.no_checklist()
            await message.answer(screen.text, reply_markup=screen.markup)
            return
        sheet = await checklists.sheet(user)
        if not _known_field(sheet, field):
            await state.set_state(None)
            await _show_sheet(message, content, locale, sheet)
            return
        parsed = parse_date(message.text or "", sheet.today)
        if parsed.day is None:
            problem = {
                DateProblem.NO_SUCH_DAY: _("There is no such date: {text}. Check the day and the month."),
                DateProblem.TOO_FAR: _("{text} is too far from today. Check the year."),
            }.get(parsed.problem, _("I could not read a date in «{text}». Type it like 12.03.2026, or tap a day."))  # type: ignore[arg-type]
            question = _question(content, locale, sheet, field)
            screen = cs.calendar_screen(question, field, _current(sheet, field) or sheet.today, sheet.today, locale, _current(sheet, field))
            await message.answer(f"❗ {problem.format(text=_quote(message.text or ''))}\n\n{screen.text}", reply_markup=screen.markup)
            return
        await _apply(message, state, content, locale, checklists, user, field, parsed.day)

    return router


# -- helpers ----------------------------------------------------------------------------------------
async def _sheet_or_stale(query: CallbackQuery, checklists: ChecklistService, user: User) -> Sheet | None:
    """The person's sheet; a button of a checklist that no longer exists (destination changed) is stale."""
    if not checklists.available(user):
        await stale_button(query)
        return None
    return await checklists.sheet(user)


async def _show_sheet(event: Message | CallbackQuery, content: Content, locale: str, sheet: Sheet, phase: str | None = None, *, prefix: str = "", answer: bool = True) -> None:
    screen = cs.checklist(content, locale, sheet, phase)
    text = f"{prefix}\n\n{screen.text}" if prefix else screen.text
    await show(event, text, screen.markup, answer=answer)


def _known_field(sheet: Sheet, field: str) -> bool:
    if field in TRIP_FIELDS:
        return True
    entry = sheet.entry(field)
    return entry is not None and entry.item.own_date


def _current(sheet: Sheet, field: str) -> date | None:
    if field == "dep":
        return sheet.trip.departure
    if field == "arr":
        return sheet.trip.arrival
    entry = sheet.entry(field)
    return entry.day if entry else None


def _question(content: Content, locale: str, sheet: Sheet, field: str) -> str:
    if field == "dep":
        return _("🛫 <b>When do you leave home?</b>")
    if field == "arr":
        return _("🛬 <b>When do you arrive?</b> If you are there already: the day you crossed the border.")
    text = content.item_text(locale, field)
    return f"📅 <b>{text.ask}</b>"


def _quote(text: str) -> str:
    text = " ".join(text.split())
    return escape(text if len(text) <= 30 else text[:29] + "…")


def _tapped(sheet: Sheet, callback_data: CalCb, pattern: str) -> date | None:
    """The month or day a calendar button names, if it is a real one for a field of this checklist."""
    try:
        value = datetime.strptime(callback_data.v, pattern).date()
    except ValueError:
        return None
    return value if _known_field(sheet, callback_data.f) and within_range(value, sheet.today) else None


async def _open_calendar(
    query: CallbackQuery, state: FSMContext, content: Content, locale: str, checklists: ChecklistService, user: User,
    sheet: Sheet, field: str, *, month: date | None = None,
) -> None:
    """The calendar for `field`, at `month` (default: the month of the date it has, or of today)."""
    await state.set_state(ChecklistForm.date)
    await state.update_data(field=field)
    current = _current(sheet, field)
    screen = cs.calendar_screen(_question(content, locale, sheet, field), field, month or current or sheet.today, sheet.today, locale, current)
    await show(query, screen.text, screen.markup)


async def _apply(event: Message | CallbackQuery, state: FSMContext, content: Content, locale: str, checklists: ChecklistService, user: User, field: str, day: date) -> None:
    """Save a date; a contradiction (arriving before leaving) is explained and the calendar stays open."""
    try:
        if field in TRIP_FIELDS:
            sheet = await checklists.set_trip_date(user, TRIP_FIELDS[field], day)
        else:
            sheet = await checklists.set_day(user, field, day)
    except ChecklistError as error:
        sheet = await checklists.sheet(user)
        other = sheet.trip.arrival if field == "dep" else sheet.trip.departure
        reasons = {
            "departure_after_arrival": _("You cannot leave after you arrive: your arrival date is {date}."),
            "arrival_before_departure": _("You cannot arrive before you leave: your departure date is {date}."),
        }
        message = reasons.get(error.reason, _("This date cannot be saved."))
        other_text = cs.day_text(other, locale) if other else ""
        screen = cs.calendar_screen(_question(content, locale, sheet, field), field, day, sheet.today, locale, _current(sheet, field))
        await show(event, f"❗ {message.format(date=other_text)}\n\n{screen.text}", screen.markup)
        return
    await state.set_state(None)
    saved = _("Saved: {date}").format(date=cs.day_text(day, locale))
    entry = sheet.entry(field)
    if entry is not None and entry.item.deadline is not None and entry.item.deadline.repeat is not None:
        screen = cs.paid_choice(content, locale, entry, total=True)
        await show(event, f"{saved}\n\n{screen.text}", screen.markup)
        return
    phase = entry.item.phase if entry is not None else None
    await _show_sheet(event, content, locale, sheet, phase, prefix=f"✅ {saved}")
