"""The bot's database: SQLite through aiosqlite (the default, no server), or PostgreSQL through asyncpg.

Repositories write SQLAlchemy Core statements over the tables of bot/storage/schema.py. Each statement
is compiled once by SQLAlchemy's dialect for the engine in use and then run on the driver itself: going
through SQLAlchemy's async adapter for aiosqlite costs about five times a query's own time (measured:
~450 us against ~90 us), which the single-process bot would pay on every update. `db.sql.insert` is the
dialect's INSERT, for upserts (ON CONFLICT ... DO NOTHING / DO UPDATE read the same on both engines).
A repository not yet on Core may still pass SQL text with ? placeholders: SQLite only.

SQLite: two connections, a writer used by one transaction at a time (SQLite has one writer anyway),
and a reader that sees only committed data (WAL gives it a consistent snapshot). PostgreSQL: a pool;
a transaction holds one connection. Either way, inside `async with db.transaction():` every call of
the task goes to the transaction, so a use case reads its own writes and commits once; a write outside
a transaction is a transaction of its own.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import os
import weakref
from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, cast

import aiosqlite
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.dialects.postgresql import asyncpg as asyncpg_dialect
from sqlalchemy.engine import Dialect
from sqlalchemy.sql import ClauseElement, Executable
from sqlalchemy.sql.compiler import SQLCompiler

from bot.storage.migrate import upgrade_postgres, upgrade_sqlite

log = logging.getLogger(__name__)
# aiosqlite logs every call with its arguments at DEBUG, and the arguments can be what a person wrote:
# logs must never hold message text, so its debug output is off whatever LOG_LEVEL says.
logging.getLogger("aiosqlite").setLevel(logging.INFO)

Statement = str | Executable  # a Core statement, or SQL text with ? (SQLite only, until every repository is on Core)
Params = Sequence[Any] | Mapping[str, Any]
Row = Any  # aiosqlite.Row or asyncpg.Record: both read as row[0] and row["name"]
POSTGRES_SCHEMES = ("postgresql://", "postgres://", "postgresql+asyncpg://")

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


class Sql:
    """The dialect's own constructs a repository needs to say the same thing on both engines."""

    def __init__(self, dialect_name: str) -> None:
        self.insert = postgresql.insert if dialect_name == "postgresql" else sqlite.insert


@dataclass(frozen=True, slots=True)
class _Compiled:
    sql: str
    positions: tuple[str, ...]  # the parameters' names, in the order the driver takes them
    defaults: Mapping[str, Any] | None  # values written into the statement (a literal in a WHERE): merged in
    expanding: SQLCompiler | None  # a statement with an IN list, expanded for each call's values


class Backend(Protocol):
    dialect: Dialect
    raw_sql: bool  # takes SQL text with ? as well

    async def connect(self) -> None: ...
    async def close(self) -> None: ...
    def transaction(self) -> Any: ...
    async def fetchall(self, sql: str, args: Sequence[Any]) -> list[Row]: ...
    async def execute(self, sql: str, args: Sequence[Any]) -> int: ...
    async def returning(self, sql: str, args: Sequence[Any]) -> list[Row]: ...
    async def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None: ...
    async def lastrowid(self, sql: str, args: Sequence[Any]) -> int | None: ...


class Database:
    def __init__(self, target: Path | str) -> None:
        text = str(target)
        self.url = text
        self.backend: Backend
        if text.startswith(POSTGRES_SCHEMES):
            self.backend = _Postgres(text)
            self.path: Path | None = None
        else:
            self.path = Path(text.removeprefix("sqlite:///"))
            self.backend = _SQLite(self.path)
        self.dialect = self.backend.dialect.name
        self.sql = Sql(self.dialect)
        # each statement compiled once; a statement built for one call (rare) is forgotten with it
        self._compiled: weakref.WeakKeyDictionary[ClauseElement, _Compiled] = weakref.WeakKeyDictionary()

    async def connect(self) -> None:
        await self.backend.connect()

    async def close(self) -> None:
        await self.backend.close()

    @property
    def connected(self) -> bool:
        return bool(getattr(self.backend, "connected", False))

    async def schema_version(self) -> int:
        """The schema's revision, as a number (Alembic's revisions here are 0001, 0002, ...)."""
        rows = await self.backend.fetchall("SELECT version_num FROM alembic_version", ())
        return int(rows[0][0]) if rows else 0

    def transaction(self) -> Any:
        """`async with db.transaction():` one transaction for the task, however deep the calls nest."""
        return self.backend.transaction()

    # ------------------------------------------------------------------ statements
    def _prepare(self, statement: Statement, params: Params | None) -> tuple[str, Sequence[Any]]:
        if isinstance(statement, str):
            if params and not self.backend.raw_sql:
                raise TypeError("SQL text with ? parameters is SQLite-only: write the statement with SQLAlchemy Core")
            return statement, tuple(params or ())
        values: dict[str, Any] = dict(params or {})
        assert isinstance(statement, ClauseElement)
        compiled = self._compiled.get(statement) or self._compile(statement)
        if compiled.defaults:
            values = {**compiled.defaults, **values}
        if compiled.expanding is not None:  # an IN list: its length is part of the SQL
            state = compiled.expanding.construct_expanded_state(values)
            return state.statement, tuple(state.parameters[name] for name in state.positiontup or ())
        return compiled.sql, tuple(values[name] for name in compiled.positions)

    def _compile(self, statement: ClauseElement) -> _Compiled:
        built = cast(SQLCompiler, statement.compile(dialect=self.backend.dialect))
        literal = {built.bind_names[bind]: bind.effective_value for bind in built.binds.values() if not bind.required}
        compiled = _Compiled(built.string, tuple(built.positiontup or ()), literal or None,
                             built if built.post_compile_params else None)
        self._compiled[statement] = compiled
        return compiled

    # ------------------------------------------------------------------ calls: each one trip to the driver
    async def fetchone(self, statement: Statement, params: Params | None = None) -> Row | None:
        rows = await self.backend.fetchall(*self._prepare(statement, params))
        return rows[0] if rows else None

    async def fetchall(self, statement: Statement, params: Params | None = None) -> list[Row]:
        return await self.backend.fetchall(*self._prepare(statement, params))

    async def execute(self, statement: Statement, params: Params | None = None) -> int:
        """Run a write; returns the number of rows changed."""
        return await self.backend.execute(*self._prepare(statement, params))

    async def insert(self, statement: Statement, params: Params | None = None) -> int | None:
        """Run an INSERT; returns the new row's id, or None when nothing was inserted (ON CONFLICT DO NOTHING).
        A Core statement says which column with .returning()."""
        if isinstance(statement, str):
            return await self.backend.lastrowid(*self._prepare(statement, params))
        rows = await self.backend.returning(*self._prepare(statement, params))
        return int(rows[0][0]) if rows else None

    async def returning(self, statement: Statement, params: Params | None = None) -> list[Row]:
        """Run a write with a RETURNING clause; returns the rows it changed."""
        return await self.backend.returning(*self._prepare(statement, params))

    async def executemany(self, statement: Statement, rows: Iterable[Params]) -> None:
        """The same write for many rows, in one transaction."""
        prepared = [self._prepare(statement, row) for row in rows]
        if prepared:
            await self.backend.executemany(prepared[0][0], [args for _sql, args in prepared])


class _SQLite:
    dialect: Dialect = sqlite.dialect()
    raw_sql = True

    def __init__(self, path: Path) -> None:
        self.path = path
        self._writer: aiosqlite.Connection | None = None
        self._reader: aiosqlite.Connection | None = None
        self._write_lock = asyncio.Lock()

    @property
    def connected(self) -> bool:
        return self._writer is not None

    async def connect(self) -> None:
        if self._writer is not None:
            return
        create_private(self.path)
        await asyncio.to_thread(upgrade_sqlite, self.path)  # the migrations not yet applied, each in a transaction
        self._writer = await self._open()
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
        return self._require(self._writer if _in_transaction() else self._reader)

    @staticmethod
    def _require(conn: aiosqlite.Connection | None) -> aiosqlite.Connection:
        if conn is None:
            raise RuntimeError("database is not connected")
        return conn

    async def fetchall(self, sql: str, args: Sequence[Any]) -> list[Row]:
        return list(await self._conn_for_read().execute_fetchall(sql, args))

    async def execute(self, sql: str, args: Sequence[Any]) -> int:
        """Outside a transaction one statement is atomic by itself (autocommit): it needs only the write lock."""
        writer = self._require(self._writer)
        if _in_transaction():
            return (await writer.execute(sql, args)).rowcount
        async with self._write_lock:
            return (await writer.execute(sql, args)).rowcount

    async def lastrowid(self, sql: str, args: Sequence[Any]) -> int | None:
        writer = self._require(self._writer)
        if _in_transaction():
            cursor = await writer.execute(sql, args)
        else:
            async with self._write_lock:
                cursor = await writer.execute(sql, args)
        return cursor.lastrowid if cursor.rowcount else None

    async def returning(self, sql: str, args: Sequence[Any]) -> list[Row]:
        writer = self._require(self._writer)
        if _in_transaction():
            return list(await writer.execute_fetchall(sql, args))
        async with self._write_lock:
            return list(await writer.execute_fetchall(sql, args))

    async def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        async with self.transaction():
            await self._require(self._writer).executemany(sql, rows)


# The task's PostgreSQL transaction: its connection (the pool lends one per transaction).
_pg_connection: contextvars.ContextVar[Any] = contextvars.ContextVar("db_pg_connection", default=None)


class _Postgres:
    dialect: Dialect = asyncpg_dialect.dialect()
    raw_sql = False
    POOL = 10

    def __init__(self, url: str) -> None:
        self.url = url
        self.dsn = "postgresql://" + url.split("://", 1)[1]
        self._pool: Any = None

    @property
    def connected(self) -> bool:
        return self._pool is not None

    async def connect(self) -> None:
        import asyncpg

        if self._pool is not None:
            return
        await upgrade_postgres(self.dsn)
        self._pool = await asyncpg.create_pool(self.dsn, min_size=1, max_size=self.POOL)

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.close()
            self._pool = None

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[None]:
        if _in_transaction():
            yield
            return
        async with self._require().acquire() as conn, conn.transaction():
            owner, connection = _tx_owner.set(asyncio.current_task()), _pg_connection.set(conn)
            try:
                yield
            finally:
                _pg_connection.reset(connection)
                _tx_owner.reset(owner)

    def _require(self) -> Any:
        if self._pool is None:
            raise RuntimeError("database is not connected")
        return self._pool

    def _conn(self) -> Any:
        return _pg_connection.get() if _in_transaction() else self._require()

    async def fetchall(self, sql: str, args: Sequence[Any]) -> list[Row]:
        return list(await self._conn().fetch(sql, *args))

    async def execute(self, sql: str, args: Sequence[Any]) -> int:
        status = await self._conn().execute(sql, *args)  # "UPDATE 3", "INSERT 0 1", "DELETE 0"
        last = str(status).rsplit(" ", 1)[-1]
        return int(last) if last.isdigit() else 0

    async def returning(self, sql: str, args: Sequence[Any]) -> list[Row]:
        return await self.fetchall(sql, args)

    async def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        async with self.transaction():
            await _pg_connection.get().executemany(sql, list(rows))

    async def lastrowid(self, sql: str, args: Sequence[Any]) -> int | None:
        raise TypeError("SQL text is SQLite-only")


def create_private(path: Path) -> None:
    """A new database, and a folder made for it, are readable by the bot's user only (the file holds every
    case); SQLite gives its -wal and -shm files the database file's permissions. Existing ones are left as
    their owner set them."""
    if not path.parent.exists():
        path.parent.mkdir(mode=0o700, parents=True)
    if not path.exists():
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
