"""`python -m bot stats --from YYYY-MM-DD --to YYYY-MM-DD | --month YYYY-MM --format csv|series|xlsx|png|pdf
[--out FILE] [--lang ru|ky|tg|uz|en]`: anonymous figures for a period, for donors' reports: the totals or
the series by day as CSV, both as an Excel workbook, the chart /stats shows, or the whole report as a
PDF; in a language of the bot or in English. No personal data: counts only."""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from bot.config import Settings
from bot.content import require_content
from bot.models import LANGUAGES
from bot.services.stats import MAX_DAYS, Period, StatsService
from bot.storage.db import Database

FORMATS = {  # what --format makes, and whether it is text (may go to the screen)
    "csv": "the totals, one row per figure and breakdown item, with readable names",
    "series": "the numbers by day (by week over 62 days) behind the chart",
    "xlsx": "both, as one Excel workbook (needs --out)",
    "png": "the chart (needs --out)",
    "pdf": "the report: figures, breakdowns, leaflets' reach, the chart, cases (needs --out)",
}


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("stats", help="anonymous usage figures for a period: CSV, Excel or the chart")
    today = datetime.now(UTC).date()
    parser.add_argument("--from", dest="start", type=_day, default=today - timedelta(days=6), help="first day, YYYY-MM-DD (default: a week ago)")
    parser.add_argument("--to", dest="end", type=_day, default=today, help="last day, YYYY-MM-DD (default: today)")
    parser.add_argument("--month", type=_month, help="a whole month, YYYY-MM, instead of --from and --to (up to today)")
    parser.add_argument("--format", choices=list(FORMATS), default="csv",
                        help="; ".join(f"{name}: {what}" for name, what in FORMATS.items()))
    parser.add_argument("--out", help="write to this file instead of the screen (xlsx and png need it)")
    parser.add_argument("--lang", choices=[*LANGUAGES, "en"], help="language of the names (default: DEFAULT_LANGUAGE; en: English, for donors)")
    parser.set_defaults(run=run)


def _month(text: str) -> tuple[date, date]:
    try:
        first = date.fromisoformat(f"{text}-01")
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a month (YYYY-MM): {text!r}") from None
    last = (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    return first, min(last, datetime.now(UTC).date())


def _refused(args: argparse.Namespace) -> str | None:
    if args.month:
        args.start, args.end = args.month
    if args.end < args.start:
        return "--to is before --from"
    if (args.end - args.start).days + 1 > MAX_DAYS:
        return f"a period is at most {MAX_DAYS} days"
    if args.format in ("png", "xlsx", "pdf") and not args.out:
        return f"--format {args.format} needs --out FILE"
    return None


async def _made(config: Settings, args: argparse.Namespace, db: Database) -> bytes:
    from bot.i18n import DOMAIN, CatalogI18n  # aiogram's I18n: imported to make a file only (--help: no)
    from bot.screens import exports
    from bot.telegram.chart import chart, report_pdf

    content = require_content(config.content_dir)  # as `run` would: no figures from a bot that would not start
    report = await StatsService(db).report(Period(args.start, args.end))
    locale = args.lang or config.default_language
    i18n = CatalogI18n(path=config.locales_dir, default_locale=config.default_language, domain=DOMAIN)
    with i18n.context(), i18n.use_locale(locale):
        if args.format == "png":
            return await chart(report, datetime.now(UTC).date(), config.ngo_name)
        if args.format == "pdf":
            return await report_pdf(report, content, locale, datetime.now(UTC).date(), config.ngo_name)
        if args.format == "xlsx":
            return exports.workbook(report, content, locale)[1]
        table = exports.totals(report, content, locale) if args.format == "csv" else exports.series(report)
        return exports.to_csv(table)


async def _run(config: Settings, args: argparse.Namespace) -> int:
    if (refused := _refused(args)) is not None:
        print(refused, file=sys.stderr)
        return 2
    db = Database(config.database)
    await db.connect()
    try:
        data = await _made(config, args, db)
    finally:
        await db.close()
    if args.out:
        await asyncio.to_thread(Path(args.out).write_bytes, data)
        print(f"written: {args.out}")
    else:
        sys.stdout.write(data.decode("utf-8-sig"))
    return 0


def run(config: Settings, args: argparse.Namespace) -> int:
    return asyncio.run(_run(config, args))
