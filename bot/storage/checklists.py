"""Checklists and reminders repository: SQL only, no decisions."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

import aiosqlite

from bot.models import Mark, Planned, Reminder, Trip
from bot.storage.db import Database


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _reminder(row: aiosqlite.Row) -> Reminder:
    return Reminder(row["id"], row["user_id"], row["item"], date.fromisoformat(row["deadline"]),
                    row["days_before"], row["due_at"], row["attempts"])


class ChecklistRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    # -- trip and marks --------------------------------------------------------------------
    async def trip(self, user_id: int) -> Trip | None:
        row = await self.db.fetchone("SELECT * FROM trips WHERE user_id = ?", (user_id,))
        if row is None:
            return None
        return Trip(row["user_id"], row["country"], _day(row["departure"]), _day(row["arrival"]), bool(row["reminders"]))

    async def save_trip(self, trip: Trip, now: datetime) -> None:
        await self.db.execute(
            "INSERT INTO trips (user_id, country, departure, arrival, reminders, updated_at) VALUES (?, ?, ?, ?, ?, ?) "
            "ON CONFLICT(user_id) DO UPDATE SET country = excluded.country, departure = excluded.departure, "
            "arrival = excluded.arrival, reminders = excluded.reminders, updated_at = excluded.updated_at",
            (trip.user_id, trip.country, trip.departure and trip.departure.isoformat(),
             trip.arrival and trip.arrival.isoformat(), int(trip.reminders), now.isoformat()),
        )

    async def marks(self, user_id: int) -> dict[str, Mark]:
        rows = await self.db.fetchall("SELECT * FROM checklist_marks WHERE user_id = ?", (user_id,))
        return {row["item"]: Mark(row["item"], row["done_at"] is not None, _day(row["day"]), bool(row["muted"]), row["paid"]) for row in rows}

    async def save_mark(self, user_id: int, mark: Mark, now: datetime) -> None:
        await self.db.execute(
            "INSERT INTO checklist_marks (user_id, item, done_at, day, muted, paid) VALUES (?, ?, ?, ?, ?, ?) "
            "ON CONFLICT(user_id, item) DO UPDATE SET done_at = excluded.done_at, day = excluded.day, "
            "muted = excluded.muted, paid = excluded.paid",
            (user_id, mark.item, now.isoformat() if mark.done else None, mark.day and mark.day.isoformat(),
             int(mark.muted), mark.paid),
        )

    # -- the reminders a person has --------------------------------------------------------
    async def pending(self, user_id: int) -> list[Reminder]:
        rows = await self.db.fetchall(
            "SELECT * FROM reminders WHERE user_id = ? AND status = 'pending' ORDER BY due_at", (user_id,)
        )
        return [_reminder(row) for row in rows]

    async def replace_plan(self, user_id: int, keep: Iterable[Planned], add: Iterable[Planned]) -> None:
        """Pending reminders not in `keep` go; those in `add` come (unless already sent: never twice)."""
        keys = {(p.item, p.deadline.isoformat(), p.days_before) for p in keep}
        new_rows = [(user_id, p.item, p.deadline.isoformat(), p.days_before, p.due_at) for p in add]
        async with self.db.transaction():  # one writer: the job cannot claim a row between the read and the delete
            rows = await self.db.fetchall(
                "SELECT id, item, deadline, days_before FROM reminders WHERE user_id = ? AND status = 'pending'", (user_id,)
            )
            stale = [(row["id"],) for row in rows if (row["item"], row["deadline"], row["days_before"]) not in keys]
            if stale:
                await self.db.executemany("DELETE FROM reminders WHERE id = ? AND status = 'pending'", stale)
            if new_rows:
                await self.db.executemany(
                    "INSERT INTO reminders (user_id, item, deadline, days_before, due_at) VALUES (?, ?, ?, ?, ?) "
                    "ON CONFLICT(user_id, item, deadline, days_before) DO NOTHING",
                    new_rows,
                )

    async def drop_pending(self, user_id: int) -> int:
        return await self.db.execute("DELETE FROM reminders WHERE user_id = ? AND status = 'pending'", (user_id,))

    # -- the scheduler's side ---------------------------------------------------------------
    async def claim_due(self, now: int, limit: int) -> list[Reminder]:
        """Take up to `limit` due reminders, oldest first, in one statement (the partial index finds them)."""
        rows = await self.db.returning(
            "UPDATE reminders SET status = 'claimed', claimed_at = ? WHERE id IN ("
            " SELECT id FROM reminders WHERE status = 'pending' AND due_at <= ? ORDER BY due_at LIMIT ?"
            ") RETURNING *",
            (now, now, limit),
        )
        return sorted((_reminder(row) for row in rows), key=lambda r: (r.due_at, r.id))

    async def mark(self, ids: Iterable[int], status: str, *, sent_at: int | None = None) -> None:
        await self.db.executemany(
            "UPDATE reminders SET status = ?, sent_at = COALESCE(?, sent_at) WHERE id = ?",
            [(status, sent_at, reminder_id) for reminder_id in ids],
        )

    async def release(self, ids: Iterable[int], due_at: int, *, failed: bool = False) -> None:
        """Back to pending, due again at `due_at`; `failed` counts an attempt."""
        await self.db.executemany(
            "UPDATE reminders SET status = 'pending', due_at = ?, attempts = attempts + ? WHERE id = ?",
            [(due_at, int(failed), reminder_id) for reminder_id in ids],
        )

    async def recover(self) -> tuple[int, int]:
        """After a restart: claimed (never tried) and sending (cut off mid-request) go back to pending."""
        async with self.db.transaction():
            claimed = await self.db.execute("UPDATE reminders SET status = 'pending' WHERE status = 'claimed'")
            sending = await self.db.execute("UPDATE reminders SET status = 'pending' WHERE status = 'sending'")
        return claimed, sending

    async def count(self, status: str) -> int:
        row = await self.db.fetchone("SELECT COUNT(*) FROM reminders WHERE status = ?", (status,))
        return int(row[0]) if row else 0
