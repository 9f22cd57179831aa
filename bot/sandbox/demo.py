"""The demo world of `python -m bot try`: the person, a consultants' forum group with two pretend
consultants, and a pretend admin, all in the in-memory sandbox, so both sides of the service can be
seen without Telegram. Everything here is marked as a demo where people see it (names, the group's
title, the NGO's signature)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bot.config import Settings
from bot.models import LANGUAGES
from bot.sandbox.core import Sandbox

DEMO_GROUP = -1009990000001
DEMO_GROUP_TITLE = "Consultants (demo)"
DEMO_NGO = "NGO (demo)"


@dataclass(frozen=True)
class Pretend:
    """Somebody the person of `try` can become with `/as <key>`."""

    key: str
    user_id: int
    first_name: str
    about: str
    consultant: bool  # a member of the consultants' group
    admin: bool = False


CONSULTANTS = (
    Pretend("aida", 777000101, "Aida (demo)", "a pretend consultant of the demo group", consultant=True),
    Pretend("bek", 777000102, "Bek (demo)", "a second pretend consultant, for a colleague's view", consultant=True),
)
ADMIN = Pretend("admin", 777000201, "Admin (demo)", "a pretend NGO admin: /admin, /stats, /broadcast", consultant=False, admin=True)
PRETENDS = (*CONSULTANTS, ADMIN)


def demo_settings(config: Settings, *, language: str | None, folder: Path) -> Settings:
    """The configuration `try` runs with: its own fresh database in `folder`, the demo group as the
    consultants' group (open at all hours), the pretend admin, and the chosen language for the team."""
    team_language = language if language in LANGUAGES else config.default_language
    return config.model_copy(update={
        "database_path": folder / "bot.sqlite3",
        "database_url": None,  # never the bot's real database
        "consultant_chat_id": DEMO_GROUP,
        "teams_file": None,
        "working_hours": None,
        "admin_ids": frozenset({ADMIN.user_id}),
        "default_language": team_language,
        "ngo_name": config.ngo_name or DEMO_NGO,
    })


def build_world(sandbox: Sandbox, language_code: str) -> None:
    """The pretend people and the consultants' forum group (the bot an administrator with every right, as
    the README's set-up asks)."""
    for pretend in PRETENDS:
        user = sandbox.add_user(pretend.user_id, pretend.first_name, language_code)
        user.started = True  # each has opened the private chat with the bot once, as the README asks
    members = [p.user_id for p in PRETENDS if p.consultant]
    sandbox.add_group(DEMO_GROUP, DEMO_GROUP_TITLE, members, forum=True)
