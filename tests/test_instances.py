"""Several instances on one database (issue 20): heartbeats, the leader's lease, and whose claims are void.
Both engines (PostgreSQL when TEST_DATABASE_URL is set); the multi-process test is tests/test_instances_live.py."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from bot.config import ConfigError
from bot.storage.broadcasts import BroadcastRepository
from bot.storage.checklists import ChecklistRepository
from bot.storage.db import Database
from bot.storage.inbox import InboxRepository
from bot.storage.instances import InstanceRepository
from bot.storage.outbox import OutboxRepository
from bot.storage.schema import reminders, users
from bot.telegram.instance import LEASE, STALE, Instance
from tests.test_storage_engines import db  # noqa: F401  (the fixture: both engines)

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


async def test_the_leader_lease_is_held_by_one_and_taken_over_once_it_lapses(db: Database) -> None:  # noqa: F811
    clock = Clock()
    repo = InstanceRepository(db)
    a = Instance(repo, "a", shared=True, clock=clock)
    b = Instance(repo, "b", shared=True, clock=clock)
    await a.arrive()
    await b.arrive()
    assert await a.leading() is True
    assert await b.leading() is False  # a holds it
    clock.now += LEASE / 2
    assert await a.leading() is True  # renewed
    clock.now += LEASE / 2 + timedelta(seconds=1)
    assert await b.leading() is False  # a renewed it half-way: still a's
    clock.now += LEASE + timedelta(seconds=1)  # a fell silent
    assert await b.leading() is True
    assert await a.leading() is False  # back: it is b's now
    await b.leave()  # a clean stop frees it at once
    assert await a.leading() is True


async def test_alone_an_instance_always_leads_and_sees_no_other(db: Database) -> None:  # noqa: F811
    clock = Clock()
    repo = InstanceRepository(db)
    other = Instance(repo, "other", shared=True, clock=clock)
    await other.arrive()
    assert await other.leading()
    alone = Instance(repo, "main", shared=False, clock=clock)
    await alone.arrive()
    assert await alone.leading() is True
    assert await alone.others() == set()  # every claim in the database is its dead predecessor's


async def test_others_are_the_instances_heard_lately(db: Database) -> None:  # noqa: F811
    clock = Clock()
    repo = InstanceRepository(db)
    a, b, c = (Instance(repo, name, shared=True, clock=clock) for name in "abc")
    for instance in (a, b, c):
        await instance.arrive()
    assert await a.others() == {"b", "c"}
    clock.now += STALE / 2
    await b.beat()
    clock.now += STALE / 2 + timedelta(seconds=1)
    assert await a.others() == {"b"}  # c was not heard for longer than STALE
    await b.leave()
    assert await a.others() == set()


async def test_a_second_process_under_a_running_name_refuses_to_start(db: Database) -> None:  # noqa: F811
    clock = Clock()
    repo = InstanceRepository(db)
    running = Instance(repo, "web-1", shared=True, clock=clock)
    await running.arrive()

    async def beat_while_waiting(_seconds: float) -> None:
        clock.now += timedelta(seconds=1)
        await running.beat()  # the first process is alive: its heartbeat moves

    second = Instance(repo, "web-1", shared=True, clock=clock, sleep=beat_while_waiting)
    with pytest.raises(ConfigError, match="INSTANCE_NAME"):
        await second.arrive()


async def test_a_restart_after_a_crash_waits_for_the_old_heartbeat_to_go_stale(db: Database) -> None:  # noqa: F811
    clock = Clock()
    repo = InstanceRepository(db)
    crashed = Instance(repo, "web-1", shared=True, clock=clock)
    await crashed.arrive()
    waited: list[float] = []

    async def sleep(seconds: float) -> None:
        waited.append(seconds)
        clock.now += timedelta(seconds=seconds)

    again = Instance(repo, "web-1", shared=True, clock=clock, sleep=sleep)
    await again.arrive()
    assert STALE.total_seconds() <= sum(waited) <= STALE.total_seconds() + 2
    row = await repo.get("web-1")
    assert row is not None and row["incarnation"] == again.incarnation


async def _user(database: Database, user_id: int) -> None:
    await database.execute(users.insert().values(id=user_id, first_seen=T0.isoformat(), last_seen=T0.isoformat(), language="ru"))


async def test_reminders_claimed_by_a_live_instance_stay_with_it(db: Database) -> None:  # noqa: F811
    a, b = ChecklistRepository(db, "a"), ChecklistRepository(db, "b")
    for n in range(4):
        await db.execute(reminders.insert().values(user_id=100 + n, item="passport", deadline="2026-12-10", days_before=n, due_at=0))
    mine = await a.claim_due(10, 2)
    theirs = await b.claim_due(10, 10)
    assert len(mine) == 2 and len(theirs) == 2 and not {r.id for r in mine} & {r.id for r in theirs}
    assert await b.recover(dead=set()) == (0, 0)  # both alive: nothing goes back
    assert await b.recover(dead={"a"}) == (2, 0)  # a died: its two are pending again, b's stay claimed
    again = await b.claim_due(10, 10)
    assert {r.id for r in again} == {r.id for r in mine}
    assert await a.recover(dead={"b"}) == (4, 0)


async def test_broadcast_recipients_of_a_dead_instance_go_back_and_the_broadcast_finishes_once(db: Database) -> None:  # noqa: F811
    for n in range(5):
        await _user(db, 200 + n)
    a, b = BroadcastRepository(db, "a"), BroadcastRepository(db, "b")
    async with db.transaction():
        broadcast_id = await a.create(1, "hello", None, None, None, T0)
    first = await a.claim(broadcast_id, 2)
    second = await b.claim(broadcast_id, 2)
    for user_id in second:
        await b.mark(broadcast_id, user_id, "sent")
    rest = await b.claim(broadcast_id, 10)
    assert len(rest) == 1
    await b.mark(broadcast_id, rest[0], "sent")
    assert await b.claim(broadcast_id, 10) == []
    assert await b.finish(broadcast_id, T0) is False  # a still holds two: not done yet
    await a.mark(broadcast_id, first[0], "sending")  # a dies mid-send
    assert await b.recover(dead={"a"}) == 1  # the one cut off is never sent again
    assert await b.claim(broadcast_id, 10) == [first[1]]  # the other is sent by b
    await b.mark(broadcast_id, first[1], "sent")
    assert await b.finish(broadcast_id, T0) is True
    assert await a.finish(broadcast_id, T0) is False  # once: only one reports it


async def test_updates_of_a_dead_instance_are_taken_over_and_a_live_ones_are_left(db: Database) -> None:  # noqa: F811
    a, b = InboxRepository(db, "a"), InboxRepository(db, "b")
    payload = json.dumps({"update_id": 0})
    await a.receive([(1, payload), (2, payload)], T0)
    await b.receive([(3, payload)], T0)
    assert await InboxRepository(db, "c").pending(dead=set()) == []  # each is handling its own
    taken = await b.pending(dead={"a"})  # a died
    assert [update_id for update_id, _p, _n in taken] == [1, 2]
    assert await InboxRepository(db, "c").pending(dead={"a"}) == []  # b holds all three now
    assert [u for u, _p, _n in await InboxRepository(db, "c").pending(dead={"b"})] == [1, 2, 3]


async def test_outbox_claims_of_a_live_instance_are_kept_at_another_start(db: Database) -> None:  # noqa: F811
    a, b = OutboxRepository(db, "a"), OutboxRepository(db, "b")
    first = await a.add(-100, "send", {"text": "one"}, T0)
    second = await b.add(-100, "send", {"text": "two"}, T0)
    assert await a.claim(first, T0, T0 + timedelta(minutes=1))
    assert await b.claim(second, T0, T0 + timedelta(minutes=1))
    assert await b.release_claims(dead=set()) == 0
    assert await b.release_claims(dead={"a"}) == 1  # a's is void
    assert await b.claim(first, T0, T0 + timedelta(minutes=1))
    assert not await a.claim(second, T0, T0 + timedelta(minutes=1))  # b's still
    await a.retry(second, T0, "paced")  # a does not hold it: b's claim stays
    assert not await a.claim(second, T0, T0 + timedelta(minutes=1))
    assert await a.release_claims(dead={"b"}) == 2


async def test_the_dead_are_read_from_the_claims_so_a_newcomer_is_never_among_them(db: Database) -> None:  # noqa: F811
    """The take-over voids the claims of signers that are gone, never of one that arrived after it looked:
    a start signs with name/incarnation, and a later start of the same name is another signer."""
    clock = Clock()
    repo = InstanceRepository(db)
    leader = Instance(repo, "a", shared=True, clock=clock)
    crashed = Instance(repo, "b", shared=True, clock=clock)
    for instance in (leader, crashed):
        await instance.arrive()
    await ChecklistRepository(db, crashed.holder).claim_due(10, 10)
    for n in range(2):
        await db.execute(reminders.insert().values(user_id=300 + n, item="passport", deadline="2026-12-10", days_before=1, due_at=0))
    await ChecklistRepository(db, crashed.holder).claim_due(10, 1)
    clock.now += STALE + timedelta(seconds=1)
    await leader.beat()
    dead = await leader.dead()
    assert dead == {crashed.holder}
    newcomer = Instance(repo, "c", shared=True, clock=clock)  # arrives after the leader looked
    await newcomer.arrive()
    await ChecklistRepository(db, newcomer.holder).claim_due(10, 10)
    assert await ChecklistRepository(db, leader.holder).recover(dead) == (1, 0)  # the crashed one's only
    assert await ChecklistRepository(db, newcomer.holder).count("claimed") == 1  # the newcomer's claim stands
    restarted = Instance(repo, "b", shared=True, clock=clock)  # b again: another signer
    assert restarted.holder != crashed.holder
    alone = Instance(repo, "main", shared=False, clock=clock)
    await alone.arrive()
    assert await alone.dead() == {newcomer.holder}  # alone: every claim is a dead predecessor's
