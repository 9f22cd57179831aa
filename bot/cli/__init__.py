"""`python -m bot run | try | check | i18n | qr | links | agencies | stats | broadcast | db`.

One module per subcommand: `add_parser(commands)` declares it (and sets `run` on its parser's
defaults), `run(config, args)` does it and returns the exit code.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable
from types import ModuleType

from bot.cli import agencies, broadcast, check, db, i18n, qr, run, stats, tryout
from bot.config import ConfigError, Settings, load_settings
from bot.content import ContentError

# In the order `--help` lists them (qr adds `qr` and `links`).
COMMANDS: tuple[ModuleType, ...] = (run, tryout, check, i18n, qr, agencies, stats, broadcast, db)
Command = Callable[[Settings, argparse.Namespace], int]


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="python -m bot", description="Safe-migration Telegram bot")
    commands = top.add_subparsers(dest="command", required=True)
    for module in COMMANDS:
        module.add_parser(commands)
    return top


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        config = load_settings()
    except ConfigError as error:
        print(f"Configuration error: {error}", file=sys.stderr)
        return 2
    logging.basicConfig(level=config.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    command: Command = args.run
    try:
        return command(config, args)
    except ConfigError as error:
        print(f"Configuration error: {error}", file=sys.stderr)
        return 2
    except ContentError as error:
        print(f"Content error, the bot will not start:\n{error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
