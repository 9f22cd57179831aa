"""Keyboard builders. Labels are translated in the current locale; one button per row (big, easy to tap)."""

from __future__ import annotations

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.callbacks import SECTIONS, ForgetCb, LanguageCb, MenuCb, ProfileCb
from bot.i18n import LANGUAGE_NAMES
from bot.services.users import CITIZENSHIPS, DESTINATIONS


def section_label(section: str) -> str:
    labels = {
        "guide": _("📖 Safe migration: what to know"),
        "countries": _("🌍 Countries: rules and deadlines"),
        "contacts": _("☎️ Hotlines and contacts"),
        "agency": _("🏢 Check a recruitment agency"),
        "risk": _("⚠️ Am I at risk? Self-check"),
        "consult": _("💬 Talk to a consultant"),
        "profile": _("👤 My country and destination"),
        "language": _("🌐 Language"),
        "help": _("ℹ️ About the bot and privacy"),
    }
    return labels[section]


def country_name(code: str) -> str:
    names = {
        "KG": _("Kyrgyzstan"),
        "TJ": _("Tajikistan"),
        "UZ": _("Uzbekistan"),
        "RU": _("Russia"),
        "KZ": _("Kazakhstan"),
        "TR": _("Turkey"),
        "AE": _("United Arab Emirates"),
        "KR": _("South Korea"),
    }
    return names.get(code, code)


def main_menu() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for section in SECTIONS:
        builder.row(InlineKeyboardButton(text=section_label(section), callback_data=MenuCb(section=section).pack()))
    return builder.as_markup()


def back_to_menu() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=[[menu_button()]])


def menu_button() -> InlineKeyboardButton:
    return InlineKeyboardButton(text=_("⬅️ Main menu"), callback_data=MenuCb(section="menu").pack())


def languages(order: list[str], current: str | None = None) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for code in order:
        mark = "✅ " if code == current else ""
        builder.row(InlineKeyboardButton(text=f"{mark}{LANGUAGE_NAMES[code]}", callback_data=LanguageCb(code=code).pack()))
    return builder.as_markup()


def citizenship_choices() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for code in CITIZENSHIPS:
        builder.row(InlineKeyboardButton(text=country_name(code), callback_data=ProfileCb(step="cit", value=code).pack()))
    builder.row(InlineKeyboardButton(text=_("Another country"), callback_data=ProfileCb(step="cit", value="other").pack()))
    builder.row(InlineKeyboardButton(text=_("Skip"), callback_data=ProfileCb(step="cit", value="skip").pack()))
    return builder.as_markup()


def destination_choices() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for code in DESTINATIONS:
        builder.row(InlineKeyboardButton(text=country_name(code), callback_data=ProfileCb(step="dst", value=code).pack()))
    builder.row(InlineKeyboardButton(text=_("Another country"), callback_data=ProfileCb(step="dst", value="other").pack()))
    builder.row(InlineKeyboardButton(text=_("Skip"), callback_data=ProfileCb(step="dst", value="skip").pack()))
    return builder.as_markup()


def help_menu() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=[
        [InlineKeyboardButton(text=_("🗑 Delete my data"), callback_data=ForgetCb(confirm=False).pack())],
        [menu_button()],
    ])


def forget_confirm() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=[
        [InlineKeyboardButton(text=_("Yes, delete everything"), callback_data=ForgetCb(confirm=True).pack())],
        [InlineKeyboardButton(text=_("No, keep it"), callback_data=MenuCb(section="menu").pack())],
    ])
