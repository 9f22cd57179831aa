"""Safety check-ins: a person asks the bot to check on them, every day, every 3 days or every week, at
a time of theirs. One tap answers "I'm OK". A question not answered within the waiting time is asked
once more; if that one is not answered either, and only if the person agreed to it when setting the
check-ins up, a case opens for the consultants with what the person chose to share.

No aiogram here: the job (bot/telegram/checkins.py) sends, and decides whether the bot ran all along.

Stages of a check-in: idle (no question open) -> asked -> again (asked twice) -> raised (a case opened,
or, without the consent, simply missed: idle). The person's answer brings any stage back to idle. The next
question's time moves on when a question is asked, so a check-in never answered still comes back on
schedule.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.models import Checkin
from bot.storage.checkins import CheckinRepository

EVERY: tuple[int, ...] = (1, 3, 7)  # days between check-ins
SHARES: tuple[str, ...] = ("place", "citizenship", "workplace")  # the language is always given: consultants must write in it
MAX_WORKPLACE = 200
TIME_RE = re.compile(r"^\s*(\d{1,2})\s*[:.\-h ]\s*(\d{2})\s*$")
# The time zones a person may be in, by country. Russia spans eleven: those where migrants work are offered.
ZONES: dict[str, tuple[str, ...]] = {
    "KG": ("Asia/Bishkek",), "TJ": ("Asia/Dushanbe",), "UZ": ("Asia/Tashkent",), "KZ": ("Asia/Almaty",),
    "TR": ("Europe/Istanbul",), "AE": ("Asia/Dubai",), "KR": ("Asia/Seoul",),
    "RU": ("Europe/Kaliningrad", "Europe/Moscow", "Europe/Samara", "Asia/Yekaterinburg", "Asia/Omsk", "Asia/Novosibirsk",
           "Asia/Irkutsk", "Asia/Yakutsk", "Asia/Vladivostok", "Asia/Magadan", "Asia/Kamchatka"),
}
# Not known where the person is: one zone per UTC offset of the bot's countries (Istanbul has Moscow's, Almaty and Dushanbe Tashkent's).
EVERYWHERE: tuple[str, ...] = ("Europe/Moscow", "Asia/Dubai", "Asia/Tashkent", "Asia/Bishkek", "Asia/Seoul")


def parse_time(text: str) -> str | None:
    """'19:30', '7.05', '19 30' -> 'HH:MM'; None for anything else."""
    match = TIME_RE.match(text)
    if match is None:
        return None
    hour, minute = int(match[1]), int(match[2])
    if hour > 23 or minute > 59:
        return None
    return f"{hour:02d}:{minute:02d}"


def zone_or_none(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def zone_of(name: str) -> ZoneInfo:
    """A stored check-in's zone (checked when it was set up); UTC should the system's zone data lack it."""
    return zone_or_none(name) or ZoneInfo("UTC")


def zones_for(country: str | None) -> tuple[str, ...]:
    """The time zones to offer a person in `country` (a few common ones when it is not known)."""
    return ZONES.get(country or "", EVERYWHERE)


def occurrence(day: date, at: str, zone: ZoneInfo) -> datetime:
    """`at` on `day` where the person is, in UTC (a time skipped by a clock change is the hour after)."""
    local = datetime.combine(day, time.fromisoformat(at), tzinfo=zone)
    return local.astimezone(UTC)


def first_after(now: datetime, at: str, zone: ZoneInfo) -> datetime:
    """The first `at` after `now` where the person is: today if it is still to come, else tomorrow."""
    today = now.astimezone(zone).date()
    moment = occurrence(today, at, zone)
    return moment if moment > now else occurrence(today + timedelta(days=1), at, zone)


def following(checkin: Checkin, after: datetime) -> datetime:
    """The check-in's next time after `after`: every `every_days` days from the one due now, at its time."""
    zone = zone_of(checkin.zone)
    day = checkin.next_at.astimezone(zone).date()
    moment = occurrence(day, checkin.at, zone)
    while moment <= after:
        day += timedelta(days=checkin.every_days)
        moment = occurrence(day, checkin.at, zone)
    return moment


class CheckinError(ValueError):
    """`reason`: bad_every | bad_time | bad_zone | bad_share | none."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class CheckinService:
    def __init__(self, repo: CheckinRepository, *, wait: timedelta, clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.repo = repo
        self.wait = wait  # how long a question waits for its answer
        self.clock = clock

    async def get(self, user_id: int) -> Checkin | None:
        return await self.repo.get(user_id)

    async def start(
        self, user_id: int, every_days: int, at: str, zone: str, *, escalate: bool, share: tuple[str, ...] = (),
        workplace: str | None = None,
    ) -> Checkin:
        """Set the check-ins up (again: the earlier setting goes, an open question with it)."""
        if every_days not in EVERY:
            raise CheckinError("bad_every")
        if parse_time(at) != at:
            raise CheckinError("bad_time")
        where = zone_or_none(zone)
        if where is None:
            raise CheckinError("bad_zone")
        if any(s not in SHARES for s in share):
            raise CheckinError("bad_share")
        share = tuple(s for s in SHARES if s in share and escalate)  # nothing is shared without the consent
        workplace = ((workplace or "").strip()[:MAX_WORKPLACE] or None) if "workplace" in share else None
        if "workplace" in share and workplace is None:
            share = tuple(s for s in share if s != "workplace")
        now = self.clock()
        checkin = Checkin(user_id, every_days, at, zone, True, escalate, share, workplace, first_after(now, at, where), "idle", None, None)
        await self.repo.save(checkin, now)
        return checkin

    async def _change(self, user_id: int, change: Callable[[Checkin], Checkin]) -> Checkin:
        checkin = await self.repo.get(user_id)
        if checkin is None:
            raise CheckinError("none")
        changed = change(checkin)
        await self.repo.save(changed, self.clock())
        return changed

    async def pause(self, user_id: int) -> Checkin:
        """No more questions, and an open one is not followed up, until resumed."""
        return await self._change(user_id, lambda c: replace(c, active=False, stage="idle", asked_at=None))

    async def resume(self, user_id: int) -> Checkin:
        now = self.clock()
        return await self._change(user_id, lambda c: replace(
            c, active=True, stage="idle", asked_at=None, next_at=first_after(now, c.at, zone_of(c.zone))))

    async def set_consent(self, user_id: int, escalate: bool) -> Checkin:
        """The consent to open a case, given or withdrawn; withdrawn, what was to be shared goes too."""
        return await self._change(user_id, lambda c: replace(
            c, escalate=escalate, share=c.share if escalate else (), workplace=c.workplace if escalate else None))

    async def stop(self, user_id: int) -> bool:
        """Check-ins stopped: the setting is deleted, what was to be shared with it."""
        return await self.repo.drop(user_id) > 0

    async def answered(self, user_id: int) -> tuple[Checkin | None, Checkin | None]:
        """The person tapped "I'm OK": (before, after); a stage other than idle before means a question was
        open (and `before.case_id` names the case it opened, if it did)."""
        checkin = await self.repo.get(user_id)
        if checkin is None:
            return None, None
        now = self.clock()
        after = replace(checkin, stage="idle", asked_at=None, case_id=None,
                        next_at=checkin.next_at if checkin.next_at > now else following(checkin, now))
        if after != checkin:
            await self.repo.save(after, now)
        return checkin, after

    # ------------------------------------------------------------------ the job's side
    async def due(self, limit: int = 200) -> list[Checkin]:
        now = self.clock()
        return await self.repo.due(now, now - self.wait, limit)

    async def asked(self, checkin: Checkin, stage: str) -> bool:
        """A question was sent ("asked" the first time, "again" the second); the next time moves on when it is
        the first. False: the person answered (or changed the setting) meanwhile."""
        now = self.clock()
        next_at = following(checkin, now) if stage == "asked" else checkin.next_at
        return await self.repo.step(checkin, replace(checkin, stage=stage, asked_at=now, next_at=next_at))

    async def missed(self, checkin: Checkin, case_id: int | None) -> bool:
        """Asked twice, no answer: "raised" with the case it opened, or (no consent, no case) back to idle."""
        stage = "raised" if case_id is not None else "idle"
        return await self.repo.step(checkin, replace(checkin, stage=stage, asked_at=None, case_id=case_id))

    async def lost_chat(self, checkin: Checkin) -> None:
        """The person blocked the bot: no question can reach them; the check-ins pause."""
        await self.repo.save(replace(checkin, active=False, stage="idle", asked_at=None), self.clock())

    async def counts(self) -> tuple[int, int, int]:
        return await self.repo.counts()
