"""Keyboard builders. Labels are translated in the current locale; one button per row (big, easy to tap)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import get_i18n
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import lazy_gettext as __

from bot.callbacks import (
    SECTIONS,
    ForgetCb,
    LanguageCb,
    MenuCb,
    ProfileCb,
    ProfileStep,
    Section,
)
from bot.i18n import LANGUAGE_NAMES
from bot.models import CITIZENSHIPS, DESTINATIONS
from bot.services.users import UZ_CYRILLIC

# Lazy: each label is translated when shown, in the language of the person it is shown to.
SECTION_LABELS = {
    "guide": __("📖 Safe migration: what to know"),
    "countries": __("🌍 Countries: rules and deadlines"),
    "checklist": __("✅ My checklist and deadlines"),
    "contacts": __("☎️ Hotlines and contacts"),
    "agency": __("🏢 Check a recruitment agency"),
    "risk": __("⚠️ Am I at risk? Self-check"),
    "consult": __("💬 Talk to a consultant"),
    "profile": __("👤 My country and destination"),
    "checkin": __("🛡 Check on me"),
    "language": __("🌐 Language"),
    "help": __("ℹ️ About the bot and privacy"),
}
COUNTRY_NAMES = {
    "KG": __("Kyrgyzstan"),
    "TJ": __("Tajikistan"),
    "UZ": __("Uzbekistan"),
    "RU": __("Russia"),
    "KZ": __("Kazakhstan"),
    "TR": __("Turkey"),
    "AE": __("United Arab Emirates"),
    "KR": __("South Korea"),
}
_MENU_DATA = {section: MenuCb(section=Section(section)).pack() for section in SECTIONS}


def section_label(section: str) -> str:
    return str(SECTION_LABELS[section])


def country_name(code: str) -> str:
    name = COUNTRY_NAMES.get(code)
    return str(name) if name is not None else code


def _column(buttons: list[InlineKeyboardButton]) -> InlineKeyboardMarkup:
    """One button per row: big and easy to tap on a small screen."""
    return InlineKeyboardMarkup(inline_keyboard=[[button] for button in buttons])


def _per_locale(build: Callable[[], InlineKeyboardMarkup]) -> Callable[[], InlineKeyboardMarkup]:
    """Keyboards that depend only on the language are built once per language (they are never mutated)."""
    built: dict[str, InlineKeyboardMarkup] = {}

    @wraps(build)
    def cached() -> InlineKeyboardMarkup:
        locale = get_i18n().current_locale
        markup = built.get(locale)
        if markup is None:
            markup = built[locale] = build()
        return markup

    return cached


@_per_locale
def main_menu() -> InlineKeyboardMarkup:
    sections = [[InlineKeyboardButton(text=section_label(s), callback_data=_MENU_DATA[s])] for s in SECTIONS]
    return InlineKeyboardMarkup(inline_keyboard=[*sections, [hide_button()]])


@_per_locale
def back_to_menu() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=[[menu_button(), hide_button()]])


HIDE_DATA = MenuCb(section=Section.HIDE).pack()
MENU_DATA = MenuCb(section=Section.MENU).pack()


def hide_button() -> InlineKeyboardButton:
    """Quick hide: the chat deleted at once (bot.telegram.hide)."""
    return InlineKeyboardButton(text=_("🙈 Hide chat"), callback_data=HIDE_DATA)


def with_hide(markup: InlineKeyboardMarkup | None) -> InlineKeyboardMarkup | None:
    """The screen's buttons with the hide button beside its menu button (a new markup; the row that holds
    the menu button, wherever it is). A screen without a menu button is left as it is."""
    if markup is None:
        return None
    rows = markup.inline_keyboard
    for number, row in enumerate(rows):
        datas = [b.callback_data for b in row]
        if HIDE_DATA in datas:
            return markup
        if MENU_DATA in datas:
            return InlineKeyboardMarkup(inline_keyboard=[*rows[:number], [*row, hide_button()], *rows[number + 1:]])
    return markup


def menu_button() -> InlineKeyboardButton:
    return InlineKeyboardButton(text=_("⬅️ Main menu"), callback_data=MenuCb(section=Section.MENU).pack())


PICKER_NAMES = {**LANGUAGE_NAMES, UZ_CYRILLIC: "Ўзбекча"}  # Uzbek in Cyrillic: a choice of script, not a language


def languages(order: list[str], current: str | None = None) -> InlineKeyboardMarkup:
    return _column([
        InlineKeyboardButton(
            text=("✅ " if code == current else "") + PICKER_NAMES[code], callback_data=LanguageCb(code=code).pack()
        )
        for code in order
    ])


def _country_choices(step: ProfileStep, codes: tuple[str, ...]) -> InlineKeyboardMarkup:
    buttons = [InlineKeyboardButton(text=country_name(c), callback_data=ProfileCb(step=step, value=c).pack()) for c in codes]
    buttons.append(InlineKeyboardButton(text=_("Another country"), callback_data=ProfileCb(step=step, value="other").pack()))
    buttons.append(InlineKeyboardButton(text=_("Skip"), callback_data=ProfileCb(step=step, value="skip").pack()))
    return _column(buttons)


@_per_locale
def citizenship_choices() -> InlineKeyboardMarkup:
    return _country_choices(ProfileStep.CITIZENSHIP, CITIZENSHIPS)


@_per_locale
def destination_choices() -> InlineKeyboardMarkup:
    return _country_choices(ProfileStep.DESTINATION, DESTINATIONS)


@_per_locale
def help_menu() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=[
        [InlineKeyboardButton(text=_("🗑 Delete my data"), callback_data=ForgetCb(confirm=False).pack())],
        [menu_button()],
    ])


@_per_locale
def forget_confirm() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=[
        [InlineKeyboardButton(text=_("Yes, delete everything"), callback_data=ForgetCb(confirm=True).pack())],
        [InlineKeyboardButton(text=_("No, keep it"), callback_data=MenuCb(section=Section.MENU).pack())],
    ])
