"""`python -m bot backup [--to FILE] [--keep N]` and `python -m bot restore --from FILE [--force]`.

backup: the SQLite database as it is at one instant, safe while the bot runs (nothing waits for it), to
`--to FILE` or to `backups/bot-YYYYMMDD-HHMMSS.sqlite3` beside the database; the copy is checked and is
readable by the bot's user only (it holds every case's messages). `--keep N` then deletes all but the N
newest backups in that folder.

restore: stop the bot first. The database in place is moved aside (`<name>.before-restore-<time>`),
never deleted; the backup is copied in and brought to the newest schema; start the bot again.

On PostgreSQL (DATABASE_URL) both say how to do it with pg_dump and pg_restore, which do it better.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path

from bot.config import Settings

POSTGRES_HOWTO = """On PostgreSQL, back up and restore with PostgreSQL's own tools (safe while the bot runs):
  pg_dump --format=custom --file=bot-$(date +%Y%m%d-%H%M%S).dump "$DATABASE_URL"
  pg_restore --clean --if-exists --no-owner --dbname="$DATABASE_URL" bot-YYYYMMDD-HHMMSS.dump   (the bot stopped)
The dump holds every case's messages: keep it where only the bot's administrators can read it."""


def add_parser(commands: argparse._SubParsersAction) -> None:
    made = commands.add_parser("backup", help="a copy of the database, safe while the bot runs")
    made.add_argument("--to", dest="target", type=Path, help="the new file (default: backups/bot-<time>.sqlite3 beside the database)")
    made.add_argument("--keep", type=int, default=None, help="then delete all but this many newest backups in that folder")
    made.set_defaults(run=run_backup)
    back = commands.add_parser("restore", help="put a backup in place of the database (stop the bot first)")
    back.add_argument("--from", dest="source", type=Path, required=True, help="a file `backup` made")
    back.add_argument("--force", action="store_true", help="the database looks in use but the bot is stopped (it died)")
    back.set_defaults(run=run_restore)


def run_backup(config: Settings, args: argparse.Namespace) -> int:
    from bot.storage.backup import BackupError, backup, default_name, prune

    if config.database_url:
        print(POSTGRES_HOWTO)
        return 2
    if args.keep is not None and args.keep < 1:
        print("--keep: at least 1", file=sys.stderr)
        return 2
    target = args.target or config.database_path.parent / "backups" / default_name(datetime.now(UTC))
    try:
        held = backup(config.database_path, target)
    except BackupError as error:
        print(f"no backup made: {error}", file=sys.stderr)
        return 1
    print(f"backup: {target} ({target.stat().st_size // 1024} KB; {held.line()}); checked: ok")
    if args.keep is not None:
        for gone in prune(target.parent, args.keep):
            print(f"deleted an older backup: {gone.name}")
    return 0


def run_restore(config: Settings, args: argparse.Namespace) -> int:
    from bot.storage.backup import BackupError, restore

    if config.database_url:
        print(POSTGRES_HOWTO)
        return 2
    try:
        held, aside = restore(args.source, config.database_path, datetime.now(UTC), force=args.force)
    except BackupError as error:
        print(f"nothing restored: {error}", file=sys.stderr)
        return 1
    if aside is not None:
        print(f"the database that was there is kept as {aside}")
    print(f"restored {args.source} to {config.database_path}: {held.line()}. Start the bot again.")
    return 0
