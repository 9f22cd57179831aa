"""How long hearing danger in a message takes, in every language.

    python benchmarks/danger.py [--rounds 20] [--root .]

Reads the phrase tables (tests/phrases/<lang>.yaml: real phrasings of danger, emergencies and innocent
messages, 650 messages in all) and times the bot's own calls on each message, in the language of its
table: SearchIndex.is_danger (run by the triage on every message to a consultant and by the agency
check on a typed name) and SearchIndex.answer (a free-text question: topics, signs, emergency). The
first call on a message is timed (a message is read once); every round changes each message so no
cache helps. `--root` points at another checkout (e.g. a worktree of an older commit) to compare:
the tables are always read from this checkout. Prints median, p99 and max in ms per call.
"""

from __future__ import annotations

import argparse
import inspect
import statistics
import sys
import time
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--root", type=Path, default=HERE, help="the checkout whose code and content are timed")
    args = parser.parse_args()
    sys.path.insert(0, str(args.root.resolve()))
    from bot.content import require_content
    from bot.services.search import SearchIndex

    index = SearchIndex(require_content(args.root / "content"))
    messages: list[tuple[str, str]] = []
    for table in sorted((HERE / "tests" / "phrases").glob("*.yaml")):
        data = yaml.safe_load(table.read_text(encoding="utf-8"))
        texts = [text for group in data["danger"].values() for text in group] + data["emergency"] + data["safe"]
        messages += [(table.stem, text) for text in texts]
    fitted = "country" in inspect.signature(index.answer).parameters  # an older checkout's answer() has no place

    def answer(lang: str, text: str) -> object:
        return index.answer(lang, text, "KG", "RU") if fitted else index.answer(lang, text, "KG")

    for name, call in (("is_danger", index.is_danger), ("answer", answer)):
        times = []
        for round_ in range(args.rounds):
            for lang, text in messages:
                started = time.perf_counter()
                call(lang, f"{text} {round_}")
                times.append((time.perf_counter() - started) * 1000)
        times.sort()
        print(f"{name:9}: {len(messages)} messages x {args.rounds}: median {statistics.median(times):.2f} ms, "
              f"p99 {times[int(len(times) * 0.99)]:.2f} ms, max {times[-1]:.2f} ms")


if __name__ == "__main__":
    main()
