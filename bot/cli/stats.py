"""`python -m bot stats --from YYYY-MM-DD --to YYYY-MM-DD --format csv|png [--out FILE] [--lang ru]`:
anonymous figures for a period, for donors' reports, as CSV or as the chart /stats shows. No personal
data: counts only."""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from bot.config import Settings
from bot.content import require_content
from bot.models import LANGUAGES
from bot.services.stats import MAX_DAYS, Period, StatsService, to_csv
from bot.storage.db import Database
from bot.storage.stats import figures


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("stats", help="anonymous usage figures for a period, as CSV")
    today = datetime.now(UTC).date()
    parser.add_argument("--from", dest="start", type=_day, default=today - timedelta(days=6), help="first day, YYYY-MM-DD (default: a week ago)")
    parser.add_argument("--to", dest="end", type=_day, default=today, help="last day, YYYY-MM-DD (default: today)")
    parser.add_argument("--format", choices=["csv", "png"], default="csv", help="csv (one row per figure) or png (the chart)")
    parser.add_argument("--out", help="write to this file instead of the screen (png needs it)")
    parser.add_argument("--lang", choices=list(LANGUAGES), help="language of the chart's labels (default: DEFAULT_LANGUAGE)")
    parser.set_defaults(run=run)


async def _run(config: Settings, args: argparse.Namespace) -> int:
    if args.end < args.start:
        print("--to is before --from", file=sys.stderr)
        return 2
    if (args.end - args.start).days + 1 > MAX_DAYS:
        print(f"a period is at most {MAX_DAYS} days", file=sys.stderr)
        return 2
    if args.format == "png" and not args.out:
        print("--format png needs --out FILE", file=sys.stderr)
        return 2
    db = Database(config.database)
    await db.connect()
    try:
        if args.format == "png":
            from bot.i18n import DOMAIN, CatalogI18n  # aiogram's I18n: imported for the chart only (--help, csv: no)
            from bot.telegram.chart import chart

            require_content(config.content_dir)  # as `run` would: no chart from a bot that would not start
            stats = StatsService(db)
            i18n = CatalogI18n(path=config.locales_dir, default_locale=config.default_language, domain=DOMAIN)
            with i18n.context(), i18n.use_locale(args.lang or config.default_language):
                data = await chart(await stats.report(Period(args.start, args.end)))
        else:
            data = to_csv(await figures(db, args.start, args.end), args.start, args.end).encode("utf-8")
    finally:
        await db.close()
    if args.out:
        await asyncio.to_thread(Path(args.out).write_bytes, data)
        print(f"written: {args.out}")
    else:
        sys.stdout.write(data.decode("utf-8"))
    return 0


def run(config: Settings, args: argparse.Namespace) -> int:
    return asyncio.run(_run(config, args))
