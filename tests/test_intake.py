"""Polling as the bot runs it (bot.telegram.intake), in process: the sandbox answers getUpdates, the real
Dispatcher handles, SQLite keeps the inbox. What arrives in one batch, in any order, is handled once."""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

from bot.callbacks import TakeCb
from bot.sandbox.core import SandboxMessage
from tests.conftest import GROUP, Desk, Harness, crash_during, make_settings, open_desk, running, setup_group, until


@contextlib.asynccontextmanager
async def polling(h: Harness) -> AsyncIterator[None]:
    """The app's own polling loop, as `python -m bot run` runs it, until the block ends."""
    assert h.app is not None
    task = asyncio.create_task(h.app.intake.run())
    try:
        yield
    finally:
        h.app.intake.stop()
        await asyncio.wait_for(task, 10)


async def settled(h: Harness) -> None:
    """Everything fetched is handled and everything queued is sent."""
    app = h.app
    assert app is not None
    await until(lambda: not h.sandbox.updates and app.intake.in_flight == 0, "the updates to be handled", timeout=20)
    for _ in range(100):
        if await app.outbox.pending() == 0:
            return
        h.advance(seconds=61)  # past the group's pace and any backoff
        await app.outbox.run_due()
    raise AssertionError("the outbox did not empty")


def alert_of(h: Harness, case_id: int) -> SandboxMessage:
    data = TakeCb(case=case_id).pack()
    return next(m for m in h.sandbox.bot_messages(GROUP) if any(b.get("callback_data") == data for row in m.buttons for b in row))


@contextlib.contextmanager
def network_latency(h: Harness) -> Iterator[None]:
    """Each call takes a few milliseconds, as over a network: what runs at once interleaves as it would."""
    original = h.sandbox.request
    pace = random.Random(7)

    async def slow(token: str, method: str, params: dict[str, Any], uploads: Any = None) -> Any:
        await asyncio.sleep(pace.uniform(0.001, 0.01))
        return await original(token, method, params, uploads)

    h.sandbox.request = slow  # type: ignore[method-assign]
    try:
        yield
    finally:
        h.sandbox.request = original  # type: ignore[method-assign]


async def test_a_take_and_the_persons_message_in_one_batch_are_relayed_once_in_either_order(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, consultant_chat_id=GROUP, ngo_name="Safe Road", max_in_flight=100)  # one batch
    async with running(settings, setup_group) as h:
        desk: Desk = await open_desk(h)
        app = h.app
        assert app is not None
        people = [await desk.migrant() for _ in range(20)]
        cases = [await desk.ask(person, "ru") for person in people]
        for n, (person, case_id) in enumerate(zip(people, cases, strict=True)):
            take = lambda case_id=case_id: h.sandbox.user_click(desk.aida.id, alert_of(h, case_id), TakeCb(case=case_id).pack())
            words = lambda n=n, person=person: h.sandbox.user_message(person.id, f"help number {n}")
            for make in (take, words) if n % 2 else (words, take):
                h.sandbox.enqueue(make())  # all queued before polling: they come in the same batches
        with network_latency(h):
            async with polling(h):
                await until(lambda: not h.sandbox.updates and app.intake.in_flight == 0, "the batch to be handled", timeout=20)
        await settled(h)  # what waits for the group's pace
        texts = [m.text or "" for m in desk.aida.messages]
        for n, case_id in enumerate(cases):
            relayed = [t for t in texts if t.endswith(f"help number {n}")]
            kept = [tuple(r) for r in await app.db.fetchall(
                "SELECT c.status, c.consultant_id, m.delivered FROM cases c LEFT JOIN case_messages m ON m.case_id = c.id "
                "WHERE c.id = ?", (case_id,))]
            assert relayed == [f"👤 №{case_id}\nhelp number {n}"], (n, relayed, kept, await app.cases.audit_trail(case_id), [e.payload.get("text") for e in h.sandbox.events if e.kind == "callback_answer"][-25:])
            summary = next(i for i, t in enumerate(texts) if f"№{case_id}" in t and not t.startswith("👤"))
            assert summary < texts.index(relayed[0])  # the summary comes first
        assert h.app is not None and await h.app.inbox.pending() == []


async def test_one_persons_messages_are_handled_in_order_and_at_most_the_limit_at_once(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, consultant_chat_id=GROUP, max_in_flight=4)
    async with running(settings, setup_group) as h:
        desk = await open_desk(h)
        person = await desk.migrant()
        case_id = await desk.ask(person, "ru")
        await desk.aida.click("✋", desk.alert())
        others = [await desk.migrant() for _ in range(30)]
        for n in range(15):
            h.sandbox.enqueue(h.sandbox.user_message(person.id, f"part {n}"))
            h.sandbox.enqueue(h.sandbox.user_message(others[n].id, "/menu"))
            h.sandbox.enqueue(h.sandbox.user_message(others[15 + n].id, "/guide"))
        assert h.app is not None
        async with polling(h):
            await settled(h)
        assert h.app.intake.peak <= 4
        parts = [m.text for m in desk.aida.messages if (m.text or "").startswith(f"👤 №{case_id}\npart")]
        assert parts == [f"👤 №{case_id}\npart {n}" for n in range(15)]
        for other in others:
            assert len(list(h.sandbox.bot_messages(other.id))) >= 2  # /start's answer, then this one


async def test_an_update_fed_again_is_not_handled_twice(harness: Harness) -> None:
    person = await harness.speaker("ky")
    update = harness.sandbox.user_message(person.id, "/menu")
    before = len(harness.sandbox.bot_messages(person.id))
    await harness.feed(update)
    await harness.feed(update)  # Telegram sent it again, or a replay met it
    assert len(harness.sandbox.bot_messages(person.id)) == before + 1


async def test_a_replay_sends_only_what_the_first_run_did_not(tmp_path: Path) -> None:
    """The process dies after the summary went out and before the notes did: the restart sends the notes,
    not the summary again."""
    settings = make_settings(tmp_path, consultant_chat_id=GROUP)
    async with running(settings, setup_group) as h:
        desk = await open_desk(h)
        person = await desk.migrant()
        case_id = await desk.ask(person, "ru")
        await desk.aida.click("✋", desk.alert())
        await desk.aida.send("/note first note")
        await desk.aida.send("/note second note")
        assert h.app is not None
        sent = len(desk.aida.messages)
        calls: list[str] = []
        original = h.sandbox.request

        async def second_send_dies(token: str, method: str, params: dict[str, Any], uploads: Any = None) -> Any:
            if method == "sendMessage":
                calls.append(params.get("text", ""))
                if len(calls) == 2:
                    await asyncio.Event().wait()  # the process "dies" here
            return await original(token, method, params, uploads)

        h.sandbox.request = second_send_dies  # type: ignore[method-assign]
        task = asyncio.create_task(desk.aida.send(f"/case {case_id}"))
        await until(lambda: len(calls) == 2, "the second message", timeout=20)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        h.sandbox.request = original  # type: ignore[method-assign]
        assert len(desk.aida.messages) == sent + 1  # the summary
        await h.restart()
        new = [m.text or "" for m in desk.aida.messages[sent + 1:]]
        assert len(new) == 2 and "first note" in new[0] and "second note" in new[1], new
        assert await h.app.inbox.pending() == []


async def test_an_update_left_unfinished_is_replayed_beside_polling(tmp_path: Path) -> None:
    """A stop in the middle of an update: at the next start polling does not wait for it, and it is handled once."""
    async with running(make_settings(tmp_path)) as h:
        person = await h.speaker("tg")
        await crash_during(h, "sendMessage", person.send("/menu"))
        assert h.app is not None
        before = len(h.sandbox.bot_messages(person.id))
        await h.app.close()
        h.app = None
        app = await h.start(replay_inbox=False)
        assert len(await app.inbox.pending()) == 1
        h.sandbox.enqueue(h.sandbox.user_message(person.id, "/guide"))
        async with polling(h):
            await settled(h)
        answers = h.sandbox.bot_messages(person.id)[before:]
        assert len(answers) == 2 and "Менюи асосӣ" in (answers[0].text or "")  # the menu first, then the guide
        assert await app.inbox.pending() == []


async def _start_without_replay(h: Harness) -> Any:
    from bot.app import build_app
    from bot.sandbox.session import SandboxSession

    async def sleep(seconds: float) -> None:
        h.clock.advance(seconds)

    h.app = await build_app(h.settings, session=SandboxSession(h.sandbox), sleep=sleep, now=h.now, monotonic=h.clock)
    await h.app.startup(replay_inbox=False)
    await h.app.recovered()
    return h.app


async def test_handled_ids_are_kept_a_day_and_polling_resumes_after_the_newest(harness: Harness) -> None:
    app = harness.app
    assert app is not None
    person = await harness.speaker("uz")
    await person.send("/menu")
    rows = await app.db.fetchall("SELECT update_id, payload, handled_at FROM inbox ORDER BY update_id")
    assert rows and all(r["payload"] == "" and r["handled_at"] for r in rows)  # no text kept once handled
    newest = rows[-1]["update_id"]
    harness.advance(hours=23)
    assert await app.intake.prune() == 0
    harness.advance(hours=2)
    assert await app.intake.prune() == len(rows) - 1  # all but the newest: it holds the offset
    assert await app.inbox.next_offset() == newest + 1
