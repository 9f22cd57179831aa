"""Translations: gettext catalogs (`locales/<lang>/LC_MESSAGES/messages.po`) compiled in memory at start.

Source strings are English msgids marked with `_()` (now) or `__()` (lazy) from aiogram.utils.i18n.
No `.mo` files are kept in git: `.po` files are compiled when the bot starts (bot/content/catalogs.py).
"""

from __future__ import annotations

import gettext
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from aiogram.types import TelegramObject
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n.middleware import I18nMiddleware

from bot.content.catalogs import (
    DOMAIN,
    KEYWORDS,
    LANGUAGE_NAMES,
    PACKAGE_DIR,
    catalog_problems,
    compile_catalog,
    compiled,
    extract,
    po_path,
    read_catalog,
    update_catalogs,
)
from bot.models import LANGUAGES
from bot.services.users import suggest_language

__all__ = [
    "DOMAIN", "KEYWORDS", "LANGUAGE_NAMES", "PACKAGE_DIR", "CatalogI18n", "LocaleMiddleware", "catalog_problems",
    "compile_catalog", "compiled", "extract", "locale_for", "po_path", "read_catalog", "update_catalogs",
]


class CatalogI18n(I18n):
    """aiogram's I18n, reading `.po` files and compiling them in memory."""

    @contextmanager
    def context(self) -> Iterator[I18n]:
        # aiogram's gettext() looks up I18n's own context slot; a subclass gets a slot of its own.
        token = I18n.set_current(self)
        try:
            yield self
        finally:
            I18n.reset_current(token)

    def find_locales(self) -> dict[str, gettext.GNUTranslations]:
        translations: dict[str, gettext.GNUTranslations] = {}
        for language in LANGUAGES:
            path = po_path(self.path, language)
            if path.exists():
                translations[language] = compiled(path, language)
        return translations


class LocaleMiddleware(I18nMiddleware):
    """The person's chosen language; before they choose, the one Telegram reports (if supported)."""

    async def get_locale(self, event: TelegramObject, data: dict[str, Any]) -> str:
        locale = locale_for(data, self.i18n.default_locale)
        data["locale"] = locale
        return locale


def locale_for(data: dict[str, Any], default: str) -> str:
    user = data.get("user")
    if user is not None and user.language:
        return str(user.language)
    tg_user = data.get("event_from_user")
    return suggest_language(getattr(tg_user, "language_code", None), default)
