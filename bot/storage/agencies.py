"""Agency registries and reports: SQL only, no decisions."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from bot.models import Agency, Report, Snapshot
from bot.storage.db import Database

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


class AgencyRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def replace(self, registry: Registry, now: datetime) -> None:
        """Delete the country's snapshot and write the new one (the caller holds the transaction)."""
        await self.db.execute("DELETE FROM agencies WHERE country = ?", (registry.country,))
        await self.db.execute(
            "INSERT INTO agency_snapshots (country, source, source_date, imported_at, file_name, sample, rows) "
            "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (country) DO UPDATE SET source = excluded.source, "
            "source_date = excluded.source_date, imported_at = excluded.imported_at, "
            "file_name = excluded.file_name, sample = excluded.sample, rows = excluded.rows",
            (registry.country, registry.source, registry.source_date.isoformat(), now.isoformat(),
             registry.file_name, int(registry.sample), len(registry.rows)),
        )
        await self.db.executemany(
            "INSERT INTO agencies (country, name, aliases, permit, authority, valid_from, valid_to, status, "
            "destinations, phone, address, website, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    registry.country, row["name"], json.dumps(row["aliases"], ensure_ascii=False), row["permit"],
                    row["authority"], row["valid_from"].isoformat() if row["valid_from"] else None,
                    row["valid_to"].isoformat() if row["valid_to"] else None, row["status"],
                    json.dumps(row["destinations"]), row["phone"], row["address"], row["website"], row["note"],
                )
                for row in registry.rows
            ],
        )

    async def count(self, country: str) -> int:
        row = await self.db.fetchone("SELECT count(*) FROM agencies WHERE country = ?", (country,))
        return int(row[0]) if row else 0

    async def snapshots(self) -> list[Snapshot]:
        rows = await self.db.fetchall("SELECT * FROM agency_snapshots ORDER BY country")
        return [
            Snapshot(
                country=r["country"], source=r["source"], source_date=date.fromisoformat(r["source_date"]),
                imported_at=datetime.fromisoformat(r["imported_at"]), file_name=r["file_name"],
                sample=bool(r["sample"]), rows=r["rows"],
            )
            for r in rows
        ]

    async def all(self) -> list[Agency]:
        return [_agency(r) for r in await self.db.fetchall("SELECT * FROM agencies ORDER BY id")]

    async def get(self, agency_id: int) -> Agency | None:
        row = await self.db.fetchone("SELECT * FROM agencies WHERE id = ?", (agency_id,))
        return _agency(row) if row else None

    async def add_report(self, report: Report) -> int:
        assert report.created_at is not None
        report_id = await self.db.insert(
            "INSERT INTO agency_reports (created_at, user_id, language, registry, agency, permit, status, flags, "
            "what, contact, case_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (report.created_at.isoformat(), report.user_id, report.language, report.registry, report.agency,
             report.permit, report.status, json.dumps(list(report.flags)), report.what, report.contact, report.case_id),
        )
        assert report_id is not None
        return report_id

    async def reports(self, limit: int) -> list[Report]:
        rows = await self.db.fetchall("SELECT * FROM agency_reports ORDER BY id DESC LIMIT ?", (limit,))
        return [_report(r) for r in rows]
