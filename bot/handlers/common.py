"""Small rendering helpers shared by the handlers."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

from bot.screens import common, keyboards, start
from bot.screens.common import Screen
from bot.telegram.authorizer import Authorizer


def private_router(name: str) -> Router:
    """A router for conversations with one person; group chats (the consultants') are not its business."""
    router = Router(name=name)
    router.message.filter(F.chat.type == "private")
    router.callback_query.filter(F.message.chat.type == "private")
    return router


async def is_admin(event: Message | CallbackQuery, authorizer: Authorizer) -> bool:
    """A filter: the sender is one of ADMIN_IDS."""
    return event.from_user is not None and authorizer.is_admin(event.from_user.id)


async def show(
    event: Message | CallbackQuery, text: str, markup: InlineKeyboardMarkup | None = None, *, answer: bool = True
) -> None:
    """Answer a message with a new one; answer a button press by editing the message it was on.

    A button press is answered once (Telegram refuses a second answer): pass answer=False when the
    caller has already answered it, e.g. with an alert.
    """
    markup = keyboards.with_hide(markup)  # quick hide beside every menu button
    if isinstance(event, Message):
        await event.answer(text, reply_markup=markup)
        return
    if answer:
        await event.answer()
    if isinstance(event.message, Message):
        try:
            await event.message.edit_text(text, reply_markup=markup)
            return
        except TelegramBadRequest as error:
            if "not modified" in error.message:  # a double tap: the screen already shows this
                return
            # the message is gone or can no longer be edited: send the screen anew
    if event.bot is not None:
        await event.bot.send_message(event.from_user.id, text, reply_markup=markup)


async def show_screen(event: Message | CallbackQuery, screen: Screen, *, answer: bool = True) -> None:
    await show(event, screen.text, screen.markup, answer=answer)


async def show_menu(event: Message | CallbackQuery, prefix: str | None = None, *, answer: bool = True) -> None:
    await show_screen(event, start.menu(prefix), answer=answer)


async def stale_button(query: CallbackQuery) -> None:
    """A button from an old screen or with forged data: say so, and show the current menu."""
    await query.answer(common.stale_button_alert(), show_alert=True)
    await show_menu(query, answer=False)


async def in_order(query: CallbackQuery, state: FSMContext, asking: State, expected: object, number: int, total: int) -> bool:
    """Whether a tapped answer to question `number` (of `total`) is the one awaited. When it is not, the
    tap is answered here: a double tap on a question already answered is ignored; an answer from an old
    screen, or forged, gets the current menu."""
    if await state.get_state() != asking.state or not isinstance(expected, int):
        await stale_button(query)
        return False
    if number < expected:
        await query.answer()
        return False
    if number > expected or number >= total:
        await stale_button(query)
        return False
    return True
