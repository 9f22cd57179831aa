"""The storage layer on both engines: SQLite always, PostgreSQL too when TEST_DATABASE_URL names a server
(each test gets a database of its own there, dropped after). The same repositories, the same results."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from bot.storage.db import Database
from bot.storage.fsm import FsmRepository
from bot.storage.inbox import InboxRepository
from bot.storage.migrate import head
from bot.storage.users import UserRepository

POSTGRES = os.environ.get("TEST_DATABASE_URL")
ENGINES = ["sqlite", pytest.param("postgresql", marks=pytest.mark.skipif(not POSTGRES, reason="TEST_DATABASE_URL is not set"))]
BIG_ID = 7_123_456_789  # Telegram ids go past 32 bits


async def fresh_postgres(template: str | None = None) -> tuple[str, str]:
    """A new database on the test server, empty or a copy of `template`: (its URL, its name)."""
    import asyncpg

    assert POSTGRES is not None
    name = f"bot_test_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(POSTGRES)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
    finally:
        await admin.close()
    return POSTGRES.rsplit("/", 1)[0] + "/" + name, name


async def drop_postgres(name: str) -> None:
    import asyncpg

    assert POSTGRES is not None
    admin = await asyncpg.connect(POSTGRES)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


@pytest.fixture(params=ENGINES)
async def db(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    name = None
    if request.param == "postgresql":
        url, name = await fresh_postgres()
        database = Database(url)
    else:
        database = Database(tmp_path / "bot.sqlite3")
    await database.connect()
    try:
        yield database
    finally:
        await database.close()
        if name is not None:
            await drop_postgres(name)


async def test_the_schema_is_the_newest_revision(db: Database) -> None:
    assert await db.schema_version() == int(head())


async def test_users_with_ids_past_32_bits(db: Database) -> None:
    users = UserRepository(db)
    now = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    await users.insert(BIG_ID, "ky", now)
    await users.insert(BIG_ID, "ru", now + timedelta(hours=1))  # already there: nothing changes
    await users.set_language(BIG_ID, "ky")
    await users.set_location(BIG_ID, "RU")
    await users.set_blocked(BIG_ID, True)
    await users.touch(BIG_ID, "ru", now + timedelta(days=1))  # writing again unblocks
    user = await users.get(BIG_ID)
    assert user is not None
    assert (user.language, user.telegram_language, user.location, user.blocked) == ("ky", "ru", "RU", False)
    assert user.first_seen == now and user.last_seen == now + timedelta(days=1)
    assert await users.get(1) is None and await users.count() == 1


async def test_a_transaction_is_all_or_nothing(db: Database) -> None:
    users = UserRepository(db)
    now = datetime.now(UTC)
    with pytest.raises(RuntimeError):
        async with db.transaction():
            await users.insert(1, "ru", now)
            assert await users.get(1) is not None  # reads its own writes
            raise RuntimeError("boom")
    assert await users.get(1) is None


async def test_conversation_state_and_data(db: Database) -> None:
    fsm = FsmRepository(db)
    await fsm.set_state("k1", BIG_ID, BIG_ID, "Consent:describing")
    await fsm.set_data("k1", BIG_ID, BIG_ID, {"answers": {"q1": "yes"}, "text": "паспорт"})
    assert await fsm.update_data("k1", BIG_ID, BIG_ID, {"lang": "tg"}) == {"answers": {"q1": "yes"}, "text": "паспорт", "lang": "tg"}
    fsm.forgotten(BIG_ID)  # the person's cached states are dropped: read back from the database
    assert await fsm.get_state("k1") == "Consent:describing"
    await fsm.set_state("k1", BIG_ID, BIG_ID, None)
    assert await fsm.get_state("k1") is None and (await fsm.get_data("k1"))["lang"] == "tg"
    assert await fsm.get_data("nobody") == {}


async def test_the_inbox_takes_an_update_once_and_keeps_the_newest_id(db: Database) -> None:
    inbox = InboxRepository(db)
    now = datetime(2026, 12, 1, tzinfo=UTC)
    assert await inbox.receive([(10, '{"a": 1}'), (11, '{"b": 2}')], now) == {10, 11}
    assert await inbox.receive([(11, '{"b": 2}'), (12, "{}")], now) == {12}  # 11 came again: not new
    await inbox.bump(11)
    await inbox.handled(10, now)
    assert await inbox.is_handled(10) and not await inbox.is_handled(11)
    assert await inbox.pending() == [(11, '{"b": 2}', 1), (12, "{}", 0)]
    assert await inbox.next_offset() == 13
    await inbox.handled(11, now)
    await inbox.handled(12, now)
    assert await inbox.prune(now + timedelta(days=2)) == 2  # all but the newest, which holds the offset
    assert await inbox.next_offset() == 13


async def test_the_outbox_keeps_each_chats_order_and_its_claims(db: Database) -> None:
    from bot.storage.outbox import OutboxRepository

    box = OutboxRepository(db)
    now = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    group = -1_009_990_000_001
    first = await box.add(group, "send", {"text": "alert", "thread": 5}, now, case_id=1, track="alert")
    second = await box.add(group, "topic", {"op": "edit", "thread": 5, "name": "№1"}, now)
    third = await box.add(BIG_ID, "send", {"text": "hi"}, now)
    assert await box.due_chats(now, 10) == [group, BIG_ID]
    assert await box.chats_of([third, first]) == [group, BIG_ID]
    assert [i.id for i in await box.head_of_chat(group, now, 10)] == [first, second]
    assert await box.claim(first, now, now + timedelta(minutes=1))
    assert not await box.claim(first, now, now + timedelta(minutes=1))  # another sender has it
    assert await box.head_of_chat(group, now, 10) == []  # the head is held: what follows waits
    await box.retarget(group, 5, 9)
    assert (await box.get(second)).payload["thread"] == 9  # type: ignore[union-attr]
    assert await box.drop_topic_changes(group, 9) == 1
    await box.retry(first, now + timedelta(minutes=5), "429")
    item = await box.get(first)
    assert item is not None and item.attempts == 1 and item.payload["thread"] == 9
    await box.done(third)
    assert await box.pending() == 1 and await box.next_due() == now + timedelta(minutes=5)
    await box.release_claims()


async def test_reminders_are_claimed_once_and_plans_replaced(db: Database) -> None:
    from datetime import date

    from bot.models import Mark, Planned, Trip
    from bot.storage.checklists import ChecklistRepository

    repo = ChecklistRepository(db)
    now = datetime(2026, 12, 1, tzinfo=UTC)
    await repo.save_trip(Trip(BIG_ID, "RU", date(2026, 12, 1), None, True), now)
    await repo.save_trip(Trip(BIG_ID, "RU", date(2026, 12, 1), date(2026, 12, 3), True), now)
    trip = await repo.trip(BIG_ID)
    assert trip is not None and trip.arrival == date(2026, 12, 3)
    await repo.save_mark(BIG_ID, Mark("patent", True, date(2026, 12, 5), False, 2), now)
    assert (await repo.marks(BIG_ID))["patent"].paid == 2
    plan = [Planned("reg", date(2026, 12, 10), days, 1_000 + days) for days in (3, 0)]
    await repo.replace_plan(BIG_ID, [], plan)
    await repo.replace_plan(BIG_ID, plan[:1], plan)  # the same again: nothing doubled, nothing lost
    assert len(await repo.pending(BIG_ID)) == 2
    claimed = await repo.claim_due(2_000, 10)
    assert [r.days_before for r in claimed] == [0, 3] and await repo.claim_due(2_000, 10) == []
    await repo.mark([claimed[0].id], "sent", sent_at=2_000)
    await repo.release([claimed[1].id], 3_000, failed=True)
    assert await repo.count("sent") == 1 and (await repo.pending(BIG_ID))[0].attempts == 1


async def test_events_and_activity(db: Database) -> None:
    from bot.storage.events import EventRepository
    from bot.storage.stats import figures

    repo = EventRepository(db)
    assert await repo.key() is None
    await repo.add_key("aa")
    await repo.add_key("bb")  # the first key stays
    assert await repo.key() == "aa"
    await repo.add("2026-12-01T09:00:00+00:00", "guide", "before", "ky", "KG", "RU", "h1")
    assert await repo.exists("h1", "guide", "before") and not await repo.exists("h1", "guide", "after")
    await repo.add_activity("2026-12-01", "h1", None, None, None)  # before the language is chosen
    await repo.add_activity("2026-12-01", "h1", "ky", "KG", "RU")  # the same day's row, its profile now known
    await repo.add_activity("2026-12-01", "h2", "ru", None, None)
    rows = {(f.section, f.key): f.value for f in await figures(db, date(2026, 12, 1), date(2026, 12, 1))}
    assert rows[("active", "people")] == 2
    assert rows[("active", "language=ky")] == 1 and rows[("active", "language=ru")] == 1
    assert rows[("active", "citizenship=KG")] == 1 and rows[("active", "citizenship=unknown")] == 1
    assert ("active", "language=unknown") not in rows


async def test_a_broadcast_reaches_its_audience_once(db: Database) -> None:
    from bot.storage.broadcasts import BroadcastRepository
    from bot.storage.users import UserRepository

    users, repo = UserRepository(db), BroadcastRepository(db)
    now = datetime(2026, 12, 1, tzinfo=UTC)
    for uid, lang in ((BIG_ID, "ky"), (BIG_ID + 1, "uz"), (BIG_ID + 2, "ky")):
        await users.insert(uid, lang, now)
        await users.set_language(uid, lang)
    await users.set_blocked(BIG_ID + 2, True)
    assert await repo.count_audience(None, None, None) == 2 and await repo.count_audience(("ky",), None, None) == 1
    assert await repo.count_audience(("ky", "uz"), None, None) == 2 and await repo.count_audience(None, ("KG",), None) == 0
    async with db.transaction():  # the audience is lists now (issue 23): one language here
        broadcast_id = await repo.create(1, "<b>Hi</b>", ("ky",), None, None, now)
    broadcast = await repo.get(broadcast_id)
    assert broadcast is not None and broadcast.total == 1 and [b.id for b in await repo.active()] == [broadcast_id]
    assert await repo.claim(broadcast_id, 10) == [BIG_ID] and await repo.claim(broadcast_id, 10) == []
    await repo.mark(broadcast_id, BIG_ID, "sending")
    assert await repo.recover() == 1 and await repo.counts(broadcast_id) == {"unknown": 1}
    await repo.update(broadcast_id, progress_chat=5, progress_msg=6)
    assert await repo.cancel(broadcast_id, now) and not await repo.cancel(broadcast_id, now)

    # scheduled (issue 24): no recipients until its time; then the audience as of then, once
    async with db.transaction():
        later = await repo.create(1, "<b>Later</b>", ("ky", "uz"), None, None, now, send_at=now + timedelta(days=1))
    scheduled = await repo.get(later)
    assert scheduled is not None and scheduled.status == "scheduled" and scheduled.total == 2 and await repo.counts(later) == {}
    await users.set_blocked(BIG_ID + 2, False)  # back before the time: in the audience then
    async with db.transaction():
        assert await repo.begin(scheduled)
    async with db.transaction():
        assert not await repo.begin(scheduled)  # another instance came second
    begun = await repo.get(later)
    assert begun is not None and begun.status == "sending" and begun.total == 3 and await repo.counts(later) == {"pending": 3}


async def test_an_agency_registry_is_replaced_whole_and_reports_kept(db: Database) -> None:
    from datetime import date

    from bot.models import Report
    from bot.services.agency import Registry
    from bot.storage.agencies import AgencyRepository

    repo = AgencyRepository(db)
    now = datetime(2026, 12, 1, tzinfo=UTC)
    row = {"name": "ОсОО «Ала-Тоо Жумуш»", "aliases": ["Ala-Too Jumush"], "permit": "ЖК-0142", "authority": None,
           "valid_from": date(2026, 2, 1), "valid_to": date(2027, 1, 31), "status": "active", "destinations": ["TR"],
           "phone": None, "address": None, "website": None, "note": None}
    for names in (["A", "B"], ["C"]):
        registry = Registry("KG", "https://example.org", date(2026, 11, 1), True, [{**row, "name": n} for n in names], "kg.yaml")
        async with db.transaction():
            await repo.replace(registry, now)
    assert await repo.count("KG") == 1 and [a.name for a in await repo.all()] == ["C"]
    agency = (await repo.all())[0]
    assert await repo.get(agency.id) == agency and agency.aliases == ("Ala-Too Jumush",)
    assert [(s.country, s.rows, s.sample) for s in await repo.snapshots()] == [("KG", 1, True)]
    report_id = await repo.add_report(Report(BIG_ID, "ky", "C", "active", flags=("money",), created_at=now))
    assert [r.id for r in await repo.reports(5)] == [report_id]


async def test_figures_and_weekly_buckets(db: Database) -> None:
    from datetime import date

    from bot.storage import stats
    from bot.storage.users import UserRepository

    users = UserRepository(db)
    for number, day in enumerate((date(2026, 11, 23), date(2026, 11, 25), date(2026, 12, 1))):  # Mon, Wed, next Tue
        await users.insert(number + 1, "ky", datetime(day.year, day.month, day.day, 10, tzinfo=UTC))
        await users.set_language(number + 1, "ky")
    figures = {(f.section, f.key): f.value for f in await stats.figures(db, date(2026, 11, 23), date(2026, 12, 1))}
    assert figures[("users", "language=ky")] == 3 and figures[("users", "new")] == 3 and figures[("cases", "taken")] == 0
    weeks = await stats.buckets(db, date(2026, 11, 24), date(2026, 12, 2), by_week=True)
    assert [(b.start, b.new) for b in weeks] == [(date(2026, 11, 23), 1), (date(2026, 11, 30), 1)]  # Monday the 23rd is before the period
    days = await stats.buckets(db, date(2026, 11, 23), date(2026, 11, 25), by_week=False)
    assert [b.new for b in days] == [1, 0, 1]
    assert await stats.anyone_before(db, datetime(2026, 11, 24, tzinfo=UTC))
    assert await stats.claim_digest(db, BIG_ID, date(2026, 11, 23), datetime(2026, 11, 30, tzinfo=UTC))
    assert not await stats.claim_digest(db, BIG_ID, date(2026, 11, 23), datetime(2026, 11, 30, tzinfo=UTC))
    await stats.release_digest(db, BIG_ID, date(2026, 11, 23))
    assert await stats.claim_digest(db, BIG_ID, date(2026, 11, 23), datetime(2026, 11, 30, tzinfo=UTC))
