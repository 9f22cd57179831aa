"""A menu button for a section that no longer exists (an old message, forged data) gets the current menu."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.types import CallbackQuery

from bot.callbacks import SECTIONS, MenuCb
from bot.handlers.common import private_router, stale_button


def router() -> Router:
    router = private_router("sections")

    @router.callback_query(MenuCb.filter(F.section.not_in({*SECTIONS, "menu"})))
    async def unknown_section(query: CallbackQuery) -> None:
        await stale_button(query)

    return router
