"""First screens: /start, the language picker, the main menu, /help."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command, CommandObject, CommandStart
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from bot.callbacks import LanguageCb, MenuCb
from bot.content import Content
from bot.handlers.common import menu_text, private_router, show, show_menu, stale_button
from bot.models import LANGUAGES, User
from bot.screens import common, keyboards
from bot.screens import guide as screens
from bot.services import deeplinks
from bot.services.users import UserService, language_order, suggest_language
from bot.states import ChecklistForm


def router() -> Router:
    router = private_router("start")

    @router.message(CommandStart(deep_link=True))
    async def start_link(
        message: Message, command: CommandObject, user: User, users: UserService, i18n: I18n, content: Content
    ) -> None:
        try:
            target = deeplinks.parse(command.args or "", content)
        except deeplinks.LinkError:
            note = _("This link is out of date. Here is the start of the bot.")
            if user.language is None:
                await message.answer(note)
                await ask_language(message, user, i18n)
            else:
                await show_menu(message, note)
            return
        language = target.language or user.language or suggest_language(user.telegram_language, i18n.default_locale)
        if language != user.language:  # the link's language is the person's from now on (/language changes it)
            await users.choose_language(user.id, language)
        with i18n.use_locale(language):
            screen = link_screen(target, content, language, user)
            await message.answer(screen.text, reply_markup=screen.markup)

    @router.message(CommandStart())
    async def start(message: Message, user: User, i18n: I18n) -> None:
        if user.language is None:
            await ask_language(message, user, i18n)
        else:
            await show_menu(message, welcome_text())

    @router.message(Command("menu"))
    @router.callback_query(MenuCb.filter(F.section == "menu"))
    async def menu(event: Message | CallbackQuery, state: FSMContext) -> None:
        if await state.get_state() == ChecklistForm.date.state:
            await state.set_state(None)  # a date typed later must not land in a calendar left behind
        await show_menu(event)

    @router.message(Command("language"))
    @router.callback_query(MenuCb.filter(F.section == "language"))
    async def language(event: Message | CallbackQuery, user: User, i18n: I18n) -> None:
        await ask_language(event, user, i18n)

    @router.callback_query(LanguageCb.filter())
    async def language_chosen(
        query: CallbackQuery, callback_data: LanguageCb, user: User, users: UserService, i18n: I18n
    ) -> None:
        if callback_data.code not in LANGUAGES:
            await stale_button(query)
            return
        first_time = user.language is None
        await users.choose_language(user.id, callback_data.code)
        with i18n.use_locale(callback_data.code):
            await show_menu(query, welcome_text() if first_time else _("Done: the bot now speaks your language."))

    @router.message(Command("help"))
    @router.callback_query(MenuCb.filter(F.section == "help"))
    async def help_(event: Message | CallbackQuery, locale: str, content: Content) -> None:
        await show(event, help_text(content, locale), keyboards.help_menu())

    return router


async def ask_language(event: Message | CallbackQuery, user: User, i18n: I18n) -> None:
    suggested = user.language or suggest_language(user.telegram_language, i18n.default_locale)
    order = language_order(suggested)
    # The prompt in every language, the suggested one first: the person may not read the others.
    prompt = "\n".join("🌐 " + i18n.gettext("Choose your language", locale=code) for code in order)
    await show(event, prompt, keyboards.languages(order, current=user.language))


def welcome_text() -> str:
    return _(
        "<b>Welcome!</b>\n"
        "This bot helps people who go abroad to work. "
        "Learn what to check before you leave, your rights and deadlines, "
        "whom to call for help, and how to spot fraud and forced labour.\n\n"
        "It is free and confidential. We share nothing without your consent. "
        "You can delete your data at any time: /forget"
    )


def help_text(content: Content, locale: str) -> str:
    about = content.page(locale, "about").text
    commands = _(
        "<b>Commands</b>\n"
        "/menu — main menu\n"
        "/contacts — hotlines and contacts\n"
        "/countries — country rules and deadlines\n"
        "/guide — safe migration: what to know\n"
        "You can also just type your question.\n"
        "/language — change the language\n"
        "/profile — your country and destination\n"
        "/forget — delete your data\n"
        "/help — this page"
    )
    return f"{about}\n\n{commands}"


def link_screen(target: deeplinks.Target, content: Content, locale: str, user: User) -> common.Screen:
    if target.kind == "topic":
        return screens.topic(content, locale, target.id, 0, user)
    if target.kind == "group":
        return screens.group(content, locale, target.id)
    if target.kind == "country":
        return screens.country(content, locale, target.id, user)
    if target.kind == "contacts" and target.id:
        return screens.contacts_for_country(content, locale, target.id)
    if target.kind == "contacts":
        return screens.contacts_home(content, locale, user)
    return common.Screen(menu_text(), keyboards.main_menu())
