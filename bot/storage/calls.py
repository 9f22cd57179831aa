"""The calls journal: what the bot sent while handling each unfinished update. SQL only.

A replay must not send again what the first run sent (bot.telegram.journal), so each such call is
written down before it is made and its result as soon as Telegram answers. That record must be
written in the instant the answer arrives: queued behind the database's writer, it would leave a
wide gap in which a kill makes the call look unfinished. So the journal is a small SQLite file of its
own beside the database, written directly (each write is a fraction of a millisecond, and a process
kill loses nothing the OS has been handed), with no other writer to wait for. Rows live only while
their update is being handled; the file is readable by the bot's user only.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from pathlib import Path

from bot.storage.db import create_private

SCHEMA = (
    """
    CREATE TABLE IF NOT EXISTS calls (
        update_id INTEGER NOT NULL,
        call      TEXT NOT NULL,   -- method, chat and a digest of the text, and its count in the update
        result    TEXT,            -- NULL while the call is under way
        PRIMARY KEY (update_id, call)
    ) WITHOUT ROWID
    """,
    """
    CREATE TABLE IF NOT EXISTS posts (
        item_id    INTEGER PRIMARY KEY,   -- an outbox item being sent
        message_id INTEGER,               -- what Telegram made of it; NULL while under way, 0 for no message
        sent       INTEGER NOT NULL DEFAULT 0
    )
    """,
)


def journal_path(database: Path) -> Path:
    return database.with_name(database.name + "-calls")


class CallJournal:
    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._conn: sqlite3.Connection | None = None

    def open(self) -> None:
        if self._conn is not None:
            return
        create_private(self.path)  # readable by the bot's user only, as the database beside it
        conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        for pragma in ("PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL", "PRAGMA secure_delete=ON"):
            conn.execute(pragma)
        for table in SCHEMA:
            conn.execute(table)
        self._conn = conn

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    @property
    def conn(self) -> sqlite3.Connection:
        if self._conn is None:
            self.open()
        assert self._conn is not None
        return self._conn

    def calls(self, update_id: int) -> dict[str, str | None]:
        """The calls made for an unfinished update: their result, or None for one cut off under way."""
        rows = self.conn.execute("SELECT call, result FROM calls WHERE update_id = ?", (update_id,)).fetchall()
        return {r[0]: r[1] for r in rows}

    def calling(self, update_id: int, call: str) -> None:
        self.conn.execute("INSERT INTO calls (update_id, call) VALUES (?, ?) ON CONFLICT DO NOTHING", (update_id, call))

    def called(self, update_id: int, call: str, result: str) -> None:
        self.conn.execute("UPDATE calls SET result = ? WHERE update_id = ? AND call = ?", (result, update_id, call))

    def uncall(self, update_id: int, call: str) -> None:
        self.conn.execute("DELETE FROM calls WHERE update_id = ? AND call = ?", (update_id, call))

    def done(self, update_id: int) -> None:
        self.conn.execute("DELETE FROM calls WHERE update_id = ?", (update_id,))

    def keep_only(self, update_ids: Iterable[int]) -> None:
        """At start: forget the calls of every update but these (the unfinished ones)."""
        keep = sorted(set(update_ids))
        marks = ", ".join("?" for _ in keep)
        where = f"update_id NOT IN ({marks})" if keep else "1"
        self.conn.execute(f"DELETE FROM calls WHERE {where}", keep)

    # -- the outbox's posts -------------------------------------------------------------------------
    def posting(self, item_id: int) -> None:
        self.conn.execute("INSERT INTO posts (item_id) VALUES (?) ON CONFLICT DO UPDATE SET sent = 0", (item_id,))

    def posted(self, item_id: int, message_id: int | None) -> None:
        self.conn.execute("UPDATE posts SET sent = 1, message_id = ? WHERE item_id = ?", (message_id or 0, item_id))

    def unpost(self, item_id: int) -> None:
        self.conn.execute("DELETE FROM posts WHERE item_id = ?", (item_id,))

    def posts(self) -> dict[int, int | None]:
        """Posts a stopped run was sending: item -> message id (0: sent, no message made; None: cut off under way)."""
        rows = self.conn.execute("SELECT item_id, sent, message_id FROM posts").fetchall()
        return {r[0]: (r[2] if r[1] else None) for r in rows}
