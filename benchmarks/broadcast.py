"""A broadcast to many people against the sandbox Telegram at its flood limits, on a simulated clock.

    python benchmarks/broadcast.py [--recipients 10000]

Builds the real app (Dispatcher, SQLite, the broadcast job) over the in-process sandbox with
Telegram's limits (30 messages/s overall, 1/s into one chat), registers `--recipients` people, queues
one broadcast to all of them and runs the job until it is done. The bot waits on the sandbox's clock,
so the run takes seconds of wall time while the clock shows the time Telegram would take. Prints the
simulated time and the rate (target: about recipients/25 seconds, 25 a second), the 429 answers
(target 0), the duplicates (target 0), and the wall time and memory.
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.app import build_app
from bot.config import Settings
from bot.sandbox.core import FakeClock, Limits, Sandbox
from bot.sandbox.session import SandboxSession

EPOCH = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


async def main(args: argparse.Namespace) -> None:
    clock = FakeClock()
    sandbox = Sandbox(limits=Limits(), clock=clock)
    sandbox.record_requests = False

    async def sleep(seconds: float) -> None:
        clock.advance(seconds)

    with tempfile.TemporaryDirectory() as tmp:
        config = Settings(_env_file=None, database_path=Path(tmp) / "bench.sqlite3", bot_token=None)  # type: ignore[call-arg]
        app = await build_app(config, session=SandboxSession(sandbox), sleep=sleep,
                              now=lambda: EPOCH + timedelta(seconds=clock.value), monotonic=clock)
        first = 6_000_000
        rows = []
        for n in range(args.recipients):
            user = sandbox.add_user(first + n, f"P{n}", "uz")
            user.started = True
            rows.append((first + n, "uz", "uz", EPOCH.isoformat(), EPOCH.isoformat()))
        await app.db.executemany(
            "INSERT INTO users (id, language, telegram_language, first_seen, last_seen) VALUES (?, ?, ?, ?, ?)", rows
        )
        broadcast = await app.broadcasts.create(1, "Yangi qoidalar: patentingizni tekshiring.", "uz", None, None)
        started_clock, started_wall = clock.value, time.perf_counter()
        runs = 0
        while await app.broadcasts.repo.active():
            await app.broadcasts.run()
            runs += 1
        simulated = clock.value - started_clock
        wall = time.perf_counter() - started_wall
        counts = await app.broadcasts.repo.counts(broadcast.id)
        per_chat: dict[int, int] = {}
        for message in sandbox.messages.values():
            if message.from_bot:
                per_chat[message.chat_id] = per_chat.get(message.chat_id, 0) + 1
        duplicates = sum(c - 1 for c in per_chat.values() if c > 1)
        await app.close()
    print(f"recipients: {broadcast.total}; sent: {counts.get('sent', 0)}; other outcomes: "
          + (", ".join(f"{k} {v}" for k, v in counts.items() if k != "sent") or "none"))
    print(f"simulated time: {simulated:.1f} s (target about {broadcast.total / 25:.0f} s); "
          f"{counts.get('sent', 0) / simulated:.2f} sent/s; job runs: {runs}")
    print(f"429 answers: {sandbox.rate_limited}; duplicates: {duplicates}")
    print(f"wall time: {wall:.1f} s; peak memory (max RSS): {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--recipients", type=int, default=10_000)
    asyncio.run(main(parser.parse_args()))
