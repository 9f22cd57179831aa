"""Safety check-ins: the question the bot asks, the answer to "I'm OK", the setting up step by step, and
what consultants read about a missed check-in. Pure: data in, text and buttons out, in the current locale.

The question is worded so that it says nothing to someone else looking at the phone."""

from __future__ import annotations

from datetime import datetime
from html import escape
from zoneinfo import ZoneInfo

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import lazy_gettext as __

from bot.callbacks import CheckinAction, CheckinCb, MenuCb, Section
from bot.content import format_day
from bot.models import Checkin, User
from bot.screens import keyboards
from bot.screens.common import Screen, button, flagged
from bot.screens.desk import LANGUAGE_IN  # "the consultant will write in ...": the words of the case's facts
from bot.services.checkins import EVERY, zone_of
from bot.states import CheckinData

TIMES = ("08:00", "10:00", "12:00", "18:00", "20:00", "22:00")
EVERY_NAMES = {1: __("every day"), 3: __("every 3 days"), 7: __("every week")}


def _cb(action: CheckinAction, value: str = "") -> str:
    return CheckinCb(a=action, v=value).pack()


def _menu_row() -> list[InlineKeyboardButton]:
    return [keyboards.menu_button(), keyboards.hide_button()]


def offset(zone: ZoneInfo, now: datetime) -> str:
    """'UTC+3', 'UTC+5:30'."""
    delta = now.astimezone(zone).utcoffset()
    minutes = int(delta.total_seconds() // 60) if delta is not None else 0
    sign = "+" if minutes >= 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


def when(moment: datetime, zone_name: str, locale: str) -> str:
    """A moment as the person's clock shows it: '4 December, 18:00 (UTC+3)'."""
    zone = zone_of(zone_name)
    local = moment.astimezone(zone)
    return f"{format_day(local.date(), locale, with_year=False)}, {local:%H:%M} ({offset(zone, moment)})"


# -- the question, and the answer to it ---------------------------------------------------------------
def question(*, again: bool) -> Screen:
    text = _("🛡 Check-in. Is everything all right? Tap the button.") if not again else _(
        "🛡 Check-in, second time. Is everything all right? Tap the button.")
    return Screen(text, InlineKeyboardMarkup(inline_keyboard=[
        [button(_("✅ I'm OK"), _cb(CheckinAction.OK))],
        [button(_("🆘 I need help"), MenuCb(section=Section.CONSULT).pack())],
        _menu_row(),
    ]))


def answered(checkin: Checkin, locale: str, *, told: bool, was_open: bool) -> Screen:
    lines = [_("✅ Thank you. Glad you are OK.") if was_open else _("✅ Noted: you are OK.")]
    if told:
        lines.append(_("The consultants were told that you answered."))
    if checkin.active:
        lines.append(_("Next check-in: {when}.").format(when=when(checkin.next_at, checkin.zone, locale)))
    return Screen("\n".join(lines), InlineKeyboardMarkup(inline_keyboard=[
        [button(_("⚙️ My check-ins"), _cb(CheckinAction.HOME))], _menu_row()]))


# -- the person's check-ins -----------------------------------------------------------------------------
def intro(desk: bool) -> Screen:
    lines = [
        _("🛡 <b>Check on me</b>"),
        _("The bot will ask you at a time you choose: every day, every 3 days or every week. One tap answers \"I'm OK\"."),
        _("If you do not answer, the bot asks once more."),
    ]
    if desk:
        lines.append(_("If you do not answer again, and only if you agree, a consultant is told and tries to reach you."))
    lines.append(_("You can pause or stop at any time."))
    return Screen("\n\n".join(lines), InlineKeyboardMarkup(inline_keyboard=[
        [button(_("▶️ Set up check-ins"), _cb(CheckinAction.SETUP))], _menu_row()]))


def shared_lines(user: User, language: str, share: tuple[str, ...] | list[str], workplace: str | None) -> list[str]:
    """Exactly what a case opened by missed check-ins shows the consultants about the person."""
    lines = [_("• your language: {language}").format(language=LANGUAGE_IN.get(language, language))]
    if "place" in share and user.place:
        lines.append(_("• the country where you are: {country}").format(country=flagged(user.place)))
    if "citizenship" in share and user.citizenship:
        lines.append(_("• your citizenship: {country}").format(country=flagged(user.citizenship)))
    if "workplace" in share and workplace:
        lines.append(_("• where you work: «{place}»").format(place=escape(workplace)))
    return lines


def home(checkin: Checkin, user: User, language: str, locale: str) -> Screen:
    lines = [_("🛡 <b>Check on me</b>"), _("Check-ins: {every}, at {time} ({offset}).").format(
        every=EVERY_NAMES[checkin.every_days], time=checkin.at, offset=offset(zone_of(checkin.zone), checkin.next_at))]
    if checkin.active:
        lines.append(_("Next check-in: {when}.").format(when=when(checkin.next_at, checkin.zone, locale)))
    else:
        lines.append(_("⏸ Paused: the bot does not ask now."))
    if checkin.escalate:
        lines.append(_("If you miss two check-ins in a row, a consultant is told and sees:"))
        lines += shared_lines(user, language, checkin.share, checkin.workplace)
    else:
        lines.append(_("If you miss check-ins, nobody is told: the bot only asks."))
    rows = [[button(_("⏸ Pause"), _cb(CheckinAction.PAUSE)) if checkin.active else button(_("▶️ Resume"), _cb(CheckinAction.RESUME))],
            [button(_("✏️ Change"), _cb(CheckinAction.SETUP))]]
    if checkin.escalate:
        rows.append([button(_("🚫 Do not tell consultants"), _cb(CheckinAction.WITHDRAW))])
    rows += [[button(_("🛑 Stop check-ins"), _cb(CheckinAction.STOP))], _menu_row()]
    return Screen("\n".join(lines), InlineKeyboardMarkup(inline_keyboard=rows))


def stop_question() -> Screen:
    return Screen(_("Stop check-ins? Your setting is deleted, and the bot will not ask any more."), InlineKeyboardMarkup(inline_keyboard=[
        [button(_("🛑 Yes, stop"), _cb(CheckinAction.STOP, "y"))], [button(_("⬅️ Back"), _cb(CheckinAction.HOME))]]))


def stopped() -> Screen:
    return Screen(_("🛑 Check-ins stopped. Your setting is deleted."), InlineKeyboardMarkup(inline_keyboard=[
        [button(_("▶️ Set up check-ins"), _cb(CheckinAction.SETUP))], _menu_row()]))


def paused_line() -> str:
    return _("⏸ Check-ins paused.")


def resumed_line() -> str:
    return _("▶️ Check-ins resumed.")


def withdrawn_line() -> str:
    return _("🚫 Done: if you miss check-ins, nobody is told.")


# -- setting up, step by step ------------------------------------------------------------------------------
def ask_every() -> Screen:
    rows = [[button(str(EVERY_NAMES[days]).capitalize(), _cb(CheckinAction.EVERY, str(days)))] for days in EVERY]
    return Screen(_("🛡 How often should the bot check on you?"), InlineKeyboardMarkup(inline_keyboard=[*rows, _menu_row()]))


def ask_time() -> Screen:
    pairs = [TIMES[i:i + 3] for i in range(0, len(TIMES), 3)]
    rows = [[button(at, _cb(CheckinAction.AT, at.replace(":", ""))) for at in pair] for pair in pairs]  # ":" parts callback data
    return Screen(_("🕒 At what time? Choose, or type it, like 19:30."), InlineKeyboardMarkup(inline_keyboard=[*rows, _menu_row()]))


def bad_time() -> str:
    return _("⚠️ I did not understand the time. Type it like 19:30, or choose a button.")


def ask_zone(zones: tuple[str, ...], now: datetime) -> Screen:
    """The person's time zone, told by the time their clock shows now."""
    rows = []
    for name in zones:
        zone = ZoneInfo(name)
        rows.append([button(f"{now.astimezone(zone):%H:%M} · {offset(zone, now)}", _cb(CheckinAction.ZONE, name))])
    return Screen(_("🕒 What time is it where you are now?"), InlineKeyboardMarkup(inline_keyboard=[*rows, _menu_row()]))


def ask_consent() -> Screen:
    return Screen(_(
        "If you miss two check-ins in a row, may the bot tell a consultant, so that they try to reach you?\n\n"
        "They will see only what you choose on the next screen."
    ), InlineKeyboardMarkup(inline_keyboard=[
        [button(_("✅ Yes, tell a consultant"), _cb(CheckinAction.CONSENT, "y"))],
        [button(_("❌ No, only ask me"), _cb(CheckinAction.CONSENT, "n"))],
        _menu_row(),
    ]))


def ask_share(data: CheckinData, user: User, language: str) -> Screen:
    lines = [_("What may the consultant see? Tap to add or remove."), "", _("They will see:"),
             *shared_lines(user, language, data.share, data.workplace)]
    rows = []
    if user.place:
        rows.append(_toggle(_("Country where I am: {country}").format(country=keyboards.country_name(user.place)), "place", data))
    if user.citizenship:
        rows.append(_toggle(_("My citizenship: {country}").format(country=keyboards.country_name(user.citizenship)), "citizenship", data))
    rows.append(_toggle(_("Where I work (I will type it)"), "workplace", data))
    rows += [[button(_("➡️ Next"), _cb(CheckinAction.CONFIRM))], _menu_row()]
    return Screen("\n".join(lines), InlineKeyboardMarkup(inline_keyboard=rows))


def _toggle(label: str, share: str, data: CheckinData) -> list[InlineKeyboardButton]:
    mark = "☑️" if share in data.share else "⬜"
    return [button(f"{mark} {label}", _cb(CheckinAction.SHARE, share))]


def ask_workplace() -> Screen:
    return Screen(_("🏗 Type where you work: city, company, address or site. Up to 200 characters."),
                  InlineKeyboardMarkup(inline_keyboard=[[button(_("⬅️ Back"), _cb(CheckinAction.CONSENT, "y"))]]))


def confirm(data: CheckinData, user: User, language: str, first: datetime, locale: str) -> Screen:
    assert data.every is not None and data.at is not None and data.zone is not None
    lines = [_("🛡 <b>Check-ins: {every}, at {time}.</b>").format(every=EVERY_NAMES[data.every], time=data.at),
             _("First check-in: {when}.").format(when=when(first, data.zone, locale))]
    if data.escalate:
        lines += ["", _("If you miss two in a row, a consultant is told and sees:"), *shared_lines(user, language, data.share, data.workplace)]
    else:
        lines += ["", _("If you miss check-ins, nobody is told: the bot only asks.")]
    return Screen("\n".join(lines), InlineKeyboardMarkup(inline_keyboard=[
        [button(_("✅ Start check-ins"), _cb(CheckinAction.CONFIRM, "y"))],
        [button(_("✏️ Change"), _cb(CheckinAction.SETUP))],
        _menu_row(),
    ]))


def started_line() -> str:
    return _("✅ Check-ins are on.")


# -- for the consultants ------------------------------------------------------------------------------------
def missed_in_open_case(number: int) -> str:
    return _("🛡 Case No. {number}: the person has not answered two check-ins in a row.").format(number=number)


def answered_in_case(number: int) -> str:
    return _("🛡 Case No. {number}: the person has answered the check-in: \"I'm OK\".").format(number=number)
