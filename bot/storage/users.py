"""Users repository: SQL only, no decisions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.models import User
from bot.storage.db import Database


def _row_to_user(row: Any) -> User:
    return User(
        id=row["id"],
        language=row["language"],
        telegram_language=row["telegram_language"],
        citizenship=row["citizenship"],
        destination=row["destination"],
        first_seen=datetime.fromisoformat(row["first_seen"]),
        last_seen=datetime.fromisoformat(row["last_seen"]),
        blocked=bool(row["blocked"]),
        location=row["location"],
    )


class UserRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def get(self, user_id: int) -> User | None:
        row = await self.db.fetchone("SELECT * FROM users WHERE id = ?", (user_id,))
        return _row_to_user(row) if row else None

    async def insert(self, user_id: int, telegram_language: str | None, now: datetime) -> None:
        await self.db.execute(
            "INSERT INTO users (id, telegram_language, first_seen, last_seen) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(id) DO NOTHING",
            (user_id, telegram_language, now.isoformat(), now.isoformat()),
        )

    async def touch(self, user_id: int, telegram_language: str | None, now: datetime) -> None:
        await self.db.execute(
            "UPDATE users SET last_seen = ?, telegram_language = ?, blocked = 0 WHERE id = ?",
            (now.isoformat(), telegram_language, user_id),
        )

    async def set_language(self, user_id: int, language: str) -> None:
        await self.db.execute("UPDATE users SET language = ? WHERE id = ?", (language, user_id))

    async def set_citizenship(self, user_id: int, citizenship: str | None) -> None:
        await self.db.execute("UPDATE users SET citizenship = ? WHERE id = ?", (citizenship, user_id))

    async def set_destination(self, user_id: int, destination: str | None) -> None:
        await self.db.execute("UPDATE users SET destination = ? WHERE id = ?", (destination, user_id))

    async def set_location(self, user_id: int, location: str | None) -> None:
        await self.db.execute("UPDATE users SET location = ? WHERE id = ?", (location, user_id))

    async def set_blocked(self, user_id: int, blocked: bool) -> None:
        await self.db.execute("UPDATE users SET blocked = ? WHERE id = ?", (int(blocked), user_id))

    async def count(self) -> int:
        row = await self.db.fetchone("SELECT COUNT(*) FROM users")
        return int(row[0]) if row else 0
