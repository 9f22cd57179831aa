"""The inbox repository: statements only.

Each update is written here before Telegram is told it arrived, and handled from here. Once handled,
its payload is emptied and its id stays a day (`handled_at`), so the same update is never handled
twice and polling resumes after the newest one. What the bot sent while handling an update is kept
apart, in bot.storage.calls.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

from sqlalchemy import bindparam, delete, func, or_, select, update

from bot.storage.db import Database
from bot.storage.schema import inbox


class InboxRepository:
    def __init__(self, db: Database, holder: str = "main") -> None:
        self.db = db
        self.holder = holder  # this instance: it handles what it received
        update_id = inbox.c.update_id == bindparam("update_id")
        self._receive = db.sql.insert(inbox).values(
            update_id=bindparam("update_id"), payload=bindparam("payload"), received_at=bindparam("now"), holder=bindparam("holder"),
        ).on_conflict_do_nothing(index_elements=[inbox.c.update_id]).returning(inbox.c.update_id)
        self._handled = update(inbox).where(update_id).values(payload="", handled_at=bindparam("now"))
        self._is_handled = select(inbox.c.handled_at).where(update_id)
        self._take = update(inbox).where(
            inbox.c.handled_at.is_(None), or_(inbox.c.holder.is_(None), inbox.c.holder.in_(bindparam("dead", expanding=True))),
        ).values(holder=bindparam("holder")).returning(inbox.c.update_id, inbox.c.payload, inbox.c.attempts)
        self._take_all = update(inbox).where(inbox.c.handled_at.is_(None)).values(holder=bindparam("holder")).returning(
            inbox.c.update_id, inbox.c.payload, inbox.c.attempts)
        self._bump = update(inbox).where(update_id).values(attempts=inbox.c.attempts + 1)
        self._newest = select(func.max(inbox.c.update_id))
        self._prune = delete(inbox).where(
            inbox.c.handled_at < bindparam("before"), inbox.c.update_id < select(func.max(inbox.c.update_id)).scalar_subquery()
        )

    async def receive(self, updates: Sequence[tuple[int, str]], now: datetime) -> set[int]:
        """Write a batch of received updates (id, payload) in one transaction; returns the ids that are new.
        An id already here (handled, or waiting to be replayed) is not new."""
        if not updates:
            return set()
        if len(updates) == 1:  # one statement is a transaction by itself: no BEGIN and COMMIT around it
            return {int(r[0]) for r in await self.db.returning(self._receive, self._row(*updates[0], now))}
        fresh: set[int] = set()
        async with self.db.transaction():
            for update_id, payload in updates:
                fresh.update(int(r[0]) for r in await self.db.returning(self._receive, self._row(update_id, payload, now)))
        return fresh

    def _row(self, update_id: int, payload: str, now: datetime) -> dict[str, object]:
        return {"update_id": update_id, "payload": payload, "now": now.isoformat(), "holder": self.holder}

    async def handled(self, update_id: int, now: datetime) -> None:
        """The update is done: forget its payload, keep its id for a day."""
        await self.db.execute(self._handled, {"update_id": update_id, "now": now.isoformat()})

    async def is_handled(self, update_id: int) -> bool:
        row = await self.db.fetchone(self._is_handled, {"update_id": update_id})
        return row is not None and row[0] is not None

    async def pending(self, dead: Collection[str] | None = None) -> list[tuple[int, str, int]]:
        """Updates received and not handled by an instance that stopped (those of the instances in `dead`,
        and unsigned ones; None: every one, the process runs alone), oldest first: taken by this one, in one
        statement, to be handled here."""
        if dead is None:
            rows = await self.db.returning(self._take_all, {"holder": self.holder})
        else:
            rows = await self.db.returning(self._take, {"dead": list(dead) or [""], "holder": self.holder})
        return sorted((r[0], r[1], r[2]) for r in rows)

    async def bump(self, update_id: int) -> None:
        await self.db.execute(self._bump, {"update_id": update_id})

    async def next_offset(self) -> int | None:
        """The offset to ask Telegram for: after the newest update ever written here."""
        row = await self.db.fetchone(self._newest)
        return int(row[0]) + 1 if row and row[0] is not None else None

    async def prune(self, before: datetime) -> int:
        """Forget the ids of updates handled before `before`, all but the newest (it holds the offset)."""
        with self.db.offloaded():  # a day's updates at once
            return await self.db.execute(self._prune, {"before": before.isoformat()})
