"""Safety check-ins: statements only (bot/services/checkins.py holds the rules)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import and_, bindparam, delete, or_, select, update

from bot.models import Checkin
from bot.storage.db import Database
from bot.storage.schema import checkins

COLUMNS = ("every_days", "at", "zone", "active", "escalate", "share", "workplace", "next_at", "stage", "asked_at", "case_id")


def _dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _checkin(row: Any) -> Checkin:
    return Checkin(
        row["user_id"], row["every_days"], row["at"], row["zone"], bool(row["active"]), bool(row["escalate"]),
        tuple(json.loads(row["share"] or "[]")), row["workplace"], datetime.fromisoformat(row["next_at"]), row["stage"],
        _dt(row["asked_at"]), row["case_id"],
    )


def _row(checkin: Checkin) -> dict[str, Any]:
    return {
        "user_id": checkin.user_id, "every_days": checkin.every_days, "at": checkin.at, "zone": checkin.zone,
        "active": int(checkin.active), "escalate": int(checkin.escalate), "share": json.dumps(list(checkin.share)),
        "workplace": checkin.workplace, "next_at": checkin.next_at.isoformat(), "stage": checkin.stage,
        "asked_at": checkin.asked_at.isoformat() if checkin.asked_at else None, "case_id": checkin.case_id,
    }


class CheckinRepository:
    def __init__(self, db: Database) -> None:
        self.db = db
        person = checkins.c.user_id == bindparam("user_id")
        self._get = select(checkins).where(person)
        save = db.sql.insert(checkins).values({c: bindparam(c) for c in ("user_id", *COLUMNS, "created_at")})
        self._save = save.on_conflict_do_update(index_elements=[checkins.c.user_id], set_={c: save.excluded[c] for c in COLUMNS})
        self._drop = delete(checkins).where(person)
        # what the job has to do now: a question due, or one not answered for the waiting time
        asked = checkins.c.stage.in_(("asked", "again"))
        self._due = (select(checkins).where(checkins.c.active == 1, or_(
            and_(~asked, checkins.c.next_at <= bindparam("now")),
            and_(asked, checkins.c.asked_at <= bindparam("unanswered")),
        )).order_by(checkins.c.next_at).limit(bindparam("limit")))
        # a step of the job, only if nobody changed the row since it was read (the person answered meanwhile)
        self._step = update(checkins).where(
            person, checkins.c.stage == bindparam("was_stage"), checkins.c.next_at == bindparam("was_next"), checkins.c.active == 1,
        ).values(stage=bindparam("stage"), asked_at=bindparam("asked_at"), next_at=bindparam("next_at"), case_id=bindparam("case_id"))
        self._count = select(checkins.c.active, checkins.c.escalate).select_from(checkins)

    async def get(self, user_id: int) -> Checkin | None:
        row = await self.db.fetchone(self._get, {"user_id": user_id})
        return _checkin(row) if row is not None else None

    async def save(self, checkin: Checkin, now: datetime) -> None:
        await self.db.execute(self._save, {**_row(checkin), "created_at": now.isoformat()})

    async def drop(self, user_id: int) -> int:
        return await self.db.execute(self._drop, {"user_id": user_id})

    async def due(self, now: datetime, unanswered: datetime, limit: int) -> list[Checkin]:
        rows = await self.db.fetchall(self._due, {"now": now.isoformat(), "unanswered": unanswered.isoformat(), "limit": limit})
        return [_checkin(row) for row in rows]

    async def step(self, was: Checkin, to: Checkin) -> bool:
        """`was` becomes `to` (stage, question time, next time, case), unless the row changed since `was` was read."""
        changed = await self.db.execute(self._step, {
            "user_id": was.user_id, "was_stage": was.stage, "was_next": was.next_at.isoformat(), "stage": to.stage,
            "asked_at": to.asked_at.isoformat() if to.asked_at else None, "next_at": to.next_at.isoformat(), "case_id": to.case_id,
        })
        return changed == 1

    async def counts(self) -> tuple[int, int, int]:
        """(active, paused, of the active ones: with the consent to open a case), for the admins' figures."""
        rows = await self.db.fetchall(self._count)
        active = [bool(r[1]) for r in rows if r[0]]
        return len(active), len(rows) - len(active), sum(active)
