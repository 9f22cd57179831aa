"""Usage events, recorded without message content, and the figures made from them.

An event says what happened (a guide topic opened, a self-check's level, an agency check's result),
when, and in which language and for which countries. It never holds what a person wrote. The person
is kept as `actor`, a keyed hash (HMAC-SHA256 with a random key stored in the database), so the
figures can count people without naming them; /forget deletes a person's events too.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import statistics
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from bot.models import User
from bot.storage.db import Database

log = logging.getLogger(__name__)

KINDS = ("guide", "country", "screening", "agency_check", "agency_report", "checklist")
DETAIL_LIMIT = 40  # ids and codes only


class EventLog:
    def __init__(self, db: Database, clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.db = db
        self.clock = clock
        self._key: bytes | None = None
        self._day = ""
        self._seen_today: set[int] = set()  # people already counted active today: one write per person a day

    async def _secret(self) -> bytes:
        if self._key is None:
            row = await self.db.fetchone("SELECT value FROM meta WHERE name = 'events_key'")
            if row is None:
                await self.db.execute(
                    "INSERT INTO meta (name, value) VALUES ('events_key', ?) ON CONFLICT (name) DO NOTHING",
                    (secrets.token_hex(32),),
                )
                row = await self.db.fetchone("SELECT value FROM meta WHERE name = 'events_key'")
            assert row is not None
            self._key = bytes.fromhex(row[0])
        return self._key

    async def actor(self, user_id: int) -> str:
        return hmac.new(await self._secret(), str(user_id).encode(), hashlib.sha256).hexdigest()[:24]

    async def record(self, kind: str, user: User, detail: str | None = None) -> None:
        """Write one event; a failure is logged and never stops what the person was doing."""
        if kind not in KINDS:
            raise ValueError(f"unknown event kind {kind!r}")
        try:
            await self.db.execute(
                "INSERT INTO events (at, kind, detail, language, citizenship, destination, actor) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (self.clock().isoformat(), kind, (detail or None) and detail[:DETAIL_LIMIT], user.language,
                 user.citizenship, user.destination, await self.actor(user.id)),
            )
        except Exception:  # noqa: BLE001 - figures are never worth a failed answer
            log.exception("could not record a %s event", kind)

    async def record_once(self, kind: str, user: User, detail: str) -> None:
        """Write the event unless this person already has one of this kind and detail (e.g. a checklist started)."""
        try:
            row = await self.db.fetchone(
                "SELECT 1 FROM events WHERE actor = ? AND kind = ? AND detail = ?", (await self.actor(user.id), kind, detail)
            )
        except Exception:  # noqa: BLE001
            log.exception("could not read %s events", kind)
            return
        if row is None:
            await self.record(kind, user, detail)

    async def seen(self, user_id: int) -> None:
        """The person used the bot today (UTC): one row a day, for the count of active people."""
        day = self.clock().astimezone(UTC).date().isoformat()
        if day != self._day:
            self._day, self._seen_today = day, set()
        if user_id in self._seen_today:
            return
        try:
            await self.db.execute(
                "INSERT INTO activity (day, actor) VALUES (?, ?) ON CONFLICT DO NOTHING", (day, await self.actor(user_id))
            )
            self._seen_today.add(user_id)
        except Exception:  # noqa: BLE001 - figures are never worth a failed answer
            log.exception("could not record activity")

    async def forget(self, user_id: int) -> None:
        actor = await self.actor(user_id)
        await self.db.execute("DELETE FROM events WHERE actor = ?", (actor,))
        await self.db.execute("DELETE FROM activity WHERE actor = ?", (actor,))
        self._seen_today.discard(user_id)

    def forgotten(self, user_id: int) -> None:
        """The person's rows were deleted (bot.services.privacy): count them again when they come back."""
        self._seen_today.discard(user_id)


@dataclass(frozen=True, slots=True)
class Figure:
    section: str  # users | active | guide | screening | agency_check | checklist | reminders | cases
    key: str  # e.g. "language=ky", "level=high", "opened", "median_minutes_to_take"
    value: float


def _iso(day: date) -> str:
    return datetime(day.year, day.month, day.day, tzinfo=UTC).isoformat()


async def figures(db: Database, start: date, end: date) -> list[Figure]:
    """Anonymous figures for the days start..end (both included, UTC)."""
    since, until = _iso(start), _iso(end + timedelta(days=1))
    out: list[Figure] = []
    for column in ("language", "citizenship", "destination"):
        rows = await db.fetchall(
            f"SELECT coalesce({column}, 'unknown') AS k, count(*) FROM users WHERE first_seen < ? GROUP BY k ORDER BY k",
            (until,),
        )
        out += [Figure("users", f"{column}={r[0]}", r[1]) for r in rows]
    row = await db.fetchone("SELECT count(*) FROM users WHERE first_seen >= ? AND first_seen < ?", (since, until))
    out.append(Figure("users", "new", row[0] if row else 0))
    row = await db.fetchone(
        "SELECT count(DISTINCT actor) FROM activity WHERE day >= ? AND day <= ?", (start.isoformat(), end.isoformat())
    )
    out.append(Figure("active", "people", row[0] if row else 0))
    rows = await db.fetchall(
        "SELECT kind, coalesce(detail, '-'), count(*) FROM events WHERE at >= ? AND at < ? "
        "GROUP BY kind, detail ORDER BY kind, detail",
        (since, until),
    )
    out += [Figure(kind, detail, count) for kind, detail, count in rows]
    row = await db.fetchone(
        "SELECT count(*) FROM reminders WHERE status = 'sent' AND sent_at >= ? AND sent_at < ?",
        (int(datetime.fromisoformat(since).timestamp()), int(datetime.fromisoformat(until).timestamp())),
    )
    out.append(Figure("reminders", "sent", row[0] if row else 0))
    rows = await db.fetchall(
        "SELECT kind, count(*) FROM cases WHERE created_at >= ? AND created_at < ? GROUP BY kind ORDER BY kind", (since, until)
    )
    out += [Figure("cases", f"opened:{r[0]}", r[1]) for r in rows]
    rows = await db.fetchall(
        "SELECT created_at, taken_at FROM cases WHERE taken_at IS NOT NULL AND taken_at >= ? AND taken_at < ?", (since, until)
    )
    waits = [(datetime.fromisoformat(r[1]) - datetime.fromisoformat(r[0])).total_seconds() / 60 for r in rows]
    out.append(Figure("cases", "taken", len(waits)))
    if waits:
        out.append(Figure("cases", "median_minutes_to_take", round(statistics.median(waits), 1)))
    rows = await db.fetchall(
        "SELECT coalesce(outcome, '-'), count(*) FROM cases WHERE closed_at >= ? AND closed_at < ? GROUP BY outcome ORDER BY outcome",
        (since, until),
    )
    out += [Figure("cases", f"closed:{r[0]}", r[1]) for r in rows]
    return out


@dataclass(frozen=True, slots=True)
class Bucket:
    """One day (or one week, for long periods) of the chart."""

    start: date
    active: int
    new: int
    cases: int


def weekly(start: date, end: date) -> bool:
    """Long periods are charted by week (from Monday): 366 daily bars could not be read."""
    return (end - start).days + 1 > 62


async def buckets(db: Database, start: date, end: date) -> list[Bucket]:
    """Active people, new people and cases opened per day (per week for long periods), zeros included."""
    since, until = _iso(start), _iso(end + timedelta(days=1))
    by_week = weekly(start, end)

    def group(column: str) -> str:
        day = f"substr({column}, 1, 10)"
        return f"date({day}, '-6 days', 'weekday 1')" if by_week else day

    first = start - timedelta(days=start.weekday()) if by_week else start
    step = timedelta(days=7 if by_week else 1)
    if by_week:  # people active on several days of a week count once: one range count per week
        active = {}
        day = first
        while day <= end:
            row = await db.fetchone(
                "SELECT count(DISTINCT actor) FROM activity WHERE day >= ? AND day <= ?",
                (max(day, start).isoformat(), min(day + step - timedelta(days=1), end).isoformat()),
            )
            active[day.isoformat()] = row[0] if row else 0
            day += step
    else:  # (day, actor) is unique: the rows of a day are its people
        active = {r[0]: r[1] for r in await db.fetchall(
            "SELECT day, count(*) FROM activity WHERE day >= ? AND day <= ? GROUP BY day",
            (start.isoformat(), end.isoformat()),
        )}
    new = {r[0]: r[1] for r in await db.fetchall(
        f"SELECT {group('first_seen')} AS b, count(*) FROM users WHERE first_seen >= ? AND first_seen < ? GROUP BY b",
        (since, until),
    )}
    cases = {r[0]: r[1] for r in await db.fetchall(
        f"SELECT {group('created_at')} AS b, count(*) FROM cases WHERE created_at >= ? AND created_at < ? GROUP BY b",
        (since, until),
    )}
    out: list[Bucket] = []
    day = first
    while day <= end:
        key = day.isoformat()
        out.append(Bucket(day, active.get(key, 0), new.get(key, 0), cases.get(key, 0)))
        day += step
    return out


def to_csv(rows: list[Figure], start: date, end: date) -> str:
    lines = ["from,to,section,key,value"]
    for figure in rows:
        value = int(figure.value) if float(figure.value).is_integer() else figure.value
        lines.append(f"{start.isoformat()},{end.isoformat()},{figure.section},{figure.key},{value}")
    return "\n".join(lines) + "\n"
