"""Conversation state (aiogram's FSM) in the bot's SQLite database: SQL only, no aiogram.

Keys are built by the adapter (bot/telegram/fsm.py); here they are plain strings. States are cached:
aiogram reads the state on every update, and the cache spares that query. It is bounded, and
correct because this process is the database's only writer.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from bot.storage.cache import MISSING, BoundedCache
from bot.storage.db import Database


class FsmRepository:
    """Write-through: every state is written to SQLite before it is cached, so a restart loses nothing."""

    def __init__(self, db: Database, cache_size: int = 20_000) -> None:
        self.db = db
        self._states: BoundedCache[str, str | None] = BoundedCache(cache_size)

    async def set_state(self, key: str, user_id: int, chat_id: int, state: str | None) -> None:
        self._states.drop(key)
        await self.db.execute(
            "INSERT INTO fsm_state (key, user_id, chat_id, state, updated_at) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT(key) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at",
            (key, user_id, chat_id, state, _now()),
        )
        self._states.put(key, state)

    async def get_state(self, key: str) -> str | None:
        cached = self._states.get(key)
        if cached is not MISSING:
            return cached  # type: ignore[return-value]
        row = await self.db.fetchone("SELECT state FROM fsm_state WHERE key = ?", (key,))
        return self._states.put(key, row["state"] if row else None)

    async def set_data(self, key: str, user_id: int, chat_id: int, data: Mapping[str, Any]) -> None:
        await self.db.execute(
            "INSERT INTO fsm_state (key, user_id, chat_id, data, updated_at) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT(key) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at",
            (key, user_id, chat_id, json.dumps(data, ensure_ascii=False), _now()),
        )

    async def get_data(self, key: str) -> dict[str, Any]:
        row = await self.db.fetchone("SELECT data FROM fsm_state WHERE key = ?", (key,))
        return json.loads(row["data"]) if row else {}

    async def update_data(self, key: str, user_id: int, chat_id: int, data: Mapping[str, Any]) -> dict[str, Any]:
        async with self.db.transaction():
            current = await self.get_data(key)
            current.update(data)
            await self.set_data(key, user_id, chat_id, current)
        return current

    def drop_cached(self) -> None:
        """Forget every cached state: a person's rows were deleted (rare: simpler than indexing the cache by user)."""
        self._states.clear()


def _now() -> str:
    return datetime.now(UTC).isoformat()
