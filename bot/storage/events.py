"""Usage events and daily activity: SQL only (the events key in meta, inserts, a check for an event already
recorded). A person's events and activity are deleted with the rest of their data by bot/storage/privacy.py."""

from __future__ import annotations

from bot.storage.db import Database


class EventRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def key(self) -> str | None:
        """The hex key people are hashed with, or None before the first event."""
        row = await self.db.fetchone("SELECT value FROM meta WHERE name = 'events_key'")
        return str(row[0]) if row is not None else None

    async def add_key(self, value: str) -> None:
        """Store the key unless another writer stored one first (then that one stays)."""
        await self.db.execute(
            "INSERT INTO meta (name, value) VALUES ('events_key', ?) ON CONFLICT (name) DO NOTHING", (value,)
        )

    async def add(
        self, at: str, kind: str, detail: str | None, language: str | None, citizenship: str | None,
        destination: str | None, actor: str,
    ) -> None:
        await self.db.execute(
            "INSERT INTO events (at, kind, detail, language, citizenship, destination, actor) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (at, kind, detail, language, citizenship, destination, actor),
        )

    async def exists(self, actor: str, kind: str, detail: str) -> bool:
        row = await self.db.fetchone("SELECT 1 FROM events WHERE actor = ? AND kind = ? AND detail = ?", (actor, kind, detail))
        return row is not None

    async def add_activity(self, day: str, actor: str) -> None:
        await self.db.execute("INSERT INTO activity (day, actor) VALUES (?, ?) ON CONFLICT DO NOTHING", (day, actor))
