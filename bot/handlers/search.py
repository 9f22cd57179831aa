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
from bot.screens import search as screens
from bot.screens.guide import Where
from bot.services.search import SearchIndex


async def answer(message: Message, content: Content, search: SearchIndex, locale: str, user: User) -> None:
    """Topics for a question typed in the person's words; danger words first get the numbers to call."""
    found = search.answer(locale, message.text or "", user.citizenship, user.abroad)
    await show_screen(message, screens.answer(content, locale, Where.of(user), found))


def router() -> Router:
    router = private_router("search")
    router.message.register(answer, StateFilter(None), F.text, ~F.text.startswith("/"))
    return router
