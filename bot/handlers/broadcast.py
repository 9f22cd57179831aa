"""Admins write an announcement, see it exactly as people will, choose who gets it (languages,
citizenships, destinations, several of each, with the count) and when (now, or a time of theirs), send
it, watch its progress and can cancel it."""

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
from bot.services.broadcast import FILTERS, MAX_TEXT, QUICK, Draft, SendAtError, parse_send_at, quick_send_at
from bot.states import BroadcastForm
from bot.telegram.broadcast import Broadcasts


async def _audience(draft: Draft, broadcasts: Broadcasts) -> Screen:
    return screens.audience_screen(draft, await broadcasts.audience(*draft.audience()), broadcasts.zone)


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
    """A language or country taken into the audience, or taken off it."""
    try:
        draft = Draft.from_dict(await state.get_data()).toggled(callback_data.a.value, callback_data.v)
    except ValueError:
        await stale_button(query)
        return
    await state.set_data(draft.to_dict())
    await show_screen(query, await _audience(draft, broadcasts))


async def when(query: CallbackQuery, callback_data: BcCb, state: FSMContext, broadcasts: Broadcasts) -> None:
    """Now, in an hour, tomorrow at 09:00 (the admins' time), or a time to type."""
    draft = Draft.from_dict(await state.get_data())
    if callback_data.v == "type":
        await state.set_state(BroadcastForm.send_at)
        await query.answer()
        if isinstance(query.message, Message):
            await query.message.answer(screens.ask_time(broadcasts.zone))
        return
    if callback_data.v == "now":
        draft = draft.sent_at(None)
    elif callback_data.v in QUICK:
        draft = draft.sent_at(quick_send_at(callback_data.v, broadcasts.clock(), broadcasts.zone))
    else:
        await stale_button(query)
        return
    await state.set_data(draft.to_dict())
    await show_screen(query, await _audience(draft, broadcasts))


async def typed_time(message: Message, state: FSMContext, broadcasts: Broadcasts) -> None:
    try:
        moment = parse_send_at(message.text or "", broadcasts.clock(), broadcasts.zone)
    except SendAtError as error:
        await message.answer(screens.time_refused(error, broadcasts.zone))
        return
    draft = Draft.from_dict(await state.get_data()).sent_at(moment)
    await state.set_state(BroadcastForm.audience)
    await state.set_data(draft.to_dict())
    await show_screen(message, await _audience(draft, broadcasts))


async def drop(query: CallbackQuery, state: FSMContext) -> None:
    await state.clear()
    await show_screen(query, screens.nothing_sent())


async def go(query: CallbackQuery, state: FSMContext, broadcasts: Broadcasts) -> None:
    draft = Draft.from_dict(await state.get_data())
    send_at = draft.at()
    if draft.text.strip() and send_at is not None and send_at <= broadcasts.clock():
        # the chosen time passed while the form was open: nothing goes until the admin chooses again
        draft = draft.sent_at(None)
        await state.set_data(draft.to_dict())
        screen = await _audience(draft, broadcasts)
        await show_screen(query, Screen(f"{screens.SEND_AT_REASONS['past']}\n\n{screen.text}", screen.markup))
        return
    await state.clear()
    if not draft.text.strip():  # the form lost its text (data from an older or broken state): send nothing
        await stale_button(query)
        return
    broadcast = await broadcasts.create(query.from_user.id, draft.text, *draft.audience(), send_at=send_at)
    screen = screens.progress_screen(broadcast, {"pending": broadcast.total}, broadcasts.clock(), broadcasts.zone)
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
    router.message.register(cancelled, Command("cancel"), BroadcastForm.send_at)
    router.message.register(written, BroadcastForm.text, F.text, ~F.text.startswith("/"), is_admin)
    router.callback_query.register(choose, BcCb.filter(F.a.in_(FILTERS)), BroadcastForm.audience, is_admin)
    router.callback_query.register(when, BcCb.filter(F.a == BcAction.WHEN), BroadcastForm.audience, is_admin)
    router.message.register(typed_time, BroadcastForm.send_at, F.text, ~F.text.startswith("/"), is_admin)
    router.callback_query.register(drop, BcCb.filter(F.a == BcAction.DROP), is_admin)
    router.callback_query.register(go, BcCb.filter(F.a == BcAction.GO), BroadcastForm.audience, is_admin)
    router.callback_query.register(stop, BcCb.filter(F.a == BcAction.STOP), is_admin)
    return router
