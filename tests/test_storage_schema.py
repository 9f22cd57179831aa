"""The schema's migrations (Alembic): from an empty database, and from a database the bot made before
Alembic (its own numbered migrations) with data in it. Both must end with the same schema, the one
bot/storage/schema.py describes, and the data must stay."""

from __future__ import annotations

import contextlib
import os
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine

from bot.storage.db import Database
from bot.storage.migrate import head
from bot.storage.schema import metadata
from tests.legacy_migrations import MIGRATIONS


def legacy_database(path: Path, version: int = len(MIGRATIONS)) -> None:
    """A database as the bot made it before Alembic: migrations 1..version, PRAGMA user_version = version."""
    with contextlib.closing(sqlite3.connect(path)) as db:
        for number, script in enumerate(MIGRATIONS[:version], start=1):
            for statement in (part.strip() for part in script.split(";")):
                if statement:
                    db.execute(statement)
            db.execute(f"PRAGMA user_version={number}")
        db.commit()


def shape(path: Path) -> dict[str, Any]:
    """Everything about a SQLite schema that matters: columns (type, NOT NULL, default, key), indexes (columns,
    unique, partial), foreign keys (with ON DELETE), WITHOUT ROWID and AUTOINCREMENT."""
    with contextlib.closing(sqlite3.connect(path)) as db:
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
                                           "AND name != 'alembic_version' ORDER BY name")]
        out: dict[str, Any] = {}
        for table in tables:
            sql = db.execute("SELECT sql FROM sqlite_master WHERE name = ?", (table,)).fetchone()[0].upper()
            indexes = {}
            for _seq, name, unique, origin, partial in db.execute(f"PRAGMA index_list({table})"):
                columns = [r[2] for r in db.execute(f"PRAGMA index_info({name})")]
                where = db.execute("SELECT sql FROM sqlite_master WHERE name = ?", (name,)).fetchone()
                condition = where[0].upper().split(" WHERE ", 1)[1].strip() if where and where[0] and partial else None
                indexes[name if origin == "c" else (origin, tuple(columns))] = (tuple(columns), bool(unique), condition)
            out[table] = {
                # a key column counts as NOT NULL: SQLite lets a key that is not an INTEGER rowid hold NULL
                # unless it says NOT NULL, which the old migrations did not and Alembic does
                "columns": [(r[1], r[2].upper(), bool(r[3] or r[5]), (r[4] or "").strip("()"), r[5])
                            for r in db.execute(f"PRAGMA table_info({table})")],
                "indexes": indexes,
                "foreign_keys": sorted((r[2], r[3], r[4], r[6]) for r in db.execute(f"PRAGMA foreign_key_list({table})")),
                "without_rowid": "WITHOUT ROWID" in sql,
                "autoincrement": "AUTOINCREMENT" in sql,
            }
        return out


def differences(path: Path) -> list[Any]:
    """What Alembic sees between the database and bot/storage/schema.py, less SQLite's reflection quirks
    (a key column read back as nullable, ON DELETE not read back: `shape` compares those)."""
    engine = create_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as connection:
            found = compare_metadata(MigrationContext.configure(connection, opts={"compare_type": True}), metadata)
    finally:
        engine.dispose()
    flat = [d[0] if isinstance(d, list) else d for d in found]
    fk_changes = [d for d in flat if d[0] in ("add_fk", "remove_fk")]
    keys = {(d[1].parent.name, tuple(e.parent.name for e in d[1].elements), d[1].elements[0].target_fullname) for d in fk_changes}
    same_fks = len(keys) * 2 == len(fk_changes)  # each removed and added again: the same key, ON DELETE aside
    keyed = {(t.name, c.name) for t in metadata.tables.values() for c in t.primary_key.columns}
    return [d for d in flat if not (d[0] == "modify_nullable" and (d[2], d[3]) in keyed)
            and not (d[0] in ("add_fk", "remove_fk") and same_fks)]


async def connect(path: Path) -> Database:
    db = Database(path)
    await db.connect()
    return db


async def test_an_empty_database_gets_the_whole_schema(tmp_path: Path) -> None:
    db = await connect(tmp_path / "new.sqlite3")
    assert await db.schema_version() == int(head())
    await db.close()
    assert differences(tmp_path / "new.sqlite3") == []


async def test_a_database_made_before_alembic_keeps_its_data_and_ends_with_the_same_schema(tmp_path: Path) -> None:
    old = tmp_path / "old.sqlite3"
    legacy_database(old)
    with contextlib.closing(sqlite3.connect(old)) as raw:
        raw.execute("INSERT INTO users (id, language, first_seen, last_seen, location) VALUES (5000000001, 'ky', 'a', 'b', 'RU')")
        raw.execute("INSERT INTO cases (user_id, kind, level, language, team, created_at, waiting_since, signs) "
                    "VALUES (5000000001, 'request', 'high', 'ky', 'main', 't', 't', '[\"alarming_words\"]')")
        raw.execute("INSERT INTO case_messages (case_id, direction, kind, text, chat_id, message_id, created_at) "
                    "VALUES (1, 'in', 'text', 'паспорт', 5000000001, 7, 't')")
        raw.execute("INSERT INTO reminders (user_id, item, deadline, days_before, due_at) VALUES (5000000001, 'reg', '2026-12-01', 3, 1)")
        raw.commit()
    db = await connect(old)
    assert await db.schema_version() == int(head())
    assert (await db.fetchone("SELECT language, location FROM users WHERE id = 5000000001"))[:] == ("ky", "RU")
    assert (await db.fetchone("SELECT signs FROM cases WHERE id = 1"))[0] == '["alarming_words"]'
    assert (await db.fetchone("SELECT text FROM case_messages WHERE case_id = 1"))[0] == "паспорт"
    assert (await db.fetchone("SELECT COUNT(*) FROM reminders"))[0] == 1
    await db.close()
    fresh = tmp_path / "fresh.sqlite3"
    await (await connect(fresh)).close()
    assert shape(old) == shape(fresh)
    assert differences(old) == []


@pytest.mark.parametrize("version", [1, 2, 7, 8, 10, 11])
async def test_a_database_part_way_is_brought_up_by_the_newer_revisions(tmp_path: Path, version: int) -> None:
    old = tmp_path / "old.sqlite3"
    legacy_database(old, version)
    with contextlib.closing(sqlite3.connect(old)) as raw:
        raw.execute("INSERT INTO users (id, first_seen, last_seen) VALUES (1, 'a', 'b')")
        raw.commit()
    await (await connect(old)).close()
    fresh = tmp_path / "fresh.sqlite3"
    await (await connect(fresh)).close()
    assert shape(old) == shape(fresh)
    with contextlib.closing(sqlite3.connect(old)) as raw:
        assert raw.execute("SELECT COUNT(*) FROM users").fetchone()[0] == 1


async def test_migrations_run_once_and_a_second_start_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite3"
    await (await connect(path)).close()
    before = shape(path)
    db = await connect(path)
    assert await db.schema_version() == int(head())
    await db.close()
    assert shape(path) == before


def test_every_revision_from_an_empty_database_gives_the_schema_a_new_database_gets(tmp_path: Path) -> None:
    """A new database is made from schema.py at once and stamped; replaying revision 0001 to the newest on an
    empty one must give exactly that."""
    from bot.storage.migrate import upgrade_sqlite

    replayed, made = tmp_path / "replayed.sqlite3", tmp_path / "made.sqlite3"
    upgrade_sqlite(replayed, replay=True)
    upgrade_sqlite(made)
    assert shape(replayed) == shape(made)
    assert differences(replayed) == []


@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"), reason="TEST_DATABASE_URL is not set")
async def test_every_revision_on_postgresql_gives_the_schema(tmp_path: Path) -> None:
    """On PostgreSQL: revisions 0001 to the newest on an empty database, then Alembic finds nothing between
    the database and schema.py (types, keys, indexes, ON DELETE: PostgreSQL reads them all back)."""
    from sqlalchemy.ext.asyncio import create_async_engine

    from bot.storage.migrate import upgrade_postgres
    from tests.test_storage_engines import drop_postgres, fresh_postgres

    url, name = await fresh_postgres()
    try:
        await upgrade_postgres(url, replay=True)
        engine = create_async_engine("postgresql+asyncpg://" + url.split("://", 1)[1])
        async with engine.connect() as connection:
            found = await connection.run_sync(
                lambda sync: compare_metadata(MigrationContext.configure(sync, opts={"compare_type": True}), metadata)
            )
            version = (await connection.exec_driver_sql("SELECT version_num FROM alembic_version")).scalar()
        await engine.dispose()
        assert found == [] and version == head()
    finally:
        await drop_postgres(name)
