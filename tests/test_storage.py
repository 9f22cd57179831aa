"""SQLite: pragmas, migrations, transactions, the users repository and the FSM storage."""

from __future__ import annotations

import asyncio
import sqlite3
import stat
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from aiogram.fsm.state import State
from aiogram.fsm.storage.base import StorageKey

from bot.services.users import (
    LAST_SEEN_RESOLUTION,
    UserService,
    language_order,
    suggest_language,
)
from bot.storage import db as db_module
from bot.storage.db import Database
from bot.storage.fsm import FsmRepository
from bot.storage.migrate import head
from bot.storage.privacy import PrivacyRepository
from bot.storage.users import UserRepository
from bot.telegram.fsm import SQLiteStorage
from tests.conftest import until


@pytest.fixture
async def db(tmp_path):
    database = Database(tmp_path / "nested" / "bot.sqlite3")
    await database.connect()
    yield database
    await database.close()


async def test_pragmas_and_schema_version(db: Database) -> None:
    assert (await db.fetchone("PRAGMA journal_mode"))[0] == "wal"
    assert (await db.fetchone("PRAGMA foreign_keys"))[0] == 1
    # no busy wait on the event loop's thread: a locked database is waited for with asyncio (next test)
    assert (await db.fetchone("PRAGMA busy_timeout"))[0] == 0
    assert await db.schema_version() == int(head())


async def test_a_write_waits_for_another_process_without_blocking_the_loop(db: Database, monkeypatch) -> None:
    """Another process (a CLI command) holds the write lock: the bot's write waits for it with asyncio
    sleeps, the loop meanwhile goes on, and the write lands once the lock is free. Held longer than
    BUSY_SECONDS, the write fails with SQLite's own error, having changed nothing."""
    assert db.path is not None
    other = sqlite3.connect(db.path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    ticks = 0

    async def ticking() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.005)
            ticks += 1

    ticker = asyncio.create_task(ticking())
    write = asyncio.create_task(db.execute("INSERT INTO users (id, first_seen, last_seen) VALUES (7, 'x', 'x')"))
    await until(lambda: ticks >= 20, "the loop going on meanwhile", timeout=5)
    assert not write.done()  # still waiting for the lock, and the loop was not blocked
    other.execute("COMMIT")
    assert await asyncio.wait_for(write, 2) == 1
    ticker.cancel()
    assert (await db.fetchone("SELECT COUNT(*) FROM users WHERE id = 7"))[0] == 1

    monkeypatch.setattr(db_module, "BUSY_SECONDS", 0.1)
    other.execute("BEGIN IMMEDIATE")
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        await db.execute("INSERT INTO users (id, first_seen, last_seen) VALUES (8, 'x', 'x')")
    other.execute("ROLLBACK")
    other.close()
    assert (await db.fetchone("SELECT COUNT(*) FROM users WHERE id = 8"))[0] == 0


async def test_offloaded_statements_run_in_a_worker_thread(db: Database) -> None:
    """`db.offloaded()`: reads, writes and a transaction go to aiosqlite's thread, see the same data, and the
    loop's own connections see the result."""
    seen: list[str] = []
    real = db_module._Inline.fetchall

    async def spy(self, sql, args):
        seen.append(threading.current_thread().name)
        return await real(self, sql, args)

    db_module._Inline.fetchall = spy  # type: ignore[method-assign]
    try:
        with db.offloaded():
            async with db.transaction():
                await db.execute("INSERT INTO users (id, first_seen, last_seen) VALUES (9, 'x', 'x')")
                assert (await db.fetchone("SELECT COUNT(*) FROM users WHERE id = 9"))[0] == 1
            assert (await db.fetchone("SELECT COUNT(*) FROM users WHERE id = 9"))[0] == 1
        assert seen == []  # none of it went through the loop's connections
        assert (await db.fetchone("SELECT COUNT(*) FROM users WHERE id = 9"))[0] == 1
        assert seen == [threading.main_thread().name]
    finally:
        db_module._Inline.fetchall = real  # type: ignore[method-assign]
    assert set(db.backend._slow) == {"reader", "writer"}  # type: ignore[attr-defined]


async def test_migrations_run_once(tmp_path) -> None:
    path = tmp_path / "bot.sqlite3"
    first = Database(path)
    await first.connect()
    await first.execute("INSERT INTO users (id, first_seen, last_seen) VALUES (1, 'x', 'x')")
    await first.close()
    second = Database(path)
    await second.connect()  # must not re-create tables or lose rows
    assert (await second.fetchone("SELECT COUNT(*) FROM users"))[0] == 1
    await second.close()


async def test_transaction_rolls_back_as_a_whole(db: Database) -> None:
    repo = UserRepository(db)
    now = datetime.now(UTC)
    with pytest.raises(RuntimeError):
        async with db.transaction():
            await repo.insert(1, "ru", now)
            assert await repo.get(1) is not None  # reads its own writes
            raise RuntimeError("boom")
    assert await repo.get(1) is None


async def test_reader_does_not_see_uncommitted_writes(db: Database) -> None:
    repo = UserRepository(db)
    seen_outside = []

    async with db.transaction():
        await repo.insert(7, "ky", datetime.now(UTC))
        # another coroutine reading meanwhile uses the reader connection: not committed yet
        import asyncio

        seen_outside.append(await asyncio.create_task(repo.get(7)))
    assert seen_outside == [None]
    assert await repo.get(7) is not None


async def test_user_service_creates_and_touches(db: Database) -> None:
    clock = [datetime(2026, 3, 1, 12, 0, tzinfo=UTC)]
    service = UserService(db, UserRepository(db), clock=lambda: clock[0])
    user = await service.seen(42, "uz")
    assert user.language is None and user.telegram_language == "uz"
    clock[0] += LAST_SEEN_RESOLUTION - timedelta(seconds=1)
    assert (await service.seen(42, "uz")).last_seen == datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    clock[0] += timedelta(seconds=2)
    assert (await service.seen(42, "uz")).last_seen == clock[0]
    await service.choose_language(42, "tg")
    with pytest.raises(ValueError):
        await service.choose_language(42, "en")
    with pytest.raises(ValueError):
        await service.set_destination(42, "FR")
    assert (await service.get(42)).language == "tg"


async def test_the_user_cache_is_written_through(db: Database) -> None:
    """Each change is written to the database and to the cached person at once: what the service answers
    from memory is, field for field, what the database holds, and no change reads the person again."""
    clock = [datetime(2026, 3, 1, 12, 0, tzinfo=UTC)]
    repo = UserRepository(db)
    service = UserService(db, repo, clock=lambda: clock[0])
    await service.seen(42, "uz")
    reads = 0
    real_get = repo.get

    async def counted(user_id: int):
        nonlocal reads
        reads += 1
        return await real_get(user_id)

    repo.get = counted  # type: ignore[method-assign]
    changes = [
        service.choose_language(42, "ky"), service.set_citizenship(42, "KG"), service.set_destination(42, "RU"),
        service.set_location(42, "KZ"), service.mark_blocked(42, True),
    ]
    for change in changes:
        await change
        assert await service.get(42) == await real_get(42)
    clock[0] += LAST_SEEN_RESOLUTION  # the next update touches the person: last seen, language, unblocked
    assert await service.seen(42, "ru") == await real_get(42)
    assert reads == 0
    assert (await service.get(42)).place == "KZ"


@pytest.mark.parametrize(
    "code, expected",
    [("ky", "ky"), ("KY", "ky"), ("uz-Latn", "uz"), ("uz_UZ", "uz"), ("tg", "tg"), ("kk", "ru"), ("en", "ru"), (None, "ru"), ("", "ru")],
)
def test_suggest_language(code, expected) -> None:
    assert suggest_language(code, "ru") == expected


def test_language_order_puts_suggestion_first() -> None:
    assert language_order("tg") == ["tg", "ru", "ky", "uz"]


async def test_fsm_storage_roundtrip_and_forget(db: Database) -> None:
    storage = SQLiteStorage(FsmRepository(db))
    key = StorageKey(bot_id=1, chat_id=10, user_id=10)
    other = StorageKey(bot_id=1, chat_id=11, user_id=11)
    assert await storage.get_state(key) is None and await storage.get_data(key) == {}
    await storage.set_state(key, State("asking", group_name="Form"))
    await storage.set_data(key, {"answers": [1, "да"]})
    assert await storage.update_data(key, {"step": 2}) == {"answers": [1, "да"], "step": 2}
    await storage.set_state(other, "Form:x")
    assert await storage.get_state(key) == "Form:asking"
    # a new storage on the same database (a restart) sees the same
    again = SQLiteStorage(FsmRepository(db))
    assert await again.get_data(key) == {"answers": [1, "да"], "step": 2}
    await again.set_state(key, None)
    assert await again.get_state(key) is None
    assert await again.get_data(key) == {"answers": [1, "да"], "step": 2}
    # /forget (bot.storage.privacy) deletes the person's one row, and the cache forgets it
    count = "SELECT count(*) FROM fsm_state WHERE user_id = ?"
    assert [(await db.fetchone(count, (uid,)) or [0])[0] for uid in (10, 11)] == [1, 1]
    await again.set_state(key, "Form:again")  # cached, and its row is then deleted by /forget
    assert await again.get_state(other) == "Form:x"  # cached too
    async with db.transaction():
        await PrivacyRepository(db).forget(10, "no-events-actor")
    again.repository.forgotten(10)
    assert [(await db.fetchone(count, (uid,)) or [0])[0] for uid in (10, 11)] == [0, 1]
    assert await again.get_data(key) == {} and await again.get_state(key) is None
    # only the forgotten person's states leave the cache: the other's is still answered from it
    await db.execute("UPDATE fsm_state SET state = 'Form:changed-behind-the-cache' WHERE user_id = 11")
    assert await again.get_state(other) == "Form:x"


async def test_a_new_database_is_private_and_overwrites_what_it_deletes(tmp_path: Path) -> None:
    """The file holds every case: a new one (and a folder made for it) is the bot's user's only, with its
    WAL; deleted rows are overwritten (secure_delete), not left readable in free pages."""
    path = tmp_path / "data" / "bot.sqlite3"
    db = Database(path)
    await db.connect()
    try:
        await db.execute("INSERT INTO meta (name, value) VALUES ('x', 'y')")
        row = await db.fetchone("PRAGMA secure_delete")
        assert row is not None and row[0] == 1
        modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in (path.parent, path, path.with_name("bot.sqlite3-wal"))}
        assert modes == {"data": 0o700, "bot.sqlite3": 0o600, "bot.sqlite3-wal": 0o600}
    finally:
        await db.close()
