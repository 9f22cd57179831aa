"""The trail of each private chat: message ids and times, never their text. Statements only
(bot/telegram/hide.py holds the rules)."""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import bindparam, delete, select

from bot.storage.db import Database
from bot.storage.schema import case_messages, outbox, trail


class TrailRepository:
    def __init__(self, db: Database) -> None:
        self.db = db
        self._add = db.sql.insert(trail).values(
            chat_id=bindparam("chat_id"), message_id=bindparam("message_id"), at=bindparam("at")).on_conflict_do_nothing()
        chat = trail.c.chat_id == bindparam("chat_id")
        self._since = (select(trail.c.message_id).where(chat, trail.c.at >= bindparam("since"))
                       .order_by(trail.c.message_id.desc()))
        self._clear = delete(trail).where(chat)
        self._forget = delete(trail).where(chat, trail.c.message_id.in_(bindparam("ids", expanding=True)))
        self._prune = delete(trail).where(trail.c.at < bindparam("before"))
        # a person's photo, voice or file kept for a case and not yet passed on (copied from their chat later)
        self._waiting = select(case_messages.c.message_id).where(
            case_messages.c.chat_id == bindparam("chat_id"), case_messages.c.delivered == 0, case_messages.c.kind != "text")
        self._copies = select(outbox.c.payload).where(outbox.c.method == "copy")

    async def add(self, chat_id: int, message_id: int, at: datetime) -> None:
        await self.db.execute(self._add, {"chat_id": chat_id, "message_id": message_id, "at": at.isoformat()})

    async def since(self, chat_id: int, since: datetime) -> list[int]:
        """The chat's messages sent at `since` or later, the newest first."""
        return [r[0] for r in await self.db.fetchall(self._since, {"chat_id": chat_id, "since": since.isoformat()})]

    async def forget(self, chat_id: int, message_ids: list[int]) -> None:
        if message_ids:
            await self.db.execute(self._forget, {"chat_id": chat_id, "ids": message_ids})

    async def still_needed(self, chat_id: int) -> set[int]:
        """The chat's messages the bot must still copy elsewhere: a person's media kept for a case and not
        yet delivered, or waiting in the outbox to be copied (deleting them would lose them)."""
        needed = {r[0] for r in await self.db.fetchall(self._waiting, {"chat_id": chat_id})}
        for (payload,) in await self.db.fetchall(self._copies):
            data = json.loads(payload)
            if int(data.get("from_chat_id", 0)) == chat_id:
                needed.add(int(data["message_id"]))
        return needed

    async def clear(self, chat_id: int) -> int:
        return await self.db.execute(self._clear, {"chat_id": chat_id})

    async def prune(self, before: datetime) -> int:
        """Rows older than Telegram lets a bot delete: of no more use."""
        return await self.db.execute(self._prune, {"before": before.isoformat()})
