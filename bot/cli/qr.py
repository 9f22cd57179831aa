"""`python -m bot qr <payload> --lang ky`: a QR code of a deep link, checked against the content first,
so a printed leaflet never points at nothing."""

from __future__ import annotations

import sys
from pathlib import Path

import segno

from bot.config import Settings
from bot.content import require_content
from bot.services import deeplinks


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
    code.save(out, scale=scale if out.suffix.lower() == ".png" else 4, border=4)
    print(f"{link}\nwritten to {out}")
    return 0


def links(config: Settings) -> int:
    content = require_content(config.content_dir)
    for target in deeplinks.all_targets(content):
        print(target)
    return 0
