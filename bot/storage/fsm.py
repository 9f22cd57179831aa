"""aiogram FSM storage in the bot's SQLite database, so a half-finished flow survives a restart."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from aiogram.fsm.state import State
from aiogram.fsm.storage.base import (
    BaseStorage,
    DefaultKeyBuilder,
    KeyBuilder,
    StateType,
    StorageKey,
)

from bot.storage.cache import MISSING, BoundedCache
from bot.storage.db import Database


def _state_name(state: StateType) -> str | None:
    if isinstance(state, State):
        return state.state
    return state


class SQLiteStorage(BaseStorage):
    """Write-through: every state is written to SQLite before it is cached, so a restart loses nothing.

    The cache spares a query on every update (aiogram reads the state each time); it is bounded,
    and correct because this process is the database's only writer.
    """

    def __init__(self, db: Database, key_builder: KeyBuilder | None = None, cache_size: int = 20_000) -> None:
        self.db = db
        self.key_builder = key_builder or DefaultKeyBuilder(with_bot_id=True, with_destiny=True)
        self._states: BoundedCache[str, str | None] = BoundedCache(cache_size)

    def _key(self, key: StorageKey) -> str:
        return self.key_builder.build(key)

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        name = self._key(key)
        self._states.drop(name)
        await self.db.execute(
            "INSERT INTO fsm_state (key, user_id, chat_id, state, updated_at) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT(key) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at",
            (name, key.user_id, key.chat_id, _state_name(state), _now()),
        )
        self._states.put(name, _state_name(state))

    async def get_state(self, key: StorageKey) -> str | None:
        name = self._key(key)
        cached = self._states.get(name)
        if cached is not MISSING:
            return cached  # type: ignore[return-value]
        row = await self.db.fetchone("SELECT state FROM fsm_state WHERE key = ?", (name,))
        return self._states.put(name, row["state"] if row else None)

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        if not isinstance(data, dict):
            raise TypeError(f"Data must be a dict, not {type(data).__name__}")
        await self.db.execute(
            "INSERT INTO fsm_state (key, user_id, chat_id, data, updated_at) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT(key) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at",
            (self._key(key), key.user_id, key.chat_id, json.dumps(data, ensure_ascii=False), _now()),
        )

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        row = await self.db.fetchone("SELECT data FROM fsm_state WHERE key = ?", (self._key(key),))
        return json.loads(row["data"]) if row else {}

    async def update_data(self, key: StorageKey, data: Mapping[str, Any]) -> dict[str, Any]:
        async with self.db.transaction():
            current = await self.get_data(key)
            current.update(data)
            await self.set_data(key, current)
        return current

    async def forget_user(self, user_id: int) -> int:
        """Delete every FSM record of a user (their data-deletion request)."""
        self._states.clear()  # rare: simpler than indexing the cache by user
        return await self.db.execute("DELETE FROM fsm_state WHERE user_id = ?", (user_id,))

    async def close(self) -> None:
        """The database is closed by its owner (the application), not by the storage."""


def _now() -> str:
    return datetime.now(UTC).isoformat()
