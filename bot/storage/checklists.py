"""Checklists and reminders repository: statements only, no decisions."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, bindparam, delete, func, or_, select, update

from bot.models import Mark, Planned, Reminder, Trip
from bot.storage.db import Database
from bot.storage.schema import checklist_marks, reminders, trips


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _reminder(row: Any) -> Reminder:
    return Reminder(row["id"], row["user_id"], row["item"], date.fromisoformat(row["deadline"]),
                    row["days_before"], row["due_at"], row["attempts"])


class ChecklistRepository:
    def __init__(self, db: Database, holder: str = "main") -> None:
        self.db = db
        self.holder = holder  # this instance: its name goes on its claims
        insert = db.sql.insert
        person: Any = bindparam("user_id")
        self._trip = select(trips).where(trips.c.user_id == person)
        trip = insert(trips).values({c: bindparam(c) for c in ("user_id", "country", "departure", "arrival", "reminders", "updated_at")})
        self._save_trip = trip.on_conflict_do_update(index_elements=[trips.c.user_id], set_={
            c: trip.excluded[c] for c in ("country", "departure", "arrival", "reminders", "updated_at")})
        self._marks = select(checklist_marks).where(checklist_marks.c.user_id == person)
        mark = insert(checklist_marks).values({c: bindparam(c) for c in ("user_id", "item", "done_at", "day", "muted", "paid")})
        self._save_mark = mark.on_conflict_do_update(
            index_elements=[checklist_marks.c.user_id, checklist_marks.c.item],
            set_={c: mark.excluded[c] for c in ("done_at", "day", "muted", "paid")})
        waiting = and_(reminders.c.user_id == person, reminders.c.status == "pending")
        self._pending = select(reminders).where(waiting).order_by(reminders.c.due_at)
        self._planned = select(reminders.c.id, reminders.c.item, reminders.c.deadline, reminders.c.days_before).where(waiting)
        self._drop_one = delete(reminders).where(reminders.c.id == bindparam("id"), reminders.c.status == "pending")
        self._plan = insert(reminders).values(
            {c: bindparam(c) for c in ("user_id", "item", "deadline", "days_before", "due_at")}
        ).on_conflict_do_nothing(index_elements=[reminders.c.user_id, reminders.c.item, reminders.c.deadline, reminders.c.days_before])
        self._drop_pending = delete(reminders).where(waiting)
        self._statements()

    def _statements(self) -> None:
        """The scheduler's side. A claim skips the rows another instance has locked (PostgreSQL; SQLite has one writer)."""
        due = (select(reminders.c.id).where(reminders.c.status == "pending", reminders.c.due_at <= bindparam("now"))
               .order_by(reminders.c.due_at).limit(bindparam("limit")).with_for_update(skip_locked=True))
        self._claim = (update(reminders).where(reminders.c.id.in_(due.scalar_subquery()))
                       .values(status="claimed", claimed_at=bindparam("now"), holder=bindparam("holder")).returning(*reminders.c))
        one = reminders.c.id == bindparam("id")
        self._mark = update(reminders).where(one).values(status=bindparam("status"), sent_at=func.coalesce(bindparam("sent_at"), reminders.c.sent_at))
        self._release = update(reminders).where(one).values(
            status="pending", due_at=bindparam("due_at"), attempts=reminders.c.attempts + bindparam("failed"))
        dead = or_(reminders.c.holder.is_(None), reminders.c.holder.in_(bindparam("dead", expanding=True)))
        self._back = {old: update(reminders).where(reminders.c.status == old, dead).values(status="pending", holder=None)
                      for old in ("claimed", "sending")}
        self._back_all = {old: update(reminders).where(reminders.c.status == old).values(status="pending", holder=None)
                          for old in ("claimed", "sending")}
        self._count = select(func.count()).select_from(reminders).where(reminders.c.status == bindparam("status"))

    # -- trip and marks --------------------------------------------------------------------
    async def trip(self, user_id: int) -> Trip | None:
        row = await self.db.fetchone(self._trip, {"user_id": user_id})
        if row is None:
            return None
        return Trip(row["user_id"], row["country"], _day(row["departure"]), _day(row["arrival"]), bool(row["reminders"]))

    async def save_trip(self, trip: Trip, now: datetime) -> None:
        await self.db.execute(self._save_trip, {
            "user_id": trip.user_id, "country": trip.country, "departure": trip.departure and trip.departure.isoformat(),
            "arrival": trip.arrival and trip.arrival.isoformat(), "reminders": int(trip.reminders), "updated_at": now.isoformat(),
        })

    async def marks(self, user_id: int) -> dict[str, Mark]:
        rows = await self.db.fetchall(self._marks, {"user_id": user_id})
        return {row["item"]: Mark(row["item"], row["done_at"] is not None, _day(row["day"]), bool(row["muted"]), row["paid"]) for row in rows}

    async def save_mark(self, user_id: int, mark: Mark, now: datetime) -> None:
        await self.db.execute(self._save_mark, {
            "user_id": user_id, "item": mark.item, "done_at": now.isoformat() if mark.done else None,
            "day": mark.day and mark.day.isoformat(), "muted": int(mark.muted), "paid": mark.paid,
        })

    # -- the reminders a person has --------------------------------------------------------
    async def pending(self, user_id: int) -> list[Reminder]:
        return [_reminder(row) for row in await self.db.fetchall(self._pending, {"user_id": user_id})]

    async def replace_plan(self, user_id: int, keep: Iterable[Planned], add: Iterable[Planned]) -> None:
        """Pending reminders not in `keep` go; those in `add` come (unless already sent: never twice)."""
        keys = {(p.item, p.deadline.isoformat(), p.days_before) for p in keep}
        new_rows = [{"user_id": user_id, "item": p.item, "deadline": p.deadline.isoformat(), "days_before": p.days_before,
                     "due_at": p.due_at} for p in add]
        async with self.db.transaction():  # one writer: the job cannot claim a row between the read and the delete
            rows = await self.db.fetchall(self._planned, {"user_id": user_id})
            stale = [{"id": row["id"]} for row in rows if (row["item"], row["deadline"], row["days_before"]) not in keys]
            if stale:
                await self.db.executemany(self._drop_one, stale)
            if new_rows:
                await self.db.executemany(self._plan, new_rows)

    async def drop_pending(self, user_id: int) -> int:
        return await self.db.execute(self._drop_pending, {"user_id": user_id})

    # -- the scheduler's side ---------------------------------------------------------------
    async def claim_due(self, now: int, limit: int) -> list[Reminder]:
        """Take up to `limit` due reminders, oldest first, in one statement (the partial index finds them)."""
        rows = await self.db.returning(self._claim, {"now": now, "limit": limit, "holder": self.holder})
        return sorted((_reminder(row) for row in rows), key=lambda r: (r.due_at, r.id))

    async def mark(self, ids: Iterable[int], status: str, *, sent_at: int | None = None) -> None:
        await self.db.executemany(self._mark, [{"status": status, "sent_at": sent_at, "id": reminder_id} for reminder_id in ids])

    async def release(self, ids: Iterable[int], due_at: int, *, failed: bool = False) -> None:
        """Back to pending, due again at `due_at`; `failed` counts an attempt."""
        await self.db.executemany(self._release, [{"due_at": due_at, "failed": int(failed), "id": reminder_id} for reminder_id in ids])

    async def recover(self, dead: Collection[str] | None = None) -> tuple[int, int]:
        """After a restart, or once an instance died: its claimed (never tried) and sending (cut off
        mid-request) reminders go back to pending; those of the instances in `dead`, and unsigned ones
        (None: every one, the process runs alone)."""
        back, params = (self._back_all, {}) if dead is None else (self._back, {"dead": list(dead) or [""]})
        async with self.db.transaction():
            claimed = await self.db.execute(back["claimed"], params)
            sending = await self.db.execute(back["sending"], params)
        return claimed, sending

    async def count(self, status: str) -> int:
        row = await self.db.fetchone(self._count, {"status": status})
        return int(row[0]) if row else 0
