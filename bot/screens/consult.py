"""The person's screens when asking for a consultant: the consent, the questions before a case is
opened, the case opened, the conversation ended. Pure: data in, text (and buttons) out, in the
current locale.
"""

from __future__ import annotations

from datetime import datetime

from aiogram.types import InlineKeyboardButton
from aiogram.utils.i18n import gettext as _

from bot.callbacks import ConsultCb, ConsultStep
from bot.content import Content, format_day
from bot.i18n import LANGUAGE_NAMES
from bot.models import Case
from bot.screens import guide, keyboards
from bot.screens.common import Screen, button, column
from bot.screens.desk import LANGUAGE_IN
from bot.screens.guide import Where


def _button(label: str, step: ConsultStep, value: str = "") -> InlineKeyboardButton:
    return button(label, ConsultCb(step=step, value=value).pack())


# -- before the consent ---------------------------------------------------------------------
def unavailable(content: Content, locale: str, where: Where) -> Screen:
    """No consultants' group is configured: the hotlines instead."""
    text = _("Consultants are not connected to this bot yet. Please call a hotline:")
    return Screen(f"{text}\n\n{guide.urgent_text(content, locale, where)}", keyboards.back_to_menu())


def already_open(number: int) -> Screen:
    return Screen(_(
        "Your request No. {number} is open. Write here: the consultant reads everything you send. "
        "To stop the conversation, send /end."
    ).format(number=number), keyboards.back_to_menu())


# -- the consent and the questions ----------------------------------------------------------
def consent_screen(has_answers: bool, ngo: str) -> Screen:
    who = ngo or _("our partner organisation")
    lines = [
        _("<b>💬 Talk to a consultant</b>"),
        _("A consultant of {who} will write to you here, in this chat. It is free and confidential.").format(who=who),
        "",
        _("<b>What the consultant will see:</b>"),
        _("• the reason you ask, your country and destination, your language;"),
    ]
    if has_answers:
        lines.append(_("• your self-check answers, only if you agree on the next screen;"))
    lines += [
        _("• what you write here from now on, including photos and files."),
        _("They will <b>not</b> see your phone number or your Telegram account."),
        "",
        _("You can stop at any time with /end, and delete your data with /forget."),
    ]
    buttons = [_button(_("✅ I agree, connect me"), ConsultStep.AGREE), _button(_("❌ No, thanks"), ConsultStep.CANCEL)]
    return Screen("\n".join(lines), column(buttons))


def cancelled() -> Screen:
    return Screen(_("Nothing was shared. You can ask for a consultant at any time from the menu."), keyboards.back_to_menu())


def share_screen() -> Screen:
    text = _("Share your self-check answers with the consultant? It saves you telling it again.")
    buttons = [
        _button(_("Yes, share them"), ConsultStep.SHARE, "y"),
        _button(_("No, keep them private"), ConsultStep.SHARE, "n"),
    ]
    return Screen(text, column(buttons))


def describe_screen() -> Screen:
    text = _(
        "In a few words, what happened? This helps the consultant. "
        "Do not send passwords or card numbers.\n\nOr tap \"Skip\"."
    )
    return Screen(text, column([_button(_("⏭ Skip"), ConsultStep.SKIP)]))


def describe_in_words() -> Screen:
    """The person sent a photo or a file where a description was asked for."""
    text = _("Please describe it in words, or tap \"Skip\". You can send photos and files to the consultant after this.")
    return Screen(text, describe_screen().markup)


def language_screen(current: str, order: list[str]) -> Screen:
    text = _("In which language should the consultant write to you?")
    buttons = [_button(("✅ " if code == current else "") + LANGUAGE_NAMES[code], ConsultStep.LANG, code) for code in order]
    return Screen(text, column(buttons))


def not_sent_yet(screen: Screen) -> Screen:
    """Words typed where a button was asked, while asking for a consultant: kept, and the question again."""
    note = _("Your request is not sent yet. What you wrote is added to it. Please tap a button below.")
    return Screen(f"{note}\n\n{screen.text}", screen.markup)


def username_screen(username: str) -> Screen:
    text = _("May the consultant see your Telegram name @{username}? Then they can also write to you directly.").format(username=username)
    buttons = [
        _button(_("No, only through the bot"), ConsultStep.USER, "n"),
        _button(_("Yes, show it"), ConsultStep.USER, "y"),
    ]
    return Screen(text, column(buttons))


# -- the case ---------------------------------------------------------------------------------
def opened_text(case: Case, content: Content, language: str, where: Where, opens: datetime | None, minutes: int) -> str:
    """What a person is told when their case is opened: its number, when to expect a consultant
    (`opens`: when the team is next at work, None when it is at work now; `minutes`: the usual wait),
    and that what they send now goes to the consultant."""
    parts = [_("✅ <b>Request No. {number} is sent.</b>").format(number=case.id)]
    if opens is not None:
        parts.append(_(
            "Consultants are not at work now. They will answer from {day}, {time} ({zone} time). "
            "If you need help now, call:"
        ).format(day=format_day(opens.date(), language), time=f"{opens:%H:%M}", zone=opens.tzname()))
        parts.append(guide.urgent_text(content, language, where))
    else:
        parts.append(_("A consultant will write to you here, in {language}. It usually takes less than {minutes} minutes.").format(
            language=LANGUAGE_IN[language], minutes=minutes))
        if case.level in ("emergency", "high") or case.kind == "danger":
            parts.append(guide.urgent_text(content, language, where))
    parts.append(_("Everything you send here now goes to the consultant: text, photos, voice, files, location. To stop, send /end."))
    return "\n\n".join(parts)


def still_open(number: int) -> Screen:
    """A second request while one is open (e.g. opened from another screen meanwhile)."""
    return Screen(
        _("Your request No. {number} is open. Write here: the consultant reads everything you send.").format(number=number),
        keyboards.back_to_menu(),
    )


def received_text(number: int) -> str:
    """The first message sent before a consultant took the case."""
    return _("Received. The consultant will see it as soon as they take your request No. {number}.").format(number=number)


# -- /end ---------------------------------------------------------------------------------------
def no_conversation() -> Screen:
    return Screen(_("You have no open conversation with a consultant."), keyboards.main_menu())


def conversation_ended(number: int) -> Screen:
    return Screen(
        _("The conversation for request No. {number} has ended. Thank you. If you need help again, open the menu.").format(number=number),
        keyboards.main_menu(),
    )
