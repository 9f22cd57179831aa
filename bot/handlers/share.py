"""Sharing help with family: "@bot ..." typed in any chat (inline mode, switched on with BotFather's
/setinline) offers cards to send there, in the person's language. With nothing typed: the hotlines of
where the person is (or is going), the pages for when something went wrong, and the bot itself; with
words: the topics that match, a country's hotlines, an agency's registry result."""

from __future__ import annotations

from dataclasses import replace

from aiogram import Bot, Router
from aiogram.types import InlineQuery, InlineQueryResultUnion

from bot.content import Content
from bot.models import User
from bot.screens import keyboards
from bot.screens import share as cards
from bot.services.agency import AgencyService, fold
from bot.services.search import SearchIndex

TROUBLE = ("documents_taken", "wages_unpaid", "locked_threatened")  # what a family most often needs to pass on
MAX_CARDS = 10
CACHE_SECONDS = 60


def _countries(content: Content, typed: str) -> list[str]:
    """The countries whose name (in the person's language) or code is what was typed."""
    wanted = fold(typed)
    return [code for code in content.contact_countries()
            if wanted and (wanted == code.lower() or wanted in fold(keyboards.country_name(code)))]


async def _cards(typed: str, user: User, locale: str, content: Content, search: SearchIndex, agencies: AgencyService) -> list[cards.Card]:
    if not typed:
        place = user.place
        found = [cards.hotlines_card(content, locale, place)] if place in content.contact_countries() else []
        found += [cards.topic_card(content, locale, topic) for topic in TROUBLE if topic in content.parents]
        return [*found, cards.bot_card(locale)]
    found = [cards.hotlines_card(content, locale, code) for code in _countries(content, typed)]
    found += [cards.topic_card(content, locale, hit.topic) for hit in search.find(locale, typed, limit=5)]
    checked = await agencies.search(typed)
    for match in ([checked.sure] if checked.sure else list(checked.choices[:3])):
        # the card says nothing of the sharer: not where they go (the card would warn the family about it)
        found.append(cards.agency_card(match.agency, agencies.standing(match.agency), replace(user, destination=None), locale))
    return found[:MAX_CARDS] or [cards.bot_card(locale)]


async def share(query: InlineQuery, bot: Bot, user: User, locale: str, content: Content, search: SearchIndex,
                agencies: AgencyService) -> None:
    found = await _cards(query.query.strip()[:200], user, locale, content, search, agencies)
    me = await bot.me()
    results: list[InlineQueryResultUnion] = list(cards.results(found, me.username or ""))
    await query.answer(results, cache_time=CACHE_SECONDS, is_personal=True)


def router() -> Router:
    router = Router(name="share")
    router.inline_query.register(share)
    return router

