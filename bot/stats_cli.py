"""`python -m bot stats --from YYYY-MM-DD --to YYYY-MM-DD --format csv [--out FILE]`: anonymous figures
for a period, for donors' reports. No personal data: counts only."""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import UTC, date, datetime, timedelta

from bot.config import Settings
from bot.services.events import figures, to_csv
from bot.storage.db import Database


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def add_parser(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = commands.add_parser("stats", help="anonymous usage figures for a period, as CSV")
    today = datetime.now(UTC).date()
    parser.add_argument("--from", dest="start", type=_day, default=today - timedelta(days=6), help="first day, YYYY-MM-DD (default: a week ago)")
    parser.add_argument("--to", dest="end", type=_day, default=today, help="last day, YYYY-MM-DD (default: today)")
    parser.add_argument("--format", choices=["csv"], default="csv", help="output format (csv)")
    parser.add_argument("--out", help="write to this file instead of the screen")


async def _run(config: Settings, args: argparse.Namespace) -> int:
    if args.end < args.start:
        print("--to is before --from", file=sys.stderr)
        return 2
    db = Database(config.database_path)
    await db.connect()
    try:
        text = to_csv(await figures(db, args.start, args.end), args.start, args.end)
    finally:
        await db.close()
    if args.out:
        with open(args.out, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        print(f"written: {args.out}")
    else:
        sys.stdout.write(text)
    return 0


def run(config: Settings, args: argparse.Namespace) -> int:
    return asyncio.run(_run(config, args))
