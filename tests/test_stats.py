"""Usage events and the anonymous figures made from them: seeded through the real Dispatcher, counted
exactly, holding no message text, deleted with /forget, exported as CSV."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot.sandbox.core import image_size
from bot.services.agency import SAMPLES_DIR
from bot.services.stats import to_csv
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

    csv = to_csv(await figures(h.app.db, day, day), day, day)
    assert csv.splitlines()[0] == "from,to,section,key,value"
    assert f"{day},{day},screening,high,1" in csv


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
    assert result.stdout.splitlines()[0] == "from,to,section,key,value"
    assert "2026-11-01,2026-11-30,active,people,0" in result.stdout
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
