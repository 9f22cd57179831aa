"""Referral across borders: a consultant refers a case to a partner team (in TEAMS_FILE, `partners:`),
an NGO in another country; only with the person's consent, after the person was shown exactly what
will be shared. The case moves to the partner's group as a new case there, with its history; the
team it came from follows its status (waiting, taken, closed) where it followed the case; the audit
log says who proposed it, who agreed, where it went and who read the history there.

No aiogram here: bot/telegram/referral.py posts, and checks that the partner's group can be reached.

Statuses of a referral: asked (the person is asked) -> refused | failed (the partner could not be
reached) | cancelled (the case closed or moved meanwhile) | sent (with the partner, waiting) ->
taken -> closed.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from bot.models import Case, Referral
from bot.services.desk import Actor, CaseError, CaseService
from bot.services.teams import Team
from bot.storage.referrals import ReferralRepository

MAX_REASON = 300
ORIGIN = "origin"  # case_posts kind: the topic the referring team followed the case in (chat, topic id)


class ReferralError(Exception):
    """`reason`: no_partners | not_partner | pending | stale."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class ReferralService:
    def __init__(self, cases: CaseService, repo: ReferralRepository, clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.cases = cases
        self.repo = repo
        self.clock = clock

    def partners(self, case: Case) -> list[Team]:
        team = self.cases.team_of(case)
        return self.cases.teams.partners_of(team) if team is not None else []

    async def get(self, referral_id: int) -> Referral | None:
        return await self.repo.get(referral_id)

    async def shared(self, case: Case) -> dict[str, object]:
        """What the partner will see, as the person is shown it: what the case holds, and how many messages."""
        history = await self.cases.history(case.id)
        return {
            "kind": case.kind, "description": bool(case.description), "answers": bool(case.answers),
            "agency": bool(case.subject and case.subject.get("agency")), "checkin": bool(case.subject and case.subject.get("checkin")),
            "destination": case.destination, "citizenship": case.citizenship, "language": case.language,
            "username": bool(case.username), "messages": len([m for m in history if m.delivered or m.direction == "in"]),
        }

    async def propose(self, case_id: int, actor: Actor, to_team: str, room: tuple[int, int | None], reason: str | None) -> tuple[Case, Referral]:
        """The consultant holding the case proposes a partner team; the person is asked next."""
        case = await self.cases.holding(case_id, actor)
        partners = self.partners(case)
        if not partners:
            raise ReferralError("no_partners")
        if to_team not in {team.id for team in partners}:
            raise ReferralError("not_partner")
        if await self.repo.latest(case.id, ("asked",)) is not None:
            raise ReferralError("pending")
        now = self.clock()
        shared = {**await self.shared(case), "reason": (reason or "").strip()[:MAX_REASON] or None}
        async with self.cases.db.transaction():
            referral_id = await self.repo.add({
                "case_id": case.id, "from_team": case.team, "to_team": to_team, "by_id": actor.id, "by_name": actor.name,
                "status": "asked", "from_chat": room[0], "from_thread": room[1], "shared": shared, "asked_at": now.isoformat(),
            })
            await self.cases.repo.audit(now, actor.id, case.id, "refer_asked", f"to={to_team}")
        referral = await self.repo.get(referral_id)
        assert referral is not None
        return case, referral

    async def asked(self, referral_id: int, user_id: int) -> tuple[Referral, Case]:
        """The referral the person is answering, still open and about their case as it was proposed."""
        referral = await self.repo.get(referral_id)
        case = await self.cases.get(referral.case_id) if referral is not None else None
        if referral is None or case is None or case.user_id != user_id:
            raise ReferralError("stale")
        if referral.status != "asked" or not case.open or case.team != referral.from_team:
            if referral.status == "asked":  # the case closed or moved meanwhile: nothing to agree to any more
                await self.repo.set_status(referral.id, "asked", "cancelled", self.clock())
            raise ReferralError("stale")
        return referral, case

    async def refuse(self, referral: Referral, user_id: int) -> bool:
        now = self.clock()
        async with self.cases.db.transaction():
            changed = await self.repo.set_status(referral.id, "asked", "refused", now)
            if changed:
                await self.cases.repo.audit(now, user_id, referral.case_id, "refer_refused", f"to={referral.to_team}")
        return changed

    async def failed(self, referral: Referral, why: str) -> None:
        now = self.clock()
        async with self.cases.db.transaction():
            if await self.repo.set_status(referral.id, referral.status, "failed", now):
                await self.cases.repo.audit(now, None, referral.case_id, "refer_failed", f"to={referral.to_team}: {why}")

    async def move(self, referral: Referral, user_id: int) -> Case:
        """The person agreed: the case goes to the partner team, waiting there as a new case (its own topic
        there), with its history; inside the caller's transaction. CaseError when it changed meanwhile."""
        now = self.clock()
        if not await self.repo.set_status(referral.id, "asked", "sent", now):
            raise CaseError("not_found")
        changed = await self.cases.repo.update(referral.case_id, {
            "team": referral.to_team, "referred_from": referral.from_team, "status": "new", "consultant_id": None,
            "consultant_name": None, "taken_at": None, "waiting_since": now.isoformat(), "last_alert_at": None,
            "hotlines_sent_at": None, "topic_chat": None, "topic_id": None,
        }, if_status="taken")
        if not changed:
            raise CaseError("closed")
        await self.cases.repo.clear_active(referral.case_id)
        if referral.from_chat is not None and referral.from_thread is not None:  # the topic it was followed in goes with the case
            await self.cases.add_post(referral.from_chat, referral.from_thread, referral.case_id, ORIGIN)
        await self.cases.repo.audit(now, user_id, referral.case_id, "refer_consent", f"to={referral.to_team}")
        # what was shared, by name (and how many messages): never the words themselves, the reason included
        shown = [f"{k}={v}" if k == "messages" else k for k, v in referral.shared.items() if v not in (None, False, 0) and k != "kind"]
        await self.cases.repo.audit(now, referral.by_id, referral.case_id, "referred", f"to={referral.to_team}; shared: {', '.join(shown)}")
        case = await self.cases.get(referral.case_id)
        assert case is not None
        return case

    async def taken(self, case: Case, actor: Actor) -> tuple[Referral, bool] | None:
        """A referred case taken in the partner team (inside the take's transaction): (its referral, whether this
        is the first take there, when the history is shown); the audit log says who read it."""
        if case.referred_from is None:
            return None
        referral = await self.repo.latest(case.id, ("sent", "taken"))
        if referral is None or referral.to_team != case.team:
            return None
        first = await self.repo.set_status(referral.id, "sent", "taken")
        count = len(await self.cases.history(case.id))
        await self.cases.repo.audit(self.clock(), actor.id, case.id, "history_read", f"team={case.team}; messages={count}")
        return referral, first

    async def closed(self, case: Case) -> Referral | None:
        """A referred case closed in the partner team: its referral, for the team it came from to hear it."""
        if case.referred_from is None:
            return None
        referral = await self.repo.latest(case.id, ("sent", "taken"))
        if referral is None or referral.to_team != case.team:
            return None
        await self.repo.set_status(referral.id, referral.status, "closed")
        return referral
