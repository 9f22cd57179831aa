"""`python -m bot run | try | check | i18n | qr | links | agencies | stats | broadcast | db | backup | restore`.

One module per subcommand: `add_parser(commands)` declares it (and sets `run` on its parser's
defaults), `run(config, args)` does it and returns the exit code.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable
from importlib import import_module
from types import ModuleType

from bot.config import ConfigError, Settings, load_settings
from bot.content import ContentError

# Each command's module, in the order `--help` lists them (qr adds `qr` and `links`, backup adds `backup` and `restore`). Only the chosen
# command's module is imported: `check` and `i18n` start without aiogram.
MODULES = ("run", "tryout", "check", "i18n", "qr", "agencies", "stats", "broadcast", "db", "backup")
COMMANDS: dict[str, str] = {
    "run": "run", "try": "tryout", "check": "check", "i18n": "i18n", "qr": "qr", "links": "qr",
    "agencies": "agencies", "stats": "stats", "broadcast": "broadcast", "db": "db", "backup": "backup", "restore": "backup",
}
Command = Callable[[Settings, argparse.Namespace], int]


def modules(argv: list[str] | None = None) -> list[ModuleType]:
    """The module of the command in `argv`; every module when there is none (`--help`, a typo)."""
    chosen = next((word for word in (sys.argv[1:] if argv is None else argv) if not word.startswith("-")), None)
    names = [COMMANDS[chosen]] if chosen in COMMANDS else list(MODULES)
    return [import_module(f"bot.cli.{name}") for name in names]


def parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="python -m bot", description="Safe-migration Telegram bot")
    commands = top.add_subparsers(dest="command", required=True)
    for module in modules(argv):
        module.add_parser(commands)
    return top


def main(argv: list[str] | None = None) -> int:
    args = parser(argv).parse_args(argv)
    try:
        config = load_settings()
    except ConfigError as error:
        print(f"Configuration error: {error}", file=sys.stderr)
        return 2
    if config.log_format == "json":  # one JSON object per line, for a log collector (python-json-logger)
        from pythonjsonlogger.json import JsonFormatter

        handler = logging.StreamHandler()
        handler.setFormatter(JsonFormatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
        logging.basicConfig(level=config.log_level, handlers=[handler])
    else:
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
