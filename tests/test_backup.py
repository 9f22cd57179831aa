"""Backups: `python -m bot backup` copies the database of a bot that is running (`python -m bot run`, a
process of its own), at one instant, and `python -m bot restore` puts the copy back: every person, case,
message and reminder is there, and the database it replaced is kept, not deleted."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from bot.sandbox.client import queued_delivery
from tests.conftest import GROUP, ROOT, Desk, until
from tests.test_db_copy import filled
from tests.test_e2e import serving

KEPT = ("users", "cases", "case_messages", "case_notes", "audit_log", "reminders", "trips", "checklist_marks", "fsm_state")


def cli(database: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "BOT_"))}
    env["DATABASE_PATH"] = str(database)
    return subprocess.run([sys.executable, "-m", "bot", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def rows(database: Path) -> dict[str, list[tuple[Any, ...]]]:
    with contextlib.closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as db:
        return {table: db.execute(f"SELECT * FROM {table} ORDER BY 1, 2").fetchall() for table in KEPT}


@pytest.mark.slow(12)
async def test_a_running_bots_database_is_backed_up_and_restored_whole(desk: Desk, tmp_path: Path) -> None:
    h = desk.h
    database = await filled(desk)  # a case taken and talked in, a checklist with dated reminders

    # the bot runs as `run` does, on the same database and the same Telegram
    async with serving(database, h.sandbox, CONSULTANT_CHAT_ID=str(GROUP), NGO_NAME="Safe Road") as bot:
        person = h.sandbox.add_user(9_700_001, "Later", "ky")
        deliver = queued_delivery(h.sandbox)
        await deliver(h.sandbox.user_message(person.id, "/start"))
        await until(lambda: bot.settled(), "finish the /start")
        target = tmp_path / "kept" / "bot-20261202-050000.sqlite3"
        made = cli(database, "backup", "--to", str(target))
        assert made.returncode == 0, made.stdout + made.stderr
        assert "2 people" not in made.stdout and "cases (1 open)" in made.stdout and "checked: ok" in made.stdout, made.stdout
        # the copy is the bot's user's only, one file, whole
        assert stat.S_IMODE(target.stat().st_mode) == 0o600 and stat.S_IMODE(target.parent.stat().st_mode) == 0o700
        assert not target.with_name(target.name + "-wal").exists()
        with contextlib.closing(sqlite3.connect(target)) as copy:
            assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        # a running bot's database is never replaced under it
        refused = cli(database, "restore", "--from", str(target))
        assert refused.returncode == 1 and "stop the bot first" in refused.stderr, refused.stdout + refused.stderr
        again = cli(database, "backup", "--to", str(target))
        assert again.returncode == 1 and "never overwrites" in again.stderr
        code, output = await bot.stop()
        assert code == 0, output[-2000:]
    # a backup of the stopped bot leaves nothing beside its database (restore would take it for running)
    stopped = cli(database, "backup", "--to", str(tmp_path / "kept" / "bot-20261202-060000.sqlite3"))
    assert stopped.returncode == 0, stopped.stdout + stopped.stderr
    assert not any(database.with_name(database.name + suffix).exists() for suffix in ("-wal", "-shm"))
    before = rows(database)
    assert len(before["cases"]) == 1 and before["case_messages"] and before["reminders"] and len(before["users"]) >= 4

    # restored somewhere else: everything is there
    elsewhere = tmp_path / "elsewhere" / "bot.sqlite3"
    restored = cli(elsewhere, "restore", "--from", str(target))
    assert restored.returncode == 0, restored.stdout + restored.stderr
    assert rows(elsewhere) == before
    # restored over the database in place: the one it replaced is kept beside it
    with contextlib.closing(sqlite3.connect(database, isolation_level=None)) as db:
        db.execute("DELETE FROM case_messages")  # a mistake, to be undone
    back = cli(database, "restore", "--from", str(target))
    assert back.returncode == 0, back.stdout + back.stderr
    assert rows(database) == before
    kept = [p for p in database.parent.iterdir() if ".before-restore-" in p.name and not p.name.endswith(("-wal", "-shm"))]
    assert len(kept) == 1 and "kept as" in back.stdout
    with contextlib.closing(sqlite3.connect(kept[0])) as old:
        assert old.execute("SELECT COUNT(*) FROM case_messages").fetchone()[0] == 0
    assert before["cases"][0][0] == 1


def test_old_backups_are_pruned_and_bad_files_refused(tmp_path: Path) -> None:
    database = tmp_path / "data" / "bot.sqlite3"
    assert cli(database, "check").returncode in (0, 1)  # any command: nothing made yet
    nothing = cli(database, "backup")
    assert nothing.returncode == 1 and "no database" in nothing.stderr
    from bot.storage.migrate import upgrade_sqlite

    database.parent.mkdir(parents=True)
    upgrade_sqlite(database)
    folder = tmp_path / "backups"
    for stamp in ("20261129-030000", "20261130-030000", "20261201-030000"):
        assert cli(database, "backup", "--to", str(folder / f"bot-{stamp}.sqlite3"), "--keep", "2").returncode == 0
    assert sorted(p.name for p in folder.iterdir()) == ["bot-20261130-030000.sqlite3", "bot-20261201-030000.sqlite3"]
    default = cli(database, "backup")
    assert default.returncode == 0 and (database.parent / "backups").is_dir(), default.stdout + default.stderr
    junk = tmp_path / "junk.sqlite3"
    junk.write_bytes(b"not a database at all" * 100)
    bad = cli(database, "restore", "--from", str(junk))
    assert bad.returncode == 1 and "not a database" in bad.stderr
    other = tmp_path / "other.sqlite3"
    with contextlib.closing(sqlite3.connect(other)) as db:
        db.execute("CREATE TABLE t (x)")
    wrong = cli(database, "restore", "--from", str(other))
    assert wrong.returncode == 1 and "not this bot's database" in wrong.stderr
    postgres = subprocess.run([sys.executable, "-m", "bot", "backup"], cwd=ROOT, capture_output=True, text=True, timeout=120,
                              env={**os.environ, "DATABASE_URL": "postgresql://bot:secret@db.example.org:5432/bot"})
    assert postgres.returncode == 2 and "pg_dump" in postgres.stdout and "secret" not in postgres.stdout
