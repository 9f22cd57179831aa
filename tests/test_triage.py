"""Triage (issue 17, item 3): a person's own words that sound like danger make their case at least high
risk, the consultants see which sign raised it (never the words), and urgency orders the queue."""

from __future__ import annotations

import pytest

from bot.services.desk import ALARMING, EMERGENCY, Draft, triaged
from tests.conftest import Desk


def _hears(words: str) -> bool:
    return "beat" in words


@pytest.mark.parametrize(("kind", "level", "description", "expected", "signs"), [
    ("request", "unknown", None, "unknown", ()),
    ("request", "unknown", "they beat me", "high", (ALARMING,)),
    ("danger", "unknown", None, "high", (ALARMING,)),  # asked for help from a message that sounded like danger
    ("screening", "concern", "they beat me", "high", (ALARMING,)),
    ("screening", "emergency", "they beat me", "emergency", ()),  # never lowered; not "raised by" the words either
    ("screening", "high", "they beat me", "high", ()),  # the self-check said high risk already: nothing was raised
    ("request", "info", "when is my permit due", "info", ()),
])
def test_triage_table(kind: str, level: str, description: str | None, expected: str, signs: tuple[str, ...]) -> None:
    draft = triaged(Draft(user_id=1, kind=kind, level=level, language="ru", description=description),
                    lambda language, text: _hears(text))
    assert (draft.level, draft.signs) == (expected, signs)


async def test_a_description_of_danger_opens_high_and_the_alert_says_why_without_the_words(desk: Desk) -> None:
    app = desk.h.app
    assert app is not None
    migrant = await desk.migrant("ru")
    case_id = await desk.ask(migrant, "ru", describe="У меня забрали паспорт и избили")
    case = await app.cases.get(case_id)
    assert case is not None and (case.level, case.signs) == ("high", (ALARMING,))
    alert = desk.alert().text or ""
    assert "Уровень повышен, причина: в написанном человеком есть слова об опасности" in alert
    assert "паспорт" not in alert and "избили" not in alert


async def test_danger_written_while_waiting_raises_the_case_and_alerts_the_group_at_once(desk: Desk) -> None:
    app = desk.h.app
    assert app is not None
    calm, worried = await desk.migrant("ru"), await desk.migrant("ky")
    first = await desk.ask(calm, "ru")
    second = await desk.ask(worried, "ky")
    assert [c.id for c in await app.cases.waiting()] == [first, second]  # the same urgency: oldest first
    alerts = len(desk.group())
    await worried.send("у меня забрали паспорт")
    case = await app.cases.get(second)
    assert case is not None and case.level == "high"
    # at once, not in 10 minutes; changed on purpose (issue 17, item 4): the case's earlier alert is replaced,
    # not doubled, so the group still has one alert and one Take button per case
    assert len(desk.group()) == alerts and f"№{second}" in (desk.group()[-1].text or "")
    takes = [b["callback_data"] for m in desk.group() for row in m.buttons for b in row]
    assert sorted(takes) == sorted({f"take:{first}", f"take:{second}"})
    assert [c.id for c in await app.cases.waiting()] == [second, first]  # the more urgent first
    assert any(r["action"] == "level_raised" for r in await app.cases.audit_trail(second))
    last = desk.group()[-1].message_id
    await worried.send("у меня забрали паспорт")  # already high: no second alert
    assert len(desk.group()) == alerts and desk.group()[-1].message_id == last


async def test_cases_lists_the_waiting_ones_most_urgent_first_with_their_wait(desk: Desk) -> None:
    calm, worried = await desk.migrant("ru"), await desk.migrant("ky")
    first = await desk.ask(calm, "ru")
    desk.h.advance(minutes=20)
    second = await desk.ask(worried, "ky", describe="меня избили")
    await desk.aida.send("/cases")
    listing = desk.aida.last.text or ""
    assert listing.index(f"№{second} 🟠") < listing.index(f"№{first} ⚪"), listing
    assert "Ожидание: 20 мин" in listing and "Ожидание: 0 мин" in listing


async def test_waiting_cases_keep_one_alert_each_however_long_they_wait(desk: Desk) -> None:
    app = desk.h.app
    assert app is not None
    people = [await desk.migrant(lang) for lang in ("ru", "ky", "tg")]
    cases = [await desk.ask(person, person.user.language_code or "ru") for person in people]
    for _ in range(9):  # 45 minutes, a tick every 5
        desk.h.advance(minutes=5)
        await app.desk.tick()
        for _ in range(3):  # what the group's pace held back goes with the outbox job
            desk.h.advance(seconds=61)
            await app.outbox.run_due()
    visible = [m for m in desk.group() if m.buttons]
    assert sorted(int(m.buttons[0][0]["callback_data"].split(":")[1]) for m in visible) == cases  # one Take each
    frozen = desk.h.t("Waiting: {minutes} min", "ru").format(minutes=0)
    assert all(frozen not in (m.text or "") for m in visible)  # no alert left saying it has just come


async def test_a_person_back_after_a_close_gets_a_new_case_linked_to_the_old(desk: Desk) -> None:
    app = desk.h.app
    assert app is not None
    person = await desk.migrant("ru")
    first = await desk.ask(person, "ru")
    await desk.aida.click("✋", desk.alert())
    await desk.aida.send(f"/close {first}")
    await desk.aida.click(desk.aida.last.button_labels()[0])
    second = await desk.ask(person, "ru")
    assert second != first
    assert f"Прежние обращения этого человека: №{first}" in (desk.alert().text or "")
    await person.send("/forget")
    await person.click("Да, удалить всё")
    for case_id in (first, second):
        case = await app.cases.get(case_id)
        assert case is not None and case.earlier == ()  # the link goes with the person


@pytest.mark.parametrize(("description", "expected", "signs"), [
    ("they locked me in", "emergency", (EMERGENCY,)),
    ("they beat me", "high", (ALARMING,)),
    ("when is my permit due", "unknown", ()),
])
def test_emergency_words_open_an_emergency(description: str, expected: str, signs: tuple[str, ...]) -> None:
    draft = triaged(Draft(user_id=1, kind="request", level="unknown", language="ru", description=description),
                    lambda language, text: _hears(text) or "locked" in text, lambda language, text: "locked" in text)
    assert (draft.level, draft.signs) == (expected, signs)


@pytest.mark.parametrize(("lang", "words"), [
    ("ru", "меня заперли и не выпускают"),
    ("ky", "бизди камап салышты"),
    ("tg", "маро қулф карданд"),
    ("uz", "bizni qamab qoʻyishdi"),
])
async def test_words_of_danger_to_life_open_an_emergency_first_in_the_queue(desk: Desk, lang: str, words: str) -> None:
    app = desk.h.app
    assert app is not None
    calm = await desk.migrant("ru")
    first = await desk.ask(calm, "ru", describe="Хочу узнать про патент")
    person = await desk.migrant(lang)
    second = await desk.ask(person, lang, describe=words)
    case = await app.cases.get(second)
    assert case is not None and (case.level, case.signs) == ("emergency", (EMERGENCY,))
    waiting = [c.id for c in await app.cases.waiting()]
    assert waiting.index(second) < waiting.index(first)
    assert "🔴" in (desk.alert().text or "")


async def test_an_emergency_heard_while_waiting_raises_the_case_and_alerts_at_once(desk: Desk) -> None:
    app = desk.h.app
    assert app is not None
    person = await desk.migrant("ru")
    case_id = await desk.ask(person, "ru")
    before = len(desk.group())
    await person.send("меня держат силой, помогите")
    case = await app.cases.get(case_id)
    assert case is not None and case.level == "emergency" and EMERGENCY in case.signs
    assert len(desk.group()) == before  # the old alert replaced by one saying it is an emergency
    assert "🔴" in (desk.alert().text or "")
