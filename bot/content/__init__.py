"""Content: language-neutral facts and shape (`content/facts.yaml`, `content/guide.yaml`) and texts
per language (`content/<lang>/{pages,topics,groups,contacts,search}.yaml`).

The bot refuses to start on broken content (`ContentError` names the file, key and problem);
`python -m bot check` lists every problem, warnings included.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Literal, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers
import yaml
from pydantic import BaseModel, ValidationError

from bot.content.model import (
    ID_PATTERN,
    PLACEHOLDER_RE,
    Checklists,
    Content,
    Fact,
    FactsFile,
    Guide,
    LanguageFiles,
    Rendered,
    display,
    format_day,
    source_label,
)
from bot.models import CITIZENSHIPS, DESTINATIONS, LANGUAGES

__all__ = [
    "Content", "ContentError", "Fact", "Problem", "Rendered", "display", "format_day", "language_problems",
    "load_content", "phone_problems", "require_content", "source_label",
]

MAX_SCREEN = 4096
# A topic page shares its screen with a title line, page buttons' labels and the sources footer.
SCREEN_RESERVE = 600
AIM_SCREEN = 1200
WARN_AFTER_DAYS = 365
ERROR_AFTER_DAYS = 730
REFERENCE_LANGUAGE = LANGUAGES[0]
LANGUAGE_FILES = tuple(LanguageFiles.model_fields)
M = TypeVar("M", bound=BaseModel)
# Letters that only one of the Cyrillic languages uses, and Uzbek Latin's own letters.
KYRGYZ_LETTERS = set("өүңӨҮҢ")
TAJIK_LETTERS = set("ӣӯқғҳҷӢӮҚҒҲҶ")


class ContentError(Exception):
    """Content is broken; one line per problem."""


@dataclass(frozen=True)
class Problem:
    level: Literal["error", "warning"]
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.level}: {self.where}: {self.message}"


def require_content(content_dir: Path, today: date | None = None) -> Content:
    content, problems = load_content(content_dir, today)
    errors = [p for p in problems if p.level == "error"]
    if errors or content is None:
        raise ContentError("\n".join(str(p) for p in errors))
    return content


def load_content(content_dir: Path, today: date | None = None) -> tuple[Content | None, list[Problem]]:
    """Load and validate everything; problems are returned, not raised (see `require_content`).

    The content is None when a file is too broken to build it; the problems say why.
    """
    loader = _Loader(content_dir, today or date.today())
    return loader.load(), loader.problems


class _Loader:
    def __init__(self, root: Path, today: date) -> None:
        self.root = root
        self.today = today
        self.problems: list[Problem] = []

    def error(self, where: str, message: str) -> None:
        self.problems.append(Problem("error", where, message))

    def warning(self, where: str, message: str) -> None:
        self.problems.append(Problem("warning", where, message))

    def load(self) -> Content | None:
        facts = self.facts()
        guide = self.parse("guide.yaml", Guide)
        checklists = self.parse("checklists.yaml", Checklists)
        languages: dict[str, LanguageFiles] = {}
        for language in LANGUAGES:
            files = self.language(language)
            if files is not None:
                languages[language] = files
        if facts is None or guide is None or checklists is None or len(languages) != len(LANGUAGES):
            return None
        self.check_guide(guide, facts)
        self.check_checklists(checklists, facts)
        for language, files in languages.items():
            self.check_language(language, files, guide, facts)
            self.check_checklist_texts(language, files, checklists, facts)
        self.check_same_facts(languages)
        return Content(facts=facts, guide=guide, languages=languages, checklists=checklists)

    # -- files ------------------------------------------------------------------------------
    def read(self, relative: str) -> object:
        path = self.root / relative
        try:
            with path.open(encoding="utf-8") as handle:
                return yaml.safe_load(handle)
        except FileNotFoundError:
            self.error(f"content/{relative}", "file is missing")
        except yaml.YAMLError as error:
            self.error(f"content/{relative}", f"not valid YAML: {error}".replace("\n", " "))
        return None

    def parse(self, relative: str, model: type[M]) -> M | None:
        raw = self.read(relative)
        if raw is None:
            return None
        try:
            return model.model_validate(raw)
        except ValidationError as error:
            for item in error.errors():
                location = ".".join(str(part) for part in item["loc"])
                self.error(f"content/{relative}: {location}", item["msg"])
            return None

    def language(self, language: str) -> LanguageFiles | None:
        folder = self.root / language
        if not folder.is_dir():
            self.error(f"content/{language}", "folder is missing")
            return None
        for path in sorted(folder.iterdir()):
            if path.suffix == ".yaml" and path.stem not in LANGUAGE_FILES:
                self.error(f"content/{language}/{path.name}", f"unknown file (expected: {', '.join(LANGUAGE_FILES)})")
        raw: dict[str, object] = {}
        for name in LANGUAGE_FILES:
            value = self.read(f"{language}/{name}.yaml")
            # a missing or broken file is reported; the rest is still checked, so one run lists everything
            raw[name] = value if value is not None else ({"danger": []} if name == "search" else {})
        files = None
        try:
            files = LanguageFiles.model_validate(raw)
        except ValidationError as error:
            for item in error.errors():
                name, *rest = [str(part) for part in item["loc"]]
                self.error(f"content/{language}/{name}.yaml: {'.'.join(rest) or '(file)'}", item["msg"])
        return files

    # -- facts ------------------------------------------------------------------------------
    def facts(self) -> dict[str, Fact] | None:
        parsed = self.parse("facts.yaml", FactsFile)
        if parsed is None:
            return None
        for name, fact in parsed.facts.items():
            where = f"content/facts.yaml: {name}"
            if not re.fullmatch(ID_PATTERN, name):
                self.error(where, "fact ids are 1-32 lower-case letters, digits and _")
            age = (self.today - fact.verified_on).days
            if age < 0:
                self.error(where, "verified_on is in the future")
            elif age > ERROR_AFTER_DAYS:
                self.error(where, f"checked {age} days ago (over {ERROR_AFTER_DAYS}): check it again")
            elif age > WARN_AFTER_DAYS:
                self.warning(where, f"checked {age} days ago (over {WARN_AFTER_DAYS})")
            for code in fact.citizenships or ():
                if code not in CITIZENSHIPS:
                    self.error(where, f"citizenship {code!r} is not one of {', '.join(CITIZENSHIPS)}")
            if fact.kind == "phone":
                for message in phone_problems(fact.value, fact.country):
                    self.error(where, message)
            if fact.kind == "date":
                try:
                    date.fromisoformat(fact.value)
                except ValueError:
                    self.error(where, f"date {fact.value!r} is not YYYY-MM-DD")
            if fact.kind in ("days", "number") and not fact.value.isdigit():
                self.error(where, f"{fact.kind} {fact.value!r} is not a whole number")
        return parsed.facts

    # -- shape ------------------------------------------------------------------------------
    def check_guide(self, guide: Guide, facts: dict[str, Fact]) -> None:
        where = "content/guide.yaml"
        seen: dict[str, str] = {}

        def place(topic: str, at: str) -> None:
            if not re.fullmatch(ID_PATTERN, topic):
                self.error(f"{where}: {at}", f"topic id {topic!r}: 1-32 lower-case letters, digits and _")
            if topic in seen:
                self.error(f"{where}: {at}", f"topic {topic!r} is already under {seen[topic]} (one place per topic)")
            seen.setdefault(topic, at)

        for group, topics in guide.groups.items():
            if not re.fullmatch(ID_PATTERN, group):
                self.error(f"{where}: groups.{group}", "group ids are lower-case letters, digits and _")
            for topic in topics:
                place(topic, f"groups.{group}")
        for country, entries in guide.countries.items():
            if country not in DESTINATIONS:
                self.error(f"{where}: countries.{country}", f"not a destination ({', '.join(DESTINATIONS)})")
            for entry in entries:
                place(entry.topic, f"countries.{country}")
                for code in entry.citizenships or ():
                    if code not in CITIZENSHIPS:
                        self.error(f"{where}: countries.{country}.{entry.topic}", f"citizenship {code!r} is unknown")
        for topic, cited in guide.sources.items():
            if topic not in seen:
                self.error(f"{where}: sources.{topic}", "names no topic of groups or countries")
            for name in cited:
                fact = facts.get(name)
                if fact is None:
                    self.error(f"{where}: sources.{topic}", f"{name!r} names no fact in content/facts.yaml")
                elif not fact.shown:
                    self.error(f"{where}: sources.{topic}", f"{name!r} is unverified: a topic cannot rest on it")
        for name in guide.contacts:
            fact = facts.get(name)
            if fact is None:
                self.error(f"{where}: contacts.{name}", "names no fact in content/facts.yaml")
            elif fact.kind != "phone":
                self.error(f"{where}: contacts.{name}", f"is a {fact.kind}, not a phone")
            elif not fact.shown:
                self.warning(f"{where}: contacts.{name}", "unverified: hidden from the directory until checked")

    def check_checklists(self, checklists: Checklists, facts: dict[str, Fact]) -> None:
        """Every deadline rests on a verified fact that applies to the item's citizens; one definition per id."""
        where = "content/checklists.yaml"
        for code in (*DESTINATIONS, *CITIZENSHIPS):
            zone = checklists.time_zones.get(code)
            if zone is None:
                self.error(f"{where}: time_zones", f"{code} has no time zone (quiet hours need one)")
                continue
            try:
                ZoneInfo(zone)
            except (ZoneInfoNotFoundError, ValueError):
                self.error(f"{where}: time_zones.{code}", f"{zone!r} is not a time zone")
        if checklists.quiet_end >= checklists.quiet_start:
            self.error(f"{where}: quiet_start", "quiet hours run overnight: quiet_start is later than quiet_end")
        elif not checklists.quiet_end <= checklists.remind_at < checklists.quiet_start:
            self.error(f"{where}: remind_at", "falls in the quiet hours")
        seen: dict[str, object] = {}
        for country, items in checklists.countries.items():
            if country not in DESTINATIONS:
                self.error(f"{where}: countries.{country}", f"not a destination ({', '.join(DESTINATIONS)})")
            ids = [item.id for item in items]
            for item_id in {i for i in ids if ids.count(i) > 1}:
                self.error(f"{where}: countries.{country}", f"item {item_id!r} is listed twice")
            for item in items:
                at = f"{where}: countries.{country}.{item.id}"
                if item.id in seen and seen[item.id] != item:
                    self.error(at, "an item shared by several countries must be defined the same way in each")
                seen.setdefault(item.id, item)
                for code in item.citizenships or ():
                    if code not in CITIZENSHIPS:
                        self.error(at, f"citizenship {code!r} is unknown")
                if any(days < 0 for days in item.remind or ()):
                    self.error(at, "remind: days before the deadline cannot be negative")
                for name in item.facts:
                    fact = self.cited_fact(at, name, facts)
                    if fact is not None and fact.citizenships is not None and (
                        item.citizenships is None or not set(item.citizenships) <= set(fact.citizenships)
                    ):
                        self.error(at, f"{name!r} applies to {', '.join(fact.citizenships)} only: limit the item's citizenships")
                deadline = item.deadline
                if deadline is None:
                    continue
                if deadline.repeat is not None:
                    if deadline.start != "own" or deadline.fact is not None:
                        self.error(at, "a repeating deadline counts from the item's own date, with no fact")
                    limit = self.cited_fact(at, deadline.limit, facts) if deadline.limit else None
                    if deadline.limit and limit is not None and limit.kind != "number":
                        self.error(at, f"limit {deadline.limit!r} is a {limit.kind}, not a number")
                    continue
                if deadline.fact is None:
                    if deadline.start != "own":
                        self.error(at, "a deadline counted from departure or arrival needs a fact with the number")
                    continue
                fact = self.cited_fact(at, deadline.fact, facts)
                if fact is None:
                    continue
                if fact.kind not in ("days", "number"):
                    self.error(at, f"deadline fact {deadline.fact!r} is a {fact.kind}, not a number of days or months")
                if fact.citizenships is not None and (
                    item.citizenships is None or not set(item.citizenships) <= set(fact.citizenships)
                ):
                    self.error(at, f"the fact applies to {', '.join(fact.citizenships)} only: limit the item's citizenships")
                if fact.country is not None and fact.country != country:
                    self.error(at, f"the fact is about {fact.country}, the checklist about {country}")

    def cited_fact(self, where: str, name: str, facts: dict[str, Fact]) -> Fact | None:
        fact = facts.get(name)
        if fact is None:
            self.error(where, f"{name!r} names no fact in content/facts.yaml")
        elif not fact.shown:
            self.error(where, f"{name!r} is unverified: a checklist item cannot rest on it")
            return None
        return fact

    def check_checklist_texts(self, language: str, files: LanguageFiles, checklists: Checklists, facts: dict[str, Fact]) -> None:
        base = f"content/{language}/checklists.yaml"
        items = {item.id: item for entries in checklists.countries.values() for item in entries}
        self.same_keys(base, set(files.checklists), set(items))
        for item_id, text in files.checklists.items():
            item = items.get(item_id)
            self.check_text(language, f"{base}: {item_id}.title", text.title, facts)
            self.check_text(language, f"{base}: {item_id}.why", text.why, facts, limit=600)
            if text.ask:
                self.check_text(language, f"{base}: {item_id}.ask", text.ask, facts, limit=300)
            if item is not None and item.own_date and not text.ask:
                self.error(f"{base}: {item_id}", "the item has a date of its own: `ask` is the question asking for it")

    # -- texts ------------------------------------------------------------------------------
    def check_language(self, language: str, files: LanguageFiles, guide: Guide, facts: dict[str, Fact]) -> None:
        base = f"content/{language}"
        topics = {t for ts in guide.groups.values() for t in ts} | {e.topic for es in guide.countries.values() for e in es}
        self.same_keys(f"{base}/topics.yaml", set(files.topics), topics)
        self.same_keys(f"{base}/groups.yaml", set(files.groups), set(guide.groups))
        self.same_keys(f"{base}/contacts.yaml", set(files.contacts), set(guide.contacts))
        for key, text in files.pages.items():
            self.check_text(language, f"{base}/pages.yaml: {key}", text, facts, limit=MAX_SCREEN - SCREEN_RESERVE)
        for topic, entry in files.topics.items():
            self.check_text(language, f"{base}/topics.yaml: {topic}.title", entry.title, facts)
            for number, page in enumerate(entry.pages, 1):
                self.check_text(language, f"{base}/topics.yaml: {topic}.pages[{number}]", page, facts,
                                limit=MAX_SCREEN - SCREEN_RESERVE, aim=AIM_SCREEN)
        for key, title in files.groups.items():
            self.check_text(language, f"{base}/groups.yaml: {key}", title, facts)
        for key, contact in files.contacts.items():
            self.check_text(language, f"{base}/contacts.yaml: {key}.name", contact.name, facts)
            if contact.note:
                self.check_text(language, f"{base}/contacts.yaml: {key}.note", contact.note, facts)
        if not files.search.danger:
            self.error(f"{base}/search.yaml", "no danger phrases: a cry for help in this language would be missed")
        for number, phrase in enumerate(files.search.danger, 1):
            if not phrase.strip():
                self.error(f"{base}/search.yaml: danger[{number}]", "empty phrase")
            for message in language_problems(language, phrase):
                self.error(f"{base}/search.yaml: danger[{number}]", message)

    def same_keys(self, where: str, have: set[str], expected: set[str]) -> None:
        for key in sorted(expected - have):
            self.error(where, f"{key!r} is missing")
        for key in sorted(have - expected):
            self.error(where, f"unknown key {key!r} (not in content/guide.yaml)")

    def check_text(
        self, language: str, where: str, text: str, facts: dict[str, Fact], *, limit: int | None = None, aim: int | None = None
    ) -> None:
        for name in PLACEHOLDER_RE.findall(text):
            fact = facts.get(name)
            if fact is None:
                self.error(where, f"placeholder {{{name}}} names no fact in content/facts.yaml")
            elif not fact.shown:
                self.error(where, f"placeholder {{{name}}} is an unverified fact: it must not be shown")
        if not self.braces_ok(where, text):
            return
        rendered = PLACEHOLDER_RE.sub(lambda m: display(facts[m.group(1)], language) if m.group(1) in facts else "", text)
        if limit is not None and len(rendered) > limit:
            self.error(where, f"{len(rendered)} characters: over {limit}, the room a screen leaves (Telegram's limit is {MAX_SCREEN})")
        elif aim is not None and len(rendered) > aim:
            self.warning(where, f"{len(rendered)} characters: aim for at most {aim} on a phone (split the page)")
        for message in language_problems(language, rendered):
            self.error(where, message)

    def braces_ok(self, where: str, text: str) -> bool:
        try:
            fields = [name for _, name, _, _ in string.Formatter().parse(text) if name is not None]
        except ValueError as error:
            self.error(where, f"unbalanced braces: {error}")
            return False
        bad = [name for name in fields if not PLACEHOLDER_RE.fullmatch("{" + name + "}")]
        for name in bad:
            self.error(where, f"placeholder {{{name}}} is not a fact id")
        return not bad

    def check_same_facts(self, languages: dict[str, LanguageFiles]) -> None:
        """A fact stated in one language is stated in all: a number must not vanish in translation."""
        reference = languages[REFERENCE_LANGUAGE]

        def used(texts: Iterable[str]) -> set[str]:
            return {name for text in texts for name in PLACEHOLDER_RE.findall(text)}

        for language, files in languages.items():
            if language == REFERENCE_LANGUAGE:
                continue
            for topic, entry in files.topics.items():
                if topic not in reference.topics:
                    continue
                mine, theirs = used(entry.pages), used(reference.topics[topic].pages)
                if mine != theirs:
                    self.error(
                        f"content/{language}/topics.yaml: {topic}",
                        f"states other facts than {REFERENCE_LANGUAGE}: missing {sorted(theirs - mine)}, extra {sorted(mine - theirs)}",
                    )
            for key, text in files.pages.items():
                if key not in reference.pages:
                    self.error(f"content/{language}/pages.yaml: {key}", f"unknown key (not in {REFERENCE_LANGUAGE})")
                elif used([text]) != used([reference.pages[key]]):
                    self.error(f"content/{language}/pages.yaml: {key}", f"states other facts than {REFERENCE_LANGUAGE}")
            for key, text in files.checklists.items():
                theirs = reference.checklists.get(key)
                if theirs is not None and used([text.title, text.why, text.ask or ""]) != used(
                    [theirs.title, theirs.why, theirs.ask or ""]
                ):
                    self.error(f"content/{language}/checklists.yaml: {key}", f"states other facts than {REFERENCE_LANGUAGE}")
            for key in sorted(set(reference.pages) - set(files.pages)):
                self.error(f"content/{language}/pages.yaml", f"{key!r} is missing (present in {REFERENCE_LANGUAGE})")


def phone_problems(value: str, country: str | None) -> list[str]:
    digits = re.sub(r"[\s()-]", "", value)
    if re.fullmatch(r"\d{3,5}", digits):
        return []  # short service numbers (112, 1345, 80060) are valid only inside their country
    try:
        number = phonenumbers.parse(value, None if value.startswith("+") else country)
    except phonenumbers.NumberParseException as error:
        return [f"phone {value!r} does not parse: {error}"]
    if not phonenumbers.is_possible_number(number):
        return [f"phone {value!r} is not a possible number"]
    return []


def language_problems(language: str, text: str) -> list[str]:
    """Cheap checks that a text is written in its language and script."""
    # placeholders, HTML tags, /commands, web addresses and Latin names (MOHRE, EPS-TOPIK) are not prose
    prose = re.sub(r"\{[a-z0-9_]+\}|<[^>]+>|/[a-z_]+|\b[\w.-]+\.(?:kz|ru|ae|kg|uz|tj|kr|tr|com|org)\b", " ", text)
    letters = [c for c in prose if c.isalpha()]
    if not letters:
        return []
    cyrillic = sum("\u0400" <= c <= "\u04ff" for c in letters) / len(letters)
    if language in ("ru", "ky", "tg"):
        if cyrillic < 0.6 and len(letters) > 12:
            return [f"{language} text should be in Cyrillic script"]
        if language == "ky" and len(text) > 80 and not KYRGYZ_LETTERS & set(text):
            return ["no Kyrgyz letters (ө, ү, ң): is this Russian?"]
        if language == "tg" and len(text) > 80 and not TAJIK_LETTERS & set(text):
            return ["no Tajik letters (ӣ, ӯ, қ, ғ, ҳ, ҷ): is this Russian?"]
        if language == "ru" and (TAJIK_LETTERS | KYRGYZ_LETTERS) & set(text):
            return ["Kyrgyz or Tajik letters in a Russian text"]
    if language == "uz":
        if cyrillic > 0.2:
            return ["Uzbek text must be in Latin script"]
        if re.search(r"[oOgG]['‘’`]", text):
            return ["write oʻ and gʻ with U+02BB (ʻ), not an apostrophe"]
    return []
