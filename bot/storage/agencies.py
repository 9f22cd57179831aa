"""Agency registries and reports: statements only, no decisions."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, delete, func, insert, select

from bot.models import Agency, Report, Snapshot
from bot.storage.db import Database
from bot.storage.schema import agencies, agency_reports, agency_snapshots

if TYPE_CHECKING:
    from bot.services.agency import Registry


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _agency(row: Any) -> Agency:
    return Agency(
        id=row["id"], country=row["country"], name=row["name"], aliases=tuple(json.loads(row["aliases"])),
        permit=row["permit"], authority=row["authority"], valid_from=_day(row["valid_from"]),
        valid_to=_day(row["valid_to"]), status=row["status"], destinations=tuple(json.loads(row["destinations"])),
        phone=row["phone"], address=row["address"], website=row["website"], note=row["note"],
    )


def _report(row: Any) -> Report:
    return Report(
        id=row["id"], created_at=datetime.fromisoformat(row["created_at"]), user_id=row["user_id"],
        language=row["language"], registry=row["registry"], agency=row["agency"], permit=row["permit"],
        status=row["status"], flags=tuple(json.loads(row["flags"])), what=row["what"], contact=row["contact"],
        case_id=row["case_id"],
    )


AGENCY_COLUMNS = ("country", "name", "aliases", "permit", "authority", "valid_from", "valid_to", "status", "destinations",
                  "phone", "address", "website", "note")
SNAPSHOT_COLUMNS = ("source", "source_date", "imported_at", "file_name", "sample", "rows")
REPORT_COLUMNS = ("created_at", "user_id", "language", "registry", "agency", "permit", "status", "flags", "what", "contact", "case_id")


class AgencyRepository:
    def __init__(self, db: Database) -> None:
        self.db = db
        self._clear = delete(agencies).where(agencies.c.country == bindparam("country"))
        snapshot = db.sql.insert(agency_snapshots).values({c: bindparam(c) for c in ("country", *SNAPSHOT_COLUMNS)})
        self._snapshot = snapshot.on_conflict_do_update(
            index_elements=[agency_snapshots.c.country], set_={c: snapshot.excluded[c] for c in SNAPSHOT_COLUMNS})
        self._add = insert(agencies).values({c: bindparam(c) for c in AGENCY_COLUMNS})
        self._count = select(func.count()).select_from(agencies).where(agencies.c.country == bindparam("country"))
        self._snapshots = select(agency_snapshots).order_by(agency_snapshots.c.country)
        self._all = select(agencies).order_by(agencies.c.id)
        self._get = select(agencies).where(agencies.c.id == bindparam("agency_id"))
        self._report = insert(agency_reports).values({c: bindparam(c) for c in REPORT_COLUMNS}).returning(agency_reports.c.id)
        self._reports = select(agency_reports).order_by(agency_reports.c.id.desc()).limit(bindparam("limit"))

    async def replace(self, registry: Registry, now: datetime) -> None:
        """Delete the country's snapshot and write the new one (the caller holds the transaction)."""
        await self.db.execute(self._clear, {"country": registry.country})
        await self.db.execute(self._snapshot, {
            "country": registry.country, "source": registry.source, "source_date": registry.source_date.isoformat(),
            "imported_at": now.isoformat(), "file_name": registry.file_name, "sample": int(registry.sample), "rows": len(registry.rows),
        })
        await self.db.executemany(self._add, [{
            "country": registry.country, "name": row["name"], "aliases": json.dumps(row["aliases"], ensure_ascii=False),
            "permit": row["permit"], "authority": row["authority"],
            "valid_from": row["valid_from"].isoformat() if row["valid_from"] else None,
            "valid_to": row["valid_to"].isoformat() if row["valid_to"] else None, "status": row["status"],
            "destinations": json.dumps(row["destinations"]), "phone": row["phone"], "address": row["address"],
            "website": row["website"], "note": row["note"],
        } for row in registry.rows])

    async def count(self, country: str) -> int:
        row = await self.db.fetchone(self._count, {"country": country})
        return int(row[0]) if row else 0

    async def snapshots(self) -> list[Snapshot]:
        return [
            Snapshot(
                country=r["country"], source=r["source"], source_date=date.fromisoformat(r["source_date"]),
                imported_at=datetime.fromisoformat(r["imported_at"]), file_name=r["file_name"],
                sample=bool(r["sample"]), rows=r["rows"],
            )
            for r in await self.db.fetchall(self._snapshots)
        ]

    async def all(self) -> list[Agency]:
        return [_agency(r) for r in await self.db.fetchall(self._all)]

    async def get(self, agency_id: int) -> Agency | None:
        row = await self.db.fetchone(self._get, {"agency_id": agency_id})
        return _agency(row) if row else None

    async def add_report(self, report: Report) -> int:
        assert report.created_at is not None
        report_id = await self.db.insert(self._report, {
            "created_at": report.created_at.isoformat(), "user_id": report.user_id, "language": report.language,
            "registry": report.registry, "agency": report.agency, "permit": report.permit, "status": report.status,
            "flags": json.dumps(list(report.flags)), "what": report.what, "contact": report.contact, "case_id": report.case_id,
        })
        assert report_id is not None
        return report_id

    async def reports(self, limit: int) -> list[Report]:
        return [_report(r) for r in await self.db.fetchall(self._reports, {"limit": limit})]
