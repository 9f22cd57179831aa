"""Figures for NGO staff: the period an admin types after /stats, the report made from the anonymous
counts (bot/storage/stats.py), its CSV, and when the weekly digest is due and to whom it went.

Everything here is counts: no names, no Telegram ids, nothing anyone wrote (see bot/services/events.py).
No wording: a period that cannot be read is a PeriodError with a reason code; bot/screens/stats.py
says it in the admin's language and draws the table and the chart.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from bot.services.dates import add_months
from bot.storage import stats as queries
from bot.storage.db import Database
from bot.storage.stats import Bucket

MAX_DAYS = 366
WEEKLY_OVER = 62  # days: longer periods are charted by week
# The digest goes out on Monday once it is 09:00 in Tashkent and Dushanbe (10:00 in Bishkek, 07:00 in Moscow).
DIGEST_AT = time(4, 0)


class PeriodError(ValueError):
    """The text after /stats is not a period; `reason` says why, as a code the screen puts in words:
    too_long (with `limit`), no_month, not_understood, reversed, not_begun."""

    def __init__(self, reason: str, **values: object) -> None:
        super().__init__("not a period")
        self.reason = reason
        self.values = values


@dataclass(frozen=True, slots=True)
class Period:
    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def shown(self) -> str:
        if self.start == self.end:
            return self.start.strftime("%d.%m.%Y")
        return f"{self.start.strftime('%d.%m.%Y')} – {self.end.strftime('%d.%m.%Y')}"

    def before(self) -> Period:
        """The period of the same length just before this one."""
        return Period(self.start - timedelta(days=self.days), self.start - timedelta(days=1))


def last_days(days: int, today: date) -> Period:
    return Period(today - timedelta(days=days - 1), today)


def _date(text: str) -> date | None:
    for shape in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return datetime.strptime(text, shape).date()
        except ValueError:
            continue
    return None


def _month(year: int, month: int, today: date) -> Period:
    if not 1 <= month <= 12:
        raise PeriodError("no_month")
    start = date(year, month, 1)
    end = add_months(start, 1) - timedelta(days=1)
    return Period(start, min(end, today))


def _days(text: str, today: date) -> Period:
    parts = [p for p in re.split(r"\s*(?:\.\.|–|—|\s)\s*", text) if p]
    days = [_date(p) for p in parts]
    if not 1 <= len(days) <= 2 or any(d is None for d in days):
        raise PeriodError("not_understood")
    start, end = days[0], days[-1]
    assert start is not None and end is not None
    if end < start:
        raise PeriodError("reversed")
    return Period(start, min(end, today))


def parse_period(text: str, today: date) -> Period:
    """What may follow /stats: nothing (the last 7 days), a number of days (`30`), a month (`2026-11`),
    a day, or two days (`2026-11-01 2026-11-20`, also `01.11.2026..20.11.2026`)."""
    text = text.strip().lower()
    if not text:
        return last_days(7, today)
    if match := re.fullmatch(r"(\d{1,3})\s*d?", text):
        days = int(match.group(1))
        if not 1 <= days <= MAX_DAYS:
            raise PeriodError("too_long", limit=MAX_DAYS)
        return last_days(days, today)
    if match := re.fullmatch(r"(\d{4})-(\d{2})", text):
        period = _month(int(match.group(1)), int(match.group(2)), today)
    else:
        period = _days(text, today)
    if period.start > today:
        raise PeriodError("not_begun")
    if period.days > MAX_DAYS:
        raise PeriodError("too_long", limit=MAX_DAYS)
    return period


def weekly(start: date, end: date) -> bool:
    """Long periods are charted by week (from Monday): 366 daily bars could not be read."""
    return (end - start).days + 1 > WEEKLY_OVER


@dataclass
class Report:
    period: Period
    values: dict[tuple[str, str], float]
    buckets: list[Bucket] = field(default_factory=list)

    @property
    def weekly(self) -> bool:
        return weekly(self.period.start, self.period.end)

    def get(self, section: str, key: str) -> float:
        return self.values.get((section, key), 0)

    def total(self, section: str, prefix: str = "") -> int:
        return int(sum(v for (s, k), v in self.values.items() if s == section and k.startswith(prefix)))

    def breakdown(self, section: str, prefix: str = "") -> list[tuple[str, int]]:
        """(key without the prefix, count), largest first."""
        rows = [(k.removeprefix(prefix), int(v)) for (s, k), v in self.values.items() if s == section and k.startswith(prefix)]
        return sorted((row for row in rows if row[1]), key=lambda row: (-row[1], row[0]))


class StatsService:
    def __init__(self, db: Database, clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.db = db
        self.clock = clock

    def today(self) -> date:
        return self.clock().astimezone(UTC).date()

    def button_period(self, start: str, end: str) -> Period | None:
        """The period a button carries (YYYY-MM-DD twice), or None when it is not one the bot would offer."""
        try:
            period = Period(date.fromisoformat(start), date.fromisoformat(end))
        except ValueError:
            return None
        ok = period.start <= period.end <= self.today() and period.days <= MAX_DAYS
        return period if ok else None

    async def report(self, period: Period) -> Report:
        with self.db.offloaded():  # passes over a year of events: the bot goes on answering meanwhile
            rows = await queries.figures(self.db, period.start, period.end)
            found = await queries.buckets(self.db, period.start, period.end, by_week=weekly(period.start, period.end))
        return Report(period, {(f.section, f.key): f.value for f in rows}, found)

    # -- the weekly digest ----------------------------------------------------------------------
    def due_week(self) -> Period:
        """Last week (Monday to Sunday), once this week's sending time has come."""
        now = self.clock().astimezone(UTC)
        monday = now.date() - timedelta(days=now.weekday())
        if now < datetime.combine(monday, DIGEST_AT, tzinfo=UTC):
            monday -= timedelta(days=7)  # before Monday's hour: the week before last is the one still due
        return Period(monday - timedelta(days=7), monday - timedelta(days=1))

    async def digest_week(self) -> Period | None:
        """The week a digest is due for, or None when the bot had no one yet that week (a new installation)."""
        week = self.due_week()
        until = datetime.combine(week.end + timedelta(days=1), time(0), tzinfo=UTC)
        return week if await queries.anyone_before(self.db, until) else None

    async def claim_digest(self, admin_id: int, week: Period) -> bool:
        """True when this admin has not had this week's digest: it is theirs to send now."""
        return await queries.claim_digest(self.db, admin_id, week.start, self.clock())

    async def release_digest(self, admin_id: int, week: Period) -> None:
        await queries.release_digest(self.db, admin_id, week.start)
