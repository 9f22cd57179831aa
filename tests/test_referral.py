"""Referral across borders through the Dispatcher and the sandbox: a consultant in Bishkek refers a case
to the partner team in Moscow; the person is shown what would be shared and agrees (in each language),
or does not; the partner's group gets the case and, on taking it, its history; the Bishkek side sees
each status; the audit log says who proposed, who agreed, where it went, who read the history. Failure
cases: the partner unreachable (before asking, and at the person's yes), the case changed meanwhile, a
team that is not a partner, someone who is not a consultant; /forget takes the old topic too."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.callbacks import CloseCb, ReferCb, ReferPickCb, TakeCb
from bot.i18n import LANGUAGE_NAMES
from bot.sandbox.client import Person
from bot.services.teams import TeamsError, load_teams
from tests.conftest import LANGS, Harness, engines, make_settings, running

BISHKEK = -1001000000001
MOSCOW = -1001000000002
TEAMS = f"""teams:
  - id: bishkek
    chat_id: {BISHKEK}
    name: Bishkek desk
    country: KG
    partners: [moscow]
  - id: moscow
    chat_id: {MOSCOW}
    name: Moscow partner
    country: RU
    partners: [bishkek]
    referrals_only: true
"""


def said(text: str | None, template: str, **known: object) -> bool:
    """Whether `text` is `template` (a translated one) with these placeholders filled and any others filled somehow."""
    for key, value in known.items():
        template = template.replace("{" + key + "}", str(value))
    position = 0
    for part in (p for p in re.split(r"\{[a-z]+\}", template) if p.strip()):
        found = (text or "").find(part, position)
        if found < 0:
            return False
        position = found + len(part)
    return True


@dataclass
class Two:
    h: Harness
    aida: Person  # Bishkek
    olga: Person  # Moscow

    def t(self, msgid: str, lang: str = "ru") -> str:
        return self.h.t(msgid, lang)

    def group(self, chat_id: int, thread: int | None = -1) -> list[str]:
        messages = self.h.sandbox.bot_messages(chat_id)
        return [m.text or "" for m in messages if thread == -1 or m.thread_id == thread]

    async def case(self, lang: str, *, forum: bool = False) -> tuple[Person, int]:
        """A migrant asks for a consultant; Aida takes the case and they talk."""
        person = await self.h.speaker(lang)
        assert self.h.app is not None
        await self.h.app.users.set_citizenship(person.id, "KG")
        await self.h.app.users.set_destination(person.id, "RU")
        await person.send("/menu")
        await person.click(self.t("💬 Talk to a consultant", lang))
        await person.click(self.t("✅ I agree, connect me", lang))
        await person.send("Работодатель в Москве забрал паспорт")
        await person.click(LANGUAGE_NAMES[lang])
        case = await self.h.app.cases.open_case_of(person.id)
        assert case is not None
        alert = next(m for m in reversed(self.h.sandbox.bot_messages(BISHKEK)) if m.buttons)
        await self.aida.click_data(TakeCb(case=case.id).pack(), alert)
        if forum:
            thread = (await self.h.app.cases.get(case.id)).topic_id  # type: ignore[union-attr]
            await self.aida.send_in(BISHKEK, "Здравствуйте, чем помочь?", thread_id=thread)
        else:
            await self.aida.send("Здравствуйте, чем помочь?")
        await person.send("Я в Москве, паспорт у хозяина")
        return person, case.id


def groups(forum: bool) -> object:
    def setup(h: Harness) -> None:
        h.sandbox.add_group(BISHKEK, "Bishkek", forum=forum)
        h.sandbox.add_group(MOSCOW, "Moscow", forum=forum)
    return setup


async def _two(tmp_path: Path, forum: bool = False) -> AsyncIterator[Two]:
    teams = tmp_path / "teams.yaml"
    teams.write_text(TEAMS, encoding="utf-8")
    async with running(make_settings(tmp_path, teams_file=teams, ngo_name="Safe Road"), groups(forum)) as h:  # type: ignore[arg-type]
        aida, olga = h.person("ru", "Aida"), h.person("ru", "Olga")
        h.sandbox.groups[BISHKEK]["members"].add(aida.id)
        h.sandbox.groups[MOSCOW]["members"].add(olga.id)
        for consultant in (aida, olga):
            await consultant.send("/start")
        yield Two(h, aida, olga)


@pytest.fixture
async def two(tmp_path: Path) -> AsyncIterator[Two]:
    async for value in _two(tmp_path):
        yield value


@pytest.fixture
async def two_forums(tmp_path: Path) -> AsyncIterator[Two]:
    async for value in _two(tmp_path, forum=True):
        yield value


async def audit_actions(two: Two, case_id: int) -> list[tuple[object, object]]:
    assert two.h.app is not None
    return [(row["action"], row["actor_id"]) for row in await two.h.app.cases.audit_trail(case_id)]


@pytest.mark.parametrize("lang", LANGS)
async def test_referred_with_consent_the_partner_gets_it_with_its_history_and_both_see_the_status(two: Two, lang: str) -> None:
    h, aida, olga = two.h, two.aida, two.olga
    assert h.app is not None
    person, case_id = await two.case(lang)
    await aida.send("/refer")
    assert two.t("↪️ Refer case No. {number} to a partner team. The person is asked first, and shown what is shared.").format(
        number=case_id) in aida.last.text
    await aida.click("Moscow partner")
    assert "Moscow partner" in aida.last.text and str(case_id) in aida.last.text
    ask = person.last
    assert two.t("If you agree, they will see:", lang) in ask.text, person.screen()
    assert two.t("• your conversation with the consultant (messages: {count})", lang).format(count=2) in ask.text
    assert not h.sandbox.bot_messages(MOSCOW), "nothing reaches the partner before the person agrees"
    await person.click(two.t("✅ Yes, pass it on", lang))
    assert said(person.last.text, two.t("✅ Your case was passed to {team}. A consultant there will write to you here.", lang))
    moved = await h.app.cases.get(case_id)
    assert moved is not None and (moved.team, moved.status, moved.referred_from) == ("moscow", "new", "bishkek")
    alert = next(m for m in h.sandbox.bot_messages(MOSCOW) if m.buttons)
    assert "bishkek" in alert.text and "паспорт" not in alert.text  # the words wait for whoever takes it
    sent = two.t("↪️ Case No. {number} was referred to {team} with the person's consent. Its status will show here.")
    assert any(said(m.text, sent, number=case_id) for m in h.sandbox.bot_messages(aida.id))
    # Aida no longer holds it: what she writes does not reach the person
    seen = len(person.messages)
    await aida.send("это уже не дойдёт")
    assert len(person.messages) == seen
    await olga.click_data(TakeCb(case=case_id).pack(), alert)
    olga_saw = "\n".join(m.text or "" for m in h.sandbox.bot_messages(olga.id))
    assert two.t("↪️ Referred by the partner team {team}, with the person's consent").format(team="bishkek") in olga_saw
    assert "Здравствуйте, чем помочь?" in olga_saw and "Я в Москве, паспорт у хозяина" in olga_saw  # the history
    assert said(aida.last.text, two.t("↪️ Case No. {number} at {team}: taken by a consultant there."), number=case_id)
    await olga.send("Я из Москвы, помогу")
    assert "Я из Москвы, помогу" in person.last.text
    await person.send("Спасибо")
    assert "Спасибо" in olga.last.text
    await olga.click_data(CloseCb(case=case_id, outcome="shelter").pack(), olga.last)
    assert said(aida.last.text, two.t("↪️ Case No. {number} at {team}: closed ({outcome})."), number=case_id)
    actions = await audit_actions(two, case_id)
    for expected in (("refer_asked", aida.id), ("refer_consent", person.id), ("referred", aida.id), ("history_read", olga.id)):
        assert expected in actions, actions


async def test_no_consent_keeps_the_case_where_it_is(two: Two) -> None:
    h, aida = two.h, two.aida
    assert h.app is not None
    person, case_id = await two.case("ky")
    await aida.send("/refer moscow ей нужен приют в Москве")
    consent = person.last.text
    assert "ей нужен приют в Москве" in consent  # the reason is shown to the person first
    await person.click(two.t("❌ No, stay with my consultant", "ky"))
    assert two.t("OK. Your case stays with your consultant.", "ky") in person.last.text
    assert said(aida.last.text, two.t("↪️ Case No. {number}: the person did not agree to the referral to {team}. The case stays with you."),
                number=case_id)
    case = await h.app.cases.get(case_id)
    assert case is not None and (case.team, case.status, case.consultant_id) == ("bishkek", "taken", aida.id)
    assert not h.sandbox.bot_messages(MOSCOW)
    await person.send("Хорошо, остаюсь")
    assert "Хорошо, остаюсь" in aida.last.text
    old = person.messages[-3]
    await person.click_data(ReferCb(id=1, yes=True).pack(), old)  # an old Yes after the No
    assert two.t("This question is no longer valid: your case has changed since.", "ky") in (h.sandbox.messages[(person.id, old.message_id)].text or "")
    assert not h.sandbox.bot_messages(MOSCOW)
    assert ("refer_refused", person.id) in await audit_actions(two, case_id)


async def test_partner_unreachable_before_asking_and_at_the_yes(two: Two) -> None:
    h, aida = two.h, two.aida
    assert h.app is not None
    h.expect_errors = False
    person, case_id = await two.case("tg")
    h.sandbox.remove_bot_from_group(MOSCOW)
    before = len(person.messages)
    await aida.send("/refer moscow")
    assert said(aida.last.text, two.t("⚠️ The partner team {team} cannot be reached now (the bot is not in its group, or Telegram refuses). "
                          "Case No. {number} stays with you."), number=case_id)
    assert len(person.messages) == before  # the person was not asked for nothing
    h.sandbox.remove_bot_from_group(MOSCOW, removed=False)
    await aida.send("/refer moscow")
    h.sandbox.remove_bot_from_group(MOSCOW)  # gone again before the person answers
    await person.click(two.t("✅ Yes, pass it on", "tg"))
    assert two.t("⚠️ The partner organisation cannot be reached now. Your case stays with your consultant.", "tg") in person.last.text
    assert said(aida.last.text, two.t("⚠️ The partner team {team} cannot be reached now (the bot is not in its group, or Telegram refuses). "
                          "Case No. {number} stays with you."), number=case_id)
    case = await h.app.cases.get(case_id)
    assert case is not None and (case.team, case.consultant_id) == ("bishkek", aida.id)
    assert ("refer_failed", None) in await audit_actions(two, case_id)


async def test_refused_to_others_and_stale_answers(two: Two) -> None:
    h, aida, olga = two.h, two.aida, two.olga
    assert h.app is not None
    person, case_id = await two.case("uz")
    asked_before = len(person.messages)
    await olga.send(f"/refer {case_id} bishkek")  # not hers
    assert ("refused", olga.id) in await audit_actions(two, case_id)
    await aida.send("/refer nowhere")
    assert two.t("Not a partner team of this one. Partner teams: {teams}").format(teams="moscow") in aida.last.text
    await person.click_data(ReferPickCb(case=case_id, team="moscow").pack(), person.last)  # a person forging a consultant's button
    assert ("refused", person.id) in await audit_actions(two, case_id)
    assert len(person.messages) == asked_before and "refer_asked" not in {a for a, _ in await audit_actions(two, case_id)}
    await aida.send("/refer moscow")
    await aida.send("/refer moscow")
    assert two.t("The person is already being asked about a referral of case No. {number}.").format(number=case_id) in aida.last.text
    await aida.send(f"/close {case_id}")
    await aida.click_data(CloseCb(case=case_id, outcome="info").pack(), aida.last)
    ask = next(m for m in reversed(person.messages) if any(b.get("callback_data", "").startswith("ref:") for row in m.buttons for b in row))
    await person.click(two.t("✅ Yes, pass it on", "uz"), ask)
    assert two.t("This question is no longer valid: your case has changed since.", "uz") in (h.sandbox.messages[(person.id, ask.message_id)].text or "")
    assert not h.sandbox.bot_messages(MOSCOW)


async def refer_in_forums(two: Two, lang: str, command: str) -> tuple[Person, int, int, int]:
    """A case talked about in its Bishkek topic, referred from there and agreed to: (person, case, old topic, new topic)."""
    assert two.h.app is not None
    person, case_id = await two.case(lang, forum=True)
    case = await two.h.app.cases.get(case_id)
    assert case is not None and case.topic is not None
    await two.aida.send_in(BISHKEK, command, thread_id=case.topic[1])
    await person.click(two.t("✅ Yes, pass it on", lang))
    moved = await two.h.app.cases.get(case_id)
    assert moved is not None and moved.topic is not None and moved.topic[0] == MOSCOW
    return person, case_id, case.topic[1], moved.topic[1]


async def test_in_forum_groups_the_old_topic_follows_the_status_and_forget_deletes_both(two_forums: Two) -> None:
    two = two_forums
    h, aida, olga = two.h, two.aida, two.olga
    assert h.app is not None
    person, case_id, old, new = await refer_in_forums(two, "ru", "/refer moscow нужен приют")
    assert "→" in h.sandbox.topic(BISHKEK, old)["name"]
    alert = next(m for m in h.sandbox.thread_messages(MOSCOW, new) if m.buttons)
    await olga.click_data(TakeCb(case=case_id).pack(), alert)
    in_new = "\n".join(m.text or "" for m in h.sandbox.thread_messages(MOSCOW, new))
    assert "Здравствуйте, чем помочь?" in in_new and "нужен приют" in in_new  # the history and the reason, in the partner's new topic
    details = [str(row["detail"]) for row in await h.app.cases.audit_trail(case_id)]
    assert any(d.startswith("to=moscow; shared:") for d in details) and not any("приют" in d for d in details)  # no words in the log
    in_old = "\n".join(m.text or "" for m in h.sandbox.thread_messages(BISHKEK, old))
    assert said(in_old, two.t("↪️ Case No. {number} at {team}: taken by a consultant there."), number=case_id)
    await aida.send_in(BISHKEK, "это уже не дойдёт", thread_id=old)
    assert "это уже не дойдёт" not in (person.last.text or "")
    await person.send("/forget")
    await person.click("Да, удалить всё")
    assert h.sandbox.topic(BISHKEK, old).get("deleted") and h.sandbox.topic(MOSCOW, new).get("deleted")


def test_teams_file_partners_are_checked(tmp_path: Path) -> None:
    path = tmp_path / "teams.yaml"
    path.write_text(TEAMS, encoding="utf-8")
    teams = load_teams(path, None, None)
    bishkek = teams.get("bishkek")
    assert bishkek is not None and [t.id for t in teams.partners_of(bishkek)] == ["moscow"]
    assert teams.route("RU", "ru").id == "bishkek"  # type: ignore[union-attr]  # moscow gets only referrals
    for bad, said in (("[nowhere]", "not a team"), ("[bishkek]", "its own partner"), ("moscow", "list")):
        path.write_text(TEAMS.replace("partners: [moscow]", f"partners: {bad}"), encoding="utf-8")
        with pytest.raises(TeamsError, match=said):
            load_teams(path, None, None)
    path.write_text(TEAMS.replace("country: KG", "country: Kyrgyzstan"), encoding="utf-8")
    with pytest.raises(TeamsError, match="two-letter"):
        load_teams(path, None, None)


@pytest.mark.slow(15)
async def test_referral_in_a_running_bot(tmp_path: Path) -> None:
    """`run` as a process with a teams file: taken in Bishkek, referred with the person's consent, taken in
    Moscow with its history, the person answered from Moscow."""
    from bot.sandbox.client import queued_delivery
    from bot.sandbox.core import Sandbox
    from tests.conftest import until
    from tests.test_e2e import NAMES, any_answer, serving

    sandbox = Sandbox()
    sandbox.add_group(BISHKEK, "Bishkek")
    sandbox.add_group(MOSCOW, "Moscow")
    teams = tmp_path / "teams.yaml"
    teams.write_text(TEAMS, encoding="utf-8")
    async with serving(tmp_path / "bot.sqlite3", sandbox, TEAMS_FILE=str(teams), NGO_NAME="Safe Road") as bot:
        aida = Person(sandbox, sandbox.add_user(8_100_001, "Aida", "ru"), queued_delivery(sandbox))
        olga = Person(sandbox, sandbox.add_user(8_100_002, "Olga", "ru"), queued_delivery(sandbox))
        sandbox.groups[BISHKEK]["members"].add(aida.id)
        sandbox.groups[MOSCOW]["members"].add(olga.id)
        for consultant in (aida, olga):
            await consultant.send("/start")
            await consultant.click(NAMES["ru"])
            consultant.deliver = any_answer(sandbox, bot)
        person = Person(sandbox, sandbox.add_user(9_300_001, "Live", "uz"), queued_delivery(sandbox))
        await person.send("/start")
        await person.click(NAMES["uz"])
        await person.send("/consult")
        await person.click(person.last.button_labels()[0])
        await person.send("pasportimni olib qoʻyishdi")
        await person.click(LANGUAGE_NAMES["uz"])
        await until(lambda: any(m.buttons for m in sandbox.bot_messages(BISHKEK)), "alert Bishkek")
        await aida.click("✋", next(m for m in sandbox.bot_messages(BISHKEK) if m.buttons))
        await aida.send("Salom, yordam beramiz")
        await until(lambda: "Salom, yordam beramiz" in (person.messages[-1].text or ""), "relay Aida's words")
        await aida.send("/refer moscow")
        await until(lambda: any(b.get("callback_data", "").startswith("ref:") for row in person.messages[-1].buttons for b in row),
                    "ask the person")
        person.deliver = any_answer(sandbox, bot)
        await person.click(person.last.button_labels()[0])  # yes
        await until(lambda: any(m.buttons for m in sandbox.bot_messages(MOSCOW)), "alert Moscow")
        await olga.click("✋", next(m for m in sandbox.bot_messages(MOSCOW) if m.buttons))
        await until(lambda: any("Salom, yordam beramiz" in (m.text or "") for m in sandbox.bot_messages(olga.id)), "show Olga the history")
        await olga.send("Moskvadan salom")
        await until(lambda: "Moskvadan salom" in (person.messages[-1].text or ""), "relay Olga's words")
        code, output = await bot.stop()
    assert code == 0 and "Traceback" not in output, output[-2000:]


@pytest.mark.parametrize("engine", engines(), indirect=True)
async def test_referral_on_every_engine(tmp_path: Path, engine: str) -> None:
    """Proposed, agreed, moved, taken there with its history, closed: on SQLite and PostgreSQL (with Redis)."""
    async for two in _two(tmp_path):
        h, aida, olga = two.h, two.aida, two.olga
        assert h.app is not None
        person, case_id = await two.case("tg")
        await aida.send("/refer moscow")
        consent = person.last
        yes = next(b["callback_data"] for row in consent.buttons for b in row if b["callback_data"].endswith(":1"))
        await person.click_data(yes, consent)
        await person.click_data(yes, consent)  # a double tap (or the update again): nothing more happens
        assert two.t("This question is no longer valid: your case has changed since.", "tg") in (
            h.sandbox.messages[(person.id, consent.message_id)].text or "")
        alert = next(m for m in h.sandbox.bot_messages(MOSCOW) if m.buttons)
        await olga.click_data(TakeCb(case=case_id).pack(), alert)
        assert "Я в Москве, паспорт у хозяина" in "\n".join(m.text or "" for m in h.sandbox.bot_messages(olga.id))
        await olga.click_data(CloseCb(case=case_id, outcome="lawyer").pack(), olga.last)
        actions = [a for a, _ in await audit_actions(two, case_id)]
        assert actions.count("referred") == 1 and "history_read" in actions and "closed" in actions
        assert len(h.sandbox.bot_messages(MOSCOW)) == 1  # one alert there (edited: taken, closed), never a second


async def test_retention_takes_the_referral_and_both_topics(two_forums: Two) -> None:
    two = two_forums
    h, olga = two.h, two.olga
    assert h.app is not None
    _person, case_id, old, new = await refer_in_forums(two, "uz", "/refer moscow")
    await olga.click_data(TakeCb(case=case_id).pack(), next(m for m in h.sandbox.thread_messages(MOSCOW, new) if m.buttons))
    await olga.send_in(MOSCOW, "/close", thread_id=new)
    await olga.click_data(CloseCb(case=case_id, outcome="iom").pack(), olga.last if olga.last.buttons else
                          next(m for m in reversed(h.sandbox.thread_messages(MOSCOW, new)) if m.buttons))
    assert (await h.app.cases.get(case_id)).status == "closed"  # type: ignore[union-attr]
    assert await h.app.dp["desk"].referrals.referrals.repo.latest(case_id, ("closed",)) is not None
    h.advance(days=h.settings.retention_days + 1)
    assert await h.app.desk.purge() == 1
    assert await h.app.dp["desk"].referrals.referrals.repo.latest(case_id, ("closed", "sent", "taken", "asked")) is None
    assert h.sandbox.topic(BISHKEK, old).get("deleted") and h.sandbox.topic(MOSCOW, new).get("deleted")


async def test_uzbek_in_cyrillic_is_asked_in_cyrillic(two: Two) -> None:
    h, aida = two.h, two.aida
    assert h.app is not None
    person = h.person("uz")
    await person.send("/start")
    await person.click("Ўзбекча")
    await person.send("/consult")
    await person.click(person.last.button_labels()[0])
    await person.send("pasportimni olib qoʻyishdi")
    await person.click("Ўзбекча")  # the consultant's language: Uzbek
    case = await h.app.cases.open_case_of(person.id)
    assert case is not None
    await aida.click_data(TakeCb(case=case.id).pack(), next(m for m in h.sandbox.bot_messages(BISHKEK) if m.buttons))
    await aida.send("/refer moscow")
    consent = person.last.text or ""
    words = consent.replace("Moscow", "")  # a team's name from the teams file is transliterated like any text, but "Moscow"
    assert "Рози бўлсангиз" in consent and not any("a" <= c.lower() <= "z" for c in words), consent
    await person.click(person.last.button_labels()[0])
    assert (await h.app.cases.get(case.id)).team == "moscow"  # type: ignore[union-attr]
