"""The guidance: topics by group, country guides personalised by citizenship, and the contacts directory."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from bot.callbacks import ContactsCb, GuideCb, MenuCb
from bot.content import Content
from bot.handlers.common import private_router, show, stale_button
from bot.models import User
from bot.screens import guide as screens
from bot.screens.guide import NEED_LABELS
from bot.services.events import EventLog
from bot.states import ProfileForm


def router() -> Router:
    router = private_router("guide")

    @router.message(Command("guide"))
    @router.callback_query(MenuCb.filter(F.section == "guide"))
    @router.callback_query(GuideCb.filter(F.kind == "home"))
    async def home(event: Message | CallbackQuery, content: Content, locale: str) -> None:
        screen = screens.guide_home(content, locale)
        await show(event, screen.text, screen.markup)

    @router.callback_query(GuideCb.filter(F.kind == "grp"))
    async def group(query: CallbackQuery, callback_data: GuideCb, content: Content, locale: str) -> None:
        if callback_data.id not in content.guide.groups:
            await stale_button(query)
            return
        screen = screens.group(content, locale, callback_data.id)
        await show(query, screen.text, screen.markup)

    @router.callback_query(GuideCb.filter(F.kind == "top"))
    async def topic(query: CallbackQuery, callback_data: GuideCb, content: Content, locale: str, user: User, events: EventLog) -> None:
        if callback_data.id not in content.parents:
            await stale_button(query)
            return
        screen = screens.topic(content, locale, callback_data.id, callback_data.page, user)
        await show(query, screen.text, screen.markup)
        if callback_data.page == 0:
            await events.record("guide", user, callback_data.id)

    @router.message(Command("countries"))
    @router.callback_query(MenuCb.filter(F.section == "countries"))
    async def countries(event: Message | CallbackQuery, content: Content, locale: str, user: User, state: FSMContext) -> None:
        if user.destination in content.guide.countries:
            screen = screens.country(content, locale, user.destination, user)
        elif user.destination is None and user.citizenship is None:
            # asked once, here: the guide fits the person's citizenship and destination
            await state.set_state(ProfileForm.citizenship)
            await state.update_data(then="countries")
            screen = screens.ask_profile_for_countries()
        else:
            screen = screens.countries(content)
        await show(event, screen.text, screen.markup)

    @router.callback_query(GuideCb.filter(F.kind == "cties"))
    async def country_list(query: CallbackQuery, content: Content) -> None:
        screen = screens.countries(content)
        await show(query, screen.text, screen.markup)

    @router.callback_query(GuideCb.filter(F.kind == "cty"))
    async def country(query: CallbackQuery, callback_data: GuideCb, content: Content, locale: str, user: User, events: EventLog) -> None:
        if callback_data.id not in content.guide.countries:
            await stale_button(query)
            return
        screen = screens.country(content, locale, callback_data.id, user)
        await show(query, screen.text, screen.markup)
        await events.record("country", user, callback_data.id)

    @router.message(Command("contacts"))
    @router.callback_query(MenuCb.filter(F.section == "contacts"))
    @router.callback_query(ContactsCb.filter(F.by == "home"))
    async def contacts(event: Message | CallbackQuery, content: Content, locale: str, user: User) -> None:
        screen = screens.contacts_home(content, locale, user)
        await show(event, screen.text, screen.markup)

    @router.callback_query(ContactsCb.filter(F.by == "c"))
    async def contacts_country(query: CallbackQuery, callback_data: ContactsCb, content: Content, locale: str) -> None:
        if callback_data.value not in content.contact_countries():
            await stale_button(query)
            return
        screen = screens.contacts_for_country(content, locale, callback_data.value)
        await show(query, screen.text, screen.markup)

    @router.callback_query(ContactsCb.filter(F.by == "n"))
    async def contacts_need(query: CallbackQuery, callback_data: ContactsCb, content: Content, locale: str) -> None:
        if callback_data.value not in NEED_LABELS or not content.contacts(need=callback_data.value):
            await stale_button(query)
            return
        screen = screens.contacts_for_need(content, locale, callback_data.value)
        await show(query, screen.text, screen.markup)

    return router
