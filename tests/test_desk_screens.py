"""The consult and desk screens on their own (pure: data in, Screen out), the callback data's wire
format, and the consent flow's stored data."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.callbacks import CloseCb, ConsultCb, ConsultStep, TakeCb
from bot.i18n import DOMAIN, CatalogI18n
from bot.models import Case
from bot.screens import consult, desk
from bot.screens.common import Screen
from bot.services.desk import OUTCOMES
from bot.states import ConsentData
from tests.conftest import Harness

LOCALES = Path(__file__).resolve().parent.parent / "locales"
NOW = datetime(2026, 5, 4, 10, 30, tzinfo=UTC)


@pytest.fixture
def english() -> Iterator[None]:
    i18n = CatalogI18n(path=LOCALES, default_locale="ru", domain=DOMAIN)
    with i18n.context(), i18n.use_locale("en"):  # no catalog: the msgids themselves
        yield


CASE = Case(
    id=7, user_id=5, kind="screening", level="high", indicators=("documents",), answers={"documents": "y"},
    description="<b>boss</b> took it", destination="RU", citizenship="TJ", language="ru", username=None,
    team="main", status="new", consultant_id=None, consultant_name=None, outcome=None,
    created_at=NOW - timedelta(minutes=12), taken_at=None, closed_at=None, waiting_since=NOW - timedelta(minutes=12),
    last_alert_at=None, alerts=0, hotlines_sent_at=None,
)


def data_of(screen: Screen) -> list[str]:
    return [str(b.callback_data) for row in screen.markup.inline_keyboard for b in row]


def test_wire_values_of_the_buttons_are_unchanged() -> None:
    assert ConsultCb(step=ConsultStep.START, value="screening").pack() == "esc:start:screening"
    assert ConsultCb(step="lang", value="ky").pack() == "esc:lang:ky"  # type: ignore[arg-type]
    assert ConsultCb.unpack("esc:share:y").step is ConsultStep.SHARE
    assert [s.value for s in ConsultStep] == ["start", "agree", "share", "skip", "lang", "user", "cancel"]
    with pytest.raises(ValueError):
        ConsultCb.unpack("esc:bogus:")  # a forged step does not parse: the fallback calls it out of date
    assert TakeCb(case=12).pack() == "take:12"
    assert CloseCb(case=12, outcome="false_alarm").pack() == "close:12:false_alarm"


def test_consent_data_reads_the_stored_shape_and_writes_it_back() -> None:
    stored = {"draft": {"kind": "screening", "level": "high", "indicators": ["documents"], "answers": {"documents": "y"}}}
    consent = ConsentData.from_dict(stored)
    assert consent == ConsentData(kind="screening", level="high", indicators=["documents"], answers={"documents": "y"})
    consent.description = "help"
    again = ConsentData.from_dict(consent.to_dict())
    assert again == consent and consent.to_dict()["draft"]["description"] == "help"


def test_consent_screens(english: None) -> None:
    screen = consult.consent_screen(True, "Safe Road")
    assert "Safe Road" in screen.text and "self-check answers" in screen.text
    assert data_of(screen) == ["esc:agree:", "esc:cancel:"]
    assert "self-check answers" not in consult.consent_screen(False, "").text
    assert data_of(consult.language_screen("ky", ["ky", "ru"])) == ["esc:lang:ky", "esc:lang:ru"]
    assert consult.language_screen("ky", ["ky", "ru"]).markup.inline_keyboard[0][0].text.startswith("✅ ")
    assert data_of(consult.username_screen("aibek")) == ["esc:user:n", "esc:user:y"]
    assert data_of(consult.share_screen()) == ["esc:share:y", "esc:share:n"]
    assert consult.describe_in_words().markup == consult.describe_screen().markup


def test_alert_summary_and_outcomes(english: None) -> None:
    case = CASE
    alert = desk.alert(case, NOW)
    assert alert.text.startswith("🆘 <b>New case No. 7</b>") and "Waiting: 12 min" in alert.text
    assert "boss" not in alert.text  # the description is for the consultant who takes the case
    assert data_of(alert) == ["take:7"]
    again = desk.alert(case, NOW, again=True, returned_by="<Aida>")
    assert again.text.startswith("↩️ Returned to the group by &lt;Aida&gt;\n⏰ <b>Still waiting: case No. 7</b>")
    summary = desk.summary(case, [], NOW, "en", "Safe Road")
    assert "«&lt;b&gt;boss&lt;/b&gt; took it»" in summary and '"Consultant, Safe Road"' in summary
    assert data_of(desk.outcome_question(7)) == [f"close:7:{o}" for o in OUTCOMES]
    taken = desk.alert_after(replace(CASE, status="taken", consultant_name="Aida"))
    assert taken.endswith("✅ Taken by Aida") and not taken.startswith("🆘")
    assert desk.refusal("bad_outcome", 7) == "This is not possible."


async def test_a_forged_consult_step_is_out_of_date(harness: Harness) -> None:
    person = await harness.speaker("ru")
    await person.click_data("esc:bogus")
    assert person.alerts == [harness.t("This button is out of date. Here is the current menu.", "ru")]
