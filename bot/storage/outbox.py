"""Outbox and inbox repositories: SQL only.

The outbox holds what the bot must post (alerts, relayed messages) until Telegram has taken it; the
inbox holds each update received until it has been handled. Both rows are deleted when done, so
message text stays only as long as it must.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from bot.models import OutboxItem
from bot.storage.db import Database


class OutboxRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def add(
        self, chat_id: int, method: str, payload: dict[str, Any], now: datetime, *,
        case_id: int | None = None, track: str | None = None, source_id: int | None = None,
    ) -> int:
        item_id = await self.db.insert(
            "INSERT INTO outbox (chat_id, method, payload, case_id, track, source_id, created_at, not_before) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (chat_id, method, json.dumps(payload, ensure_ascii=False), case_id, track, source_id, now.isoformat(), now.isoformat()),
        )
        assert item_id is not None
        return item_id

    async def due(self, now: datetime, limit: int, ids: list[int] | None = None) -> list[OutboxItem]:
        sql = (
            "SELECT * FROM outbox WHERE not_before <= ? AND (claimed_until IS NULL OR claimed_until < ?)"
        )
        params: list[Any] = [now.isoformat(), now.isoformat()]
        if ids is not None:
            sql += f" AND id IN ({', '.join('?' for _ in ids)})"
            params += ids
        rows = await self.db.fetchall(sql + " ORDER BY id LIMIT ?", (*params, limit))
        return [
            OutboxItem(r["id"], r["chat_id"], r["method"], json.loads(r["payload"]), r["case_id"], r["track"],
                       r["source_id"], r["attempts"])
            for r in rows
        ]

    async def claim(self, item_id: int, now: datetime, until: datetime) -> bool:
        """Take an item for sending; False when another sender has it."""
        changed = await self.db.execute(
            "UPDATE outbox SET claimed_until = ? WHERE id = ? AND (claimed_until IS NULL OR claimed_until < ?)",
            (until.isoformat(), item_id, now.isoformat()),
        )
        return changed == 1

    async def release_claims(self) -> None:
        """At start: claims of a process that died are void (one process runs the bot)."""
        await self.db.execute("UPDATE outbox SET claimed_until = NULL WHERE claimed_until IS NOT NULL")

    async def earlier_in_chat(self, item_id: int, chat_id: int) -> bool:
        """An older item for the same chat is still waiting: send in order."""
        row = await self.db.fetchone("SELECT 1 FROM outbox WHERE chat_id = ? AND id < ? LIMIT 1", (chat_id, item_id))
        return row is not None

    async def done(self, item_id: int) -> None:
        await self.db.execute("DELETE FROM outbox WHERE id = ?", (item_id,))

    async def retry(self, item_id: int, not_before: datetime, error: str) -> None:
        await self.db.execute(
            "UPDATE outbox SET attempts = attempts + 1, not_before = ?, claimed_until = NULL, last_error = ? WHERE id = ?",
            (not_before.isoformat(), error, item_id),
        )

    async def pending(self) -> int:
        row = await self.db.fetchone("SELECT COUNT(*) FROM outbox")
        return int(row[0]) if row else 0

    async def next_due(self) -> datetime | None:
        row = await self.db.fetchone("SELECT MIN(not_before) FROM outbox")
        return datetime.fromisoformat(row[0]) if row and row[0] else None


class InboxRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def add(self, update_id: int, payload: str, now: datetime) -> None:
        await self.db.execute(
            "INSERT INTO inbox (update_id, payload, received_at) VALUES (?, ?, ?) ON CONFLICT(update_id) DO NOTHING",
            (update_id, payload, now.isoformat()),
        )

    async def remove(self, update_id: int) -> None:
        await self.db.execute("DELETE FROM inbox WHERE update_id = ?", (update_id,))

    async def pending(self) -> list[tuple[int, str, int]]:
        rows = await self.db.fetchall("SELECT update_id, payload, attempts FROM inbox ORDER BY update_id")
        return [(r[0], r[1], r[2]) for r in rows]

    async def bump(self, update_id: int) -> None:
        await self.db.execute("UPDATE inbox SET attempts = attempts + 1 WHERE update_id = ?", (update_id,))
