"""Checklists and reminders: a person's items and deadlines, and the reminders planned from them.

The plan is a pure function of the content, the person's profile, their trip dates and their marks:
`plan()` says which reminders should exist. `replan()` makes the table match it after every change
(pending reminders that are no longer wanted go; new ones come; one already sent is never added
again: the table's unique key is item + deadline + days before). The scheduler claims due reminders,
and before sending asks `still_wanted()` against a fresh plan, so a reminder made stale by a tick, a
new date, a changed destination or edited content is dropped rather than sent.

Delivery guarantee (see `bot/telegram/reminders.py`): a reminder is claimed, then marked `sending` just before
its request, then `sent`. A restart turns `claimed` back into `pending` (it was never tried: sent
once, later) and `sending` too (the process died during the request itself, a few milliseconds: it is
sent again, because a duplicate reminder costs less than a missed deadline).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.content import Content
from bot.content.model import ChecklistItem
from bot.models import Mark, Planned, Reminder, Trip, User
from bot.services.dates import QuietHours, add_months, local_moment, shift
from bot.services.events import EventLog
from bot.storage.checklists import ChecklistRepository
from bot.storage.db import Database

MAX_MONTHLY = 12  # a repeating item without a limit fact: a year ahead at most
# The dates a calendar can set: the trip's two (by these short names) or an item's own (by its id).
TRIP_FIELDS = {"dep": "departure", "arr": "arrival"}


class ChecklistError(Exception):
    """A change the person asked for that cannot be made; `reason` names it for the handler."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Entry:
    """One item of a person's checklist, as it stands today."""

    item: ChecklistItem
    done: bool
    muted: bool
    day: date | None  # the item's own date, when it has one
    paid: int  # a monthly payment: months paid in all
    deadline: date | None  # the next deadline; None when it has none or a date is missing
    needs: str | None  # "departure" | "arrival" | "own": the date still missing for a deadline
    ended: date | None = None  # a monthly payment with no months left: the day its last month ends
    missed: bool = False  # a monthly payment whose due day passed unpaid: `deadline` is that day

    @property
    def late(self) -> bool:
        """Past its deadline and not done: the screens say what to do now."""
        return not self.done and self.deadline is not None and self.deadline < self.today_seen

    today_seen: date = date.min  # the day the entry was worked out on (where the person is)

    @property
    def id(self) -> str:
        return self.item.id

    @property
    def repeats(self) -> bool:
        """A monthly payment (a patent): paid month by month from the item's own date."""
        return self.item.deadline is not None and self.item.deadline.repeat is not None


@dataclass(frozen=True)
class Sheet:
    """A person's checklist for their destination."""

    country: str
    citizenship: str | None
    trip: Trip
    entries: list[Entry]
    today: date

    def phase(self, phase: str) -> list[Entry]:
        return [entry for entry in self.entries if entry.item.phase == phase]

    @property
    def current_phase(self) -> str:
        return phase_on(self.trip, self.today)

    def entry(self, item_id: str) -> Entry | None:
        return next((entry for entry in self.entries if entry.id == item_id), None)

    def knows(self, field: str) -> bool:
        """Whether `field` names a date of this checklist: the trip's, or an item's own."""
        if field in TRIP_FIELDS:
            return True
        entry = self.entry(field)
        return entry is not None and entry.item.own_date

    def day_of(self, field: str) -> date | None:
        """The date `field` has now (None when not set)."""
        if field == "dep":
            return self.trip.departure
        if field == "arr":
            return self.trip.arrival
        entry = self.entry(field)
        return entry.day if entry else None


def phase_on(trip: Trip, day: date) -> str:
    """"after" once the person has arrived, "before" until then."""
    return "after" if trip.arrival is not None and trip.arrival <= day else "before"


class ChecklistService:
    def __init__(
        self, db: Database, repo: ChecklistRepository, content: Content,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC), events: EventLog | None = None,
    ) -> None:
        self.db = db
        self.repo = repo
        self.content = content
        self.clock = clock
        self.events = events
        settings = content.checklists
        self.quiet = QuietHours(settings.quiet_end, settings.quiet_start)
        self.zones = {code: ZoneInfo(name) for code, name in settings.time_zones.items()}

    # -- reading -----------------------------------------------------------------------------
    def available(self, user: User) -> bool:
        return user.destination in self.content.checklists.countries

    def zone(self, user: User, phase: str) -> ZoneInfo:
        """Where the person is: at home before the trip, at the destination after arrival."""
        if phase == "before" and user.citizenship in self.zones:
            return self.zones[user.citizenship]
        return self.zones.get(user.destination or "", ZoneInfo("UTC"))

    def today(self, user: User, phase: str = "after") -> date:
        return self.clock().astimezone(self.zone(user, phase)).date()

    async def sheet(self, user: User) -> Sheet:
        if not self.available(user):
            raise ChecklistError("no_checklist")
        trip = await self.trip(user)
        marks = await self.repo.marks(user.id)
        return self._sheet(user, trip, marks)

    async def trip(self, user: User) -> Trip:
        """The person's dates for their current destination (none yet, or none for a new destination)."""
        trip = await self.repo.trip(user.id)
        if trip is None or trip.country != user.destination:
            return Trip(user.id, user.destination or "", None, None, trip.reminders if trip else True)
        return trip

    def _sheet(self, user: User, trip: Trip, marks: dict[str, Mark]) -> Sheet:
        country = user.destination or ""
        today = self.today(user, phase_on(trip, self.today(user, "after")))  # the clock of where the person is
        entries = [
            self.entry(item, trip, marks.get(item.id), today, self._where(item, user))
            for item in self.content.checklist(country, user.citizenship)
        ]
        return Sheet(country, user.citizenship, trip, entries, today)

    @staticmethod
    def _where(item: ChecklistItem, user: User) -> str | None:
        """Whose working days count for the item: home before the trip, the destination after arrival."""
        return user.destination if item.phase == "after" else user.citizenship

    def entry(self, item: ChecklistItem, trip: Trip, mark: Mark | None, today: date, country: str | None = None) -> Entry:
        mark = mark or Mark(item.id, False, None, False)
        entry = Entry(item, mark.done, mark.muted, mark.day, mark.paid, None, None, today_seen=today)
        deadline = item.deadline
        if deadline is None:
            return entry
        start = {"departure": trip.departure, "arrival": trip.arrival, "own": mark.day}[deadline.start]
        if start is None:
            return replace(entry, needs=deadline.start)
        if deadline.repeat is not None:
            ahead = self.monthly(item, start, mark.paid)
            if ahead and ahead[0] < today and not mark.done:
                # the next month was due and is not recorded as paid: shown as missed, never skipped
                return replace(entry, deadline=ahead[0], missed=True)
            upcoming = [day for day in ahead if day >= today]
            if not upcoming:
                return replace(entry, ended=add_months(start, self._limit(item)) - timedelta(days=1))
            return replace(entry, deadline=upcoming[0])
        return replace(entry, deadline=shift(start, self._amount(item), deadline.unit, before=deadline.before, country=country))

    def _amount(self, item: ChecklistItem) -> int:
        assert item.deadline is not None and item.deadline.fact is not None
        return int(self.content.facts[item.deadline.fact].value)

    def _limit(self, item: ChecklistItem) -> int:
        assert item.deadline is not None
        name = item.deadline.limit
        return int(self.content.facts[name].value) if name else MAX_MONTHLY

    def monthly(self, item: ChecklistItem, start: date, paid: int) -> list[date]:
        """The payment deadlines still ahead of a monthly item: month `paid` (at least 1) up to the limit."""
        assert item.deadline is not None
        offset = timedelta(days=item.deadline.shift_days)
        return [add_months(start, k) + offset for k in range(max(paid, 1), self._limit(item))]

    # -- changing ------------------------------------------------------------------------------
    async def set_trip_date(self, user: User, which: str, day: date) -> Sheet:
        trip = await self.trip(user)
        if which == "departure":
            if trip.arrival is not None and day > trip.arrival:
                raise ChecklistError("departure_after_arrival")
            trip = replace(trip, departure=day)
        elif which == "arrival":
            if trip.departure is not None and day < trip.departure:
                raise ChecklistError("arrival_before_departure")
            trip = replace(trip, arrival=day)
        else:
            raise ChecklistError("unknown_date")
        await self.repo.save_trip(replace(trip, country=user.destination or trip.country), self.clock())
        return await self._progress(user)

    async def set_date(self, user: User, field: str, day: date) -> Sheet:
        """A date from the calendar or typed: the trip's (`dep`, `arr`) or an item's own (its id)."""
        if field in TRIP_FIELDS:
            return await self.set_trip_date(user, TRIP_FIELDS[field], day)
        return await self.set_day(user, field, day)

    async def _mark(self, user: User, item_id: str) -> tuple[ChecklistItem, Mark]:
        item = next((i for i in self.content.checklist(user.destination or "", user.citizenship) if i.id == item_id), None)
        if item is None:
            raise ChecklistError("unknown_item")
        marks = await self.repo.marks(user.id)
        return item, marks.get(item_id) or Mark(item_id, False, None, False)

    async def toggle(self, user: User, item_id: str) -> Sheet:
        _item, mark = await self._mark(user, item_id)
        await self.repo.save_mark(user.id, replace(mark, done=not mark.done), self.clock())
        return await self._progress(user)

    async def set_done(self, user: User, item_id: str) -> Sheet:
        _item, mark = await self._mark(user, item_id)
        if not mark.done:
            await self.repo.save_mark(user.id, replace(mark, done=True), self.clock())
        return await self._progress(user)

    async def set_day(self, user: User, item_id: str, day: date) -> Sheet:
        item, mark = await self._mark(user, item_id)
        if not item.own_date:
            raise ChecklistError("unknown_item")
        paid = mark.paid if mark.day == day else (1 if item.deadline and item.deadline.repeat else 0)
        await self.repo.save_mark(user.id, replace(mark, day=day, paid=paid), self.clock())
        return await self._progress(user)

    async def set_paid(self, user: User, item_id: str, months: int, *, more: bool) -> Sheet:
        """A monthly payment: `months` paid in all (`more=False`), or `months` more from the next deadline."""
        item, mark = await self._mark(user, item_id)
        if item.deadline is None or item.deadline.repeat is None or mark.day is None:
            raise ChecklistError("unknown_item")
        limit = self._limit(item)
        if not 1 <= months <= limit:
            raise ChecklistError("bad_months")
        if more:  # n more months from the first one not recorded as paid (a missed month is never skipped)
            paid = min(max(mark.paid, 1) + months, limit)
        else:
            paid = months
        await self.repo.save_mark(user.id, replace(mark, paid=paid, done=False), self.clock())
        return await self._progress(user)

    async def _progress(self, user: User) -> Sheet:
        """After the person filled in or ticked something: re-plan, and count the checklist started (the
        first change for this destination) and completed (every item done), once per person each."""
        sheet = await self.replan(user)
        if self.events is not None:
            await self.events.record_once("checklist", user, f"started:{sheet.country}")
            if sheet.entries and all(entry.done for entry in sheet.entries):
                await self.events.record_once("checklist", user, f"completed:{sheet.country}")
        return sheet

    async def mute(self, user: User, item_id: str, muted: bool) -> Sheet:
        _item, mark = await self._mark(user, item_id)
        await self.repo.save_mark(user.id, replace(mark, muted=muted), self.clock())
        return await self.replan(user)

    async def set_reminders(self, user: User, on: bool) -> Sheet:
        trip = await self.trip(user)
        await self.repo.save_trip(replace(trip, reminders=on), self.clock())
        return await self.replan(user)

    async def stop(self, user_id: int) -> int:
        """The person blocked the bot: their pending reminders go (a new plan is made if they come back)."""
        return await self.repo.drop_pending(user_id)

    # -- the plan ------------------------------------------------------------------------------
    def plan(self, user: User, sheet: Sheet) -> list[Planned]:
        """Every reminder the person should get (past ones included: a late one is still wanted)."""
        if user.blocked or not sheet.trip.reminders:
            return []
        settings = self.content.checklists
        planned: list[Planned] = []
        for entry in sheet.entries:
            item = entry.item
            if entry.done or entry.muted or entry.deadline is None:
                continue
            zone = self.zone(user, item.phase)
            deadlines = [entry.deadline]
            if item.deadline is not None and item.deadline.repeat is not None and entry.day is not None:
                deadlines = [day for day in self.monthly(item, entry.day, entry.paid) if day >= entry.deadline]
            for deadline in deadlines:
                for days_before in item.remind if item.remind is not None else settings.remind:
                    moment = local_moment(deadline - timedelta(days=days_before), settings.remind_at, zone)
                    planned.append(Planned(item.id, deadline, days_before, int(moment.timestamp())))
        return planned

    async def replan(self, user: User) -> Sheet:
        """Make the reminders table match the plan; returns the fresh sheet."""
        trip = await self.trip(user)
        sheet = self._sheet(user, trip, await self.repo.marks(user.id))
        planned = self.plan(user, sheet)
        now = int(self.clock().timestamp())
        await self.repo.replace_plan(user.id, keep=planned, add=[p for p in planned if p.due_at > now])
        return sheet

    async def scheduled(self, user: User) -> tuple[Sheet, list[Reminder]]:
        sheet = await self.replan(user)
        return sheet, await self.repo.pending(user.id)

    # -- the scheduler's side --------------------------------------------------------------------
    async def claim_due(self, limit: int) -> list[Reminder]:
        return await self.repo.claim_due(int(self.clock().timestamp()), limit)

    async def still_wanted(self, user: User, reminders: list[Reminder]) -> tuple[list[Reminder], list[Reminder], Sheet | None]:
        """Split claimed reminders into those the current plan still wants and stale ones."""
        if not self.available(user):
            return [], reminders, None
        sheet = self._sheet(user, await self.trip(user), await self.repo.marks(user.id))
        keys = {p.key for p in self.plan(user, sheet)}
        wanted = [r for r in reminders if (r.item, r.deadline, r.days_before) in keys]
        return wanted, [r for r in reminders if r not in wanted], sheet

    def next_allowed(self, user: User, item: ChecklistItem, moment: datetime) -> datetime:
        """`moment` when it is daytime where the person is; otherwise the next morning there."""
        return self.quiet.next_allowed(moment, self.zone(user, item.phase))

    async def mark(self, reminders: list[Reminder], status: str) -> None:
        await self.repo.mark([r.id for r in reminders], status, sent_at=int(self.clock().timestamp()) if status == "sent" else None)

    async def release(self, reminders: list[Reminder], at: datetime, *, failed: bool = False) -> None:
        await self.repo.release([r.id for r in reminders], int(at.timestamp()), failed=failed)

    async def recover(self, dead: Collection[str] | None = None) -> tuple[int, int]:
        return await self.repo.recover(dead)
