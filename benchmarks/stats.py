"""How long /stats takes on a year of a busy bot.

    python benchmarks/stats.py [--people 50000] [--days 365] [--seed 7]

Fills a fresh SQLite database (through the real migrations) with `--people` people who joined over
`--days` days, one to thirty active days each, a usage event for about every active day (guide
topics, country guides, checklists, self-checks, agency checks), and cases (about one person in
forty) taken and closed. Then times what an admin's /stats does for the last 7, 30 and 365 days:
the figures (one SQL pass per section), the chart's buckets (per day, per week over 62 days), the
table text, and the chart (matplotlib, as the bot draws it in its worker thread). Prints each.
Target: the whole /stats answer under 2 s for a year.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.content import require_content
from bot.i18n import DOMAIN, CatalogI18n
from bot.screens.stats import figures_screen
from bot.services.stats import StatsService, last_days
from bot.storage.db import Database
from bot.telegram.chart import chart

ROOT = Path(__file__).resolve().parent.parent
TODAY = date(2026, 11, 23)
KINDS = [("guide", "documents"), ("guide", "work"), ("country", "RU"), ("checklist", "started:RU"),
         ("screening", "info"), ("screening", "high"), ("agency_check", "active"), ("agency_check", "not_found")]


async def fill(db: Database, people: int, days: int, rng: random.Random) -> tuple[int, int, int]:
    users, activity, events, cases = [], set(), [], []
    for person in range(people):
        joined = TODAY - timedelta(days=rng.randrange(days))
        moment = datetime(joined.year, joined.month, joined.day, rng.randrange(24), tzinfo=UTC)
        language = rng.choice(["ru", "ky", "tg", "uz"])
        citizenship = rng.choice(["KG", "TJ", "UZ", None])
        destination = rng.choice(["RU", "KZ", "TR", "AE", "KR", None])
        users.append((person + 1, language, citizenship, destination, moment.isoformat(), moment.isoformat()))
        actor = f"a{person:08x}"
        for _ in range(rng.randint(1, 30)):
            day = joined + timedelta(days=rng.randrange(max(1, (TODAY - joined).days + 1)))
            activity.add((day.isoformat(), actor))
            kind, detail = rng.choice(KINDS)
            at = datetime(day.year, day.month, day.day, rng.randrange(24), tzinfo=UTC).isoformat()
            events.append((at, kind, detail, language, citizenship, destination, actor))
        if rng.random() < 1 / 40:
            taken = moment + timedelta(minutes=rng.randint(1, 120))
            cases.append((person + 1, moment.isoformat(), taken.isoformat(), (taken + timedelta(hours=2)).isoformat(),
                          rng.choice(["info", "iom", "lawyer"])))
    async with db.transaction():
        await db.executemany(
            "INSERT INTO users (id, language, citizenship, destination, first_seen, last_seen) VALUES (?, ?, ?, ?, ?, ?)", users)
        await db.executemany("INSERT INTO activity (day, actor) VALUES (?, ?)", sorted(activity))
        await db.executemany(
            "INSERT INTO events (at, kind, detail, language, citizenship, destination, actor) VALUES (?, ?, ?, ?, ?, ?, ?)", events)
        await db.executemany(
            "INSERT INTO cases (user_id, kind, level, language, team, status, created_at, taken_at, closed_at, outcome, waiting_since) "
            "VALUES (?, 'screening', 'high', 'ru', 'main', 'closed', ?, ?, ?, ?, ?)",
            [(user_id, created, taken, closed, outcome, created) for user_id, created, taken, closed, outcome in cases],
        )
    return len(activity), len(events), len(cases)


async def main(args: argparse.Namespace) -> None:
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as folder:
        db = Database(Path(folder) / "bench.sqlite3")
        await db.connect()
        try:
            started = time.perf_counter()
            active_days, events, cases = await fill(db, args.people, args.days, rng)
            print(f"seeded: {args.people} people, {active_days} active days, {events} events, {cases} cases "
                  f"in {time.perf_counter() - started:.1f} s")
            stats = StatsService(db, clock=lambda: datetime(2026, 11, 23, 12, tzinfo=UTC))
            content = require_content(ROOT / "content")
            i18n = CatalogI18n(path=ROOT / "locales", default_locale="ru", domain=DOMAIN)
            with i18n.context(), i18n.use_locale("ru"):
                await chart(await stats.report(last_days(7, TODAY)), TODAY)  # matplotlib's import and font cache, once
                for days in (7, 30, 365):
                    period = last_days(days, TODAY)
                    t0 = time.perf_counter()
                    report = await stats.report(period)
                    t1 = time.perf_counter()
                    text = figures_screen(report, content, "ru", TODAY).text
                    t2 = time.perf_counter()
                    png = await chart(report, TODAY)
                    t3 = time.perf_counter()
                    print(f"{days:>3} days: figures and buckets {1000 * (t1 - t0):7.1f} ms · table {1000 * (t2 - t1):5.1f} ms "
                          f"({len(text)} chars) · chart {1000 * (t3 - t2):6.1f} ms ({len(png) // 1024} KB, "
                          f"{len(report.buckets)} bars) · total {t3 - t0:.2f} s")
        finally:
            await db.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--people", type=int, default=50_000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--seed", type=int, default=7)
    asyncio.run(main(parser.parse_args()))
