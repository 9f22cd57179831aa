"""Users repository: statements only, no decisions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func, select, update

from bot.models import User
from bot.storage.db import Database
from bot.storage.schema import users


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
        script=row["script"],
    )


class UserRepository:
    def __init__(self, db: Database) -> None:
        self.db = db
        user = users.c.id == bindparam("uid")
        self._get = select(users).where(user)
        self._insert = db.sql.insert(users).values(
            id=bindparam("uid"), telegram_language=bindparam("telegram_language"), first_seen=bindparam("now"),
            last_seen=bindparam("now"),
        ).on_conflict_do_nothing(index_elements=[users.c.id])
        self._touch = update(users).where(user).values(
            last_seen=bindparam("now"), telegram_language=bindparam("telegram_language"), blocked=0
        )
        self._set = {column: update(users).where(user).values({column: bindparam("value")})
                     for column in ("language", "citizenship", "destination", "location", "blocked")}
        self._count = select(func.count()).select_from(users)
        self._language = update(users).where(user).values(language=bindparam("language"), script=bindparam("script"))

    async def get(self, user_id: int) -> User | None:
        row = await self.db.fetchone(self._get, {"uid": user_id})
        return _row_to_user(row) if row else None

    async def insert(self, user_id: int, telegram_language: str | None, now: datetime) -> None:
        await self.db.execute(self._insert, {"uid": user_id, "telegram_language": telegram_language, "now": now.isoformat()})

    async def touch(self, user_id: int, telegram_language: str | None, now: datetime) -> None:
        await self.db.execute(self._touch, {"uid": user_id, "telegram_language": telegram_language, "now": now.isoformat()})

    async def _update(self, column: str, user_id: int, value: Any) -> None:
        await self.db.execute(self._set[column], {"uid": user_id, "value": value})

    async def set_language(self, user_id: int, language: str, script: str | None = None) -> None:
        """The language, and the script it is read in (one statement: never one without the other)."""
        await self.db.execute(self._language, {"uid": user_id, "language": language, "script": script})

    async def set_citizenship(self, user_id: int, citizenship: str | None) -> None:
        await self._update("citizenship", user_id, citizenship)

    async def set_destination(self, user_id: int, destination: str | None) -> None:
        await self._update("destination", user_id, destination)

    async def set_location(self, user_id: int, location: str | None) -> None:
        await self._update("location", user_id, location)

    async def set_blocked(self, user_id: int, blocked: bool) -> None:
        await self._update("blocked", user_id, int(blocked))

    async def count(self) -> int:
        row = await self.db.fetchone(self._count)
        return int(row[0]) if row else 0
