"""Sections of the main menu that are not built yet answer honestly, and never leave a dead button."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.types import CallbackQuery
from aiogram.utils.i18n import gettext as _

from bot import keyboards, screens
from bot.callbacks import READY, MenuCb
from bot.content import Content
from bot.handlers.common import private_router, show, stale_button
from bot.storage.users import User

URGENT_SECTIONS = {"agency"}  # families checking a recruiter may already be in trouble


def router() -> Router:
    router = private_router("sections")

    @router.callback_query(MenuCb.filter(F.section.not_in(READY | {"menu"})))
    async def coming_soon(query: CallbackQuery, callback_data: MenuCb, locale: str, content: Content, user: User) -> None:
        try:
            title = keyboards.section_label(callback_data.section)
        except KeyError:
            await stale_button(query)
            return
        soon = _("This section is being prepared and will appear soon.")
        text = f"<b>{title}</b>\n\n{soon}"
        if callback_data.section in URGENT_SECTIONS:
            text = f"{text}\n\n{screens.urgent_text(content, locale, user.destination)}"
        await show(query, text, keyboards.back_to_menu())

    return router
