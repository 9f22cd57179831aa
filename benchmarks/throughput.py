"""Throughput and latency of the full bot over the in-process sandbox, against a bare aiogram echo bot.

    python benchmarks/throughput.py [--updates 20000] [--users 2000]

Feeds a realistic mix of updates (each person: /start, a language tap, then menu taps, /menu and
free text) one at a time through the real Dispatcher, middlewares and SQLite, and prints
updates/s, p50/p99 handling latency and peak memory; then does the same with an echo bot on the
same sandbox and prints the ratio of the cost per update. Targets (one core): >= 1,000 updates/s,
p99 < 20 ms, <= 3x the echo bot's cost per update.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from aiogram import Bot, Dispatcher, F
from aiogram.types import CallbackQuery, Message, Update

from bot.app import build_app
from bot.config import SANDBOX_TOKEN, Settings
from bot.i18n import LANGUAGE_NAMES
from bot.sandbox.core import Limits, Sandbox
from bot.sandbox.session import SandboxSession

FREE_TEXT = ["Salom, ishga qanday borsam boʻladi?", "Паспортумду алып коюшту", "Помогите пожалуйста", "ok"]


def next_update(sandbox: Sandbox, user_id: int, step: int, rng: random.Random) -> dict:
    """What this person does next: /start, pick a language, then a mix of taps, /menu and text."""
    if step == 0:
        return sandbox.user_message(user_id, "/start")
    messages = sandbox.bot_messages(user_id)
    last = messages[-1] if messages else None
    if step == 1 and last is not None and last.inline:
        labels = {b["text"]: b["callback_data"] for row in last.buttons for b in row}
        data = labels.get(rng.choice(list(LANGUAGE_NAMES.values()))) or last.buttons[0][0]["callback_data"]
        return sandbox.user_click(user_id, last, data)
    roll = rng.random()
    if roll < 0.45 and last is not None and last.inline:
        button = rng.choice([b for row in last.buttons for b in row])
        return sandbox.user_click(user_id, last, button["callback_data"])
    if roll < 0.75:
        return sandbox.user_message(user_id, "/menu")
    return sandbox.user_message(user_id, rng.choice(FREE_TEXT))


async def drive(sandbox: Sandbox, bot: Bot, dp: Dispatcher, users: int, updates: int, seed: int) -> dict:
    rng = random.Random(seed)
    for uid in range(1, users + 1):
        sandbox.add_user(10_000 + uid, f"U{uid}", rng.choice(["ru", "ky", "tg", "uz", "en"]))
    steps = dict.fromkeys(range(10_000 + 1, 10_000 + users + 1), 0)
    ids = list(steps)
    latencies: list[float] = []
    started = time.perf_counter()
    for i in range(updates):
        user_id = ids[i % users] if i < users * 2 else rng.choice(ids)
        raw = next_update(sandbox, user_id, steps[user_id], rng)
        steps[user_id] += 1
        update = Update.model_validate(raw, context={"bot": bot})
        t0 = time.perf_counter()
        await dp.feed_update(bot, update)
        latencies.append(time.perf_counter() - t0)
    elapsed = time.perf_counter() - started
    latencies.sort()
    handling = sum(latencies)
    return {
        "updates_per_s": updates / handling,
        "wall_updates_per_s": updates / elapsed,
        "p50_ms": 1000 * statistics.median(latencies),
        "p99_ms": 1000 * latencies[int(len(latencies) * 0.99) - 1],
        "cost_ms": 1000 * handling / updates,
    }


async def full_bot(users: int, updates: int, seed: int) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        sandbox = Sandbox(limits=Limits.off())
        sandbox.record_requests = False
        config = Settings(_env_file=None, database_path=Path(folder) / "bench.sqlite3", bot_token=None)
        app = await build_app(config, session=SandboxSession(sandbox))
        try:
            result = await drive(sandbox, app.bot, app.dp, users, updates, seed)
        finally:
            await app.close()
        result["users_in_db"] = users
        return result


async def echo_bot(users: int, updates: int, seed: int) -> dict:
    sandbox = Sandbox(limits=Limits.off())
    sandbox.record_requests = False
    bot = Bot(SANDBOX_TOKEN, session=SandboxSession(sandbox))
    dp = Dispatcher()

    @dp.message(F.text)
    async def echo(message: Message) -> None:
        await message.answer(message.text)

    @dp.callback_query()
    async def tap(query: CallbackQuery) -> None:
        await query.answer()
        if isinstance(query.message, Message):
            await query.message.edit_text(f"{query.data} {time.perf_counter()}")

    return await drive(sandbox, bot, dp, users, updates, seed)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=20_000)
    parser.add_argument("--users", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    echo = asyncio.run(echo_bot(args.users, args.updates, args.seed))
    full = asyncio.run(full_bot(args.users, args.updates, args.seed))
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"updates: {args.updates} from {args.users} users, fed one at a time (one core)")
    print(f"full bot : {full['updates_per_s']:8.0f} updates/s  p50 {full['p50_ms']:6.2f} ms  p99 {full['p99_ms']:6.2f} ms")
    print(f"echo bot : {echo['updates_per_s']:8.0f} updates/s  p50 {echo['p50_ms']:6.2f} ms  p99 {echo['p99_ms']:6.2f} ms")
    print(f"cost per update: full {full['cost_ms']:.3f} ms, echo {echo['cost_ms']:.3f} ms, ratio {full['cost_ms'] / echo['cost_ms']:.2f}x")
    print(f"peak memory (max RSS of the process): {peak_mb:.0f} MB")
    ok = full["updates_per_s"] >= 1000 and full["p99_ms"] < 20 and full["cost_ms"] / echo["cost_ms"] <= 3
    print("targets (>= 1000 updates/s, p99 < 20 ms, <= 3x echo):", "met" if ok else "NOT met")


if __name__ == "__main__":
    main()
