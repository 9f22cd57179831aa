"""The self-check: scoring after the ILO indicators (table-driven), working hours and team routing,
and the questions and results as each language shows them."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.content import MAX_SCREEN, language_problems
from bot.services.selfcheck import INDICATORS, QUESTIONS, STRONG, Level, score
from bot.services.teams import Hours, TeamsError, load_teams
from tests.conftest import LANGS, Harness
from tests.test_guide import visible

NO = {q.id: "n" for q in QUESTIONS}


@pytest.mark.parametrize(
    ("answers", "level", "indicators"),
    [
        ({}, Level.INFO, ()),  # nothing answered
        (NO, Level.INFO, ()),
        ({**NO, "overtime": "y"}, Level.CONCERN, ("overtime",)),  # one weak sign
        ({**NO, "overtime": "y", "deception": "y"}, Level.CONCERN, ("deception", "overtime")),
        ({**NO, "overtime": "y", "deception": "y", "wages": "y"}, Level.HIGH, ("deception", "wages", "overtime")),
        ({**NO, "documents": "y"}, Level.HIGH, ("documents",)),  # strong on its own
        ({**NO, "movement": "y"}, Level.HIGH, ("movement",)),
        ({**NO, "threats": "y"}, Level.HIGH, ("threats",)),
        ({**NO, "violence": "y"}, Level.HIGH, ("violence",)),
        ({**NO, "violence": "y", "movement": "y"}, Level.EMERGENCY, ("movement", "violence")),  # hurt and locked in
        ({**NO, "danger_now": "y"}, Level.EMERGENCY, ()),
        ({**NO, "danger_now": "u"}, Level.CONCERN, ()),
        ({**NO, "documents": "u"}, Level.CONCERN, ()),  # unsure about a strong sign
        ({**NO, "debt": "u", "isolation": "u"}, Level.CONCERN, ()),
        ({**NO, "debt": "u"}, Level.INFO, ()),
        ({q.id: "s" for q in QUESTIONS}, Level.INFO, ()),  # all skipped
        ({"documents": "y", "bogus": "y", "wages": "maybe"}, Level.HIGH, ("documents",)),  # junk ignored
    ],
)
def test_scoring(answers: dict[str, str], level: Level, indicators: tuple[str, ...]) -> None:
    result = score(answers)
    assert result.level is level
    assert result.indicators == indicators


def test_questions_cover_the_eleven_ilo_indicators() -> None:
    assert len(INDICATORS) == 11 and set(INDICATORS) >= STRONG
    assert {q.indicator for q in QUESTIONS if q.indicator} == set(INDICATORS)
    assert 10 <= len(QUESTIONS) <= 12
    assert score({**NO, "documents": "s"}).answered == len(QUESTIONS) - 1


@pytest.mark.parametrize(
    ("spec", "when", "open_now", "next_open"),
    [
        ("mon-fri 09:00-18:00 Asia/Bishkek", datetime(2026, 11, 23, 3, 0, tzinfo=UTC), True, None),  # Mon 09:00
        ("mon-fri 09:00-18:00 Asia/Bishkek", datetime(2026, 11, 23, 12, 0, tzinfo=UTC), False, "2026-11-24T09:00:00+06:00"),
        ("mon-fri 09:00-18:00 Asia/Bishkek", datetime(2026, 11, 28, 3, 0, tzinfo=UTC), False, "2026-11-30T09:00:00+06:00"),
        ("sat-mon 10:00-14:00 Asia/Tashkent", datetime(2026, 11, 22, 6, 0, tzinfo=UTC), True, None),  # Sunday 11:00
        ("sat-mon 10:00-14:00 Asia/Tashkent", datetime(2026, 11, 25, 6, 0, tzinfo=UTC), False, "2026-11-28T10:00:00+05:00"),
    ],
)
def test_working_hours(spec: str, when: datetime, open_now: bool, next_open: str | None) -> None:
    hours = Hours.parse(spec)
    assert hours.is_open(when) is open_now
    assert hours.next_open(when).isoformat() == (next_open or when.isoformat())


@pytest.mark.parametrize("spec", ["", "mon-fri 09:00-18:00", "mon-fri 18:00-09:00 Asia/Bishkek", "xyz 09:00-18:00 Asia/Bishkek",
                                  "mon-fri 09:00-18:00 Mars/Olympus", "mon-fri 9-18 Asia/Bishkek"])
def test_bad_working_hours_are_refused(spec: str) -> None:
    with pytest.raises(TeamsError):
        Hours.parse(spec)


def test_teams_file_routes_by_citizenship_and_language(tmp_path: Path) -> None:
    path = tmp_path / "teams.yaml"
    path.write_text(
        "teams:\n"
        "  - {id: tj, chat_id: -100111, citizenships: [TJ], hours: 'mon-fri 09:00-18:00 Asia/Dushanbe'}\n"
        "  - {id: uz, chat_id: -100222, languages: [uz]}\n"
        "  - {id: main, chat_id: -100333}\n",
        encoding="utf-8",
    )
    teams = load_teams(path, None, None)
    assert teams.route("TJ", "ru").id == "tj"  # type: ignore[union-attr]
    assert teams.route("UZ", "uz").id == "uz"  # type: ignore[union-attr]
    assert teams.route("KG", "ky").id == "main"  # type: ignore[union-attr]
    assert teams.route(None, None).id == "main"  # type: ignore[union-attr]
    assert teams.chat_ids == (-100111, -100222, -100333)
    path.write_text("teams:\n  - {id: a, chat_id: 5}\n", encoding="utf-8")
    with pytest.raises(TeamsError, match="negative"):
        load_teams(path, None, None)
    assert not load_teams(None, None, None)
    assert load_teams(None, -100444, None).route("KG", "ky").chat_id == -100444  # type: ignore[union-attr]


ANSWERS = {  # answers that lead to each level; "✅" yes, "❌" no, "❔" not sure, "⏭" skip
    "info": ["❌"] * 11 + ["⏭"],
    "concern": ["❌", "❌", "❌", "❌", "❌", "❌", "✅"] + ["❌"] * 5,
    "high": ["✅"] + ["❌"] * 11,
    "emergency": ["❌"] * 11 + ["✅"],
}
LEADS = {"info": "🟢", "concern": "🟡", "high": "🟠", "emergency": "🔴"}


@pytest.mark.parametrize("lang", LANGS)
async def test_every_question_and_result_in_each_language(harness: Harness, lang: str) -> None:
    person = await harness.speaker(lang)
    assert harness.app is not None
    await harness.app.users.set_destination(person.id, "KZ")
    for level, answers in ANSWERS.items():
        await person.send("/check")
        intro = person.last
        assert language_problems(lang, visible(intro.text or "")) == []
        await person.click(harness.t("▶️ Start", lang))
        for number, answer in enumerate(answers, start=1):
            screen = person.last
            assert harness.t("Question {number} of {count}", lang).format(number=number, count=len(QUESTIONS)) in (screen.text or "")
            assert language_problems(lang, visible(screen.text or "")) == [], screen.text
            assert screen.edits == number  # the same message, edited in place: no scrolling on a small screen
            await person.click(answer)
        result = person.last
        assert (result.text or "").startswith(LEADS[level]), (level, result.text)
        assert len(result.source or "") <= MAX_SCREEN
        assert "112" in (result.text or "")  # Kazakhstan's emergency number
        assert language_problems(lang, visible(result.text or "")) == [], result.text
        assert harness.t("💬 Talk to a consultant", lang) in result.button_labels()
        if level == "emergency":  # the numbers come first
            assert (result.text or "").index("112") < len(result.text or "") // 2


async def test_double_tap_and_old_buttons(harness: Harness) -> None:
    person = await harness.speaker("ru")
    await person.send("/check")
    await person.click("▶️")
    question = person.last
    await person.click("✅", question)
    await person.click_data("scr:0:n", question)  # the second tap of a double tap: ignored quietly
    assert person.alerts == []
    assert harness.t("Question {number} of {count}", "ru").format(number=2, count=12) in (person.last.text or "")
    await person.click_data("scr:5:y", question)  # skips ahead: forged
    assert person.alerts == [harness.t("This button is out of date. Here is the current menu.", "ru")]
    await person.send("/start")
    await person.click_data("scr:3:y", question)  # a self-check from before: no answers behind it
    assert person.alerts == [harness.t("This button is out of date. Here is the current menu.", "ru")]


def test_the_result_the_consult_flow_reads_is_what_the_selfcheck_stored() -> None:
    """Screening.result's data, written by the self-check, read back typed by the consult flow."""
    from bot.services.selfcheck import Finished
    from bot.states import SelfcheckResult

    answers = {"documents": "y", "wages": "u", "danger_now": "n"}
    stored = Finished(score(answers), answers).to_dict()
    result = SelfcheckResult.from_dict(stored)
    assert result is not None
    assert (result.level, list(result.indicators), result.answers) == (stored["level"], stored["indicators"], answers)
    assert SelfcheckResult.from_dict({}) is None


async def test_the_previous_question_can_be_answered_again(harness: Harness) -> None:
    person = await harness.speaker("tg")
    await person.send("/check")
    await person.click(harness.t("▶️ Start", "tg"))
    first = person.last.text or ""
    assert harness.t("⬅️ Previous question", "tg") not in person.last.button_labels()  # none before the first
    await person.click(person.last.button_labels()[0])  # yes
    assert harness.t("Question {number} of {count}", "tg").format(number=2, count=12) in (person.last.text or "")
    await person.click(harness.t("⬅️ Previous question", "tg"))
    assert (person.last.text or "") == first
