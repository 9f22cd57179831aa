"""The desk on forum topics, through the real Dispatcher, SQLite and the sandbox Telegram: the consultants'
group is a forum, each case has its topic, the queue board is pinned in General."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.callbacks import TakeCb
from bot.i18n import LANGUAGE_NAMES
from bot.sandbox.client import Person
from bot.sandbox.core import ADMIN_RIGHTS, SandboxMessage
from tests.conftest import ADMIN, GROUP, LANGS, Desk, Harness, make_settings, open_desk, running


def forum_group(h: Harness) -> None:
    h.sandbox.add_group(GROUP, "Consultants", forum=True)


@pytest.fixture
async def forum(tmp_path: Path) -> AsyncIterator[Desk]:
    settings = make_settings(tmp_path, consultant_chat_id=GROUP, ngo_name="Safe Road", admin_ids=frozenset({ADMIN}))
    async with running(settings, forum_group) as h:
        yield await open_desk(h)


def topic_of(desk: Desk, case_id: int) -> int:
    """The topic the bot made for a case (its name starts with the case's icon and number)."""
    for thread, topic in desk.h.sandbox.topics(GROUP).items():
        if f"№{case_id} " in topic["name"]:
            return thread
    raise AssertionError(f"no topic for case {case_id}: {desk.h.sandbox.topics(GROUP)}")


def in_topic(desk: Desk, thread: int) -> list[SandboxMessage]:
    return [m for m in desk.h.sandbox.thread_messages(GROUP, thread) if m.from_bot and m.kind == "text"]


def general(desk: Desk) -> list[SandboxMessage]:
    return [m for m in desk.h.sandbox.thread_messages(GROUP, None) if m.from_bot]


def board(desk: Desk) -> SandboxMessage:
    pinned = desk.h.sandbox.groups[GROUP]["pinned"]
    assert pinned is not None, "no board pinned in General"
    return desk.h.sandbox.messages[(GROUP, pinned)]


def take_button(message: SandboxMessage, case_id: int) -> str:
    data = TakeCb(case=case_id).pack()
    assert any(b.get("callback_data") == data for row in message.buttons for b in row), message.buttons
    return data


async def take(desk: Desk, consultant: Person, case_id: int) -> None:
    await consultant.click_data(take_button(board(desk), case_id), board(desk))


# ---------------------------------------------------------------------- a case's life in its topic
@pytest.mark.parametrize("lang", LANGS)
async def test_a_case_lives_in_its_topic_from_alert_to_close(forum: Desk, lang: str) -> None:
    h, app = forum.h, forum.h.app
    assert app is not None
    migrant = await forum.migrant(lang)
    case_id = await forum.ask(migrant, lang, describe="Хозяин забрал паспорт")
    thread = topic_of(forum, case_id)
    topic = h.sandbox.topic(GROUP, thread)
    assert topic["name"].startswith(f"🟠 №{case_id} · RU · {lang} · ⏳"), topic["name"]  # urgency, number, where, language, state
    alert = in_topic(forum, thread)[0]
    assert take_button(alert, case_id)
    assert "Хозяин" not in (alert.text or "")  # the person's words wait for the consultant who takes the case
    assert str(case_id) in (board(forum).text or "") and general(forum) == [board(forum)]  # nothing else in General

    await migrant.send("ещё одно сообщение")  # kept until taken
    await take(forum, forum.aida, case_id)
    assert forum.aida.alerts == [h.t("Case No. {number} is yours. Write in its topic: the person gets it.", "ru").format(number=case_id)]
    assert h.sandbox.topic(GROUP, thread)["name"].endswith("👤 Aida")
    said = [m.text or "" for m in in_topic(forum, thread)]
    assert any("Хозяин забрал паспорт" in t for t in said)  # the summary, in the topic
    assert any(t.endswith("ещё одно сообщение") for t in said)  # what the person wrote while waiting
    assert not [m for m in forum.aida.messages if str(case_id) in (m.text or "")]  # nothing in her private chat
    assert str(case_id) not in (board(forum).text or "")  # off the board

    await forum.aida.send_in(GROUP, "Здравствуйте, я консультант", thread_id=thread)  # no Reply, no command
    assert migrant.last.text is not None and migrant.last.text.endswith("Здравствуйте, я консультант")
    mine = [m for m in h.sandbox.thread_messages(GROUP, thread) if m.sender_id == forum.aida.id]
    assert mine[-1].extra.get("reaction") == ["👌"]  # the team sees it reached the person
    await migrant.send_media("photo", "вот фото")
    assert [m for m in h.sandbox.thread_messages(GROUP, thread) if m.kind == "photo"]

    await forum.aida.send_in(GROUP, "/close", thread_id=thread)
    question = in_topic(forum, thread)[-1]
    await forum.aida.click(question.button_labels()[0], question)
    assert h.sandbox.topic(GROUP, thread)["closed"]
    assert h.sandbox.topic(GROUP, thread)["name"].endswith(h.t("✅ closed", "ru"))
    case = await app.cases.get(case_id)
    assert case is not None and case.status == "closed"


async def test_only_the_holder_writing_in_the_topic_reaches_the_person(forum: Desk) -> None:
    h = forum.h
    migrant = await forum.migrant("ky")
    case_id = await forum.ask(migrant, "ky")
    thread = topic_of(forum, case_id)
    await forum.bek.send_in(GROUP, "до взятия", thread_id=thread)
    assert "до взятия" not in [m.text for m in migrant.messages]
    assert h.t("Not sent: case No. {number} is not taken yet. Take it, then write again.", "ru").format(number=case_id) in (
        in_topic(forum, thread)[-1].text or "")
    await take(forum, forum.aida, case_id)
    count = len(migrant.messages)
    await forum.bek.send_in(GROUP, "коллега пишет", thread_id=thread)  # a colleague: stays in the team
    await forum.aida.send_in(GROUP, "пишу в общий чат")  # General: never anyone's case
    await forum.aida.send_in(GROUP, "/note позвонить завтра", thread_id=thread)
    assert len(migrant.messages) == count
    assert "Aida" in (in_topic(forum, thread)[-2].text or "")  # Bek is told who holds it
    await forum.aida.send_in(GROUP, "ответ", thread_id=thread)
    assert len(migrant.messages) == count + 1 and (migrant.last.text or "").endswith("ответ")


# ---------------------------------------------------------------------- the busy day: 0 misrouted
async def test_busy_day_fifteen_cases_two_consultants_zero_misrouted(forum: Desk) -> None:
    people = [await forum.migrant(LANGS[i % 4]) for i in range(15)]
    cases = [await forum.ask(p, LANGS[i % 4]) for i, p in enumerate(people)]
    person_of = dict(zip(cases, people, strict=True))
    threads = {c: topic_of(forum, c) for c in cases}
    assert len(set(threads.values())) == 15
    held = {forum.aida.id: cases[0:3], forum.bek.id: cases[3:6]}
    for consultant in (forum.aida, forum.bek):
        for case_id in held[consultant.id]:
            await take(forum, consultant, case_id)
    sent: list[tuple[int | None, str, int]] = []  # (thread, tag, writer)
    for round_ in range(3):
        for consultant in (forum.aida, forum.bek):
            for case_id in cases[:8]:  # their own, the other's, and waiting ones
                tag = f"msg-{consultant.id}-{case_id}-{round_}"
                await consultant.send_in(GROUP, tag, thread_id=threads[case_id])
                sent.append((threads[case_id], tag, consultant.id))
            tag = f"general-{consultant.id}-{round_}"
            await consultant.send_in(GROUP, tag)
            sent.append((None, tag, consultant.id))
    misrouted = delivered = 0
    for thread, tag, writer in sent:
        case_id = next((c for c, t in threads.items() if t == thread), None)
        for person in people:
            got = any((m.text or "").endswith(tag) for m in person.messages)
            should = case_id is not None and person is person_of[case_id] and case_id in held.get(writer, [])
            misrouted += got and not should
            delivered += got and should
            assert got == should, (tag, person.id)
    assert misrouted == 0 and delivered == 3 * 6


# ---------------------------------------------------------------------- the board
async def test_the_board_is_edited_in_place_most_urgent_first_never_reposted(forum: Desk) -> None:
    h, app = forum.h, forum.h.app
    assert app is not None
    calm, worried = await forum.migrant("ru"), await forum.migrant("tg")
    first = await forum.ask(calm, "ru")
    h.advance(minutes=3)
    second = await forum.ask(worried, "tg", describe="меня избили")
    text = board(forum).text or ""
    assert text.index(f"№{second}") < text.index(f"№{first}")  # high before not assessed, though it came later
    pinned = board(forum).message_id
    for _ in range(6):  # 30 minutes
        h.advance(minutes=5)
        await app.desk.tick()
    assert board(forum).message_id == pinned and board(forum).edits >= 1
    assert "30" in (board(forum).text or "") or "33" in (board(forum).text or "")  # live waiting minutes
    boards = [m for m in general(forum) if (m.text or "").startswith("📋")]
    assert len(boards) == 1  # edited, not re-posted
    pings = [m for m in general(forum) if m.buttons and m is not board(forum)]
    assert len(pings) <= 2  # at most one notification per waiting case at a time
    await take(forum, forum.aida, second)
    assert f"№{second}" not in (board(forum).text or "") and f"№{first}" in (board(forum).text or "")
    assert not [m for m in general(forum) if f"№{second}" in (m.text or "") and m is not board(forum)]  # its ping went


async def test_danger_heard_while_waiting_notifies_at_once_and_renames_the_topic(forum: Desk) -> None:
    h = forum.h
    migrant = await forum.migrant("uz")
    case_id = await forum.ask(migrant, "uz")
    thread = topic_of(forum, case_id)
    assert h.sandbox.topic(GROUP, thread)["name"].startswith("⚪")
    await migrant.send("меня избили и забрали паспорт")
    assert h.sandbox.topic(GROUP, thread)["name"].startswith("🟠")
    ping = [m for m in general(forum) if m is not board(forum)]
    assert len(ping) == 1 and take_button(ping[0], case_id)  # one notification, with its Take button
    assert h.t("⚠️ Case No. {number} is more urgent now: {minutes} min waiting", "ru").format(number=case_id, minutes=0) in (ping[0].text or "")


# ---------------------------------------------------------------------- handover, return, retention, /forget
async def test_handover_to_a_named_consultant_and_to_a_language(forum: Desk) -> None:
    h, app = forum.h, forum.h.app
    assert app is not None
    migrant = await forum.migrant("tg")
    case_id = await forum.ask(migrant, "tg")
    thread = topic_of(forum, case_id)
    await forum.bek.send("/speak tg ru")  # Bek says he speaks Tajik
    await take(forum, forum.aida, case_id)
    await forum.aida.send_in(GROUP, "/transfer @Bek говорит по-таджикски", thread_id=thread)
    case = await app.cases.get(case_id)
    assert case is not None and case.consultant_id == forum.bek.id and case.status == "taken"
    assert h.sandbox.topic(GROUP, thread)["name"].endswith("👤 Bek")
    notes = await app.cases.notes(case_id)
    assert [n for _a, n, _t in notes] == ["говорит по-таджикски"]
    await forum.aida.send_in(GROUP, "Аида больше не ведёт", thread_id=thread)
    assert "Аида больше не ведёт" not in [(m.text or "").split("\n")[-1] for m in migrant.messages]
    await forum.bek.send_in(GROUP, "Салом, ман Бек", thread_id=thread)
    assert (migrant.last.text or "").endswith("Салом, ман Бек")
    await forum.bek.send_in(GROUP, "/transfer tg нужен другой", thread_id=thread)
    case = await app.cases.get(case_id)
    assert case is not None and case.status == "new" and case.consultant_id is None
    call = [m for m in in_topic(forum, thread) if (m.text or "").startswith("🗣")]
    assert len(call) == 1 and str(forum.bek.id) not in (call[0].source or "")  # he is not called for his own handover
    assert f"№{case_id}" in (board(forum).text or "")


async def test_a_person_back_gets_their_topic_reopened_with_the_link(forum: Desk) -> None:
    h = forum.h
    person = await forum.migrant("ru")
    first = await forum.ask(person, "ru")
    thread = topic_of(forum, first)
    await take(forum, forum.aida, first)
    await forum.aida.send_in(GROUP, "/close", thread_id=thread)
    await forum.aida.click(in_topic(forum, thread)[-1].button_labels()[0], in_topic(forum, thread)[-1])
    assert h.sandbox.topic(GROUP, thread)["closed"]
    second = await forum.ask(person, "ru")
    assert topic_of(forum, second) == thread and not h.sandbox.topic(GROUP, thread)["closed"]
    assert f"№{second} " in h.sandbox.topic(GROUP, thread)["name"]
    assert f"№{first}" in (in_topic(forum, thread)[-1].text or "")  # the new alert names the earlier case
    await forum.bek.click_data(TakeCb(case=second).pack(), board(forum))
    await forum.bek.send_in(GROUP, "снова здравствуйте", thread_id=thread)
    assert (person.last.text or "").endswith("снова здравствуйте")  # the topic holds the new case now


async def test_forget_and_retention_delete_the_topic(forum: Desk) -> None:
    h, app = forum.h, forum.h.app
    assert app is not None
    leaving, staying = await forum.migrant("ru"), await forum.migrant("ky")
    gone = await forum.ask(leaving, "ru")
    kept = await forum.ask(staying, "ky")
    await leaving.send("/forget")
    await leaving.click("Да, удалить всё")
    assert h.sandbox.topic(GROUP, topic_of_deleted(forum, gone))["deleted"]
    await take(forum, forum.aida, kept)
    thread = topic_of(forum, kept)
    await forum.aida.send_in(GROUP, "/close", thread_id=thread)
    await forum.aida.click(in_topic(forum, thread)[-1].button_labels()[0], in_topic(forum, thread)[-1])
    h.advance(days=app.config.retention_days + 1)
    assert await app.desk.purge() == 2  # the forgotten case too (closed by /forget)
    assert h.sandbox.topic(GROUP, thread)["deleted"]
    assert all(m.deleted for m in h.sandbox.thread_messages(GROUP, thread, include_deleted=True))


def topic_of_deleted(desk: Desk, case_id: int) -> int:
    for thread, topic in desk.h.sandbox.topics(GROUP, include_deleted=True).items():
        if f"№{case_id} " in topic["name"]:
            return thread
    raise AssertionError(f"no topic for case {case_id}")


# ---------------------------------------------------------------------- without the right: the old way, and said so
async def test_a_forum_without_the_right_to_manage_topics_works_as_a_plain_group(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, consultant_chat_id=GROUP)

    def setup(h: Harness) -> None:
        h.sandbox.add_group(GROUP, "Consultants", forum=True, bot_rights=tuple(r for r in ADMIN_RIGHTS if r != "can_manage_topics"))

    async with running(settings, setup) as h:
        desk = await open_desk(h)
        migrant = await desk.migrant("ru")
        case_id = await desk.ask(migrant, "ru")
        assert not h.sandbox.topics(GROUP)
        texts = [m.text or "" for m in general(desk)]
        assert sum("Manage topics" in t or "Управление темами" in t or "⚠️" in t for t in texts) == 1
        await desk.aida.click("✋", desk.alert())
        await desk.aida.send("Здравствуйте")  # the private chat, as in a group without topics
        assert (migrant.last.text or "").endswith("Здравствуйте")
        second = await desk.ask(await desk.migrant("ky"), "ky")
        assert second != case_id
        assert sum("⚠️" in (m.text or "") and "№" not in (m.text or "") for m in general(desk)) == 1  # said once


async def test_find_reads_a_closed_case_and_lists_by_status(forum: Desk) -> None:
    app = forum.h.app
    assert app is not None
    migrant = await forum.migrant("ru")
    case_id = await forum.ask(migrant, "ru", describe="не платят зарплату")
    thread = topic_of(forum, case_id)
    await take(forum, forum.aida, case_id)
    await migrant.send("помогите")
    await forum.aida.send_in(GROUP, "Помогу", thread_id=thread)
    await forum.aida.send_in(GROUP, "/close", thread_id=thread)
    await forum.aida.click(in_topic(forum, thread)[-1].button_labels()[0], in_topic(forum, thread)[-1])
    await forum.bek.send(f"/find {case_id}")
    texts = [m.text or "" for m in forum.bek.messages[-3:]]
    assert any("не платят зарплату" in t for t in texts) and any("👤 помогите" in t and "💬 Помогу" in t for t in texts)
    await forum.bek.send("/find closed")
    assert f"№{case_id}" in (forum.bek.last.text or "")
    await forum.outsider.send(f"/find {case_id}")
    assert "не платят" not in (forum.outsider.last.text or "")


async def test_a_topic_deleted_by_hand_is_made_again_and_nothing_waiting_is_lost(forum: Desk) -> None:
    h, app = forum.h, forum.h.app
    assert app is not None
    migrant = await forum.migrant("tg")
    case_id = await forum.ask(migrant, "tg", describe="кор ҳаст, маош нест")
    old = topic_of(forum, case_id)
    await take(forum, forum.aida, case_id)
    await forum.aida.send_in(GROUP, "Салом", thread_id=old)
    h.sandbox.delete_topic({"chat_id": GROUP, "message_thread_id": old})  # an admin deletes the topic by mistake
    await migrant.send("ёрдам диҳед")
    new = topic_of(forum, case_id)
    assert new != old and h.sandbox.topic(GROUP, new)["name"].endswith("👤 Aida")
    said = [m.text or "" for m in in_topic(forum, new)]
    assert "кор ҳаст, маош нест" in said[0] and "Салом" in said[1]  # the summary, the conversation so far
    assert said[-1].endswith("ёрдам диҳед")  # then what the person sent: not lost
    await forum.aida.send_in(GROUP, "Ман шунидам", thread_id=new)
    assert (migrant.last.text or "").endswith("Ман шунидам")
    case = await app.cases.get(case_id)
    assert case is not None and case.topic == (GROUP, new)


# ---------------------------------------------------------------------- what a review found
async def test_a_person_who_ended_the_case_and_asks_again_gets_their_open_topic(forum: Desk) -> None:
    h, app = forum.h, forum.h.app
    assert app is not None
    person = await forum.migrant("ky")
    first = await forum.ask(person, "ky")
    thread = topic_of(forum, first)
    await take(forum, forum.aida, first)
    await person.send("/end")  # the topic stays open until the consultant records the outcome
    await person.click(person.last.button_labels()[0])
    second = await forum.ask(person, "ky")  # reopening an open topic: TOPIC_NOT_MODIFIED, as wanted
    assert topic_of(forum, second) == thread and f"№{second} " in h.sandbox.topic(GROUP, thread)["name"]
    third_person = await forum.migrant("ru")
    third = await forum.ask(third_person, "ru")  # the desk goes on for everyone
    assert topic_of(forum, third) != thread and f"№{third}" in (board(forum).text or "")


async def test_a_topic_that_cannot_be_deleted_never_holds_up_the_group(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, consultant_chat_id=GROUP)

    def setup(h: Harness) -> None:  # the bot may manage topics and pin, not delete messages
        h.sandbox.add_group(GROUP, "Consultants", forum=True, bot_rights=("can_manage_topics", "can_pin_messages"))

    async with running(settings, setup) as h:
        desk = await open_desk(h)
        leaving = await desk.migrant("ru")
        gone = await desk.ask(leaving, "ru")
        await leaving.send("/forget")
        await leaving.click("Да, удалить всё")
        assert not h.sandbox.topic(GROUP, topic_of(desk, gone))["deleted"]  # Telegram refused
        assert h.app is not None
        await h.app.outbox.run_due()  # the notice goes with the outbox's next turn
        told = h.t("⚠️ The bot could not delete the topic of case No. {number} (the person asked to delete their data, or "
                   "its retention ended). Give the bot the right \"Delete messages\", then delete the topic by hand.", "ru")
        assert any((m.text or "") == told.format(number=gone) for m in general(desk))
        next_person = await desk.migrant("ky")
        after = await desk.ask(next_person, "ky")
        await next_person.send("жардам бериңиз")
        await take(desk, desk.aida, after)
        assert any((m.text or "").endswith("жардам бериңиз") for m in in_topic(desk, topic_of(desk, after)))


async def test_a_topic_deleted_by_hand_then_closed_holds_nothing_up(forum: Desk) -> None:
    h = forum.h
    person = await forum.migrant("ru")
    case_id = await forum.ask(person, "ru")
    thread = topic_of(forum, case_id)
    await take(forum, forum.aida, case_id)
    h.sandbox.delete_topic({"chat_id": GROUP, "message_thread_id": thread})
    await forum.aida.send(f"/close {case_id}")  # from the private chat: the topic is gone
    await forum.aida.click(forum.aida.last.button_labels()[0])
    other = await forum.migrant("tg")
    later = await forum.ask(other, "tg")
    assert in_topic(forum, topic_of(forum, later))  # its alert went out: nothing held up


async def test_find_and_the_private_chat_keep_what_belongs_to_a_topic(forum: Desk) -> None:
    person = await forum.migrant("ru")
    case_id = await forum.ask(person, "ru", describe="хозяин не платит три месяца")
    await forum.bek.send(f"/find {case_id}")
    assert "не платит" not in (forum.bek.last.text or "") and f"{case_id}" in (forum.bek.last.text or "")  # not before a take
    await take(forum, forum.aida, case_id)
    count = len(person.messages)
    await forum.aida.send("это в личном чате")  # one topic case held: the private chat is not its room
    assert len(person.messages) == count
    assert forum.aida.last.text == forum.h.t(
        "Not sent: case No. {number} has its topic in the consultants' group. Write there: the team sees it.", "ru").format(number=case_id)


async def test_a_consultant_holding_a_topic_case_can_ask_for_help_themselves(forum: Desk) -> None:
    """What Aida types while asking for a consultant herself is her own request, not a message for the
    person whose case she holds (that one is talked about in its topic)."""
    app = forum.h.app
    assert app is not None
    migrant = await forum.migrant("ru")
    case_id = await forum.ask(migrant, "ru")
    await take(forum, forum.aida, case_id)
    t = lambda s: forum.h.t(s, "ru")
    await forum.aida.send("/consult")
    await forum.aida.click(t("✅ I agree, connect me"))
    await forum.aida.send("у меня самой забрали паспорт")
    assert t("In which language should the consultant write to you?") in (forum.aida.last.text or ""), forum.aida.screen()
    await forum.aida.click(LANGUAGE_NAMES["ru"])
    own = await app.cases.open_case_of(forum.aida.id)
    assert own is not None and own.id != case_id and own.description == "у меня самой забрали паспорт"
    assert not any("у меня самой" in (m.text or "") for m in forum.h.sandbox.bot_messages(migrant.id))
