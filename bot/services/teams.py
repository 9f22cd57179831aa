"""Consultant teams: which group gets a case, and when its consultants work.

Without a teams file there is one team: the group CONSULTANT_CHAT_ID, working the hours in
WORKING_HOURS (always, when that is empty). A teams file (TEAMS_FILE, YAML) routes cases to several
groups by the person's citizenship and language; the first team that matches wins, and a team with
neither list matches everyone:

    teams:
      - id: tj
        chat_id: -1001234567890
        name: "Tajik desk"
        citizenships: [TJ]
        hours: "mon-fri 09:00-18:00 Asia/Dushanbe"
      - id: main
        chat_id: -1009876543210
        hours: "mon-sat 08:00-20:00 Asia/Bishkek"
        partners: [msk]
      - id: msk
        chat_id: -1005555555555
        name: "Moscow partner desk"
        country: RU
        partners: [main]
        referrals_only: true  # gets no new cases by routing: only those referred to it

A team's `partners` are teams (usually in another country) its consultants may refer a case to, with
the person's consent (bot/services/referrals.py); `country` says where a team works, for the person.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
HOURS_RE = re.compile(r"^(?P<d1>[a-z]{3})(?:-(?P<d2>[a-z]{3}))?\s+(?P<t1>\d{1,2}:\d{2})-(?P<t2>\d{1,2}:\d{2})$")


class TeamsError(ValueError):
    pass


@dataclass(frozen=True)
class Hours:
    """Working hours: the same span on some days of the week, in one time zone."""

    days: frozenset[int]  # 0 = Monday
    start: time
    end: time
    zone: ZoneInfo
    spec: str

    @classmethod
    def parse(cls, spec: str) -> Hours:
        """'mon-fri 09:00-18:00 Asia/Bishkek' or 'sat 10:00-14:00 Asia/Tashkent'."""
        *head, zone_name = spec.split() or [""]
        match = HOURS_RE.match(" ".join(head).lower())
        if match is None:
            raise TeamsError(f"working hours {spec!r}: expected like 'mon-fri 09:00-18:00 Asia/Bishkek'")
        d1, d2 = match["d1"], match["d2"] or match["d1"]
        if d1 not in DAYS or d2 not in DAYS:
            raise TeamsError(f"working hours {spec!r}: days are {', '.join(DAYS)}")
        first, last = DAYS.index(d1), DAYS.index(d2)
        days = frozenset(range(first, last + 1)) if first <= last else frozenset([*range(first, 7), *range(last + 1)])
        try:
            start, end = time.fromisoformat(match["t1"].zfill(5)), time.fromisoformat(match["t2"].zfill(5))
        except ValueError:
            raise TeamsError(f"working hours {spec!r}: times are HH:MM") from None
        if start >= end:
            raise TeamsError(f"working hours {spec!r}: the day must end after it starts")
        try:
            zone = ZoneInfo(zone_name)
        except (ZoneInfoNotFoundError, ValueError):
            raise TeamsError(f"working hours {spec!r}: unknown time zone") from None
        return cls(days, start, end, zone, spec.strip())

    def is_open(self, now: datetime) -> bool:
        local = now.astimezone(self.zone)
        return local.weekday() in self.days and self.start <= local.time() < self.end

    def next_open(self, now: datetime) -> datetime:
        """When the team is next at work (now, if it is)."""
        if self.is_open(now):
            return now
        local = now.astimezone(self.zone)
        for ahead in range(8):
            day = local.date() + timedelta(days=ahead)
            opening = datetime.combine(day, self.start, tzinfo=self.zone)
            if day.weekday() in self.days and opening > local:
                return opening
        raise AssertionError("a week always has a working day")

    def opened_at(self, now: datetime) -> datetime | None:
        """When the current working span began, or None when the team is not at work."""
        if not self.is_open(now):
            return None
        local = now.astimezone(self.zone)
        return datetime.combine(local.date(), self.start, tzinfo=self.zone)


@dataclass(frozen=True)
class Team:
    id: str
    chat_id: int
    name: str = ""
    citizenships: frozenset[str] = field(default_factory=frozenset)
    languages: frozenset[str] = field(default_factory=frozenset)
    hours: Hours | None = None  # None: always at work
    country: str | None = None  # where the team works (ISO code), told to a person asked to be referred to it
    partners: tuple[str, ...] = ()  # the teams this team may refer a case to
    routed: bool = True  # False (referrals_only): gets only the cases referred to it

    def matches(self, citizenship: str | None, language: str | None) -> bool:
        if not self.routed:
            return False
        if self.citizenships and citizenship not in self.citizenships:
            return False
        return not (self.languages and language not in self.languages)

    def is_open(self, now: datetime) -> bool:
        return self.hours is None or self.hours.is_open(now)


@dataclass(frozen=True)
class Teams:
    teams: tuple[Team, ...]

    def route(self, citizenship: str | None, language: str | None) -> Team | None:
        for team in self.teams:
            if team.matches(citizenship, language):
                return team
        routed = [team for team in self.teams if team.routed]
        return routed[-1] if routed else None

    def get(self, team_id: str) -> Team | None:
        return next((t for t in self.teams if t.id == team_id), None)

    def partners_of(self, team: Team) -> list[Team]:
        return [partner for partner in (self.get(team_id) for team_id in team.partners) if partner is not None]

    def by_chat(self, chat_id: int) -> Team | None:
        return next((t for t in self.teams if t.chat_id == chat_id), None)

    @property
    def chat_ids(self) -> tuple[int, ...]:
        return tuple(t.chat_id for t in self.teams)

    def __bool__(self) -> bool:
        return bool(self.teams)


def load_teams(path: Path | None, chat_id: int | None, hours: str | None) -> Teams:
    """The teams file when given, else one team from CONSULTANT_CHAT_ID and WORKING_HOURS."""
    if path is None:
        if chat_id is None:
            return Teams(())
        return Teams((Team("main", chat_id, hours=Hours.parse(hours) if hours else None),))
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as error:
        raise TeamsError(f"{path}: {error}") from None
    rows = data.get("teams") if isinstance(data, dict) else None
    if not isinstance(rows, list) or not rows:
        raise TeamsError(f"{path}: expected a list under 'teams'")
    teams, seen = [], set()
    for number, row in enumerate(rows, start=1):
        if not isinstance(row, dict) or "id" not in row or "chat_id" not in row:
            raise TeamsError(f"{path}: team {number} needs an id and a chat_id")
        team_id, team_chat = str(row["id"]), row["chat_id"]
        if team_id in seen:
            raise TeamsError(f"{path}: team id {team_id!r} is used twice")
        if not isinstance(team_chat, int) or team_chat >= 0:
            raise TeamsError(f"{path}: team {team_id!r}: chat_id must be a group id (a negative number)")
        seen.add(team_id)
        spec = row.get("hours")
        partners = row.get("partners") or []
        if not isinstance(partners, list):
            raise TeamsError(f"{path}: team {team_id!r}: partners must be a list of team ids")
        country = row.get("country")
        if country is not None and not (isinstance(country, str) and re.fullmatch(r"[A-Za-z]{2}", country)):
            raise TeamsError(f"{path}: team {team_id!r}: country must be a two-letter code, like RU")
        teams.append(Team(
            id=team_id,
            chat_id=team_chat,
            name=str(row.get("name") or ""),
            citizenships=frozenset(str(c).upper() for c in row.get("citizenships") or ()),
            languages=frozenset(str(c).lower() for c in row.get("languages") or ()),
            hours=Hours.parse(str(spec)) if spec else None,
            country=country.upper() if country else None,
            partners=tuple(str(p) for p in partners),
            routed=not row.get("referrals_only"),
        ))
    _check_partners(path, teams)
    return Teams(tuple(teams))


def _check_partners(path: Path, teams: list[Team]) -> None:
    ids = {team.id for team in teams}
    for team in teams:
        for partner in team.partners:
            if partner not in ids:
                raise TeamsError(f"{path}: team {team.id!r}: partner {partner!r} is not a team of this file")
            if partner == team.id:
                raise TeamsError(f"{path}: team {team.id!r}: a team is not its own partner")
    if not any(team.routed for team in teams):
        raise TeamsError(f"{path}: no team gets new cases (every team is referrals_only)")
