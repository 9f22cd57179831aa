"""Profile: the person's citizenship and destination, used to fit advice, checklists and contacts."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from bot.callbacks import MenuCb, ProfileCb
from bot.content import Content
from bot.handlers.common import private_router, show, show_menu, stale_button
from bot.models import CITIZENSHIPS, DESTINATIONS, OTHER_COUNTRY, User
from bot.screens import checklist as checklist_screens
from bot.screens import guide as screens
from bot.screens import keyboards
from bot.services.checklist import ChecklistService
from bot.services.users import UserService
from bot.states import ProfileForm


def router() -> Router:
    router = private_router("profile")

    @router.message(Command("profile"))
    @router.callback_query(MenuCb.filter(F.section == "profile"))
    async def start(event: Message | CallbackQuery, user: User, state: FSMContext) -> None:
        await state.set_state(ProfileForm.citizenship)
        await show(event, f"{summary(user)}\n\n{ask_citizenship()}", keyboards.citizenship_choices())

    @router.callback_query(ProfileCb.filter(F.step == "cit"))
    async def citizenship(query: CallbackQuery, callback_data: ProfileCb, user: User, users: UserService, state: FSMContext) -> None:
        value = _country_value(callback_data.value, CITIZENSHIPS)
        if value is _STALE:
            await stale_button(query)
            return
        if value is not _SKIP:
            await users.set_citizenship(user.id, value)
        await state.set_state(ProfileForm.destination)
        await show(query, ask_destination(), keyboards.destination_choices())

    @router.callback_query(ProfileCb.filter(F.step == "dst"))
    async def destination(
        query: CallbackQuery, callback_data: ProfileCb, user: User, users: UserService, state: FSMContext,
        content: Content, locale: str, checklists: ChecklistService,
    ) -> None:
        value = _country_value(callback_data.value, DESTINATIONS)
        if value is _STALE:
            await stale_button(query)
            return
        if value is not _SKIP:
            await users.set_destination(user.id, value)
        then = (await state.get_data()).get("then")
        await state.clear()
        fresh = await users.get(user.id) or user
        saved = _("Saved.") + "\n" + summary(fresh)
        if then == "countries":  # the person came from the country guides: take them there
            if fresh.destination in content.guide.countries:
                screen = screens.country(content, locale, fresh.destination, fresh)
            else:
                screen = screens.countries(content)
            await show(query, f"{saved}\n\n{screen.text}", screen.markup)
            return
        if then == "checklist" and checklists.available(fresh) and fresh.citizenship is not None:
            screen = checklist_screens.checklist(content, locale, await checklists.sheet(fresh))
            await show(query, f"{saved}\n\n{screen.text}", screen.markup)
            return
        if then == "checklist":
            screen = checklist_screens.no_checklist()
            await show(query, f"{saved}\n\n{screen.text}", screen.markup)
            return
        await show_menu(query, saved)

    @router.message(StateFilter(ProfileForm.citizenship), ~F.text.startswith("/"))
    async def typed_citizenship(message: Message) -> None:
        await message.answer(
            f"{tap_a_button()}\n\n{ask_citizenship()}",
            reply_markup=keyboards.citizenship_choices(),
        )

    @router.message(StateFilter(ProfileForm.destination), ~F.text.startswith("/"))
    async def typed_destination(message: Message) -> None:
        await message.answer(
            f"{tap_a_button()}\n\n{ask_destination()}",
            reply_markup=keyboards.destination_choices(),
        )

    return router


_SKIP = object()
_STALE = object()


def _country_value(raw: str, allowed: tuple[str, ...]) -> object:
    if raw == "skip":
        return _SKIP
    if raw == "other":
        return OTHER_COUNTRY
    return raw if raw in allowed else _STALE


def ask_citizenship() -> str:
    return _("Which country are you a citizen of?")


def ask_destination() -> str:
    return _("Which country are you going to, or working in now?")


def tap_a_button() -> str:
    return _("Please tap one of the buttons.")


def summary(user: User) -> str:
    unknown = _("not given")
    other = _("another country")

    def name(code: str | None) -> str:
        if code is None:
            return unknown
        return other if code == OTHER_COUNTRY else keyboards.country_name(code)

    return _("Citizenship: {citizenship}\nDestination: {destination}").format(
        citizenship=name(user.citizenship), destination=name(user.destination)
    )
