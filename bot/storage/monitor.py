"""What an operator watches (/metrics): counts and ages of the work waiting, never anyone's data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func, literal, select

from bot.storage.db import Database
from bot.storage.schema import broadcasts, cases, outbox, reminders


@dataclass(frozen=True)
class Watch:
    waiting: dict[str, int]  # urgency level -> cases waiting for a consultant
    oldest_wait: dict[str, float]  # urgency level -> seconds its longest-waiting case has waited
    outbox: int  # posts queued for the groups and chats, not yet sent
    reminders_due: int  # reminders whose time has come, not yet sent
    reminder_lag: float  # seconds the most overdue of them is late (0 when none)
    broadcasts_sending: int


class MonitorRepository:
    def __init__(self, db: Database) -> None:
        self.db = db
        self._waiting = (select(cases.c.level, func.count(), func.min(cases.c.waiting_since))
                         .where(cases.c.status == "new").group_by(cases.c.level))
        self._outbox = select(func.count()).select_from(outbox)
        self._due_at = select(func.count(), func.min(reminders.c.due_at)).where(
            reminders.c.status == "pending", reminders.c.due_at <= bindparam("now"))
        self._sending = select(func.count()).select_from(broadcasts).where(broadcasts.c.status == "sending")
        self._one = select(literal(1))

    async def ping(self) -> None:
        """A statement the database must answer (readiness)."""
        await self.db.fetchone(self._one)

    async def watch(self, now: datetime) -> Watch:
        waiting: dict[str, int] = {}
        oldest: dict[str, float] = {}
        for level, count, since in await self.db.fetchall(self._waiting):
            waiting[level] = int(count)
            oldest[level] = max(0.0, (now - datetime.fromisoformat(since)).total_seconds())
        unix = int(now.timestamp())
        due = await self.db.fetchone(self._due_at, {"now": unix})
        return Watch(
            waiting=waiting, oldest_wait=oldest, outbox=await self._count(self._outbox),
            reminders_due=int(due[0]) if due else 0,
            reminder_lag=float(max(0, unix - int(due[1]))) if due and due[1] is not None else 0.0,
            broadcasts_sending=await self._count(self._sending),
        )

    async def _count(self, statement: Any) -> int:
        row = await self.db.fetchone(statement)
        return int(row[0]) if row else 0
