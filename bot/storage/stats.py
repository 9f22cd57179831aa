"""The figures' queries (counts only: no names, no Telegram ids, nothing anyone wrote) and the weekly
digest's record of what was sent. Statements only, no decisions."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, delete, distinct, func, select

from bot.storage.db import Database
from bot.storage.schema import activity, cases, digests, events, reminders, users


@dataclass(frozen=True, slots=True)
class Figure:
    section: str  # users | active | leaflet | guide | country | link | screening | agency_check | checklist | reminders | cases
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


SINCE: Any = bindparam("since")
UNTIL: Any = bindparam("until")


def _by(column: str) -> Any:
    """People by one of their columns, all who came before the end."""
    key = func.coalesce(users.c[column], "unknown").label("k")
    return select(key, func.count()).where(users.c.first_seen < UNTIL).group_by(key).order_by(key)


def _active_by(column: str) -> Any:
    """People active in the period by one of their columns (as on their days of activity)."""
    key = func.coalesce(activity.c[column], "unknown").label("k")
    return (select(key, func.count(distinct(activity.c.actor))).where(activity.c.day >= SINCE, activity.c.day <= UNTIL)
            .group_by(key).order_by(key))


PROFILE = ("language", "citizenship", "destination")
BY = {column: _by(column) for column in PROFILE}
ACTIVE_BY = {column: _active_by(column) for column in PROFILE}
# each leaflet's (deep link payload's) reach: the people who opened it in the period (how often: the
# events' "link" section)
LEAFLETS = (select(events.c.detail, func.count(distinct(events.c.actor)))
            .where(events.c.kind == "link", events.c.at >= SINCE, events.c.at < UNTIL)
            .group_by(events.c.detail).order_by(events.c.detail))
NEW = select(func.count()).select_from(users).where(users.c.first_seen >= SINCE, users.c.first_seen < UNTIL)
ACTIVE = select(func.count(distinct(activity.c.actor))).where(activity.c.day >= SINCE, activity.c.day <= UNTIL)
OPENED = (select(cases.c.kind, func.count()).where(cases.c.created_at >= SINCE, cases.c.created_at < UNTIL)
          .group_by(cases.c.kind).order_by(cases.c.kind))
TAKEN = select(cases.c.created_at, cases.c.taken_at).where(cases.c.taken_at.is_not(None), cases.c.taken_at >= SINCE,
                                                           cases.c.taken_at < UNTIL)
_outcome = func.coalesce(cases.c.outcome, "-").label("o")
CLOSED = (select(_outcome, func.count()).where(cases.c.closed_at >= SINCE, cases.c.closed_at < UNTIL)
          .group_by(_outcome).order_by(_outcome))
_detail = func.coalesce(events.c.detail, "-").label("d")
EVENTS = (select(events.c.kind, _detail, func.count()).where(events.c.at >= SINCE, events.c.at < UNTIL)
          .group_by(events.c.kind, _detail).order_by(events.c.kind, _detail))
SENT = select(func.count()).select_from(reminders).where(reminders.c.status == "sent", reminders.c.sent_at >= SINCE,
                                                         reminders.c.sent_at < UNTIL)
ACTIVE_BY_DAY = (select(activity.c.day, func.count()).where(activity.c.day >= SINCE, activity.c.day <= UNTIL)
                 .group_by(activity.c.day))


def _per_day(column: Any) -> Any:
    """Rows per day (UTC) of an ISO time column, in [since, until)."""
    day = func.substr(column, 1, 10).label("b")
    return select(day, func.count()).where(column >= SINCE, column < UNTIL).group_by(day)


NEW_BY_DAY, CASES_BY_DAY = _per_day(users.c.first_seen), _per_day(cases.c.created_at)
ANYONE = select(users.c.id).where(users.c.first_seen < UNTIL).limit(1)
RELEASE = delete(digests).where(digests.c.admin_id == bindparam("admin_id"), digests.c.week == bindparam("week"))


async def _people(db: Database, start: date, end: date) -> list[Figure]:
    """People in the bot by language and countries (all who came before the end: "users"), new ones, and the
    people active in the period, in all and by language and countries ("active")."""
    since, until = _iso(start), _iso(end + timedelta(days=1))
    days = {"since": start.isoformat(), "until": end.isoformat()}
    out: list[Figure] = []
    for column, statement in BY.items():
        out += [Figure("users", f"{column}={r[0]}", r[1]) for r in await db.fetchall(statement, {"until": until})]
    row = await db.fetchone(NEW, {"since": since, "until": until})
    out.append(Figure("users", "new", row[0] if row else 0))
    row = await db.fetchone(ACTIVE, days)
    out.append(Figure("active", "people", row[0] if row else 0))
    for column, statement in ACTIVE_BY.items():
        out += [Figure("active", f"{column}={r[0]}", r[1]) for r in await db.fetchall(statement, days)]
    out += [Figure("leaflet", payload, people) for payload, people in await db.fetchall(LEAFLETS, {"since": since, "until": until})]
    return out


async def _cases(db: Database, since: str, until: str) -> list[Figure]:
    period = {"since": since, "until": until}
    out = [Figure("cases", f"opened:{r[0]}", r[1]) for r in await db.fetchall(OPENED, period)]
    rows = await db.fetchall(TAKEN, period)
    waits = [(datetime.fromisoformat(r[1]) - datetime.fromisoformat(r[0])).total_seconds() / 60 for r in rows]
    out.append(Figure("cases", "taken", len(waits)))
    if waits:
        out.append(Figure("cases", "median_minutes_to_take", round(statistics.median(waits), 1)))
    out += [Figure("cases", f"closed:{r[0]}", r[1]) for r in await db.fetchall(CLOSED, period)]
    return out


async def figures(db: Database, start: date, end: date) -> list[Figure]:
    """Anonymous figures for the days start..end (both included, UTC)."""
    since, until = _iso(start), _iso(end + timedelta(days=1))
    out = await _people(db, start, end)
    out += [Figure(kind, detail, count) for kind, detail, count in await db.fetchall(EVENTS, {"since": since, "until": until})]
    row = await db.fetchone(SENT, {"since": int(datetime.fromisoformat(since).timestamp()),
                                   "until": int(datetime.fromisoformat(until).timestamp())})
    out.append(Figure("reminders", "sent", row[0] if row else 0))
    return out + await _cases(db, since, until)


async def _active_by_week(db: Database, first: date, start: date, end: date) -> dict[str, int]:
    """People active on several days of a week count once: one range count per week (from Monday `first`)."""
    active = {}
    day = first
    while day <= end:
        row = await db.fetchone(ACTIVE, {"since": max(day, start).isoformat(), "until": min(day + timedelta(days=6), end).isoformat()})
        active[day.isoformat()] = row[0] if row else 0
        day += timedelta(days=7)
    return active


def _weekly(per_day: dict[str, int]) -> dict[str, int]:
    """Per-day counts added up per week, keyed by the week's Monday."""
    out: dict[str, int] = {}
    for day, count in per_day.items():
        monday = date.fromisoformat(day) - timedelta(days=date.fromisoformat(day).weekday())
        out[monday.isoformat()] = out.get(monday.isoformat(), 0) + count
    return out


async def buckets(db: Database, start: date, end: date, *, by_week: bool) -> list[Bucket]:
    """Active people, new people and cases opened per day (per week from Monday, by_week), zeros included."""
    period = {"since": _iso(start), "until": _iso(end + timedelta(days=1))}
    first = start - timedelta(days=start.weekday()) if by_week else start
    step = timedelta(days=7 if by_week else 1)
    if by_week:
        active = await _active_by_week(db, first, start, end)
    else:  # (day, actor) is unique: the rows of a day are its people
        active = {r[0]: r[1] for r in await db.fetchall(ACTIVE_BY_DAY, {"since": start.isoformat(), "until": end.isoformat()})}
    new = {r[0]: r[1] for r in await db.fetchall(NEW_BY_DAY, period)}
    opened = {r[0]: r[1] for r in await db.fetchall(CASES_BY_DAY, period)}
    if by_week:
        new, opened = _weekly(new), _weekly(opened)
    out: list[Bucket] = []
    day = first
    while day <= end:
        key = day.isoformat()
        out.append(Bucket(day, active.get(key, 0), new.get(key, 0), opened.get(key, 0)))
        day += step
    return out


async def anyone_before(db: Database, until: datetime) -> bool:
    """Whether anyone had come to the bot before this moment."""
    return await db.fetchone(ANYONE, {"until": until.isoformat()}) is not None


async def claim_digest(db: Database, admin_id: int, week: date, now: datetime) -> bool:
    """Mark the week's digest as sent to this admin; False when it already was."""
    claim = db.sql.insert(digests).values(admin_id=admin_id, week=week.isoformat(), sent_at=now.isoformat()).on_conflict_do_nothing()
    return bool(await db.execute(claim))


async def release_digest(db: Database, admin_id: int, week: date) -> None:
    """The digest did not go out after all: the next tick tries again."""
    await db.execute(RELEASE, {"admin_id": admin_id, "week": week.isoformat()})
