"""Admins write an announcement, see it exactly as people will, choose who gets it (language,
citizenship, destination, with the count), send it, watch its progress and can cancel it."""

from __future__ import annotations

from typing import Any

from aiogram import F, Router
from aiogram.dispatcher.event.bases import SkipHandler
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import (
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
)
from aiogram.utils.i18n import gettext as _

from bot.callbacks import BcCb
from bot.handlers.common import is_admin, private_router, show, stale_button
from bot.i18n import LANGUAGE_NAMES
from bot.models import CITIZENSHIPS, DESTINATIONS, LANGUAGES
from bot.screens import keyboards
from bot.states import BroadcastForm
from bot.telegram.broadcasts import Broadcasts, progress_screen

MAX_TEXT = 3500  # room for Telegram's 4096 after entities
CHOICES = {"lang": ("", *LANGUAGES), "cit": ("", *CITIZENSHIPS), "dst": ("", *DESTINATIONS)}


def _label(kind: str, value: str) -> str:
    if not value:
        shown = _("everyone")
    elif kind == "lang":
        shown = LANGUAGE_NAMES[value]
    else:
        shown = keyboards.country_name(value)
    names = {"lang": _("🌐 Language: {value}"), "cit": _("🪪 Citizenship: {value}"), "dst": _("✈️ Destination: {value}")}
    return names[kind].format(value=shown)


def _next(kind: str, value: str) -> str:
    options = CHOICES[kind]
    return options[(options.index(value) + 1) % len(options)] if value in options else ""


async def audience_screen(data: dict[str, Any], broadcasts: Broadcasts) -> tuple[str, InlineKeyboardMarkup]:
    count = await broadcasts.audience(data.get("lang") or None, data.get("cit") or None, data.get("dst") or None)
    text = _(
        "<b>Who gets it?</b> Tap to change. The preview above is exactly what people will see.\n"
        "Recipients now: {count}"
    ).format(count=count)
    rows = [[InlineKeyboardButton(text=_label(k, data.get(k, "")), callback_data=BcCb(a=k, v=_next(k, data.get(k, ""))).pack())]
            for k in ("lang", "cit", "dst")]
    if count:
        rows.append([InlineKeyboardButton(text=_("✅ Send to {count} people").format(count=count), callback_data=BcCb(a="go").pack())])
    rows.append([InlineKeyboardButton(text=_("❌ Cancel"), callback_data=BcCb(a="drop").pack())])
    return text, InlineKeyboardMarkup(inline_keyboard=rows)


def router() -> Router:
    router = private_router("broadcast")

    @router.callback_query(StateFilter(BroadcastForm), ~F.data.startswith("bc:"))
    @router.message(StateFilter(BroadcastForm), F.text.startswith("/"), ~F.text.startswith(("/broadcast", "/cancel")))
    async def leaving(event: Message | CallbackQuery, state: FSMContext) -> None:
        """Another button or command ends the unsent announcement (nothing is sent without "Send")."""
        await state.clear()
        raise SkipHandler()

    @router.message(Command("broadcast"), is_admin)
    async def begin(message: Message, state: FSMContext) -> None:
        await state.set_state(BroadcastForm.text)
        await state.set_data({})
        await message.answer(_(
            "<b>📣 New announcement</b>\nSend its text. It goes out exactly as you write it (bold, links). "
            "Then you choose who gets it. /cancel to stop."
        ))

    @router.message(Command("cancel"), BroadcastForm.text)
    @router.message(Command("cancel"), BroadcastForm.audience)
    async def cancelled(message: Message, state: FSMContext) -> None:
        await state.clear()
        await message.answer(_("Nothing was sent."), reply_markup=keyboards.back_to_menu())

    @router.message(BroadcastForm.text, F.text, ~F.text.startswith("/"), is_admin)
    async def written(message: Message, state: FSMContext, broadcasts: Broadcasts) -> None:
        text = message.html_text
        if len(text) > MAX_TEXT:
            await message.answer(_("The text is too long: {length} characters, at most {limit}. Please shorten it.").format(
                length=len(text), limit=MAX_TEXT))
            return
        await state.set_state(BroadcastForm.audience)
        await state.set_data({"text": text})
        await message.answer(text)  # the preview: exactly what people get
        screen, markup = await audience_screen({"text": text}, broadcasts)
        await message.answer(screen, reply_markup=markup)

    @router.callback_query(BcCb.filter(F.a.in_(CHOICES)), BroadcastForm.audience, is_admin)
    async def choose(query: CallbackQuery, callback_data: BcCb, state: FSMContext, broadcasts: Broadcasts) -> None:
        if callback_data.v not in CHOICES[callback_data.a]:
            await stale_button(query)
            return
        await state.update_data({callback_data.a: callback_data.v})
        await show(query, *await audience_screen(await state.get_data(), broadcasts))

    @router.callback_query(BcCb.filter(F.a == "drop"), is_admin)
    async def drop(query: CallbackQuery, state: FSMContext) -> None:
        await state.clear()
        await show(query, _("Nothing was sent."), keyboards.back_to_menu())

    @router.callback_query(BcCb.filter(F.a == "go"), BroadcastForm.audience, is_admin)
    async def go(query: CallbackQuery, state: FSMContext, broadcasts: Broadcasts) -> None:
        data = await state.get_data()
        await state.clear()
        broadcast = await broadcasts.create(
            query.from_user.id, data["text"], data.get("lang") or None, data.get("cit") or None, data.get("dst") or None)
        text, markup = progress_screen(broadcast, {"pending": broadcast.total})
        await query.answer()
        assert query.message is not None
        await query.message.edit_text(text, reply_markup=markup)
        await broadcasts.attach_progress(broadcast.id, query.message.chat.id, query.message.message_id)

    @router.callback_query(BcCb.filter(F.a == "stop"), is_admin)
    async def stop(query: CallbackQuery, callback_data: BcCb, broadcasts: Broadcasts) -> None:
        stopped = await broadcasts.cancel(int(callback_data.v)) if callback_data.v.isdigit() else None
        await query.answer(_("Cancelled.") if stopped else _("This broadcast is no longer running."))

    return router
