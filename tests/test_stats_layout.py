"""The seams of figures and broadcasts: period reasons as codes the screen words, the broadcast draft
as a typed model compatible with the stored FSM data, Enum actions with the wire values buttons in
chats already carry, and a finished broadcast's progress without buttons."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.callbacks import BcAction, BcCb, StatsAction, StatsCb
from bot.i18n import DOMAIN, CatalogI18n
from bot.models import Broadcast
from bot.screens import broadcast as broadcast_screens
from bot.screens import stats as stats_screens
from bot.services.broadcast import Draft, SendAtError, parse_send_at, quick_send_at
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
    """Changed on purpose (issue 23): the audience is lists, chosen by toggles, and a sending time."""
    stored = {"text": "<b>Hi</b>"}  # what a half-finished form kept before the typed model
    draft = Draft.from_dict(stored)
    assert draft == Draft(text="<b>Hi</b>") and draft.audience() == (None, None, None)
    assert Draft.from_dict({"text": "x", "lang": "uz", "cit": "", "dst": "RU"}).audience() == (("uz",), None, ("RU",))  # one code, as before
    draft = draft.toggled("lang", "uz").toggled("dst", "RU").toggled("lang", "ky").toggled("dst", "KZ").toggled("dst", "RU")
    assert draft.to_dict() == {"text": "<b>Hi</b>", "lang": ["ky", "uz"], "cit": [], "dst": ["KZ"], "send_at": ""}
    assert Draft.from_dict(draft.to_dict()) == draft and draft.audience() == (("ky", "uz"), None, ("KZ",))
    with pytest.raises(ValueError):
        draft.toggled("lang", "xx")
    with pytest.raises(ValueError):
        draft.toggled("text", "")
    assert Draft.from_dict({**draft.to_dict(), "lang": ["uz", "xx"], "send_at": "soon"}) == Draft("<b>Hi</b>", ("uz",), (), ("KZ",))


@pytest.mark.parametrize(("typed", "local"), [
    ("18:30", "2026-11-23 18:30"), ("07:00", "2026-11-24 07:00"), ("24.11 08:15", "2026-11-24 08:15"),
    ("24.11.2026 08:15", "2026-11-24 08:15"), ("2026-12-20 10:00", "2026-12-20 10:00"), (" 03.12  9:05 ", "2026-12-03 09:05"),
])
def test_a_sending_time_is_read_in_the_admins_time_zone(typed: str, local: str) -> None:
    now = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)  # 08:00 in Tashkent
    tashkent = ZoneInfo("Asia/Tashkent")
    assert parse_send_at(typed, now, tashkent) == datetime.fromisoformat(local).replace(tzinfo=tashkent).astimezone(UTC)
    assert quick_send_at("9am", now, tashkent) == datetime(2026, 11, 24, 4, 0, tzinfo=UTC)
    assert quick_send_at("1h", now, tashkent) == now + timedelta(hours=1)


def test_a_day_without_a_year_is_the_next_one_to_come() -> None:
    tashkent = ZoneInfo("Asia/Tashkent")
    new_year = datetime(2026, 12, 30, 7, 0, tzinfo=UTC)
    assert parse_send_at("05.01 10:00", new_year, tashkent) == datetime(2027, 1, 5, 10, 0, tzinfo=tashkent)
    leap = datetime(2028, 2, 20, 7, 0, tzinfo=UTC)
    assert parse_send_at("29.02 10:00", leap, tashkent) == datetime(2028, 2, 29, 10, 0, tzinfo=tashkent)


@pytest.mark.parametrize(("typed", "reason"), [("29.02 10:00", "not_understood")])
def test_the_29th_of_february_outside_a_leap_year(typed: str, reason: str) -> None:
    with pytest.raises(SendAtError) as refused:
        parse_send_at(typed, datetime(2026, 11, 23, 3, 0, tzinfo=UTC), ZoneInfo("Asia/Tashkent"))
    assert refused.value.reason == reason


@pytest.mark.parametrize(("typed", "reason"), [
    ("tomorrow", "not_understood"), ("25:00", "not_understood"), ("30.02 10:00", "not_understood"),
    ("23.11 07:59", "past"), ("2026-11-22 10:00", "past"), ("24.12.2026 09:00", "too_far"),
])
def test_a_sending_time_that_cannot_be_used_is_refused_with_the_reason(typed: str, reason: str) -> None:
    with pytest.raises(SendAtError) as refused:
        parse_send_at(typed, datetime(2026, 11, 23, 3, 0, tzinfo=UTC), ZoneInfo("Asia/Tashkent"))
    assert refused.value.reason == reason


def test_callback_actions_keep_their_wire_values() -> None:
    assert BcCb(a=BcAction.GO).pack() == "bc:go:"
    assert BcCb(a=BcAction.STOP, v="7").pack() == "bc:stop:7"
    assert BcCb.unpack("bc:lang:ru") == BcCb(a=BcAction.LANG, v="ru")
    assert [a.value for a in BcAction] == ["lang", "cit", "dst", "go", "drop", "stop", "when"]  # when: new (issue 23)
    assert StatsCb(a=StatsAction.CSV, s="2026-11-01", e="2026-11-23").pack() == "st:csv:2026-11-01:2026-11-23"
    assert StatsCb.unpack("st:show:2026-11-01:2026-11-23").a is StatsAction.SHOW
    with pytest.raises(ValueError):
        BcCb.unpack("bc:forged:")


def test_progress_has_a_cancel_button_only_while_sending(i18n: CatalogI18n) -> None:
    broadcast = Broadcast(id=3, created_at=datetime(2026, 11, 23, tzinfo=UTC), author_id=1, text="x", language=None,
                          citizenship=None, destination=None, status="sending", total=100, not_before=None,
                          progress_chat=1, progress_msg=2)
    with i18n.context(), i18n.use_locale("ru"):
        now, tashkent = datetime(2026, 11, 23, 12, tzinfo=UTC), ZoneInfo("Asia/Tashkent")
        running = broadcast_screens.progress_screen(broadcast, {"sent": 50, "pending": 50}, now, tashkent)
        done = broadcast_screens.progress_screen(
            Broadcast(**{**{f: getattr(broadcast, f) for f in Broadcast.__dataclass_fields__}, "status": "done"}), {"sent": 100},
            now, tashkent)
    assert running.markup is not None and running.markup.inline_keyboard[0][0].callback_data == "bc:stop:3"
    assert done.markup is None
