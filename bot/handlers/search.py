"""Free text: danger first (emergency numbers and a consultant), then the matching topics.

The message text is used only to match and is neither stored nor logged.
"""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import StateFilter
from aiogram.types import Message

from bot.content import Content
from bot.handlers.common import private_router, show_screen
from bot.models import User
from bot.screens import checklist as checklist_screens
from bot.screens import search as screens
from bot.screens.guide import Where
from bot.services.checklist import ChecklistService
from bot.services.dates import parse_date
from bot.services.search import SearchIndex


async def answer(
    message: Message, content: Content, search: SearchIndex, locale: str, user: User, checklists: ChecklistService,
) -> None:
    """Topics for a question typed in the person's words; danger words first get the numbers to call. A date
    typed on its own is for the checklist (which of its dates?), not a search."""
    text = message.text or ""
    if checklists.available(user):  # the cheap test first: most messages are not dates
        typed = parse_date(text, checklists.today(user))
        if typed.day is not None and not search.is_danger(locale, text):
            sheet = await checklists.sheet(user)
            await show_screen(message, checklist_screens.which_date(content, locale, sheet, typed.day))
            return
    found = search.answer(locale, text, user.citizenship, user.abroad)
    await show_screen(message, screens.answer(content, locale, Where.of(user), found))


def router() -> Router:
    router = private_router("search")
    router.message.register(answer, StateFilter(None), F.text, ~F.text.startswith("/"))
    return router
