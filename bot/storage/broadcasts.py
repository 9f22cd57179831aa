"""Broadcasts and their recipients: statements only, no decisions."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, and_, bindparam, exists, func, insert, or_, select, update

from bot.models import Broadcast
from bot.storage.db import Database
from bot.storage.schema import broadcast_recipients, broadcasts, users


def _broadcast(row: Any) -> Broadcast:
    return Broadcast(
        id=row["id"], created_at=datetime.fromisoformat(row["created_at"]), author_id=row["author_id"], text=row["text"],
        language=row["language"], citizenship=row["citizenship"], destination=row["destination"], status=row["status"],
        total=row["total"], not_before=datetime.fromisoformat(row["not_before"]) if row["not_before"] else None,
        progress_chat=row["progress_chat"], progress_msg=row["progress_msg"],
    )


FILTERED = ("language", "citizenship", "destination")
Codes = Sequence[str] | None  # the codes an audience is limited to (any of them); None: everyone


def _audience() -> Any:
    """The people a broadcast goes to: not blocked, a language chosen, and for each filter anyone (its
    `all_` flag) or one of its codes."""
    return and_(users.c.blocked == 0, users.c.language.is_not(None), *(
        or_(bindparam(f"all_{name}", type_=Boolean), users.c[name].in_(bindparam(name, expanding=True)))
        for name in FILTERED))


def _filters(language: Codes, citizenship: Codes, destination: Codes) -> dict[str, Any]:
    chosen = {"language": language, "citizenship": citizenship, "destination": destination}
    return {**{name: list(codes or [""]) for name, codes in chosen.items()},
            **{f"all_{name}": not codes for name, codes in chosen.items()}}


def _stored(codes: Codes) -> str | None:
    """How a broadcast row keeps a filter: the codes joined by commas; NULL for everyone."""
    return ",".join(codes) if codes else None


def _codes(stored: str | None) -> Codes:
    """A filter as a broadcast row keeps it, back as codes (the inverse of `_stored`)."""
    return stored.split(",") if stored else None


class BroadcastRepository:
    def __init__(self, db: Database, holder: str = "main") -> None:
        self.db = db
        self.holder = holder  # this instance: its name goes on its claims
        one = broadcasts.c.id == bindparam("broadcast_id")
        of_it = broadcast_recipients.c.broadcast_id == bindparam("broadcast_id")
        self._count = select(func.count()).select_from(users).where(_audience())
        self._create = insert(broadcasts).values(
            created_at=bindparam("now"), author_id=bindparam("author_id"), text=bindparam("text"), language=bindparam("to_language"),
            citizenship=bindparam("to_citizenship"), destination=bindparam("to_destination"), status=bindparam("status"), total=0,
            not_before=bindparam("not_before"),
        ).returning(broadcasts.c.id)
        self._recipients = insert(broadcast_recipients).from_select(
            ["broadcast_id", "user_id"], select(bindparam("broadcast_id", type_=BigInteger), users.c.id).where(_audience()))
        self._total = update(broadcasts).where(one).values(
            total=select(func.count()).select_from(broadcast_recipients).where(of_it).scalar_subquery())
        self._get = select(broadcasts).where(one)
        self._active = select(broadcasts).where(broadcasts.c.status.in_(("scheduled", "sending"))).order_by(broadcasts.c.id)
        self._begin = update(broadcasts).where(one, broadcasts.c.status == "scheduled").values(status="sending").returning(broadcasts.c.id)
        self._estimate = update(broadcasts).where(one).values(total=bindparam("total"))
        waiting = (select(broadcast_recipients.c.user_id).where(of_it, broadcast_recipients.c.status == "pending")
                   .limit(bindparam("limit")).with_for_update(skip_locked=True))
        self._claim = update(broadcast_recipients).where(of_it, broadcast_recipients.c.user_id.in_(waiting.scalar_subquery())).values(
            status="claimed", holder=bindparam("holder")).returning(broadcast_recipients.c.user_id)
        self._mark = update(broadcast_recipients).where(of_it, broadcast_recipients.c.user_id == bindparam("user_id")).values(
            status=bindparam("status"))
        self._counts = select(broadcast_recipients.c.status, func.count()).where(of_it).group_by(broadcast_recipients.c.status)
        self._cancel = update(broadcasts).where(one, broadcasts.c.status.in_(("scheduled", "sending"))).values(
            status="cancelled", finished_at=bindparam("now"))
        dead = or_(broadcast_recipients.c.holder.is_(None), broadcast_recipients.c.holder.in_(bindparam("dead", expanding=True)))
        self._back = update(broadcast_recipients).where(broadcast_recipients.c.status == "claimed", dead).values(status="pending", holder=None)
        self._cut_off = update(broadcast_recipients).where(broadcast_recipients.c.status == "sending", dead).values(status="unknown")
        self._back_all = update(broadcast_recipients).where(broadcast_recipients.c.status == "claimed").values(status="pending", holder=None)
        self._cut_off_all = update(broadcast_recipients).where(broadcast_recipients.c.status == "sending").values(status="unknown")
        busy = broadcast_recipients.c.status.in_(("pending", "claimed", "sending"))
        self._finish = update(broadcasts).where(
            one, broadcasts.c.status == "sending", ~exists().where(of_it, busy),
        ).values(status="done", finished_at=bindparam("now")).returning(broadcasts.c.id)

    async def count_audience(self, language: Codes, citizenship: Codes, destination: Codes) -> int:
        row = await self.db.fetchone(self._count, _filters(language, citizenship, destination))
        return int(row[0]) if row else 0

    async def create(
        self, author_id: int, text: str, language: Codes, citizenship: Codes, destination: Codes, now: datetime,
        send_at: datetime | None = None,
    ) -> int:
        """Insert the broadcast and, to send now, its recipients (the audience as of now). One for later is
        "scheduled": its recipients are the audience when its time comes (`begin`), its total meanwhile the
        count as of now. The caller holds the transaction."""
        filters = _filters(language, citizenship, destination)
        broadcast_id = await self.db.insert(self._create, {
            "now": now.isoformat(), "author_id": author_id, "text": text, "not_before": send_at.isoformat() if send_at else None,
            "to_language": _stored(language), "to_citizenship": _stored(citizenship), "to_destination": _stored(destination),
            "status": "scheduled" if send_at else "sending",
        })
        assert broadcast_id is not None
        if send_at is None:
            await self.db.execute(self._recipients, {"broadcast_id": broadcast_id, **filters})
            await self.db.execute(self._total, {"broadcast_id": broadcast_id})
        else:
            total = await self.count_audience(language, citizenship, destination)
            await self.db.execute(self._estimate, {"broadcast_id": broadcast_id, "total": total})
        return broadcast_id

    async def begin(self, broadcast: Broadcast) -> bool:
        """A scheduled broadcast whose time has come: its recipients, the audience as of now, each once (one
        instance does it: the status moves first). The caller holds the transaction."""
        if not await self.db.returning(self._begin, {"broadcast_id": broadcast.id}):
            return False
        filters = _filters(_codes(broadcast.language), _codes(broadcast.citizenship), _codes(broadcast.destination))
        await self.db.execute(self._recipients, {"broadcast_id": broadcast.id, **filters})
        await self.db.execute(self._total, {"broadcast_id": broadcast.id})
        return True

    async def get(self, broadcast_id: int) -> Broadcast | None:
        row = await self.db.fetchone(self._get, {"broadcast_id": broadcast_id})
        return _broadcast(row) if row else None

    async def active(self) -> list[Broadcast]:
        return [_broadcast(r) for r in await self.db.fetchall(self._active)]

    async def claim(self, broadcast_id: int, limit: int) -> list[int]:
        """Take up to `limit` recipients still to be sent (another instance's are skipped, on PostgreSQL)."""
        rows = await self.db.returning(self._claim, {"broadcast_id": broadcast_id, "limit": limit, "holder": self.holder})
        return sorted(r[0] for r in rows)

    async def finish(self, broadcast_id: int, now: datetime) -> bool:
        """Done, once no recipient waits or is being sent to (by any instance): True for the one caller that
        marked it, who reports it."""
        return bool(await self.db.returning(self._finish, {"broadcast_id": broadcast_id, "now": now.isoformat()}))

    async def mark(self, broadcast_id: int, user_id: int, status: str) -> None:
        await self.db.execute(self._mark, {"broadcast_id": broadcast_id, "user_id": user_id, "status": status})

    async def counts(self, broadcast_id: int) -> dict[str, int]:
        return {r[0]: r[1] for r in await self.db.fetchall(self._counts, {"broadcast_id": broadcast_id})}

    async def update(self, broadcast_id: int, **changes: Any) -> None:
        statement = update(broadcasts).where(broadcasts.c.id == broadcast_id).values(**changes)  # few, rare: compiled each time
        await self.db.execute(statement)

    async def cancel(self, broadcast_id: int, now: datetime) -> bool:
        return await self.db.execute(self._cancel, {"broadcast_id": broadcast_id, "now": now.isoformat()}) > 0

    async def recover(self, dead: Collection[str] | None = None) -> int:
        """After a restart, or once an instance died (the claims of the instances in `dead`, and unsigned
        ones; None: every one, the process runs alone): claimed ones (never tried) are sent; one cut off
        during its request may have it already, and is never sent again. Returns how many were cut off."""
        if dead is None:
            await self.db.execute(self._back_all)
            return await self.db.execute(self._cut_off_all)
        params = {"dead": list(dead) or [""]}
        await self.db.execute(self._back, params)
        return await self.db.execute(self._cut_off, params)
