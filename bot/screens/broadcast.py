"""Broadcast screens: the announcement form's prompts, the audience to choose (with the count), and
the admin's progress message with its Cancel button."""

from __future__ import annotations

import math

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _

from bot.callbacks import BcAction, BcCb
from bot.i18n import LANGUAGE_NAMES
from bot.models import Broadcast
from bot.screens import keyboards
from bot.screens.common import Screen, button
from bot.services.broadcast import FILTERS, MAX_TEXT, RATE, Draft, next_choice


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


def _label(kind: str, value: str) -> str:
    if not value:
        shown = _("everyone")
    elif kind == "lang":
        shown = LANGUAGE_NAMES[value]
    else:
        shown = keyboards.country_name(value)
    names = {"lang": _("🌐 Language: {value}"), "cit": _("🪪 Citizenship: {value}"), "dst": _("✈️ Destination: {value}")}
    return names[kind].format(value=shown)


def audience_screen(draft: Draft, count: int) -> Screen:
    """Whom the draft reaches (`count` people now): a button per filter, cycling its choices; Send; Cancel."""
    text = _(
        "<b>Who gets it?</b> Tap to change. The preview above is exactly what people will see.\n"
        "Recipients now: {count}"
    ).format(count=count)
    rows = [[button(_label(k, draft.choice(k)), BcCb(a=BcAction(k), v=next_choice(k, draft.choice(k))).pack())]
            for k in FILTERS]
    if count:
        rows.append([button(_("✅ Send to {count} people").format(count=count), BcCb(a=BcAction.GO).pack())])
    rows.append([button(_("❌ Cancel"), BcCb(a=BcAction.DROP).pack())])
    return Screen(text, InlineKeyboardMarkup(inline_keyboard=rows))


def progress_screen(broadcast: Broadcast, counts: dict[str, int]) -> Screen:
    """How far the broadcast is; a running one has a Cancel button, a finished one no buttons."""
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
    text = "\n".join([
        _("📣 <b>Broadcast No. {number}</b> is being sent.").format(number=broadcast.id),
        figures,
        _("About {minutes} min left.").format(minutes=minutes),
    ])
    markup = InlineKeyboardMarkup(inline_keyboard=[[
        button(_("⏹ Cancel the broadcast"), BcCb(a=BcAction.STOP, v=str(broadcast.id)).pack())
    ]])
    return Screen(text, markup)
