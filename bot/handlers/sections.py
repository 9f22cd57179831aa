"""Sections of the main menu that are not built yet answer honestly, and never leave a dead button."""

from __future__ import annotations

from datetime import date
from functools import lru_cache

from aiogram import F, Router
from aiogram.types import CallbackQuery
from aiogram.utils.i18n import gettext as _
from babel.dates import format_date

from bot import keyboards
from bot.callbacks import READY, MenuCb
from bot.content import Content
from bot.handlers.common import private_router, show, stale_button

URGENT_SECTIONS = {"risk", "consult", "contacts"}


def router() -> Router:
    router = private_router("sections")

    @router.callback_query(MenuCb.filter(F.section.not_in(READY | {"menu"})))
    async def coming_soon(query: CallbackQuery, callback_data: MenuCb, locale: str, content: Content) -> None:
        try:
            title = keyboards.section_label(callback_data.section)
        except KeyError:
            await stale_button(query)
            return
        soon = _("This section is being prepared and will appear soon.")
        text = f"<b>{title}</b>\n\n{soon}"
        if callback_data.section in URGENT_SECTIONS:
            text = f"{text}\n\n{emergency_text(content, locale)}"
        await show(query, text, keyboards.back_to_menu())

    return router


def emergency_text(content: Content, locale: str) -> str:
    body, checked = content.render(locale, "emergency")
    if checked is None:
        return body
    note = _("Numbers checked on {date}.").format(date=format_day(checked, locale))
    return f"{body}\n<i>{note}</i>"


@lru_cache(maxsize=256)
def format_day(day: date, locale: str) -> str:
    return format_date(day, format="long", locale=locale)
