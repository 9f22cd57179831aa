"""Answers to a question typed in the person's words: danger first, then the topics found, or none."""

from __future__ import annotations

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _

from bot.callbacks import (
    ConsultCb,
    ConsultStep,
    ContactsBy,
    ContactsCb,
    GuideCb,
    GuideKind,
    MenuCb,
    Section,
)
from bot.content import Content
from bot.screens import common, keyboards
from bot.screens import guide as guide_screens
from bot.screens.common import Screen
from bot.screens.guide import Where
from bot.services.search import Found


def _topic_rows(content: Content, locale: str, topics: list[str]) -> list[list[InlineKeyboardButton]]:
    rows = []
    for topic in topics:
        title = content.topic(locale, topic).title
        parent = content.parents[topic]
        if parent.kind == "country":
            title = f"{common.FLAGS.get(parent.id, '')} {title}".strip()
        rows.append([common.button(title, GuideCb(kind=GuideKind.TOPIC, id=topic).pack())])
    return rows


def danger(content: Content, locale: str, where: Where, topics: list[str]) -> Screen:
    """Danger words: the numbers to call and a consultant first, then up to three topics."""
    lead = _(
        "<b>It sounds like you may be in danger.</b> You are not alone, and it is not your fault.\n"
        "If your life or health is at risk, call the emergency number now."
    )
    text = f"{lead}\n\n{guide_screens.urgent_text(content, locale, where)}"
    rows = [[common.button(keyboards.section_label("consult"), ConsultCb(step=ConsultStep.START, value="danger").pack())]]
    rows += _topic_rows(content, locale, topics[:3])
    rows.append([common.button(keyboards.section_label("contacts"), ContactsCb(by=ContactsBy.HOME).pack())])
    rows.append([keyboards.menu_button()])
    return Screen(text, InlineKeyboardMarkup(inline_keyboard=rows))


def found_screen(content: Content, locale: str, topics: list[str]) -> Screen:
    rows = _topic_rows(content, locale, topics)
    rows.append([keyboards.menu_button()])
    return Screen(_("Here is what I found. Tap a topic:"), InlineKeyboardMarkup(inline_keyboard=rows))


def not_found() -> Screen:
    text = _(
        "I did not find a topic for that. Try other words, open the menu, "
        "or ask a consultant."
    )
    rows = [
        [common.button(keyboards.section_label("guide"), GuideCb(kind=GuideKind.HOME).pack())],
        [common.button(keyboards.section_label("consult"), MenuCb(section=Section.CONSULT).pack())],
        [keyboards.menu_button()],
    ]
    return Screen(text, InlineKeyboardMarkup(inline_keyboard=rows))


def answer(content: Content, locale: str, where: Where, found: Found) -> Screen:
    """What a typed question gets: danger first (the numbers to call and a consultant), else the topics."""
    if found.danger:
        return danger(content, locale, where, found.topics)
    return found_screen(content, locale, found.topics) if found.topics else not_found()
