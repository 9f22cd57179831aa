"""`python -m bot agencies import FILE --country KG [--source URL --date YYYY-MM-DD]`, `agencies list` and
`agencies template [--to FILE] [--english]`.

An import replaces the country's snapshot in the bot's database, all or nothing; a running bot sees
it at its next search. Problems are printed one per line, and nothing changes.
"""

from __future__ import annotations

import argparse
import asyncio
from datetime import UTC, datetime
from pathlib import Path

from bot.config import Settings
from bot.services.agency import TEMPLATE_NAME, AgencyService, RegistryError, load_file, registry_template
from bot.storage.agencies import AgencyRepository
from bot.storage.db import Database


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("agencies", help="licensed-agency registries: import a file, list what is loaded")
    actions = parser.add_subparsers(dest="action", required=True)
    load = actions.add_parser("import", help="replace a country's registry with an Excel, CSV or YAML file (all or nothing)")
    load.add_argument("file", help="the registry file, .xlsx, .csv or .yaml (columns in the template and README, 'Agency registries')")
    load.add_argument("--country", help="KG, TJ, UZ or KZ (a YAML file may say it itself)")
    load.add_argument("--source", help="where the list comes from: a link or a precise reference")
    load.add_argument("--date", help="the date of the list, YYYY-MM-DD")
    actions.add_parser("list", help="the registries loaded: country, rows, date of the list, source")
    template = actions.add_parser("template", help="write the registry template (.xlsx): the columns and what each holds")
    template.add_argument("--to", default=TEMPLATE_NAME, help=f"where to write it (default: {TEMPLATE_NAME})")
    template.add_argument("--english", action="store_true", help="English column names (the default is Russian; both are read)")
    parser.set_defaults(run=run)


def _template(args: argparse.Namespace) -> int:
    path = Path(args.to)
    try:
        path.write_bytes(registry_template(english=args.english))
    except OSError as error:
        print(f"cannot write {path}: {error.strerror}")
        return 1
    print(f"wrote {path}: fill in the first sheet, one agency per row; the second sheet says what each column holds")
    return 0


async def _run(config: Settings, args: argparse.Namespace) -> int:
    db = Database(config.database)
    await db.connect()
    try:
        service = AgencyService(db, AgencyRepository(db))
        if args.action == "list":
            snapshots = await service.snapshots()
            if not snapshots:
                print("no registry loaded")
            for s in snapshots.values():
                sample = "  [SAMPLE DATA]" if s.sample else ""
                print(f"{s.country}: {s.rows} agencies, list of {s.source_date}, imported {s.imported_at:%Y-%m-%d %H:%M} UTC{sample}\n    {s.source}")
            return 0
        try:
            registry = load_file(
                args.file, country=args.country, source=args.source, source_date=args.date,
                today=datetime.now(UTC).date(),
            )
        except OSError as error:
            print(f"cannot read {args.file}: {error.strerror}")
            return 1
        except RegistryError as error:
            print(f"nothing imported: {len(error.problems)} problem(s) in {args.file}")
            for problem in error.problems:
                print(f"  {problem}")
            return 1
        imported = await service.import_registry(registry)
        print(f"{imported.country}: {imported.rows} agencies imported (replacing {imported.before}), list of {registry.source_date}")
        if registry.sample:
            print("  marked as SAMPLE data: people see a TEST DATA warning on every result")
        return 0
    finally:
        await db.close()


def run(config: Settings, args: argparse.Namespace) -> int:
    if args.action == "template":  # no database
        return _template(args)
    return asyncio.run(_run(config, args))
