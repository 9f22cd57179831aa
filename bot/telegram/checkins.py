"""The check-ins job: ask the questions that are due, ask once more those not answered, and open a case
for those missed twice whose person agreed to it (bot/services/checkins.py holds the rules).

A false alarm must never come from the bot itself: a case opens only when the bot ran all along since
the second question was sent, so the person had the whole waiting time to answer and their answer could
not have been lost or held up. Whether it ran all along is known from this job's own ticks: the first
tick of a process (a restart), or one after a gap (the process stopped, the machine slept, another
instance took the lead), starts a new stretch, and a question sent before it is asked again instead of
raised. The job runs on the leading instance only.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError, TelegramBadRequest, TelegramForbiddenError, TelegramNetworkError, TelegramRetryAfter

from bot.i18n import CatalogI18n
from bot.models import Checkin, User
from bot.screens import checkin as screens
from bot.services.checkins import CheckinService
from bot.services.desk import CaseError, Draft
from bot.services.events import EventLog
from bot.services.users import UserService
from bot.telegram.desk import Desk
from bot.telegram.reminders import chat_gone

log = logging.getLogger(__name__)

TICK = timedelta(seconds=30)
GAP = timedelta(minutes=5)  # ticks further apart than this: the bot was not running in between


class CheckinSender:
    def __init__(
        self, bot: Bot, checkins: CheckinService, users: UserService, desk: Desk, i18n: CatalogI18n, default_language: str,
        *, clock: Callable[[], datetime] = lambda: datetime.now(UTC), events: EventLog | None = None,
    ) -> None:
        self.events = events  # the figures: how many missed check-ins reached consultants
        self.bot = bot
        self.checkins = checkins
        self.users = users
        self.desk = desk
        self.i18n = i18n
        self.default_language = default_language
        self.clock = clock
        self.last_tick: datetime | None = None
        self.up_since: datetime | None = None  # the start of the stretch this job has been ticking without a gap

    def _stretch(self, now: datetime) -> datetime:
        if self.last_tick is None or now - self.last_tick > GAP or now < self.last_tick:
            self.up_since = now
            if self.last_tick is not None:
                log.info("check-ins: no tick for %s: questions sent before now are asked again, never raised", now - self.last_tick)
        self.last_tick = now
        assert self.up_since is not None
        return self.up_since

    async def tick(self) -> int:
        """Do what is due; returns the number of messages sent."""
        up_since = self._stretch(self.clock())
        sent = 0
        for checkin in await self.checkins.due():
            user = await self.users.get(checkin.user_id)
            if user is None:
                await self.checkins.stop(checkin.user_id)
                continue
            outcome = await self._step(user, checkin, up_since)
            if outcome == "flood":
                break
            sent += outcome == "sent"
        return sent

    async def _step(self, user: User, checkin: Checkin, up_since: datetime) -> str:
        if checkin.stage in ("idle", "raised"):
            return await self._ask(user, checkin, "asked")
        if checkin.stage == "asked":
            return await self._ask(user, checkin, "again")
        # asked twice and not answered
        if checkin.asked_at is None or checkin.asked_at < up_since:
            log.info("check-in of %s: missed, but the bot was not running all along: asked again, not raised", checkin.user_id)
            return await self._ask(user, checkin, "again")
        case_id = await self._raise(user, checkin) if checkin.escalate else None
        if await self.checkins.missed(checkin, case_id) and self.events is not None:
            await self.events.record("checkin", user, "raised" if case_id is not None else "missed")
        return "raised" if case_id is not None else "missed"

    async def _ask(self, user: User, checkin: Checkin, stage: str) -> str:
        locale = user.language or self.default_language
        with self.i18n.context(), self.i18n.use_locale(locale):
            screen = screens.question(again=stage == "again")
        try:
            await self.bot.send_message(user.id, screen.text, reply_markup=screen.markup)
        except TelegramRetryAfter as error:
            log.warning("check-ins: flood limit, the rest waits %ss", error.retry_after)
            return "flood"
        except TelegramForbiddenError:
            await self.users.mark_blocked(user.id, True)
            await self.checkins.lost_chat(checkin)
            log.info("check-ins: user %s blocked the bot; their check-ins pause", user.id)
            return "blocked"
        except TelegramBadRequest as error:
            if chat_gone(error):
                await self.checkins.lost_chat(checkin)
                return "blocked"
            log.warning("check-ins: question not sent (%s): the next tick tries again", type(error).__name__)
            return "later"
        except (TelegramAPIError, TelegramNetworkError, OSError) as error:
            log.warning("check-ins: question not sent (%s): the next tick tries again", type(error).__name__)
            return "later"
        await self.checkins.asked(checkin, stage)
        return "sent"

    async def _raise(self, user: User, checkin: Checkin) -> int | None:
        """A case with what the person chose to share; a case of theirs already open hears of it instead."""
        share = set(checkin.share)
        draft = Draft(
            user_id=user.id, kind="checkin", level="high", language=user.language or self.default_language,
            destination=user.place if "place" in share else None,
            citizenship=user.citizenship if "citizenship" in share else None,
            subject={"checkin": {"every": checkin.every_days, "at": checkin.at, "zone": checkin.zone,
                                 "asked": checkin.asked_at.isoformat() if checkin.asked_at else None,
                                 "workplace": checkin.workplace if "workplace" in share else None}},
        )
        try:
            case = await self.desk.open_case(draft)
        except CaseError as error:
            if error.reason == "open_exists" and error.case is not None:
                await self.desk.tell(error.case, screens.missed_in_open_case)
                log.info("check-in of %s missed twice: told in their open case %s", user.id, error.case.id)
                return error.case.id
            log.warning("check-in of %s missed twice, and no case could open (%s)", user.id, error.reason)
            return None
        log.info("check-in of %s missed twice: case %s", user.id, case.id)
        return case.id
