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
