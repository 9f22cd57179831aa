"""A surge against the bot as a process: updates offered faster than it can handle, and its memory.

    python benchmarks/surge.py [--rate 2000] [--seconds 10] [--people 2000] [--max-in-flight 16]

Starts `python -m bot run` against the sandbox's HTTP face, measures how long it takes from the
process start to its first getUpdates (polling must not wait for anything), lets it settle, then
offers `--rate` /menu updates a second for `--seconds` from `--people` people. Prints the resident
memory (RSS) of the process idle, at its peak during the surge and once the surge is handled, how
many updates were answered, how long that took, and the most updates the bot fetched per batch.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.config import SANDBOX_TOKEN
from bot.sandbox.core import Limits, Sandbox
from bot.sandbox.server import SandboxServer

ROOT = Path(__file__).resolve().parent.parent


def rss_mib(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


async def main(rate: int, seconds: float, people: int, max_in_flight: int) -> None:
    sandbox = Sandbox(limits=Limits.off())
    users = [sandbox.add_user(6_000_000 + n, "S", ("ru", "ky", "tg", "uz")[n % 4]).id for n in range(people)]
    first_poll: list[float] = []
    polling = asyncio.Event()
    batches: list[int] = []
    original = sandbox.request

    async def watched(token: str, method: str, params: dict, uploads: dict | None = None) -> tuple[int, dict]:
        if method == "getUpdates" and not first_poll:
            first_poll.append(time.monotonic())
            polling.set()
        status, body = await original(token, method, params, uploads)
        if method == "getUpdates" and body.get("result"):
            batches.append(len(body["result"]))
        return status, body

    sandbox.request = watched  # type: ignore[method-assign]
    server = SandboxServer(sandbox)
    url = await server.start()
    with tempfile.TemporaryDirectory() as folder:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "ADMIN_", "CONSULTANT_"))}
        env.update(BOT_TOKEN=SANDBOX_TOKEN, TELEGRAM_API_URL=url, DATABASE_PATH=str(Path(folder) / "bot.sqlite3"),
                   LOG_LEVEL="WARNING", MAX_IN_FLIGHT=str(max_in_flight))
        started = time.monotonic()
        process = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot", "run", cwd=ROOT, env=env,
                                                       stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL)
        await polling.wait()
        print(f"process start to first getUpdates: {first_poll[0] - started:.2f} s")
        await asyncio.sleep(3)
        idle = rss_mib(process.pid)
        answered_before = len(sandbox.events)
        peak = idle
        offered = 0
        surge_start = time.monotonic()
        while (elapsed := time.monotonic() - surge_start) < seconds:
            due = int(elapsed * rate) - offered
            for _ in range(due):
                sandbox.enqueue(sandbox.user_message(users[offered % people], "/menu"))
                offered += 1
            peak = max(peak, rss_mib(process.pid))
            await asyncio.sleep(0.01)
        while sandbox.updates or len(sandbox.events) - answered_before < offered:
            peak = max(peak, rss_mib(process.pid))
            await asyncio.sleep(0.05)
        handled_in = time.monotonic() - surge_start
        await asyncio.sleep(3)
        after = rss_mib(process.pid)
        print(f"offered {offered} updates in {seconds:.0f} s ({rate}/s), all {len(sandbox.events) - answered_before} "
              f"answered after {handled_in:.1f} s ({offered / handled_in:.0f}/s), at most {max_in_flight} in flight, "
              f"largest batch fetched {max(batches, default=0)}")
        print(f"memory (RSS): idle {idle:.0f} MiB, peak {peak:.0f} MiB, after the surge {after:.0f} MiB")
        process.terminate()
        await process.wait()
    await server.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rate", type=int, default=2000)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--people", type=int, default=2000)
    parser.add_argument("--max-in-flight", type=int, default=16)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.rate, arguments.seconds, arguments.people, arguments.max_in_flight))
