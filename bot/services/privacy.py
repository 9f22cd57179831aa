"""A person asks the bot to forget them: every row about them goes, in one transaction.

Which tables and how the person is found there: bot.storage.privacy.PERSONAL. Their open cases close
first (outcome "deleted_by_person"), so the figures keep an anonymous case. Telling their consultants
is queued by the caller's hook (bot.telegram.desk.Desk.queue_forgotten) in the same transaction, so a
crash never leaves a case closed with its consultant untold.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from bot.models import Case
from bot.services.desk import FORGOTTEN
from bot.services.events import EventLog
from bot.services.users import UserService
from bot.storage.cases import CaseRepository
from bot.storage.db import Database
from bot.storage.fsm import FsmRepository
from bot.storage.privacy import PrivacyRepository


@dataclass(frozen=True)
class Forgotten:
    closed: list[Case]  # the cases that were open, as they were
    queued: list[int]  # what the hook queued (outbox items), for the caller to send once committed


Notify = Callable[[list[Case], list[Case]], Awaitable[list[int]]]  # (cases it closed, all their cases)


class Privacy:
    def __init__(
        self,
        db: Database,
        repo: PrivacyRepository,
        cases: CaseRepository,
        users: UserService,
        fsm: FsmRepository,
        events: EventLog,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        forget_states: Callable[[int], Awaitable[object]] | None = None,
    ) -> None:
        self.db = db
        self.repo = repo
        self.cases = cases
        self.users = users
        self.fsm = fsm
        self.events = events
        self.clock = clock
        self.forget_states = forget_states  # conversation state kept outside the database (Redis), deleted too

    async def forget(self, user_id: int, notify: Notify | None = None) -> Forgotten:
        """Delete everything stored about the person; `notify` queues, in the same transaction, what
        their open cases' consultants are told, and the deletion of their cases' topics."""
        now = self.clock()
        try:
            async with self.db.transaction():
                actor = await self.events.actor(user_id)
                cases = await self.cases.of_user(user_id)
                open_cases = [case for case in cases if case.open]
                for case in open_cases:
                    await self.cases.update(case.id, {"status": "closed", "outcome": FORGOTTEN, "closed_at": now.isoformat()})
                await self.repo.forget(user_id, actor)
                # after the deletes, which take the unsent messages about the person's cases with them
                queued = await notify(open_cases, cases) if notify is not None else []
                for case in cases:
                    await self.cases.audit(now, None, case.id, "forgotten", None)
        finally:  # what is kept in memory is read again from the database
            self.users.forgotten(user_id)
            self.fsm.forgotten(user_id)
            self.events.forgotten(user_id)
        if self.forget_states is not None:
            await self.forget_states(user_id)
        return Forgotten(open_cases, queued)
