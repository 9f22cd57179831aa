"""`python -m bot check`: configuration, content and translation catalogs; every problem printed."""

from __future__ import annotations

import argparse

from bot.config import Settings
from bot.content import load_content
from bot.content.catalogs import catalog_problems
from bot.services.teams import TeamsError, load_teams


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("check", help="validate configuration, content and translations; non-zero exit on problems")
    parser.set_defaults(run=run)


def run(config: Settings, args: argparse.Namespace) -> int:
    return check(config)


def problems(config: Settings) -> tuple[list[str], list[str]]:
    """(errors, warnings), one line each."""
    errors: list[str] = []
    warnings: list[str] = []
    if config.bot_token is None:
        warnings.append("config: BOT_TOKEN is not set (needed by `run`; `try` and tests do without it)")
    try:
        if not load_teams(config.teams_file, config.consultant_chat_id, config.working_hours):
            warnings.append("config: no CONSULTANT_CHAT_ID or TEAMS_FILE: people asking for a consultant get hotlines only")
    except TeamsError as error:
        errors.append(f"config: TEAMS_FILE: {error}")
    _content, content_problems = load_content(config.content_dir)
    for problem in content_problems:
        (errors if problem.level == "error" else warnings).append(f"content: {problem}")
    errors.extend(f"i18n: {line}" for line in catalog_problems(config.locales_dir))
    return errors, warnings


def check(config: Settings) -> int:
    errors, warnings = problems(config)
    for line in warnings:
        print(f"warning: {line}")
    for line in errors:
        print(f"error: {line}")
    if errors:
        print(f"check failed: {len(errors)} error(s), {len(warnings)} warning(s)")
        return 1
    print(f"check passed: configuration, content and translations are valid ({len(warnings)} warning(s))")
    return 0
