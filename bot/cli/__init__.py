"""`python -m bot run | try | check | i18n | qr | links | agencies | stats | broadcast`."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from pathlib import Path

from bot.cli import agencies as agencies_cli
from bot.cli import broadcast as broadcast_cli
from bot.cli import stats as stats_cli
from bot.config import ConfigError, load_settings
from bot.content import ContentError
from bot.models import LANGUAGES


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot", description="Safe-migration Telegram bot")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("run", help="run the bot with long polling against TELEGRAM_API_URL")
    try_parser = commands.add_parser("try", help="chat with the bot in this terminal, no token needed")
    try_parser.add_argument("--lang", default="ru", help="your Telegram app's language (ru, ky, tg, uz, en...)")
    try_parser.add_argument("--user-id", type=int, default=777000001, help="the simulated person's Telegram id")
    commands.add_parser("check", help="validate configuration, content and translations; non-zero exit on problems")
    commands.add_parser("i18n", help="update locales/*/messages.po from the source (new strings untranslated)")
    qr = commands.add_parser("qr", help="write a QR code (PNG or SVG) of a deep link for leaflets and posters")
    qr.add_argument("payload", help="what the link opens: t-<topic>, g-<group>, c-<COUNTRY>, contacts[-<COUNTRY>], menu")
    qr.add_argument("--lang", choices=LANGUAGES, help="open it in this language")
    qr.add_argument("--bot", help="the bot's username (default: BOT_USERNAME)")
    qr.add_argument("--out", type=Path, help="file to write, .png or .svg (default: <payload>.png)")
    qr.add_argument("--scale", type=int, default=10, help="pixels per QR module in a PNG (default 10)")
    commands.add_parser("links", help="list every deep-link payload the content supports")
    agencies_cli.add_parser(commands)
    stats_cli.add_parser(commands)
    broadcast_cli.add_parser(commands)
    args = parser.parse_args(argv)

    try:
        config = load_settings()
    except ConfigError as error:
        print(f"Configuration error: {error}", file=sys.stderr)
        return 2
    logging.basicConfig(level=config.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    try:
        if args.command == "run":
            from bot.cli.run import run

            asyncio.run(run(config))
            return 0
        if args.command == "try":
            from bot.cli.tryout import chat

            return asyncio.run(chat(config, language_code=args.lang, user_id=args.user_id))
        if args.command == "check":
            from bot.cli.check import check

            return check(config)
        if args.command in ("qr", "links"):
            from bot.cli.qr import links, write_qr

            if args.command == "links":
                return links(config)
            return write_qr(config, args.payload, language=args.lang, bot=args.bot, out=args.out, scale=args.scale)
        if args.command == "agencies":
            return agencies_cli.run(config, args)
        if args.command == "stats":
            return stats_cli.run(config, args)
        if args.command == "broadcast":
            return broadcast_cli.run(config, args)
        if args.command == "i18n":
            from bot.i18n import update_catalogs

            for path in update_catalogs(Path(config.locales_dir)):
                print(f"updated {path}")
            return 0
    except ConfigError as error:
        print(f"Configuration error: {error}", file=sys.stderr)
        return 2
    except ContentError as error:
        print(f"Content error, the bot will not start:\n{error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    parser.error(f"unknown command {args.command}")
    return 2

