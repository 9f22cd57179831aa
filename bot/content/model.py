"""Content models: language-neutral facts and shape, texts per language, and rendering.

A text refers to a fact by id as `{fact_id}`, so a phone number or a deadline is typed once, in
`content/facts.yaml`. Rendering returns the facts a screen used, so the screen can show their
sources and the date they were checked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, time
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit

from babel.dates import format_date, format_skeleton
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from bot.services.dates import Unit

# {fact_id}, or for a date {fact_id:from} / {fact_id:on}: the form the sentence needs (Kyrgyz and Uzbek
# decline a date: "2025-жылдын 1-сентябрынан тартып", "2025-yil 1-sentabrdan boshlab").
PLACEHOLDER_RE = re.compile(r"\{([a-z0-9_]+)(?::(?:from|on))?\}")
DateForm = Literal["plain", "from", "on"]
ID_PATTERN = r"^[a-z0-9_]{1,32}$"  # ids travel in callback data and deep links
COUNTRY = r"^[A-Z]{2}$"
Need = Literal["emergency", "trafficking", "labour", "migration", "consulate", "home"]
# What a danger phrase is a sign of; guide.yaml says which topics answer each sign.
Sign = Literal[
    "passport_taken", "wages_unpaid", "violence", "locked_in", "threats", "debt", "sexual_exploitation", "child", "help",
]
SIGNS: tuple[Sign, ...] = Sign.__args__  # type: ignore[attr-defined]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Fact(Strict):
    kind: Literal["phone", "url", "days", "number", "amount", "date", "text"]
    value: str
    country: str | None = Field(default=None, pattern=COUNTRY)
    citizenships: tuple[str, ...] | None = None  # whom the rule applies to; None = everyone
    what: str  # for editors: what the fact is, in English
    source: str  # URL or a precise reference
    source_date: str  # the date the source gives, or "n.d."
    verified_on: date  # when someone on the team last checked it against the source
    status: Literal["verified", "unverified"]
    reason: str | None = None  # why an unverified fact stays hidden (old source, rang unanswered...)

    @property
    def shown(self) -> bool:
        return self.status == "verified"


class FactsFile(Strict):
    facts: dict[str, Fact]


class CountryTopic(Strict):
    topic: str
    citizenships: tuple[str, ...] | None = None


class ContactEntry(Strict):
    needs: tuple[Need, ...]


Phase = Literal["before", "after"]
ITEM_ID = r"^[a-z0-9_]{1,20}$"  # an item id travels in callback data with a date beside it


class Deadline(Strict):
    """When an item is due: `fact` units after (or `before`) a date of the person's.

    `start`: their departure, their arrival, or a date of the item's own (the day they signed the
    contract; for a payment, the last day already paid). With `start: own` and no fact, the date itself
    is the deadline. `repeat: monthly`: after each deadline the next is a month later (a patent paid
    month by month: deadline k = start + k months + shift_days, while k < the `limit` fact).
    """

    start: Literal["departure", "arrival", "own"]
    fact: str | None = None
    unit: Unit = "days"
    before: bool = False
    repeat: Literal["monthly"] | None = None
    shift_days: int = 0  # repeat: each deadline this many days off the monthly date
    limit: str | None = None  # repeat: fact with the most months there can be (a patent: 12)


class ChecklistItem(Strict):
    id: str = Field(pattern=ITEM_ID)
    phase: Phase
    citizenships: tuple[str, ...] | None = None  # None: for everyone going there
    deadline: Deadline | None = None
    remind: tuple[int, ...] | None = None  # days before the deadline; None: the file's default
    facts: tuple[str, ...] = ()  # what the item rests on besides its deadline (its sources)

    def applies(self, citizenship: str | None) -> bool:
        return self.citizenships is None or citizenship in self.citizenships

    @property
    def own_date(self) -> bool:
        return self.deadline is not None and self.deadline.start == "own"


class Checklists(Strict):
    """content/checklists.yaml: what to do before leaving and after arriving, per destination."""

    remind: tuple[int, ...] = (3, 0)  # days before a deadline
    remind_at: time = time(10, 0)  # local time of a reminder
    quiet_start: time = time(21, 0)  # no messages from here ...
    quiet_end: time = time(9, 0)  # ... to here, local time
    time_zones: dict[str, str]  # country code -> IANA zone (where the person is: home before, destination after)
    countries: dict[str, tuple[ChecklistItem, ...]]


class Guide(Strict):
    """content/guide.yaml: the shape every language fills."""

    groups: dict[str, tuple[str, ...]]
    countries: dict[str, tuple[CountryTopic, ...]]
    sources: dict[str, tuple[str, ...]] = {}
    contacts: dict[str, ContactEntry]
    danger_signs: dict[Sign, tuple[str, ...]]  # topics that answer a sign, best first (country topics filtered by place)


Keyword = Annotated[str, BeforeValidator(lambda v: str(v) if isinstance(v, int) else v)]  # `157` is a word too


class TopicText(Strict):
    title: str = Field(min_length=1, max_length=60)
    keywords: tuple[Keyword, ...] = ()
    pages: tuple[str, ...] = Field(min_length=1)


class ContactText(Strict):
    name: str = Field(min_length=1)
    note: str | None = None


class ItemText(Strict):
    title: str = Field(min_length=1, max_length=34)  # a button label with a tick and a date beside it
    why: str = Field(min_length=1)
    ask: str | None = None  # for an item with a date of its own: the question asking for it
    late: str | None = None  # what to do once the deadline has passed (a general line is shown without it)


class SearchText(Strict):
    danger: dict[Sign, tuple[str, ...]] = {}  # phrases by what they are a sign of
    emergency: tuple[str, ...] = ()  # danger to life or liberty now: a case with these opens as an emergency


class LanguageFiles(Strict):
    """content/<lang>/: one file per part; a file or key that is not expected is an error."""

    pages: dict[str, str]
    topics: dict[str, TopicText]
    groups: dict[str, str]
    contacts: dict[str, ContactText]
    search: SearchText
    checklists: dict[str, ItemText]


@dataclass(frozen=True)
class Parent:
    kind: Literal["group", "country"]
    id: str
    citizenships: tuple[str, ...] | None = None  # a country topic may be for some citizens only


@dataclass(frozen=True)
class Rendered:
    text: str
    facts: tuple[Fact, ...]


@dataclass
class Content:
    facts: dict[str, Fact]
    guide: Guide
    languages: dict[str, LanguageFiles]
    checklists: Checklists
    parents: dict[str, Parent] = field(default_factory=dict)
    items: dict[str, ChecklistItem] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for group, topics in self.guide.groups.items():
            for topic in topics:
                self.parents.setdefault(topic, Parent("group", group))
        for country, entries in self.guide.countries.items():
            for entry in entries:
                self.parents.setdefault(entry.topic, Parent("country", country, entry.citizenships))
        for listed in self.checklists.countries.values():
            for item in listed:
                self.items.setdefault(item.id, item)

    # -- rendering -------------------------------------------------------------------------
    def fill(self, language: str, template: str) -> Rendered:
        """Facts put into a text; the text's facts come back with it (for the sources line)."""
        used: list[Fact] = []

        def value(match: re.Match[str]) -> str:
            fact = self.facts[match.group(1)]
            used.append(fact)
            return display(fact, language, placeholder_form(match.group(0)))

        return Rendered(PLACEHOLDER_RE.sub(value, template).strip(), tuple(used))

    def page(self, language: str, key: str) -> Rendered:
        return self.fill(language, self.languages[language].pages[key])

    def topic(self, language: str, topic: str) -> TopicText:
        return self.languages[language].topics[topic]

    def topic_page(self, language: str, topic: str, number: int) -> Rendered:
        rendered = self.fill(language, self.topic(language, topic).pages[number])
        cited = tuple(self.facts[name] for name in self.guide.sources.get(topic, ()))
        return Rendered(rendered.text, rendered.facts + cited)

    def topic_applies(self, topic: str, citizenship: str | None, country: str | None = None, *, only_there: bool = False) -> bool:
        """Whether a country topic is for this person (everyone sees it when citizenship is unknown), and,
        `only_there`, for the country they are in."""
        parent = self.parents.get(topic)
        if only_there and parent is not None and parent.kind == "country" and parent.id != country:
            return False
        limited = self.citizenships_of(topic)
        return limited is None or citizenship is None or citizenship in limited

    def citizenships_of(self, topic: str) -> tuple[str, ...] | None:
        parent = self.parents.get(topic)
        return parent.citizenships if parent is not None else None

    # -- checklists -------------------------------------------------------------------------
    def checklist(self, country: str, citizenship: str | None) -> list[ChecklistItem]:
        """The items for a person going to `country`: those for everyone and those for their citizenship."""
        return [item for item in self.checklists.countries.get(country, ()) if item.applies(citizenship)]

    def item_text(self, language: str, item_id: str) -> ItemText:
        return self.languages[language].checklists[item_id]

    def item_facts(self, item: ChecklistItem) -> tuple[Fact, ...]:
        names = list(item.facts)
        if item.deadline is not None:
            names[:0] = [name for name in (item.deadline.fact, item.deadline.limit) if name is not None]
        return tuple(self.facts[name] for name in names)

    def contacts(
        self, *, country: str | None = None, need: str | None = None, citizenship: str | None = None,
    ) -> list[tuple[str, Fact]]:
        """Directory entries whose numbers are verified, in the order of content/guide.yaml; with `citizenship`,
        those for everyone and those for its citizens (another country's embassy is left out)."""
        found = []
        for fact_id, entry in self.guide.contacts.items():
            fact = self.facts.get(fact_id)
            if fact is None or not fact.shown:
                continue
            if country is not None and fact.country != country:
                continue
            if citizenship is not None and fact.citizenships is not None and citizenship not in fact.citizenships:
                continue
            if need is not None and need not in entry.needs:
                continue
            found.append((fact_id, fact))
        return found

    def contact_countries(self) -> list[str]:
        seen: dict[str, None] = {}
        for _fact_id, fact in self.contacts():
            if fact.country:
                seen.setdefault(fact.country)
        return list(seen)


def placeholder_form(placeholder: str) -> DateForm:
    """`{x:from}` -> "from"; `{x}` -> "plain"."""
    _, _, form = placeholder.strip("{}").partition(":")
    return form or "plain"  # type: ignore[return-value]


def display(fact: Fact, language: str, form: DateForm = "plain") -> str:
    if fact.kind == "date":
        return format_day(date.fromisoformat(fact.value), language, form)
    return fact.value


@lru_cache(maxsize=1)
def _date_forms() -> dict[str, dict]:
    """locales/dates.yaml: how each language writes a date (CLDR's patterns read like a machine in ky, tg, uz)."""
    import yaml

    from bot.content.loader import SAFE_LOADER

    path = Path(__file__).resolve().parent.parent.parent / "locales" / "dates.yaml"
    return yaml.load(path.read_text(encoding="utf-8"), Loader=SAFE_LOADER) if path.exists() else {}


@lru_cache(maxsize=1024)
def format_day(day: date, language: str, form: DateForm = "plain", *, with_year: bool = True) -> str:
    """A date as the language writes it: `1 сентября 2025 г.`, `2025-жылдын 1-сентябры`, `1 сентябри соли
    2025`, `2025-yil 1-sentabr`; `form` for a sentence that declines it, `with_year=False` for this year's."""
    forms = _date_forms().get(language)
    spec = (forms or {}).get("no_year" if not with_year else "forms", {})
    if with_year and spec:
        spec = spec.get(form) or spec.get("plain")
    if not spec:
        return format_date(day, format="long", locale=language) if with_year else format_skeleton("MMMMd", day, locale=language)
    return spec["pattern"].format(day=day.day, month=spec["months"][day.month - 1], year=day.year)


def source_label(source: str) -> str:
    """`https://www.gulfnews.com/...` -> `gulfnews.com`; a reference -> its first source, short, with its
    date (`Treaty on the Eurasian Economic Union (2014-05-29)`, `romania.iom.int (n.d.)`); the full
    source is in facts.yaml."""
    if source.startswith(("http://", "https://")):
        host = urlsplit(source).hostname or source
        try:
            host = host.encode("ascii").decode("idna")  # xn--...p1ai -> a readable .рф name
        except UnicodeError:
            pass
        return host.removeprefix("www.").removeprefix("m.").removeprefix("pda.")
    segment = source.split(";", 1)[0]  # the first of several sources (the full list is in facts.yaml)
    name = re.split(r"[(,]| of \d| \d{4}", segment, maxsplit=1)[0].strip(" ,.")
    name = name if len(name) <= 40 else name[:39].rstrip() + "…"
    dated = re.search(r"\d{4}(?:-\d{2}){0,2}|n\.d\.", segment)
    return f"{name} ({dated.group(0)})" if dated else name
