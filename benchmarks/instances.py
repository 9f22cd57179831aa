"""Updates/s and p99 of the bot as processes in webhook mode: one instance on SQLite, one on PostgreSQL,
and two on PostgreSQL with Redis behind a round-robin proxy, in one run.

    python benchmarks/instances.py [--people 200] [--steps 8] [--concurrency 40]
        [--postgres postgresql://postgres@127.0.0.1:5432/test] [--redis redis://127.0.0.1:6379/0]

Each set-up gets a fresh database. `people` people, `concurrency` at a time, each sends /start, taps a
language, then `steps` more updates (/menu, a menu tap, free text), one after another as a person does:
the latency of an update is from the moment the sandbox queues it to the bot's first answer in that chat
(the webhook post, the proxy, the handling and the answer's request: the whole trip). Telegram's flood
limits are off in the sandbox, so the figures are the bot's own. Everything (the processes, PostgreSQL,
Redis and this driver) shares the machine: on a machine with few cores, a second instance competes with
the first for them, and the figures say what this machine gives, not what two machines would.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import aiohttp

from bot.i18n import LANGUAGE_NAMES
from bot.sandbox.core import Limits, Sandbox, SandboxEvent
from bot.sandbox.server import SandboxServer
from tests.conftest import until
from tests.test_e2e import BotProcess
from tests.test_several_instances import Proxy, _healthy
from tests.test_webhook import PUBLIC, SECRET, free_port

FREE_TEXT = ["Salom, ishga qanday borsam boʻladi?", "Паспортумду алып коюшту", "Помогите пожалуйста", "ok"]


async def fresh_postgres(server: str) -> tuple[str, str]:
    import asyncpg

    name = f"bench_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(server)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    return server.rsplit("/", 1)[0] + "/" + name, name


async def drop_postgres(server: str, name: str) -> None:
    import asyncpg

    admin = await asyncpg.connect(server)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


class Driver:
    """People, each one update at a time, timed to the bot's first answer in their chat."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox
        self.waiting: dict[int, asyncio.Future[None]] = {}
        self.latencies: list[float] = []
        sandbox.listeners.append(self._seen)

    def _seen(self, event: SandboxEvent) -> None:
        future = self.waiting.pop(event.chat_id, None)
        if future is not None and not future.done():
            future.set_result(None)

    async def send(self, user_id: int, update: dict[str, Any]) -> None:
        future = asyncio.get_running_loop().create_future()
        self.waiting[user_id] = future
        started = time.perf_counter()
        self.sandbox.enqueue(update)
        await asyncio.wait_for(future, 60)
        self.latencies.append(time.perf_counter() - started)
        await asyncio.sleep(0.05)  # the rest of the answer lands; a person does not tap faster

    async def person(self, user_id: int, steps: int, rng: random.Random) -> None:
        sandbox = self.sandbox
        await self.send(user_id, sandbox.user_message(user_id, "/start"))
        picker = sandbox.bot_messages(user_id)[-1]
        labels = {b["text"]: b["callback_data"] for row in picker.buttons for b in row}
        await self.send(user_id, sandbox.user_click(user_id, picker, labels[rng.choice(list(LANGUAGE_NAMES.values()))]))
        for _ in range(steps):
            last = sandbox.bot_messages(user_id)[-1]
            roll = rng.random()
            if roll < 0.4 and last.inline:
                button = rng.choice([b for row in last.buttons for b in row if "callback_data" in b] or [None])
                if button is not None:
                    await self.send(user_id, sandbox.user_click(user_id, last, button["callback_data"]))
                    continue
            if roll < 0.75:
                await self.send(user_id, sandbox.user_message(user_id, "/menu"))
            else:
                await self.send(user_id, sandbox.user_message(user_id, rng.choice(FREE_TEXT)))


@contextlib.asynccontextmanager
async def bots(sandbox: Sandbox, folder: Path, env: list[dict[str, str]]) -> AsyncIterator[None]:
    server = SandboxServer(sandbox)
    api = await server.start()
    ports = [free_port() for _ in env]
    proxy = Proxy([f"http://127.0.0.1:{port}" for port in ports])
    sandbox.route_webhook(PUBLIC, await proxy.start())
    processes = []
    try:
        for number, (extra, port) in enumerate(zip(env, ports, strict=True)):
            (folder / str(number)).mkdir()
            bot = BotProcess(api, folder / str(number) / "bot.sqlite3", "--webhook")
            bot.env.update(WEBHOOK_URL=f"{PUBLIC}/telegram", WEBHOOK_SECRET=SECRET, WEBHOOK_LISTEN=f"127.0.0.1:{port}",
                           LOG_LEVEL="WARNING", MAX_IN_FLIGHT="16", **extra)
            await bot.start()
            processes.append(bot)
            async with aiohttp.ClientSession() as http:
                await _healthy(http, f"http://127.0.0.1:{port}/healthz")
        await until(lambda: sandbox.webhook is not None, "set the webhook", timeout=60)
        yield
    finally:
        for bot in processes:
            if bot.process is not None and bot.process.returncode is None:
                code, output = await bot.stop()
                if code != 0:
                    print(output[-2000:], file=sys.stderr)
        await proxy.stop()
        await server.stop()


async def measure(name: str, env: list[dict[str, str]], people: int, steps: int, concurrency: int) -> dict[str, Any]:
    sandbox = Sandbox(limits=Limits.off())
    sandbox.record_requests = False
    with tempfile.TemporaryDirectory() as folder:
        async with bots(sandbox, Path(folder), env):
            driver = Driver(sandbox)
            rng = random.Random(7)
            ids = [sandbox.add_user(20_000 + n, f"B{n}", rng.choice(["ru", "ky", "tg", "uz"])).id for n in range(people)]
            gate = asyncio.Semaphore(concurrency)

            async def one(user_id: int) -> None:
                async with gate:
                    await driver.person(user_id, steps, random.Random(user_id))

            started = time.perf_counter()
            await asyncio.gather(*(one(user_id) for user_id in ids))
            took = time.perf_counter() - started
    lat = sorted(driver.latencies)
    return {"name": name, "updates": len(lat), "per_s": len(lat) / took, "p50": statistics.median(lat) * 1000,
            "p99": lat[int(len(lat) * 0.99) - 1] * 1000}


async def main(people: int, steps: int, concurrency: int, postgres: str, redis: str) -> None:
    results = [await measure("1 instance, SQLite", [{}], people, steps, concurrency)]
    for label, count in (("1 instance, PostgreSQL", 1), ("2 instances, PostgreSQL + Redis", 2)):
        url, name = await fresh_postgres(postgres)
        prefix = f"bench-{uuid.uuid4().hex[:8]}"
        shared = {"REDIS_URL": redis, "REDIS_PREFIX": prefix} if count > 1 else {}
        try:
            env = [{"DATABASE_URL": url, "INSTANCE_NAME": f"bench-{n}", **shared} for n in range(count)]
            results.append(await measure(label, env, people, steps, concurrency))
        finally:
            await drop_postgres(postgres, name)
    print(f"{people} people, {concurrency} at a time, {steps + 2} updates each, webhook through a proxy; cores: {os.cpu_count()}")
    for r in results:
        print(f"{r['name']:<34} {r['updates']:6d} updates  {r['per_s']:7.1f} updates/s  p50 {r['p50']:7.2f} ms  p99 {r['p99']:7.2f} ms")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=200)
    parser.add_argument("--steps", type=int, default=8)
    parser.add_argument("--concurrency", type=int, default=40)
    parser.add_argument("--postgres", default=os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test"))
    parser.add_argument("--redis", default=os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0"))
    args = parser.parse_args()
    asyncio.run(main(args.people, args.steps, args.concurrency, args.postgres, args.redis))
