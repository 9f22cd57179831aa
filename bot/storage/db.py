"""The bot's database: SQLite (the default, no server), or PostgreSQL through asyncpg.

Repositories write SQLAlchemy Core statements over the tables of bot/storage/schema.py. Each statement
is compiled once by SQLAlchemy's dialect for the engine in use and then run on the driver itself: going
through SQLAlchemy's async adapter for aiosqlite costs about five times a query's own time (measured:
~450 us against ~90 us), which the single-process bot would pay on every update. `db.sql.insert` is the
dialect's INSERT, for upserts (ON CONFLICT ... DO NOTHING / DO UPDATE read the same on both engines).
A repository not yet on Core may still pass SQL text with ? placeholders: SQLite only.

SQLite: two connections, a writer used by one transaction at a time (SQLite has one writer anyway),
and a reader that sees only committed data (WAL gives it a consistent snapshot). Their statements run
on the event loop's thread (see _Inline); what may take long runs in aiosqlite's worker thread on
connections of its own (`db.offloaded()`). PostgreSQL: a pool; a transaction holds one connection.
Either way, inside `async with db.transaction():` every call of the task goes to the transaction, so a
use case reads its own writes and commits once; a write outside a transaction is a transaction of its own.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import os
import sqlite3
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, TypeVar, cast

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
Row = Any  # sqlite3.Row or asyncpg.Record: both read as row[0] and row["name"]
POSTGRES_SCHEMES = ("postgresql://", "postgres://", "postgresql+asyncpg://")

# Set by `db.offloaded()`: the task's SQLite statements run in a worker thread (see _Threaded).
_offloaded: contextvars.ContextVar[bool] = contextvars.ContextVar("db_offloaded", default=False)


def _owned(held: tuple[asyncio.Task[Any], Any] | None) -> Any:
    """The connection of a backend's open transaction if the current task owns it, else None. A task spawned
    inside a transaction inherits the context but is not the owner, so it does not slip into (or past the
    lock of) someone else's transaction. Each backend keeps its own: a copy reads one database inside a
    transaction of the other."""
    return held[1] if held is not None and held[0] is asyncio.current_task() else None


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

    @contextmanager
    def offloaded(self) -> Iterator[None]:
        """`with db.offloaded():` the statements inside may take long (figures over a year, retention, a registry
        or a broadcast's recipients): on SQLite they run in a worker thread, so the bot goes on answering people
        meanwhile. (asyncpg never blocks the loop: nothing changes on PostgreSQL.)"""
        token = _offloaded.set(True)
        try:
            yield
        finally:
            _offloaded.reset(token)

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


class _Inline:
    """A SQLite connection used on the event loop's own thread. A statement of the bot's hot path takes tens
    of microseconds, less than handing it to a worker thread and waking the loop for its answer (measured:
    the full bot's CPU per update 2.67 ms through aiosqlite's thread, 1.86 ms here). SQLite's busy wait
    would block the loop, so the connection has none: a statement that finds the database locked by another
    process (a CLI command) fails at once, changes nothing, and is retried after an asyncio sleep, for up to
    BUSY_SECONDS."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    async def fetchall(self, sql: str, args: Sequence[Any]) -> list[Row]:
        return await self._retrying(lambda: self.conn.execute(sql, args).fetchall())

    async def execute(self, sql: str, args: Sequence[Any]) -> tuple[int, int | None]:
        def run() -> tuple[int, int | None]:
            cursor = self.conn.execute(sql, args)
            return cursor.rowcount, cursor.lastrowid
        return await self._retrying(run)

    async def executemany(self, sql: str, rows: list[Sequence[Any]]) -> None:
        await self._retrying(lambda: self.conn.executemany(sql, rows))

    async def close(self) -> None:
        self.conn.close()

    @staticmethod
    async def _retrying(call: Callable[[], Any]) -> Any:
        delay, waited = 0.001, 0.0
        while True:
            try:
                return call()
            except sqlite3.OperationalError as exc:
                if exc.sqlite_errorcode & 0xFF not in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED) or waited >= BUSY_SECONDS:
                    raise
            await asyncio.sleep(delay)
            waited += delay
            delay = min(delay * 2, 0.05)


class _Threaded:
    """A SQLite connection in aiosqlite's worker thread, for the statements that may take long (figures over a
    year, retention, a registry or a broadcast's recipients): the loop goes on meanwhile."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.conn = conn

    async def fetchall(self, sql: str, args: Sequence[Any]) -> list[Row]:
        return list(await self.conn.execute_fetchall(sql, args))

    async def execute(self, sql: str, args: Sequence[Any]) -> tuple[int, int | None]:
        cursor = await self.conn.execute(sql, args)
        return cursor.rowcount, cursor.lastrowid

    async def executemany(self, sql: str, rows: list[Sequence[Any]]) -> None:
        await self.conn.executemany(sql, rows)

    async def close(self) -> None:
        await self.conn.close()


_Conn = _Inline | _Threaded
_T = TypeVar("_T")
BUSY_SECONDS = 5.0  # how long a statement waits for another process's write to finish (as busy_timeout did)


class _SQLite:
    dialect: Dialect = sqlite.dialect()
    raw_sql = True

    def __init__(self, path: Path) -> None:
        self.path = path
        self._writer: _Inline | None = None
        self._reader: _Inline | None = None
        self._slow: dict[str, _Threaded] = {}  # "writer", "reader": opened the first time a task is offloaded
        self._write_lock = asyncio.Lock()
        # the task that holds this database's transaction, and the connection it runs on
        self._tx: contextvars.ContextVar[tuple[asyncio.Task[Any], _Conn] | None] = contextvars.ContextVar(f"db_sqlite_tx_{id(self)}", default=None)

    @property
    def connected(self) -> bool:
        return self._writer is not None

    async def connect(self) -> None:
        if self._writer is not None:
            return
        create_private(self.path)
        await asyncio.to_thread(upgrade_sqlite, self.path)  # the migrations not yet applied, each in a transaction
        self._writer = _Inline(self._open())
        self._reader = _Inline(self._open())

    def _open(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=0)
        conn.row_factory = sqlite3.Row
        for pragma in PRAGMAS:
            if not pragma.startswith("PRAGMA busy_timeout"):  # no busy wait on the loop: _Inline retries instead
                conn.execute(pragma)
        return conn

    async def _threaded(self, role: str) -> _Threaded:
        if role not in self._slow:
            conn = await aiosqlite.connect(self.path, isolation_level=None)
            conn.row_factory = aiosqlite.Row
            for pragma in PRAGMAS:
                await conn.execute(pragma)
            self._slow[role] = _Threaded(conn)
        return self._slow[role]

    async def close(self) -> None:
        for conn in (self._reader, self._writer, *self._slow.values()):
            if conn is not None:
                await conn.close()
        self._reader = self._writer = None
        self._slow = {}

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[None]:
        if _owned(self._tx.get()) is not None:
            yield
            return
        async with self._write_lock:
            conn = await self._writer_now()
            token = self._tx.set((asyncio.current_task(), conn))  # type: ignore[arg-type]
            await conn.execute("BEGIN IMMEDIATE", ())
            try:
                yield
            except BaseException:
                await conn.execute("ROLLBACK", ())
                raise
            else:
                await conn.execute("COMMIT", ())
            finally:
                self._tx.reset(token)

    async def _read_conn(self) -> _Conn:
        tx = _owned(self._tx.get())
        if tx is not None:
            return tx
        return await self._threaded("reader") if _offloaded.get() else self._require(self._reader)

    @staticmethod
    def _require(conn: _Conn | None) -> _Conn:
        if conn is None:
            raise RuntimeError("database is not connected")
        return conn

    async def _writer_now(self) -> _Conn:
        """The writer for this task: aiosqlite's thread when offloaded, else the loop's own."""
        return await self._threaded("writer") if _offloaded.get() else self._require(self._writer)

    async def _on_writer(self, run: Callable[[_Conn], Awaitable[_T]]) -> _T:
        """`run` on the task's transaction, or, outside one, on the writer under the write lock (one statement
        is atomic by itself: autocommit)."""
        tx = _owned(self._tx.get())
        if tx is not None:
            return await run(tx)
        async with self._write_lock:
            return await run(await self._writer_now())

    async def fetchall(self, sql: str, args: Sequence[Any]) -> list[Row]:
        return await (await self._read_conn()).fetchall(sql, args)

    async def execute(self, sql: str, args: Sequence[Any]) -> int:
        return (await self._on_writer(lambda conn: conn.execute(sql, args)))[0]

    async def lastrowid(self, sql: str, args: Sequence[Any]) -> int | None:
        changed, rowid = await self._on_writer(lambda conn: conn.execute(sql, args))
        return rowid if changed else None

    async def returning(self, sql: str, args: Sequence[Any]) -> list[Row]:
        return await self._on_writer(lambda conn: conn.fetchall(sql, args))

    async def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        rows = list(rows)
        async with self.transaction():
            await _owned(self._tx.get()).executemany(sql, rows)


class _Postgres:
    dialect: Dialect = asyncpg_dialect.dialect()
    raw_sql = False
    POOL = 10

    def __init__(self, url: str) -> None:
        self.url = url
        self.dsn = "postgresql://" + url.split("://", 1)[1]
        self._pool: Any = None
        # the task that holds this database's transaction, and its connection (the pool lends one per transaction)
        self._tx: contextvars.ContextVar[tuple[asyncio.Task[Any], Any] | None] = contextvars.ContextVar(f"db_pg_tx_{id(self)}", default=None)

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
        if _owned(self._tx.get()) is not None:
            yield
            return
        async with self._require().acquire() as conn, conn.transaction():
            token = self._tx.set((asyncio.current_task(), conn))  # type: ignore[arg-type]
            try:
                yield
            finally:
                self._tx.reset(token)

    def _require(self) -> Any:
        if self._pool is None:
            raise RuntimeError("database is not connected")
        return self._pool

    def _conn(self) -> Any:
        return _owned(self._tx.get()) or self._require()

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
            await _owned(self._tx.get()).executemany(sql, list(rows))

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
