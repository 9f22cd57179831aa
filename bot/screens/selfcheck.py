"""The self-check's screens: the introduction, one question a screen, and the result with what to do."""

from __future__ import annotations

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _

from bot.callbacks import (
    ConsultCb,
    ConsultStep,
    ContactsBy,
    ContactsCb,
    GuideCb,
    GuideKind,
    SelfcheckAction,
    SelfcheckCb,
)
from bot.content import Content
from bot.screens import common, keyboards, words
from bot.screens import guide as guide_screens
from bot.screens.common import Screen
from bot.screens.guide import Where
from bot.services.selfcheck import QUESTIONS, Answer, Level, Result

ANSWER_LABELS = {Answer.YES: "✅", Answer.NO: "❌", Answer.UNSURE: "❔", Answer.SKIP: "⏭"}
DANGER_GROUP = "danger"  # the guide's group on forced-labour signs


def intro() -> Screen:
    text = _(
        "<b>⚠️ Am I at risk? Self-check</b>\n"
        "{count} short questions about your work and life abroad. Answer yes, no or not sure; "
        "you can skip any question.\n"
        "Your answers are not kept. They go to a consultant only if you choose so at the end."
    ).format(count=len(QUESTIONS))
    markup = InlineKeyboardMarkup(inline_keyboard=[
        [common.button(_("▶️ Start"), SelfcheckCb(q=0, a=SelfcheckAction.GO).pack())],
        [keyboards.menu_button()],
    ])
    return Screen(text, markup)


def question(number: int) -> Screen:
    item = QUESTIONS[number]
    text = _("Question {number} of {count}").format(number=number + 1, count=len(QUESTIONS))
    text = f"<i>{text}</i>\n\n<b>{words.QUESTIONS[item.id]}</b>"
    labels = {Answer.YES: _("Yes"), Answer.NO: _("No"), Answer.UNSURE: _("Not sure"), Answer.SKIP: _("Skip")}

    def choice(answer: Answer) -> InlineKeyboardButton:
        return common.button(f"{ANSWER_LABELS[answer]} {labels[answer]}", SelfcheckCb(q=number, a=SelfcheckAction(answer.value)).pack())

    rows = [
        [choice(Answer.YES), choice(Answer.NO)],
        [choice(Answer.UNSURE), choice(Answer.SKIP)],
    ]
    if number > 0:
        rows.append([common.button(_("⬅️ Previous question"), SelfcheckCb(q=number, a=SelfcheckAction.BACK).pack())])
    rows.append([keyboards.menu_button()])
    return Screen(text, InlineKeyboardMarkup(inline_keyboard=rows))


def _advice(result: Result, urgent: str) -> list[str]:
    """The level, the signs found and what to do, in the order that level needs them."""
    signs = "\n".join(f"• {words.INDICATORS[i]}" for i in result.indicators)
    if result.level is Level.EMERGENCY:
        lead = _("🔴 <b>You may be in danger now.</b>")
        steps = _(
            "1. If you can, go to a safe place.\n"
            "2. Call the emergency number above.\n"
            "3. Ask a consultant for help: tap the button below. It is free and confidential."
        )
        return [lead, urgent, steps]
    if result.level is Level.HIGH:
        lead = _(
            "🟠 <b>High risk.</b> What you describe are signs of forced labour recognised by the "
            "International Labour Organization (ILO). It is not your fault, and there is help."
        )
        steps = _(
            "What to do:\n"
            "• Do not give away more documents or money.\n"
            "• Keep photos of your passport, contract and pay records in your phone.\n"
            "• Talk to a consultant: free and confidential."
        )
        return [lead, signs, steps, urgent]
    if result.level is Level.CONCERN:
        lead = _("🟡 <b>Some signs need attention.</b>")
        steps = _(
            "What to do:\n"
            "• Keep your passport with you, and photos of your documents in your phone.\n"
            "• Ask for a written contract and keep records of your pay and hours.\n"
            "• If things get worse, ask a consultant or call a hotline."
        )
        return [lead, signs, steps, urgent] if signs else [lead, steps, urgent]
    lead = _("🟢 <b>Your answers show no clear signs of forced labour.</b>")
    steps = _(
        "Stay safe:\n"
        "• Keep your passport with you and photos of your documents in your phone.\n"
        "• Save the hotline numbers below.\n"
        "• You can take this check again at any time."
    )
    return [lead, steps, urgent]


def result(outcome: Result, content: Content, locale: str, where: Where) -> Screen:
    parts = _advice(outcome, guide_screens.urgent_text(content, locale, where))
    rows = [
        [common.button(keyboards.section_label("consult"), ConsultCb(step=ConsultStep.START, value="screening").pack())],
        [common.button(_("📖 Signs of forced labour"), GuideCb(kind=GuideKind.GROUP, id=DANGER_GROUP).pack())],
        [common.button(keyboards.section_label("contacts"), ContactsCb(by=ContactsBy.HOME).pack())],
        [keyboards.menu_button()],
    ]
    return Screen("\n\n".join(p for p in parts if p), InlineKeyboardMarkup(inline_keyboard=rows))
