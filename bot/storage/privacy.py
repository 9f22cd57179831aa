"""Where a person's data is, and how it goes when they ask the bot to forget them: statements only.

PERSONAL is the one list of every table holding data about a person, with the column the person is
found by. tests/test_privacy.py reads the schema after all migrations and fails when a table has a
column that can name a person and is neither here nor in KEPT (with the reason it stays).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any

from sqlalchemy import and_, bindparam, delete, select, update

from bot.storage.db import Database
from bot.storage.schema import cases, metadata


class By(Enum):
    """How a row is found to be the person's."""

    USER = "user"  # the column holds the person's Telegram id (their chat with the bot has the same id)
    ACTOR = "actor"  # the column holds the keyed hash of the person (bot.services.events.EventLog.actor)
    CASE = "case"  # the column holds the number of one of the person's cases
    OWN_CASE = "own_case"  # the column holds the person's id, on a row about one of their own cases
    REFUSED = "refused"  # the column holds the person's id, on a row of something they were refused


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
    Personal("referrals", "case_id", By.CASE, why="a case referred to a partner team, with the reason the person was given"),
    Personal("outbox", "chat_id", By.USER, why="messages to the person not yet sent"),
    Personal("audit_log", "actor_id", By.OWN_CASE, clear=("actor_id",),
             why="the person opened or ended their case: the trail stays, without their id; what staff did on "
                 "other people's cases stays as it is"),
    Personal("audit_log", "actor_id", By.REFUSED, clear=("actor_id",),
             why="the person tried what only consultants may (a Take, a case command): the refusal stays, "
                 "without their id"),
    Personal("cases", "user_id", By.USER, clear=("user_id", "answers", "description", "username", "subject", "earlier", "topic_chat",
                                                      "topic_id"),
             why="the case stays as an anonymous figure; what the person told goes (their topic is deleted)"),
    Personal("agency_reports", "user_id", By.USER, why="reports about agencies, with a contact if given"),
    Personal("reminders", "user_id", By.USER, why="checklist reminders"),
    Personal("checklist_marks", "user_id", By.USER, why="checklist ticks and dates"),
    Personal("trips", "user_id", By.USER, why="trip dates"),
    Personal("checkins", "user_id", By.USER, why="safety check-ins, with where the person works if they gave it"),
    Personal("broadcast_recipients", "user_id", By.USER, why="announcements sent or still to be sent to the person"),
    Personal("events", "actor", By.ACTOR, why="usage events"),
    Personal("activity", "actor", By.ACTOR, why="days the person used the bot"),
    Personal("fsm_state", "user_id", By.USER, why="where the person stopped in a conversation"),
    Personal("trail", "chat_id", By.USER, why="which messages are in the person's chat with the bot (ids, for hiding it)"),
    Personal("users", "id", By.USER, why="language, countries, first and last seen"),
)

# Columns that could name a person but stay after /forget, and why.
KEPT: dict[tuple[str, str], str] = {
    ("cases", "consultant_id"): "the consultant who handled the case: staff, not the person",
    ("cases", "consultant_name"): "the consultant who handled the case: staff, not the person",
    ("case_posts", "chat_id"): "the bot's own posts about a case in the consultants' chats: the alerts are edited "
                               "to say the case is closed (the case stays, anonymous)",
    ("inbox", "payload"): "updates received and not yet handled, emptied once handled (the /forget itself is there "
                          "until it is handled)",
    ("broadcasts", "author_id"): "the admin who sent an announcement: staff",
    ("broadcasts", "progress_chat"): "the admin's chat showing an announcement's progress: staff",
    ("digests", "admin_id"): "weekly figures sent to an admin: staff",
    ("boards", "chat_id"): "the consultants' forum group and its queue board (case numbers and levels only)",
    ("consultants", "username"): "a consultant's name and languages, for handing a case to them: staff",
}

# Tables whose rows of the person stay, emptied (PERSONAL's `clear`): every other column of theirs is
# named here as saying nothing about who the person is, so a new column must be placed on one side.
ANONYMOUS: dict[str, tuple[str, ...]] = {
    "cases": ("id", "kind", "level", "indicators", "destination", "citizenship", "language", "team", "referred_from", "status",
              "outcome", "created_at", "taken_at", "closed_at", "waiting_since", "last_alert_at", "alerts",
              "hotlines_sent_at", "purged_at", "signs"),
    "audit_log": ("id", "at", "case_id", "action", "detail"),
}


class PrivacyRepository:
    def __init__(self, db: Database) -> None:
        self.db = db
        self._steps = [_statement(entry) for entry in PERSONAL]

    async def forget(self, user_id: int, actor: str) -> None:
        """Delete (or empty) every row of PERSONAL that is the person's. The caller holds the transaction."""
        for statement in self._steps:
            await self.db.execute(statement, {"person": user_id, "actor": actor})


def _statement(entry: Personal) -> Any:
    """The DELETE (or the UPDATE emptying `clear`) of the rows of `entry` that are the person's."""
    table = metadata.tables[entry.table]
    column = table.c[entry.column]
    own_cases = select(cases.c.id).where(cases.c.user_id == bindparam("person")).scalar_subquery()
    if entry.by is By.ACTOR:
        where = column == bindparam("actor")
    elif entry.by is By.CASE:
        where = column.in_(own_cases)
    elif entry.by is By.OWN_CASE:
        where = and_(column == bindparam("person"), table.c.case_id.in_(own_cases))
    elif entry.by is By.REFUSED:
        where = and_(column == bindparam("person"), table.c.action.in_(("refused", "take_refused")))
    else:
        where = column == bindparam("person")
    if entry.clear:
        return update(table).where(where).values(dict.fromkeys(entry.clear))
    return delete(table).where(where)
