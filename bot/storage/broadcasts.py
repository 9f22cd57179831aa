"""Broadcasts and their recipients: SQL only, no decisions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.models import Broadcast
from bot.storage.db import Database


def _broadcast(row: Any) -> Broadcast:
    return Broadcast(
        id=row["id"], created_at=datetime.fromisoformat(row["created_at"]), author_id=row["author_id"], text=row["text"],
        language=row["language"], citizenship=row["citizenship"], destination=row["destination"], status=row["status"],
        total=row["total"], not_before=datetime.fromisoformat(row["not_before"]) if row["not_before"] else None,
        progress_chat=row["progress_chat"], progress_msg=row["progress_msg"],
    )


AUDIENCE = (
    "FROM users WHERE blocked = 0 AND language IS NOT NULL"
    " AND (? IS NULL OR language = ?) AND (? IS NULL OR citizenship = ?) AND (? IS NULL OR destination = ?)"
)


def _audience(language: str | None, citizenship: str | None, destination: str | None) -> tuple[str | None, ...]:
    """The parameters of AUDIENCE: each filter twice (NULL matches anyone)."""
    return (language, language, citizenship, citizenship, destination, destination)


class BroadcastRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def count_audience(self, language: str | None, citizenship: str | None, destination: str | None) -> int:
        row = await self.db.fetchone(f"SELECT count(*) {AUDIENCE}", _audience(language, citizenship, destination))
        return int(row[0]) if row else 0

    async def create(
        self, author_id: int, text: str, language: str | None, citizenship: str | None, destination: str | None, now: datetime,
    ) -> int:
        """Insert the broadcast, to be sent, and its recipients (the audience as of now); the caller holds the transaction."""
        broadcast_id = await self.db.insert(
            "INSERT INTO broadcasts (created_at, author_id, text, language, citizenship, destination, status, total) "
            "VALUES (?, ?, ?, ?, ?, ?, 'sending', 0)",
            (now.isoformat(), author_id, text, language, citizenship, destination),
        )
        assert broadcast_id is not None
        await self.db.execute(
            f"INSERT INTO broadcast_recipients (broadcast_id, user_id) SELECT ?, id {AUDIENCE}",
            (broadcast_id, *_audience(language, citizenship, destination)),
        )
        row = await self.db.fetchone("SELECT count(*) FROM broadcast_recipients WHERE broadcast_id = ?", (broadcast_id,))
        await self.db.execute("UPDATE broadcasts SET total = ? WHERE id = ?", (row[0] if row else 0, broadcast_id))
        return broadcast_id

    async def get(self, broadcast_id: int) -> Broadcast | None:
        row = await self.db.fetchone("SELECT * FROM broadcasts WHERE id = ?", (broadcast_id,))
        return _broadcast(row) if row else None

    async def active(self) -> list[Broadcast]:
        return [_broadcast(r) for r in await self.db.fetchall("SELECT * FROM broadcasts WHERE status = 'sending' ORDER BY id")]

    async def claim(self, broadcast_id: int, limit: int) -> list[int]:
        rows = await self.db.returning(
            "UPDATE broadcast_recipients SET status = 'claimed' WHERE broadcast_id = ? AND user_id IN "
            "(SELECT user_id FROM broadcast_recipients WHERE broadcast_id = ? AND status = 'pending' LIMIT ?) RETURNING user_id",
            (broadcast_id, broadcast_id, limit),
        )
        return sorted(r[0] for r in rows)

    async def mark(self, broadcast_id: int, user_id: int, status: str) -> None:
        await self.db.execute(
            "UPDATE broadcast_recipients SET status = ? WHERE broadcast_id = ? AND user_id = ?", (status, broadcast_id, user_id)
        )

    async def counts(self, broadcast_id: int) -> dict[str, int]:
        rows = await self.db.fetchall(
            "SELECT status, count(*) FROM broadcast_recipients WHERE broadcast_id = ? GROUP BY status", (broadcast_id,)
        )
        return {r[0]: r[1] for r in rows}

    async def update(self, broadcast_id: int, **changes: Any) -> None:
        sets = ", ".join(f"{column} = ?" for column in changes)
        await self.db.execute(f"UPDATE broadcasts SET {sets} WHERE id = ?", (*changes.values(), broadcast_id))

    async def cancel(self, broadcast_id: int, now: datetime) -> bool:
        changed = await self.db.execute(
            "UPDATE broadcasts SET status = 'cancelled', finished_at = ? WHERE id = ? AND status = 'sending'",
            (now.isoformat(), broadcast_id),
        )
        return changed > 0

    async def recover(self) -> int:
        """After a restart: claimed ones (never tried) are sent; one cut off during its request may have it
        already, and is never sent again. Returns how many were cut off."""
        await self.db.execute("UPDATE broadcast_recipients SET status = 'pending' WHERE status = 'claimed'")
        return await self.db.execute("UPDATE broadcast_recipients SET status = 'unknown' WHERE status = 'sending'")
