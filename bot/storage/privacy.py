"""Where a person's data is, and how it goes when they ask the bot to forget them: SQL only.

PERSONAL is the one list of every table holding data about a person, with the column the person is
found by. tests/test_privacy.py reads the schema after all migrations and fails when a table has a
column that can name a person and is neither here nor in KEPT (with the reason it stays).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from bot.storage.db import Database


class By(Enum):
    """How a row is found to be the person's."""

    USER = "user"  # the column holds the person's Telegram id (their chat with the bot has the same id)
    ACTOR = "actor"  # the column holds the keyed hash of the person (bot.services.events.EventLog.actor)
    CASE = "case"  # the column holds the number of one of the person's cases


@dataclass(frozen=True, slots=True)
class Personal:
    table: str
    column: str
    by: By
    clear: tuple[str, ...] = ()  # empty: the rows are deleted; else the row stays and these columns are emptied
    why: str = ""


# In order: rows found through the person's cases go before the cases lose their user_id.
PERSONAL: tuple[Personal, ...] = (
    Personal("case_messages", "case_id", By.CASE, why="what the person and the consultant wrote"),
    Personal("case_notes", "case_id", By.CASE, why="consultants' notes: they are about the person"),
    Personal("consultant_active", "case_id", By.CASE, why="a consultant's open conversation with the person"),
    Personal("outbox", "case_id", By.CASE, why="messages about the person's cases not yet sent"),
    Personal("outbox", "chat_id", By.USER, why="messages to the person not yet sent"),
    Personal("audit_log", "actor_id", By.USER, clear=("actor_id",),
             why="the person opened or ended a case: the trail stays, without their id"),
    Personal("cases", "user_id", By.USER, clear=("user_id", "answers", "description", "username", "subject"),
             why="the case stays as an anonymous figure; what the person told goes"),
    Personal("agency_reports", "user_id", By.USER, why="reports about agencies, with a contact if given"),
    Personal("reminders", "user_id", By.USER, why="checklist reminders"),
    Personal("checklist_marks", "user_id", By.USER, why="checklist ticks and dates"),
    Personal("trips", "user_id", By.USER, why="trip dates"),
    Personal("broadcast_recipients", "user_id", By.USER, why="announcements sent or still to be sent to the person"),
    Personal("events", "actor", By.ACTOR, why="usage events"),
    Personal("activity", "actor", By.ACTOR, why="days the person used the bot"),
    Personal("fsm_state", "user_id", By.USER, why="where the person stopped in a conversation"),
    Personal("users", "id", By.USER, why="language, countries, first and last seen"),
)

# Columns that could name a person but stay after /forget, and why.
KEPT: dict[tuple[str, str], str] = {
    ("cases", "consultant_id"): "the consultant who handled the case: staff, not the person",
    ("cases", "consultant_name"): "the consultant who handled the case: staff, not the person",
    ("case_posts", "chat_id"): "the bot's own posts about a case in the consultants' chats: the alerts are edited "
                               "to say the case is closed (the case stays, anonymous)",
    ("inbox", "payload"): "updates received and not yet handled, deleted once handled (the /forget itself is there "
                          "until it is handled)",
    ("broadcasts", "author_id"): "the admin who sent an announcement: staff",
    ("broadcasts", "progress_chat"): "the admin's chat showing an announcement's progress: staff",
    ("digests", "admin_id"): "weekly figures sent to an admin: staff",
}


class PrivacyRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def forget(self, user_id: int, actor: str) -> None:
        """Delete (or empty) every row of PERSONAL that is the person's. The caller holds the transaction."""
        for entry in PERSONAL:
            key: int | str = actor if entry.by is By.ACTOR else user_id
            where = f"{entry.column} = ?"
            if entry.by is By.CASE:
                where = f"{entry.column} IN (SELECT id FROM cases WHERE user_id = ?)"
            if entry.clear:
                sets = ", ".join(f"{column} = NULL" for column in entry.clear)
                await self.db.execute(f"UPDATE {entry.table} SET {sets} WHERE {where}", (key,))
            else:
                await self.db.execute(f"DELETE FROM {entry.table} WHERE {where}", (key,))
