"""`python -m bot db copy --from URL --to URL`: an existing bot's data moved to another database, checked.

Stop the bot first (a copy of a database in use misses what comes meanwhile). Either side is a SQLite file
(`sqlite:///data/bot.sqlite3`, or a plain path) or `postgresql://user:password@host:5432/database`; the
target is brought to the newest schema and must hold no data. Then set DATABASE_URL to the target.
"""

from __future__ import annotations

import argparse
import asyncio

from bot.config import Settings, database_name
from bot.storage.copy import CopyError, copy_database
from bot.storage.db import Database


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("db", help="the database: copy an existing bot's data to another database (moving up)")
    actions = parser.add_subparsers(dest="action", required=True)
    copy = actions.add_parser("copy", help="copy every row to an empty database, then compare both row by row")
    copy.add_argument("--from", dest="source", required=True, help="sqlite:///path or postgresql://... (the bot's data now)")
    copy.add_argument("--to", dest="target", required=True, help="sqlite:///path or postgresql://... (empty)")
    parser.set_defaults(run=run)


async def _copy(source_url: str, target_url: str) -> int:
    source, target = Database(source_url), Database(target_url)
    await source.connect()
    try:
        await target.connect()
        try:
            report = await copy_database(source, target, progress=lambda line: print(f"  {line}"))
        finally:
            await target.close()
    except CopyError as error:
        print(f"nothing copied: {error}")
        return 1
    finally:
        await source.close()
    if report.mismatches:
        print("the copy differs from the source:")
        for line in report.mismatches:
            print(f"  {line}")
        return 1
    total = sum(report.rows.values())
    print(f"copied {total} rows in {len(report.rows)} tables from {database_name(source_url)} to {database_name(target_url)}; "
          "every row compared: equal")
    return 0


def run(config: Settings, args: argparse.Namespace) -> int:
    return asyncio.run(_copy(args.source, args.target))
