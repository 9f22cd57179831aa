"""This process among the bot's instances: its heartbeat, the leader's lease, and whose claims are void.

One instance (the default, without REDIS_URL) is alone: at start every claim in the database is its
dead predecessor's, and it leads every job. With REDIS_URL several instances share one PostgreSQL:
each writes a heartbeat every BEAT; one not heard for STALE is dead, and what it had claimed (updates
being handled, reminders, broadcast recipients, outbox posts) is taken over by the others. The jobs
that must run once (response times, retention, the digest, the inbox's pruning, the take-over itself)
run on the instance holding the leader's lease, which it renews while alive and another takes once it
lapses. A name is one process: a second process started under a running instance's name refuses to
start; one restarted after a crash waits until its predecessor's heartbeat is stale.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.config import ConfigError
from bot.storage.instances import InstanceRepository

log = logging.getLogger(__name__)

BEAT = timedelta(seconds=5)  # how often an instance says it is alive
STALE = timedelta(seconds=20)  # not heard for this long: dead, its claims are taken over
LEADER = "leader"
LEASE = timedelta(seconds=20)  # the leader's lease, renewed every beat
FORGET = timedelta(days=1)  # rows of instances gone this long are deleted


class Instance:
    def __init__(
        self, repo: InstanceRepository, name: str, *, shared: bool,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC), sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
        incarnation: str | None = None,
    ) -> None:
        self.repo = repo
        self.name = name
        self.shared = shared
        self.clock = clock
        self.sleep = sleep
        self.incarnation = incarnation or uuid.uuid4().hex[:12]

    @property
    def holder(self) -> str:
        """What this start signs its claims with: a later start of the same name is another signer, so a
        claim of a dead start is never mistaken for a live one's."""
        return f"{self.name}/{self.incarnation}"

    async def arrive(self) -> None:
        """Say this instance runs (before it claims anything). Shared: wait for a crashed namesake to go
        quiet, refuse to run beside a live one."""
        if self.shared:
            await self._wait_for_namesake()
        else:
            others = await self.repo.live(self.clock() - STALE) - {self.name}
            namesake = await self.repo.get(self.name)
            if namesake is not None and datetime.fromisoformat(namesake["seen_at"]) >= self.clock() - STALE:
                others.add(f"{self.name} ({namesake['host']}, pid {namesake['pid']})")
            if others:
                log.warning("instances %s were seen in the last %d s (a run that was killed, or another process): "
                            "without REDIS_URL only one may run", ", ".join(sorted(others)), STALE.total_seconds())
        await self.repo.arrive(self.name, self.incarnation, socket.gethostname(), os.getpid(), self.clock())

    async def _wait_for_namesake(self) -> None:
        row = await self.repo.get(self.name)
        if row is None:
            return
        first = row["seen_at"]
        told = False
        while row is not None and datetime.fromisoformat(row["seen_at"]) >= self.clock() - STALE:
            if row["seen_at"] != first:
                raise ConfigError(
                    f"an instance named {self.name!r} is running ({row['host']}, pid {row['pid']}): "
                    "give each instance its own INSTANCE_NAME")
            if not told:
                log.info("waiting up to %d s for the last run of instance %r to go quiet", STALE.total_seconds(), self.name)
                told = True
            await self.sleep(1.0)
            row = await self.repo.get(self.name)

    async def others(self) -> set[str]:
        """The other instances alive now (none when this one runs alone): their claims are theirs."""
        if not self.shared:
            return set()
        return await self.repo.live(self.clock() - STALE) - {self.name}

    async def dead(self) -> set[str]:
        """The signatures on claims whose signer is gone: what may be taken over (alone: every one, as
        every claim in the database is a dead predecessor's). Read from the claims first, so an instance
        that arrives meanwhile is never among them."""
        found = await self.repo.claim_holders()
        if not self.shared:
            return found - {self.holder}
        return found - await self.repo.live_holders(self.clock() - STALE)

    async def beat(self) -> None:
        """The heartbeat, and the leader's lease renewed or taken."""
        now = self.clock()
        if not await self.repo.beat(self.name, self.incarnation, now):
            row = await self.repo.get(self.name)
            if row is not None:
                log.error("instance %r: another process (%s, pid %s) runs under this name; give each its own INSTANCE_NAME",
                          self.name, row["host"], row["pid"])
                return
            await self.repo.arrive(self.name, self.incarnation, socket.gethostname(), os.getpid(), now)
        if self.shared:
            await self.leading()

    async def leading(self) -> bool:
        """True when this instance runs the jobs that run once (alone: always)."""
        if not self.shared:
            return True
        now = self.clock()
        return await self.repo.lease(LEADER, self.name, now, now + LEASE)

    async def forget_gone(self) -> int:
        return await self.repo.forget(self.clock() - FORGET)

    async def leave(self) -> None:
        """A clean stop: the lease is free at once, the name too."""
        try:
            await self.repo.release(LEADER, self.name)
            await self.repo.leave(self.name, self.incarnation)
        except Exception as error:  # the database may be gone already: the heartbeat lapses on its own
            log.warning("instance %r: could not say goodbye (%s)", self.name, type(error).__name__)
