"""Conversation state (aiogram's FSM) in the bot's database: statements only, no aiogram.

Keys are built by the adapter (bot/telegram/fsm.py); here they are plain strings. States are cached:
aiogram reads the state on every update, and the cache spares that query. It is bounded, and
correct because this process is the database's only writer (several instances keep conversation
state in Redis instead: bot/telegram/shared.py).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import bindparam, select

from bot.storage.cache import MISSING, BoundedCache
from bot.storage.db import Database
from bot.storage.schema import fsm_state


class FsmRepository:
    """Write-through: every state is written to the database before it is cached, so a restart loses nothing."""

    def __init__(self, db: Database, cache_size: int = 20_000) -> None:
        self.db = db
        self._states: BoundedCache[str, tuple[str | None, int | None]] = BoundedCache(cache_size)  # key: (state, user)
        row: dict[str, Any] = {name: bindparam(name) for name in ("key", "user_id", "chat_id")} | {"updated_at": bindparam("now")}
        state = db.sql.insert(fsm_state).values(**row, state=bindparam("state"))
        self._set_state = state.on_conflict_do_update(
            index_elements=[fsm_state.c.key], set_={"state": state.excluded.state, "updated_at": state.excluded.updated_at}
        )
        data = db.sql.insert(fsm_state).values(**row, data=bindparam("data"))
        self._set_data = data.on_conflict_do_update(
            index_elements=[fsm_state.c.key], set_={"data": data.excluded.data, "updated_at": data.excluded.updated_at}
        )
        self._get_state = select(fsm_state.c.state, fsm_state.c.user_id).where(fsm_state.c.key == bindparam("key"))
        self._get_data = select(fsm_state.c.data).where(fsm_state.c.key == bindparam("key"))

    async def set_state(self, key: str, user_id: int, chat_id: int, state: str | None) -> None:
        self._states.drop(key)
        await self.db.execute(self._set_state, {"key": key, "user_id": user_id, "chat_id": chat_id, "state": state, "now": _now()})
        self._keep(key, state, user_id)

    async def get_state(self, key: str) -> str | None:
        cached = self._states.get(key)
        if cached is not MISSING:
            return cached[0]  # type: ignore[index]
        row = await self.db.fetchone(self._get_state, {"key": key})
        # no row: None stays true until set_state (a person's rows are only ever deleted, never made elsewhere)
        return self._keep(key, row["state"], row["user_id"]) if row else self._keep(key, None, None)

    def _keep(self, key: str, state: str | None, user_id: int | None) -> str | None:
        self._states.put(key, (state, user_id))
        return state

    async def set_data(self, key: str, user_id: int, chat_id: int, data: Mapping[str, Any]) -> None:
        await self.db.execute(self._set_data, {
            "key": key, "user_id": user_id, "chat_id": chat_id, "data": json.dumps(data, ensure_ascii=False), "now": _now(),
        })

    async def get_data(self, key: str) -> dict[str, Any]:
        row = await self.db.fetchone(self._get_data, {"key": key})
        return json.loads(row["data"]) if row else {}

    async def update_data(self, key: str, user_id: int, chat_id: int, data: Mapping[str, Any]) -> dict[str, Any]:
        async with self.db.transaction():
            current = await self.get_data(key)
            current.update(data)
            await self.set_data(key, user_id, chat_id, current)
        return current

    def forgotten(self, user_id: int) -> None:
        """The person's rows were deleted (bot.services.privacy): their cached states go too, no one else's."""
        self._states.drop_where(lambda cached: cached[1] == user_id)


def _now() -> str:
    return datetime.now(UTC).isoformat()
