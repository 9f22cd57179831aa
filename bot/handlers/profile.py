"""Profile: the person's citizenship and destination, used to fit advice, checklists and contacts."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from bot.callbacks import MenuCb, ProfileCb, ProfileStep, Section
from bot.content import Content
from bot.handlers.common import private_router, show_menu, show_screen, stale_button
from bot.models import CITIZENSHIPS, DESTINATIONS, OTHER_COUNTRY, User
from bot.screens import checklist as checklist_screens
from bot.screens import profile as screens
from bot.screens.common import Screen
from bot.services.checklist import ChecklistService
from bot.services.users import UserService
from bot.states import ProfileData, ProfileForm

_SKIP = object()
_STALE = object()


def _country_value(raw: str, allowed: tuple[str, ...]) -> str | object:
    if raw == "skip":
        return _SKIP
    if raw == "other":
        return OTHER_COUNTRY
    return raw if raw in allowed else _STALE


async def start(event: Message | CallbackQuery, user: User, state: FSMContext) -> None:
    await state.set_state(ProfileForm.citizenship)
    await show_screen(event, screens.start(user))


async def citizenship(query: CallbackQuery, callback_data: ProfileCb, user: User, users: UserService, state: FSMContext) -> None:
    value = _country_value(callback_data.value, CITIZENSHIPS)
    if value is _STALE:
        await stale_button(query)
        return
    if isinstance(value, str):
        await users.set_citizenship(user.id, value)
    await state.set_state(ProfileForm.destination)
    await show_screen(query, screens.ask_destination())


async def destination(
    query: CallbackQuery, callback_data: ProfileCb, user: User, users: UserService, state: FSMContext,
    content: Content, locale: str, checklists: ChecklistService,
) -> None:
    value = _country_value(callback_data.value, DESTINATIONS)
    if value is _STALE:
        await stale_button(query)
        return
    if isinstance(value, str):
        await users.set_destination(user.id, value)
    then = ProfileData.from_dict(await state.get_data()).then
    await state.clear()
    fresh = await users.get(user.id) or user
    if then == "countries":  # the person came from the country guides: take them there
        await show_screen(query, screens.saved_then(fresh, screens.for_countries(content, locale, fresh)))
    elif then == "checklist":  # the person came from the checklist: take them there
        await show_screen(query, screens.saved_then(fresh, await _checklist(fresh, content, locale, checklists)))
    else:
        await show_menu(query, screens.saved_text(fresh))


async def _checklist(user: User, content: Content, locale: str, checklists: ChecklistService) -> Screen:
    if checklists.available(user) and user.citizenship is not None:
        return checklist_screens.checklist(content, locale, await checklists.sheet(user))
    return checklist_screens.no_checklist()


async def typed_citizenship(message: Message) -> None:
    await show_screen(message, screens.citizenship_again())


async def typed_destination(message: Message) -> None:
    await show_screen(message, screens.destination_again())


def router() -> Router:
    router = private_router("profile")
    router.message.register(start, Command("profile"))
    router.callback_query.register(start, MenuCb.filter(F.section == Section.PROFILE))
    router.callback_query.register(citizenship, ProfileCb.filter(F.step == ProfileStep.CITIZENSHIP))
    router.callback_query.register(destination, ProfileCb.filter(F.step == ProfileStep.DESTINATION))
    router.message.register(typed_citizenship, StateFilter(ProfileForm.citizenship), ~F.text.startswith("/"))
    router.message.register(typed_destination, StateFilter(ProfileForm.destination), ~F.text.startswith("/"))
    return router
