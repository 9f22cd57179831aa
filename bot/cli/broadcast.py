"""`python -m bot broadcast --text "..." [--lang uz] [--citizenship UZ] [--destination RU] [--send]`.

Without --send: shows how many people the text would reach (a dry run). With --send: queues the
broadcast in the bot's database; the running bot sends it at its pace (25 a second overall, each
person once), exactly as an admin's /broadcast. `--status N` shows a broadcast's progress.
"""

from __future__ import annotations

import argparse
import asyncio
import html
from collections.abc import Callable
from datetime import UTC, datetime

from bot.config import Settings
from bot.models import CITIZENSHIPS, DESTINATIONS, LANGUAGES
from bot.services.broadcast import MAX_TEXT, SendAtError, parse_send_at
from bot.storage.broadcasts import BroadcastRepository
from bot.storage.db import Database


def _codes(allowed: tuple[str, ...]) -> Callable[[str], tuple[str, ...]]:
    def parse(text: str) -> tuple[str, ...]:
        codes = tuple(dict.fromkeys(part.strip() for part in text.split(",") if part.strip()))
        unknown = [code for code in codes if code not in allowed]
        if unknown or not codes:
            raise argparse.ArgumentTypeError(f"not one of {', '.join(allowed)}: {', '.join(unknown) or text!r}")
        return codes

    return parse


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("broadcast", help="send an announcement to the bot's users (dry run unless --send)")
    parser.add_argument("--text", help="the announcement; plain text (use --html for Telegram HTML)")
    parser.add_argument("--html", action="store_true", help="the text is Telegram HTML (<b>, <i>, <a href>)")
    parser.add_argument("--lang", type=_codes(LANGUAGES), help=f"only people who chose these languages, e.g. ky,uz ({', '.join(LANGUAGES)})")
    parser.add_argument("--citizenship", type=_codes(CITIZENSHIPS), help=f"only citizens of these countries ({', '.join(CITIZENSHIPS)})")
    parser.add_argument("--destination", type=_codes(DESTINATIONS), help=f"only people going to these countries ({', '.join(DESTINATIONS)})")
    parser.add_argument("--at", help="send it from this time, in ADMIN_TIMEZONE: '18:30', '03.12 18:30' or '2026-12-03 18:30'")
    parser.add_argument("--send", action="store_true", help="queue it for sending (without it: only count)")
    parser.add_argument("--status", type=int, metavar="N", help="show the progress of broadcast N")
    parser.set_defaults(run=run)


async def _run(config: Settings, args: argparse.Namespace) -> int:
    db = Database(config.database)
    await db.connect()
    repo = BroadcastRepository(db)
    try:
        if args.status is not None:
            broadcast = await repo.get(args.status)
            if broadcast is None:
                print(f"no broadcast {args.status}")
                return 1
            counts = await repo.counts(broadcast.id)
            print(f"broadcast {broadcast.id}: {broadcast.status}, {broadcast.total} recipients: "
                  + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
            return 0
        if not args.text or not args.text.strip():
            print("--text is required")
            return 2
        text = args.text if args.html else html.escape(args.text, quote=False)
        if len(text) > MAX_TEXT:
            print(f"the text is too long: {len(text)} characters, at most {MAX_TEXT}")
            return 2
        send_at = None
        if args.at:
            try:
                send_at = parse_send_at(args.at, datetime.now(UTC), config.admin_zone())
            except SendAtError as error:
                print(f"--at {args.at!r}: {error.reason.replace('_', ' ')} (times are in {config.admin_timezone}, up to 30 days ahead)")
                return 2
        count = await repo.count_audience(args.lang, args.citizenship, args.destination)
        if not args.send:
            print(f"would reach {count} people (dry run; add --send to queue it)")
            return 0
        if count == 0:
            print("nobody matches: nothing queued")
            return 1
        async with db.transaction():
            broadcast_id = await repo.create(0, text, args.lang, args.citizenship, args.destination, datetime.now(UTC), send_at)
        created = await repo.get(broadcast_id)
        assert created is not None
        start = f"from {send_at.astimezone(config.admin_zone()):%Y-%m-%d %H:%M} ({config.admin_timezone})" if send_at else "now"
        print(f"broadcast {broadcast_id} queued for {created.total} people; the running bot sends it {start} "
              f"(about {max(1, round(created.total / 25 / 60))} min); follow it with --status {broadcast_id}")
        return 0
    finally:
        await db.close()


def run(config: Settings, args: argparse.Namespace) -> int:
    return asyncio.run(_run(config, args))
