"""Checklist screens: the list with ticks and dates, the dates, the calendar, the reminders, and the
reminder messages themselves. Rendered in the current locale from the person's `Sheet`."""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from html import escape

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext
from babel.dates import format_date, get_day_names

from bot.callbacks import (
    CalCb,
    CalendarAction,
    ChecklistAction,
    ChecklistCb,
    GuideCb,
    GuideKind,
    MenuCb,
    Section,
)
from bot.content import Content, Fact, format_day
from bot.models import Reminder
from bot.screens import keyboards
from bot.screens.common import Screen, button, flagged, nav, with_prefix, with_sources
from bot.services.checklist import Entry, Sheet
from bot.services.dates import DateProblem

PAID_CHOICES = (1, 2, 3, 6)
SHOWN_DATES = 4  # a monthly payment has a year of reminders: the next few are enough


def day_text(day: date, locale: str, today: date | None = None) -> str:
    """`18 March` this year, `18 March 2027` otherwise, in the person's language."""
    return format_day(day, locale, with_year=today is None or day.year != today.year)


def short_day(day: date) -> str:
    return day.strftime("%d.%m")


def when(deadline: date, today: date) -> str:
    days = (deadline - today).days
    if days == 0:
        return _("today")
    if days == 1:
        return _("tomorrow")
    if days > 0:
        return ngettext("in {n} day", "in {n} days", days).format(n=days)
    return _("overdue")


def _title(content: Content, locale: str, entry: Entry | str) -> str:
    item_id = entry if isinstance(entry, str) else entry.id
    return escape(content.item_text(locale, item_id).title)


def _why(content: Content, locale: str, entry: Entry) -> tuple[str, list[Fact]]:
    """The item's reason, and every fact it rests on: those in its text, its deadline's and its sources."""
    rendered = content.fill(locale, content.item_text(locale, entry.id).why)
    return rendered.text, [*rendered.facts, *content.item_facts(entry.item)]


def _late(content: Content, locale: str, entry: Entry) -> tuple[str, list[Fact]]:
    """What to do now that the deadline has passed: the item's own advice, or the general line."""
    own = content.item_text(locale, entry.id).late
    if own:
        rendered = content.fill(locale, own)
        return rendered.text, list(rendered.facts)
    return _("The deadline has passed. Do it as soon as you can and keep the proof. "
             "A consultant can tell you what the delay means for you: /consult"), []


def _status(entry: Entry, locale: str, today: date) -> str:
    if entry.missed:
        assert entry.deadline is not None
        return _("⚠️ payment due {date} is not marked as paid").format(date=day_text(entry.deadline, locale, today))
    if entry.deadline is not None:
        due = day_text(entry.deadline, locale, today)
        if entry.deadline < today and not entry.done:
            return _("⚠️ deadline was {date}").format(date=due)
        return _("by {date} ({when})").format(date=due, when=when(entry.deadline, today)) if not entry.done else _("by {date}").format(date=due)
    if entry.ended is not None:
        return _("the patent ends {date}").format(date=day_text(entry.ended, locale, today))
    if entry.needs == "arrival":
        return _("date: set your arrival day")
    if entry.needs == "departure":
        return _("date: set your departure day")
    if entry.needs == "own":
        return _("tap to give the date")
    return ""


def _mark(entry: Entry) -> str:
    if entry.done:
        return "✅"
    if entry.needs == "own":
        return "📅"
    return "⬜"


def _button_label(content: Content, locale: str, entry: Entry) -> str:
    label = f"{_mark(entry)} {content.item_text(locale, entry.id).title}"
    if entry.deadline is not None and not entry.done:
        label += f" · {short_day(entry.deadline)}"
    return label


def _phase_name(phase: str) -> str:
    return _("Before departure") if phase == "before" else _("After arrival")


def _progress(entries: list[Entry]) -> str:
    return f"{sum(e.done for e in entries)}/{len(entries)}"


def checklist(content: Content, locale: str, sheet: Sheet, phase: str | None = None) -> Screen:
    phase = phase or sheet.current_phase
    entries = sheet.phase(phase)
    today = sheet.today
    lines = [_("✅ <b>Checklist: {country}</b>").format(country=flagged(sheet.country))]
    if sheet.citizenship in ("KG", "TJ", "UZ"):
        lines.append(_("For citizens of {country}").format(country=keyboards.country_name(sheet.citizenship)))
    lines.append(_dates_line(locale, sheet))
    lines.append("")
    lines.append(f"<b>{_phase_name(phase)} · {_progress(entries)}</b>")
    for entry in entries:  # the why of each is one tap away: the list fits a phone screen
        status = _status(entry, locale, today)
        lines.append(f"{_mark(entry)} <b>{_title(content, locale, entry)}</b>" + (f" — {status}" if status else ""))
    lines.append("")
    lines.append(_("Tap an item to see why it matters and to tick it off. Deadlines are counted from your dates."))
    rows = [[button(_button_label(content, locale, e), ChecklistCb(a=ChecklistAction.TAP, id=e.id).pack())] for e in entries]
    other = "after" if phase == "before" else "before"
    other_entries = sheet.phase(other)
    if other_entries:
        arrow = "➡️" if other == "after" else "⬅️"
        rows.append([button(f"{arrow} {_phase_name(other)} · {_progress(other_entries)}", ChecklistCb(a=ChecklistAction.SHOW, id=other).pack())])
    if sheet.trip.arrival is None:
        rows.append([button(_("🛬 Set my arrival date"), CalCb(f="arr", a=CalendarAction.OPEN).pack())])
    rows.append([button(_("📅 My dates"), ChecklistCb(a=ChecklistAction.DATES).pack()),
                 button(_("⏰ Reminders"), ChecklistCb(a=ChecklistAction.REMINDERS).pack())])
    if sheet.country in content.guide.countries:
        rows.append([button(_("📖 Rules: {country}").format(country=keyboards.country_name(sheet.country)),
                            GuideCb(kind=GuideKind.COUNTRY, id=sheet.country).pack())])
    rows.append(nav(None))
    return Screen("\n".join(lines), InlineKeyboardMarkup(inline_keyboard=rows))


def _dates_line(locale: str, sheet: Sheet) -> str:
    unset = _("not set")
    departure = day_text(sheet.trip.departure, locale) if sheet.trip.departure else unset
    arrival = day_text(sheet.trip.arrival, locale) if sheet.trip.arrival else unset
    return _("🛫 Departure: {departure}\n🛬 Arrival: {arrival}").format(departure=departure, arrival=arrival)


def no_checklist() -> Screen:
    text = _(
        "<b>Checklist</b>\nChecklists are ready for Russia, Kazakhstan, Turkey, the UAE and South Korea. "
        "Choose your destination and citizenship first."
    )
    rows = [[button(keyboards.section_label("profile"), MenuCb(section=Section.PROFILE).pack())], nav(None)]
    return Screen(text, InlineKeyboardMarkup(inline_keyboard=rows))


def ask_profile() -> Screen:
    text = _("<b>Checklist</b>\nDeadlines depend on your citizenship. Which country are you a citizen of?")
    return Screen(text, keyboards.citizenship_choices())


def dates(content: Content, locale: str, sheet: Sheet) -> Screen:
    lines = [_("📅 <b>My dates: {country}</b>").format(country=flagged(sheet.country)), _dates_line(locale, sheet)]
    rows = [
        [button(_("🛫 Departure date"), CalCb(f="dep", a=CalendarAction.OPEN).pack())],
        [button(_("🛬 Arrival date"), CalCb(f="arr", a=CalendarAction.OPEN).pack())],
    ]
    for entry in sheet.entries:
        if not entry.item.own_date:
            continue
        value = day_text(entry.day, locale) if entry.day else _("not set")
        lines.append(f"📅 {_title(content, locale, entry)}: {value}")
        rows.append([button(f"📅 {content.item_text(locale, entry.id).title}", CalCb(f=entry.id, a=CalendarAction.OPEN).pack())])
    lines.append("")
    lines.append(_("Deadlines are counted from these dates. Tap one to change it."))
    rows.append([button(_("⬅️ Checklist"), ChecklistCb(a=ChecklistAction.SHOW).pack())])
    return Screen("\n".join(lines), InlineKeyboardMarkup(inline_keyboard=rows))


def date_question(content: Content, locale: str, field: str) -> str:
    if field == "dep":
        return _("🛫 <b>When do you leave home?</b>")
    if field == "arr":
        return _("🛬 <b>When do you arrive?</b> If you are there already: the day you crossed the border.")
    text = content.item_text(locale, field)
    return f"📅 <b>{text.ask}</b>"


def calendar_for(content: Content, locale: str, sheet: Sheet, field: str, month: date | None = None) -> Screen:
    """The calendar for `field`, at `month` (default: the month of the date it has, or of today)."""
    current = sheet.day_of(field)
    return calendar_screen(date_question(content, locale, field), field, month or current or sheet.today, sheet.today, locale, current)


def _quote(text: str) -> str:
    text = " ".join(text.split())
    return escape(text if len(text) <= 30 else text[:29] + "…")


def date_unreadable(content: Content, locale: str, sheet: Sheet, field: str, typed: str, problem: DateProblem | None) -> Screen:
    """A typed text that is no usable date: what is wrong with it, and the calendar again."""
    message = {
        DateProblem.NO_SUCH_DAY: _("There is no such date: {text}. Check the day and the month."),
        DateProblem.TOO_FAR: _("{text} is too far from today. Check the year."),
    }.get(problem, _("I could not read a date in «{text}». Type it like 12.03.2026, or tap a day."))  # type: ignore[arg-type]
    return with_prefix(f"❗ {message.format(text=_quote(typed))}", calendar_for(content, locale, sheet, field))


def date_refused(content: Content, locale: str, sheet: Sheet, field: str, day: date, reason: str) -> Screen:
    """A date that contradicts the other one (arriving before leaving): why, and the calendar at that day."""
    other = sheet.trip.arrival if field == "dep" else sheet.trip.departure
    reasons = {
        "departure_after_arrival": _("You cannot leave after you arrive: your arrival date is {date}."),
        "arrival_before_departure": _("You cannot arrive before you leave: your departure date is {date}."),
    }
    message = reasons.get(reason, _("This date cannot be saved."))
    other_text = day_text(other, locale) if other else ""
    return with_prefix(f"❗ {message.format(date=other_text)}", calendar_for(content, locale, sheet, field, day))


def date_saved(content: Content, locale: str, sheet: Sheet, field: str, day: date) -> Screen:
    """After a date is saved: a monthly payment asks how many months are paid; otherwise the checklist."""
    saved = _("Saved: {date}").format(date=day_text(day, locale))
    entry = sheet.entry(field)
    if entry is not None and entry.repeats:
        return with_prefix(saved, paid_choice(content, locale, entry, total=True))
    phase = entry.item.phase if entry is not None else None
    return with_prefix(f"✅ {saved}", checklist(content, locale, sheet, phase))


def calendar_screen(question: str, field: str, month: date, today: date, locale: str, chosen: date | None = None) -> Screen:
    """A month of days to tap; typing the date works as well."""
    hint = _("Tap a day, or type the date, for example 12.03.2026 or «today».")
    text = f"{question}\n\n{hint}"
    if chosen is not None:
        text += "\n" + _("Now: {date}").format(date=day_text(chosen, locale))
    return Screen(text, calendar_markup(field, month, today, locale, chosen))


def calendar_markup(field: str, month: date, today: date, locale: str, chosen: date | None = None) -> InlineKeyboardMarkup:
    first = month.replace(day=1)
    previous = (first - timedelta(days=1)).replace(day=1)
    following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    noop = CalCb(f=field, a=CalendarAction.NOOP).pack()
    rows = [[
        button("◀️", CalCb(f=field, a=CalendarAction.MONTH, v=previous.strftime("%Y%m")).pack()),
        button(format_date(first, "LLLL y", locale=locale), noop),
        button("▶️", CalCb(f=field, a=CalendarAction.MONTH, v=following.strftime("%Y%m")).pack()),
    ]]
    names = get_day_names("narrow", context="stand-alone", locale=locale)
    rows.append([button(names[weekday], noop) for weekday in range(7)])  # Monday first
    for week in calendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month):
        row = []
        for day in week:
            if day.month != first.month:
                row.append(button(" ", noop))
                continue
            label = str(day.day)
            if day == chosen:
                label = f"[{label}]"
            elif day == today:
                label = f"•{label}"
            row.append(button(label, CalCb(f=field, a=CalendarAction.DAY, v=day.strftime("%Y%m%d")).pack()))
        rows.append(row)
    rows.append([button(_("Today"), CalCb(f=field, a=CalendarAction.DAY, v=today.strftime("%Y%m%d")).pack()),
                 button(_("Cancel"), CalCb(f=field, a=CalendarAction.CANCEL).pack())])
    return InlineKeyboardMarkup(inline_keyboard=rows)


def item_screen(content: Content, locale: str, sheet: Sheet, entry: Entry) -> Screen:
    """An item: why it matters, its date and deadline, what to do if it is late, and what can be done."""
    why, facts = _why(content, locale, entry)
    lines = [f"{_mark(entry)} <b>{_title(content, locale, entry)}</b>", why, ""]
    if entry.day is not None:
        lines.append(_("Date: {date}").format(date=day_text(entry.day, locale)))
    repeat = entry.repeats
    if repeat and entry.day is not None:
        lines.append(ngettext("Paid: {n} month", "Paid: {n} months", entry.paid).format(n=entry.paid))
        if entry.missed:
            lines.append(_status(entry, locale, sheet.today))
        elif entry.deadline is not None:
            lines.append(_("Next payment: by {date} ({when})").format(
                date=day_text(entry.deadline, locale, sheet.today), when=when(entry.deadline, sheet.today)))
    elif entry.deadline is not None:
        lines.append(_("Deadline: {date} ({when})").format(
            date=day_text(entry.deadline, locale, sheet.today), when=when(entry.deadline, sheet.today)))
    elif entry.needs in ("arrival", "departure"):
        lines.append(_status(entry, locale, sheet.today))
    if entry.ended is not None:
        lines.append(_("The patent ends {date}: it cannot be extended past that day.").format(
            date=day_text(entry.ended, locale, sheet.today)))
    if entry.late:
        advice, used = _late(content, locale, entry)
        lines += ["", f"⚠️ {advice}"]
        facts = [*facts, *used]
    if entry.muted:
        lines.append(_("🔕 No reminders for this item."))
    rows: list[list[InlineKeyboardButton]] = []
    if repeat and entry.deadline is not None:
        rows.append([button(_("✅ I paid"), ChecklistCb(a=ChecklistAction.PAID_ASK, id=entry.id).pack())])
        if entry.missed:  # paid but never told the bot: say how many months in all
            rows.append([button(_("🧾 I paid for more months"), ChecklistCb(a=ChecklistAction.PAID_ASK, id=entry.id, n=1).pack())])
    elif not repeat:
        done_label = _("↩️ Not done yet") if entry.done else _("✅ Done")
        rows.append([button(done_label, ChecklistCb(a=ChecklistAction.TICK, id=entry.id).pack())])
    if entry.item.own_date:
        rows.append([button(_("📅 Change the date") if entry.day else _("📅 Give the date"), CalCb(f=entry.id, a=CalendarAction.OPEN).pack())])
    if entry.deadline is not None:
        mute = _("🔔 Remind me again") if entry.muted else _("🔕 No reminders for this")
        rows.append([button(mute, ChecklistCb(a=ChecklistAction.UNMUTE if entry.muted else ChecklistAction.MUTE, id=entry.id).pack())])
    rows.append([button(_("⬅️ Checklist"), ChecklistCb(a=ChecklistAction.SHOW, id=entry.item.phase).pack())])
    return Screen(with_sources("\n".join(lines), facts, locale), InlineKeyboardMarkup(inline_keyboard=rows))


def paid_choice(content: Content, locale: str, entry: Entry, *, total: bool) -> Screen:
    """How many months: in all since the patent was issued (`total`), or paid just now."""
    title = _title(content, locale, entry)
    choices: range | tuple[int, ...]
    if total:
        question = _("How many months have you paid for in all since the day it was issued?")
        choices = range(1, 13)
        action = ChecklistAction.PAID_ALL
    else:
        question = _("For how many months did you pay now?")
        choices = PAID_CHOICES
        action = ChecklistAction.PAID
    buttons = [button(str(n), ChecklistCb(a=action, id=entry.id, n=n).pack()) for n in choices]
    rows = [buttons[i:i + 4] for i in range(0, len(buttons), 4)]
    rows.append([button(_("⬅️ Checklist"), ChecklistCb(a=ChecklistAction.SHOW, id=entry.item.phase).pack())])
    return Screen(f"<b>{title}</b>\n{question}", InlineKeyboardMarkup(inline_keyboard=rows))


def reminders(content: Content, locale: str, sheet: Sheet, pending: list[Reminder]) -> Screen:
    lines = [_("⏰ <b>Reminders</b>")]
    rows: list[list[InlineKeyboardButton]] = []
    if not sheet.trip.reminders:
        lines.append(_("Reminders are off. Your checklist and dates are kept."))
        rows.append([button(_("🔔 Turn reminders on"), ChecklistCb(a=ChecklistAction.ON).pack())])
    elif not pending:
        lines.append(_("Nothing is scheduled. Reminders come when an item has a deadline: set your dates."))
    else:
        at = content.checklists.remind_at.strftime("%H:%M")
        lines.append(_("The bot writes at {time} your time, never at night. Scheduled:").format(time=at))
        by_item: dict[str, list[Reminder]] = {}
        for reminder in pending:
            by_item.setdefault(reminder.item, []).append(reminder)
        for item_id, items in by_item.items():
            if item_id not in content.items:
                continue
            days = ", ".join(
                day_text(r.deadline - timedelta(days=r.days_before), locale, sheet.today) for r in items[:SHOWN_DATES]
            ) + (" …" if len(items) > SHOWN_DATES else "")
            lines.append(f"• <b>{_title(content, locale, item_id)}</b>: {days}")
            rows.append([button(_("🔕 Cancel: {item}").format(item=content.item_text(locale, item_id).title),
                                ChecklistCb(a=ChecklistAction.MUTE, id=item_id, n=1).pack())])
        rows.append([button(_("🔕 Cancel all reminders"), ChecklistCb(a=ChecklistAction.OFF).pack())])
    muted = [e for e in sheet.entries if e.muted and not e.done]
    for entry in muted:
        rows.append([button(_("🔔 Again: {item}").format(item=content.item_text(locale, entry.id).title),
                            ChecklistCb(a=ChecklistAction.UNMUTE, id=entry.id, n=1).pack())])
    rows.append([button(_("⬅️ Checklist"), ChecklistCb(a=ChecklistAction.SHOW).pack())])
    rows.append(nav(None))
    return Screen("\n".join(lines), InlineKeyboardMarkup(inline_keyboard=rows))


def reminder_message(content: Content, locale: str, sheet: Sheet, entries: list[Entry]) -> Screen:
    """What a reminder says: each item, its deadline and why; a late one says what to do now."""
    today = sheet.today
    lines = [_("⏰ <b>Reminder</b>")]
    facts: list[Fact] = []
    rows: list[list[InlineKeyboardButton]] = []
    for entry in entries:
        assert entry.deadline is not None
        due = day_text(entry.deadline, locale, today)
        if entry.deadline < today:
            lines.append(_("⚠️ <b>{item}</b>: the deadline was {date}.").format(item=_title(content, locale, entry), date=due))
            advice, used = _late(content, locale, entry)
            lines.append(advice)
            facts.extend(used)
        else:
            lines.append(_("<b>{item}</b>: by {date}, {when}.").format(
                item=_title(content, locale, entry), date=due, when=when(entry.deadline, today)))
        why, used = _why(content, locale, entry)
        lines.append(why)
        facts.extend(used)
        label = _("✅ I paid") if entry.repeats else _("✅ Done: {item}").format(item=content.item_text(locale, entry.id).title)
        action = ChecklistAction.PAID_ASK if entry.repeats else ChecklistAction.DONE
        rows.append([button(label, ChecklistCb(a=action, id=entry.id).pack())])
        lines.append("")
    rows.append([button(_("📋 My checklist"), ChecklistCb(a=ChecklistAction.SHOW).pack()),
                 button(_("🔕 Stop these"), ChecklistCb(a=ChecklistAction.REMINDERS).pack())])
    return Screen(with_sources("\n".join(lines).strip(), facts, locale), InlineKeyboardMarkup(inline_keyboard=rows))


def which_date(content: Content, locale: str, sheet: Sheet, day: date) -> Screen:
    """A date typed outside the calendar: for which of the checklist's dates? (not a search)"""
    value = day.strftime("%Y%m%d")
    rows = [[button(_("🛫 Departure date"), CalCb(f="dep", a=CalendarAction.TYPED, v=value).pack())],
            [button(_("🛬 Arrival date"), CalCb(f="arr", a=CalendarAction.TYPED, v=value).pack())]]
    rows += [[button(f"📅 {content.item_text(locale, e.id).title}", CalCb(f=e.id, a=CalendarAction.TYPED, v=value).pack())]
             for e in sheet.entries if e.item.own_date]
    rows.append(nav(None))
    text = _("📅 {date}: which date of your checklist is it? If it is not one, type your question in words.").format(
        date=day_text(day, locale))
    return Screen(text, InlineKeyboardMarkup(inline_keyboard=rows))


# -- short answers to a tap (shown for a moment at the top of the chat) ---------------------------------
def calendar_closed() -> str:
    return _("This calendar is closed: the date was already given. Open it again from the checklist to change it.")


def marked_done() -> str:
    return _("Marked as done ✅")


def saved() -> str:
    return _("Saved ✅")


def reminders_toggled(muted: bool) -> str:
    return _("No more reminders for this item.") if muted else _("Reminders are back on for this item.")
