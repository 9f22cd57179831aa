"""The self-check: one question a screen, yes / no / not sure / skip; then the level and what to do.

Answers stay in the conversation state only until the person decides whether to share them with a
consultant; they are stored with a case only if the person agrees.
"""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _

from bot.callbacks import ContactsCb, EscCb, GuideCb, MenuCb, ScreenCb
from bot.content import Content
from bot.handlers.common import in_order, private_router, show
from bot.models import User
from bot.screens import common, keyboards
from bot.screens import guide as screens
from bot.screens import words as texts
from bot.services.events import EventLog
from bot.services.selfcheck import QUESTIONS, Answer, Level, Result, score

ANSWER_LABELS = {Answer.YES: "✅", Answer.NO: "❌", Answer.UNSURE: "❔", Answer.SKIP: "⏭"}
DANGER_GROUP = "danger"  # the guide's group on forced-labour signs


class Screening(StatesGroup):
    asking = State()
    result = State()  # data: level, indicators, answers (until the person decides about a consultant)


def intro() -> tuple[str, InlineKeyboardMarkup]:
    text = _(
        "<b>⚠️ Am I at risk? Self-check</b>\n"
        "{count} short questions about your work and life abroad. Answer yes, no or not sure; "
        "you can skip any question.\n"
        "Your answers are not kept. They go to a consultant only if you choose so at the end."
    ).format(count=len(QUESTIONS))
    markup = InlineKeyboardMarkup(inline_keyboard=[
        [common.button(_("▶️ Start"), ScreenCb(q=0, a="go").pack())],
        [keyboards.menu_button()],
    ])
    return text, markup


def question(number: int) -> tuple[str, InlineKeyboardMarkup]:
    item = QUESTIONS[number]
    text = _("Question {number} of {count}").format(number=number + 1, count=len(QUESTIONS))
    text = f"<i>{text}</i>\n\n<b>{texts.QUESTIONS[item.id]}</b>"
    labels = {Answer.YES: _("Yes"), Answer.NO: _("No"), Answer.UNSURE: _("Not sure"), Answer.SKIP: _("Skip")}
    rows = [
        [common.button(f"{ANSWER_LABELS[a]} {labels[a]}", ScreenCb(q=number, a=a.value).pack()) for a in (Answer.YES, Answer.NO)],
        [common.button(f"{ANSWER_LABELS[a]} {labels[a]}", ScreenCb(q=number, a=a.value).pack()) for a in (Answer.UNSURE, Answer.SKIP)],
        [keyboards.menu_button()],
    ]
    return text, InlineKeyboardMarkup(inline_keyboard=rows)


def result_screen(result: Result, content: Content, locale: str, destination: str | None) -> tuple[str, InlineKeyboardMarkup]:
    signs = "\n".join(f"• {texts.INDICATORS[i]}" for i in result.indicators)
    urgent = screens.urgent_text(content, locale, destination)
    if result.level is Level.EMERGENCY:
        lead = _("🔴 <b>You may be in danger now.</b>")
        steps = _(
            "1. If you can, go to a safe place.\n"
            "2. Call the emergency number above.\n"
            "3. Ask a consultant for help: tap the button below. It is free and confidential."
        )
        parts = [lead, urgent, steps]
    elif result.level is Level.HIGH:
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
        parts = [lead, signs, steps, urgent]
    elif result.level is Level.CONCERN:
        lead = _("🟡 <b>Some signs need attention.</b>")
        steps = _(
            "What to do:\n"
            "• Keep your passport with you, and photos of your documents in your phone.\n"
            "• Ask for a written contract and keep records of your pay and hours.\n"
            "• If things get worse, ask a consultant or call a hotline."
        )
        parts = [lead, signs, steps, urgent] if signs else [lead, steps, urgent]
    else:
        lead = _("🟢 <b>Your answers show no clear signs of forced labour.</b>")
        steps = _(
            "Stay safe:\n"
            "• Keep your passport with you and photos of your documents in your phone.\n"
            "• Save the hotline numbers below.\n"
            "• You can take this check again at any time."
        )
        parts = [lead, steps, urgent]
    rows = [
        [common.button(keyboards.section_label("consult"), EscCb(step="start", value="screening").pack())],
        [common.button(_("📖 Signs of forced labour"), GuideCb(kind="grp", id=DANGER_GROUP).pack())],
        [common.button(keyboards.section_label("contacts"), ContactsCb(by="home").pack())],
        [keyboards.menu_button()],
    ]
    return "\n\n".join(p for p in parts if p), InlineKeyboardMarkup(inline_keyboard=rows)


def router() -> Router:
    router = private_router("screening")

    @router.message(Command("check"))
    @router.callback_query(MenuCb.filter(F.section == "risk"))
    async def start(event: Message | CallbackQuery, state: FSMContext) -> None:
        await state.clear()
        await show(event, *intro())

    @router.callback_query(ScreenCb.filter(F.a == "go"))
    async def first(query: CallbackQuery, state: FSMContext) -> None:
        await state.set_state(Screening.asking)
        await state.set_data({"scr": {}, "next": 0})
        await show(query, *question(0))

    @router.callback_query(ScreenCb.filter(F.a.in_([a.value for a in Answer])))
    async def answer(
        query: CallbackQuery, callback_data: ScreenCb, state: FSMContext, content: Content, locale: str, user: User,
        events: EventLog,
    ) -> None:
        data = await state.get_data()
        if not await in_order(query, state, Screening.asking, data.get("next"), callback_data.q, len(QUESTIONS)):
            return
        answers = dict(data.get("scr") or {})
        answers[QUESTIONS[callback_data.q].id] = callback_data.a
        following = callback_data.q + 1
        if following < len(QUESTIONS):
            await state.update_data(scr=answers, next=following)
            await show(query, *question(following))
            return
        result = score(answers)
        await state.set_state(Screening.result)
        await state.set_data({"level": result.level.value, "indicators": list(result.indicators), "answers": answers})
        await show(query, *result_screen(result, content, locale, user.destination))
        await events.record("screening", user, result.level.value)

    return router
