"""The first screens: welcome, the main menu, the language picker, /help, and where a deep link leads."""

from __future__ import annotations

from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from bot.content import Content
from bot.models import User
from bot.screens import guide, keyboards
from bot.screens.common import Screen
from bot.services import deeplinks
from bot.services.translit import to_cyrillic
from bot.services.users import UZ_CYRILLIC
from bot.telegram import menus


def menu_text() -> str:
    return _("<b>Main menu</b>\nChoose a section:")


def menu(prefix: str | None = None) -> Screen:
    """The main menu, under `prefix` when something was said first."""
    text = f"{prefix}\n\n{menu_text()}" if prefix else menu_text()
    return Screen(text, keyboards.main_menu())


def welcome_text() -> str:
    return _(
        "<b>Welcome!</b>\n"
        "This bot helps people who go abroad to work. "
        "Learn what to check before you leave, your rights and deadlines, "
        "whom to call for help, and how to spot fraud and forced labour.\n\n"
        "It is free and confidential. We share nothing without your consent. "
        "You can delete your data at any time: /forget"
    )


def welcome() -> Screen:
    return menu(welcome_text())


def language_chosen(first_time: bool) -> Screen:
    return menu(welcome_text() if first_time else _("Done: the bot now speaks your language."))


def link_out_of_date_text() -> str:
    return _("This link is out of date. Here is the start of the bot.")


def link_out_of_date() -> Screen:
    return menu(link_out_of_date_text())


def _prompt(i18n: I18n, code: str) -> str:
    if code == UZ_CYRILLIC:
        return to_cyrillic(i18n.gettext("Choose your language", locale="uz"))
    return i18n.gettext("Choose your language", locale=code)


def choose_language(i18n: I18n, order: list[str], current: str | None) -> Screen:
    """The prompt in every language, the suggested one first: the person may not read the others."""
    prompt = "\n".join("🌐 " + _prompt(i18n, code) for code in order)
    return Screen(prompt, keyboards.languages(order, current=current))


def help_text(content: Content, locale: str) -> str:
    """What the bot is, what it keeps, and every command of the menu (the same list Telegram shows)."""
    about = content.page(locale, "about").text
    every = " ".join(f"/{command.command}" for command in menus.commands())  # what each does: Telegram's menu button
    lines = [_("<b>Commands</b>"), every, _("You can also just type your question."), "", hide_help()]
    return f"{about}\n\n" + "\n".join(lines)


def hide_help() -> str:
    return _("🙈 /hide deletes this chat's messages of the last two days at once. Your data stays.")


def hidden() -> str:
    """What stays in the chat after a quick hide: nothing about help, migration or danger."""
    return _("The chat is empty. /start")


def help_(content: Content, locale: str) -> Screen:
    return Screen(help_text(content, locale), keyboards.help_menu())


def link(target: deeplinks.Target, content: Content, locale: str, user: User) -> Screen:
    """Where a deep link leads (a topic, a group, a country guide, the contacts, or the menu)."""
    if target.kind == "topic":
        return guide.topic(content, locale, target.id, 0, user)
    if target.kind == "group":
        return guide.group(content, locale, target.id)
    if target.kind == "country":
        return guide.country(content, locale, target.id, user)
    if target.kind == "contacts" and target.id:
        return guide.contacts_for_country(content, locale, target.id)
    if target.kind == "contacts":
        return guide.contacts_home(content, locale, user)
    return menu()
