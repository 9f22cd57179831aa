"""The self-check: one question a screen, yes / no / not sure / skip; then the level and what to do.

Answers stay in the conversation state only until the person decides whether to share them with a
consultant; they are stored with a case only if the person agrees.
"""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from bot.callbacks import MenuCb, Section, SelfcheckAction, SelfcheckCb
from bot.content import Content
from bot.handlers.common import in_order, private_router, show_screen
from bot.models import User
from bot.screens import selfcheck as screens
from bot.screens.guide import Where
from bot.services import selfcheck
from bot.services.events import EventLog
from bot.services.selfcheck import QUESTIONS
from bot.states import Screening


async def start(event: Message | CallbackQuery, state: FSMContext) -> None:
    await state.clear()
    await show_screen(event, screens.intro())


async def first(query: CallbackQuery, state: FSMContext) -> None:
    await state.set_state(Screening.asking)
    await state.set_data(selfcheck.Progress.start().to_dict())
    await show_screen(query, screens.question(0))


async def answer(
    query: CallbackQuery, callback_data: SelfcheckCb, state: FSMContext, content: Content, locale: str, user: User,
    events: EventLog,
) -> None:
    progress = selfcheck.Progress.from_dict(await state.get_data())
    if not await in_order(query, state, Screening.asking, progress.next, callback_data.q, len(QUESTIONS)):
        return
    if callback_data.a == SelfcheckAction.BACK:
        back = progress.back(callback_data.q)
        await state.update_data(back.to_dict())
        await show_screen(query, screens.question(back.next or 0))
        return
    step = selfcheck.answer(progress, callback_data.q, callback_data.a.value)
    if isinstance(step, selfcheck.Progress):
        await state.update_data(step.to_dict())
        await show_screen(query, screens.question(callback_data.q + 1))
        return
    await state.set_state(Screening.result)
    await state.set_data(step.to_dict())
    await show_screen(query, screens.result(step.result, content, locale, Where.of(user)))
    await events.record("screening", user, step.result.level.value)


def router() -> Router:
    router = private_router("selfcheck")
    router.message.register(start, Command("check"))
    router.callback_query.register(start, MenuCb.filter(F.section == Section.RISK))
    router.callback_query.register(first, SelfcheckCb.filter(F.a == SelfcheckAction.GO))
    router.callback_query.register(answer, SelfcheckCb.filter(F.a != SelfcheckAction.GO))
    return router
