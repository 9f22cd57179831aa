"""Figures in the chat: /stats with a period, its table, chart (a real PNG through the sandbox's photo
checks) and CSV; the weekly digest in each admin's language, once per week across restarts; active
people and checklists counted; bad periods answered; and none of it for anyone but admins."""

from __future__ import annotations

import csv as csv_module
import io
import json
import logging
import os
from collections.abc import AsyncIterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook

from bot.callbacks import GuideCb, StatsCb
from bot.content import require_content
from bot.sandbox.client import Person
from bot.sandbox.core import SandboxMessage, image_size
from bot.screens import chart as chart_module
from bot.services.stats import Period, PeriodError, Report, parse_period, weekly
from bot.storage.stats import Bucket, buckets, figures
from tests.conftest import EPOCH, ROOT, Harness, make_settings, running

ADMIN_RU = 4_300_001
ADMIN_KY = 4_300_002
ADMIN_SILENT = 4_300_003  # an admin who never opened the bot
TODAY = EPOCH.date()  # Monday 23.11.2026


@pytest.fixture
async def h(tmp_path: Path) -> AsyncIterator[Harness]:
    admins = frozenset({ADMIN_RU, ADMIN_KY, ADMIN_SILENT})
    async with running(make_settings(tmp_path, admin_ids=admins)) as harness:
        yield harness


async def admin(h: Harness, user_id: int, lang: str) -> Person:
    person = h.person(lang, user_id=user_id)
    await person.send("/start")
    await person.click({"ru": "Русский", "ky": "Кыргызча"}[lang])
    return person


def plain(text: str) -> str:
    return text.replace("<b>", "").replace("</b>", "").replace("<code>", "").replace("</code>", "")


def photo(h: Harness, message: SandboxMessage) -> bytes:
    assert message.kind == "photo", message
    return h.sandbox.files[message.extra["file_id"]]


async def seed(h: Harness) -> tuple[Person, Person]:
    """Two people: one reads the guide and does a self-check, one starts a checklist."""
    assert h.app is not None
    reader = await h.speaker("ky")
    topic = next(iter(h.app.content.parents))
    await reader.send("/menu")
    await reader.click_data(GuideCb(kind="top", id=topic).pack())
    traveller = await h.speaker("ru")
    await traveller.send("/checklist")
    await traveller.click(h.t("Tajikistan", "ru"))
    await traveller.click(h.t("Russia", "ru"))
    await traveller.click("🛬")
    await traveller.send("23.11.2026")
    return reader, traveller


def table_rows(html: str) -> dict[str, str]:
    """The <pre> table: label -> value as shown."""
    block = html.split("<pre>", 1)[1].split("</pre>", 1)[0]
    return {line.rsplit(" ", 1)[0].strip(): line.rsplit(" ", 1)[1] for line in block.splitlines()}


# -- periods -----------------------------------------------------------------------------------------
@pytest.mark.parametrize(("text", "start", "end"), [
    ("", date(2026, 11, 17), TODAY),
    ("30", date(2026, 10, 25), TODAY),
    ("30d", date(2026, 10, 25), TODAY),
    ("1", TODAY, TODAY),
    ("2026-10", date(2026, 10, 1), date(2026, 10, 31)),
    ("2026-11", date(2026, 11, 1), TODAY),  # the running month: up to today
    ("2026-02", date(2026, 2, 1), date(2026, 2, 28)),
    ("2025-12", date(2025, 12, 1), date(2025, 12, 31)),
    ("2026-11-01", date(2026, 11, 1), date(2026, 11, 1)),
    ("01.11.2026 15.11.2026", date(2026, 11, 1), date(2026, 11, 15)),
    ("2026-11-01..2026-11-15", date(2026, 11, 1), date(2026, 11, 15)),
    ("2026-11-01 – 2026-12-31", date(2026, 11, 1), TODAY),
])
def test_periods_admins_type(text: str, start: date, end: date) -> None:
    assert parse_period(text, TODAY) == Period(start, end)


@pytest.mark.parametrize("text", ["abc", "0", "400", "2026-13", "2026-11-31", "2026-11-20 2026-11-01", "2026-12-01", "2024-01-01 2026-01-01", "1 2 3"])
def test_periods_that_are_refused(text: str) -> None:
    with pytest.raises(PeriodError):
        parse_period(text, TODAY)


# -- /stats --------------------------------------------------------------------------------------------
async def test_stats_shows_a_table_a_chart_and_gives_a_csv(h: Harness) -> None:
    assert h.app is not None
    reader, traveller = await seed(h)
    boss = await admin(h, ADMIN_RU, "ru")
    await boss.send("/stats")
    table, chart = h.sandbox.bot_messages(ADMIN_RU)[-2:]
    text = plain(table.text or "")
    assert plain(h.t("📊 <b>Figures for {period}</b> ({days} days, UTC)", "ru").format(
        period="17.11.2026 – 23.11.2026", days=7)) in text
    rows = table_rows(table.source or "")
    assert rows[h.t("People in the bot, all time", "ru")] == "3"  # two people and the admin
    assert rows[h.t("Active people", "ru")] == "3" and rows[h.t("New people", "ru")] == "3"
    assert rows[h.t("Checklists started", "ru")] == "1"
    assert h.t("<b>People active in the period, by language:</b> {list}", "ru").format(list="ru 2 · ky 1") in (table.source or "")
    assert h.t("Russia", "ru") + " 1" in text  # destination
    topic = next(iter(h.app.content.parents))
    assert h.app.content.topic("ru", topic).title + " 1" in text  # topic titles in the admin's language
    assert [str(b) for b in table.button_labels()] == [h.t("{days} days", "ru").format(days=d) for d in (7, 30, 365)] + [
        h.t("📄 CSV file", "ru"), h.t("📗 Excel file", "ru"), h.t("📑 Report (PDF)", "ru"), h.t("📑 Report in English", "ru")]

    png = photo(h, chart)
    assert png.startswith(b"\x89PNG") and image_size(png) == (800, 800)
    assert chart.text == h.t("📈 {period}", "ru").format(period="17.11.2026 – 23.11.2026")

    await boss.click(h.t("📄 CSV file", "ru"), table)
    totals, by_day = h.sandbox.bot_messages(ADMIN_RU)[-2:]
    assert totals.kind == by_day.kind == "document"
    assert totals.extra["file_name"] == "figures-2026-11-17-2026-11-23-totals.csv" and by_day.extra["file_name"].endswith("-by-day.csv")
    raw = h.sandbox.files[totals.extra["file_id"]]
    assert raw.startswith("\ufeff".encode())  # so that Excel reads the Cyrillic
    csv = list(csv_module.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert csv[0] == [h.t("Figure", "ru"), h.t("Detail", "ru"), h.t("Value", "ru")]
    assert [h.t("Checklists started", "ru"), h.t("Russia", "ru"), "1"] in csv  # readable names, not machine keys
    assert [h.t("Active people", "ru"), "", "3"] in csv
    assert [h.t("People active in the period, by language", "ru"), "Русский", "2"] in csv
    days = list(csv_module.reader(io.StringIO(h.sandbox.files[by_day.extra["file_id"]].decode("utf-8-sig"))))
    assert days[0] == [h.t("Day", "ru"), h.t("active people", "ru"), h.t("new people", "ru"), h.t("cases", "ru")]
    assert [row[0] for row in days[1:]] == [f"2026-11-{d}" for d in range(17, 24)] and days[-1][1:3] == ["3", "3"]

    await boss.click(h.t("📗 Excel file", "ru"), table)
    document = h.sandbox.bot_messages(ADMIN_RU)[-1]
    assert document.extra["file_name"] == "figures-2026-11-17-2026-11-23.xlsx"
    book = load_workbook(io.BytesIO(h.sandbox.files[document.extra["file_id"]]))
    assert book.sheetnames == [h.t("Totals", "ru"), h.t("By day", "ru")]
    assert [h.t("Active people", "ru"), None, 3] in [[c.value for c in row] for row in book.worksheets[0].iter_rows()]
    csv = raw.decode("utf-8-sig")

    for label, language in (("📑 Report (PDF)", "ru"), ("📑 Report in English", "en")):
        await boss.click(h.t(label, "ru"), table)
        document = h.sandbox.bot_messages(ADMIN_RU)[-1]
        assert document.extra["file_name"] == f"report-2026-11-17-2026-11-23-{language}.pdf"
        pdf = h.sandbox.files[document.extra["file_id"]]
        assert pdf.startswith(b"%PDF") and pdf.count(b"/Type /Page ") >= 2  # text pages and the chart
        assert document.text == h.t("Report for {period}: the figures, the chart and the cases, for donors. Counts only, "
                                    "no personal data.", "ru").format(period="17.11.2026 – 23.11.2026")

    await boss.click(h.t("{days} days", "ru").format(days=30), table)
    assert plain(h.t("📊 <b>Figures for {period}</b> ({days} days, UTC)", "ru").format(
        period="25.10.2026 – 23.11.2026", days=30)) in plain(h.sandbox.bot_messages(ADMIN_RU)[-2].text or "")
    assert h.sandbox.bot_messages(ADMIN_RU)[-1].kind == "photo"
    assert str(reader.id) not in csv and str(traveller.id) not in csv


async def test_leaflets_reach_is_counted_and_what_they_open_is_counted_as_read(h: Harness) -> None:
    """A leaflet's QR code (a deep link) is an event naming its payload: the table shows each leaflet's
    people (one person twice is one), an unknown link as "?", and the topic or country guide it opened."""
    assert h.app is not None
    topic = next(iter(h.app.content.parents))
    first = h.person("ky")
    await first.send("/start ky-c-RU")  # a Kyrgyz leaflet about Russia, opened by a newcomer
    await first.send("/start ky-c-RU")
    second = h.person("ru")
    await second.send(f"/start t-{topic}")
    third = h.person("tg")
    await third.send("/start ky-c-RU")
    await third.send("/start Aibek_Osmonov_1990")  # typed by hand, or an old leaflet: never stored as typed
    boss = await admin(h, ADMIN_RU, "ru")
    await boss.send("/stats")
    table = h.sandbox.bot_messages(ADMIN_RU)[-2]
    source = table.source or ""
    assert h.t("<b>Reach by leaflet</b> (people who opened its link or QR code): {list}", "ru").format(
        list=f"ky-c-RU 2 · ? 1 · t-{topic} 1") in source
    assert "Aibek" not in source
    rows = table_rows(source)
    assert rows[h.t("Country guides read", "ru")] == "3" and rows[h.t("Guide topics read", "ru")] == "1"
    # the link's language is the person's: counted in the period's breakdown at once
    assert h.t("<b>People active in the period, by language:</b> {list}", "ru").format(list="ky 2 · ru 2") in source


async def test_breakdowns_count_the_people_active_in_the_period(h: Harness) -> None:
    """Language, citizenship and destination are the period's (people active in it), not all time: a
    person active only 40 days ago is in the 60-day view and not in the 7-day one; the all-time total is
    labelled so."""
    long_ago = await h.speaker("ky")
    await long_ago.send("/profile")
    h.advance(days=40)
    recent = await h.speaker("ru")
    await recent.send("/menu")
    boss = await admin(h, ADMIN_RU, "ru")
    line = h.t("<b>People active in the period, by language:</b> {list}", "ru")
    await boss.send("/stats")
    week = h.sandbox.bot_messages(ADMIN_RU)[-2].source or ""
    assert line.format(list="ru 2") in week and table_rows(week)[h.t("People in the bot, all time", "ru")] == "3"
    await boss.send("/stats 60")
    sixty = h.sandbox.bot_messages(ADMIN_RU)[-2].source or ""
    assert line.format(list="ru 2 · ky 1") in sixty


def _report(days: int, *, cases: int, today: date = TODAY) -> Report:
    """A period's figures as the storage gives them: a bucket per day (per week over 62 days)."""
    period = Period(today - timedelta(days=days - 1), today)
    by_week = weekly(period.start, period.end)
    first = period.start - timedelta(days=period.start.weekday()) if by_week else period.start
    found = []
    while first <= period.end:
        found.append(Bucket(first, 30 + first.day, 5 + first.day % 4, cases * (first.day % 2)))
        first += timedelta(days=7 if by_week else 1)
    values = {("active", "people"): 300.0, ("users", "new"): 90.0, ("guide", "documents_taken"): 40.0, ("reminders", "sent"): 12.0,
              ("cases", "opened:request"): float(cases), ("leaflet", "ky-c-RU"): 7.0, ("cases", "closed:info"): float(cases)}
    return Report(period, {key: value for key, value in values.items() if value}, found)


@pytest.mark.parametrize(("name", "days", "cases", "lang", "organisation"), [
    ("week-ru-no-cases", 7, 0, "ru", ""),
    ("month-en", 30, 3, "en", "Safe Migration Centre"),
    ("year-ky-by-week", 365, 2, "ky", "Insan Leilek"),
    ("fortnight-uz", 14, 1, "uz", ""),
    ("dollar-in-the-name", 7, 1, "en", "Help_$a^$ Fund"),  # a "$" is text, not a formula
])
def test_the_chart_and_the_report_are_drawn_for_a_donor(tmp_path: Path, name: str, days: int, cases: int, lang: str,
                                                        organisation: str) -> None:
    """Each variant drawn as PNG (the chart, and each page of the report) to look at: FIGURES_OUT=dir keeps
    them. The title carries the organisation and the totals; the day not over is marked; cases have their
    own panel, left out (with the "what people did" bars that are zero) when there are none."""
    from bot.i18n import DOMAIN, CatalogI18n
    from bot.screens import report as report_module

    figures = _report(days, cases=cases)
    i18n = CatalogI18n(path=ROOT / "locales", default_locale="ru", domain=DOMAIN)
    with i18n.context(), i18n.use_locale(lang):
        spec = chart_module.chart_spec(figures, TODAY, organisation)
        pages = report_module.report_spec(figures, require_content(ROOT / "content"), lang, TODAY, organisation)
        heading = i18n.gettext("People by week, {period}" if days > 62 else "People by day, {period}", locale=lang)
    assert spec.title == (f"{organisation} · " if organisation else "") + heading.format(period=figures.period.shown())
    assert "300" in spec.totals and "90" in spec.totals and spec.open_last and spec.labels[-1].endswith("*")
    assert [count for _name, count in spec.used] == ([40, cases] if cases else [40])  # no zero bars; reminders apart
    drawn = chart_module.draw(spec)
    assert len(drawn.axes) == (3 if cases else 2)
    legend = drawn.axes[0].get_legend()
    assert legend is not None and legend.get_bbox_to_anchor().y0 >= drawn.axes[0].get_window_extent().y1 - 1  # above the data
    out = Path(os.environ.get("FIGURES_OUT") or tmp_path)
    out.mkdir(parents=True, exist_ok=True)
    png = chart_module.render_png(spec)
    (out / f"chart-{name}.png").write_bytes(png)
    assert image_size(png) == (800, 800)
    for number, page in enumerate(report_module._pages(pages)):
        page.savefig(out / f"report-{name}-{number + 1}.png", dpi=60)
    pdf = report_module.render_pdf(pages)
    (out / f"report-{name}.pdf").write_bytes(pdf)
    assert pdf.startswith(b"%PDF")
    headings = [section.heading for section in pages.sections]
    assert len(headings) == len(set(headings)) and ("ky-c-RU", "7") in next(s.lines for s in pages.sections if "ky-c-RU" in dict(s.lines))


async def test_a_long_period_is_charted_by_week(h: Harness) -> None:
    assert h.app is not None
    await seed(h)
    h.advance(days=10)
    await seed(h)
    weeks = await buckets(h.app.db, date(2026, 9, 1), date(2026, 12, 3), by_week=weekly(date(2026, 9, 1), date(2026, 12, 3)))
    assert [b.start for b in weeks][:2] == [date(2026, 8, 31), date(2026, 9, 7)]  # Mondays
    by_start = {b.start: b for b in weeks}
    assert by_start[date(2026, 11, 23)].active == 2 and by_start[date(2026, 11, 30)].active == 2
    assert by_start[date(2026, 11, 23)].new == 2 and by_start[date(2026, 11, 30)].new == 2
    boss = await admin(h, ADMIN_KY, "ky")
    await boss.send("/stats 2026-09-01 2026-12-03")
    assert image_size(photo(h, boss.last)) == (800, 800)


async def test_bad_periods_get_an_answer_in_the_admins_language(h: Harness) -> None:
    boss = await admin(h, ADMIN_KY, "ky")
    for typed, reason in [
        ("/stats сегодня", "I did not understand the period."),
        ("/stats 2026-11-20 2026-11-01", "The second date is before the first."),
        ("/stats 2027-01", "That period has not begun yet."),
    ]:
        await boss.send(typed)
        assert boss.last.text is not None
        assert h.t(reason, "ky") in boss.last.text
        assert "/stats 30" in boss.last.text  # with examples
    await boss.send("/stats 999")
    assert h.t("A period is 1 to {limit} days.", "ky").format(limit=366) in (boss.last.text or "")
    assert all(m.kind != "photo" for m in h.sandbox.bot_messages(ADMIN_KY))


async def test_a_chart_that_cannot_be_drawn_leaves_the_table(h: Harness, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(spec: object) -> bytes:
        raise RuntimeError("no fonts")

    monkeypatch.setattr(chart_module, "render_png", broken)
    h.expect_errors = True
    boss = await admin(h, ADMIN_RU, "ru")
    await boss.send("/stats")
    table, note = h.sandbox.bot_messages(ADMIN_RU)[-2:]
    assert h.t("People in the bot, all time", "ru") in (table.text or "")
    assert note.text == h.t("The chart could not be drawn this time. The figures above are complete.", "ru")


async def test_only_admins_get_figures(h: Harness) -> None:
    await seed(h)
    someone = await h.speaker("ru")
    await someone.send("/admin")
    await someone.send("/stats")
    await someone.send("/stats 30")
    await someone.click_data(StatsCb(a="csv", s="2026-11-01", e="2026-11-23").pack(), someone.last)
    await someone.click_data(StatsCb(a="show", s="2026-11-01", e="2026-11-23").pack(), someone.last)
    mine = h.sandbox.bot_messages(someone.id)
    assert all(m.kind == "text" for m in mine)
    assert not any(h.t("People in the bot, all time", "ru") in (m.text or "") for m in mine)
    assert not any(h.t("🛠 <b>Admin tools</b>", "ru") in (m.source or "") for m in mine)
    boss = await admin(h, ADMIN_KY, "ky")
    await boss.send("/admin")
    assert h.t("🛠 <b>Admin tools</b>", "ky") in (boss.last.source or "") and "/broadcast" in (boss.last.text or "")
    menu = h.sandbox.commands[(json.dumps({"chat_id": ADMIN_KY, "type": "chat"}, sort_keys=True), "")]
    assert {"command": "stats", "description": h.t("Figures for a period", "ky")} in menu  # in the admin's language
    assert not [key for key in h.sandbox.commands if str(someone.id) in key[0]]  # no admin menu for anyone else


async def test_admins_get_their_menu_at_start(h: Harness, caplog: pytest.LogCaptureFixture) -> None:
    await admin(h, ADMIN_RU, "ru")
    with caplog.at_level(logging.WARNING):
        await h.restart()
    scopes = {json.loads(scope)["chat_id"] for scope, _lang in h.sandbox.commands if scope != '{"type": "default"}'}
    assert scopes == {ADMIN_RU}  # the admin who never opened the bot cannot have one yet
    assert any(f"could not set the admin menu for {ADMIN_SILENT}" in r.getMessage() for r in caplog.records)


async def test_a_forged_period_button_is_refused(h: Harness) -> None:
    boss = await admin(h, ADMIN_RU, "ru")
    await boss.send("/stats")
    table = h.sandbox.bot_messages(ADMIN_RU)[-2]
    count = len(h.sandbox.bot_messages(ADMIN_RU))
    await boss.click_data(StatsCb(a="csv", s="2026-11-30", e="2026-11-01").pack(), table)
    await boss.click_data(StatsCb(a="show", s="20261101", e="x").pack(), table)
    assert all(m.kind != "document" for m in h.sandbox.bot_messages(ADMIN_RU))
    assert h.t("This button is out of date. Here is the current menu.", "ru") in boss.alerts
    assert len(h.sandbox.bot_messages(ADMIN_RU)) == count  # the stale answer edits, never adds figures


# -- the weekly digest ---------------------------------------------------------------------------------
async def test_weekly_digest_in_each_admins_language_once(h: Harness, caplog: pytest.LogCaptureFixture) -> None:
    assert h.app is not None
    await admin(h, ADMIN_RU, "ru")
    await admin(h, ADMIN_KY, "ky")
    await seed(h)
    assert await h.app.digest.tick() == 0  # no one used the bot last week (16-22.11): nothing to report
    h.advance(days=7)  # Monday 30.11, 03:00 UTC: too early for the week of 23-29.11
    assert await h.app.digest.tick() == 0
    h.advance(hours=1)  # 04:00 UTC: 09:00 in Tashkent and Dushanbe, 10:00 in Bishkek
    with caplog.at_level(logging.WARNING):
        assert await h.app.digest.tick() == 2
    assert any("weekly digest not delivered to admin 4300003" in r.getMessage() for r in caplog.records)
    for user_id, lang in ((ADMIN_RU, "ru"), (ADMIN_KY, "ky")):
        table, chart = h.sandbox.bot_messages(user_id)[-2:]
        text = plain(table.text or "")
        assert text.startswith(plain(h.t("🗓 <b>Weekly figures</b>\n{comparison}\n\n", lang).split("{")[0]))
        assert plain(h.t("📊 <b>Figures for {period}</b> ({days} days, UTC)", lang).format(
            period="23.11.2026 – 29.11.2026", days=7)) in text
        assert h.t("Checklists started", lang) in text
        assert h.t("active people", lang) + " +4" in text  # against the week before, when no one was active
        assert chart.kind == "photo" and image_size(photo(h, chart)) == (800, 800)
    count = len(h.sandbox.bot_messages(ADMIN_RU))
    assert await h.app.digest.tick() == 0  # once
    h.advance(hours=30)
    await h.restart()
    assert await h.app.digest.tick() == 0  # a restart does not repeat it
    assert len(h.sandbox.bot_messages(ADMIN_RU)) == count
    h.advance(days=6)  # the next Monday after 04:00
    assert await h.app.digest.tick() == 2


async def test_a_digest_that_failed_on_the_network_is_tried_again(h: Harness) -> None:
    assert h.app is not None
    await admin(h, ADMIN_RU, "ru")
    h.advance(days=7, hours=1)
    h.expect_errors = True
    h.sandbox.inject_error("sendMessage", 500, "Internal Server Error")
    before = len(h.sandbox.bot_messages(ADMIN_RU))
    assert await h.app.digest.tick() == 0
    assert len(h.sandbox.bot_messages(ADMIN_RU)) == before
    assert await h.app.digest.tick() == 1


# -- what the figures count ----------------------------------------------------------------------------
async def test_active_people_by_day_and_forgotten_with_forget(h: Harness) -> None:
    assert h.app is not None
    someone = await h.speaker("uz")
    await someone.send("/menu")
    await someone.send("/menu")  # twice a day is one active person
    h.advance(days=1)
    await someone.send("/menu")
    days = await buckets(h.app.db, TODAY, TODAY + timedelta(days=1), by_week=weekly(TODAY, TODAY + timedelta(days=1)))
    assert [(b.active, b.new) for b in days] == [(1, 1), (1, 0)]
    got = {(f.section, f.key): f.value for f in await figures(h.app.db, TODAY, TODAY + timedelta(days=1))}
    assert got[("active", "people")] == 1
    await someone.send("/forget")
    await someone.click(h.t("Yes, delete everything", "uz"))
    assert await h.app.db.fetchall("SELECT * FROM activity") == []


async def test_checklists_started_and_completed_count_each_person_once(h: Harness) -> None:
    assert h.app is not None
    _reader, traveller = await seed(h)
    user = await h.app.users.get(traveller.id)
    assert user is not None
    sheet = await h.app.checklists.sheet(user)
    for entry in sheet.entries:
        if not entry.done:
            await h.app.checklists.toggle(user, entry.id)
    last = sheet.entries[-1].id
    await h.app.checklists.toggle(user, last)  # undone and done again: still one completion
    await h.app.checklists.toggle(user, last)
    got = {(f.section, f.key): f.value for f in await figures(h.app.db, TODAY, TODAY)}
    assert got[("checklist", "started:RU")] == 1
    assert got[("checklist", "completed:RU")] == 1


# -- the broadcast form ----------------------------------------------------------------------------------
async def test_leaving_the_broadcast_form_ends_it(h: Harness) -> None:
    boss = await admin(h, ADMIN_RU, "ru")
    await boss.send("/broadcast")
    await boss.send("/menu")
    await boss.send("Где продлить патент?")  # a question now, not an announcement
    assert not any((m.text or "") == "Где продлить патент?" for m in h.sandbox.bot_messages(ADMIN_RU))
    assert h.t("<b>Who gets it?</b> Tap to change. The preview above is exactly what people will see.\n"
               "Recipients now: {count}", "ru").split("\n")[0] not in (boss.last.text or "")
