"""`python -m bot qr <payload> --lang ky`: a QR code of a deep link, checked against the content first,
so a printed leaflet never points at nothing."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import segno

from bot.config import Settings
from bot.content import require_content
from bot.models import LANGUAGES
from bot.services import deeplinks


def add_parser(commands: argparse._SubParsersAction) -> None:
    qr = commands.add_parser("qr", help="write a QR code (PNG or SVG) of a deep link for leaflets and posters")
    qr.add_argument("payload", help="what the link opens: t-<topic>, g-<group>, c-<COUNTRY>, contacts[-<COUNTRY>], menu")
    qr.add_argument("--lang", choices=LANGUAGES, help="open it in this language")
    qr.add_argument("--bot", help="the bot's username (default: BOT_USERNAME)")
    qr.add_argument("--out", type=Path, help="file to write, .png or .svg (default: <payload>.png)")
    qr.add_argument("--scale", type=int, default=10, help="pixels per QR module in a PNG (default 10)")
    qr.set_defaults(run=run)
    listing = commands.add_parser("links", help="list every deep-link payload the content supports")
    listing.set_defaults(run=run_links)


def run(config: Settings, args: argparse.Namespace) -> int:
    return write_qr(config, args.payload, language=args.lang, bot=args.bot, out=args.out, scale=args.scale)


def run_links(config: Settings, args: argparse.Namespace) -> int:
    return links(config)


def write_qr(
    config: Settings, target: str, *, language: str | None, bot: str | None, out: Path | None, scale: int = 10
) -> int:
    username = bot or config.bot_username
    if not username:
        print("error: give the bot's username with --bot NAME or set BOT_USERNAME", file=sys.stderr)
        return 2
    content = require_content(config.content_dir)
    try:
        payload = deeplinks.build(target, language)
        deeplinks.parse(payload, content)
    except deeplinks.LinkError as error:
        print(f"error: {error}. See `python -m bot links` for what can be linked.", file=sys.stderr)
        return 2
    out = out or Path(f"{payload}.png")
    if out.suffix.lower() not in (".png", ".svg"):
        print(f"error: {out}: write a .png or an .svg file", file=sys.stderr)
        return 2
    link = deeplinks.url(username, payload)
    code = segno.make(link, error="m")  # medium error correction survives a crease or a smudge
    code.save(str(out), scale=scale if out.suffix.lower() == ".png" else 4, border=4)
    print(f"{link}\nwritten to {out}")
    return 0


def links(config: Settings) -> int:
    content = require_content(config.content_dir)
    for target in deeplinks.all_targets(content):
        print(target)
    return 0
