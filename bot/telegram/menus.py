"""The bot's face in Telegram: command menus and descriptions in every language, set at start."""

from __future__ import annotations

import logging

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import BotCommand, BotCommandScopeChat
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from bot.models import LANGUAGES
from bot.screens import keyboards

log = logging.getLogger(__name__)


def _strip(label: str) -> str:
    """A menu label without its emoji, as a command description."""
    return label.split(" ", 1)[1] if " " in label and not label[0].isalnum() else label


def commands() -> list[BotCommand]:
    return [
        BotCommand(command="start", description=_("Start and choose the language")),
        BotCommand(command="menu", description=_("Main menu")),
        BotCommand(command="contacts", description=_("Hotlines and contacts")),
        BotCommand(command="countries", description=_("Country rules and deadlines")),
        BotCommand(command="guide", description=_("Safe migration: what to know")),
        BotCommand(command="checklist", description=_strip(keyboards.section_label("checklist"))),
        BotCommand(command="reminders", description=_("My reminders")),
        BotCommand(command="agency", description=_strip(keyboards.section_label("agency"))),
        BotCommand(command="check", description=_strip(keyboards.section_label("risk"))),
        BotCommand(command="consult", description=_strip(keyboards.section_label("consult"))),
        BotCommand(command="language", description=_("Change the language")),
        BotCommand(command="profile", description=_("My country and destination")),
        BotCommand(command="checkin", description=_strip(keyboards.section_label("checkin"))),
        BotCommand(command="hide", description=_("Hide this chat at once")),
        BotCommand(command="forget", description=_("Delete my data")),
        BotCommand(command="help", description=_("About the bot and privacy")),
    ]


def admin_commands() -> list[BotCommand]:
    """An admin's own menu: everyone's commands, then the admin tools."""
    return [
        *commands(),
        BotCommand(command="admin", description=_("Admin tools")),
        BotCommand(command="stats", description=_("Figures for a period")),
        BotCommand(command="broadcast", description=_("An announcement to chosen people")),
        BotCommand(command="registries", description=_("Agency registries loaded")),
        BotCommand(command="reports", description=_("Reports about agencies")),
        BotCommand(command="reload", description=_("Read the content files again")),
    ]


def desk_commands() -> list[BotCommand]:
    """A forum group of consultants: what works in a case's topic."""
    return [
        BotCommand(command="close", description=_("Close the case, with its outcome")),
        BotCommand(command="note", description=_("A note for the team; the person does not see it")),
        BotCommand(command="transfer", description=_("Hand over: to @name, to a language, or to the queue")),
        BotCommand(command="case", description=_("The case's summary")),
        BotCommand(command="refer", description=_("Refer to a partner team, with the person's consent")),
    ]


async def publish_desk(bot: Bot, chat_id: int) -> bool:
    """The desk's commands in a consultants' group, in the current locale (the team's)."""
    return await _publish_in_chat(bot, chat_id, desk_commands(), "desk")


async def publish_admin(bot: Bot, chat_id: int) -> bool:
    """The admin menu in one admin's chat, in the current locale. False (and a log line) when Telegram
    refuses it, e.g. an admin who has never opened the bot."""
    return await _publish_in_chat(bot, chat_id, admin_commands(), "admin")


async def _publish_in_chat(bot: Bot, chat_id: int, menu: list[BotCommand], what: str) -> bool:
    try:
        await bot.set_my_commands(menu, scope=BotCommandScopeChat(chat_id=chat_id))
    except TelegramAPIError as error:
        log.warning("could not set the %s menu for %s: %s", what, chat_id, error)
        return False
    return True


def description() -> str:
    return _(
        "Free and confidential help for people who work abroad or plan to: "
        "rules and deadlines by country, how to check a recruitment agency, "
        "hotlines, and a way to reach a consultant. "
        "Russian, Kyrgyz, Tajik and Uzbek."
    )


def short_description() -> str:
    return _("Safe work abroad: rules, hotlines, agency check, help from a consultant.")


async def publish(bot: Bot, i18n: I18n) -> None:
    """setMyCommands / setMyDescription / setMyShortDescription for each language and the default."""
    targets: list[tuple[str, str | None]] = [(code, code) for code in LANGUAGES]
    targets.append((i18n.default_locale, None))
    for locale, language_code in targets:
        with i18n.context(), i18n.use_locale(locale):
            try:
                await bot.set_my_commands(commands(), language_code=language_code)
                await bot.set_my_description(description(), language_code=language_code)
                await bot.set_my_short_description(short_description(), language_code=language_code)
            except TelegramAPIError as error:  # a cosmetic failure must not stop the bot
                log.warning("could not publish the bot profile for %s: %s", locale, error)
