"""Users: who they are, which language they chose, what they told us about their journey."""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.models import CITIZENSHIPS, DESTINATIONS, LANGUAGES, OTHER_COUNTRY, User
from bot.storage.cache import MISSING, BoundedCache
from bot.storage.db import Database
from bot.storage.users import UserRepository

# last_seen is rewritten at most this often per user: it is for "active in a period" figures,
# and one write per update would cost more than everything else a button press does.
LAST_SEEN_RESOLUTION = timedelta(minutes=10)
CACHE_SIZE = 20_000  # people kept in memory; every change goes through this service, so it stays true


def suggest_language(telegram_language: str | None, default: str) -> str:
    """The supported language matching Telegram's language_code ("uz-latn" -> "uz"), else default."""
    if telegram_language:
        base = telegram_language.replace("_", "-").split("-")[0].lower()
        if base in LANGUAGES:
            return base
    return default


CYRILLIC = "cyrl"  # users.script: Uzbek shown in Cyrillic
UZ_CYRILLIC = "uz_Cyrl"  # the language picker's choice for it (the language is "uz")


def language_order(suggested: str) -> list[str]:
    return [suggested, *(code for code in LANGUAGES if code != suggested)]


def picker_order(suggested: str) -> list[str]:
    """The language picker's choices: the four languages, the suggested one first, and Uzbek in Cyrillic
    right after Uzbek."""
    order = language_order(suggested)
    at = order.index("uz") + 1
    return [*order[:at], UZ_CYRILLIC, *order[at:]]


class UserService:
    def __init__(
        self,
        db: Database,
        users: UserRepository,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        cache_size: int = CACHE_SIZE,
    ) -> None:
        self.db = db
        self.users = users
        self.clock = clock
        # 0 when several instances share the database: another may change a person between two reads
        self._cache: BoundedCache[int, User] = BoundedCache(cache_size)
        # told of a person whose language or countries changed (the figures' activity of the day: EventLog.seen)
        self.on_profile: Callable[[User], Awaitable[None]] | None = None

    async def seen(self, user_id: int, telegram_language: str | None) -> User:
        """Record that a person wrote to the bot; create them on first contact."""
        now = self.clock()
        user = await self.get(user_id)
        if user is None:
            await self.users.insert(user_id, telegram_language, now)
            return self._cache.put(user_id, User(user_id, None, telegram_language, None, None, now, now, False))
        if (
            now - user.last_seen >= LAST_SEEN_RESOLUTION
            or user.telegram_language != telegram_language
            or user.blocked
        ):
            await self.users.touch(user_id, telegram_language, now)
            user = self._written(user_id, last_seen=now, telegram_language=telegram_language, blocked=False) or await self.get(user_id)
        return user  # type: ignore[return-value]

    def passer_by(self, user_id: int, telegram_language: str | None) -> User:
        """Someone the bot does not keep (an inline query from a person who never opened the bot)."""
        now = self.clock()
        return User(user_id, None, telegram_language, None, None, now, now, False)

    async def get(self, user_id: int) -> User | None:
        cached = self._cache.get(user_id)
        if cached is not MISSING:
            return cached  # type: ignore[return-value]
        user = await self.users.get(user_id)
        return self._cache.put(user_id, user) if user is not None else None

    async def choose_language(self, user_id: int, language: str, script: str | None = None) -> None:
        """The person's language, and for Uzbek the script they read it in (CYRILLIC, or None: Latin)."""
        if language not in LANGUAGES or script not in (None, CYRILLIC) or (script and language != "uz"):
            raise ValueError(f"unsupported language {language!r} in script {script!r}")
        await self.users.set_language(user_id, language, script)
        await self._profile(user_id, language=language, script=script)

    async def set_citizenship(self, user_id: int, country: str | None) -> None:
        if country is not None and country not in (*CITIZENSHIPS, OTHER_COUNTRY):
            raise ValueError(f"unsupported citizenship {country!r}")
        await self.users.set_citizenship(user_id, country)
        await self._profile(user_id, citizenship=country)

    async def set_destination(self, user_id: int, country: str | None) -> None:
        if country is not None and country not in (*DESTINATIONS, OTHER_COUNTRY):
            raise ValueError(f"unsupported destination {country!r}")
        await self.users.set_destination(user_id, country)
        await self._profile(user_id, destination=country)

    async def set_location(self, user_id: int, country: str | None) -> None:
        """Where the person is now: their home country, a destination, or elsewhere (OTHER_COUNTRY)."""
        if country is not None and country not in (*CITIZENSHIPS, *DESTINATIONS, OTHER_COUNTRY):
            raise ValueError(f"unsupported location {country!r}")
        await self.users.set_location(user_id, country)
        self._written(user_id, location=country)

    async def mark_blocked(self, user_id: int, blocked: bool) -> None:
        await self.users.set_blocked(user_id, blocked)
        self._written(user_id, blocked=blocked)

    async def _profile(self, user_id: int, **changes: Any) -> None:
        user = self._written(user_id, **changes)
        if self.on_profile is not None and (user := user or await self.get(user_id)) is not None:
            await self.on_profile(user)

    def _written(self, user_id: int, **changes: Any) -> User | None:
        """Write-through: the cached person (if any) as the database now has them, without reading it again."""
        cached = self._cache.get(user_id)
        if not isinstance(cached, User):
            return None
        return self._cache.put(user_id, dataclasses.replace(cached, **changes))

    def forgotten(self, user_id: int) -> None:
        """The person's rows were deleted (bot.services.privacy): read them again when next needed."""
        self._cache.drop(user_id)
