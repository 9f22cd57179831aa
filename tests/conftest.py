"""Test harness: the real app (Dispatcher, middlewares, SQLite) over the in-process sandbox Telegram."""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import itertools
import logging
import os
from collections.abc import AsyncIterator, Callable, Coroutine
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiogram.types import Update

from bot.app import App, build_app
from bot.config import Settings
from bot.i18n import LANGUAGE_NAMES
from bot.sandbox.client import Person
from bot.sandbox.core import FakeClock, Limits, Sandbox, SandboxMessage
from bot.sandbox.session import SandboxSession
from bot.storage.db import Database

ROOT = Path(__file__).resolve().parent.parent
_user_ids = itertools.count(5_000_001)
# The tests' wall clock: a Monday morning in Bishkek (03:00 UTC = 09:00 UTC+6), moved with the sandbox's clock.
EPOCH = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)


# The desk's flows run on every engine this machine has (the storage tests do so by themselves, in
# tests/test_storage_engines.py): SQLite; PostgreSQL when TEST_DATABASE_URL is set; and as one of several
# instances, PostgreSQL and Redis (state and per-chat order in Redis, no in-process cache, the pace shared,
# every claim signed) when TEST_REDIS_URL is set too. Every other test runs on SQLite, or on what
# TEST_ENGINE=postgresql and TEST_SHARED=1 ask for the whole run.
FLOWS = ("tests.test_consult", "tests.test_forum", "tests.test_triage", "tests.test_addressing")
SQLITE, POSTGRESQL, SHARED = "sqlite", "postgresql", "postgresql+redis"


def engines() -> list[str]:
    found = [SQLITE]
    if os.environ.get("TEST_DATABASE_URL"):
        found.append(POSTGRESQL)
        if os.environ.get("TEST_REDIS_URL"):
            found.append(SHARED)
    return found


def _engine_of_the_run() -> str:
    postgres = os.environ.get("TEST_ENGINE") == "postgresql"
    shared = bool(os.environ.get("TEST_SHARED") and os.environ.get("TEST_REDIS_URL"))
    return SHARED if postgres and shared else POSTGRESQL if postgres else SQLITE


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The tests marked slow first, longest first; the rest in their order. With several workers the long
    ones then run beside the many short ones instead of starting last (every worker sorts alike)."""
    def seconds(item: pytest.Item) -> float:
        mark = item.get_closest_marker("slow")
        return float(mark.args[0]) if mark is not None and mark.args else 0.0

    items.sort(key=lambda item: -seconds(item))


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if metafunc.module.__name__ in FLOWS:
        metafunc.parametrize("engine", engines(), indirect=True)


_engine_now: list[str] = []  # the engine of the test running in this process (set by the fixture below)


@pytest.fixture(autouse=True)
def engine(request: pytest.FixtureRequest) -> Any:
    """The engine the test's bots run on: its parameter for the desk's flows, else the run's."""
    _engine_now[:] = [getattr(request, "param", None) or _engine_of_the_run()]
    yield _engine_now[0]
    _engine_now.clear()


def make_settings(tmp_path: Path, **overrides: Any) -> Settings:
    """The bot's settings for a test: a fresh SQLite file, or on PostgreSQL (see `engine`) a fresh database,
    dropped at the end of the session; as one of several instances also Redis, under a prefix of the
    test's own, deleted at the end of the session."""
    values: dict[str, Any] = {"database_path": tmp_path / "bot.sqlite3", "bot_token": None}
    engine = _engine_now[0] if _engine_now else _engine_of_the_run()
    if engine in (POSTGRESQL, SHARED) and "database_path" not in overrides:
        values["database_url"] = _fresh_postgres()
    if engine == SHARED and "redis_url" not in overrides:
        values["redis_url"] = os.environ["TEST_REDIS_URL"]
        values["redis_prefix"] = f"test-{next(_prefixes)}-{os.getpid()}"
        _made_prefixes.append(values["redis_prefix"])
    values.update(overrides)
    return Settings(_env_file=None, **values)


_made_databases: list[str] = []
_made_prefixes: list[str] = []
_prefixes = itertools.count(1)


def _fresh_postgres() -> str:
    """A new database at the newest schema: a copy of one this process migrated once (CREATE DATABASE ...
    TEMPLATE), the same as the bot makes of an empty one, without making it again for every test."""
    from tests.test_storage_engines import fresh_postgres

    async def fresh() -> tuple[str, str]:
        if not _template:
            url, name = await fresh_postgres()
            _made_databases.append(name)
            schema = Database(url)
            await schema.connect()
            await schema.close()
            _template.append(name)
        return await fresh_postgres(template=_template[0])

    with concurrent.futures.ThreadPoolExecutor(1) as thread:  # the test's own loop is running: make it beside
        url, name = thread.submit(asyncio.run, fresh()).result()
    _made_databases.append(name)
    return url


_template: list[str] = []


@pytest.fixture(scope="session", autouse=True)
def _drop_made_databases() -> Any:
    yield
    if _made_databases:
        from tests.test_storage_engines import drop_postgres

        async def drop_all() -> None:  # a few at a time: each waits on the server's files, not on this process
            limit = asyncio.Semaphore(6)

            async def drop(name: str) -> None:
                async with limit:
                    await drop_postgres(name)

            await asyncio.gather(*(drop(name) for name in _made_databases))

        asyncio.run(drop_all())
    if _made_prefixes:
        from bot.telegram.shared import Shared

        async def delete_all() -> None:
            shared = Shared(os.environ["TEST_REDIS_URL"], "test")
            for prefix in _made_prefixes:
                keys = [key async for key in shared.redis.scan_iter(match=f"{prefix}:*", count=1000)]
                if keys:
                    await shared.redis.delete(*keys)
            await shared.close()

        asyncio.run(delete_all())


class Harness:
    def __init__(self, settings: Settings, limits: Limits | None = None) -> None:
        self.settings = settings
        self.clock = FakeClock()
        self.sandbox = Sandbox(limits=limits or Limits(), clock=self.clock)
        self.app: App | None = None
        self.expect_errors = False  # a test of failures sets this; otherwise any handled error fails it

    async def start(self, *, replay_inbox: bool = True) -> App:
        """The bot on this sandbox; replay_inbox=False leaves what the last run left unfinished to polling,
        as `python -m bot run` does."""
        async def sleep(seconds: float) -> None:  # the bot "waits" on the sandbox's clock
            self.clock.advance(seconds)

        self.app = await build_app(
            self.settings, session=SandboxSession(self.sandbox), sleep=sleep, now=self.now, monotonic=self.clock
        )
        await self.app.startup(replay_inbox=replay_inbox)
        await self.app.recovered()  # tests read what the start sent
        return self.app

    def now(self) -> datetime:
        return EPOCH + timedelta(seconds=self.clock.value - 1_000.0)

    def advance(self, **delta: float) -> None:
        """Move time on, for the bot and for Telegram alike."""
        self.clock.advance(timedelta(**delta).total_seconds())

    async def restart(self) -> App:
        """Stop the bot and start a new one on the same database (and the same Telegram)."""
        assert self.app is not None
        await self.app.close()
        return await self.start()

    async def feed(self, update: dict[str, Any]) -> None:
        assert self.app is not None
        await self.app.dp.feed_update(self.app.bot, Update.model_validate(update, context={"bot": self.app.bot}))

    def person(self, language_code: str | None = "ru", first_name: str = "Aibek", user_id: int | None = None) -> Person:
        user = self.sandbox.add_user(user_id or next(_user_ids), first_name, language_code)
        return Person(self.sandbox, user, self.feed)

    async def speaker(self, lang: str, telegram_language: str | None = None) -> Person:
        """A person whose phone is in `telegram_language` (default: `lang`) and who chose `lang` at /start."""
        person = self.person(telegram_language or lang)
        await person.send("/start")
        await person.click(LANGUAGE_NAMES[lang])
        return person

    def t(self, msgid: str, locale: str) -> str:
        """A UI string as the bot shows it in `locale`."""
        assert self.app is not None
        return self.app.i18n.gettext(msgid, locale=locale)

    async def close(self) -> None:
        if self.app is not None:
            await self.app.close()


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextlib.asynccontextmanager
async def running(settings: Settings, setup: Callable[[Harness], None] | None = None) -> AsyncIterator[Harness]:
    errors = _Collect()
    logging.getLogger("bot.errors").addHandler(errors)
    h = Harness(settings)
    if setup is not None:
        setup(h)
    await h.start()
    try:
        yield h
    finally:
        await h.close()
        logging.getLogger("bot.errors").removeHandler(errors)
    if errors.records and not h.expect_errors:
        pytest.fail("a handler failed: " + "; ".join(r.getMessage()[:300] for r in errors.records))


@pytest.fixture
async def harness(tmp_path: Path) -> AsyncIterator[Harness]:
    async with running(make_settings(tmp_path)) as h:
        yield h


GROUP = -1001000000001  # the consultants' group


LANGS = ("ru", "ky", "tg", "uz")


async def until(check: Callable[[], bool], what: str, timeout: float = 15.0) -> None:
    """Wait for something the bot does on its own (polling, the outbox, a process), or fail saying what."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not check():
        if loop.time() > deadline:
            raise AssertionError(f"the bot did not {what} within {timeout}s")
        await asyncio.sleep(0.02)


async def until_answers(url: str, status: int, what: str, timeout: float = 30.0) -> None:
    """Wait until a GET of `url` answers `status` (the server may not be listening yet), or fail saying what."""
    import aiohttp

    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        try:
            async with aiohttp.ClientSession() as http, http.get(url) as answer:
                if answer.status == status:
                    return
        except aiohttp.ClientError:
            pass
        if loop.time() > deadline:
            raise AssertionError(f"the bot did not {what} within {timeout}s")
        await asyncio.sleep(0.05)


async def crash_during(h: Harness, method: str, action: Coroutine[Any, Any, Any]) -> None:
    """The process "dies" while the bot's call of `method` is under way: the update's task is cancelled there."""
    reached = h.sandbox.hold(method)
    task = asyncio.create_task(action)
    await reached.wait()
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)


# ---------------------------------------------------------------------- the consultants' desk
ADMIN = 4_000_001


@dataclass
class Desk:
    h: Harness
    aida: Person
    bek: Person
    outsider: Person

    async def migrant(self, lang: str = "ru", citizenship: str | None = "TJ", destination: str | None = "RU") -> Person:
        person = await self.h.speaker(lang)
        assert self.h.app is not None
        if citizenship:
            await self.h.app.users.set_citizenship(person.id, citizenship)
        if destination:
            await self.h.app.users.set_destination(person.id, destination)
        return person

    def group(self) -> list[SandboxMessage]:
        return self.h.sandbox.bot_messages(GROUP)

    def alert(self) -> SandboxMessage:
        alerts = [m for m in self.group() if m.buttons]
        assert alerts, "no alert with a Take button in the group"
        return alerts[-1]

    async def ask(self, person: Person, lang: str, *, describe: str | None = None) -> int:
        """The person asks for a consultant from the menu and goes through the consent."""
        t = lambda s: self.h.t(s, lang)
        await person.send("/menu")
        await person.click(t("💬 Talk to a consultant"))
        await person.click(t("✅ I agree, connect me"))
        if describe is None:
            await person.click(t("⏭ Skip"))
        else:
            await person.send(describe)
        await person.click(LANGUAGE_NAMES[lang])
        assert self.h.app is not None
        case = await self.h.app.cases.open_case_of(person.id)
        assert case is not None, person.screen()
        return case.id


def setup_group(h: Harness) -> None:
    h.sandbox.add_group(GROUP, "Consultants")


async def open_desk(h: Harness) -> Desk:
    """Two consultants in the group (Aida, Bek) and an outsider, each with a private chat with the bot."""
    aida = h.person("ru", "Aida")
    bek = h.person("ru", "Bek")
    outsider = h.person("ru", "Mallory")
    h.sandbox.groups[GROUP]["members"].update({aida.id, bek.id})
    for consultant in (aida, bek, outsider):
        await consultant.send("/start")  # a consultant opens the private chat with the bot once
    return Desk(h, aida, bek, outsider)


@pytest.fixture
async def desk(tmp_path: Path) -> AsyncIterator[Desk]:
    settings = make_settings(tmp_path, consultant_chat_id=GROUP, ngo_name="Safe Road", admin_ids=frozenset({ADMIN}))
    async with running(settings, setup_group) as h:
        yield await open_desk(h)


def pytest_collection_finish(session: pytest.Session) -> None:
    """What the collection imported lives as long as the run: out of the garbage collector's way, as `run`
    does after start-up (bot.app.settle). Each full collection no longer walks aiogram's types and the
    content: the tests take about 15% less CPU."""
    import gc

    gc.collect()
    gc.freeze()
