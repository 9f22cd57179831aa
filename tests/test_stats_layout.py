"""The seams of figures and broadcasts: period reasons as codes the screen words, the broadcast draft
as a typed model compatible with the stored FSM data, Enum actions with the wire values buttons in
chats already carry, and a finished broadcast's progress without buttons."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from bot.callbacks import BcAction, BcCb, StatsAction, StatsCb
from bot.i18n import DOMAIN, CatalogI18n
from bot.models import Broadcast
from bot.screens import broadcast as broadcast_screens
from bot.screens import stats as stats_screens
from bot.services.broadcast import CHOICES, Draft, next_choice
from bot.services.stats import Period, PeriodError, StatsService, parse_period

ROOT = Path(__file__).resolve().parent.parent
TODAY = date(2026, 11, 23)


@pytest.fixture
def i18n() -> CatalogI18n:
    return CatalogI18n(path=ROOT / "locales", default_locale="ru", domain=DOMAIN)


@pytest.mark.parametrize(("text", "reason"), [
    ("abc", "not_understood"), ("400", "too_long"), ("2026-13", "no_month"),
    ("2026-11-20 2026-11-01", "reversed"), ("2026-12-01", "not_begun"), ("2024-01-01 2026-01-01", "too_long"),
])
def test_a_refused_period_has_a_reason_code_the_screen_words(text: str, reason: str, i18n: CatalogI18n) -> None:
    with pytest.raises(PeriodError) as caught:
        parse_period(text, TODAY)
    assert caught.value.reason == reason
    with i18n.context(), i18n.use_locale("ky"):
        said = stats_screens.period_refused(caught.value)
        assert said.startswith(str(stats_screens.PERIOD_REASONS[reason]).format(**caught.value.values))
        assert "/stats 30" in said


def test_a_button_period_is_checked_by_the_service() -> None:
    stats = StatsService(db=None, clock=lambda: datetime(2026, 11, 23, 12, tzinfo=UTC))  # type: ignore[arg-type]
    assert stats.button_period("2026-11-01", "2026-11-23") == Period(date(2026, 11, 1), TODAY)
    assert stats.button_period("2026-11-30", "2026-11-01") is None
    assert stats.button_period("20261101", "x") is None
    assert stats.button_period("2026-11-01", "2026-11-24") is None  # the future
    assert stats.due_week() == Period(date(2026, 11, 16), date(2026, 11, 22))


def test_the_draft_reads_the_stored_shape_and_refuses_forged_choices() -> None:
    stored = {"text": "<b>Hi</b>"}  # what a half-finished form kept before the typed model
    draft = Draft.from_dict(stored)
    assert draft == Draft(text="<b>Hi</b>") and draft.audience() == (None, None, None)
    draft = draft.with_choice("lang", "uz").with_choice("dst", "RU")
    assert draft.to_dict() == {"text": "<b>Hi</b>", "lang": "uz", "cit": "", "dst": "RU"}
    assert Draft.from_dict(draft.to_dict()) == draft and draft.audience() == ("uz", None, "RU")
    with pytest.raises(ValueError):
        draft.with_choice("lang", "xx")
    with pytest.raises(ValueError):
        draft.with_choice("text", "")
    assert next_choice("lang", CHOICES["lang"][-1]) == "" and next_choice("lang", "zz") == ""


def test_callback_actions_keep_their_wire_values() -> None:
    assert BcCb(a=BcAction.GO).pack() == "bc:go:"
    assert BcCb(a=BcAction.STOP, v="7").pack() == "bc:stop:7"
    assert BcCb.unpack("bc:lang:ru") == BcCb(a=BcAction.LANG, v="ru")
    assert [a.value for a in BcAction] == ["lang", "cit", "dst", "go", "drop", "stop"]
    assert StatsCb(a=StatsAction.CSV, s="2026-11-01", e="2026-11-23").pack() == "st:csv:2026-11-01:2026-11-23"
    assert StatsCb.unpack("st:show:2026-11-01:2026-11-23").a is StatsAction.SHOW
    with pytest.raises(ValueError):
        BcCb.unpack("bc:forged:")


def test_progress_has_a_cancel_button_only_while_sending(i18n: CatalogI18n) -> None:
    broadcast = Broadcast(id=3, created_at=datetime(2026, 11, 23, tzinfo=UTC), author_id=1, text="x", language=None,
                          citizenship=None, destination=None, status="sending", total=100, not_before=None,
                          progress_chat=1, progress_msg=2)
    with i18n.context(), i18n.use_locale("ru"):
        running = broadcast_screens.progress_screen(broadcast, {"sent": 50, "pending": 50})
        done = broadcast_screens.progress_screen(
            Broadcast(**{**{f: getattr(broadcast, f) for f in Broadcast.__dataclass_fields__}, "status": "done"}), {"sent": 100})
    assert running.markup is not None and running.markup.inline_keyboard[0][0].callback_data == "bc:stop:3"
    assert done.markup is None
