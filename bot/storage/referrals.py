"""Referrals of cases to partner teams: statements only (bot/services/referrals.py holds the rules)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func, insert, select, update

from bot.models import Referral
from bot.storage.db import Database
from bot.storage.schema import referrals


def _dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _referral(row: Any) -> Referral:
    return Referral(
        row["id"], row["case_id"], row["from_team"], row["to_team"], row["by_id"], row["by_name"], row["status"],
        row["from_chat"], row["from_thread"], json.loads(row["shared"] or "{}"), datetime.fromisoformat(row["asked_at"]),
        _dt(row["answered_at"]),
    )


class ReferralRepository:
    def __init__(self, db: Database) -> None:
        self.db = db
        self._get = select(referrals).where(referrals.c.id == bindparam("id"))
        self._of_case = (select(referrals).where(referrals.c.case_id == bindparam("case_id"),
                                                 referrals.c.status.in_(bindparam("statuses", expanding=True)))
                         .order_by(referrals.c.id.desc()).limit(1))
        self._status = update(referrals).where(referrals.c.id == bindparam("id"), referrals.c.status == bindparam("was")).values(
            status=bindparam("status"), answered_at=func.coalesce(bindparam("answered_at"), referrals.c.answered_at))

    async def add(self, values: dict[str, Any]) -> int:
        values = {**values, "shared": json.dumps(values.get("shared") or {}, ensure_ascii=False)}
        row_id = await self.db.insert(insert(referrals).values(values).returning(referrals.c.id))
        assert row_id is not None
        return row_id

    async def get(self, referral_id: int) -> Referral | None:
        row = await self.db.fetchone(self._get, {"id": referral_id})
        return _referral(row) if row is not None else None

    async def latest(self, case_id: int, statuses: tuple[str, ...]) -> Referral | None:
        row = await self.db.fetchone(self._of_case, {"case_id": case_id, "statuses": list(statuses)})
        return _referral(row) if row is not None else None

    async def set_status(self, referral_id: int, was: str, status: str, answered_at: datetime | None = None) -> bool:
        """`was` -> `status`, only if nobody changed it meanwhile (a double tap, a consent and a refusal at once)."""
        changed = await self.db.execute(self._status, {
            "id": referral_id, "was": was, "status": status, "answered_at": answered_at.isoformat() if answered_at else None})
        return changed == 1
