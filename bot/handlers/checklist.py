"""The checklist: items to tick, the person's dates (tapped on a calendar or typed), items with a date
of their own (a contract, a patent), monthly payments, and the reminders the bot will send."""

from __future__ import annotations

from datetime import date, datetime

from aiogram import F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from bot.callbacks import CalCb, CalendarAction, ChecklistAction, ChecklistCb, MenuCb, Section
from bot.content import Content
from bot.handlers.common import private_router, show_screen, stale_button
from bot.models import User
from bot.screens import checklist as screens
from bot.screens.common import Screen
from bot.services.checklist import ChecklistError, ChecklistService, Entry, Sheet
from bot.services.dates import parse_date, within_range
from bot.states import ChecklistForm, DateForm, ProfileData, ProfileForm


def router() -> Router:
    router = private_router("checklist")
    router.callback_query.register(open_checklist, ChecklistCb.filter(F.a == ChecklistAction.SHOW))
    router.callback_query.register(open_checklist, MenuCb.filter(F.section == Section.CHECKLIST))
    router.message.register(open_checklist, Command("checklist"))
    router.callback_query.register(tap, ChecklistCb.filter(F.a.in_({ChecklistAction.TAP, ChecklistAction.TICK, ChecklistAction.DONE})))
    router.callback_query.register(paid_question, ChecklistCb.filter(F.a == ChecklistAction.PAID_ASK))
    router.callback_query.register(paid, ChecklistCb.filter(F.a.in_({ChecklistAction.PAID, ChecklistAction.PAID_ALL})))
    router.callback_query.register(mute, ChecklistCb.filter(F.a.in_({ChecklistAction.MUTE, ChecklistAction.UNMUTE})))
    router.callback_query.register(dates, ChecklistCb.filter(F.a == ChecklistAction.DATES))
    router.callback_query.register(reminders, ChecklistCb.filter(F.a.in_({ChecklistAction.REMINDERS, ChecklistAction.ON, ChecklistAction.OFF})))
    router.message.register(reminders, Command("reminders"))
    router.callback_query.register(calendar_open, CalCb.filter(F.a == CalendarAction.OPEN))
    router.callback_query.register(calendar_month, CalCb.filter(F.a == CalendarAction.MONTH))
    router.callback_query.register(calendar_day, CalCb.filter(F.a.in_({CalendarAction.DAY, CalendarAction.TYPED})))
    router.callback_query.register(calendar_cancel, CalCb.filter(F.a == CalendarAction.CANCEL))
    router.callback_query.register(calendar_label, CalCb.filter(F.a == CalendarAction.NOOP))
    router.message.register(typed_date, StateFilter(ChecklistForm.date), F.text, ~F.text.startswith("/"))
    return router


# -- the list -------------------------------------------------------------------------------------
async def open_checklist(
    event: Message | CallbackQuery, user: User, checklists: ChecklistService, content: Content, locale: str,
    state: FSMContext, callback_data: ChecklistCb | MenuCb | None = None,
) -> None:
    available = checklists.available(user)
    if user.citizenship is None and (available or user.destination is None):
        # the rules differ by citizenship: ask it once, here (and the destination, if not known)
        await state.set_state(ProfileForm.citizenship)
        await state.update_data(ProfileData(then="checklist").to_dict())
        await show_screen(event, screens.ask_profile())
        return
    if not available:
        await show_screen(event, screens.no_checklist())
        return
    await state.set_state(None)
    phase = callback_data.id if isinstance(callback_data, ChecklistCb) and callback_data.id in ("before", "after") else None
    await show_screen(event, screens.checklist(content, locale, await checklists.sheet(user), phase))


async def tap(
    query: CallbackQuery, callback_data: ChecklistCb, user: User, checklists: ChecklistService, content: Content,
    locale: str, state: FSMContext,
) -> None:
    """An item tapped in the list (tap: its own screen), ticked there (tick) or in a reminder (done)."""
    sheet, entry = await _entry_or_stale(query, checklists, user, callback_data.id)
    if sheet is None or entry is None:
        return
    if callback_data.a == ChecklistAction.TAP:  # the item's own screen: why it matters, and what can be done
        if entry.item.own_date and entry.day is None:
            await _open_calendar(query, state, screens.calendar_for(content, locale, sheet, entry.id), entry.id)
        else:
            await show_screen(query, screens.item_screen(content, locale, sheet, entry))
        return
    if callback_data.a == ChecklistAction.DONE:
        sheet = await checklists.set_done(user, entry.id)
        await query.answer(screens.marked_done())
        await show_screen(query, screens.checklist(content, locale, sheet, entry.item.phase), answer=False)
        return
    sheet = await checklists.toggle(user, entry.id)
    fresh = sheet.entry(entry.id)
    assert fresh is not None
    if callback_data.a == ChecklistAction.TICK:  # from the item's own screen: stay there
        await show_screen(query, screens.item_screen(content, locale, sheet, fresh))
        return
    await show_screen(query, screens.checklist(content, locale, sheet, entry.item.phase))


async def paid_question(
    query: CallbackQuery, callback_data: ChecklistCb, user: User, checklists: ChecklistService, content: Content, locale: str,
) -> None:
    sheet, entry = await _entry_or_stale(query, checklists, user, callback_data.id, dated=True)
    if sheet is not None and entry is not None:
        await show_screen(query, screens.paid_choice(content, locale, entry, total=callback_data.n == 1))


async def paid(
    query: CallbackQuery, callback_data: ChecklistCb, user: User, checklists: ChecklistService, content: Content, locale: str,
) -> None:
    try:
        sheet = await checklists.set_paid(user, callback_data.id, callback_data.n, more=callback_data.a == ChecklistAction.PAID)
    except ChecklistError:
        await stale_button(query)
        return
    entry = sheet.entry(callback_data.id)
    assert entry is not None
    await query.answer(screens.saved())
    await show_screen(query, screens.item_screen(content, locale, sheet, entry), answer=False)


async def mute(
    query: CallbackQuery, callback_data: ChecklistCb, user: User, checklists: ChecklistService, content: Content, locale: str,
) -> None:
    muted = callback_data.a == ChecklistAction.MUTE
    try:
        sheet = await checklists.mute(user, callback_data.id, muted)
    except ChecklistError:
        await stale_button(query)
        return
    await query.answer(screens.reminders_toggled(muted))
    entry = sheet.entry(callback_data.id)
    if callback_data.n == 1 or entry is None:  # from the reminders list
        _sheet, pending = await checklists.scheduled(user)
        screen = screens.reminders(content, locale, sheet, pending)
    else:
        screen = screens.item_screen(content, locale, sheet, entry)
    await show_screen(query, screen, answer=False)


async def dates(query: CallbackQuery, user: User, checklists: ChecklistService, content: Content, locale: str) -> None:
    sheet = await _sheet_or_stale(query, checklists, user)
    if sheet is not None:
        await show_screen(query, screens.dates(content, locale, sheet))


async def reminders(
    event: Message | CallbackQuery, user: User, checklists: ChecklistService, content: Content, locale: str,
    callback_data: ChecklistCb | None = None,
) -> None:
    if not checklists.available(user):
        await show_screen(event, screens.no_checklist())
        return
    if callback_data is not None and callback_data.a in (ChecklistAction.ON, ChecklistAction.OFF):
        await checklists.set_reminders(user, callback_data.a == ChecklistAction.ON)
    sheet, pending = await checklists.scheduled(user)
    await show_screen(event, screens.reminders(content, locale, sheet, pending))


# -- dates ----------------------------------------------------------------------------------------
async def calendar_open(
    query: CallbackQuery, callback_data: CalCb, user: User, checklists: ChecklistService, content: Content,
    locale: str, state: FSMContext,
) -> None:
    sheet = await _sheet_or_stale(query, checklists, user)
    if sheet is None:
        return
    if not sheet.knows(callback_data.f):
        await stale_button(query)
        return
    await _open_calendar(query, state, screens.calendar_for(content, locale, sheet, callback_data.f), callback_data.f)


async def calendar_month(
    query: CallbackQuery, callback_data: CalCb, user: User, checklists: ChecklistService, content: Content,
    locale: str, state: FSMContext,
) -> None:
    sheet = await _sheet_or_stale(query, checklists, user)
    month = _tapped(sheet, callback_data, "%Y%m") if sheet else None
    if sheet is not None and month is None:
        await stale_button(query)
    elif sheet is not None and month is not None:
        screen = screens.calendar_for(content, locale, sheet, callback_data.f, month)
        await _open_calendar(query, state, screen, callback_data.f)


async def calendar_day(
    query: CallbackQuery, callback_data: CalCb, user: User, checklists: ChecklistService, content: Content,
    locale: str, state: FSMContext,
) -> None:
    """A day tapped in the calendar that is open now; a day of a calendar already answered (the date was
    typed, or chosen) changes nothing: it would set a date the person no longer means."""
    sheet = await _sheet_or_stale(query, checklists, user)
    day = _tapped(sheet, callback_data, "%Y%m%d") if sheet else None
    if sheet is not None and day is None:
        await stale_button(query)
    elif sheet is not None and day is not None:
        asked = await state.get_state() == ChecklistForm.date.state
        if callback_data.a == CalendarAction.DAY and not (asked and DateForm.from_dict(await state.get_data()).field == callback_data.f):
            await query.answer(screens.calendar_closed(), show_alert=True)
            await show_screen(query, screens.checklist(content, locale, sheet), answer=False)
            return
        await _save_date(query, state, content, locale, checklists, user, callback_data.f, day)


async def calendar_cancel(
    query: CallbackQuery, user: User, checklists: ChecklistService, content: Content, locale: str, state: FSMContext,
) -> None:
    await state.set_state(None)
    sheet = await _sheet_or_stale(query, checklists, user)
    if sheet is not None:
        await show_screen(query, screens.checklist(content, locale, sheet))


async def calendar_label(query: CallbackQuery) -> None:
    await query.answer()


async def typed_date(
    message: Message, user: User, checklists: ChecklistService, content: Content, locale: str, state: FSMContext,
) -> None:
    field = DateForm.from_dict(await state.get_data()).field
    if not checklists.available(user):
        await state.set_state(None)
        await show_screen(message, screens.no_checklist())
        return
    sheet = await checklists.sheet(user)
    if not sheet.knows(field):
        await state.set_state(None)
        await show_screen(message, screens.checklist(content, locale, sheet))
        return
    parsed = parse_date(message.text or "", sheet.today)
    if parsed.day is None:
        await show_screen(message, screens.date_unreadable(content, locale, sheet, field, message.text or "", parsed.problem))
        return
    await _save_date(message, state, content, locale, checklists, user, field, parsed.day)


# -- helpers --------------------------------------------------------------------------------------
async def _sheet_or_stale(query: CallbackQuery, checklists: ChecklistService, user: User) -> Sheet | None:
    """The person's sheet; a button of a checklist that no longer exists (destination changed) is stale."""
    if not checklists.available(user):
        await stale_button(query)
        return None
    return await checklists.sheet(user)


async def _entry_or_stale(
    query: CallbackQuery, checklists: ChecklistService, user: User, item_id: str, *, dated: bool = False,
) -> tuple[Sheet | None, Entry | None]:
    """The sheet and the item a button names; a button for an item not (or no longer) there is stale,
    and so is one that needs the item's date (`dated`) when it has none."""
    sheet = await _sheet_or_stale(query, checklists, user)
    if sheet is None:
        return None, None
    entry = sheet.entry(item_id)
    if entry is None or (dated and entry.day is None):
        await stale_button(query)
        return sheet, None
    return sheet, entry


def _tapped(sheet: Sheet, callback_data: CalCb, pattern: str) -> date | None:
    """The month or day a calendar button names, if it is a real one for a field of this checklist."""
    try:
        value = datetime.strptime(callback_data.v, pattern).date()
    except ValueError:
        return None
    return value if sheet.knows(callback_data.f) and within_range(value, sheet.today) else None


async def _open_calendar(query: CallbackQuery, state: FSMContext, screen: Screen, field: str) -> None:
    """Show a calendar for `field`: a date typed from now on is for it."""
    await state.set_state(ChecklistForm.date)
    await state.update_data(**DateForm(field).to_dict())
    await show_screen(query, screen)


async def _save_date(
    event: Message | CallbackQuery, state: FSMContext, content: Content, locale: str, checklists: ChecklistService,
    user: User, field: str, day: date,
) -> None:
    """Save a date; a contradiction (arriving before leaving) is explained and the calendar stays open."""
    try:
        sheet = await checklists.set_date(user, field, day)
    except ChecklistError as error:
        sheet = await checklists.sheet(user)
        await show_screen(event, screens.date_refused(content, locale, sheet, field, day, error.reason))
        return
    await state.set_state(None)
    await show_screen(event, screens.date_saved(content, locale, sheet, field, day))
