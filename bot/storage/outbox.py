"""The outbox repository: statements only.

The outbox holds what the bot must post (alerts, relayed messages) until Telegram has taken it; a row
is deleted once sent, so message text stays only as long as it must.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import and_, bindparam, delete, func, insert, or_, select, update

from bot.models import OutboxItem
from bot.storage.db import Database
from bot.storage.schema import outbox

NOBODY = [""]  # an empty `dead` for an IN: no instance signs with an empty name


def _ready() -> Any:
    """The item can go now: its time has come and no sender holds it."""
    return and_(outbox.c.not_before <= bindparam("now"), or_(outbox.c.claimed_until.is_(None), outbox.c.claimed_until < bindparam("now")))


class OutboxRepository:
    def __init__(self, db: Database, holder: str = "main") -> None:
        self.db = db
        self.holder = holder  # this instance: its name goes on its claims
        item = outbox.c.id == bindparam("item_id")
        self._add = insert(outbox).values(
            chat_id=bindparam("chat_id"), method=bindparam("method"), payload=bindparam("payload"), case_id=bindparam("case_id"),
            track=bindparam("track"), source_id=bindparam("source_id"), created_at=bindparam("now"), not_before=bindparam("now"),
        ).returning(outbox.c.id)
        self._get = select(outbox).where(item)
        self._due_chats = (select(outbox.c.chat_id).where(_ready()).group_by(outbox.c.chat_id)
                           .order_by(func.min(outbox.c.id)).limit(bindparam("limit")))
        self._claim = update(outbox).where(
            item, or_(outbox.c.claimed_until.is_(None), outbox.c.claimed_until < bindparam("now"))
        ).values(claimed_until=bindparam("until"), claimed_by=bindparam("holder"))
        self._release = update(outbox).where(
            outbox.c.claimed_until.is_not(None),
            or_(outbox.c.claimed_by.is_(None), outbox.c.claimed_by.in_(bindparam("dead", expanding=True))),
        ).values(claimed_until=None, claimed_by=None)
        self._release_all = update(outbox).where(outbox.c.claimed_until.is_not(None)).values(claimed_until=None, claimed_by=None)
        self._chats_of = (select(outbox.c.chat_id).where(outbox.c.id.in_(bindparam("ids", expanding=True)))
                          .group_by(outbox.c.chat_id).order_by(func.min(outbox.c.id)))
        self._head = (select(outbox, _ready().label("ready")).where(outbox.c.chat_id == bindparam("chat_id"))
                      .order_by(outbox.c.id).limit(bindparam("limit")))
        self._of_group = select(outbox.c.id, outbox.c.method, outbox.c.payload, outbox.c.claimed_until).where(
            outbox.c.chat_id == bindparam("chat_id")).order_by(outbox.c.id)
        self._delete = delete(outbox).where(item)
        self._set_payload = update(outbox).where(item).values(payload=bindparam("payload"))
        self._retry = update(outbox).where(item, or_(outbox.c.claimed_by.is_(None), outbox.c.claimed_by == bindparam("holder"))).values(
            attempts=outbox.c.attempts + 1, not_before=bindparam("not_before"), claimed_until=None, claimed_by=None,
            last_error=bindparam("error"),
        )
        self._count = select(func.count()).select_from(outbox)
        self._next_due = select(func.min(outbox.c.not_before))

    async def add(
        self, chat_id: int, method: str, payload: dict[str, Any], now: datetime, *,
        case_id: int | None = None, track: str | None = None, source_id: int | None = None,
    ) -> int:
        item_id = await self.db.insert(self._add, {
            "chat_id": chat_id, "method": method, "payload": json.dumps(payload, ensure_ascii=False), "case_id": case_id,
            "track": track, "source_id": source_id, "now": now.isoformat(),
        })
        assert item_id is not None
        return item_id

    async def get(self, item_id: int) -> OutboxItem | None:
        row = await self.db.fetchone(self._get, {"item_id": item_id})
        return _item(row) if row else None

    async def due_chats(self, now: datetime, limit: int) -> list[int]:
        """Chats with an item that can go now, the one waiting longest first."""
        return [int(r[0]) for r in await self.db.fetchall(self._due_chats, {"now": now.isoformat(), "limit": limit})]

    async def claim(self, item_id: int, now: datetime, until: datetime) -> bool:
        """Take an item for sending; False when another sender has it."""
        params = {"item_id": item_id, "now": now.isoformat(), "until": until.isoformat(), "holder": self.holder}
        return await self.db.execute(self._claim, params) == 1

    async def release_claims(self, dead: Collection[str] | None = None) -> int:
        """The claims of the instances in `dead` (and unsigned ones; None: every claim, the process runs alone) are void."""
        if dead is None:
            return await self.db.execute(self._release_all)
        return await self.db.execute(self._release, {"dead": list(dead) or NOBODY})

    async def chats_of(self, ids: list[int]) -> list[int]:
        """The chats these items are for, in the order of their first item."""
        if not ids:
            return []
        return [int(r[0]) for r in await self.db.fetchall(self._chats_of, {"ids": list(ids)})]

    async def head_of_chat(self, chat_id: int, now: datetime, limit: int) -> list[OutboxItem]:
        """The oldest items for a chat that can go now, in order, up to the first that must wait (its time
        has not come, or another sender has it): what comes after it waits too, to keep the order."""
        rows = await self.db.fetchall(self._head, {"chat_id": chat_id, "now": now.isoformat(), "limit": limit})
        items = []
        for r in rows:
            if not r["ready"]:
                break
            items.append(_item(r))
        return items

    async def _topic_items(self, chat_id: int) -> list[tuple[int, str, dict[str, Any], str | None]]:
        """The group's items with their payloads read (the payload is JSON text: read here, on both engines)."""
        rows = await self.db.fetchall(self._of_group, {"chat_id": chat_id})
        return [(int(r[0]), r[1], json.loads(r[2]), r[3]) for r in rows]

    async def drop_topic_changes(self, chat_id: int, thread: int) -> int:
        """Forget the queued renames and closes of a topic (a newer case takes it over)."""
        dropped = 0
        async with self.db.transaction():
            for item_id, method, payload, claimed in await self._topic_items(chat_id):
                if method == "topic" and claimed is None and payload.get("thread") == thread and payload.get("op") in ("edit", "close"):
                    dropped += await self.db.execute(self._delete, {"item_id": item_id})
        return dropped

    async def retarget(self, chat_id: int, old: int, new: int | None) -> None:
        """Every item waiting for topic `old` of the group goes to topic `new` (None: General), in order."""
        async with self.db.transaction():
            for item_id, _method, payload, _claimed in await self._topic_items(chat_id):
                if payload.get("thread") == old:
                    if new is None:
                        payload.pop("thread")
                    else:
                        payload["thread"] = new
                    await self.db.execute(self._set_payload, {"item_id": item_id, "payload": json.dumps(payload, ensure_ascii=False)})

    async def done(self, item_id: int) -> None:
        await self.db.execute(self._delete, {"item_id": item_id})

    async def retry(self, item_id: int, not_before: datetime, error: str) -> None:
        """Put a post this sender holds back, due at `not_before` (one another sender has taken meanwhile is left)."""
        await self.db.execute(self._retry, {"item_id": item_id, "not_before": not_before.isoformat(), "error": error, "holder": self.holder})

    async def pending(self) -> int:
        row = await self.db.fetchone(self._count)
        return int(row[0]) if row else 0

    async def next_due(self) -> datetime | None:
        row = await self.db.fetchone(self._next_due)
        return datetime.fromisoformat(row[0]) if row and row[0] else None


def _item(r: Any) -> OutboxItem:
    return OutboxItem(r["id"], r["chat_id"], r["method"], json.loads(r["payload"]), r["case_id"], r["track"],
                      r["source_id"], r["attempts"])
