"""Throughput, latency and CPU of the full bot over the in-process sandbox, against a bare aiogram echo bot.

    python benchmarks/throughput.py [--updates 20000] [--users 2000] [--root /path/to/baseline]

Each bot runs in a process of its own. Every person first starts the bot and picks a language
(onboarding: 2 updates each), then the mixed traffic follows: taps on what the bot showed last,
/menu, and questions typed in four languages. Updates are fed one at a time through the real
Dispatcher, middlewares and SQLite. For each phase it prints updates/s (1 / the mean handling time),
p50 and p99 of the handling time, and the CPU time per update; for the mixed phase also the echo bot's
figures in the same run, the ratio of CPU per update, and what the free-text search costs per message.
With --root, the full bot of a baseline checkout (`git worktree add /tmp/baseline <commit>`) runs too,
so before and after are measured in one run.

Targets on the mixed phase: full bot CPU per update <= 2.5x the echo bot's, p99 < 15 ms, search p99 < 2 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent

# Questions as people type them: short and long, in each language, in the other script, with typos.
FREE_TEXT = [
    "Salom, ishga qanday borsam boʻladi?", "Паспортумду алып коюшту", "Помогите пожалуйста", "ok",
    "Как получить патент на работу в Москве и сколько он стоит?", "работодатель не платит зарплату уже два месяца",
    "Иш берүүчү айлыгымды бербей жатат, эмне кылсам болот?", "Кореяга кантип барса болот",
    "Корфармо маоши маро намедиҳад, чӣ кор кунам?", "шиносномаамро гирифтанд",
    "Ish beruvchi pasportimni olib qoʻydi va qaytarmayapti", "patent narxi qancha",
    "регистрация", "мигрант картасы жоголуп кетти", "хочу вернуться домой но нет денег на билет", "viza",
]


def next_update(sandbox: Any, user_id: int, step: int, rng: random.Random, names: list[str]) -> dict:
    """What this person does next: /start, pick a language, then a mix of taps, /menu and text."""
    if step == 0:
        return sandbox.user_message(user_id, "/start")
    messages = sandbox.bot_messages(user_id)
    last = messages[-1] if messages else None
    if step == 1 and last is not None and last.inline:
        labels = {b["text"]: b["callback_data"] for row in last.buttons for b in row}
        data = labels.get(rng.choice(names)) or last.buttons[0][0]["callback_data"]
        return sandbox.user_click(user_id, last, data)
    roll = rng.random()
    if roll < 0.45 and last is not None and last.inline:
        button = rng.choice([b for row in last.buttons for b in row])
        return sandbox.user_click(user_id, last, button["callback_data"])
    if roll < 0.70:
        return sandbox.user_message(user_id, "/menu")
    return sandbox.user_message(user_id, rng.choice(FREE_TEXT))


def _p99(ordered: list[float]) -> float:
    return ordered[max(int(len(ordered) * 0.99) - 1, 0)]


def _phase(latencies: list[float], cpu: float) -> dict[str, float]:
    ordered = sorted(latencies)
    handling = sum(ordered)
    return {
        "updates": len(ordered),
        "updates_per_s": len(ordered) / handling,
        "p50_ms": 1000 * statistics.median(ordered),
        "p99_ms": 1000 * _p99(ordered),
        "cpu_ms": 1000 * cpu / len(ordered),
        "cost_ms": 1000 * handling / len(ordered),
    }


async def drive(sandbox: Any, bot: Any, dp: Any, users: int, updates: int, seed: int) -> dict[str, Any]:
    from aiogram.types import Update

    from bot.i18n import LANGUAGE_NAMES  # of the tree under test

    names = list(LANGUAGE_NAMES.values())
    rng = random.Random(seed)
    for uid in range(1, users + 1):
        sandbox.add_user(10_000 + uid, f"U{uid}", rng.choice(["ru", "ky", "tg", "uz", "en"]))
    steps = dict.fromkeys(range(10_000 + 1, 10_000 + users + 1), 0)
    ids = list(steps)
    phases: dict[str, list[float]] = {"onboarding": [], "mixed": []}
    cpu = {"onboarding": 0.0, "mixed": 0.0}
    for i in range(updates):
        phase = "onboarding" if i < users * 2 else "mixed"
        user_id = ids[i % users] if i < users * 2 else rng.choice(ids)
        raw = next_update(sandbox, user_id, steps[user_id], rng, names)
        steps[user_id] += 1
        update = Update.model_validate(raw, context={"bot": bot})
        c0 = time.process_time()
        t0 = time.perf_counter()
        await dp.feed_update(bot, update)
        phases[phase].append(time.perf_counter() - t0)
        cpu[phase] += time.process_time() - c0
    result: dict[str, Any] = {name: _phase(values, cpu[name]) for name, values in phases.items() if values}
    result["all"] = _phase([*phases["onboarding"], *phases["mixed"]], sum(cpu.values()))
    return result


async def full_bot(users: int, updates: int, seed: int) -> dict[str, Any]:
    """The bot of whichever tree is on sys.path, as `run` starts it (settled, where that tree can)."""
    from bot import app as application
    from bot.config import Settings
    from bot.sandbox.core import Limits, Sandbox
    from bot.sandbox.session import SandboxSession
    from bot.services.search import SearchIndex

    searches: list[float] = []
    answer = SearchIndex.answer

    def timed(self: Any, *args: Any, **kwargs: Any) -> Any:
        t0 = time.perf_counter()
        try:
            return answer(self, *args, **kwargs)
        finally:
            searches.append(time.perf_counter() - t0)

    SearchIndex.answer = timed  # type: ignore[method-assign]
    with tempfile.TemporaryDirectory() as folder:
        sandbox = Sandbox(limits=Limits.off())
        sandbox.record_requests = False
        config = Settings(_env_file=None, database_path=Path(folder) / "bench.sqlite3", bot_token=None)
        app = await application.build_app(config, session=SandboxSession(sandbox))
        if hasattr(application, "settle"):
            application.settle()
        try:
            result = await drive(sandbox, app.bot, app.dp, users, updates, seed)
        finally:
            await app.close()
    searches.sort()
    result["search"] = {
        "messages": len(searches),
        "p50_ms": 1000 * statistics.median(searches) if searches else 0.0,
        "p99_ms": 1000 * _p99(searches) if searches else 0.0,
    }
    return result


async def echo_bot(users: int, updates: int, seed: int) -> dict[str, Any]:
    from aiogram import Bot, Dispatcher, F
    from aiogram.types import CallbackQuery, Message

    from bot.config import SANDBOX_TOKEN
    from bot.sandbox.core import Limits, Sandbox
    from bot.sandbox.session import SandboxSession

    sandbox = Sandbox(limits=Limits.off())
    sandbox.record_requests = False
    bot = Bot(SANDBOX_TOKEN, session=SandboxSession(sandbox))
    dp = Dispatcher()

    @dp.message(F.text)
    async def echo(message: Message) -> None:
        await message.answer(message.text or "")

    @dp.callback_query()
    async def tap(query: CallbackQuery) -> None:
        await query.answer()
        if isinstance(query.message, Message):
            await query.message.edit_text(f"{query.data} {time.perf_counter()}")

    return await drive(sandbox, bot, dp, users, updates, seed)


def child(kind: str, users: int, updates: int, seed: int) -> None:
    """In a process of its own: one bot's figures as JSON on the last line."""
    result = asyncio.run((full_bot if kind == "full" else echo_bot)(users, updates, seed))
    result["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(result))


def run(kind: str, root: Path, args: argparse.Namespace) -> dict[str, Any]:
    code = (
        f"import sys; sys.path.insert(0, {str(root)!r}); import bot; sys.path.insert(1, {str(HERE)!r}); "
        f"import throughput; throughput.child({kind!r}, {args.users}, {args.updates}, {args.seed})"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"{kind} bot of {root} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def line(name: str, figures: dict[str, float]) -> str:
    return (f"{name:16}: {figures['updates_per_s']:6.0f} updates/s  p50 {figures['p50_ms']:6.2f} ms  "
            f"p99 {figures['p99_ms']:6.2f} ms  CPU {figures['cpu_ms']:.3f} ms/update")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=20_000)
    parser.add_argument("--users", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--root", type=Path, default=None, help="a checkout of the baseline, measured in the same run")
    args = parser.parse_args()
    trees = {"full bot": HERE.parent}
    if args.root is not None:
        trees = {"full bot, before": args.root.resolve(), "full bot, after": HERE.parent}
    echo = run("echo", HERE.parent, args)
    fulls = {name: run("full", root, args) for name, root in trees.items()}
    onboarding = 2 * args.users
    print(f"{args.updates} updates from {args.users} people, one at a time (one core): "
          f"onboarding {onboarding} (/start and a language), mixed {args.updates - onboarding}")
    print("onboarding")
    for name, result in fulls.items():
        print("  " + line(name, result["onboarding"]))
    print("  " + line("echo bot", echo["onboarding"]))
    print("mixed traffic")
    for name, result in fulls.items():
        print("  " + line(name, result["mixed"]))
    print("  " + line("echo bot", echo["mixed"]))
    for name, result in fulls.items():
        ratio = result["mixed"]["cpu_ms"] / echo["mixed"]["cpu_ms"]
        search = result["search"]
        print(f"{name}: CPU per update {ratio:.2f}x the echo bot's; search p50 {search['p50_ms']:.3f} ms, "
              f"p99 {search['p99_ms']:.3f} ms per message ({search['messages']} messages); peak memory {result['peak_mb']:.0f} MB")
    last = list(fulls.values())[-1]
    ok = (last["mixed"]["cpu_ms"] / echo["mixed"]["cpu_ms"] <= 2.5 and last["mixed"]["p99_ms"] < 15
          and last["search"]["p99_ms"] < 2)
    print("targets on the mixed phase (CPU <= 2.5x echo, p99 < 15 ms, search p99 < 2 ms):", "met" if ok else "NOT met")


if __name__ == "__main__":
    main()
