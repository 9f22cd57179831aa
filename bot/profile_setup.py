"""The bot's face in Telegram: command menus and descriptions in every language, set at start."""

from __future__ import annotations

import logging

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import BotCommand
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from bot import keyboards
from bot.services.users import LANGUAGES

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
        BotCommand(command="forget", description=_("Delete my data")),
        BotCommand(command="help", description=_("About the bot and privacy")),
    ]


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
