"""Moving up: every row of one database copied into another (SQLite to PostgreSQL, or back), then checked.

Both databases are brought to the newest schema first. The target must hold no data: a copy never merges.
Tables go in the order their foreign keys need, in batches, all in one transaction on the target; then
each table is read back from both sides in key order and compared row by row. PostgreSQL's id sequences
are moved past the copied ids, so the next case gets the next number.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Table, bindparam, func, insert, select

from bot.storage.db import Database
from bot.storage.schema import metadata

BATCH = 500


class CopyError(Exception):
    pass


@dataclass
class CopyReport:
    rows: dict[str, int] = field(default_factory=dict)  # table -> rows copied and found equal
    mismatches: list[str] = field(default_factory=list)


def _ordered(table: Table) -> Any:
    return select(table).order_by(*table.primary_key.columns)


def _values(table: Table, row: Any) -> dict[str, Any]:
    return {column.name: row[column.name] for column in table.columns}


async def _has_data(db: Database) -> list[str]:
    found = []
    for table in metadata.sorted_tables:
        row = await db.fetchone(select(func.count()).select_from(table))
        if row and row[0]:
            found.append(table.name)
    return found


async def copy_database(source: Database, target: Database, progress: Callable[[str], None] = lambda _line: None) -> CopyReport:
    """Copy every table of `source` into the empty `target`, then compare them row by row."""
    busy = await _has_data(target)
    if busy:
        raise CopyError(f"the target already holds data ({', '.join(busy)}): a copy goes into an empty database only")
    report = CopyReport()
    async with target.transaction():
        for table in metadata.sorted_tables:
            rows = [_values(table, row) for row in await source.fetchall(_ordered(table))]
            statement = insert(table).values({column.name: bindparam(column.name) for column in table.columns})
            for start in range(0, len(rows), BATCH):
                await target.executemany(statement, rows[start:start + BATCH])
            progress(f"{table.name}: {len(rows)} rows copied")
        if target.dialect == "postgresql":
            await _move_sequences(target)
    for table in metadata.sorted_tables:
        await _compare(source, target, table, report)
    return report


async def _move_sequences(target: Database) -> None:
    for table in metadata.sorted_tables:
        key = list(table.primary_key.columns)
        if len(key) == 1 and key[0].autoincrement is True:
            column = key[0]
            sequence = func.pg_get_serial_sequence(table.name, column.name)
            await target.fetchone(select(func.setval(sequence, func.coalesce(func.max(column), 0) + 1, False)).select_from(table))


async def _compare(source: Database, target: Database, table: Table, report: CopyReport) -> None:
    there = [_values(table, row) for row in await source.fetchall(_ordered(table))]
    here = [_values(table, row) for row in await target.fetchall(_ordered(table))]
    if len(there) != len(here):
        report.mismatches.append(f"{table.name}: {len(there)} rows in the source, {len(here)} in the copy")
        return
    for number, (a, b) in enumerate(zip(there, here, strict=True), start=1):
        if a != b:
            differing = sorted(name for name in a if a[name] != b[name])
            report.mismatches.append(f"{table.name}: row {number} differs in {', '.join(differing)}")
            return
    report.rows[table.name] = len(here)
