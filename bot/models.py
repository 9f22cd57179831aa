"""Entities and the closed lists the whole bot shares: plain data, no SQL, no aiogram."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

# The languages the bot speaks, the citizenships it advises and the destinations it covers.
LANGUAGES: tuple[str, ...] = ("ru", "ky", "tg", "uz")
CITIZENSHIPS: tuple[str, ...] = ("KG", "TJ", "UZ")
OTHER_COUNTRY = "XX"  # ISO 3166 user-assigned code: a country the bot has no specific advice for
DESTINATIONS: tuple[str, ...] = ("RU", "KZ", "TR", "AE", "KR")
# cases that are not closed
OPEN = ("new", "taken")


@dataclass(frozen=True, slots=True)
class User:
    id: int
    language: str | None
    telegram_language: str | None
    citizenship: str | None
    destination: str | None
    first_seen: datetime
    last_seen: datetime
    blocked: bool
    location: str | None = None  # where the person is now: a home country, a destination, "XX" elsewhere
    script: str | None = None  # "cyrl": Uzbek shown in Cyrillic (the language stays "uz"); None: as written

    @property
    def place(self) -> str | None:
        """Where the numbers shown should work: where the person said they are, else where they go."""
        return self.location or self.destination

    @property
    def abroad(self) -> str | None:
        """The destination whose rules fit the person: where they are, else where they go (or went)."""
        return self.location if self.location in DESTINATIONS else self.destination


@dataclass(frozen=True, slots=True)
class Trip:
    user_id: int
    country: str
    departure: date | None
    arrival: date | None
    reminders: bool


@dataclass(frozen=True, slots=True)
class Mark:
    item: str
    done: bool
    day: date | None
    muted: bool
    paid: int = 0  # a monthly payment: months paid in all


@dataclass(frozen=True, slots=True)
class Reminder:
    id: int
    user_id: int
    item: str
    deadline: date
    days_before: int
    due_at: int
    attempts: int


@dataclass(frozen=True, slots=True)
class Planned:
    """A reminder the plan wants: its key (item, deadline, days_before) and when it is due."""

    item: str
    deadline: date
    days_before: int
    due_at: int

    @property
    def key(self) -> tuple[str, date, int]:
        return (self.item, self.deadline, self.days_before)


@dataclass(frozen=True, slots=True)
class Agency:
    id: int
    country: str  # whose registry
    name: str
    aliases: tuple[str, ...]
    permit: str | None
    authority: str | None
    valid_from: date | None
    valid_to: date | None
    status: str
    destinations: tuple[str, ...]
    phone: str | None
    address: str | None
    website: str | None
    note: str | None


@dataclass(frozen=True, slots=True)
class Snapshot:
    country: str
    source: str
    source_date: date
    imported_at: datetime
    file_name: str | None
    sample: bool
    rows: int


@dataclass(frozen=True, slots=True)
class Report:
    user_id: int | None
    language: str
    agency: str
    status: str
    registry: str | None = None
    permit: str | None = None
    flags: tuple[str, ...] = ()
    what: str | None = None
    contact: str | None = None
    created_at: datetime | None = None
    id: int | None = None
    case_id: int | None = None


@dataclass(frozen=True, slots=True)
class Case:
    id: int
    user_id: int | None
    kind: str
    level: str
    indicators: tuple[str, ...]
    answers: dict[str, str] | None
    description: str | None
    destination: str | None
    citizenship: str | None
    language: str
    username: str | None
    team: str
    status: str
    consultant_id: int | None
    consultant_name: str | None
    outcome: str | None
    created_at: datetime
    taken_at: datetime | None
    closed_at: datetime | None
    waiting_since: datetime
    last_alert_at: datetime | None
    alerts: int
    hotlines_sent_at: datetime | None
    subject: dict[str, Any] | None = None  # what the case is about: an agency report names its agency
    signs: tuple[str, ...] = ()  # what raised the level (bot.services.desk.triaged), by name
    earlier: tuple[int, ...] = ()  # the same person's earlier cases, newest first
    topic_chat: int | None = None  # the forum group of the case's topic
    topic_id: int | None = None  # the topic (message_thread_id); None: the case is talked about in private chats
    referred_from: str | None = None  # the team that referred the case to the team it is with now

    @property
    def topic(self) -> tuple[int, int] | None:
        return (self.topic_chat, self.topic_id) if self.topic_chat is not None and self.topic_id is not None else None

    @property
    def open(self) -> bool:
        return self.status in OPEN


@dataclass(frozen=True, slots=True)
class CaseMessage:
    id: int
    case_id: int
    direction: str
    kind: str
    text: str | None
    chat_id: int
    message_id: int
    author_id: int | None
    created_at: datetime
    delivered: bool


@dataclass(frozen=True, slots=True)
class Broadcast:
    id: int
    created_at: datetime
    author_id: int
    text: str
    language: str | None
    citizenship: str | None
    destination: str | None
    status: str
    total: int
    not_before: datetime | None
    progress_chat: int | None
    progress_msg: int | None


@dataclass(frozen=True, slots=True)
class OutboxItem:
    id: int
    chat_id: int
    method: str
    payload: dict[str, Any]
    case_id: int | None
    track: str | None
    source_id: int | None
    attempts: int


@dataclass(frozen=True, slots=True)
class Checkin:
    """A person's safety check-in (bot/services/checkins.py): how often, when, and what happens when missed."""

    user_id: int
    every_days: int  # 1, 3 or 7
    at: str  # "HH:MM", the person's time
    zone: str  # the IANA zone that time is in
    active: bool  # False: paused
    escalate: bool  # the person agreed: a check-in missed twice opens a case
    share: tuple[str, ...]  # what that case shows besides the language: "place", "citizenship", "workplace"
    workplace: str | None  # where they work, as typed (only when shared)
    next_at: datetime  # the next time to ask (UTC)
    stage: str  # "idle" (no question open) | "asked" | "again" (asked twice) | "raised" (a case opened)
    asked_at: datetime | None  # when the open question was last sent
    case_id: int | None  # the case a missed check-in opened


@dataclass(frozen=True, slots=True)
class Referral:
    """A case referred to a partner team (bot/services/referrals.py)."""

    id: int
    case_id: int
    from_team: str
    to_team: str
    by_id: int  # the consultant who proposed it
    by_name: str
    status: str  # asked | refused | failed | sent | taken | closed | cancelled
    from_chat: int | None  # where the referring team follows the case
    from_thread: int | None
    shared: dict[str, Any]  # what the person was shown would be shared
    asked_at: datetime
    answered_at: datetime | None
