"""`python -m bot try`: the whole service in a terminal, over the in-process sandbox, no token needed.

You are the person first; `/as aida` makes you a pretend consultant in the consultants' forum group
(the board in General, a topic per case), `/as admin` a pretend NGO admin. Type text to send it, a
button's number to tap it on the newest message (`#12.3`: button 3 of message #12), `/try` for the
commands of this terminal, `/quit` (or Ctrl-D) to leave. Logs go to a file, never into the chat.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import logging
import sys
import tempfile
from pathlib import Path

from bot.config import Settings


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("try", help="the whole service in this terminal (person, consultants, admin), no token needed")
    parser.add_argument("--lang", default=None,
                        help="the bot's language: ru, ky, tg or uz (no language picker); another code (en...) is your "
                             "phone's language and the picker is shown")
    parser.add_argument("--user-id", type=int, default=777000001, help="the person's Telegram id")
    parser.set_defaults(run=run)


def run(config: Settings, args: argparse.Namespace) -> int:
    if isinstance(sys.stdout, io.TextIOWrapper):
        sys.stdout.reconfigure(line_buffering=True)  # a pipe sees each line at once (tests, `| tee`)
    print("Starting the bot in a sandbox Telegram (a few seconds)...", flush=True)
    log_path = log_to_file(config)
    try:
        from bot.cli.terminal import chat  # the bot and aiogram: seconds to import, after the line above

        return asyncio.run(chat(config, language=args.lang, user_id=args.user_id, log_path=log_path))
    except asyncio.CancelledError:  # SIGTERM: stopped, its database deleted
        return 143


def log_to_file(config: Settings) -> Path:
    """Every log line goes to `try.log` beside the database (or in the temporary folder), never to the chat."""
    handler: logging.FileHandler | None = None
    for folder in (config.database_path.parent, Path(tempfile.gettempdir())):
        try:
            folder.mkdir(parents=True, exist_ok=True)
            handler = logging.FileHandler(folder / "try.log", mode="w", encoding="utf-8")
            break
        except OSError:
            continue
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    if handler is None:
        root.addHandler(logging.NullHandler())
        return Path("(nowhere: no folder could be written)")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    root.setLevel(config.log_level)
    logging.captureWarnings(True)  # a library's warning goes to the file too
    path = Path(handler.baseFilename)
    return path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path
