"""One SQLite database through aiosqlite.

Two connections: a writer, used by one transaction at a time (SQLite has one writer anyway), and a
reader that sees only committed data (WAL gives it a consistent snapshot). Repositories call
`fetchone`/`fetchall`/`execute`; inside `async with db.transaction():` all of them go to the writer,
so a use case reads its own writes and commits once. A write outside a transaction gets its own.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import os
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiosqlite

from bot.storage.migrations import MIGRATIONS

log = logging.getLogger(__name__)
# aiosqlite logs every call with its arguments at DEBUG, and the arguments can be what a person wrote:
# logs must never hold message text, so its debug output is off whatever LOG_LEVEL says.
logging.getLogger("aiosqlite").setLevel(logging.INFO)

# The task that owns the open transaction. A task spawned inside a transaction inherits the context
# but is not the owner, so it does not slip into (or past the lock of) someone else's transaction.
_tx_owner: contextvars.ContextVar[asyncio.Task[Any] | None] = contextvars.ContextVar("db_tx_owner", default=None)


def _in_transaction() -> bool:
    owner = _tx_owner.get()
    return owner is not None and owner is asyncio.current_task()

PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=NORMAL",
    "PRAGMA busy_timeout=5000",
    "PRAGMA foreign_keys=ON",
    "PRAGMA secure_delete=ON",  # deleted rows (what a person asked to forget) are overwritten, not left in free pages
)


class Database:
    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._writer: aiosqlite.Connection | None = None
        self._reader: aiosqlite.Connection | None = None
        self._write_lock = asyncio.Lock()

    async def connect(self) -> None:
        if self._writer is not None:
            return
        create_private(self.path)
        self._writer = await self._open()
        await self.migrate()
        self._reader = await self._open()

    async def _open(self) -> aiosqlite.Connection:
        conn = await aiosqlite.connect(self.path, isolation_level=None)
        conn.row_factory = aiosqlite.Row
        for pragma in PRAGMAS:
            await conn.execute(pragma)
        return conn

    async def close(self) -> None:
        for conn in (self._reader, self._writer):
            if conn is not None:
                await conn.close()
        self._reader = self._writer = None

    @property
    def connected(self) -> bool:
        return self._writer is not None

    async def schema_version(self) -> int:
        row = await self.fetchone("PRAGMA user_version")
        return int(row[0]) if row else 0

    async def migrate(self) -> None:
        """Apply numbered migrations not yet applied; each in its own transaction."""
        assert self._writer is not None
        cursor = await self._writer.execute("PRAGMA user_version")
        version = await cursor.fetchone()
        current = version[0] if version else 0
        for number, script in enumerate(MIGRATIONS, start=1):
            if number <= current:
                continue
            log.info("applying schema migration %d", number)
            await self._writer.execute("BEGIN IMMEDIATE")
            try:
                for statement in _split_sql(script):
                    await self._writer.execute(statement)
                await self._writer.execute(f"PRAGMA user_version={number}")
                await self._writer.execute("COMMIT")
            except BaseException:
                await self._writer.execute("ROLLBACK")
                raise

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[None]:
        if _in_transaction():
            yield
            return
        writer = self._require(self._writer)
        async with self._write_lock:
            token = _tx_owner.set(asyncio.current_task())
            await writer.execute("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                await writer.execute("ROLLBACK")
                raise
            else:
                await writer.execute("COMMIT")
            finally:
                _tx_owner.reset(token)

    def _conn_for_read(self) -> aiosqlite.Connection:
        if _in_transaction():
            return self._require(self._writer)
        return self._require(self._reader)

    @staticmethod
    def _require(conn: aiosqlite.Connection | None) -> aiosqlite.Connection:
        if conn is None:
            raise RuntimeError("database is not connected")
        return conn

    # Each call below is one trip to aiosqlite's thread: that trip, not SQLite, is the cost.
    async def fetchone(self, sql: str, params: Sequence[Any] = ()) -> aiosqlite.Row | None:
        rows = await self._conn_for_read().execute_fetchall(sql, params)
        return next(iter(rows), None)

    async def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[aiosqlite.Row]:
        return list(await self._conn_for_read().execute_fetchall(sql, params))

    async def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run a write; returns the number of rows changed.

        Outside a transaction one statement is atomic by itself (autocommit), so it needs only the
        write lock, not BEGIN/COMMIT around it.
        """
        writer = self._require(self._writer)
        if _in_transaction():
            return (await writer.execute(sql, params)).rowcount
        async with self._write_lock:
            return (await writer.execute(sql, params)).rowcount

    async def insert(self, sql: str, params: Sequence[Any] = ()) -> int | None:
        """Run an INSERT; returns the new row's id, or None when nothing was inserted (ON CONFLICT DO NOTHING)."""
        writer = self._require(self._writer)
        if _in_transaction():
            cursor = await writer.execute(sql, params)
        else:
            async with self._write_lock:
                cursor = await writer.execute(sql, params)
        return cursor.lastrowid if cursor.rowcount else None

    async def returning(self, sql: str, params: Sequence[Any] = ()) -> list[aiosqlite.Row]:
        """Run a write with a RETURNING clause; returns the rows it changed."""
        writer = self._require(self._writer)
        if _in_transaction():
            return list(await writer.execute_fetchall(sql, params))
        async with self._write_lock:
            return list(await writer.execute_fetchall(sql, params))

    async def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        async with self.transaction():
            await self._require(self._writer).executemany(sql, rows)


def _split_sql(script: str) -> list[str]:
    return [part.strip() for part in script.split(";") if part.strip()]


def create_private(path: Path) -> None:
    """A new database, and a folder made for it, are readable by the bot's user only (the file holds every
    case); SQLite gives its -wal and -shm files the database file's permissions. Existing ones are left as
    their owner set them."""
    if not path.parent.exists():
        path.parent.mkdir(mode=0o700, parents=True)
    if not path.exists():
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
