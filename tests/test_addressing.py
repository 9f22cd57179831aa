"""A consultant's message reaches only the person whose case it was written for (issue 17, a group without
topics): by Reply to a message of the case, or the only case they hold; holding several, the bot asks and
nothing goes until the consultant chooses. Every message is confirmed with where it went."""

from __future__ import annotations

from bot.callbacks import AddressCb
from bot.sandbox.client import Person
from tests.conftest import LANGS, Desk

ASK = "You hold several cases. Which one is this message for? Nothing is sent until you choose."


def received(person: Person, text: str) -> int:
    return sum(1 for m in person.messages if (m.text or "").endswith(text))


async def _three_cases(desk: Desk) -> tuple[list[Person], list[int]]:
    people = [await desk.migrant(lang) for lang in LANGS[:3]]
    cases = []
    for person, lang in zip(people, LANGS, strict=False):
        cases.append(await desk.ask(person, lang))
        await desk.aida.click("✋", desk.alert())
    return people, cases


async def test_with_several_cases_an_unaddressed_message_waits_for_a_choice_and_goes_only_there(desk: Desk) -> None:
    people, cases = await _three_cases(desk)
    await desk.aida.send("Your employer must pay you")
    question = desk.aida.last
    assert question.text == desk.h.t(ASK, "ru")
    assert question.reply_to is not None and question.reply_to.text == "Your employer must pay you"
    assert [label.split()[0:2] for label in question.button_labels()] == [["→", f"№{c}"] for c in cases]
    assert all(received(p, "Your employer must pay you") == 0 for p in people)  # nothing guessed
    await desk.aida.click(f"→ №{cases[1]}", question)
    assert [received(p, "Your employer must pay you") for p in people] == [0, 1, 0]
    assert desk.aida.messages[-1].text == f"→ №{cases[1]}"  # the question now says where it went
    await desk.aida.click_data(AddressCb(case=cases[1]).pack(), question)  # a second tap sends nothing more
    assert [received(p, "Your employer must pay you") for p in people] == [0, 1, 0]


async def test_a_reply_goes_to_its_case_and_is_confirmed(desk: Desk) -> None:
    people, cases = await _three_cases(desk)
    summary = next(m for m in desk.aida.messages if (m.text or "").startswith(f"📂 Обращение №{cases[0]}"))
    await desk.aida.reply(summary, "Call 112 now")
    assert [received(p, "Call 112 now") for p in people] == [1, 0, 0]
    confirmation = desk.aida.last
    assert confirmation.text == f"→ №{cases[0]}" and confirmation.reply_to is not None
    assert confirmation.reply_to.text == "Call 112 now"


async def test_with_one_case_a_plain_message_goes_there_and_is_confirmed(desk: Desk) -> None:
    person = await desk.migrant("uz")
    case_id = await desk.ask(person, "uz")
    await desk.aida.click("✋", desk.alert())
    await desk.aida.send("Salom")
    assert received(person, "Salom") == 1
    assert desk.aida.last.text == f"→ №{case_id}"


async def test_a_choice_for_a_case_not_held_is_refused(desk: Desk) -> None:
    people, _cases = await _three_cases(desk)
    other = await desk.migrant("tg")
    other_case = await desk.ask(other, "tg")
    await desk.bek.click("✋", desk.alert())
    await desk.aida.send("private words")
    await desk.aida.click_data(AddressCb(case=other_case).pack(), desk.aida.last)  # forged: Bek holds it
    assert received(other, "private words") == 0 and all(received(p, "private words") == 0 for p in people)
    assert desk.h.app is not None
    assert any(r["action"] == "refused" and r["detail"] == "relay" for r in await desk.h.app.cases.audit_trail(other_case))


async def test_a_busy_day_routes_nothing_to_the_wrong_person(desk: Desk) -> None:
    """Two consultants, three cases each, replies by Reply, by choice and from the single-case consultant: 0 misrouted."""
    people: list[Person] = []
    cases: list[int] = []
    for number in range(6):
        person = await desk.migrant(LANGS[number % 4])
        people.append(person)
        cases.append(await desk.ask(person, LANGS[number % 4]))
        await (desk.aida if number < 3 else desk.bek).click("✋", desk.alert())
    sent: dict[int, list[str]] = {c: [] for c in cases}
    for round_ in range(3):
        for index, case_id in enumerate(cases):
            consultant = desk.aida if index < 3 else desk.bek
            text = f"round {round_} for {case_id}"
            if (round_ + index) % 2:
                summary = next(m for m in consultant.messages if (m.text or "").startswith(f"📂 Обращение №{case_id}"))
                await consultant.reply(summary, text)
            else:
                await consultant.send(text)
                await consultant.click(f"→ №{case_id}", consultant.last)
            sent[case_id].append(text)
    for person, case_id in zip(people, cases, strict=True):
        got = [(m.text or "").split("\n", 1)[-1] for m in person.messages if "round" in (m.text or "")]
        assert got == sent[case_id], (case_id, got)


async def test_the_person_sees_when_their_message_is_with_the_consultant(desk: Desk) -> None:
    person = await desk.migrant("tg")
    await desk.ask(person, "tg")
    await person.send("are you there?")
    mine = [m for m in desk.h.sandbox.chat_messages(person.id) if not m.from_bot]
    waiting = mine[-1]
    assert "reaction" not in waiting.extra  # nobody has it yet
    await desk.aida.click("✋", desk.alert())
    assert waiting.extra.get("reaction") == ["👀"]  # taken: it is with the consultant now
    await person.send("thank you")
    last = [m for m in desk.h.sandbox.chat_messages(person.id) if not m.from_bot][-1]
    assert last.text == "thank you" and last.extra.get("reaction") == ["👀"]


async def test_a_case_handed_over_comes_with_the_conversation_the_notes_and_why(desk: Desk) -> None:
    person = await desk.migrant("ky")
    case_id = await desk.ask(person, "ky")
    await desk.aida.click("✋", desk.alert())
    await person.send("паспортумду беришпейт")
    await desk.aida.send("Иш берүүчүнүн дареги кайда?")
    await person.send("Москва, Люблино")
    await desk.aida.send("/note the employer is known to us")
    await desk.aida.send(f"/transfer {case_id} she needs a Kyrgyz-speaking lawyer")
    await desk.bek.click("✋", desk.alert())
    texts = [m.text or "" for m in desk.bek.messages]
    summary = next(i for i, t in enumerate(texts) if t.startswith(f"📂 Обращение №{case_id}"))
    handed = texts[summary + 1]
    assert handed.startswith("🗂 Обращение передано.")
    assert handed.index("👤 паспортумду беришпейт") < handed.index("💬 Иш берүүчүнүн дареги кайда?") < handed.index("👤 Москва, Люблино")
    notes = texts[summary + 2:]
    assert any("the employer is known to us" in t for t in notes)
    assert any("she needs a Kyrgyz-speaking lawyer" in t for t in notes)  # why it was handed over
    await desk.bek.send("Салам, мен юристти табам")
    assert received(person, "Салам, мен юристти табам") == 1
