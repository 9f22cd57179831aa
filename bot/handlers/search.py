"""Free text: danger first (emergency numbers and a consultant), then the matching topics.

The message text is used only to match and is neither stored nor logged.
"""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import StateFilter
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _

from bot.callbacks import ContactsCb, EscCb, GuideCb, MenuCb
from bot.content import Content
from bot.handlers.common import private_router
from bot.models import CITIZENSHIPS, User
from bot.screens import common, keyboards
from bot.screens import guide as screens
from bot.services.search import SearchIndex

MAX_WORDS_CHARS = 600  # a question is short; a pasted page is matched on its beginning


def router() -> Router:
    router = private_router("search")

    router.message.register(answer, StateFilter(None), F.text, ~F.text.startswith("/"))
    return router


async def answer(message: Message, content: Content, search: SearchIndex, locale: str, user: User) -> None:
    """Topics for a question typed in the person's words; danger words first get the numbers to call."""
    query = (message.text or "")[:MAX_WORDS_CHARS]
    hits = search.find(locale, query)
    citizenship = user.citizenship if user.citizenship in CITIZENSHIPS else None
    topics = [hit.topic for hit in hits if content.topic_applies(hit.topic, citizenship)]
    if search.is_danger(locale, query):
        lead = _(
            "<b>It sounds like you may be in danger.</b> You are not alone, and it is not your fault.\n"
            "If your life or health is at risk, call the emergency number now."
        )
        text = f"{lead}\n\n{screens.urgent_text(content, locale, user.destination)}"
        rows = [[common.button(keyboards.section_label("consult"), EscCb(step="start", value="danger").pack())]]
        rows += _topic_rows(content, locale, topics[:3])
        rows.append([common.button(keyboards.section_label("contacts"), ContactsCb(by="home").pack())])
        rows.append([keyboards.menu_button()])
        await message.answer(text, reply_markup=InlineKeyboardMarkup(inline_keyboard=rows))
        return
    if topics:
        text = _("Here is what I found. Tap a topic:")
        rows = _topic_rows(content, locale, topics)
    else:
        text = _(
            "I did not find a topic for that. Try other words, open the menu, "
            "or ask a consultant."
        )
        rows = [
            [common.button(keyboards.section_label("guide"), GuideCb(kind="home").pack())],
            [common.button(keyboards.section_label("consult"), MenuCb(section="consult").pack())],
        ]
    rows.append([keyboards.menu_button()])
    await message.answer(text, reply_markup=InlineKeyboardMarkup(inline_keyboard=rows))


def _topic_rows(content: Content, locale: str, topics: list[str]) -> list[list[InlineKeyboardButton]]:
    rows = []
    for topic in topics:
        title = content.topic(locale, topic).title
        parent = content.parents[topic]
        if parent.kind == "country":
            title = f"{common.FLAGS.get(parent.id, '')} {title}".strip()
        rows.append([common.button(title, GuideCb(kind="top", id=topic).pack())])
    return rows
