"""First screens: /start (and deep links), the language picker, the main menu, /help, and the quick
hide (/hide and its button beside every menu button)."""

from __future__ import annotations

from dataclasses import replace

from aiogram import Bot, F, Router
from aiogram.filters import Command, CommandObject, CommandStart
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import I18n

from bot.callbacks import LanguageCb, MenuCb, Section
from bot.content import Content
from bot.handlers.common import private_router, show_menu, show_screen, stale_button
from bot.models import LANGUAGES, User
from bot.screens import start as screens
from bot.services import deeplinks
from bot.services.events import UNKNOWN_LINK, EventLog
from bot.services.users import CYRILLIC, UZ_CYRILLIC, UserService, picker_order, suggest_language
from bot.states import ChecklistForm
from bot.telegram.hide import Hider

# what a deep link opens, counted as if opened from the menu (the figures' topics and country guides)
VIEW_EVENTS = {"topic": "guide", "country": "country"}


async def start_link(
    message: Message, command: CommandObject, user: User, users: UserService, i18n: I18n, content: Content, events: EventLog
) -> None:
    """A deep link (a leaflet's QR code, a shared link): its screen, and an event naming the leaflet (the
    payload), so the figures count each leaflet's reach."""
    payload = command.args or ""
    try:
        target = deeplinks.parse(payload, content)
    except deeplinks.LinkError:
        await events.record("link", user, UNKNOWN_LINK)
        if user.language is None:
            await message.answer(screens.link_out_of_date_text())
            await ask_language(message, user, i18n)
        else:
            await show_screen(message, screens.link_out_of_date())
        return
    language = target.language or user.language or suggest_language(user.telegram_language, i18n.default_locale)
    if language != user.language:  # the link's language is the person's from now on (/language changes it)
        await users.choose_language(user.id, language)
        user = replace(user, language=language)
    with i18n.use_locale(language):
        await show_screen(message, screens.link(target, content, language, user))
    await events.record("link", user, payload)
    if target.kind in VIEW_EVENTS:
        await events.record(VIEW_EVENTS[target.kind], user, target.id)


async def start(message: Message, user: User, i18n: I18n) -> None:
    if user.language is None:
        await ask_language(message, user, i18n)
    else:
        await show_screen(message, screens.welcome())


async def menu(event: Message | CallbackQuery, state: FSMContext) -> None:
    if await state.get_state() == ChecklistForm.date.state:
        await state.set_state(None)  # a date typed later must not land in a calendar left behind
    await show_menu(event)


async def language(event: Message | CallbackQuery, user: User, i18n: I18n) -> None:
    await ask_language(event, user, i18n)


async def language_chosen(query: CallbackQuery, callback_data: LanguageCb, user: User, users: UserService, i18n: I18n) -> None:
    if callback_data.code not in LANGUAGES and callback_data.code != UZ_CYRILLIC:
        await stale_button(query)
        return
    first_time = user.language is None
    language, script = ("uz", CYRILLIC) if callback_data.code == UZ_CYRILLIC else (callback_data.code, None)
    await users.choose_language(user.id, language, script)
    with i18n.use_locale(language):
        await show_screen(query, screens.language_chosen(first_time))


async def help_(event: Message | CallbackQuery, locale: str, content: Content) -> None:
    await show_screen(event, screens.help_(content, locale))


async def ask_language(event: Message | CallbackQuery, user: User, i18n: I18n) -> None:
    suggested = user.language or suggest_language(user.telegram_language, i18n.default_locale)
    current = UZ_CYRILLIC if user.script == CYRILLIC else user.language
    await show_screen(event, screens.choose_language(i18n, picker_order(suggested), current))


async def hide(event: Message | CallbackQuery, bot: Bot, hider: Hider) -> None:
    """Quick hide: the chat deleted, both ways, as far as Telegram allows; one neutral line left. The
    person's data stays (their state too: /start brings the menu back)."""
    if isinstance(event, CallbackQuery):
        await event.answer()
        chat_id = event.from_user.id  # a private chat's id is the person's (the button's message may be too old to read)
    else:
        chat_id = event.chat.id
    await hider.hide(chat_id)
    await bot.send_message(chat_id, screens.hidden())


def router() -> Router:
    router = private_router("start")
    router.message.register(start_link, CommandStart(deep_link=True))
    router.message.register(start, CommandStart())
    router.message.register(menu, Command("menu"))
    router.callback_query.register(menu, MenuCb.filter(F.section == Section.MENU))
    router.message.register(language, Command("language"))
    router.callback_query.register(language, MenuCb.filter(F.section == Section.LANGUAGE))
    router.callback_query.register(language_chosen, LanguageCb.filter())
    router.message.register(hide, Command("hide"))
    router.callback_query.register(hide, MenuCb.filter(F.section == Section.HIDE))
    router.message.register(help_, Command("help"))
    router.callback_query.register(help_, MenuCb.filter(F.section == Section.HELP))
    return router
