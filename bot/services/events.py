"""Usage events, recorded without message content.

An event says what happened (a guide topic opened, a self-check's level, an agency check's result),
when, and in which language and for which countries. It never holds what a person wrote. The person
is kept as `actor`, a keyed hash (HMAC-SHA256 with a random key stored in the database), so the
figures (bot/services/stats.py) can count people without naming them; /forget deletes a person's
events too.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from collections.abc import Callable
from datetime import UTC, datetime

from bot.models import User
from bot.storage.events import EventRepository

log = logging.getLogger(__name__)

# "link": a deep link or a leaflet's QR code opened; its detail is the payload (which leaflet), or
# UNKNOWN_LINK for one the bot does not know (never what was typed: a payload can be typed by hand)
# "checkin": safety check-ins set up ("on"), answered ("ok"), missed twice with a consultant told ("raised") or not ("missed")
KINDS = ("guide", "country", "screening", "agency_check", "agency_report", "checklist", "link", "checkin")
DETAIL_LIMIT = 64  # ids, codes and link payloads (Telegram's limit) only
UNKNOWN_LINK = "?"


class EventLog:
    def __init__(self, repo: EventRepository, clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.repo = repo
        self.clock = clock
        self._key: bytes | None = None
        self._day = ""
        # people already counted active today, with the profile written: one write per person a day (or per change)
        self._seen_today: dict[int, tuple[str | None, str | None, str | None]] = {}

    async def _secret(self) -> bytes:
        if self._key is None:
            value = await self.repo.key()
            if value is None:
                await self.repo.add_key(secrets.token_hex(32))
                value = await self.repo.key()
            assert value is not None
            self._key = bytes.fromhex(value)
        return self._key

    async def actor(self, user_id: int) -> str:
        return hmac.new(await self._secret(), str(user_id).encode(), hashlib.sha256).hexdigest()[:24]

    async def record(self, kind: str, user: User, detail: str | None = None) -> None:
        """Write one event; a failure is logged and never stops what the person was doing."""
        if kind not in KINDS:
            raise ValueError(f"unknown event kind {kind!r}")
        try:
            await self.repo.add(
                self.clock().isoformat(), kind, (detail or None) and detail[:DETAIL_LIMIT], user.language,
                user.citizenship, user.destination, await self.actor(user.id),
            )
        except Exception:
            log.exception("could not record a %s event", kind)

    async def record_once(self, kind: str, user: User, detail: str) -> None:
        """Write the event unless this person already has one of this kind and detail (e.g. a checklist started)."""
        try:
            exists = await self.repo.exists(await self.actor(user.id), kind, detail)
        except Exception:
            log.exception("could not read %s events", kind)
            return
        if not exists:
            await self.record(kind, user, detail)

    async def seen(self, user: User) -> None:
        """The person used the bot today (UTC): one row a day, for the count of active people, with their
        language and countries (the day's last: written again only when they change, e.g. a language
        chosen at the first /start), for the period's breakdowns."""
        day = self.clock().astimezone(UTC).date().isoformat()
        if day != self._day:
            self._day, self._seen_today = day, {}
        profile = (user.language, user.citizenship, user.destination)
        if self._seen_today.get(user.id) == profile:
            return
        try:
            await self.repo.add_activity(day, await self.actor(user.id), *profile)
            self._seen_today[user.id] = profile
        except Exception:
            log.exception("could not record activity")

    def forgotten(self, user_id: int) -> None:
        """The person's rows were deleted (bot.services.privacy): count them again when they come back."""
        self._seen_today.pop(user_id, None)
