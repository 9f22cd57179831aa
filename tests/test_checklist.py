"""Checklists, dates and reminders: deadline arithmetic as tables, then the flows through the real
Dispatcher, SQLite and the sandbox Telegram, with the test clock moved by hand."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.content import require_content
from bot.models import Mark, Trip
from bot.screens import checklist as cs
from bot.services.checklist import ChecklistService
from bot.services.dates import (
    DateProblem,
    QuietHours,
    add_months,
    add_working_days,
    parse_date,
    shift,
)
from tests.conftest import LANGS, ROOT, Harness, crash_during, make_settings, running

CONTENT = require_content(ROOT / "content")
MOSCOW = ZoneInfo("Europe/Moscow")
NAMES = {"KG": "Kyrgyzstan", "TJ": "Tajikistan", "UZ": "Uzbekistan", "RU": "Russia", "KZ": "Kazakhstan",
         "TR": "Turkey", "AE": "United Arab Emirates", "KR": "South Korea"}
ARRIVAL = date(2026, 11, 23)  # the tests' today (a Monday)


# -- deadline arithmetic ---------------------------------------------------------------------------
def deadline(country: str, citizenship: str, item_id: str, *, arrival: date | None = None,
             departure: date | None = None, own: date | None = None, paid: int = 0, today: date = date(2026, 1, 1)) -> date | None:
    service = ChecklistService(None, None, CONTENT)  # type: ignore[arg-type]
    item = next(i for i in CONTENT.checklist(country, citizenship) if i.id == item_id)
    trip = Trip(1, country, departure, arrival, True)
    return service.entry(item, trip, Mark(item_id, False, own, False, paid), today).deadline


@pytest.mark.parametrize(("country", "citizenship", "item_id", "start", "expected"), [
    # the example: a Tajik arriving in Russia on 3 March
    ("RU", "TJ", "ru_reg_tj_uz", date(2026, 3, 3), date(2026, 3, 18)),
    ("RU", "TJ", "ru_medical", date(2026, 3, 3), date(2026, 4, 2)),
    ("RU", "TJ", "ru_patent", date(2026, 3, 3), date(2026, 4, 2)),
    ("RU", "UZ", "ru_reg_tj_uz", date(2026, 3, 3), date(2026, 3, 18)),
    ("RU", "KG", "ru_reg_kg", date(2026, 3, 3), date(2026, 4, 2)),  # EAEU: 30 days
    ("RU", "KG", "ru_medical", date(2026, 1, 31), date(2026, 3, 2)),  # across a short February
    ("RU", "UZ", "ru_reg_tj_uz", date(2026, 12, 20), date(2027, 1, 4)),  # across the year's end
    ("KZ", "UZ", "kz_register", date(2026, 7, 1), date(2026, 7, 31)),
    ("KZ", "KG", "kz_register", date(2026, 2, 28), date(2026, 3, 30)),
    ("KZ", "UZ", "kz_uz_stay", date(2026, 1, 10), date(2026, 2, 8)),  # a stay: the day of entry is day 1
    ("TR", "UZ", "tr_uz_stay", date(2026, 1, 1), date(2026, 3, 31)),  # 90 days: 1 January + 89
    ("TR", "KG", "tr_kg_stay", date(2028, 1, 1), date(2028, 3, 30)),  # a leap year
    ("KR", "TJ", "kr_registration", date(2026, 1, 1), date(2026, 4, 1)),
    ("KR", "UZ", "kr_insurance", date(2026, 1, 1), date(2026, 1, 16)),
])
def test_deadlines_counted_from_arrival(country: str, citizenship: str, item_id: str, start: date, expected: date) -> None:
    assert deadline(country, citizenship, item_id, arrival=start) == expected


@pytest.mark.parametrize(("moved", "expected"), [
    (date(2026, 11, 23), date(2026, 11, 30)),  # Monday + 5 working days: the next Monday
    (date(2026, 11, 27), date(2026, 12, 4)),  # Friday: the weekend does not count
    (date(2026, 11, 28), date(2026, 12, 4)),  # moved on a Saturday
    (date(2026, 12, 30), date(2027, 1, 6)),  # across the year's end
])
def test_working_days_skip_weekends(moved: date, expected: date) -> None:
    assert deadline("KZ", "UZ", "kz_readdress", own=moved) == expected


@pytest.mark.parametrize(("departure", "expected"), [
    (date(2026, 5, 31), date(2026, 3, 31)),
    (date(2026, 4, 30), date(2026, 2, 28)),  # no 30 February: the month's last day
])
def test_check_the_ban_two_months_before_leaving(departure: date, expected: date) -> None:
    assert deadline("RU", "KG", "ru_ban", departure=departure) == expected


@pytest.mark.parametrize(("issued", "paid", "today", "expected"), [
    (date(2026, 3, 10), 1, date(2026, 3, 10), date(2026, 4, 8)),  # the MVD's example: pay before 9 April
    (date(2026, 3, 10), 3, date(2026, 3, 10), date(2026, 6, 8)),  # three months paid
    (date(2026, 3, 10), 1, date(2026, 4, 9), date(2026, 4, 8)),  # not recorded as paid: shown as missed, never skipped
    (date(2026, 1, 31), 1, date(2026, 1, 31), date(2026, 2, 26)),  # 28 February - 2 days
    (date(2026, 3, 10), 12, date(2026, 3, 10), None),  # a patent lasts 12 months at most: nothing more to pay
])
def test_monthly_patent_payments(issued: date, paid: int, today: date, expected: date | None) -> None:
    assert deadline("RU", "TJ", "ru_patent_pay", own=issued, paid=paid, today=today) == expected


def test_items_fit_the_citizenship() -> None:
    kyrgyz = {i.id for i in CONTENT.checklist("RU", "KG")}
    tajik = {i.id for i in CONTENT.checklist("RU", "TJ")}
    assert {"ru_reg_kg", "ru_contract_kg"} <= kyrgyz and not {"ru_patent", "ru_patent_pay", "ru_reg_tj_uz"} & kyrgyz
    assert {"ru_patent", "ru_patent_pay", "ru_reg_tj_uz"} <= tajik and "ru_reg_kg" not in tajik
    for country in ("RU", "KZ", "TR", "AE", "KR"):
        for citizenship in ("KG", "TJ", "UZ"):
            phases = {i.phase for i in CONTENT.checklist(country, citizenship)}
            assert phases == {"before", "after"}, (country, citizenship)


@pytest.mark.parametrize(("text", "expected"), [
    ("12.03.2026", date(2026, 3, 12)),
    ("12/03/26", date(2026, 3, 12)),
    ("2026-03-12", date(2026, 3, 12)),
    ("12.03", date(2027, 3, 12)),  # no year: the nearest 12 March to today (21 November 2026)
    ("20.11", date(2026, 11, 20)),
    ("today", date(2026, 11, 21)),
    ("Сегодня", date(2026, 11, 21)),
    ("вчера", date(2026, 11, 20)),
    ("бүгүн", date(2026, 11, 21)),
    ("эртең", date(2026, 11, 22)),
    ("имрӯз", date(2026, 11, 21)),
    ("bugun", date(2026, 11, 21)),
    ("12 марта 2026", date(2026, 3, 12)),
    ("12-mart 2026", date(2026, 3, 12)),
    ("3 январь 2027", date(2027, 1, 3)),
    ("  1.12.2026 ", date(2026, 12, 1)),
])
def test_typed_dates(text: str, expected: date) -> None:
    assert parse_date(text, date(2026, 11, 21)).day == expected


@pytest.mark.parametrize(("text", "problem"), [
    ("31.02.2026", DateProblem.NO_SUCH_DAY),
    ("29.02.2027", DateProblem.NO_SUCH_DAY),
    ("12.13.2026", DateProblem.NO_SUCH_DAY),
    ("00.05.2026", DateProblem.NO_SUCH_DAY),
    ("12.03.1990", DateProblem.TOO_FAR),
    ("12.03.2099", DateProblem.TOO_FAR),
    ("next week", DateProblem.UNREADABLE),
    ("12 blah 2026", DateProblem.UNREADABLE),
    ("", DateProblem.UNREADABLE),
])
def test_impossible_dates_are_refused(text: str, problem: DateProblem) -> None:
    parsed = parse_date(text, date(2026, 11, 21))
    assert parsed.day is None and parsed.problem is problem


def test_month_arithmetic() -> None:
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2028, 1, 31), 1) == date(2028, 2, 29)
    assert add_months(date(2026, 11, 30), 3) == date(2027, 2, 28)
    assert add_months(date(2026, 3, 31), -1) == date(2026, 2, 28)
    assert add_working_days(date(2026, 11, 30), -1) == date(2026, 11, 27)
    assert shift(date(2026, 1, 1), 1, "stay_days") == date(2026, 1, 1)


@pytest.mark.parametrize(("utc", "expected"), [
    (datetime(2026, 12, 5, 7, 0, tzinfo=UTC), datetime(2026, 12, 5, 7, 0, tzinfo=UTC)),  # 10:00 Moscow
    (datetime(2026, 12, 5, 19, 30, tzinfo=UTC), datetime(2026, 12, 6, 6, 0, tzinfo=UTC)),  # 22:30: next 09:00
    (datetime(2026, 12, 5, 2, 0, tzinfo=UTC), datetime(2026, 12, 5, 6, 0, tzinfo=UTC)),  # 05:00: 09:00 today
    (datetime(2026, 12, 5, 17, 59, tzinfo=UTC), datetime(2026, 12, 5, 17, 59, tzinfo=UTC)),  # 20:59 still day
    (datetime(2026, 12, 5, 18, 0, tzinfo=UTC), datetime(2026, 12, 6, 6, 0, tzinfo=UTC)),  # 21:00 is night
])
def test_quiet_hours_in_moscow(utc: datetime, expected: datetime) -> None:
    assert QuietHours(time(9), time(21)).next_allowed(utc, MOSCOW) == expected


# -- through the Dispatcher --------------------------------------------------------------------------
def advance_to(h: Harness, moment: datetime) -> None:
    h.advance(seconds=(moment - h.now()).total_seconds())


def moscow(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=MOSCOW).astimezone(UTC)


async def traveller(h: Harness, lang: str = "ru", citizenship: str = "TJ", destination: str = "RU", arrival: str | None = "23.11.2026"):  # type: ignore[no-untyped-def]
    person = await h.speaker(lang)
    await person.send("/checklist")
    await person.click(h.t(NAMES[citizenship], lang))
    await person.click(h.t(NAMES[destination], lang))
    if arrival is not None:
        await person.click("🛬")
        await person.send(arrival)
    return person


async def pending(h: Harness, user_id: int, item: str | None = None) -> list[tuple[str, str, int]]:
    assert h.app is not None
    rows = await h.app.db.fetchall(
        "SELECT item, deadline, days_before FROM reminders WHERE user_id = ? AND status = 'pending' ORDER BY due_at", (user_id,)
    )
    return [(r["item"], r["deadline"], r["days_before"]) for r in rows if item is None or r["item"] == item]


def title(lang: str, item_id: str) -> str:
    return CONTENT.item_text(lang, item_id).title


def reminders_to(person) -> list:  # type: ignore[no-untyped-def]
    return [m for m in person.messages if (m.text or "").startswith("⏰")]


@pytest.mark.parametrize("lang", LANGS)
async def test_from_choosing_russia_to_dated_deadlines_and_a_reminder(tmp_path: Path, lang: str) -> None:
    async with running(make_settings(tmp_path)) as h:
        person = await h.speaker(lang)
        await person.send("/checklist")
        assert h.t("Which country are you a citizen of?", lang) in person.screen()
        await person.click(h.t("Tajikistan", lang))
        await person.click(h.t("Russia", lang))
        screen = person.screen()
        assert title(lang, "ru_ban") in screen and title(lang, "ru_card") in screen  # before departure first
        assert "0/4" in screen

        await person.click("🛬")
        assert h.t("Tap a day, or type the date, for example 12.03.2026 or «today».", lang) in person.screen()
        await person.send("23.11.2026")
        screen = person.screen()
        today = date(2026, 11, 23)
        registration = cs.day_text(date(2026, 12, 8), lang, today)
        medical = cs.day_text(date(2026, 12, 23), lang, today)
        assert registration in screen and medical in screen
        kyrgyz_rule = CONTENT.fill(lang, CONTENT.item_text(lang, "ru_reg_kg").why).text
        assert kyrgyz_rule not in screen  # the Kyrgyz rule is not shown to a Tajik
        assert "08.12" in screen and "23.12" in screen  # on the buttons

        # an item's why, its sources and the date they were checked are one tap away (the list fits a phone)
        await person.click(title(lang, "ru_reg_tj_uz"))
        item = person.screen()
        assert CONTENT.fill(lang, CONTENT.item_text(lang, "ru_reg_tj_uz").why).text.split("\n")[0][:40] in item
        assert registration in item and h.t("Checked: {date}", lang).split("{")[0] in item
        await person.click(h.t("⬅️ Checklist", lang))

        await person.click(title(lang, "ru_amina"))  # an item without a deadline: its screen, then tick it
        await person.click(h.t("✅ Done", lang))
        await person.click(h.t("⬅️ Checklist", lang))
        assert "1/5" in person.screen() and "✅" in person.screen()

        # 3 days before registration, 10:00 Moscow time: one reminder, in the person's language
        assert h.app is not None
        advance_to(h, moscow(date(2026, 12, 5)) - timedelta(minutes=1))
        assert await h.app.reminders.tick() == 0
        h.advance(minutes=1)
        assert await h.app.reminders.tick() == 1
        reminder = person.last
        assert reminder.text is not None and reminder.text.startswith("⏰")
        assert title(lang, "ru_reg_tj_uz") in reminder.text and registration in reminder.text
        assert title(lang, "ru_medical") not in reminder.text
        assert await h.app.reminders.tick() == 0  # never twice

        # "Done" from the reminder: the day-of reminder for it is cancelled
        assert await pending(h, person.id, "ru_reg_tj_uz") == [("ru_reg_tj_uz", "2026-12-08", 0)]
        await person.click(h.t("✅ Done: {item}", lang).format(item=title(lang, "ru_reg_tj_uz")), reminder)
        assert await pending(h, person.id, "ru_reg_tj_uz") == []
        advance_to(h, moscow(date(2026, 12, 8)))
        assert await h.app.reminders.tick() == 0


async def test_dates_typed_wrong_are_explained_and_nothing_is_lost(harness: Harness) -> None:
    h = harness
    person = await traveller(h, arrival=None)
    await person.click("🛬")
    for typed, msgid in [
        ("31.02.2026", "There is no such date: {text}. Check the day and the month."),
        ("12.03.1990", "{text} is too far from today. Check the year."),
        ("когда-нибудь", "I could not read a date in «{text}». Type it like 12.03.2026, or tap a day."),
    ]:
        await person.send(typed)
        assert h.t(msgid, "ru").format(text=typed) in person.screen()
        assert "[◀️]" in person.screen()  # the calendar is offered again
    await person.send("25.11.2026")
    await person.click(h.t("📅 My dates", "ru"))
    await person.click(h.t("🛫 Departure date", "ru"))
    await person.send("28.11.2026")  # leaving after arriving
    assert h.t("You cannot leave after you arrive: your arrival date is {date}.", "ru").format(
        date=cs.day_text(date(2026, 11, 25), "ru")) in person.screen()
    await person.send("20.11.2026")
    assert cs.day_text(date(2026, 11, 20), "ru") in person.screen()


async def test_the_calendar_is_tapped_month_by_month(harness: Harness) -> None:
    h = harness
    person = await traveller(h, arrival=None)
    await person.click("🛬")
    assert "ноябрь 2026" in person.screen()
    await person.click("▶️")
    assert "декабрь 2026" in person.screen()
    await person.click("3", person.last)
    assert h.t("Saved: {date}", "ru").format(date=cs.day_text(date(2026, 12, 3), "ru")) in person.screen()
    assert h.app is not None
    trip = await h.app.checklists.repo.trip(person.id)
    assert trip is not None and trip.arrival == date(2026, 12, 3)
    await person.click_data("cal:arr:d:20260231")  # a forged impossible day
    assert h.t("This button is out of date. Here is the current menu.", "ru") in person.alerts


async def test_a_kill_between_picking_and_sending_neither_loses_nor_repeats(harness: Harness) -> None:
    h = harness
    person = await traveller(h)
    assert h.app is not None
    advance_to(h, moscow(date(2026, 12, 5)))
    claimed = await h.app.checklists.claim_due(100)  # the job picked them ... and the process died
    assert [r.item for r in claimed] == ["ru_reg_tj_uz"]
    assert reminders_to(person) == []
    await h.restart()
    assert await h.app.reminders.tick() == 1
    assert await h.app.reminders.tick() == 0
    assert len(reminders_to(person)) == 1


async def test_a_kill_during_the_send_request_sends_it_again_once(harness: Harness) -> None:
    h = harness
    person = await traveller(h)
    assert h.app is not None
    advance_to(h, moscow(date(2026, 12, 5)))
    await crash_during(h, "sendMessage", h.app.reminders.tick())
    assert reminders_to(person) == []
    assert await h.app.checklists.repo.count("sending") == 1
    await h.restart()  # the request may or may not have reached Telegram: it is sent again
    assert await h.app.reminders.tick() == 1
    assert len(reminders_to(person)) == 1
    assert await h.app.reminders.tick() == 0


async def test_missed_ticks_are_caught_up_at_start_and_late_ones_say_so(harness: Harness) -> None:
    h = harness
    person = await traveller(h)
    assert h.app is not None
    await h.app.close()  # the bot is down from 23 November ...
    advance_to(h, moscow(date(2026, 12, 10), 12))  # ... to two days after the registration deadline
    await h.start()
    assert await h.app.reminders.tick() == 1  # both registration reminders, in one message
    late = person.last.text or ""
    assert late.count(title("ru", "ru_reg_tj_uz")) == 1
    assert late.startswith("⏰") and "⚠️" in late and cs.day_text(date(2026, 12, 8), "ru", ARRIVAL) in late
    assert "/consult" in late
    assert await h.app.reminders.tick() == 0


async def test_never_at_night_where_the_person_is(harness: Harness) -> None:
    h = harness
    person = await traveller(h)
    assert h.app is not None
    await h.app.close()
    advance_to(h, moscow(date(2026, 12, 5), 23))  # the bot comes back at 23:00 Moscow time
    await h.start()
    assert await h.app.reminders.tick() == 0
    advance_to(h, moscow(date(2026, 12, 6), 8) + timedelta(minutes=59))
    assert await h.app.reminders.tick() == 0
    h.advance(minutes=1)  # 09:00
    assert await h.app.reminders.tick() == 1
    assert reminders_to(person)


async def test_a_person_who_blocked_the_bot_gets_no_more_reminders(harness: Harness) -> None:
    h = harness
    person = await traveller(h)
    assert h.app is not None
    h.sandbox.users[person.id].blocked_bot = True  # Telegram answers 403; no update told the bot
    advance_to(h, moscow(date(2026, 12, 5)))
    assert await h.app.reminders.tick() == 0
    assert await pending(h, person.id) == []
    user = await h.app.users.get(person.id)
    assert user is not None and user.blocked
    await person.unblock()  # the person comes back: the plan is made again
    assert [p[0] for p in await pending(h, person.id)][:1] == ["ru_reg_tj_uz"]


async def test_a_flood_limit_waits_retry_after(harness: Harness) -> None:
    h = harness
    person = await traveller(h)
    assert h.app is not None
    advance_to(h, moscow(date(2026, 12, 5)))
    h.expect_errors = True
    h.sandbox.inject_error("sendMessage", 429, "Too Many Requests: retry after 60", retry_after=60)
    assert await h.app.reminders.tick() == 0  # longer than the request middleware waits: the batch is put back
    assert reminders_to(person) == []
    h.advance(seconds=30)
    assert await h.app.reminders.tick() == 0
    h.advance(seconds=31)
    assert await h.app.reminders.tick() == 1
    # a short one is waited out inside the request
    h.sandbox.inject_error("sendMessage", 429, "Too Many Requests: retry after 2", retry_after=2)
    advance_to(h, moscow(date(2026, 12, 8)))
    assert await h.app.reminders.tick() == 1
    assert len(reminders_to(person)) == 2


async def test_many_people_due_at_once_are_paced_under_telegrams_limits(harness: Harness) -> None:
    h = harness
    assert h.app is not None
    people = []
    for _ in range(60):
        person = h.person("uz")
        await person.send("/start")
        people.append(person)
        user = await h.app.users.seen(person.id, "uz")
        await h.app.users.choose_language(person.id, "uz")
        await h.app.users.set_citizenship(person.id, "UZ")
        await h.app.users.set_destination(person.id, "RU")
        user = await h.app.users.get(person.id)
        assert user is not None
        await h.app.checklists.set_trip_date(user, "arrival", ARRIVAL)
    advance_to(h, moscow(date(2026, 12, 5)))
    started = h.clock.value
    assert await h.app.reminders.tick() == 60
    assert h.sandbox.rate_limited == 0
    assert h.clock.value - started >= 59 / 25  # 25 a second at most
    assert all(len(reminders_to(p)) == 1 for p in people)
    assert title("uz", "ru_reg_tj_uz") in (people[0].last.text or "")


async def test_reminders_list_cancel_one_and_all(harness: Harness) -> None:
    h = harness
    person = await traveller(h)
    await person.send("/reminders")
    screen = person.screen()
    assert title("ru", "ru_reg_tj_uz") in screen and cs.day_text(date(2026, 12, 5), "ru", ARRIVAL) in screen
    await person.click(h.t("🔕 Cancel: {item}", "ru").format(item=title("ru", "ru_reg_tj_uz")))
    assert await pending(h, person.id, "ru_reg_tj_uz") == []
    assert await pending(h, person.id, "ru_medical") != []
    assert h.t("No more reminders for this item.", "ru") in person.alerts
    await person.click(h.t("🔔 Again: {item}", "ru").format(item=title("ru", "ru_reg_tj_uz")))
    assert await pending(h, person.id, "ru_reg_tj_uz") != []
    await person.click(h.t("🔕 Cancel all reminders", "ru"))
    assert await pending(h, person.id) == []
    assert h.t("Reminders are off. Your checklist and dates are kept.", "ru") in person.screen()
    await person.click(h.t("🔔 Turn reminders on", "ru"))
    assert await pending(h, person.id) != []


async def test_patent_paid_month_by_month(harness: Harness) -> None:
    h = harness
    person = await traveller(h)
    await person.click(title("ru", "ru_patent_pay"))
    assert "Когда выдан ваш патент?" in person.screen()
    await person.send("25.11.2026")
    assert h.t("How many months have you paid for in all since the day it was issued?", "ru") in person.screen()
    await person.click("1", person.last)
    next_payment = cs.day_text(date(2026, 12, 23), "ru", ARRIVAL)  # 25 December - 2 days
    assert next_payment in person.screen()
    await person.click(h.t("✅ I paid", "ru"))
    await person.click("2", person.last)
    assert cs.day_text(date(2027, 2, 23), "ru", ARRIVAL) in person.screen()  # three months paid in all
    assert (await pending(h, person.id, "ru_patent_pay"))[:2] == [
        ("ru_patent_pay", "2027-02-23", 4), ("ru_patent_pay", "2027-02-23", 0)]


async def test_a_changed_destination_drops_the_old_reminders(harness: Harness) -> None:
    h = harness
    person = await traveller(h)
    assert h.app is not None
    await person.send("/profile")
    await person.click(h.t("Tajikistan", "ru"))
    await person.click(h.t("Kazakhstan", "ru"))
    advance_to(h, moscow(date(2026, 12, 5)))
    assert await h.app.reminders.tick() == 0
    assert reminders_to(person) == []
    await person.send("/checklist")  # the new destination's list, with no dates yet
    assert title("ru", "kz_register") in person.screen() or title("ru", "kz_numbers") in person.screen()


async def test_forget_deletes_dates_ticks_and_reminders(harness: Harness) -> None:
    h = harness
    person = await traveller(h)
    await person.click(title("ru", "ru_amina"))
    assert h.app is not None
    await person.send("/forget")
    await person.click(h.t("Yes, delete everything", "ru"))
    for table in ("trips", "checklist_marks", "reminders"):
        row = await h.app.db.fetchone(f"SELECT COUNT(*) FROM {table} WHERE user_id = ?", (person.id,))
        assert row is not None and row[0] == 0, table


async def test_checklist_for_every_destination_and_citizenship_renders(harness: Harness) -> None:
    h = harness
    assert h.app is not None
    for lang in LANGS:
        for country in ("RU", "KZ", "TR", "AE", "KR"):
            for citizenship in ("KG", "TJ", "UZ"):
                person = h.person(lang)
                await person.send("/start")
                await h.app.users.choose_language(person.id, lang)
                await h.app.users.set_citizenship(person.id, citizenship)
                await h.app.users.set_destination(person.id, country)
                await person.send("/checklist")
                screen = person.screen()
                assert len(person.last.text or "") <= 4096
                assert "⬜" in screen
                await person.click("🛬")
                await person.send("23.11.2026")
                assert "/" in _progress(person.screen()), (lang, country, citizenship)


def _progress(screen: str) -> str:
    return next((line for line in screen.splitlines() if " · " in line and "/" in line), "")


async def test_typing_a_command_while_the_calendar_is_open_leaves_it(harness: Harness) -> None:
    h = harness
    person = await traveller(h, arrival=None)
    await person.click("🛬")
    await person.send("/menu")
    assert h.t("<b>Main menu</b>\nChoose a section:", "ru").split("\n")[0].replace("<b>", "").replace("</b>", "") in person.screen()
    await person.send("25.11.2026")  # no longer read as a date: the calendar was left
    assert h.app is not None and (await h.app.checklists.repo.trip(person.id)) is None


async def test_forged_checklist_and_calendar_actions_are_out_of_date(harness: Harness) -> None:
    h = harness
    person = await traveller(h)
    for forged in ("ck:zzz::0", "ck:paid?:no_such_item:0", "cal:arr:zz:", "cal:arr:m:2026xx", "cal:nope:open:"):
        await person.click_data(forged)
        assert person.alerts == [h.t("This button is out of date. Here is the current menu.", "ru")], forged


def test_callback_wire_values_are_kept() -> None:
    from bot.callbacks import CalCb, CalendarAction, ChecklistAction, ChecklistCb

    assert ChecklistCb(a=ChecklistAction.PAID_ASK, id="ru_patent", n=0).pack() == "ck:paid?:ru_patent:0"
    assert ChecklistCb.unpack("ck:rem::0").a is ChecklistAction.REMINDERS
    assert CalCb(f="arr", a=CalendarAction.DAY, v="20261203").pack() == "cal:arr:d:20261203"
    assert [a.value for a in CalendarAction] == ["open", "m", "d", "x", "noop", "t"]  # "t" new (issue 19)


def test_the_calendar_form_keeps_its_stored_shape() -> None:
    from bot.states import DateForm

    assert DateForm("arr").to_dict() == {"field": "arr"}
    assert DateForm.from_dict({"field": "ru_patent", "then": "x"}) == DateForm("ru_patent")
    assert DateForm.from_dict({}) == DateForm("")


async def test_a_date_typed_at_the_checklist_asks_which_date_it_is(harness: Harness) -> None:
    """Issue 19: a date typed while the checklist waits for one is not taken as a search."""
    h = harness
    person = await traveller(h, arrival=None)
    await person.send("25.11.2026")
    assert h.t("📅 {date}: which date of your checklist is it? If it is not one, type your question in words.", "ru").format(
        date=cs.day_text(date(2026, 11, 25), "ru")) in person.screen()
    await person.click(h.t("🛬 Arrival date", "ru"))
    assert h.app is not None
    trip = await h.app.checklists.trip(await h.app.users.get(person.id))
    assert trip.arrival == date(2026, 11, 25)


async def test_an_old_calendar_tapped_after_the_date_was_typed_changes_nothing(harness: Harness) -> None:
    h = harness
    person = await traveller(h, arrival=None)
    await person.click("🛬")
    calendar = person.last
    await person.send("25.11.2026")  # typed instead of tapped
    day = next(label for label in calendar.button_labels() if label.strip() == "3")
    await person.click(day, calendar)  # the old calendar, still on screen
    assert h.t("This calendar is closed: the date was already given. Open it again from the checklist to change it.", "ru") in person.alerts
    assert h.app is not None
    trip = await h.app.checklists.trip(await h.app.users.get(person.id))
    assert trip.arrival == date(2026, 11, 25)


@pytest.mark.parametrize(("country", "start", "days", "expected"), [
    ("RU", date(2026, 12, 30), 3, date(2027, 1, 13)),  # 31 December 2026 a day off (moved from 4 January), 1-8 January
    ("KR", date(2026, 9, 23), 2, date(2026, 9, 29)),  # Chuseok, 24-26 September 2026
    ("KZ", date(2026, 3, 20), 1, date(2026, 3, 26)),  # Nauryz 21-23 March, with the 24th and 25th off
    (None, date(2026, 12, 30), 3, date(2027, 1, 4)),  # no country: Monday to Friday only
])
def test_working_days_skip_each_countrys_public_holidays(country: str | None, start: date, days: int, expected: date) -> None:
    assert add_working_days(start, days, country) == expected
