"""The schema's migrations, by Alembic, for SQLite and PostgreSQL alike (bot/storage/alembic/versions).

A database made before Alembic (its schema version in SQLite's PRAGMA user_version, 1-12) is stamped
with the revision of that number first, so only the newer revisions run on it and its data stays.
Each revision runs in its own transaction, on SQLite too (BEGIN IMMEDIATE).
"""

from __future__ import annotations

import logging
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event, inspect

from bot.storage.schema import metadata

log = logging.getLogger(__name__)

ALEMBIC_DIR = Path(__file__).resolve().parent / "alembic"
MIGRATION_LOCK = 7_020_001  # the advisory lock (PostgreSQL) held while one instance migrates


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(ALEMBIC_DIR))
    config.attributes["connection"] = connection
    return config


def head() -> str:
    """The newest revision."""
    revision = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert revision is not None
    return revision


def current(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def upgrade(connection: Connection, *, replay: bool = False) -> None:
    """Bring the database on `connection` to the newest revision. An empty database gets the newest schema at
    once and is stamped with the newest revision (Alembic's advice: the same schema, without replaying every
    revision); `replay` runs every revision instead (the tests compare the two)."""
    config = alembic_config(connection)
    if not replay and not inspect(connection).get_table_names():
        metadata.create_all(connection)
        command.stamp(config, "head")
        connection.commit()
        return
    if current(connection) is None and connection.dialect.name == "sqlite":
        legacy = int(connection.exec_driver_sql("PRAGMA user_version").scalar() or 0)
        if legacy:
            log.info("schema made before Alembic (version %d): stamped, not rebuilt", legacy)
            command.stamp(config, f"{legacy:04d}")
            connection.commit()
    if current(connection) != head():
        command.upgrade(config, "head")


def sqlite_engine(path: Path) -> Engine:
    """A synchronous engine for migrating a SQLite file, with real transactions (pysqlite's own handling
    would commit before each DDL statement)."""
    engine = create_engine(f"sqlite:///{path}")

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: object, _record: object) -> None:
        dbapi_connection.isolation_level = None  # type: ignore[attr-defined]
        cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
        cursor.execute("PRAGMA foreign_keys=OFF")  # SQLite's advice for schema changes: a table copied and dropped cascades nothing
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def upgrade_sqlite(path: Path, *, replay: bool = False) -> None:
    """Migrate a SQLite file (run in a worker thread before the bot opens it)."""
    engine = sqlite_engine(path)
    try:
        with engine.connect() as connection:
            upgrade(connection, replay=replay)
            connection.commit()
    finally:
        engine.dispose()


async def upgrade_postgres(dsn: str, *, replay: bool = False) -> None:
    """Migrate a PostgreSQL database (Alembic over SQLAlchemy's asyncpg engine; two instances starting at
    once take turns: an advisory lock is held while one migrates)."""
    from sqlalchemy.ext.asyncio import create_async_engine

    engine = create_async_engine("postgresql+asyncpg://" + dsn.split("://", 1)[1])
    try:
        async with engine.connect() as connection:
            await connection.exec_driver_sql(f"SELECT pg_advisory_lock({MIGRATION_LOCK})")
            try:
                await connection.run_sync(lambda sync: upgrade(sync, replay=replay))
                await connection.commit()
            finally:
                await connection.exec_driver_sql(f"SELECT pg_advisory_unlock({MIGRATION_LOCK})")
    finally:
        await engine.dispose()
