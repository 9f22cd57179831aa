"""How long a reminders tick takes to find the due ones, with a large table, and whether memory stays flat.

    python benchmarks/reminders.py [--users 100000] [--reminders 500000] [--ticks 200] [--due 500]

Fills a fresh database (the real schema, through the bot's migrations) with `--users` people and
`--reminders` pending reminders spread over the next year, `--due` of them due at each tick. Then runs
`--ticks` ticks of the job's own claim (ChecklistService.claim_due: one UPDATE ... RETURNING over the
partial index of pending reminders, through aiosqlite) and prints the time to find and claim the due
ones (median, p99, max) and the process's memory before and after (RSS and Python heap).
Target: under 50 ms a tick; memory flat.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import random
import resource
import sqlite3
import statistics
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.content import require_content
from bot.services.checklist import ChecklistService
from bot.storage.checklists import ChecklistRepository
from bot.storage.db import Database

ROOT = Path(__file__).resolve().parent.parent
START = datetime(2026, 12, 1, 7, 0, tzinfo=UTC)
TICK = timedelta(seconds=30)


def rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def fill(path: Path, users: int, reminders: int, ticks: int, due: int, seed: int = 7) -> None:
    """Bulk rows straight into the migrated schema: `due` per tick for `ticks` ticks, the rest over a year."""
    rng = random.Random(seed)
    start = int(START.timestamp())
    items = ["ru_reg_tj_uz", "ru_medical", "ru_patent", "ru_patent_pay", "kz_register", "tr_uz_stay", "kr_registration"]
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.executemany(
        "INSERT INTO users (id, language, citizenship, destination, first_seen, last_seen) VALUES (?, 'ru', 'TJ', 'RU', ?, ?)",
        ((100_000_000 + i, START.isoformat(), START.isoformat()) for i in range(users)),
    )
    rows = []
    for n in range(reminders):
        if n < ticks * due:  # due exactly at tick n // due
            due_at = start + (n // due) * int(TICK.total_seconds())
        else:
            due_at = start + ticks * int(TICK.total_seconds()) + rng.randrange(365 * 86400)
        user = 100_000_000 + rng.randrange(users)
        deadline = datetime.fromtimestamp(due_at, UTC).date().isoformat()
        rows.append((user, items[n % len(items)], deadline, n % 4, due_at))
    conn.executemany(
        "INSERT OR IGNORE INTO reminders (user_id, item, deadline, days_before, due_at) VALUES (?, ?, ?, ?, ?)", rows
    )
    conn.commit()
    conn.execute("ANALYZE")
    conn.close()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=100_000)
    parser.add_argument("--reminders", type=int, default=500_000)
    parser.add_argument("--ticks", type=int, default=200)
    parser.add_argument("--due", type=int, default=500, help="reminders due at each tick (the job's batch)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.sqlite3"
        db = Database(path)
        await db.connect()  # the bot's own migrations make the schema
        await db.close()
        began = time.perf_counter()
        fill(path, args.users, args.reminders, args.ticks, args.due)
        db = Database(path)
        await db.connect()
        pending = (await db.fetchone("SELECT COUNT(*) FROM reminders WHERE status = 'pending'"))[0]  # type: ignore[index]
        print(f"database: {args.users:,} users, {pending:,} pending reminders "
              f"({time.perf_counter() - began:.1f} s to fill, {path.stat().st_size / 2**20:.0f} MB)")

        clock = {"now": START}
        service = ChecklistService(db, ChecklistRepository(db), require_content(ROOT / "content"), clock=lambda: clock["now"])
        timings: list[float] = []
        found = 0
        memory: list[tuple[float, int]] = []
        tracemalloc.start()
        for tick in range(args.ticks):
            clock["now"] = START + tick * TICK
            t0 = time.perf_counter()
            claimed = await service.claim_due(args.due)
            timings.append((time.perf_counter() - t0) * 1000)
            found += len(claimed)
            await service.mark(claimed, "sent")  # as the job does once they are delivered
            del claimed
            if tick in (9, args.ticks - 1):  # after warm-up, and at the end
                gc.collect()
                memory.append((rss_mb(), tracemalloc.get_traced_memory()[0]))
        tracemalloc.stop()
        await db.close()

    timings.sort()
    p99 = timings[min(len(timings) - 1, int(len(timings) * 0.99))]
    print(f"ticks: {args.ticks}, due per tick: {args.due}, found and claimed in all: {found:,}")
    print(f"find due (claim) per tick: median {statistics.median(timings):.2f} ms, p99 {p99:.2f} ms, max {timings[-1]:.2f} ms"
          f"  (target < 50 ms)")
    (rss_a, heap_a), (rss_b, heap_b) = memory
    print(f"memory after tick 10: RSS {rss_a:.1f} MB, Python heap {heap_a / 1024:.0f} KB; "
          f"after tick {args.ticks}: RSS {rss_b:.1f} MB, Python heap {heap_b / 1024:.0f} KB "
          f"(change {rss_b - rss_a:+.1f} MB, {(heap_b - heap_a) / 1024:+.0f} KB)")


if __name__ == "__main__":
    asyncio.run(main())
