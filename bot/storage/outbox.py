"""The outbox repository: SQL only.

The outbox holds what the bot must post (alerts, relayed messages) until Telegram has taken it; a row
is deleted once sent, so message text stays only as long as it must.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import aiosqlite

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

    async def get(self, item_id: int) -> OutboxItem | None:
        row = await self.db.fetchone("SELECT * FROM outbox WHERE id = ?", (item_id,))
        return _item(row) if row else None

    async def due_chats(self, now: datetime, limit: int) -> list[int]:
        """Chats with an item that can go now, the one waiting longest first."""
        rows = await self.db.fetchall(
            "SELECT chat_id FROM outbox WHERE not_before <= ? AND (claimed_until IS NULL OR claimed_until < ?) "
            "GROUP BY chat_id ORDER BY MIN(id) LIMIT ?",
            (now.isoformat(), now.isoformat(), limit),
        )
        return [int(r[0]) for r in rows]

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

    async def chats_of(self, ids: list[int]) -> list[int]:
        """The chats these items are for, in the order of their first item."""
        marks = ", ".join("?" for _ in ids)
        rows = await self.db.fetchall(
            f"SELECT chat_id FROM outbox WHERE id IN ({marks}) GROUP BY chat_id ORDER BY MIN(id)", tuple(ids)
        )
        return [int(r[0]) for r in rows]

    async def head_of_chat(self, chat_id: int, now: datetime, limit: int) -> list[OutboxItem]:
        """The oldest items for a chat that can go now, in order, up to the first that must wait (its time
        has not come, or another sender has it): what comes after it waits too, to keep the order."""
        rows = await self.db.fetchall(
            "SELECT *, (not_before <= ? AND (claimed_until IS NULL OR claimed_until < ?)) AS ready "
            "FROM outbox WHERE chat_id = ? ORDER BY id LIMIT ?",
            (now.isoformat(), now.isoformat(), chat_id, limit),
        )
        items = []
        for r in rows:
            if not r["ready"]:
                break
            items.append(_item(r))
        return items

    async def drop_topic_changes(self, chat_id: int, thread: int) -> int:
        """Forget the queued renames and closes of a topic (a newer case takes it over)."""
        return await self.db.execute(
            "DELETE FROM outbox WHERE chat_id = ? AND method = 'topic' AND claimed_until IS NULL "
            "AND json_extract(payload, '$.thread') = ? AND json_extract(payload, '$.op') IN ('edit', 'close')",
            (chat_id, thread),
        )

    async def retarget(self, chat_id: int, old: int, new: int | None) -> None:
        """Every item waiting for topic `old` of the group goes to topic `new` (None: General), in order."""
        change = "json_remove(payload, '$.thread')" if new is None else "json_set(payload, '$.thread', ?)"
        await self.db.execute(
            f"UPDATE outbox SET payload = {change} WHERE chat_id = ? AND json_extract(payload, '$.thread') = ?",
            (chat_id, old) if new is None else (new, chat_id, old),
        )

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



def _item(r: aiosqlite.Row) -> OutboxItem:
    return OutboxItem(r["id"], r["chat_id"], r["method"], json.loads(r["payload"]), r["case_id"], r["track"],
                      r["source_id"], r["attempts"])
