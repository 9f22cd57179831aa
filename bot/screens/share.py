"""Sharing help with family (inline mode: "@bot ..." typed in any chat): cards the person sends into
another chat, in their language. A hotline card (a country's numbers, with their sources), a topic
(its first page), an agency's registry result; each with a button that opens the bot on the same page
(a deep link). Nothing about the person who shares is in a card."""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import escape

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup, InlineQueryResultArticle, InputTextMessageContent
from aiogram.utils.i18n import gettext as _

from bot.content import Content
from bot.models import Agency, User
from bot.screens import agency as agency_screens
from bot.screens import guide, keyboards
from bot.screens.common import clipped, with_sources
from bot.services import deeplinks
from bot.services.agency import Standing
from bot.telegram import menus

MAX_CARD = 3500  # characters of a card's text: Telegram's 4096, with room for the footer
TAGS = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class Card:
    id: str  # the result's id: t:<topic>, c:<country>, a:<agency id>, m
    title: str
    description: str
    text: str
    payload: str  # the deep link back to the bot: without a language (the family keeps theirs, or the phone's)


def _plain(text: str, limit: int = 90) -> str:
    flat = " ".join(TAGS.sub("", text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _footer() -> str:
    return _("Free help in Russian, Kyrgyz, Tajik and Uzbek: tap the button below.")


def topic_card(content: Content, locale: str, topic_id: str) -> Card:
    entry = content.topic(locale, topic_id)
    page = content.topic_page(locale, topic_id, 0)
    text = with_sources(f"<b>{escape(entry.title)}</b>\n\n{page.text}", page.facts, locale)
    return Card(f"t:{topic_id}", "📖 " + entry.title, _plain(page.text), f"{clipped(text, MAX_CARD)}\n\n{_footer()}",
                deeplinks.build(f"t-{topic_id}"))


def hotlines_card(content: Content, locale: str, code: str) -> Card:
    screen = guide.contacts_for_country(content, locale, code)
    title = _("☎️ Hotlines: {country}").format(country=keyboards.country_name(code))
    return Card(f"c:{code}", title, _("Emergency, trafficking, work and migration numbers, with their sources"),
                f"{clipped(screen.text, MAX_CARD)}\n\n{_footer()}", deeplinks.build(f"contacts-{code}"))


def agency_card(agency: Agency, standing: Standing, user: User, locale: str) -> Card:
    screen = agency_screens.card(agency, standing, None, None, user, locale)
    head = agency_screens.status_lines(standing, locale)[0]
    return Card(f"a:{agency.id}", "🏢 " + agency.name, _plain(head), f"{clipped(screen.text, MAX_CARD)}\n\n{_footer()}",
                deeplinks.build("menu"))


def bot_card(locale: str) -> Card:
    about = menus.short_description()
    return Card("m", _("🤝 This bot: safe work abroad"), about, f"🤝 {about}\n\n{_footer()}", deeplinks.build("menu"))



def results(cards: list[Card], bot_username: str) -> list[InlineQueryResultArticle]:
    """The cards as Telegram's inline results, each with its button back to the bot."""
    return [
        InlineQueryResultArticle(
            id=card.id, title=card.title, description=card.description,
            input_message_content=InputTextMessageContent(message_text=card.text, parse_mode="HTML"),
            reply_markup=InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(
                text=_("📲 Open in the bot"), url=deeplinks.url(bot_username, card.payload))]]),
        )
        for card in cards
    ]
