"""The trail of each private chat: message ids and times, never their text. Statements only
(bot/telegram/hide.py holds the rules)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, delete, select

from bot.storage.db import Database
from bot.storage.schema import trail


class TrailRepository:
    def __init__(self, db: Database) -> None:
        self.db = db
        self._add = db.sql.insert(trail).values(
            chat_id=bindparam("chat_id"), message_id=bindparam("message_id"), at=bindparam("at")).on_conflict_do_nothing()
        chat = trail.c.chat_id == bindparam("chat_id")
        self._since = (select(trail.c.message_id).where(chat, trail.c.at >= bindparam("since"))
                       .order_by(trail.c.message_id.desc()))
        self._clear = delete(trail).where(chat)
        self._prune = delete(trail).where(trail.c.at < bindparam("before"))

    async def add(self, chat_id: int, message_id: int, at: datetime) -> None:
        await self.db.execute(self._add, {"chat_id": chat_id, "message_id": message_id, "at": at.isoformat()})

    async def since(self, chat_id: int, since: datetime) -> list[int]:
        """The chat's messages sent at `since` or later, the newest first."""
        return [r[0] for r in await self.db.fetchall(self._since, {"chat_id": chat_id, "since": since.isoformat()})]

    async def clear(self, chat_id: int) -> int:
        return await self.db.execute(self._clear, {"chat_id": chat_id})

    async def prune(self, before: datetime) -> int:
        """Rows older than Telegram lets a bot delete: of no more use."""
        return await self.db.execute(self._prune, {"before": before.isoformat()})
