"""Safety check-ins through the Dispatcher and the sandbox: set up in every language, "I'm OK", asked once
more, a case opened only with the consent and with only what was shared, consent withdrawn, pause and
stop, a blocked bot, /forget; a check-in missed while the bot was down (a restart, or a gap in its ticks)
is asked again, never raised; and `run` as a separate process asks and takes the answer."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.callbacks import CheckinAction, CheckinCb
from bot.i18n import po_path, read_catalog
from bot.sandbox.client import Person
from bot.sandbox.core import Sandbox
from bot.services.stats import Period
from tests.conftest import GROUP, LANGS, ROOT, Desk, Harness, engines, make_settings, running, until
from tests.test_e2e import live_speaker, serving

MOSCOW = "Europe/Moscow"
QUESTION = "🛡 Check-in. Is everything all right? Tap the button."
AGAIN = "🛡 Check-in, second time. Is everything all right? Tap the button."
OK = "✅ I'm OK"
ANSWERED_IN_CASE = '🛡 Case No. {number}: the person has answered the check-in: "I\'m OK".'
OK_DATA = CheckinCb(a=CheckinAction.OK).pack()


def zone_data(zone: str) -> str:
    return CheckinCb(a=CheckinAction.ZONE, v=zone).pack()


async def set_up(h: Harness, person: Person, lang: str, *, consent: bool, workplace: str | None = None, at: str = "08:00") -> None:
    """From the menu: every day at `at`, Moscow time; with the consent, the country shared (its default) and the workplace typed."""
    t = lambda s: h.t(s, lang)
    await person.send("/menu")
    await person.click(t("🛡 Check on me"))
    assert t("If you do not answer, the bot asks once more.") in person.last.text, person.screen()
    await person.click(t("▶️ Set up check-ins"))
    await person.click(str(h.t("every day", lang)).capitalize())
    if at in ("08:00", "10:00", "12:00", "18:00", "20:00", "22:00"):
        await person.click(at)
    else:
        await person.send(at)
    assert t("🕒 What time is it where you are now?") in person.last.text, person.screen()
    await person.click_data(zone_data(MOSCOW))
    if not consent:
        await person.click(t("❌ No, only ask me"))
    else:
        await person.click(t("✅ Yes, tell a consultant"))
        if workplace is not None:
            await person.click(t("Where I work (I will type it)"))
            await person.send(workplace)
        await person.click(t("➡️ Next"))
    await person.click(t("✅ Start check-ins"))
    assert t("✅ Check-ins are on.") in person.last.text, person.screen()


ASKED: dict[int, dict[tuple[int, int], str]] = {}  # per harness: the questions sent, as first sent (an answer edits them)


def _note_questions(h: Harness) -> None:
    asked = ASKED.setdefault(id(h), {})
    for (chat_id, message_id), message in h.sandbox.messages.items():
        fresh = message.from_bot and message.text and (chat_id, message_id) not in asked
        if fresh and any(b.get("callback_data") == OK_DATA for row in message.buttons for b in row):
            asked[(chat_id, message_id)] = message.text or ""


async def tick_until(h: Harness, moment: datetime, step: float = 60) -> None:
    """The bot running until `moment`: its job ticking every `step` seconds."""
    assert h.app is not None
    while h.now() < moment:
        h.advance(seconds=step)
        await h.app.checkin_sender.tick()
        _note_questions(h)


def questions(h: Harness, person: Person, lang: str) -> list[str]:
    """The check-in questions the person got, in order, as they were sent."""
    asked = ASKED.get(id(h), {})
    return [text for (chat_id, _message), text in sorted(asked.items()) if chat_id == person.id]


def at_moscow(h: Harness, hour: int, minute: int = 0, days: int = 0) -> datetime:
    local = h.now().astimezone(MOSCOW_ZONE).date() + timedelta(days=days)
    return datetime(local.year, local.month, local.day, hour, minute, tzinfo=MOSCOW_ZONE).astimezone(UTC)


MOSCOW_ZONE = __import__("zoneinfo").ZoneInfo(MOSCOW)


def next_eight(h: Harness) -> datetime:
    """The first check-in of a person who set 08:00 Moscow time now: today's, or tomorrow's if it has passed."""
    return at_moscow(h, 8) if h.now() < at_moscow(h, 8) else at_moscow(h, 8, days=1)


@pytest.mark.parametrize("lang", LANGS)
async def test_set_up_asked_at_the_time_and_ok_answers_in_every_language(desk: Desk, lang: str) -> None:
    h = desk.h
    person = await desk.migrant(lang)
    await set_up(h, person, lang, consent=True, workplace="Стройка, Казань")
    home = person.last.text
    assert h.t("If you miss two check-ins in a row, a consultant is told and sees:", lang) in home
    assert "Стройка, Казань" in home and "UTC+3" in home
    assert not questions(h, person, lang)
    await tick_until(h, next_eight(h) + timedelta(minutes=1))
    assert questions(h, person, lang) == [h.t(QUESTION, lang)]
    await person.click(h.t(OK, lang))
    assert h.t("✅ Thank you. Glad you are OK.", lang) in person.last.text, person.screen()
    assert h.t("Next check-in: {when}.", lang).split("{when}")[0] in person.last.text
    await tick_until(h, h.now() + timedelta(hours=5))  # answered: not asked again
    assert len(questions(h, person, lang)) == 1
    assert not [m for m in desk.group() if m.buttons]  # nobody told


async def test_missed_twice_opens_a_case_with_only_what_was_shared_then_ok_tells_the_consultants(desk: Desk) -> None:
    h = desk.h
    assert h.app is not None
    person = await desk.migrant("ky", citizenship="KG", destination="RU")
    await set_up(h, person, "ky", consent=True, workplace="Kazan, Stroy-Invest, 3rd site")
    first = next_eight(h)
    await tick_until(h, first + timedelta(minutes=1))
    await tick_until(h, first + timedelta(hours=2, minutes=1))
    assert questions(h, person, "ky") == [h.t(QUESTION, "ky"), h.t(AGAIN, "ky")]
    assert await h.app.cases.open_case_of(person.id) is None  # asked twice: not yet
    await tick_until(h, first + timedelta(hours=4, minutes=1))
    case = await h.app.cases.open_case_of(person.id)
    assert case is not None and case.kind == "checkin" and case.level == "high"
    assert case.destination == "RU" and case.citizenship is None and case.language == "ky"  # citizenship was not shared
    alert = desk.alert().text
    assert "Kazan, Stroy-Invest, 3rd site" in alert and "Кыргызстан" not in alert and "Kyrgyzstan" not in alert
    await tick_until(h, first + timedelta(hours=8))
    assert len([m for m in desk.group() if m.buttons]) == 1  # one case, raised once
    await person.click(h.t(OK, "ky"))
    assert h.t("The consultants were told that you answered.", "ky") in person.last.text
    told = h.t(ANSWERED_IN_CASE, "ru").format(number=case.id)
    assert any(m.text == told for m in desk.group()), [m.text for m in desk.group()]
    # the admins' figures: one set up, one raised, one answered (counts only)
    report = await h.app.dp["stats"].report(Period(first.date() - timedelta(days=2), h.now().date()))
    assert (report.get("checkin", "on"), report.get("checkin", "raised"), report.get("checkin", "ok")) == (1, 1, 1)


async def test_without_consent_or_after_withdrawing_it_a_miss_opens_no_case(desk: Desk) -> None:
    h = desk.h
    assert h.app is not None
    never = await desk.migrant("tg", citizenship="TJ", destination="RU")
    await set_up(h, never, "tg", consent=False)
    assert h.t("If you miss check-ins, nobody is told: the bot only asks.", "tg") in never.last.text
    withdrawn = await desk.migrant("uz", citizenship="UZ", destination="RU")
    await set_up(h, withdrawn, "uz", consent=True)
    first = next_eight(h)
    await tick_until(h, first + timedelta(minutes=1))
    await withdrawn.send("/checkin")
    await withdrawn.click(h.t("🚫 Do not tell consultants", "uz"))
    assert h.t("🚫 Done: if you miss check-ins, nobody is told.", "uz") in withdrawn.last.text
    await tick_until(h, first + timedelta(hours=6))
    for person, lang in ((never, "tg"), (withdrawn, "uz")):
        assert questions(h, person, lang) == [h.t(QUESTION, lang), h.t(AGAIN, lang)]
        assert await h.app.cases.open_case_of(person.id) is None
    assert not [m for m in desk.group() if m.buttons]
    await tick_until(h, first + timedelta(days=1, minutes=1))  # the next day: asked again, as set
    assert len(questions(h, never, "tg")) == 3


async def test_a_miss_while_the_bot_was_down_is_asked_again_never_raised(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, consultant_chat_id=GROUP)
    async with running(settings, lambda h: h.sandbox.add_group(GROUP, "Consultants")) as h:
        assert h.app is not None
        person = await h.speaker("ru")
        await h.app.users.set_destination(person.id, "RU")
        await set_up(h, person, "ru", consent=True)
        first = next_eight(h)
        await tick_until(h, first + timedelta(hours=2, minutes=1))
        assert len(questions(h, person, "ru")) == 2
        # the bot stops for three hours: the second question's waiting time passes while it is down
        await h.restart()
        h.advance(hours=3)
        await tick_until(h, h.now() + timedelta(minutes=1))
        assert questions(h, person, "ru") == [h.t(QUESTION, "ru"), h.t(AGAIN, "ru"), h.t(AGAIN, "ru")]
        assert await h.app.cases.open_case_of(person.id) is None
        # the same when the process ran but its job did not tick (the machine slept)
        h.advance(hours=3)
        await tick_until(h, h.now() + timedelta(minutes=1))
        assert len(questions(h, person, "ru")) == 4
        assert await h.app.cases.open_case_of(person.id) is None
        # running all along this time: the miss is raised
        await tick_until(h, h.now() + timedelta(hours=2, minutes=1))
        case = await h.app.cases.open_case_of(person.id)
        assert case is not None and case.kind == "checkin"
        assert case.citizenship is None and case.destination == "RU"


async def test_pause_resume_stop_blocked_and_forget(desk: Desk) -> None:
    h = desk.h
    assert h.app is not None
    person = await desk.migrant("ru")
    await set_up(h, person, "ru", consent=True, workplace="Склад №5", at="7:30")
    assert "07:30" in person.last.text
    await person.click(h.t("⏸ Pause", "ru"))
    assert h.t("⏸ Paused: the bot does not ask now.", "ru") in person.last.text
    await tick_until(h, h.now() + timedelta(days=2), step=600)
    assert not questions(h, person, "ru")
    await person.click(h.t("▶️ Resume", "ru"))
    resumed = await h.app.dp["checkins"].get(person.id)
    await tick_until(h, resumed.next_at + timedelta(minutes=1))
    assert questions(h, person, "ru") == [h.t(QUESTION, "ru")]  # resumed: asked at its time
    await person.click(h.t(OK, "ru"))
    await tick_until(h, h.now() + timedelta(hours=5))
    assert await h.app.cases.open_case_of(person.id) is None  # answered, even late: nothing raised
    # blocked: the question cannot reach them; the check-ins pause, nobody is told
    await person.block()
    await tick_until(h, h.now() + timedelta(days=1, hours=5))
    checkin = await h.app.dp["checkins"].get(person.id)
    assert checkin is not None and not checkin.active
    assert await h.app.cases.open_case_of(person.id) is None
    await person.unblock()
    await person.send("/checkin")
    await person.click(h.t("🛑 Stop check-ins", "ru"))
    await person.click(h.t("🛑 Yes, stop", "ru"))
    assert h.t("🛑 Check-ins stopped. Your setting is deleted.", "ru") in person.last.text
    assert await h.app.dp["checkins"].get(person.id) is None
    await set_up(h, person, "ru", consent=True, workplace="Склад №5")
    await person.send("/forget")
    await person.click(h.t("Yes, delete everything", "ru"))
    assert await h.app.dp["checkins"].get(person.id) is None


async def test_bad_input_gets_an_answer_and_old_buttons_are_safe(desk: Desk) -> None:
    h = desk.h
    person = await desk.migrant("tg")
    await person.send("/checkin")
    await person.click(h.t("▶️ Set up check-ins", "tg"))
    await person.click(str(h.t("every 3 days", "tg")).capitalize())
    await person.send("25:99")
    assert h.t("⚠️ I did not understand the time. Type it like 19:30, or choose a button.", "tg") in person.last.text
    await person.click_data(zone_data("Mars/Olympus"))  # a forged zone: back to a step that can go on
    assert h.t("🕒 At what time? Choose, or type it, like 19:30.", "tg") in person.last.text
    await person.click_data(CheckinCb(a=CheckinAction.OK).pack())  # "I'm OK" with no check-ins set
    assert h.t("▶️ Set up check-ins", "tg") in " ".join(person.last.button_labels())
    await person.click_data(CheckinCb(a=CheckinAction.CONFIRM, v="y").pack())  # nothing chosen: from the start
    assert h.t("🛡 How often should the bot check on you?", "tg") in person.last.text


async def test_uzbek_in_cyrillic_gets_the_question_in_cyrillic(desk: Desk) -> None:
    h = desk.h
    assert h.app is not None
    person = h.person("uz")
    await person.send("/start")
    await person.click("Ўзбекча")
    await h.app.users.set_destination(person.id, "RU")
    await person.send("/checkin")
    assert "Текшир" in person.last.text or "текшир" in person.last.text or any("\u0400" <= c <= "\u04ff" for c in person.last.text)
    await h.app.dp["checkins"].start(person.id, 1, "08:00", MOSCOW, escalate=False)
    await tick_until(h, h.now() + timedelta(days=1, minutes=1))
    asked = h.sandbox.bot_messages(person.id)[-1]
    assert asked.text.startswith("🛡") and not any("a" <= c <= "z" for c in asked.text.lower()), asked.text


@pytest.mark.slow(20)
async def test_check_in_in_a_running_bot(tmp_path: Path) -> None:
    """`run` as a process: set up by buttons, the question comes from its job once due, "I'm OK" answers."""
    sandbox = Sandbox()
    database = tmp_path / "bot.sqlite3"
    kyrgyz = read_catalog(po_path(ROOT / "locales", "ky"), "ky")
    t = lambda s: kyrgyz[s].string or s
    async with serving(database, sandbox) as bot:
        person = await live_speaker(sandbox, 9_810_001, "ky", "Check")
        await person.send("/checkin")
        await person.click(t("▶️ Set up check-ins"))
        await person.click(t("every day").capitalize())
        await person.click("22:00")
        await person.click_data(zone_data("Asia/Bishkek"))
        await person.click(t("✅ Start check-ins"))
        assert t("✅ Check-ins are on.") in person.last.text, person.screen()
        due = (datetime.now(UTC) - timedelta(seconds=1)).isoformat()
        with contextlib.closing(sqlite3.connect(database, timeout=5)) as db:  # its time has come
            db.execute("UPDATE checkins SET next_at = ? WHERE user_id = ?", (due, person.id))
            db.commit()
        await until(lambda: any(m.text == t(QUESTION) for m in sandbox.bot_messages(person.id)), "ask the check-in", timeout=45)
        await person.click(t(OK))
        await until(lambda: t("✅ Thank you. Glad you are OK.") in person.last.text, "take the answer")
        code, output = await bot.stop()
    assert code == 0 and "Traceback" not in output, output[-2000:]
    await asyncio.sleep(0)


@pytest.mark.parametrize("engine", engines(), indirect=True)
async def test_asked_again_then_raised_on_every_engine(tmp_path: Path, engine: str) -> None:
    """The job's conditional steps (asked, again, raised; an answer meanwhile wins) on SQLite and PostgreSQL (with Redis)."""
    settings = make_settings(tmp_path, consultant_chat_id=GROUP)
    async with running(settings, lambda h: h.sandbox.add_group(GROUP, "Consultants")) as h:
        assert h.app is not None
        person = await h.speaker("ky")
        await h.app.users.set_destination(person.id, "RU")
        await set_up(h, person, "ky", consent=True, workplace="Новосибирск, склад")
        first = next_eight(h)
        await tick_until(h, first + timedelta(hours=4, minutes=1))
        case = await h.app.cases.open_case_of(person.id)
        assert case is not None and case.kind == "checkin" and case.subject is not None
        assert case.subject["checkin"]["workplace"] == "Новосибирск, склад"
        checkin = await h.app.dp["checkins"].get(person.id)
        assert checkin is not None and checkin.stage == "raised" and checkin.case_id == case.id
        stale = checkin
        await person.click(h.t(OK, "ky"))
        assert not await h.app.dp["checkins"].repo.step(stale, stale)  # the job's step after the answer changes nothing
        fresh = await h.app.dp["checkins"].get(person.id)
        assert fresh is not None and fresh.stage == "idle"


async def test_a_miss_with_a_case_open_is_told_in_that_case(desk: Desk) -> None:
    h = desk.h
    assert h.app is not None
    person = await desk.migrant("uz")
    case_id = await desk.ask(person, "uz")
    await h.app.dp["checkins"].start(person.id, 1, "08:00", MOSCOW, escalate=True, share=("place",))
    checkin = await h.app.dp["checkins"].get(person.id)
    assert checkin is not None
    await tick_until(h, checkin.next_at + timedelta(hours=4, minutes=1))
    told = h.t("🛡 Case No. {number}: the person has not answered two check-ins in a row.", "ru").format(number=case_id)
    assert any(m.text == told for m in desk.group()), [m.text for m in desk.group()]
    case = await h.app.cases.open_case_of(person.id)
    assert case is not None and case.id == case_id  # no second case
    after = await h.app.dp["checkins"].get(person.id)
    assert after is not None and after.stage == "raised" and after.case_id == case_id


def test_the_time_zone_choices_are_told_apart_by_the_time_they_show() -> None:
    """The zone is chosen by "what time is it where you are now?": two choices showing the same time would be a guess."""
    from zoneinfo import ZoneInfo

    from bot.services.checkins import ZONES, first_after, parse_time, zones_for

    for moment in (datetime(2026, 1, 15, 12, tzinfo=UTC), datetime(2026, 7, 15, 12, tzinfo=UTC)):  # winter and summer
        for country in (*ZONES, None, "XX"):
            offsets = [moment.astimezone(ZoneInfo(name)).utcoffset() for name in zones_for(country)]
            assert len(offsets) == len(set(offsets)), (country, zones_for(country))
    assert [parse_time(t) for t in ("19:30", "7.05", "7 05", "24:00", "19:3", "abc")] == ["19:30", "07:05", "07:05", None, None, None]
    # a time skipped by a clock change still comes (an hour later), never never
    assert first_after(datetime(2026, 3, 29, 0, tzinfo=UTC), "02:30", ZoneInfo("Europe/Berlin")) == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
