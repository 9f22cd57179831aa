"""The rules of an announcement being prepared: how long it may be, whom it can be aimed at, and the
admin's draft kept between messages (the BroadcastForm's FSM data), and when it goes: now, or at a time
the admin types or taps, in the admins' time zone (ADMIN_TIMEZONE)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.models import CITIZENSHIPS, DESTINATIONS, LANGUAGES

MAX_TEXT = 3500  # room for Telegram's 4096 after entities
RATE = 25.0  # messages a second, overall, for every bulk send
# whom an announcement can be aimed at: several of each at once; none chosen is everyone
CHOICES: dict[str, tuple[str, ...]] = {"lang": LANGUAGES, "cit": CITIZENSHIPS, "dst": DESTINATIONS}
FILTERS = ("lang", "cit", "dst")
MAX_AHEAD = timedelta(days=30)  # how far ahead an announcement can be scheduled
QUICK = ("1h", "9am")  # the "send at" buttons: in an hour; tomorrow at 09:00 (the admins' time)


class SendAtError(ValueError):
    """A typed sending time that cannot be used; `reason`: not_understood, past, too_far."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _codes(value: Any, kind: str) -> tuple[str, ...]:
    """The stored choice, as kept now (a list) or before (one code, "" for everyone), in the buttons' order."""
    given = value if isinstance(value, (list, tuple)) else str(value or "").split(",")
    return tuple(code for code in CHOICES[kind] if code in {str(v) for v in given})


@dataclass(frozen=True, slots=True)
class Draft:
    """An announcement being prepared: its text, its audience (the codes chosen of each kind; none is
    everyone) and when it goes (send_at, ISO in UTC; "" is now). Stored as the FSM data."""

    text: str = ""
    lang: tuple[str, ...] = ()
    cit: tuple[str, ...] = ()
    dst: tuple[str, ...] = ()
    send_at: str = ""

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Draft:
        at = str(data.get("send_at") or "")
        try:
            datetime.fromisoformat(at) if at else None
        except ValueError:
            at = ""
        lang, cit, dst = (_codes(data.get(kind), kind) for kind in FILTERS)
        return cls(str(data.get("text") or ""), lang, cit, dst, at)

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "lang": list(self.lang), "cit": list(self.cit), "dst": list(self.dst), "send_at": self.send_at}

    def chosen(self, kind: str) -> tuple[str, ...]:
        return tuple(getattr(self, kind))

    def toggled(self, kind: str, code: str) -> Draft:
        """The code of `kind` added, or taken off if it was chosen."""
        if kind not in CHOICES or code not in CHOICES[kind]:
            raise ValueError(f"not a choice: {kind}={code!r}")
        now = set(self.chosen(kind)) ^ {code}
        return Draft.from_dict({**self.to_dict(), kind: [c for c in CHOICES[kind] if c in now]})

    def audience(self) -> tuple[tuple[str, ...] | None, tuple[str, ...] | None, tuple[str, ...] | None]:
        """(languages, citizenships, destinations), None for everyone."""
        return self.lang or None, self.cit or None, self.dst or None

    def at(self) -> datetime | None:
        return datetime.fromisoformat(self.send_at) if self.send_at else None

    def sent_at(self, moment: datetime | None) -> Draft:
        return replace(self, send_at=moment.astimezone(UTC).isoformat() if moment else "")


def quick_send_at(choice: str, now: datetime, zone: ZoneInfo) -> datetime:
    """A "send at" button's moment: in an hour, or tomorrow at 09:00 in the admins' time zone."""
    if choice == "1h":
        return now + timedelta(hours=1)
    if choice == "9am":
        tomorrow = now.astimezone(zone).date() + timedelta(days=1)
        return datetime.combine(tomorrow, time(9, 0), tzinfo=zone).astimezone(UTC)
    raise ValueError(f"not a quick choice: {choice!r}")


def _typed(cleaned: str, local: datetime, zone: ZoneInfo) -> datetime | None:
    """The moment typed, in the admins' zone: a time alone is today's or tomorrow's; a day without a year
    is this year's, or next year's when that is the one within reach (05.01 typed on 30 December)."""
    for shape in ("%H:%M", "%d.%m.%Y %H:%M", "%Y-%m-%d %H:%M"):
        try:
            parsed = datetime.strptime(cleaned, shape)
        except ValueError:
            continue
        if shape != "%H:%M":
            return parsed.replace(tzinfo=zone)
        moment = datetime.combine(local.date(), parsed.time(), tzinfo=zone)
        return moment if moment > local else moment + timedelta(days=1)
    found = []
    for year in (local.year, local.year + 1):
        try:  # the year read with the day, so 29.02 is a day in a leap year
            found.append(datetime.strptime(f"{cleaned} {year}", "%d.%m %H:%M %Y").replace(tzinfo=zone))
        except ValueError:
            continue
    ahead = [moment for moment in found if local < moment <= local + MAX_AHEAD]
    chosen = ahead or found
    return chosen[0] if chosen else None


def parse_send_at(text: str, now: datetime, zone: ZoneInfo) -> datetime:
    """A typed sending time in the admins' time zone: `18:30` (today, or tomorrow once past),
    `03.12 18:30`, `03.12.2026 18:30` or `2026-12-03 18:30`. In UTC; SendAtError when it cannot be used."""
    local = now.astimezone(zone)
    cleaned = " ".join(text.strip().replace(",", " ").split())
    moment = _typed(cleaned, local, zone)
    if moment is None:
        raise SendAtError("not_understood")
    if moment <= local:
        raise SendAtError("past")
    if moment - local > MAX_AHEAD:
        raise SendAtError("too_far")
    return moment.astimezone(UTC)
