"""Usage events and daily activity: statements only (the events key in meta, inserts, a check for an event already
recorded). A person's events and activity are deleted with the rest of their data by bot/storage/privacy.py."""

from __future__ import annotations

from sqlalchemy import bindparam, insert, select

from bot.storage.db import Database
from bot.storage.schema import activity, events, meta


class EventRepository:
    def __init__(self, db: Database) -> None:
        self.db = db
        self._key = select(meta.c.value).where(meta.c.name == "events_key")
        self._add_key = db.sql.insert(meta).values(name="events_key", value=bindparam("value")).on_conflict_do_nothing(
            index_elements=[meta.c.name])
        columns = ("at", "kind", "detail", "language", "citizenship", "destination", "actor")
        self._add = insert(events).values({c: bindparam(c) for c in columns})
        self._exists = select(events.c.id).where(
            events.c.actor == bindparam("actor"), events.c.kind == bindparam("kind"), events.c.detail == bindparam("detail")).limit(1)
        seen = db.sql.insert(activity).values(
            day=bindparam("day"), actor=bindparam("actor"), language=bindparam("language"), citizenship=bindparam("citizenship"),
            destination=bindparam("destination"),
        )
        self._activity = seen.on_conflict_do_update(index_elements=[activity.c.day, activity.c.actor], set_={
            "language": seen.excluded.language, "citizenship": seen.excluded.citizenship, "destination": seen.excluded.destination,
        })

    async def key(self) -> str | None:
        """The hex key people are hashed with, or None before the first event."""
        row = await self.db.fetchone(self._key)
        return str(row[0]) if row is not None else None

    async def add_key(self, value: str) -> None:
        """Store the key unless another writer stored one first (then that one stays)."""
        await self.db.execute(self._add_key, {"value": value})

    async def add(
        self, at: str, kind: str, detail: str | None, language: str | None, citizenship: str | None,
        destination: str | None, actor: str,
    ) -> None:
        await self.db.execute(self._add, {
            "at": at, "kind": kind, "detail": detail, "language": language, "citizenship": citizenship,
            "destination": destination, "actor": actor,
        })

    async def exists(self, actor: str, kind: str, detail: str) -> bool:
        return await self.db.fetchone(self._exists, {"actor": actor, "kind": kind, "detail": detail}) is not None

    async def add_activity(self, day: str, actor: str, language: str | None, citizenship: str | None, destination: str | None) -> None:
        await self.db.execute(self._activity, {
            "day": day, "actor": actor, "language": language, "citizenship": citizenship, "destination": destination,
        })
