"""The bot's running processes and their leases: statements only (bot/telegram/instance.py holds the rules).

Each instance writes a heartbeat (`seen_at`); one whose heartbeat is older than the staleness limit is
taken for dead, and what it had claimed is taken over. A lease is held by one instance until `until`:
it renews it while alive, another takes it once it lapses.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, delete, or_, select, union, update

from bot.storage.db import Database, Row
from bot.storage.schema import broadcast_recipients, inbox, instances, leases, outbox, reminders, signals


class InstanceRepository:
    def __init__(self, db: Database) -> None:
        self.db = db
        name = instances.c.name == bindparam("name")
        arrive = db.sql.insert(instances).values(
            name=bindparam("name"), incarnation=bindparam("incarnation"), host=bindparam("host"), pid=bindparam("pid"),
            started_at=bindparam("now"), seen_at=bindparam("now"),
        )
        self._arrive = arrive.on_conflict_do_update(index_elements=[instances.c.name], set_={
            "incarnation": arrive.excluded.incarnation, "host": arrive.excluded.host, "pid": arrive.excluded.pid,
            "started_at": arrive.excluded.started_at, "seen_at": arrive.excluded.seen_at,
        })
        self._beat = update(instances).where(name, instances.c.incarnation == bindparam("incarnation")).values(seen_at=bindparam("now"))
        self._leave = delete(instances).where(name, instances.c.incarnation == bindparam("incarnation"))
        self._get = select(instances).where(name)
        self._live = select(instances.c.name).where(instances.c.seen_at >= bindparam("since"))
        self._forget = delete(instances).where(instances.c.seen_at < bindparam("before"))
        lease = db.sql.insert(leases).values(name=bindparam("name"), holder=bindparam("holder"), until=bindparam("until"))
        self._lease = lease.on_conflict_do_update(
            index_elements=[leases.c.name], set_={"holder": lease.excluded.holder, "until": lease.excluded.until},
            where=or_(leases.c.until < bindparam("now"), leases.c.holder == bindparam("holder")),
        ).returning(leases.c.holder)
        self._release = delete(leases).where(leases.c.name == bindparam("name"), leases.c.holder == bindparam("holder"))
        self._holder = select(leases.c.holder, leases.c.until).where(leases.c.name == bindparam("name"))
        signal = db.sql.insert(signals).values(name=bindparam("name"), sender=bindparam("sender"), at=bindparam("at"))
        self._signal = signal.on_conflict_do_update(
            index_elements=[signals.c.name], set_={"sender": signal.excluded.sender, "at": signal.excluded.at},
        )
        self._signalled = select(signals.c.sender, signals.c.at).where(signals.c.name == bindparam("name"))
        self._live_holders = select(instances.c.name, instances.c.incarnation).where(instances.c.seen_at >= bindparam("since"))
        busy = ("claimed", "sending")
        self._claim_holders = union(
            select(inbox.c.holder).where(inbox.c.handled_at.is_(None), inbox.c.holder.is_not(None)),
            select(outbox.c.claimed_by).where(outbox.c.claimed_by.is_not(None)),
            select(reminders.c.holder).where(reminders.c.status.in_(busy), reminders.c.holder.is_not(None)),
            select(broadcast_recipients.c.holder).where(broadcast_recipients.c.status.in_(busy), broadcast_recipients.c.holder.is_not(None)),
        )

    async def arrive(self, name: str, incarnation: str, host: str, pid: int, now: datetime) -> None:
        await self.db.execute(self._arrive, {"name": name, "incarnation": incarnation, "host": host, "pid": pid, "now": now.isoformat()})

    async def beat(self, name: str, incarnation: str, now: datetime) -> bool:
        """The heartbeat; False when the row is no longer this incarnation's (another process took the name)."""
        return await self.db.execute(self._beat, {"name": name, "incarnation": incarnation, "now": now.isoformat()}) == 1

    async def leave(self, name: str, incarnation: str) -> None:
        await self.db.execute(self._leave, {"name": name, "incarnation": incarnation})

    async def get(self, name: str) -> Row | None:
        return await self.db.fetchone(self._get, {"name": name})

    async def live(self, since: datetime) -> set[str]:
        """The instances whose heartbeat is at `since` or later."""
        return {r[0] for r in await self.db.fetchall(self._live, {"since": since.isoformat()})}

    async def live_holders(self, since: datetime) -> set[str]:
        """How the instances heard since `since` sign their claims: name/incarnation."""
        return {f"{r[0]}/{r[1]}" for r in await self.db.fetchall(self._live_holders, {"since": since.isoformat()})}

    async def claim_holders(self) -> set[str]:
        """Every signature on a claim now (updates under way, posts, reminders, broadcast recipients)."""
        return {r[0] for r in await self.db.fetchall(self._claim_holders)}

    async def forget(self, before: datetime) -> int:
        """Rows of instances not seen since `before` (long gone)."""
        return await self.db.execute(self._forget, {"before": before.isoformat()})

    async def lease(self, name: str, holder: str, now: datetime, until: datetime) -> bool:
        """Take or renew the lease `name` until `until`: True when `holder` has it now."""
        rows = await self.db.returning(self._lease, {"name": name, "holder": holder, "now": now.isoformat(), "until": until.isoformat()})
        return bool(rows) and rows[0][0] == holder

    async def release(self, name: str, holder: str) -> None:
        await self.db.execute(self._release, {"name": name, "holder": holder})

    async def holder(self, name: str) -> tuple[str, str] | None:
        row = await self.db.fetchone(self._holder, {"name": name})
        return (row[0], row[1]) if row else None

    async def signal(self, name: str, sender: str, at: datetime) -> None:
        """Ask every instance to do `name` (the last request replaces the one before)."""
        await self.db.execute(self._signal, {"name": name, "sender": sender, "at": at.isoformat()})

    async def signalled(self, name: str) -> tuple[str, str] | None:
        """The last request to do `name`: who sent it (name/incarnation) and when (ISO); None if never."""
        row = await self.db.fetchone(self._signalled, {"name": name})
        return (row[0], row[1]) if row else None
