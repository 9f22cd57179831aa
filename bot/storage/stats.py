"""The figures' queries (counts only: no names, no Telegram ids, nothing anyone wrote) and the weekly
digest's record of what was sent. SQL only, no decisions."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from bot.storage.db import Database


@dataclass(frozen=True, slots=True)
class Figure:
    section: str  # users | active | guide | screening | agency_check | checklist | reminders | cases
    key: str  # e.g. "language=ky", "level=high", "opened", "median_minutes_to_take"
    value: float


@dataclass(frozen=True, slots=True)
class Bucket:
    """One day (or one week, for long periods) of the chart."""

    start: date
    active: int
    new: int
    cases: int


def _iso(day: date) -> str:
    return datetime(day.year, day.month, day.day, tzinfo=UTC).isoformat()


async def _people(db: Database, start: date, end: date) -> list[Figure]:
    """People in the bot by language and countries (all who came before the end), new ones, active ones."""
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
    return out


async def _cases(db: Database, since: str, until: str) -> list[Figure]:
    rows = await db.fetchall(
        "SELECT kind, count(*) FROM cases WHERE created_at >= ? AND created_at < ? GROUP BY kind ORDER BY kind", (since, until)
    )
    out = [Figure("cases", f"opened:{r[0]}", r[1]) for r in rows]
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


async def figures(db: Database, start: date, end: date) -> list[Figure]:
    """Anonymous figures for the days start..end (both included, UTC)."""
    since, until = _iso(start), _iso(end + timedelta(days=1))
    out = await _people(db, start, end)
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
    return out + await _cases(db, since, until)


async def _active_by_week(db: Database, first: date, start: date, end: date) -> dict[str, int]:
    """People active on several days of a week count once: one range count per week (from Monday `first`)."""
    active = {}
    day = first
    while day <= end:
        row = await db.fetchone(
            "SELECT count(DISTINCT actor) FROM activity WHERE day >= ? AND day <= ?",
            (max(day, start).isoformat(), min(day + timedelta(days=6), end).isoformat()),
        )
        active[day.isoformat()] = row[0] if row else 0
        day += timedelta(days=7)
    return active


async def buckets(db: Database, start: date, end: date, *, by_week: bool) -> list[Bucket]:
    """Active people, new people and cases opened per day (per week from Monday, by_week), zeros included."""
    since, until = _iso(start), _iso(end + timedelta(days=1))

    def group(column: str) -> str:
        day = f"substr({column}, 1, 10)"
        return f"date({day}, '-6 days', 'weekday 1')" if by_week else day

    first = start - timedelta(days=start.weekday()) if by_week else start
    step = timedelta(days=7 if by_week else 1)
    if by_week:
        active = await _active_by_week(db, first, start, end)
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


async def anyone_before(db: Database, until: datetime) -> bool:
    """Whether anyone had come to the bot before this moment."""
    return await db.fetchone("SELECT 1 FROM users WHERE first_seen < ? LIMIT 1", (until.isoformat(),)) is not None


async def claim_digest(db: Database, admin_id: int, week: date, now: datetime) -> bool:
    """Mark the week's digest as sent to this admin; False when it already was."""
    claimed = await db.execute(
        "INSERT INTO digests (admin_id, week, sent_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
        (admin_id, week.isoformat(), now.isoformat()),
    )
    return bool(claimed)


async def release_digest(db: Database, admin_id: int, week: date) -> None:
    """The digest did not go out after all: the next tick tries again."""
    await db.execute("DELETE FROM digests WHERE admin_id = ? AND week = ?", (admin_id, week.isoformat()))
