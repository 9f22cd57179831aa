"""`python -m bot i18n`: locales/*/messages.po updated from the source (new strings untranslated)."""

from __future__ import annotations

import argparse
from pathlib import Path

from bot.config import Settings


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("i18n", help="update locales/*/messages.po from the source (new strings untranslated)")
    parser.set_defaults(run=run)


def run(config: Settings, args: argparse.Namespace) -> int:
    from bot.content.catalogs import update_catalogs

    written = update_catalogs(Path(config.locales_dir))
    for path in written:
        print(f"updated {path}")
    if not written:
        print("every catalog is up to date: nothing written")
    return 0
