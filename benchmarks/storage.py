"""The storage layer's cost per update, this tree against a baseline checkout, in one run.

    python benchmarks/storage.py --root /path/to/baseline [--updates 6000] [--users 600] [--rounds 3]

Each tree runs in a process of its own (its own `bot` package): the full bot on SQLite over the
in-process sandbox, fed the mix of benchmarks/throughput.py one update at a time. Every call of the
Database (fetchone, fetchall, execute, insert, returning, executemany) is timed, so the
figures are the whole cost per update and the part of it spent in the storage layer. Rounds alternate
between the trees, and the best round of each is printed (the least disturbed by the machine).
Make a baseline with `git worktree add /tmp/baseline <commit>`.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
CALLS = ("fetchone", "fetchall", "execute", "insert", "returning", "executemany")


def timed_database(spent: list[float]) -> None:
    """Wrap the Database's calls of whatever tree is imported, adding their time to spent[0]."""
    from bot.storage import db as storage

    def wrap(method: Any) -> Any:
        async def call(self: Any, *args: Any, **kwargs: Any) -> Any:
            t0 = time.perf_counter()
            try:
                return await method(self, *args, **kwargs)
            finally:
                spent[0] += time.perf_counter() - t0

        return call

    for name in CALLS:
        setattr(storage.Database, name, wrap(getattr(storage.Database, name)))


async def child(updates: int, users: int, seed: int) -> dict[str, float]:
    spent = [0.0]
    timed_database(spent)  # the tree's bot is imported by now (sys.path), before throughput adds this one's
    sys.path.insert(1, str(HERE))
    import throughput

    result: dict[str, float] = (await throughput.full_bot(users, updates, seed))["all"]
    result["storage_ms"] = 1000 * spent[0] / updates
    return result


def run_tree(root: Path, args: argparse.Namespace) -> dict[str, float]:
    code = (
        f"import sys, asyncio, json; sys.path.insert(0, {str(root)!r}); import bot; "
        f"sys.path.insert(1, {str(HERE)!r}); import storage; "
        f"print(json.dumps(asyncio.run(storage.child({args.updates}, {args.users}, {args.seed}))))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, required=True, help="a checkout of the baseline")
    parser.add_argument("--updates", type=int, default=6_000)
    parser.add_argument("--users", type=int, default=600)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    trees = {"baseline": args.root.resolve(), "this tree": HERE.parent}
    best: dict[str, dict[str, float]] = {}
    for _ in range(args.rounds):
        for name, root in trees.items():
            result = run_tree(root, args)
            if name not in best or result["cost_ms"] < best[name]["cost_ms"]:
                best[name] = result
    print(f"{args.updates} updates from {args.users} people, SQLite, one at a time; best of {args.rounds} rounds each")
    for name, result in best.items():
        print(f"{name:9}: {result['updates_per_s']:6.0f} updates/s  p50 {result['p50_ms']:5.2f} ms  p99 {result['p99_ms']:6.2f} ms  "
              f"cost {result['cost_ms']:.3f} ms/update, of it storage {result['storage_ms']:.3f} ms")
    base, this = best["baseline"], best["this tree"]
    print(f"change: cost per update {100 * (this['cost_ms'] / base['cost_ms'] - 1):+.1f}%, "
          f"storage per update {100 * (this['storage_ms'] / base['storage_ms'] - 1):+.1f}% (limit: the bot no more than 10% slower)")


if __name__ == "__main__":
    main()
