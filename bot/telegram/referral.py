"""Referral across borders, in Telegram: the partner's group checked before anything is asked or moved,
the person asked (shown what would be shared), the case moved to the partner's group with its alert,
and the team it came from told each step where it followed the case (bot/services/referrals.py holds
the rules)."""

from __future__ import annotations

import logging
from collections.abc import Callable

from bot.models import Case, Referral
from bot.screens import referral as screens
from bot.services.desk import Actor, CaseError
from bot.services.referrals import ReferralError, ReferralService
from bot.services.teams import Team
from bot.telegram.desk import Desk

log = logging.getLogger(__name__)


class Referrer:
    def __init__(self, desk: Desk, referrals: ReferralService) -> None:
        self.desk = desk
        self.referrals = referrals
        desk.referrals = self  # a referred case taken or closed there: the team it came from hears it

    def team(self, team_id: str) -> Team | None:
        return self.desk.cases.teams.get(team_id)

    def label(self, team_id: str) -> str:
        with self.desk.speaking(self.desk.team_locale):
            return screens.team_label(self.team(team_id), team_id)

    async def propose(self, case_id: int, actor: Actor, to_team: str, room: tuple[int, int | None], reason: str | None) -> str:
        """'asked' | 'unreachable'; ReferralError or CaseError for what the rules refuse."""
        partner = self.team(to_team)
        if partner is not None and not await self.desk.reachable(partner.chat_id):
            log.warning("case %s: partner team %s cannot be reached: not asked", case_id, to_team)
            return "unreachable"
        case, referral = await self.referrals.propose(case_id, actor, to_team, room, reason)
        assert case.user_id is not None
        with self.desk.speaking(case.language):
            screen = screens.consent(referral, partner)
            item = await self.desk.outbox.post(case.user_id, screen.text, screen.markup, case_id=case.id)
        await self.desk.outbox.flush([item])
        return "asked"

    async def answer(self, referral_id: int, user_id: int, agree: bool) -> tuple[str, str]:
        """The person's answer: ('sent' | 'refused' | 'unreachable' | 'stale', the partner's name for them)."""
        try:
            referral, case = await self.referrals.asked(referral_id, user_id)
        except ReferralError:
            return "stale", ""
        partner = self.team(referral.to_team)
        with self.desk.speaking(case.language):
            name = screens.team_label(partner, referral.to_team)
        if not agree:
            if await self.referrals.refuse(referral, user_id):
                await self._tell_origin(referral, lambda: screens.refused(case.id, self.label(referral.to_team)))
            return "refused", name
        if partner is None or not await self.desk.reachable(partner.chat_id):
            await self.referrals.failed(referral, "unreachable")
            await self._tell_origin(referral, lambda: screens.unreachable(case.id, self.label(referral.to_team)))
            return "unreachable", name
        try:
            await self._move(referral, user_id, case)
        except CaseError:
            await self.referrals.failed(referral, "changed")
            return "stale", name
        return "sent", name

    async def _move(self, referral: Referral, user_id: int, before: Case) -> None:
        ids: list[int] = []
        async with self.desk.cases.db.transaction():
            case = await self.referrals.move(referral, user_id)
            ids.append(await self._origin_post(referral, lambda: screens.sent(case.id, self.label(referral.to_team))))
            if referral.from_thread is not None and before.topic is not None:  # the old topic says where the case went
                with self.desk.speaking(self.desk.team_locale):
                    name = screens.topic_name(case.id, self.label(referral.to_team))
                ids.append(await self.desk.outbox.topic(*before.topic, "edit", name, case_id=case.id))
            alert = await self.desk.queue_alert(case)
            ids += [alert] if alert is not None else []
        await self.desk.send_queued(ids)
        log.info("case %s referred from %s to %s", case.id, referral.from_team, referral.to_team)

    async def _origin_post(self, referral: Referral, notice: Callable[[], str]) -> int:
        """Queue a notice where the referring team follows the case, in the team's language (whoever acted)."""
        assert referral.from_chat is not None
        with self.desk.speaking(self.desk.team_locale):
            text = notice()
        return await self.desk.outbox.post(referral.from_chat, text, case_id=referral.case_id, thread=referral.from_thread)

    async def _tell_origin(self, referral: Referral, notice: Callable[[], str]) -> None:
        if referral.from_chat is not None:
            await self.desk.outbox.flush([await self._origin_post(referral, notice)])

    # ------------------------------------------------------------------ the desk's hooks (inside its transactions)
    async def taken(self, case: Case, actor: Actor) -> tuple[list[int], str | None]:
        """A referred case taken in the partner team: the team it came from is told; (queued, the history's head
        when this is the first take there, for the desk to show the history with)."""
        found = await self.referrals.taken(case, actor)
        if found is None:
            return [], None
        referral, first = found
        ids = [await self._origin_post(referral, lambda: screens.status_taken(case.id, self.label(referral.to_team)))] if first else []
        with self.desk.speaking(self.desk.team_locale):
            head = screens.history_head(self.label(referral.from_team), referral.shared.get("reason"))
        return ids, head if first else None

    async def closed(self, case: Case) -> list[int]:
        referral = await self.referrals.closed(case)
        if referral is None:
            return []
        return [await self._origin_post(referral, lambda: screens.status_closed(case.id, self.label(referral.to_team), case.outcome or ""))]
