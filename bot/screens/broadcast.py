"""Broadcast screens: the announcement form's prompts, the audience to choose (several languages and
countries, with the count) and when it goes, and the admin's progress message with its Cancel button."""

from __future__ import annotations

import math
from datetime import datetime
from zoneinfo import ZoneInfo

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import lazy_gettext as __

from bot.callbacks import BcAction, BcCb
from bot.i18n import LANGUAGE_NAMES
from bot.models import Broadcast
from bot.screens import keyboards
from bot.screens.common import Screen, button
from bot.services.broadcast import CHOICES, FILTERS, MAX_TEXT, RATE, Draft, SendAtError


def begin() -> str:
    return _(
        "<b>📣 New announcement</b>\nSend its text. It goes out exactly as you write it (bold, links). "
        "Then you choose who gets it. /cancel to stop."
    )


def too_long(length: int) -> str:
    return _("The text is too long: {length} characters, at most {limit}. Please shorten it.").format(
        length=length, limit=MAX_TEXT)


def nothing_sent() -> Screen:
    return Screen(_("Nothing was sent."), keyboards.back_to_menu())


def stopped(done: bool) -> str:
    return _("Cancelled.") if done else _("This broadcast is no longer running.")


ICONS = {"lang": "🌐", "cit": "🪪", "dst": "✈️"}


def _name(kind: str, code: str) -> str:
    return LANGUAGE_NAMES[code] if kind == "lang" else keyboards.country_name(code)


def _chosen(draft: Draft, kind: str) -> str:
    names = {"lang": _("🌐 Language: {value}"), "cit": _("🪪 Citizenship: {value}"), "dst": _("✈️ Destination: {value}")}
    codes = draft.chosen(kind)
    return names[kind].format(value=", ".join(_name(kind, c) for c in codes) if codes else _("everyone"))


def when(moment: datetime | None, zone: ZoneInfo) -> str:
    """A sending time as the admins read it: their clock, and its zone's city."""
    if moment is None:
        return _("now")
    local = moment.astimezone(zone)
    return _("{day} at {time} ({zone} time)").format(
        day=local.strftime("%d.%m.%Y"), time=local.strftime("%H:%M"), zone=_city(zone))


CITIES = {  # the region's time zones, named in the admin's language; another zone: its city in English
    "Asia/Tashkent": __("Tashkent"), "Asia/Bishkek": __("Bishkek"),
    "Asia/Dushanbe": __("Dushanbe"), "Asia/Almaty": __("Almaty"), "Europe/Moscow": __("Moscow"),
}


def _city(zone: ZoneInfo) -> str:
    """A time zone as people name it: its city (Asia/Tashkent: Tashkent)."""
    return str(CITIES.get(zone.key) or zone.key.rsplit("/", 1)[-1].replace("_", " "))


def audience_screen(draft: Draft, count: int, zone: ZoneInfo) -> Screen:
    """Whom the draft reaches (`count` people now) and when: a button per language and country (several
    can be chosen; none is everyone), the time buttons, Send (or Schedule), Cancel."""
    lines = [
        _("<b>Who gets it?</b> Tap to choose; several of each at once, none is everyone. "
          "The preview above is exactly what people will see."),
        *(_chosen(draft, kind) for kind in FILTERS),
        _("⏰ When: {when}").format(when=when(draft.at(), zone)),
        _("Recipients now: {count}").format(count=count),
    ]
    rows: list[list[InlineKeyboardButton]] = []
    for kind in FILTERS:
        toggles = [button(("✅ " if code in draft.chosen(kind) else f"{ICONS[kind]} ") + _name(kind, code),
                          BcCb(a=BcAction(kind), v=code).pack()) for code in CHOICES[kind]]
        rows += [toggles[i:i + 2] for i in range(0, len(toggles), 2)]
    rows.append([button(("✅ " if draft.at() is None else "") + _("Now"), BcCb(a=BcAction.WHEN, v="now").pack()),
                 button(_("In an hour"), BcCb(a=BcAction.WHEN, v="1h").pack()),
                 button(_("Tomorrow 09:00"), BcCb(a=BcAction.WHEN, v="9am").pack())])
    rows.append([button(_("⌨️ Type a time"), BcCb(a=BcAction.WHEN, v="type").pack())])
    if count:
        go = _("✅ Send to {count} people") if draft.at() is None else _("⏰ Schedule for {count} people")
        rows.append([button(go.format(count=count), BcCb(a=BcAction.GO).pack())])
    rows.append([button(_("❌ Cancel"), BcCb(a=BcAction.DROP).pack())])
    return Screen("\n".join(lines), InlineKeyboardMarkup(inline_keyboard=rows))


def ask_time(zone: ZoneInfo) -> str:
    return _("Type when to send it, in {zone} time: <code>18:30</code>, <code>03.12 18:30</code> or "
             "<code>03.12.2026 18:30</code>. Up to 30 days ahead.").format(zone=_city(zone))


SEND_AT_REASONS = {
    "not_understood": __("I did not understand the time."),
    "past": __("That time has passed."),
    "too_far": __("That is more than 30 days ahead."),
}


def time_refused(error: SendAtError, zone: ZoneInfo) -> str:
    return f"{SEND_AT_REASONS[error.reason]}\n{ask_time(zone)}"


def progress_screen(broadcast: Broadcast, counts: dict[str, int], now: datetime, zone: ZoneInfo) -> Screen:
    """How far the broadcast is; a scheduled or running one has a Cancel button, a finished one none."""
    sent, blocked = counts.get("sent", 0), counts.get("blocked", 0)
    failed = counts.get("failed", 0) + counts.get("unknown", 0)
    waiting = counts.get("pending", 0) + counts.get("claimed", 0) + counts.get("sending", 0)
    figures = _("Sent: {sent} of {total} · not delivered: {failed} · blocked the bot: {blocked}").format(
        sent=sent, total=broadcast.total, failed=failed, blocked=blocked)
    if broadcast.status == "done":
        return Screen(_("✅ <b>Broadcast No. {number} finished.</b>").format(number=broadcast.id) + "\n" + figures)
    if broadcast.status == "cancelled":
        return Screen(_("⏹ <b>Broadcast No. {number} cancelled.</b>").format(number=broadcast.id) + "\n" + figures)
    minutes = max(1, math.ceil(waiting / RATE / 60))
    if broadcast.status == "scheduled":
        text = _("⏰ <b>Broadcast No. {number}</b> goes to {total} people on {when}.").format(
            number=broadcast.id, total=broadcast.total, when=when(broadcast.not_before, zone))
    else:
        text = "\n".join([
            _("📣 <b>Broadcast No. {number}</b> is being sent.").format(number=broadcast.id),
            figures,
            _("About {minutes} min left.").format(minutes=minutes),
        ])
    markup = InlineKeyboardMarkup(inline_keyboard=[[
        button(_("⏹ Cancel the broadcast"), BcCb(a=BcAction.STOP, v=str(broadcast.id)).pack())
    ]])
    return Screen(text, markup)
