"""Moving up: `python -m bot db copy` takes a bot's SQLite data, with cases, checklists, registries and
figures in it, to another database (PostgreSQL when TEST_DATABASE_URL is set; another SQLite file always),
and the copy is checked row by row; the bot then runs on the copy, and its next case gets the next number."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.services.agency import SAMPLES_DIR
from bot.storage.cases import CaseRepository
from bot.storage.db import Database
from tests.conftest import ROOT, Desk
from tests.test_checklist import traveller
from tests.test_storage_engines import drop_postgres, fresh_postgres

POSTGRES = os.environ.get("TEST_DATABASE_URL")


async def filled(desk: Desk) -> Path:
    """The desk's database with a case taken and talked in, a checklist with reminders, registries, events."""
    h = desk.h
    assert h.app is not None
    migrant = await desk.migrant("ky")
    case_id = await desk.ask(migrant, "ky", describe="паспортумду алып коюшту")
    await desk.aida.click("✋", desk.alert())
    await migrant.send("рахмат")
    await h.app.agencies.load_samples(SAMPLES_DIR)
    await migrant.send("/checklist")
    await traveller(h, "uz", citizenship="UZ", destination="RU")  # a checklist with dated reminders
    assert case_id == 1
    path = h.settings.database_path
    await h.app.close()
    h.app = None
    return path


def copy(source: str, target: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "BOT_"))}
    return subprocess.run([sys.executable, "-m", "bot", "db", "copy", "--from", source, "--to", target], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)


async def next_case_number(url: str) -> int:
    db = Database(url)
    await db.connect()
    try:
        repo = CaseRepository(db)
        assert (await repo.get(1)) is not None and (await repo.get(1)).description == "паспортумду алып коюшту"  # type: ignore[union-attr]
        return await repo.insert({"kind": "request", "level": "unknown", "language": "ru", "team": "main",
                                  "created_at": "2026-12-01T00:00:00+00:00", "waiting_since": "2026-12-01T00:00:00+00:00"})
    finally:
        await db.close()


async def test_a_copy_to_another_sqlite_file_is_checked_and_refuses_a_full_target(desk: Desk, tmp_path: Path) -> None:
    source = await filled(desk)
    result = copy(f"sqlite:///{source}", f"sqlite:///{tmp_path / 'copy.sqlite3'}")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "every row compared: equal" in result.stdout and "cases: 1 rows copied" in result.stdout
    assert await next_case_number(str(tmp_path / "copy.sqlite3")) == 2
    again = copy(f"sqlite:///{source}", f"sqlite:///{tmp_path / 'copy.sqlite3'}")
    assert again.returncode == 1 and "nothing copied: the target already holds data" in again.stdout


@pytest.mark.skipif(not POSTGRES, reason="TEST_DATABASE_URL is not set")
async def test_a_copy_to_postgresql_is_checked_and_the_bot_goes_on_there(desk: Desk) -> None:
    source = await filled(desk)
    url, name = await fresh_postgres()
    try:
        result = copy(str(source), url)
        assert result.returncode == 0, result.stdout + result.stderr
        assert "every row compared: equal" in result.stdout and "password" not in result.stdout
        assert await next_case_number(url) == 2  # the sequence was moved past the copied cases
    finally:
        await drop_postgres(name)
