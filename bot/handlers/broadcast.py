"""Admins write an announcement, see it exactly as people will, choose who gets it (language,
citizenship, destination, with the count), send it, watch its progress and can cancel it."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.dispatcher.event.bases import SkipHandler
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from bot.callbacks import BcAction, BcCb
from bot.handlers.common import is_admin, private_router, show_screen, stale_button
from bot.screens import broadcast as screens
from bot.screens.common import Screen
from bot.services.broadcast import FILTERS, MAX_TEXT, Draft
from bot.states import BroadcastForm
from bot.telegram.broadcast import Broadcasts


async def _audience(draft: Draft, broadcasts: Broadcasts) -> Screen:
    return screens.audience_screen(draft, await broadcasts.audience(*draft.audience()))


async def leaving(event: Message | CallbackQuery, state: FSMContext) -> None:
    """Another button or command ends the unsent announcement (nothing is sent without "Send")."""
    await state.clear()
    raise SkipHandler()


async def begin(message: Message, state: FSMContext) -> None:
    await state.set_state(BroadcastForm.text)
    await state.set_data({})
    await message.answer(screens.begin())


async def cancelled(message: Message, state: FSMContext) -> None:
    await state.clear()
    await show_screen(message, screens.nothing_sent())


async def written(message: Message, state: FSMContext, broadcasts: Broadcasts) -> None:
    text = message.html_text
    if len(text) > MAX_TEXT:
        await message.answer(screens.too_long(len(text)))
        return
    draft = Draft(text=text)
    await state.set_state(BroadcastForm.audience)
    await state.set_data(draft.to_dict())
    await message.answer(text)  # the preview: exactly what people get
    await show_screen(message, await _audience(draft, broadcasts))


async def choose(query: CallbackQuery, callback_data: BcCb, state: FSMContext, broadcasts: Broadcasts) -> None:
    try:
        draft = Draft.from_dict(await state.get_data()).with_choice(callback_data.a.value, callback_data.v)
    except ValueError:
        await stale_button(query)
        return
    await state.set_data(draft.to_dict())
    await show_screen(query, await _audience(draft, broadcasts))


async def drop(query: CallbackQuery, state: FSMContext) -> None:
    await state.clear()
    await show_screen(query, screens.nothing_sent())


async def go(query: CallbackQuery, state: FSMContext, broadcasts: Broadcasts) -> None:
    draft = Draft.from_dict(await state.get_data())
    await state.clear()
    if not draft.text.strip():  # the form lost its text (data from an older or broken state): send nothing
        await stale_button(query)
        return
    broadcast = await broadcasts.create(query.from_user.id, draft.text, *draft.audience())
    screen = screens.progress_screen(broadcast, {"pending": broadcast.total})
    await query.answer()
    assert isinstance(query.message, Message)
    await query.message.edit_text(screen.text, reply_markup=screen.markup)
    await broadcasts.attach_progress(broadcast.id, query.message.chat.id, query.message.message_id)


async def stop(query: CallbackQuery, callback_data: BcCb, broadcasts: Broadcasts) -> None:
    stopped = await broadcasts.cancel(int(callback_data.v)) if callback_data.v.isdigit() else None
    await query.answer(screens.stopped(stopped is not None))


def router() -> Router:
    router = private_router("broadcast")
    router.callback_query.register(leaving, StateFilter(BroadcastForm), ~F.data.startswith("bc:"))
    router.message.register(leaving, StateFilter(BroadcastForm), F.text.startswith("/"), ~F.text.startswith(("/broadcast", "/cancel")))
    router.message.register(begin, Command("broadcast"), is_admin)
    router.message.register(cancelled, Command("cancel"), BroadcastForm.text)
    router.message.register(cancelled, Command("cancel"), BroadcastForm.audience)
    router.message.register(written, BroadcastForm.text, F.text, ~F.text.startswith("/"), is_admin)
    router.callback_query.register(choose, BcCb.filter(F.a.in_(FILTERS)), BroadcastForm.audience, is_admin)
    router.callback_query.register(drop, BcCb.filter(F.a == BcAction.DROP), is_admin)
    router.callback_query.register(go, BcCb.filter(F.a == BcAction.GO), BroadcastForm.audience, is_admin)
    router.callback_query.register(stop, BcCb.filter(F.a == BcAction.STOP), is_admin)
    return router
