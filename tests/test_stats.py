"""Usage events and the anonymous figures made from them: seeded through the real Dispatcher, counted
exactly, holding no message text, deleted with /forget, exported as CSV."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook

from bot.i18n import po_path, read_catalog
from bot.sandbox.core import image_size
from bot.screens import exports
from bot.services.agency import SAMPLES_DIR
from bot.services.stats import Period, StatsService
from bot.storage.stats import figures
from tests.conftest import EPOCH, GROUP, ROOT, Harness, make_settings, running
from tests.test_config_cli import _env


def setup_group(h: Harness) -> None:
    h.sandbox.add_group(GROUP, "Consultants")


@pytest.fixture
async def h(tmp_path: Path) -> AsyncIterator[Harness]:
    async with running(make_settings(tmp_path, consultant_chat_id=GROUP), setup_group) as harness:
        assert harness.app is not None
        await harness.app.agencies.load_samples(SAMPLES_DIR)
        yield harness


def table(rows: list) -> dict[tuple[str, str], float]:
    return {(f.section, f.key): f.value for f in rows}


async def test_figures_count_what_people_did_and_nothing_they_wrote(h: Harness) -> None:
    assert h.app is not None
    ky = await h.speaker("ky")
    await h.app.users.set_citizenship(ky.id, "KG")
    await ky.send("/agency")
    await ky.send("Alatoo jumysh")  # found: active
    await ky.send("Сапар Жумуш Секрет")  # not found
    uz = await h.speaker("uz")
    await uz.send("/check")
    await uz.click(h.t("▶️ Start", "uz"))
    await uz.click("✅")  # documents kept: high risk
    for _ in range(11):
        await uz.click("❌")

    # a case opened and taken 7 minutes later
    aida = h.person("ru", "Aida")
    h.sandbox.groups[GROUP]["members"].add(aida.id)
    await aida.send("/start")
    await ky.send("/agency")
    await ky.send("Нур Ишкана")
    await ky.click(h.t("📣 Report this agency", "ky"))
    await ky.send("Акча алышты")
    await ky.click(h.t("➖ Neither", "ky"))  # no money taken, no documents kept
    await ky.click(h.t("💬 Only here, in this chat", "ky"))
    await ky.click(h.t("✅ Send the report", "ky"))
    h.advance(minutes=7)
    alert = [m for m in h.sandbox.bot_messages(GROUP) if m.buttons][-1]
    await aida.click(alert.button_labels()[0], message=alert)

    day = EPOCH.date()
    got = table(await figures(h.app.db, day, day))
    assert got[("users", "language=ky")] == 1 and got[("users", "language=uz")] == 1
    assert got[("users", "citizenship=KG")] == 1
    assert got[("active", "people")] == 3  # anyone who wrote or tapped: the consultant started the bot too
    assert got[("agency_check", "active")] == 1
    assert got[("agency_check", "not_found")] == 1
    assert got[("agency_check", "suspended")] == 1
    assert got[("agency_report", "suspended")] == 1
    assert got[("screening", "high")] == 1
    assert got[("cases", "opened:agency")] == 1 and got[("cases", "taken")] == 1
    assert 7.0 <= got[("cases", "median_minutes_to_take")] <= 7.2
    assert not [f for f in await figures(h.app.db, day + timedelta(days=1), day + timedelta(days=1)) if f.section == "agency_check"]

    rows = await h.app.db.fetchall("SELECT * FROM events")
    dumped = " ".join(str(tuple(r)) for r in rows)
    assert "Секрет" not in dumped and "Alatoo" not in dumped and "Акча" not in dumped  # nothing anyone typed
    assert str(ky.id) not in dumped and str(uz.id) not in dumped  # people are keyed hashes

    report = await StatsService(h.app.db).report(Period(day, day))
    with h.app.i18n.context(), h.app.i18n.use_locale("en"):  # English, for donors: the source strings
        totals = exports.totals(report, h.app.content, "en")
    assert totals[0] == ["Figure", "Detail", "Value"]
    assert ["Self-checks", "high risk", 1] in totals and ["Agency checks", "not in the registry", 1] in totals
    assert ["Cases opened", "report about an agency", 1] in totals


def test_a_cell_a_spreadsheet_would_run_is_kept_as_text() -> None:
    """CSV injection: =, +, -, @ first are formulas to Excel; they are written with a leading '."""
    table = [["Figure", "Value"], ["=HYPERLINK(\"http://x\")", 1], ["+7 999", 2], ["-", 3], ["@SUM(A1)", 4], ["Fine", -5]]
    rows = list(csv.reader(io.StringIO(exports.to_csv(table).decode("utf-8-sig"))))
    assert [row[0] for row in rows[1:]] == ["'=HYPERLINK(\"http://x\")", "'+7 999", "'-", "'@SUM(A1)", "Fine"]
    assert rows[5][1] == "-5"  # a number stays a number


async def test_forget_deletes_the_persons_events(h: Harness) -> None:
    assert h.app is not None
    someone = await h.speaker("ru")
    await someone.send("/agency")
    await someone.send("Эмгек Плюс")
    assert await h.app.db.fetchall("SELECT * FROM events")
    await someone.send("/forget")
    await someone.click(h.t("Yes, delete everything", "ru"))
    assert await h.app.db.fetchall("SELECT * FROM events") == []


@pytest.mark.slow(12)
def test_stats_cli_exports_csv(tmp_path: Path) -> None:
    env = _env(DATABASE_PATH=str(tmp_path / "db.sqlite3"))
    result = subprocess.run(
        [sys.executable, "-m", "bot", "stats", "--from", "2026-11-01", "--to", "2026-11-30", "--format", "csv"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0, result.stderr
    russian = read_catalog(po_path(ROOT / "locales", "ru"), "ru")  # DEFAULT_LANGUAGE
    first = list(csv.reader(io.StringIO(result.stdout)))[:2]
    assert first == [[russian[m].string for m in ("Figure", "Detail", "Value")], [russian["People in the bot, all time"].string, "", "0"]]
    english = subprocess.run(
        [sys.executable, "-m", "bot", "stats", "--from", "2026-11-01", "--to", "2026-11-30", "--format", "series", "--lang", "en"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    )
    assert english.returncode == 0, english.stderr
    lines = english.stdout.splitlines()
    assert lines[0] == "Day,active people,new people,cases" and len(lines) == 31 and lines[1] == "2026-11-01,0,0,0"
    book = tmp_path / "figures.xlsx"
    made = subprocess.run(
        [sys.executable, "-m", "bot", "stats", "--from", "2026-11-01", "--to", "2026-11-30", "--format", "xlsx", "--lang", "en",
         "--out", str(book)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    )
    assert made.returncode == 0, made.stderr
    assert load_workbook(book).sheetnames == ["Totals", "By day"]
    assert [russian["Active people"].string, "", "0"] in list(csv.reader(io.StringIO(result.stdout)))
    bad = subprocess.run(
        [sys.executable, "-m", "bot", "stats", "--from", "2026-11-30", "--to", "2026-11-01"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    )
    assert bad.returncode == 2 and "--to is before --from" in bad.stderr
    chart = subprocess.run(
        [sys.executable, "-m", "bot", "stats", "--from", "2026-11-01", "--to", "2026-11-30", "--format", "png",
         "--lang", "tg", "--out", str(tmp_path / "chart.png")],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    assert chart.returncode == 0, chart.stderr
    assert image_size((tmp_path / "chart.png").read_bytes()) == (800, 800)
    report = subprocess.run(
        [sys.executable, "-m", "bot", "stats", "--month", "2026-10", "--format", "pdf", "--lang", "en", "--out", str(tmp_path / "r.pdf")],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    assert report.returncode == 0, report.stderr
    assert (tmp_path / "r.pdf").read_bytes().startswith(b"%PDF") and b"2026" in (tmp_path / "r.pdf").read_bytes()
