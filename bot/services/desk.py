"""Cases: a person in trouble, the consultant who takes them, and the rules between.

No aiogram here. Who is a consultant at all is decided by the caller (group membership); this
service decides what that consultant may do with a given case, and keeps the audit log.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.models import Case, CaseMessage
from bot.services.teams import Team, Teams
from bot.storage.cases import CaseRepository
from bot.storage.db import Database

log = logging.getLogger(__name__)

KINDS: tuple[str, ...] = ("screening", "request", "danger", "agency", "checkin")
LEVELS: tuple[str, ...] = ("info", "concern", "high", "emergency", "unknown")
URGENCY = {"emergency": 0, "high": 1, "unknown": 2, "concern": 3, "info": 4}  # lower: more urgent
ALARMING = "alarming_words"  # the person's own words sound like danger (a danger phrase of the content)
EMERGENCY = "emergency_words"  # their words say life or liberty is in danger now (an emergency phrase)
OUTCOMES: tuple[str, ...] = (
    "info", "shelter", "police", "iom", "lawyer", "return", "unreachable", "false_alarm",
)
ENDED_BY_PERSON = "ended_by_person"
FORGOTTEN = "deleted_by_person"
MAX_DESCRIPTION = 1000
MAX_NOTE = 2000


class CaseError(Exception):
    """An action the rules do not allow; `reason` is one of the codes below, `case` the case when known."""

    def __init__(self, reason: str, case: Case | None = None) -> None:
        super().__init__(reason)
        self.reason = reason  # not_found | not_yours | closed | taken | open_exists | no_team | bad_outcome | same_consultant
        self.case = case


@dataclass(frozen=True, slots=True)
class Actor:
    id: int
    name: str
    admin: bool = False


@dataclass(frozen=True, slots=True)
class Draft:
    user_id: int
    kind: str
    level: str
    language: str
    indicators: tuple[str, ...] = ()
    answers: dict[str, str] | None = None
    description: str | None = None
    destination: str | None = None
    citizenship: str | None = None
    username: str | None = None
    subject: dict[str, Any] | None = None  # an agency report: agency, registry, permit, status, flags, contact
    signs: tuple[str, ...] = ()  # what raised the level (triaged)


def at_least_high(level: str) -> str:
    return level if URGENCY[level] <= URGENCY["high"] else "high"


def triaged(draft: Draft, alarming: Callable[[str, str], bool], emergency: Callable[[str, str], bool] = lambda *_: False) -> Draft:
    """The level a case opens with. The person's own words that sound like danger (they asked for help
    from such a message, or the description has them) make it at least high risk, whatever a self-check
    said or did not say; words of danger to life or liberty now make it an emergency. `signs` names
    why, for the consultant (the sign, never the words), only when it did raise the level: a self-check that
    said high risk already is not "raised by" the words."""
    if draft.description and emergency(draft.language, draft.description):
        return _raised(draft, "emergency", EMERGENCY)
    if draft.kind == "danger" or (draft.description and alarming(draft.language, draft.description)):
        return _raised(draft, at_least_high(draft.level), ALARMING)
    return draft


def _raised(draft: Draft, level: str, sign: str) -> Draft:
    if URGENCY[level] >= URGENCY[draft.level]:
        return draft  # as urgent already
    return replace(draft, level=level, signs=tuple(dict.fromkeys((*draft.signs, sign))))


@dataclass(frozen=True, slots=True)
class Consultant:
    id: int
    name: str
    username: str | None
    languages: list[str]

    def named(self, words: str) -> bool:
        """Whether "@username", or "@Name" (the whole name or its first word, any case), names this consultant."""
        wanted = words.strip().lstrip("@").casefold()
        names = {(self.username or "").casefold(), self.name.casefold(), self.name.split(" ")[0].casefold()}
        return bool(wanted) and wanted in names


@dataclass(frozen=True, slots=True)
class Taken:
    case: Case
    won: bool  # False: someone else had it; case.consultant_name says who


class CaseService:
    def __init__(
        self, db: Database, repo: CaseRepository, teams: Teams, clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        alarming: Callable[[str, str], bool] = lambda language, text: False,
        emergency: Callable[[str, str], bool] = lambda language, text: False,
    ) -> None:
        self.alarming = alarming  # (language, text) -> whether it sounds like danger (bot.services.search)
        self.emergency = emergency  # (language, text) -> whether it says life or liberty is in danger now
        self.db = db
        self.repo = repo
        self.teams = teams
        self.clock = clock
        # Who may have an open case, and which consultants may have an active one: every private message
        # asks, and almost always the answer is no. An id is added before its row is written and removed
        # only once the database says no, so "not in the set" is always true (one process runs the bot).
        self._maybe_open: set[int] | None = None
        self._maybe_active: set[int] | None = None

    # ------------------------------------------------------------------ opening
    async def open(self, draft: Draft) -> Case:
        """Create a case. One open case per person: a second request raises open_exists with the first."""
        if draft.kind not in KINDS or draft.level not in LEVELS:
            raise ValueError(f"bad case kind or level: {draft.kind}/{draft.level}")
        draft = triaged(draft, self.alarming, self.emergency)
        team = self.teams.route(draft.citizenship, draft.language)
        if team is None:
            raise CaseError("no_team")
        now = self.clock()
        async with self.db.transaction():
            existing = await self.repo.open_for_user(draft.user_id)
            if existing is not None:
                raise CaseError("open_exists", existing)
            earlier = await self.repo.earlier_cases(draft.user_id)  # a return visit: the consultants see the link
            (await self._open_users()).add(draft.user_id)
            case_id = await self.repo.insert({
                "user_id": draft.user_id, "kind": draft.kind, "level": draft.level,
                "indicators": json.dumps(list(draft.indicators)),
                "answers": json.dumps(draft.answers) if draft.answers else None,
                "description": (draft.description or "")[:MAX_DESCRIPTION] or None,
                "destination": draft.destination, "citizenship": draft.citizenship, "language": draft.language,
                "username": draft.username, "team": team.id, "status": "new",
                "subject": json.dumps(draft.subject, ensure_ascii=False) if draft.subject else None,
                "signs": json.dumps(list(draft.signs)), "earlier": json.dumps(earlier) if earlier else None,
                "created_at": now.isoformat(), "waiting_since": now.isoformat(),
            })
            await self.repo.audit(now, draft.user_id, case_id, "created", f"{draft.kind}/{draft.level}")
            case = await self.repo.get(case_id)
        assert case is not None
        return case

    def team_of(self, case: Case) -> Team | None:
        return self.teams.get(case.team) or self.teams.route(case.citizenship, case.language)

    # ------------------------------------------------------------------ reading
    async def get(self, case_id: int) -> Case | None:
        return await self.repo.get(case_id)

    async def _open_users(self) -> set[int]:
        if self._maybe_open is None:
            self._maybe_open = await self.repo.users_with_open_cases()
        return self._maybe_open

    async def _active_consultants(self) -> set[int]:
        if self._maybe_active is None:
            self._maybe_active = await self.repo.consultants_with_active_cases()
        return self._maybe_active

    async def _set_active(self, consultant_id: int, case_id: int) -> None:
        (await self._active_consultants()).add(consultant_id)
        await self.repo.set_active(consultant_id, case_id)

    async def open_case_of(self, user_id: int) -> Case | None:
        maybe = await self._open_users()
        if user_id not in maybe:
            return None
        case = await self.repo.open_for_user(user_id)
        if case is None:
            maybe.discard(user_id)
        return case

    async def readable(self, case_id: int, actor: Actor) -> Case:
        """A new case can be read by any consultant of the team; a taken or closed one only by its holder."""
        case = await self.repo.get(case_id)
        if case is None:
            raise CaseError("not_found")
        if case.status == "new" or actor.admin or case.consultant_id == actor.id:
            return case
        raise CaseError("not_yours", case)

    async def holding(self, case_id: int, actor: Actor, *, allow_ended: bool = False) -> Case:
        """The case, when the actor holds it and it is open (or ended by the person, for /close)."""
        case = await self.repo.get(case_id)
        if case is None:
            raise CaseError("not_found")
        if case.consultant_id != actor.id and not (actor.admin and case.consultant_id is not None):
            raise CaseError("taken" if case.status == "new" else "not_yours", case)
        if case.status != "taken" and not (allow_ended and case.outcome == ENDED_BY_PERSON):
            raise CaseError("closed", case)
        return case

    async def history(self, case_id: int) -> list[CaseMessage]:
        return await self.repo.messages(case_id)

    async def notes(self, case_id: int) -> list[tuple[int, str, datetime]]:
        return await self.repo.notes(case_id)

    async def of_consultant(self, consultant_id: int) -> list[Case]:
        return await self.repo.of_consultant(consultant_id)

    async def waiting(self) -> list[Case]:
        return await self.repo.waiting()

    async def active_case(self, consultant_id: int) -> Case | None:
        maybe = await self._active_consultants()
        if consultant_id not in maybe:
            return None
        case_id = await self.repo.active(consultant_id)
        if case_id is None:
            maybe.discard(consultant_id)
            return None
        case = await self.repo.get(case_id)
        return case if case is not None and case.status == "taken" and case.consultant_id == consultant_id else None

    async def case_of_post(self, chat_id: int, message_id: int) -> int | None:
        return await self.repo.case_of_post(chat_id, message_id)

    async def posts(self, case_id: int, kind: str) -> list[tuple[int, int]]:
        return await self.repo.posts(case_id, kind)

    async def audit_trail(self, case_id: int | None = None) -> list[dict[str, object]]:
        return await self.repo.audit_trail(case_id)

    # ------------------------------------------------------------------ consultants acting
    async def take(self, case_id: int, actor: Actor) -> Taken:
        """The first press wins: one conditional update (while the case is new) decides between two at once."""
        now = self.clock()
        async with self.db.transaction():
            won = await self.repo.update(
                case_id,
                {"status": "taken", "consultant_id": actor.id, "consultant_name": actor.name, "taken_at": now.isoformat()},
                if_status="new",
            )
            case = await self.repo.get(case_id)
            if case is None:
                raise CaseError("not_found")
            if won:
                await self._set_active(actor.id, case_id)
            await self.repo.audit(now, actor.id, case_id, "taken" if won else "take_refused", None if won else case.status)
        return Taken(case, bool(won))

    async def choose(self, case_id: int, actor: Actor) -> Case:
        """/case N: make a held case the one the consultant's messages go to."""
        case = await self.holding(case_id, actor)
        await self._set_active(actor.id, case_id)
        await self.repo.audit(self.clock(), actor.id, case_id, "chosen", None)
        return case

    async def transfer(self, case_id: int, actor: Actor) -> Case:
        """Give the case back to the group: it waits again, and is alerted again."""
        now = self.clock()
        async with self.db.transaction():
            await self.holding(case_id, actor)
            await self.repo.update(case_id, {
                "status": "new", "consultant_id": None, "consultant_name": None, "taken_at": None,
                "waiting_since": now.isoformat(), "last_alert_at": None, "hotlines_sent_at": None,
            })
            await self.repo.clear_active(case_id)
            await self.repo.audit(now, actor.id, case_id, "transferred", None)
            case = await self.repo.get(case_id)
        assert case is not None
        return case

    async def close(self, case_id: int, actor: Actor, outcome: str) -> Case:
        if outcome not in OUTCOMES:
            raise CaseError("bad_outcome")
        now = self.clock()
        async with self.db.transaction():
            await self.holding(case_id, actor, allow_ended=True)
            await self.repo.update(case_id, {"status": "closed", "outcome": outcome, "closed_at": now.isoformat()})
            await self.repo.clear_active(case_id)
            await self.repo.audit(now, actor.id, case_id, "closed", outcome)
            case = await self.repo.get(case_id)
        assert case is not None
        return case

    async def hand_to(self, case_id: int, actor: Actor, to: Actor) -> Case:
        """To a named consultant (a member of the team, checked by the caller): theirs at once."""
        now = self.clock()
        async with self.db.transaction():
            await self.holding(case_id, actor)
            if to.id == actor.id:
                raise CaseError("same_consultant")
            await self.repo.update(case_id, {"consultant_id": to.id, "consultant_name": to.name, "taken_at": now.isoformat()})
            await self.repo.clear_active(case_id)
            await self._set_active(to.id, case_id)
            await self.repo.audit(now, actor.id, case_id, "handed_over", str(to.id))
            case = await self.repo.get(case_id)
        assert case is not None
        return case

    async def note(self, case_id: int, actor: Actor, text: str, *, check: bool = True) -> Case | None:
        """An internal note on a case the actor holds (`check`=False: the caller has checked, e.g. the reason
        of a handover, written once the case has left them)."""
        case = await self.holding(case_id, actor, allow_ended=True) if check else await self.repo.get(case_id)
        now = self.clock()
        async with self.db.transaction():
            await self.repo.add_note(case_id, actor.id, text[:MAX_NOTE], now)
            await self.repo.audit(now, actor.id, case_id, "note", None)
        return case

    async def refused(self, actor_id: int, case_id: int | None, action: str) -> None:
        """Someone who may not act on cases tried to: write it down (who, what; never what they wrote)."""
        log.warning("refused %s by %s on case %s", action, actor_id, case_id)
        await self.repo.audit(self.clock(), actor_id, case_id, "refused", action)

    # ------------------------------------------------------------------ the person
    async def end_by_person(self, user_id: int) -> Case | None:
        now = self.clock()
        async with self.db.transaction():
            case = await self.repo.open_for_user(user_id)
            if case is None:
                return None
            await self.repo.update(case.id, {"status": "closed", "outcome": ENDED_BY_PERSON, "closed_at": now.isoformat()})
            await self.repo.clear_active(case.id)
            await self.repo.audit(now, user_id, case.id, "ended_by_person", None)
        return case

    async def record(
        self, case: Case, direction: str, kind: str, text: str | None, chat_id: int, message_id: int,
        author_id: int | None = None,
    ) -> int | None:
        """Keep a message of the conversation; None when it was kept before (the same update again)."""
        return await self.repo.add_message({
            "case_id": case.id, "direction": direction, "kind": kind, "text": text, "chat_id": chat_id,
            "message_id": message_id, "author_id": author_id, "created_at": self.clock().isoformat(),
        })

    async def unqueued_from_person(self, case_id: int) -> list[CaseMessage]:
        """The person's messages never passed on to a consultant (kept while the case waited)."""
        return await self.repo.unqueued_messages(case_id)

    async def message(self, row_id: int) -> CaseMessage:
        kept = await self.repo.message(row_id)
        assert kept is not None
        return kept

    async def heard_danger(self, case: Case, text: str | None) -> Case | None:
        """Inside the caller's transaction: the person wrote words that sound like danger while their case is
        open. A case below high risk is raised to it, below an emergency to one for words of danger to life
        or liberty now (and written to the audit log); returns the raised case, or None when nothing changed."""
        if not text:
            return None
        level, sign = ("emergency", EMERGENCY) if self.emergency(case.language, text) else ("high", ALARMING)
        if URGENCY[case.level] <= URGENCY[level] or (level == "high" and not self.alarming(case.language, text)):
            return None
        signs = tuple(dict.fromkeys((*case.signs, sign)))
        await self.repo.update(case.id, {"level": level, "signs": json.dumps(list(signs))})
        await self.repo.audit(self.clock(), None, case.id, "level_raised", f"{case.level}/{level}")
        return await self.repo.get(case.id)

    async def count_from_person(self, case_id: int) -> int:
        return await self.repo.count_messages(case_id, "in")

    async def delivered(self, message_row_id: int) -> tuple[int, int] | None:
        """A kept message reached the other side. For the person's message reaching the consultant the first
        time: (chat, message id) of it, for the person to be shown it was seen; the same for a consultant's
        message in a case's topic, for the team to see it reached the person."""
        marked = await self.repo.mark_delivered(message_row_id)
        if marked is None or (marked[0] != "in" and marked[1] >= 0):
            return None
        return marked[1:]  # the person's message (👀), or a consultant's written in a case's topic (👌)

    async def add_post(self, chat_id: int, message_id: int, case_id: int, kind: str) -> None:
        await self.repo.add_post(chat_id, message_id, case_id, kind)

    async def delivery_failed(self, case_id: int, error: str) -> None:
        """A post of the case was given up (the person blocked the bot...): write it down."""
        await self.repo.audit(self.clock(), None, case_id, "delivery_failed", error)

    # ------------------------------------------------------------------ response-time rules
    async def due_for_realert(self, now: datetime, after: timedelta) -> list[Case]:
        """Waiting cases whose team is at work and that have waited `after` since the last alert
        (or since the team came to work, when the case arrived out of hours)."""
        due = []
        for case in await self.repo.waiting():
            team = self.team_of(case)
            if team is None or not team.is_open(now):
                continue
            since = case.last_alert_at or case.waiting_since
            opened = team.hours.opened_at(now) if team.hours else None
            if opened is not None and opened > since:
                since = opened
            if now - since >= after:
                due.append(case)
        return due

    async def due_for_hotlines(self, now: datetime, after: timedelta) -> list[Case]:
        return [c for c in await self.repo.waiting() if c.hotlines_sent_at is None and now - c.waiting_since >= after]

    async def mark_alerted(self, case_id: int, now: datetime) -> None:
        await self.repo.mark_alerted(case_id, now)

    async def mark_hotlines_sent(self, case_id: int, now: datetime) -> None:
        await self.repo.update(case_id, {"hotlines_sent_at": now.isoformat()})

    # ------------------------------------------------------------------ privacy
    async def purge(self, retention: timedelta) -> list[Case]:
        """Delete what was said in cases closed longer than `retention` ago; the case's figures stay. Returns
        the cases purged (as they were: their topics may go too)."""
        now = self.clock()
        with self.db.offloaded():  # every case closed long enough ago, at once
            async with self.db.transaction():
                ids = await self.repo.closed_before(now - retention)
                purged = [case for case in [await self.repo.get(i) for i in ids] if case is not None]
                if ids:
                    await self.repo.purge_contents(ids, now)
                    await self.repo.audit(now, None, None, "purged", f"{len(ids)} cases")
        return purged

    # ------------------------------------------------------------------ forum topics, the board, the team
    async def case_of_topic(self, chat_id: int, thread_id: int) -> Case | None:
        return await self.repo.case_of_topic(chat_id, thread_id)

    async def topic_of_user(self, user_id: int, chat_id: int) -> int | None:
        return await self.repo.topic_of_user(user_id, chat_id)

    async def set_topic(self, case_id: int, chat_id: int, thread_id: int, *, only_if_waiting: bool = True) -> bool:
        """The case is talked about in this topic from now on; by default only while it waits without one
        (False: it was taken, ended or forgotten meanwhile, and nothing changed)."""
        placed = await self.repo.set_topic(case_id, chat_id, thread_id, only_if_waiting=only_if_waiting)
        if placed:
            await self.repo.audit(self.clock(), None, case_id, "topic", str(thread_id))
        return bool(placed)

    async def topic_in_use(self, chat_id: int, thread_id: int, other_than: list[int]) -> bool:
        return await self.repo.topic_in_use(chat_id, thread_id, other_than)

    async def without_topic(self) -> list[Case]:
        """Waiting cases with no topic (in a forum group they get one)."""
        return await self.repo.without_topic()

    async def board(self, chat_id: int) -> tuple[int | None, str] | None:
        return await self.repo.board(chat_id)

    async def set_board(self, chat_id: int, message_id: int | None, text: str) -> None:
        await self.repo.set_board(chat_id, message_id, text, self.clock())

    async def drop_posts(self, case_id: int, kind: str) -> list[tuple[int, int]]:
        """The case's posts of this kind so far, forgotten (they are being deleted): (chat, message id) each."""
        return await self.repo.drop_posts(case_id, kind)

    async def seen_consultant(self, actor: Actor, username: str | None) -> None:
        """Who works on cases: by name and username, for handing a case to them, and what they speak."""
        await self.repo.seen_consultant(actor.id, actor.name, username, self.clock())

    async def set_languages(self, actor: Actor, username: str | None, languages: list[str]) -> None:
        await self.seen_consultant(actor, username)
        await self.repo.set_languages(actor.id, languages)

    async def consultants(self) -> list[Consultant]:
        return [Consultant(*row) for row in await self.repo.consultants()]

    async def by_status(self, status: str, limit: int = 100) -> list[Case]:
        return await self.repo.by_status(status, limit)
