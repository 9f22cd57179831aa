"""What every screen is made of: the one Screen type, buttons, the Back/Menu row, country flags and
the sources footer that every screen stating facts ends with."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from html import escape

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _

from bot.callbacks import MenuCb, Section
from bot.content import Fact, format_day, source_label
from bot.screens import keyboards

FLAGS = {"KG": "🇰🇬", "TJ": "🇹🇯", "UZ": "🇺🇿", "RU": "🇷🇺", "KZ": "🇰🇿", "TR": "🇹🇷", "AE": "🇦🇪", "KR": "🇰🇷"}
MAX_SOURCES = 3


@dataclass(frozen=True)
class Screen:
    text: str
    markup: InlineKeyboardMarkup | None = None  # None: no buttons


def button(text: str, data: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=data)


def column(buttons: Iterable[InlineKeyboardButton], *tail: list[InlineKeyboardButton]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=[[b] for b in buttons] + [row for row in tail if row])


def nav(back: str | None) -> list[InlineKeyboardButton]:
    row = [button(_("⬅️ Back"), back)] if back else []
    row.append(button(_("🏠 Menu"), MenuCb(section=Section.MENU).pack()))
    return row


def flagged(code: str) -> str:
    return f"{FLAGS.get(code, '🌍')} {keyboards.country_name(code)}"


def by_source(facts: Iterable[Fact]) -> dict[str, Fact]:
    """Each source once, with the first fact that cites it (a source backs several facts)."""
    unique: dict[str, Fact] = {}
    for fact in facts:
        unique.setdefault(fact.source, fact)
    return unique


def sources_line(facts: Iterable[Fact], locale: str) -> str:
    """`Checked: 21 November 2026 · Sources: egov.kz, gulfnews.com` (links where the source is a URL)."""
    unique = by_source(facts)
    if not unique:
        return ""
    checked = min(fact.verified_on for fact in unique.values())
    labels = []
    for source in list(unique)[:MAX_SOURCES]:
        label = escape(source_label(source))
        labels.append(f'<a href="{escape(source)}">{label}</a>' if source.startswith(("http://", "https://")) else label)
    more = len(unique) - MAX_SOURCES
    listed = ", ".join(labels) + (f" +{more}" if more > 0 else "")
    checked_text = _("Checked: {date}").format(date=format_day(checked, locale))
    sources_text = _("Sources: {sources}").format(sources=listed)
    return f"<i>✅ {checked_text}\n📎 {sources_text}</i>"


def with_prefix(prefix: str, screen: Screen) -> Screen:
    """A screen under a line that says what just happened (saved, or what was wrong)."""
    return Screen(f"{prefix}\n\n{screen.text}", screen.markup)


def clipped(text: str, limit: int) -> str:
    """The text, or as much of it as fits in `limit` characters cut at a line, with "…"."""
    return text if len(text) <= limit else text[:limit].rsplit("\n", 1)[0] + "\n…"


def with_sources(body: str, facts: Iterable[Fact], locale: str) -> str:
    footer = sources_line(facts, locale)
    return f"{body}\n\n{footer}" if footer else body


# -- what is said when nothing else fits -----------------------------------------------------------
def stale_button_alert() -> str:
    return _("This button is out of date. Here is the current menu.")


def failure_text() -> str:
    return _("Sorry, something went wrong on our side. Please try again, or open the /menu.")


def unexpected(kind: str) -> Screen:
    """The polite answer to a message no handler took: `kind` is edited, command, text, place, media or other."""
    texts = {
        "edited": _("I only read new messages, not edited ones. Please send your message again."),
        "command": _("I don't know this command. Choose a section from the menu, or send /help."),
        "text": _("Please answer with the buttons on the screen, or open the menu."),
        "place": _("Thank you, but I don't need your location or contacts. Please choose a section from the menu."),
        "media": _("I can only read text and buttons for now. Please choose a section from the menu."),
    }
    return Screen(texts.get(kind) or _("I can't read this kind of message. Please choose a section from the menu."), keyboards.main_menu())
