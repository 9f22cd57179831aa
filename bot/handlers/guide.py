"""The guidance: topics by group, country guides personalised by citizenship, and the contacts directory."""

from __future__ import annotations

from dataclasses import replace

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from bot.callbacks import ContactsBy, ContactsCb, GuideCb, GuideKind, MenuCb, Section
from bot.content import Content
from bot.handlers.common import private_router, show_screen, stale_button
from bot.models import CITIZENSHIPS, DESTINATIONS, OTHER_COUNTRY, User
from bot.screens import guide as screens
from bot.screens.guide import NEED_LABELS
from bot.services.events import EventLog
from bot.services.users import UserService
from bot.states import ProfileData, ProfileForm


async def home(event: Message | CallbackQuery, content: Content, locale: str) -> None:
    await show_screen(event, screens.guide_home(content, locale))


async def group(query: CallbackQuery, callback_data: GuideCb, content: Content, locale: str) -> None:
    if callback_data.id not in content.guide.groups:
        await stale_button(query)
        return
    await show_screen(query, screens.group(content, locale, callback_data.id))


async def topic(query: CallbackQuery, callback_data: GuideCb, content: Content, locale: str, user: User, events: EventLog) -> None:
    if callback_data.id not in content.parents:
        await stale_button(query)
        return
    await show_screen(query, screens.topic(content, locale, callback_data.id, callback_data.page, user))
    if callback_data.page == 0:
        await events.record("guide", user, callback_data.id)


async def sources(query: CallbackQuery, callback_data: GuideCb, content: Content, locale: str) -> None:
    if callback_data.id not in content.parents:
        await stale_button(query)
        return
    await show_screen(query, screens.sources(content, locale, callback_data.id, callback_data.page))


async def countries(event: Message | CallbackQuery, content: Content, locale: str, user: User, state: FSMContext) -> None:
    if user.destination in content.guide.countries:
        screen = screens.country(content, locale, user.destination, user)
    elif user.destination is None and user.citizenship is None:
        # asked once, here: the guide fits the person's citizenship and destination
        await state.set_state(ProfileForm.citizenship)
        await state.update_data(ProfileData(then="countries").to_dict())
        screen = screens.ask_profile_for_countries()
    else:
        screen = screens.countries(content)
    await show_screen(event, screen)


async def country_list(query: CallbackQuery, content: Content) -> None:
    await show_screen(query, screens.countries(content))


async def country(query: CallbackQuery, callback_data: GuideCb, content: Content, locale: str, user: User, events: EventLog) -> None:
    if callback_data.id not in content.guide.countries:
        await stale_button(query)
        return
    await show_screen(query, screens.country(content, locale, callback_data.id, user))
    await events.record("country", user, callback_data.id)


async def contacts(event: Message | CallbackQuery, content: Content, locale: str, user: User) -> None:
    await show_screen(event, screens.contacts_home(content, locale, user))


async def contacts_country(query: CallbackQuery, callback_data: ContactsCb, content: Content, locale: str, user: User) -> None:
    if callback_data.value not in content.contact_countries():
        await stale_button(query)
        return
    await show_screen(query, screens.contacts_for_country(content, locale, callback_data.value, user.citizenship))


async def contacts_need(query: CallbackQuery, callback_data: ContactsCb, content: Content, locale: str, user: User) -> None:
    if callback_data.value not in NEED_LABELS or not content.contacts(need=callback_data.value, citizenship=user.citizenship):
        await stale_button(query)
        return
    await show_screen(query, screens.contacts_for_need(content, locale, callback_data.value, user.citizenship))


async def contacts_at(query: CallbackQuery, callback_data: ContactsCb, content: Content, locale: str, user: User, users: UserService) -> None:
    """"I am here now": remembered, and the numbers for there; "?" asks again."""
    if callback_data.value == "?":
        await show_screen(query, screens.ask_place(content, locale, user))
        return
    if callback_data.value not in (*CITIZENSHIPS, *DESTINATIONS, OTHER_COUNTRY):
        await stale_button(query)
        return
    await users.set_location(user.id, callback_data.value)
    await show_screen(query, screens.contacts_home(content, locale, replace(user, location=callback_data.value)))


def router() -> Router:
    router = private_router("guide")
    router.message.register(home, Command("guide"))
    router.callback_query.register(home, MenuCb.filter(F.section == Section.GUIDE))
    router.callback_query.register(home, GuideCb.filter(F.kind == GuideKind.HOME))
    router.callback_query.register(group, GuideCb.filter(F.kind == GuideKind.GROUP))
    router.callback_query.register(topic, GuideCb.filter(F.kind == GuideKind.TOPIC))
    router.callback_query.register(sources, GuideCb.filter(F.kind == GuideKind.SOURCES))
    router.message.register(countries, Command("countries"))
    router.callback_query.register(countries, MenuCb.filter(F.section == Section.COUNTRIES))
    router.callback_query.register(country_list, GuideCb.filter(F.kind == GuideKind.COUNTRIES))
    router.callback_query.register(country, GuideCb.filter(F.kind == GuideKind.COUNTRY))
    router.message.register(contacts, Command("contacts"))
    router.callback_query.register(contacts, MenuCb.filter(F.section == Section.CONTACTS))
    router.callback_query.register(contacts, ContactsCb.filter(F.by == ContactsBy.HOME))
    router.callback_query.register(contacts_country, ContactsCb.filter(F.by == ContactsBy.COUNTRY))
    router.callback_query.register(contacts_need, ContactsCb.filter(F.by == ContactsBy.NEED))
    router.callback_query.register(contacts_at, ContactsCb.filter(F.by == ContactsBy.AT))
    return router
