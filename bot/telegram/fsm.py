"""aiogram's FSM storage over the bot's database (bot/storage/fsm.py), so a half-finished flow survives a restart."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aiogram.fsm.state import State
from aiogram.fsm.storage.base import (
    BaseStorage,
    DefaultKeyBuilder,
    KeyBuilder,
    StateType,
    StorageKey,
)

from bot.storage.fsm import FsmRepository


def _state_name(state: StateType) -> str | None:
    if isinstance(state, State):
        return state.state
    return state


class SQLiteStorage(BaseStorage):
    """The adapter: aiogram's keys become strings; the repository stores and caches them."""

    def __init__(self, repository: FsmRepository, key_builder: KeyBuilder | None = None) -> None:
        self.repository = repository
        self.key_builder = key_builder or DefaultKeyBuilder(with_bot_id=True, with_destiny=True)

    def _key(self, key: StorageKey) -> str:
        return self.key_builder.build(key)

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        await self.repository.set_state(self._key(key), key.user_id, key.chat_id, _state_name(state))

    async def get_state(self, key: StorageKey) -> str | None:
        return await self.repository.get_state(self._key(key))

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        if not isinstance(data, dict):
            raise TypeError(f"Data must be a dict, not {type(data).__name__}")
        await self.repository.set_data(self._key(key), key.user_id, key.chat_id, data)

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        return await self.repository.get_data(self._key(key))

    async def update_data(self, key: StorageKey, data: Mapping[str, Any]) -> dict[str, Any]:
        return await self.repository.update_data(self._key(key), key.user_id, key.chat_id, data)

    async def close(self) -> None:
        """The database is closed by its owner (the application), not by the storage."""
