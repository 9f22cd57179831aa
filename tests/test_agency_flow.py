"""Checking an agency, its red flags and a report, through the real Dispatcher, SQLite and the sandbox
Telegram, in each language; admins loading registries by sending the file."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook

from bot.callbacks import AgencyAction, AgencyCb, FlagAction, FlagCb
from bot.content import format_day, require_content
from bot.content.catalogs import LANGUAGE_NAMES
from bot.models import User
from bot.sandbox.client import Person
from bot.services.agency import LOST_LETTERS, SAMPLES_DIR, Checked, ReportDraft, Reported
from bot.states import AgencyData
from tests.conftest import GROUP, LANGS, ROOT, Harness, make_settings, running

CONTENT = require_content(ROOT / "content")

ADMIN = 4_100_001
CSV_HEADER = "name,aliases,permit,authority,valid_from,valid_to,status,destinations,phone,address,website,note\n"


def setup_group(h: Harness) -> None:
    h.sandbox.add_group(GROUP, "Consultants")


@pytest.fixture
async def h(tmp_path: Path) -> AsyncIterator[Harness]:
    settings = make_settings(tmp_path, consultant_chat_id=GROUP, ngo_name="Safe Road", admin_ids=frozenset({ADMIN}))
    async with running(settings, setup_group) as harness:
        assert harness.app is not None
        await harness.app.agencies.load_samples(SAMPLES_DIR)
        yield harness


async def person(h: Harness, lang: str, citizenship: str = "KG", destination: str = "TR") -> Person:
    someone = await h.speaker(lang)
    assert h.app is not None
    await h.app.users.set_citizenship(someone.id, citizenship)
    await h.app.users.set_destination(someone.id, destination)
    return someone


async def open_check(h: Harness, someone: Person, lang: str) -> None:
    await someone.send("/menu")
    await someone.click(h.t("🏢 Check a recruitment agency", lang))


async def report_about(h: Harness, typed: str) -> Person:
    """A Russian speaker finds the agency and starts a report about it."""
    mother = await person(h, "ru")
    await open_check(h, mother, "ru")
    await mother.send(typed)
    await mother.click(h.t("📣 Report this agency", "ru"))
    return mother


# ---------------------------------------------------------------------- the story, in each language
STORY = {  # a misspelled name in the other script, as a mother would type it
    "ru": ("тулпар тревл ворк", "ОсОО «Тулпар Трэвел Ворк»"),
    "ky": ("Alatoo jumysh", "ОсОО «Ала-Тоо Жумуш»"),
    "tg": ("Чохон кор", "ҶДММ «Ҷаҳон Кор»"),
    "uz": ("Хориз иш сервис", "«Xorij Ish Servis» MChJ"),
}


@pytest.mark.parametrize("lang", LANGS)
async def test_check_answer_the_questions_and_report(h: Harness, lang: str) -> None:
    t = lambda s: h.t(s, lang)
    assert h.app is not None
    mother = await person(h, lang, destination="KR")
    await open_check(h, mother, lang)
    intro = mother.last.text or ""
    assert t("Type the agency's name or its permit number. Any alphabet; mistakes are fine.") in intro
    assert "🧪" in intro  # the sample lists are labelled as test data

    typed, name = STORY[lang]
    await mother.send(typed)
    result = mother.last.text or ""
    assert name in result
    assert t("{country} registry").split("{")[0] in result or "registry" not in t("{country} registry")
    assert t("ℹ️ You typed «{typed}». Make sure it is the same agency: compare its permit number and "
             "address with what they showed you.").format(typed=typed) in result
    assert t("🧪 <b>TEST DATA.</b> This is a sample list for trying the bot out, not the official registry.").replace("<b>", "").replace("</b>", "") in result

    # the red-flag questions: passport kept, not sure about the contract, the rest no
    await mother.click(t("🚩 Check their offer: 8 questions"))
    assert t("Question {number} of {count}").format(number=1, count=8) in (mother.last.text or "")
    replies = ["❌", "✅", "❔", "❌", "❌", "❌", "❌", "❌"]  # prepay, passport, contract, ...
    for reply in replies:
        await mother.click(next(label for label in mother.last.button_labels() if label.startswith(reply)))
    verdict = mother.last.text or ""
    assert t("🔴 <b>High risk.</b> These are signs of fraud or of trafficking. "
             "Do not pay, do not give your passport, do not travel with this agency.").replace("<b>", "").replace("</b>", "") in verdict
    # changed on purpose (issue 19): the verdict names each sign; why it is one is a tap away (the verdict fits a phone)
    assert t("passport kept") in verdict
    assert t("no contract you can read") in verdict  # to find out
    assert "romania.iom.int" in verdict  # the advice carries its source
    await mother.click(t("❓ Why these are warning signs"))
    assert str(t("No one may keep your passport. Keeping it is a sign of forced labour.")) in (mother.last.text or "")
    assert "romania.iom.int" in (mother.last.text or "")

    # report it: what happened, a phone, consent
    await mother.click(t("📣 Report this agency"))
    await mother.send("They took my son's passport and 800 dollars")
    await mother.click(t("💸🛂 Both"))
    await mother.send("+996 555 000 111")
    summary = mother.last.text or ""
    assert name in summary and "+996 555 000 111" in summary
    assert t("Who will see it: the consultants of {who}. Not your Telegram account.").format(who="Safe Road") in summary
    await mother.click(t("✅ Send the report"))
    case = await h.app.cases.open_case_of(mother.id)
    assert case is not None and case.kind == "agency" and case.level == "high"
    assert case.subject is not None and case.subject["agency"] == name and case.subject["flags"] == ["passport"]
    assert case.signs == ("money_taken", "documents_kept")
    assert t("✅ <b>Request No. {number} is sent.</b>").format(number=case.id).replace("<b>", "").replace("</b>", "") in (mother.last.text or "")

    # the consultants' alert names the agency and the flag, not the phone (that is for whoever takes it)
    alert = [m for m in h.sandbox.bot_messages(GROUP) if m.buttons][-1].text or ""
    assert name in alert and "+996" not in alert
    ru = lambda s: h.t(s, "ru")  # the team reads Russian
    assert ru("report about an agency") in alert
    assert ru("passport kept") in alert

    # and it is stored as a report
    reports = await h.app.agencies.reports()
    assert reports[0].agency == name and reports[0].case_id == case.id and reports[0].contact == "+996 555 000 111"


async def test_the_consultant_who_takes_it_sees_what_happened_and_the_contact(h: Harness) -> None:
    assert h.app is not None
    mother = await person(h, "ru")
    aida = h.person("ru", "Aida")
    h.sandbox.groups[GROUP]["members"].add(aida.id)
    await aida.send("/start")
    await open_check(h, mother, "ru")
    await mother.send("нур ишкана")
    await mother.click(h.t("📣 Report this agency", "ru"))
    await mother.send("Взяли деньги за визу")
    await mother.click(h.t("💸 They took my money", "ru"))
    await mother.click(h.t("💬 Only here, in this chat", "ru"))
    assert h.t("They took your money or keep your documents: the consultants see this first.", "ru") in (mother.last.text or "")
    await mother.click(h.t("✅ Send the report", "ru"))
    case = await h.app.cases.open_case_of(mother.id)
    # Changed on purpose (issue 17): money taken makes a report high risk; before, a suspended agency with no
    # red flags answered opened as a concern, whatever the agency had taken
    assert case is not None and case.level == "high" and case.signs == ("money_taken",)
    alert = [m for m in h.sandbox.bot_messages(GROUP) if m.buttons][-1]
    assert h.t("the agency took the person's money", "ru") in (alert.text or "")  # the consultant sees why
    await aida.click(alert.button_labels()[0], message=alert)
    summary = "\n".join(m.text or "" for m in h.sandbox.bot_messages(aida.id))
    assert "ОсОО «Нур Ишкана»" in summary and "ЖК-0093" in summary
    assert "Взяли деньги за визу" in summary
    assert h.t("Contact the person gave: {contact}", "ru").split("{")[0] not in summary  # none given


async def test_a_report_with_nothing_taken_stays_at_the_agencys_level(h: Harness) -> None:
    assert h.app is not None
    mother = await person(h, "ky")
    await open_check(h, mother, "ky")
    await mother.send("нур ишкана")
    await mother.click(h.t("📣 Report this agency", "ky"))
    await mother.send("Убада берип, жооп жок")
    await mother.send("эч нерсе")  # not a button: asked again
    assert h.t("Did they take your money, or do they keep your passport or other documents?", "ky") in (mother.last.text or "")
    await mother.click(h.t("➖ Neither", "ky"))
    await mother.click(h.t("💬 Only here, in this chat", "ky"))
    await mother.click(h.t("✅ Send the report", "ky"))
    case = await h.app.cases.open_case_of(mother.id)
    assert case is not None and case.level == "concern" and case.signs == ()  # a suspended agency, nothing taken


# ---------------------------------------------------------------------- honest results
async def test_not_found_never_reads_as_safe(h: Harness) -> None:
    mother = await person(h, "ky")
    await open_check(h, mother, "ky")
    await mother.send("Бишкек Стар Трэвел")
    text = mother.last.text or ""
    t = lambda s: h.t(s, "ky")
    assert t("<b>This does not mean the agency is safe.</b> It may work without a permit, or under another name.").replace("<b>", "").replace("</b>", "") in text
    assert t("📣 Report an agency") in mother.last.button_labels()
    assert h.t("💬 Talk to a consultant", "ky") in mother.last.button_labels()
    # where to check officially, sourced: one tap away (changed on purpose, issue 19: the screen fits a phone)
    await mother.click(t("🏛 Where to check an agency officially"))
    where = mother.last.text or ""
    assert "https://gov.uz/en/migration/pages/about" in where and "azattyk.org" in where


@pytest.mark.parametrize(("typed", "msgid"), [
    ("Тулпар Трэвел Ворк", "⛔ <b>Permit revoked</b>"),
    ("Нур Ишкана", "⛔ <b>Permit suspended</b>"),
    ("Ак-Жол Кадр", "❌ <b>Permit expired on {date}</b>"),
])
async def test_bad_statuses_say_what_to_do_and_offer_a_consultant(h: Harness, typed: str, msgid: str) -> None:
    mother = await person(h, "ru")
    await open_check(h, mother, "ru")
    await mother.send(typed)
    text = mother.last.text or ""
    head = h.t(msgid, "ru").replace("<b>", "").replace("</b>", "")
    assert head.format(date=format_day(date(2026, 6, 30), "ru")) in text
    assert h.t("💬 Talk to a consultant", "ru") in mother.last.button_labels()


async def test_a_permit_that_does_not_cover_the_destination_is_pointed_out(h: Harness) -> None:
    mother = await person(h, "ru", destination="RU")
    await open_check(h, mother, "ru")
    await mother.send("Ала-Тоо Жумуш")  # licensed for Turkey, the UAE and Korea
    text = mother.last.text or ""
    assert "Турция" in text  # the destinations, named in Russian
    assert h.t("⚠️ Its permit does not cover {country}: it may not send you there.", "ru").format(country="Россия") in text


async def test_close_names_are_buttons_and_none_of_these_is_not_found(h: Harness) -> None:
    mother = await person(h, "uz", citizenship="KG")
    await open_check(h, mother, "uz")
    await mother.send("ala too")
    labels = mother.last.button_labels()
    assert "✅ ОсОО «Ала-Тоо Жумуш» · 🇰🇬" in labels and "✅ ОсОО «Ала-Тоо Тревел» · 🇰🇬" in labels
    await mother.click("✅ ОсОО «Ала-Тоо Тревел» · 🇰🇬")
    assert "ЖК-0177" in (mother.last.text or "")
    await mother.send("ala too")
    await mother.click(h.t("None of these", "uz"))
    assert "«ala too»" in (mother.last.text or "")


async def test_vague_words_and_a_photo_get_a_clear_answer(h: Harness) -> None:
    mother = await person(h, "tg")
    await open_check(h, mother, "tg")
    await mother.send("агентство")
    assert h.t("Please type the agency's own name, as on its sign or contract (often the words in quotes), "
               "or its permit number. Words like «agency» or «job» are in too many names.", "tg") in (mother.last.text or "")
    await mother.send_media("photo")
    assert h.t("Type the agency's name or its permit number.", "tg") in (mother.last.text or "")


async def test_an_old_button_after_the_registry_was_replaced(h: Harness) -> None:
    assert h.app is not None
    mother = await person(h, "ru")
    await open_check(h, mother, "ru")
    await mother.send("ala too")
    choices = mother.last
    fresh = (CSV_HEADER + "Новое Агентство,,ЖК-9,,,,active,TR,,,,\n").encode()
    registry = __import__("bot.services.agency", fromlist=["parse_registry"]).parse_registry(
        fresh, "kg.csv", country="KG", source="ref", source_date="2026-11-20")
    await h.app.agencies.import_registry(registry)
    await mother.click("✅ ОсОО «Ала-Тоо Жумуш» · 🇰🇬", message=choices)
    assert h.t("This button is out of date. Here is the current menu.", "ru") in mother.alerts
    assert AgencyCb(a=AgencyAction.SHOW, id=10**6).pack()  # callback data stays short
    assert len(AgencyCb(a=AgencyAction.SHOW, id=10**9).pack()) <= 64


def test_buttons_keep_their_wire_values() -> None:
    """Buttons already in people's chats keep working: the same prefixes and values as before the Enums."""
    assert [AgencyCb(a=a, id=7).pack() for a in AgencyAction] == [
        "ag:id:7", "ag:none:7", "ag:new:7", "ag:rep:7", "ag:nocontact:7", "ag:send:7", "ag:cancel:7",
        "ag:hm:7", "ag:hd:7", "ag:hb:7", "ag:hn:7", "ag:why:7", "ag:where:7",  # the last two new (issue 19)
        "ag:tpl:7"]  # new (issue 23): the registry template, for admins
    assert [FlagCb(q=2, a=a).pack() for a in FlagAction] == ["rf:2:go", "rf:2:y", "rf:2:n", "rf:2:u", "rf:2:x", "rf:2:b"]
    assert AgencyCb.unpack("ag:rep:0").a is AgencyAction.REPORT and FlagCb.unpack("rf:3:u").a is FlagAction.UNSURE


@pytest.mark.parametrize("data", ["ag:bogus:0", "ag:id:abc", "ag", "rf:0:z", "rf:99:y", "rf:1:y"])
async def test_forged_agency_buttons_are_out_of_date(h: Harness, data: str) -> None:
    mother = await person(h, "ru")
    await open_check(h, mother, "ru")
    await mother.click(h.t("🚩 8 questions about the offer", "ru"))  # question 1 is awaited
    await mother.click_data(data)
    assert mother.alerts == [h.t("This button is out of date. Here is the current menu.", "ru")]


def test_the_flow_data_reads_what_was_stored_before() -> None:
    stored = {  # the loose dict an earlier version kept under "ag", in the middle of a report
        "agency": {"id": 3, "name": "ОсОО «Нур Ишкана»", "permit": "ЖК-0093", "registry": "KG", "status": "suspended"},
        "typed": "нур ишкана", "flags": ["passport"], "rf": None, "next": None,
        "draft": {"id": 3, "name": "ОсОО «Нур Ишкана»", "permit": "ЖК-0093", "registry": "KG", "status": "suspended",
                  "agency": "ОсОО «Нур Ишкана»", "flags": ["passport"], "what": "Взяли паспорт"},
    }
    data = AgencyData.from_dict(stored)
    assert data.agency == Checked(3, "ОсОО «Нур Ишкана»", "ЖК-0093", "KG", "suspended") and data.name == "ОсОО «Нур Ишкана»"
    assert data.draft == ReportDraft("ОсОО «Нур Ишкана»", "suspended", "KG", "ЖК-0093", ("passport",), "Взяли паспорт")
    again = data.to_dict()
    assert again["agency"] == stored["agency"] and again["typed"] == "нур ишкана" and again["flags"] == ["passport"]
    assert AgencyData.from_dict(again) == data
    assert AgencyData.from_dict({"rf": {"prepay": "y"}, "next": 1}).to_dict() == {"rf": {"prepay": "y"}, "next": 1}
    assert AgencyData.from_dict(None) == AgencyData() and AgencyData().to_dict() == {}


# ---------------------------------------------------------------------- reports: edge cases
async def test_report_by_typed_name_while_consultants_are_absent(tmp_path: Path) -> None:
    async with running(make_settings(tmp_path, admin_ids=frozenset({ADMIN}))) as h:  # no consultants' group
        assert h.app is not None
        mother = await person(h, "uz")
        await mother.send("/agency")
        await mother.click(h.t("🚩 8 questions about the offer", "uz"))
        for _ in range(8):
            await mother.click(next(label for label in mother.last.button_labels() if label.startswith("❌")))
        assert h.t("🟢 <b>No warning signs in your answers.</b> This does not prove the agency is honest: "
                   "still check its permit and get a written contract.", "uz").replace("<b>", "").replace("</b>", "") in (mother.last.text or "")
        await mother.click(h.t("📣 Report this agency", "uz"))
        await mother.send("Baxt Yoʻli Servis")  # the name, typed: in no registry
        await mother.send("Pul olishdi, shartnoma yoʻq")
        await mother.click(h.t("➖ Neither", "uz"))  # no money taken, no documents kept
        await mother.click(h.t("💬 Only here, in this chat", "uz"))
        await mother.click(h.t("✅ Send the report", "uz"))
        assert h.t("✅ <b>Your report is saved.</b> The team will read it.", "uz").replace("<b>", "").replace("</b>", "") in (mother.last.text or "")
        reports = await h.app.agencies.reports()
        assert (reports[0].agency, reports[0].status, reports[0].case_id) == ("Baxt Yoʻli Servis", "not_found", None)
        admin = h.person("ru", user_id=ADMIN)
        await admin.send("/start")
        await admin.send("/reports")
        assert "Baxt Yoʻli Servis" in (admin.last.text or "") and "Pul olishdi" in (admin.last.text or "")


async def test_report_with_an_open_case_goes_to_that_case(h: Harness) -> None:
    assert h.app is not None
    mother = await person(h, "ru")
    await mother.send("/consult")
    await mother.click(h.t("✅ I agree, connect me", "ru"))
    await mother.click(h.t("⏭ Skip", "ru"))
    await mother.click("Русский")
    case = await h.app.cases.open_case_of(mother.id)
    assert case is not None
    await mother.send("/agency")
    await mother.click(h.t("🚩 8 questions about the offer", "ru"))
    for _ in range(8):
        await mother.click(next(label for label in mother.last.button_labels() if label.startswith("❌")))
    await mother.click(h.t("📣 Report this agency", "ru"))
    assert h.t("Your request No. {number} is open. Write about the agency here: the consultant reads everything you send.",
               "ru").format(number=case.id) in (mother.last.text or "")
    await mother.send("Агентство Ала-Тоо взяло деньги")  # goes to the case, not to a search
    history = await h.app.cases.history(case.id)
    assert history[-1].text == "Агентство Ала-Тоо взяло деньги"


async def test_forget_deletes_reports(h: Harness) -> None:
    assert h.app is not None
    mother = await report_about(h, "Эмгек Плюс")
    await mother.send("Обещали Германию")
    await mother.click(h.t("➖ Neither", "ru"))
    await mother.send("@mother_contact")
    await mother.click(h.t("✅ Send the report", "ru"))
    case = await h.app.cases.open_case_of(mother.id)
    assert case is not None and case.subject is not None
    await mother.send("/forget")
    await mother.click(h.t("Yes, delete everything", "ru"))
    assert await h.app.agencies.reports() == []
    forgotten = await h.app.cases.get(case.id)
    assert forgotten is not None and forgotten.subject is None and forgotten.description is None


# ---------------------------------------------------------------------- a report is one transaction
async def _written(h: Harness, user_id: int) -> dict[str, int]:
    """What a report left in the database: cases, their audit rows, queued alerts, reports."""
    assert h.app is not None
    db = h.app.db
    counts = {}
    for name, sql in (
        ("cases", "SELECT count(*) FROM cases WHERE user_id = ?"),
        ("audit", "SELECT count(*) FROM audit_log WHERE actor_id = ? AND action = 'created'"),
        ("alerts", "SELECT count(*) FROM outbox WHERE track = 'alert' AND case_id IN (SELECT id FROM cases WHERE user_id = ?)"),
        ("reports", "SELECT count(*) FROM agency_reports WHERE user_id = ?"),
    ):
        row = await db.fetchone(sql, (user_id,))
        counts[name] = int(row[0]) if row else 0
    return counts


async def _send_report(h: Harness, user: User) -> Reported:
    assert h.app is not None
    draft = ReportDraft("ОсОО «Нур Ишкана»", "suspended", "KG", "ЖК-0093", ("passport",), "Взяли паспорт", "+996 555")
    return await h.app.agencies.report(draft, user, "ru", cases=h.app.cases, alert=h.app.desk.queue_alert)


async def _reporter(h: Harness) -> User:
    assert h.app is not None
    mother = await person(h, "ru")
    user = await h.app.users.get(mother.id)
    assert user is not None
    return user


async def test_a_report_opens_its_case_queues_the_alert_and_links_them(h: Harness) -> None:
    assert h.app is not None
    user = await _reporter(h)
    reported = await _send_report(h, user)
    assert reported.case is not None and reported.case.kind == "agency" and reported.case.level == "high"
    assert reported.alert is not None
    assert await _written(h, user.id) == {"cases": 1, "audit": 1, "alerts": 1, "reports": 1}
    assert (await h.app.agencies.reports())[0].case_id == reported.case.id


async def test_a_failure_writing_the_report_leaves_no_case(h: Harness, monkeypatch: pytest.MonkeyPatch) -> None:
    assert h.app is not None
    user = await _reporter(h)

    async def broken(report: object) -> int:  # after the case, its audit row and its alert are written
        raise RuntimeError("disk full")

    monkeypatch.setattr(h.app.agencies.repo, "add_report", broken)
    with pytest.raises(RuntimeError):
        await _send_report(h, user)
    assert await _written(h, user.id) == {"cases": 0, "audit": 0, "alerts": 0, "reports": 0}
    assert await h.app.cases.open_case_of(user.id) is None
    monkeypatch.undo()  # and the next try works: nothing was left locked or half-open
    reported = await _send_report(h, user)
    assert reported.case is not None
    assert await _written(h, user.id) == {"cases": 1, "audit": 1, "alerts": 1, "reports": 1}


@pytest.mark.parametrize("step", ["audit", "alert"])
async def test_a_failure_writing_the_case_leaves_no_report(h: Harness, monkeypatch: pytest.MonkeyPatch, step: str) -> None:
    assert h.app is not None
    user = await _reporter(h)

    async def broken(*args: object, **kwargs: object) -> int:  # the case's row is written already
        raise RuntimeError("disk full")

    if step == "audit":
        monkeypatch.setattr(h.app.cases.repo, "audit", broken)
    else:
        monkeypatch.setattr(h.app.desk, "queue_alert", broken)
    with pytest.raises(RuntimeError):
        await _send_report(h, user)
    assert await _written(h, user.id) == {"cases": 0, "audit": 0, "alerts": 0, "reports": 0}
    assert await h.app.cases.open_case_of(user.id) is None


async def test_a_report_with_no_team_or_an_open_case_is_saved_without_a_case(h: Harness) -> None:
    assert h.app is not None
    user = await _reporter(h)
    first = await _send_report(h, user)
    second = await _send_report(h, user)  # the first case is still open
    assert first.case is not None and second.case is None and second.alert is None
    assert await _written(h, user.id) == {"cases": 1, "audit": 1, "alerts": 1, "reports": 2}
    alone = await h.app.agencies.report(ReportDraft("Baxt Yoʻli Servis"), user, "uz")  # no consultants at all
    assert alone.case is None and alone.alert is None
    assert (await h.app.agencies.reports())[0].status == "not_found"


# ---------------------------------------------------------------------- admins load registries
async def test_a_registry_nested_beyond_reason_is_refused_not_a_failure(h: Harness) -> None:
    """5,000 nested brackets (deeper than Python's stack) are "not valid YAML", answered; nothing changes."""
    assert h.app is not None
    admin = h.person("ru", user_id=ADMIN)
    await admin.send("/start")
    await admin.send_document("kg.yaml", ("agencies: " + "[" * 5000 + "]" * 5000).encode(), "KG https://example.org 2026-11-20")
    assert h.t("not valid YAML", "ru") in (admin.last.text or "")
    assert (await h.app.agencies.snapshots())["KG"].rows == 8


async def test_admin_uploads_a_registry_bad_then_good(h: Harness) -> None:
    assert h.app is not None
    admin = h.person("ru", user_id=ADMIN)
    await admin.send("/start")
    bad = (CSV_HEADER + "Good,,X-1,,,,active,TR,,,,\nBad,,X-2,,2026-01-01,31.02.2027,active,TR,,,,\n").encode()
    await admin.send_document("kg.csv", bad, "KG https://example.org/kg-list 2026-11-20")
    reply = admin.last.text or ""
    assert h.t("❌ <b>Nothing was imported.</b> Fix these and send the file again:", "ru").replace("<b>", "").replace("</b>", "") in reply
    assert h.t("line {number}", "ru").format(number=3) in reply and "valid_to" in reply and "31.02.2027" in reply
    assert (await h.app.agencies.snapshots())["KG"].rows == 8  # nothing changed

    good = (CSV_HEADER + "ОсОО «Жаңы Жол»,Jangy Jol,ЖК-0500,,2026-11-01,2027-10-31,active,TR; KR,,,,\n").encode()
    await admin.send_document("kg.csv", good, "KG https://example.org/kg-list 2026-11-20")
    assert h.t("✅ {country}: {count} agencies imported (the list had {before}).", "ru").format(
        country="🇰🇬 Кыргызстан", count=1, before=8) in (admin.last.text or "")

    mother = await person(h, "ky")
    await open_check(h, mother, "ky")
    assert "🧪" not in (mother.last.text or "").split("\n")[2]  # the Kyrgyz list is real now
    await mother.send("jangy jol")
    assert "ОсОО «Жаңы Жол»" in (mother.last.text or "") and "example.org/kg-list" in (mother.last.text or "")
    await admin.send("/registries")
    assert "example.org/kg-list" in (admin.last.text or "")


@pytest.mark.parametrize("lang", LANGS)
async def test_admin_gets_the_template_and_loads_an_excel_registry_a_lossy_file_is_refused(h: Harness, lang: str) -> None:
    """/registries offers the template (.xlsx); filled in with Russian column names and Kyrgyz letters and
    sent back, it is imported as written; a CSV that lost ң to "?" is refused with the fix, in the admin's language."""
    assert h.app is not None
    admin = h.person(lang, user_id=ADMIN)
    await admin.send("/start")
    await admin.click(LANGUAGE_NAMES[lang])
    await admin.send("/registries")
    await admin.click(h.t("📄 Template (Excel)", lang))
    document = h.sandbox.bot_messages(ADMIN)[-1]
    assert document.kind == "document" and document.extra["file_name"] == "agency-registry-template.xlsx"
    assert document.text == h.t("The registry template: one agency per row on the first sheet; the second sheet says what "
                                "each column holds. Send it back here with the caption.", lang)
    book = load_workbook(io.BytesIO(h.sandbox.files[document.extra["file_id"]]))
    sheet = book.worksheets[0]
    names = [cell.value for cell in sheet[1]]
    row = dict.fromkeys(names, None) | {"Название": "ОсОО «Жаңы Жол»", "Лицензия": 500, "Статус": "действует", "Страны": "TR"}
    sheet.append([row[name] for name in names])
    filled = io.BytesIO()
    book.save(filled)

    lossy = (CSV_HEADER.replace(",", ";") + "ОсОО «Жа?ы Жол»;;ЖК-0500;;;;active;TR;;;;\n").encode("cp1251")
    await admin.send_document("kg.csv", lossy, "KG https://example.org/kg-list 2026-11-20")
    assert h.t("has “?” where a letter should be: the file was saved in an encoding without {letters}. "
               "Save it as “CSV UTF-8” or send the .xlsx file", lang).format(letters=LOST_LETTERS) in (admin.last.text or "")
    assert (await h.app.agencies.snapshots())["KG"].rows == 8  # nothing changed

    await admin.send_document("kg.xlsx", filled.getvalue(), "KG https://example.org/kg-list 2026-11-20")
    assert h.t("✅ {country}: {count} agencies imported (the list had {before}).", lang).split("{")[0] in (admin.last.text or "")
    assert (await h.app.agencies.snapshots())["KG"].rows == 1
    found = await h.app.agencies.search("жаңы жол")
    assert found.sure is not None and found.sure.agency.name == "ОсОО «Жаңы Жол»" and found.sure.agency.permit == "500"


async def test_only_admins_can_load_a_registry(h: Harness) -> None:
    assert h.app is not None
    stranger = await person(h, "ru")
    good = (CSV_HEADER + "Fake Agency,,F-1,,,,active,TR,,,,\n").encode()
    await stranger.send_document("kg.csv", good, "KG https://example.org 2026-11-20")
    assert (await h.app.agencies.snapshots())["KG"].rows == 8
    await stranger.send("/registries")
    assert h.t("I don't know this command. Choose a section from the menu, or send /help.", "ru") in (stranger.last.text or "")


# ---------------------------------------------------------------------- leaving the check
async def test_a_cry_for_help_typed_in_the_check_is_answered_as_one(h: Harness) -> None:
    mother = await person(h, "ru", destination="RU")
    await open_check(h, mother, "ru")
    await mother.send("у меня забрали паспорт и бьют")
    text = mother.last.text or ""
    assert h.t("<b>It sounds like you may be in danger.</b> You are not alone, and it is not your fault.\n"
               "If your life or health is at risk, call the emergency number now.", "ru").replace("<b>", "").replace("</b>", "") in text
    assert "112" in text


async def test_after_leaving_the_check_typed_text_is_a_question_again(h: Harness) -> None:
    assert h.app is not None
    mother = await person(h, "ru")
    await open_check(h, mother, "ru")
    await mother.send("ала тоо")
    await mother.send("/contacts")
    await mother.send("Ала-Тоо Жумуш")  # no longer a registry search: the guidance search answers
    assert "ЖК-0142" not in (mother.last.text or "")
    guide_answers = (h.t("I did not find a topic for that. Try other words, open the menu, or ask a consultant.", "ru"),
                     h.t("Here is what I found. Tap a topic:", "ru"))
    assert (mother.last.text or "") in guide_answers
    await mother.send("/menu")
    await mother.click(h.t("🏢 Check a recruitment agency", "ru"))
    await mother.click(h.t("⬅️ Main menu", "ru"))  # a button out of the check ends it too
    await mother.send("Ала-Тоо Жумуш")
    assert (mother.last.text or "") in guide_answers
    await mother.send("/agency")
    await mother.send("Ала-Тоо Жумуш")
    assert "ЖК-0142" in (mother.last.text or "")


async def test_an_abandoned_report_is_not_kept(h: Harness) -> None:
    assert h.app is not None
    mother = await report_about(h, "Эмгек Плюс")
    await mother.send("Секретная история о том, что случилось")
    await mother.send("/menu")
    assert "Секретная история" not in str(await h.app.storage.get_data(key=_key(h, mother)))


def _key(h: Harness, someone: Person):  # the FSM key of a private chat
    from aiogram.fsm.storage.base import StorageKey

    assert h.app is not None
    return StorageKey(bot_id=h.app.bot.id, chat_id=someone.id, user_id=someone.id)


async def test_an_old_send_button_and_a_long_description_are_explained(h: Harness) -> None:
    """Issue 19: an old "Send" says the report is gone (not a silent menu); a description over the limit
    is kept in part, and the person is told."""
    mother = await person(h, "ru")
    await mother.send("/agency")
    await mother.click(h.t("🚩 8 questions about the offer", "ru"))
    for _ in range(8):
        await mother.click(next(label for label in mother.last.button_labels() if label.startswith("❌")))
    await mother.click(h.t("📣 Report this agency", "ru"))
    await mother.send("Баракат Сервис")
    await mother.send("Взяли деньги. " * 100)  # 1,400 characters
    assert h.t("Your description was long: the first {limit} characters were kept. "
               "Tell the rest to the consultant when you talk.", "ru").format(limit=1000) in (mother.last.text or "")
    await mother.click(h.t("➖ Neither", "ru"))
    await mother.click(h.t("💬 Only here, in this chat", "ru"))
    await mother.click(h.t("✅ Send the report", "ru"))
    await mother.click_data(AgencyCb(a=AgencyAction.SEND).pack())  # the same button again, from an old screen
    assert h.t("This report was already sent or cancelled. Here is the menu.", "ru") in mother.alerts


async def test_red_flags_go_back_and_the_last_question_can_be_not_yet(h: Harness) -> None:
    mother = await person(h, "ky")
    await mother.send("/agency")
    await mother.click(h.t("🚩 8 questions about the offer", "ky"))
    await mother.click(next(label for label in mother.last.button_labels() if label.startswith("✅")))  # Q1: yes
    assert h.t("Question {number} of {count}", "ky").format(number=2, count=8) in (mother.last.text or "")
    await mother.click(h.t("⬅️ Previous question", "ky"))
    assert h.t("Question {number} of {count}", "ky").format(number=1, count=8) in (mother.last.text or "")
    for _ in range(7):
        await mother.click(next(label for label in mother.last.button_labels() if label.startswith("❌")))
    assert h.t("✈️ I am not abroad yet", "ky") in mother.last.button_labels()  # the "if already abroad" question
    await mother.click(h.t("✈️ I am not abroad yet", "ky"))
    assert h.t("🟢 <b>No warning signs in your answers.</b> This does not prove the agency is honest: "
               "still check its permit and get a written contract.", "ky").replace("<b>", "").replace("</b>", "") in (mother.last.text or "")


async def test_not_found_names_where_to_check_one_tap_away(h: Harness) -> None:
    mother = await person(h, "uz")
    await open_check(h, mother, "uz")
    await mother.send("Mutlaqo notanish agentlik")
    await mother.click(h.t("🏛 Where to check an agency officially", "uz"))
    heading = CONTENT.page("uz", "agency_where").text.split("\n")[0].replace("<b>", "").replace("</b>", "")
    assert heading in (mother.last.text or "") and "gov.uz" in (mother.last.text or "")
