"""Backups of the SQLite database, and putting one back.

A backup is made with SQLite's online backup API from a read-only connection: one step, inside one read
transaction, so it is the database as it was at one instant even while the bot goes on writing (WAL
lets the bot write meanwhile; nothing waits for the backup). The copy is one self-contained file
(journal_mode DELETE), readable by the bot's user only (it holds every case's messages), checked with
`PRAGMA integrity_check` before it is called a backup.

Putting one back never deletes anything: the database in place (and its -wal and -shm files) is moved
aside, the backup is copied in, and the migrations bring it to the newest schema.
"""

from __future__ import annotations

import contextlib
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from bot.models import OPEN
from bot.storage.db import create_private
from bot.storage.migrate import upgrade_sqlite

PATTERN = "bot-*.sqlite3"  # what `backup` names its files: bot-20261202-041500.sqlite3


class BackupError(Exception):
    pass


@dataclass(frozen=True)
class Summary:
    """What a database holds, as a sysadmin checks a backup: counts, never anyone's data."""

    people: int
    cases: int
    open_cases: int
    reminders_pending: int

    def line(self) -> str:
        return (f"{self.people} people, {self.cases} cases ({self.open_cases} open), "
                f"{self.reminders_pending} reminders to send")


def default_name(now: datetime) -> str:
    return now.strftime("bot-%Y%m%d-%H%M%S.sqlite3")


def backup(database: Path, target: Path) -> Summary:
    """Copy the database (in use or not) to `target`, a new file; check it; return what it holds."""
    if not database.exists():
        raise BackupError(f"no database at {database}")
    if target.exists():
        raise BackupError(f"{target} exists already: a backup never overwrites a file")
    create_private(target)  # the file (and a folder made for it) for the bot's user only, before a byte is written
    try:
        # read-write, though it only reads: a read-only connection to a stopped bot's database would leave
        # its -wal and -shm behind (it may not remove them), and `restore` would then take the bot for running
        with contextlib.closing(sqlite3.connect(f"file:{database}?mode=rw", uri=True, timeout=30)) as source, \
                contextlib.closing(sqlite3.connect(target, isolation_level=None)) as copy:
            source.backup(copy)  # all pages in one step: one read transaction, one instant
            copy.execute("PRAGMA journal_mode=DELETE")  # one file, no -wal beside it
            _check(copy, target)
            return summary(copy)
    except BaseException:
        target.unlink(missing_ok=True)
        raise


def restore(backup_file: Path, database: Path, now: datetime, *, force: bool = False) -> tuple[Summary, Path | None]:
    """Put `backup_file` in place of the database (the bot stopped); returns what it holds and where the
    database it replaced was moved (None if there was none)."""
    if not backup_file.is_file():
        raise BackupError(f"no backup at {backup_file}")
    with contextlib.closing(sqlite3.connect(f"file:{backup_file}?mode=ro", uri=True)) as check:
        _check(check, backup_file)
    shm = database.with_name(database.name + "-shm")
    if shm.exists() and not force:
        raise BackupError(f"{database} looks in use ({shm.name} is there): stop the bot first "
                          "(if it is stopped, it was not stopped cleanly: --force)")
    aside: Path | None = None
    if database.exists():
        aside = database.with_name(f"{database.name}.before-restore-{now.strftime('%Y%m%d-%H%M%S')}")
        for suffix in ("", "-wal", "-shm"):
            part = database.with_name(database.name + suffix)
            if part.exists():
                part.rename(aside.with_name(aside.name + suffix))
    create_private(database)
    with contextlib.closing(sqlite3.connect(f"file:{backup_file}?mode=ro", uri=True)) as source, \
            contextlib.closing(sqlite3.connect(database, isolation_level=None)) as target:
        source.backup(target)
        target.execute("PRAGMA journal_mode=WAL")  # as the bot keeps it
    upgrade_sqlite(database)  # a backup from an older version: its newer revisions now
    with contextlib.closing(sqlite3.connect(database)) as restored:
        return summary(restored), aside


def prune(folder: Path, keep: int) -> list[Path]:
    """Delete all but the `keep` newest backups `backup` made in `folder` (by name: they sort by time)."""
    found = sorted(folder.glob(PATTERN))
    gone = found[:-keep] if keep > 0 else found
    for path in gone:
        path.unlink()
    return gone


def summary(db: sqlite3.Connection) -> Summary:
    def count(sql: str, *args: str) -> int:
        return int(db.execute(sql, args).fetchone()[0])

    return Summary(
        people=count("SELECT COUNT(*) FROM users"),
        cases=count("SELECT COUNT(*) FROM cases"),
        open_cases=count(f"SELECT COUNT(*) FROM cases WHERE status IN ({', '.join('?' * len(OPEN))})", *OPEN),
        reminders_pending=count("SELECT COUNT(*) FROM reminders WHERE status = 'pending'"),
    )


def _check(db: sqlite3.Connection, path: Path) -> None:
    try:
        result = db.execute("PRAGMA integrity_check").fetchone()[0]
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{path} is not a database: {error}") from None
    if result != "ok":
        raise BackupError(f"{path} is damaged: {result}")
    if not {"alembic_version", "users", "cases", "reminders"} <= tables:
        raise BackupError(f"{path} is not this bot's database")
