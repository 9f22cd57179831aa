"""The inbox repository: SQL only.

Each update is written here before Telegram is told it arrived, and handled from here. Once handled,
its payload is emptied and its id stays a day (`handled_at`), so the same update is never handled
twice and polling resumes after the newest one. What the bot sent while handling an update is kept
apart, in bot.storage.calls.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.storage.db import Database


class InboxRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def receive(self, updates: Sequence[tuple[int, str]], now: datetime) -> set[int]:
        """Write a batch of received updates (id, payload) in one transaction; returns the ids that are new.
        An id already here (handled, or waiting to be replayed) is not new."""
        if not updates:
            return set()
        fresh: set[int] = set()
        async with self.db.transaction():
            for update_id, payload in updates:
                rows = await self.db.returning(
                    "INSERT INTO inbox (update_id, payload, received_at) VALUES (?, ?, ?) "
                    "ON CONFLICT(update_id) DO NOTHING RETURNING update_id",
                    (update_id, payload, now.isoformat()),
                )
                fresh.update(int(r[0]) for r in rows)
        return fresh

    async def handled(self, update_id: int, now: datetime) -> None:
        """The update is done: forget its payload, keep its id for a day."""
        await self.db.execute(
            "UPDATE inbox SET payload = '', handled_at = ? WHERE update_id = ?", (now.isoformat(), update_id)
        )

    async def is_handled(self, update_id: int) -> bool:
        row = await self.db.fetchone("SELECT handled_at FROM inbox WHERE update_id = ?", (update_id,))
        return row is not None and row[0] is not None

    async def pending(self) -> list[tuple[int, str, int]]:
        """Updates received and not handled (a previous run stopped on them), oldest first."""
        rows = await self.db.fetchall(
            "SELECT update_id, payload, attempts FROM inbox WHERE handled_at IS NULL ORDER BY update_id"
        )
        return [(r[0], r[1], r[2]) for r in rows]

    async def bump(self, update_id: int) -> None:
        await self.db.execute("UPDATE inbox SET attempts = attempts + 1 WHERE update_id = ?", (update_id,))

    async def next_offset(self) -> int | None:
        """The offset to ask Telegram for: after the newest update ever written here."""
        row = await self.db.fetchone("SELECT MAX(update_id) FROM inbox")
        return int(row[0]) + 1 if row and row[0] is not None else None

    async def prune(self, before: datetime) -> int:
        """Forget the ids of updates handled before `before`, all but the newest (it holds the offset)."""
        return await self.db.execute(
            "DELETE FROM inbox WHERE handled_at < ? AND update_id < (SELECT MAX(update_id) FROM inbox)",
            (before.isoformat(),),
        )
