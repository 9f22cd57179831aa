"""Dates people type, deadlines counted from them, and the hours when the bot may write.

Pure functions, no aiogram: the checklist and the reminders call them, the tests table them.

Counting follows the usual legal reading (e.g. Russia's Civil Code art. 191): a period "within N days
of arrival" starts the day after arrival, so it ends on arrival + N. Working days skip Saturdays,
Sundays and the public holidays of the country where the period runs (the `holidays` library, which
follows each country's official calendar, moved days off included where it knows them). A stay "of
N days" counts the day of entry as the first day, so its last day is entry + N - 1.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import Enum
from functools import lru_cache
from typing import Literal
from zoneinfo import ZoneInfo

import holidays
from babel.dates import get_month_names

Unit = Literal["days", "working_days", "stay_days", "months"]
# How far from today a typed date may be: a trip planned up to two years ahead, an arrival up to three years back.
PAST_LIMIT = timedelta(days=3 * 366)
FUTURE_LIMIT = timedelta(days=2 * 366)

# "today", "tomorrow", "yesterday" as people type them, in every language of the bot (and English).
RELATIVE_WORDS: dict[str, int] = {
    "today": 0, "tomorrow": 1, "yesterday": -1,
    "сегодня": 0, "завтра": 1, "вчера": -1, "послезавтра": 2,
    "бүгүн": 0, "эртең": 1, "кечээ": -1,
    "имрӯз": 0, "фардо": 1, "дирӯз": -1, "имруз": 0, "дируз": -1,
    "bugun": 0, "ertaga": 1, "kecha": -1, "бугун": 0, "эртага": 1, "кеча": -1,
}


class DateProblem(Enum):
    """Why a typed text is not a usable date; the handler says it in the person's language."""

    UNREADABLE = "unreadable"  # not a date at all
    NO_SUCH_DAY = "no_such_day"  # 31.02, 00.13
    TOO_FAR = "too_far"  # years away: a typo more likely than a plan


@dataclass(frozen=True)
class Parsed:
    day: date | None
    problem: DateProblem | None = None


@lru_cache(maxsize=1)
def _month_words() -> dict[str, int]:
    """Month names and their short forms in ru, ky, tg, uz and en, every grammatical form CLDR knows."""
    words: dict[str, int] = {}
    for locale in ("ru", "ky", "tg", "uz", "en"):
        for width in ("wide", "abbreviated"):
            for context in ("format", "stand-alone"):
                for number, name in get_month_names(width, context, locale).items():
                    key = name.lower().rstrip(".")
                    if len(key) >= 3:
                        words.setdefault(key, number)
    return words


_NUMERIC = re.compile(r"^(\d{1,4})[./\-\s](\d{1,2})(?:[./\-\s](\d{2,4}))?$")
_WORDY = re.compile(r"^(\d{1,2})[\s\-.]*([^\d\s.,\-]+)\.?(?:[\s,\-]+(\d{4}))?(?:\s*(?:г|г\.|год|года|ж|ж\.|йил|yil|sol|сол))?\.?$")


def parse_date(text: str, today: date) -> Parsed:
    """A date typed as 12.03.2026, 12/03/26, 12-03, 2026-03-12, "12 марта", "12-mart 2026" or "today".

    Without a year, the date nearest to today is meant (12.03 typed in December is next March).
    """
    raw = " ".join(text.strip().lower().replace("ё", "е").split())
    if not raw or len(raw) > 40:
        return Parsed(None, DateProblem.UNREADABLE)
    if raw in RELATIVE_WORDS:
        return Parsed(today + timedelta(days=RELATIVE_WORDS[raw]))
    numeric = _NUMERIC.match(raw)
    if numeric:
        first, second, third = numeric.groups()
        if len(first) == 4:  # ISO order: 2026-03-12
            if third is None:
                return Parsed(None, DateProblem.UNREADABLE)
            return _build(int(first), int(second), int(third), today)
        if len(first) == 3:
            return Parsed(None, DateProblem.UNREADABLE)
        return _day_month(int(first), int(second), third, today)
    wordy = _WORDY.match(raw)
    if wordy:
        day, word, year = wordy.groups()
        month = _month_from_word(word)
        if month is None:
            return Parsed(None, DateProblem.UNREADABLE)
        return _day_month(int(day), month, year, today)
    return Parsed(None, DateProblem.UNREADABLE)


def _month_from_word(word: str) -> int | None:
    words = _month_words()
    word = word.strip(".")
    if word in words:
        return words[word]
    # "марта" / "мартта" / "martda": a known name followed by a case ending
    matches = {number for name, number in words.items() if len(name) >= 3 and word.startswith(name)}
    if len(matches) == 1:
        return matches.pop()
    matches = {number for name, number in words.items() if len(word) >= 3 and name.startswith(word)}
    return matches.pop() if len(matches) == 1 else None


def _day_month(day: int, month: int, year_text: str | None, today: date) -> Parsed:
    if year_text is None:
        if not (1 <= month <= 12) or not (1 <= day <= 31):
            return Parsed(None, DateProblem.NO_SUCH_DAY)
        candidates = []
        for year in (today.year - 1, today.year, today.year + 1):
            try:
                candidates.append(date(year, month, day))
            except ValueError:
                continue
        if not candidates:  # 29.02 with no leap year near, or 31.04
            return Parsed(None, DateProblem.NO_SUCH_DAY)
        return Parsed(min(candidates, key=lambda d: abs((d - today).days)))
    year = int(year_text)
    if len(year_text) == 2:
        year += 2000
    elif len(year_text) != 4:
        return Parsed(None, DateProblem.UNREADABLE)
    return _build(year, month, day, today)


def _build(year: int, month: int, day: int, today: date) -> Parsed:
    try:
        value = date(year, month, day)
    except ValueError:
        return Parsed(None, DateProblem.NO_SUCH_DAY)
    if not within_range(value, today):
        return Parsed(None, DateProblem.TOO_FAR)
    return Parsed(value)


def within_range(value: date, today: date) -> bool:
    return today - PAST_LIMIT <= value <= today + FUTURE_LIMIT


# -- deadlines ---------------------------------------------------------------------------------
def add_months(start: date, months: int) -> date:
    """Same day `months` later; the 31st becomes the last day of a shorter month."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


@lru_cache(maxsize=16)
def public_holidays(country: str) -> holidays.HolidayBase | None:
    """The country's public holidays (every year, computed on demand); None for a country the library
    does not know, whose working days are then Monday to Friday."""
    try:
        return holidays.country_holidays(country)
    except NotImplementedError:
        return None


def is_working_day(day: date, country: str | None = None) -> bool:
    if day.weekday() >= 5:
        return False
    days_off = public_holidays(country) if country else None
    return days_off is None or day not in days_off


def add_working_days(start: date, days: int, country: str | None = None) -> date:
    """`days` working days after `start` (negative counts back): Monday to Friday, without the public
    holidays of `country` when it is given."""
    step = 1 if days >= 0 else -1
    current, left = start, abs(days)
    while left:
        current += timedelta(days=step)
        if is_working_day(current, country):
            left -= 1
    return current


def shift(start: date, amount: int, unit: Unit, *, before: bool = False, country: str | None = None) -> date:
    """The deadline `amount` `unit`s after `start` (or before it, for "check N months before you leave");
    working days are those of `country`, where the period runs."""
    sign = -1 if before else 1
    if unit == "days":
        return start + timedelta(days=sign * amount)
    if unit == "working_days":
        return add_working_days(start, sign * amount, country)
    if unit == "stay_days":  # the day of entry is day 1
        return start + timedelta(days=sign * (amount - 1))
    if unit == "months":
        return add_months(start, sign * amount)
    raise ValueError(f"unknown unit {unit!r}")


# -- when the bot may write --------------------------------------------------------------------
@dataclass(frozen=True)
class QuietHours:
    """The bot writes to people only between `start` and `end` of their local day (never at night)."""

    start: time = time(9, 0)
    end: time = time(21, 0)

    def allows(self, moment: datetime, zone: ZoneInfo) -> bool:
        local = moment.astimezone(zone).time()
        return self.start <= local < self.end

    def next_allowed(self, moment: datetime, zone: ZoneInfo) -> datetime:
        """`moment` itself when it is daytime there; otherwise the next morning at `start`, local time."""
        local = moment.astimezone(zone)
        if self.start <= local.time() < self.end:
            return moment
        day = local.date() if local.time() < self.start else local.date() + timedelta(days=1)
        return datetime.combine(day, self.start, tzinfo=zone).astimezone(moment.tzinfo)


def local_moment(day: date, at: time, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, at, tzinfo=zone)
