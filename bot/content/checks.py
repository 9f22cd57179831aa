"""The checks content passes before the bot starts: fact ids, staleness and values (phones, dates,
numbers), the guide's and the checklists' shape, every text's placeholders, length and language, and
the same facts stated in every language. Problems are collected, never raised: one run lists them all.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers

from bot.content.model import (
    ID_PATTERN,
    PLACEHOLDER_RE,
    SIGNS,
    ChecklistItem,
    Checklists,
    Fact,
    Guide,
    LanguageFiles,
    display,
    placeholder_form,
)
from bot.models import CITIZENSHIPS, DESTINATIONS, LANGUAGES

MAX_SCREEN = 4096
# A topic page shares its screen with a title line, page buttons' labels and the sources footer.
SCREEN_RESERVE = 600
AIM_SCREEN = 1200  # a cheap phone's screen: a page over it is an error (the guide's screens test renders each whole)
AIM_PAGE = 1000  # a page, leaving room for the title and the sources line
WARN_AFTER_DAYS = 365
ERROR_AFTER_DAYS = 730
REFERENCE_LANGUAGE = LANGUAGES[0]
# Letters that only one of the Cyrillic languages uses, and Uzbek Latin's own letters.
KYRGYZ_LETTERS = set("өүңӨҮҢ")
TAJIK_LETTERS = set("ӣӯқғҳҷӢӮҚҒҲҶ")


@dataclass(frozen=True)
class Problem:
    level: Literal["error", "warning"]
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.level}: {self.where}: {self.message}"


@dataclass
class Report:
    """The problems found so far, in the order found."""

    problems: list[Problem] = field(default_factory=list)

    def error(self, where: str, message: str) -> None:
        self.problems.append(Problem("error", where, message))

    def warning(self, where: str, message: str) -> None:
        self.problems.append(Problem("warning", where, message))


# -- facts ----------------------------------------------------------------------------------------
def check_fact(report: Report, name: str, fact: Fact, today: date) -> None:
    """A fact's id, how long ago it was checked, whom it applies to, and its value for its kind."""
    where = f"content/facts.yaml: {name}"
    if not re.fullmatch(ID_PATTERN, name):
        report.error(where, "fact ids are 1-32 lower-case letters, digits and _")
    age = (today - fact.verified_on).days
    if age < 0:
        report.error(where, "verified_on is in the future")
    elif age > ERROR_AFTER_DAYS:
        report.error(where, f"checked {age} days ago (over {ERROR_AFTER_DAYS}): check it again")
    elif age > WARN_AFTER_DAYS:
        report.warning(where, f"checked {age} days ago (over {WARN_AFTER_DAYS})")
    for code in fact.citizenships or ():
        if code not in CITIZENSHIPS:
            report.error(where, f"citizenship {code!r} is not one of {', '.join(CITIZENSHIPS)}")
    if fact.kind == "phone":
        for message in phone_problems(fact.value, fact.country):
            report.error(where, message)
    if fact.kind == "date":
        try:
            date.fromisoformat(fact.value)
        except ValueError:
            report.error(where, f"date {fact.value!r} is not YYYY-MM-DD")
    if fact.kind in ("days", "number") and not fact.value.isdigit():
        report.error(where, f"{fact.kind} {fact.value!r} is not a whole number")


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
    if not phonenumbers.is_valid_number(number):
        return [f"phone {value!r} is not a valid number for {country or 'its country'}: a digit missing or extra?"]
    if not value.startswith("+"):  # typed as dialled in the country: the country's own form has the same digits
        national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
        if re.sub(r"\D", "", national) != digits:
            return [f"phone {value!r}: {country} writes this number {national!r} (a digit missing, extra, or a trunk 0 left out)"]
    return []


# A phone number typed into a text instead of its fact: "+7 925 ...", "8-800-...", "1577-0071", or a
# service number ("112", "1345") that is a phone fact's value.
_TYPED_PHONE = re.compile(r"(?<![\w{])(?:\+\d[\d\s()-]{6,}\d|\d{3,4}[-\s]\d{3,4}(?:[-\s]\d{2,4})*)(?![\w}])")


def typed_phones(text: str, facts: dict[str, Fact]) -> list[str]:
    """Phone numbers written into a text (outside {placeholders}): they must be facts, with a source."""
    prose = PLACEHOLDER_RE.sub(" ", re.sub(r"<[^>]+>", " ", text))
    found = [match.group(0).strip() for match in _TYPED_PHONE.finditer(prose)]
    short = {re.sub(r"\D", "", fact.value) for fact in facts.values() if fact.kind == "phone" and len(re.sub(r"\D", "", fact.value)) <= 5}
    found += [word for word in re.findall(r"(?<![\w{.,])\d{3,5}(?![\w}%])(?![.,]\d)", prose) if word in short]
    return found


# -- the guide's shape ----------------------------------------------------------------------------
def check_guide(report: Report, guide: Guide, facts: dict[str, Fact]) -> None:
    where = "content/guide.yaml"
    seen = _check_topic_places(report, guide)
    for topic, cited in guide.sources.items():
        if topic not in seen:
            report.error(f"{where}: sources.{topic}", "names no topic of groups or countries")
        for name in cited:
            fact = facts.get(name)
            if fact is None:
                report.error(f"{where}: sources.{topic}", f"{name!r} names no fact in content/facts.yaml")
            elif not fact.shown:
                report.error(f"{where}: sources.{topic}", f"{name!r} is unverified: a topic cannot rest on it")
    for sign in SIGNS:
        if sign not in guide.danger_signs:
            report.error(f"{where}: danger_signs", f"{sign!r} is missing: which topics answer it?")
    for sign, topics in guide.danger_signs.items():
        for topic in topics:
            if topic not in seen:
                report.error(f"{where}: danger_signs.{sign}", f"{topic!r} names no topic of groups or countries")
    for name in guide.contacts:
        fact = facts.get(name)
        if fact is None:
            report.error(f"{where}: contacts.{name}", "names no fact in content/facts.yaml")
        elif fact.kind != "phone":
            report.error(f"{where}: contacts.{name}", f"is a {fact.kind}, not a phone")
        elif not fact.shown:
            report.warning(f"{where}: contacts.{name}", "unverified: hidden from the directory until checked")


def _check_topic_places(report: Report, guide: Guide) -> dict[str, str]:
    """Every topic has one place, under a group or a country; returns where each one is."""
    where = "content/guide.yaml"
    seen: dict[str, str] = {}

    def place(topic: str, at: str) -> None:
        if not re.fullmatch(ID_PATTERN, topic):
            report.error(f"{where}: {at}", f"topic id {topic!r}: 1-32 lower-case letters, digits and _")
        if topic in seen:
            report.error(f"{where}: {at}", f"topic {topic!r} is already under {seen[topic]} (one place per topic)")
        seen.setdefault(topic, at)

    for group, topics in guide.groups.items():
        if not re.fullmatch(ID_PATTERN, group):
            report.error(f"{where}: groups.{group}", "group ids are lower-case letters, digits and _")
        for topic in topics:
            place(topic, f"groups.{group}")
    for country, entries in guide.countries.items():
        if country not in DESTINATIONS:
            report.error(f"{where}: countries.{country}", f"not a destination ({', '.join(DESTINATIONS)})")
        for entry in entries:
            place(entry.topic, f"countries.{country}")
            for code in entry.citizenships or ():
                if code not in CITIZENSHIPS:
                    report.error(f"{where}: countries.{country}.{entry.topic}", f"citizenship {code!r} is unknown")
    return seen


# -- the checklists' shape ------------------------------------------------------------------------
CHECKLISTS = "content/checklists.yaml"


def check_checklists(report: Report, checklists: Checklists, facts: dict[str, Fact]) -> None:
    """Every deadline rests on a verified fact that applies to the item's citizens; one definition per id."""
    _check_clock(report, checklists)
    seen: dict[str, object] = {}
    for country, items in checklists.countries.items():
        if country not in DESTINATIONS:
            report.error(f"{CHECKLISTS}: countries.{country}", f"not a destination ({', '.join(DESTINATIONS)})")
        ids = [item.id for item in items]
        for item_id in {i for i in ids if ids.count(i) > 1}:
            report.error(f"{CHECKLISTS}: countries.{country}", f"item {item_id!r} is listed twice")
        for item in items:
            at = f"{CHECKLISTS}: countries.{country}.{item.id}"
            if item.id in seen and seen[item.id] != item:
                report.error(at, "an item shared by several countries must be defined the same way in each")
            seen.setdefault(item.id, item)
            _check_item(report, at, item, facts)
            _check_deadline(report, at, country, item, facts)


def _check_clock(report: Report, checklists: Checklists) -> None:
    """A time zone for every country, and the reminders' hour outside the quiet hours."""
    for code in (*DESTINATIONS, *CITIZENSHIPS):
        zone = checklists.time_zones.get(code)
        if zone is None:
            report.error(f"{CHECKLISTS}: time_zones", f"{code} has no time zone (quiet hours need one)")
            continue
        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError):
            report.error(f"{CHECKLISTS}: time_zones.{code}", f"{zone!r} is not a time zone")
    if checklists.quiet_end >= checklists.quiet_start:
        report.error(f"{CHECKLISTS}: quiet_start", "quiet hours run overnight: quiet_start is later than quiet_end")
    elif not checklists.quiet_end <= checklists.remind_at < checklists.quiet_start:
        report.error(f"{CHECKLISTS}: remind_at", "falls in the quiet hours")


def _check_item(report: Report, at: str, item: ChecklistItem, facts: dict[str, Fact]) -> None:
    for code in item.citizenships or ():
        if code not in CITIZENSHIPS:
            report.error(at, f"citizenship {code!r} is unknown")
    if any(days < 0 for days in item.remind or ()):
        report.error(at, "remind: days before the deadline cannot be negative")
    for name in item.facts:
        fact = _cited_fact(report, at, name, facts)
        if fact is not None and fact.citizenships is not None and (
            item.citizenships is None or not set(item.citizenships) <= set(fact.citizenships)
        ):
            report.error(at, f"{name!r} applies to {', '.join(fact.citizenships)} only: limit the item's citizenships")


def _check_deadline(report: Report, at: str, country: str, item: ChecklistItem, facts: dict[str, Fact]) -> None:
    deadline = item.deadline
    if deadline is None:
        return
    if deadline.repeat is not None:
        if deadline.start != "own" or deadline.fact is not None:
            report.error(at, "a repeating deadline counts from the item's own date, with no fact")
        limit = _cited_fact(report, at, deadline.limit, facts) if deadline.limit else None
        if deadline.limit and limit is not None and limit.kind != "number":
            report.error(at, f"limit {deadline.limit!r} is a {limit.kind}, not a number")
        return
    if deadline.fact is None:
        if deadline.start != "own":
            report.error(at, "a deadline counted from departure or arrival needs a fact with the number")
        return
    fact = _cited_fact(report, at, deadline.fact, facts)
    if fact is None:
        return
    if fact.kind not in ("days", "number"):
        report.error(at, f"deadline fact {deadline.fact!r} is a {fact.kind}, not a number of days or months")
    if fact.citizenships is not None and (
        item.citizenships is None or not set(item.citizenships) <= set(fact.citizenships)
    ):
        report.error(at, f"the fact applies to {', '.join(fact.citizenships)} only: limit the item's citizenships")
    if fact.country is not None and fact.country != country:
        report.error(at, f"the fact is about {fact.country}, the checklist about {country}")


def _cited_fact(report: Report, where: str, name: str, facts: dict[str, Fact]) -> Fact | None:
    fact = facts.get(name)
    if fact is None:
        report.error(where, f"{name!r} names no fact in content/facts.yaml")
    elif not fact.shown:
        report.error(where, f"{name!r} is unverified: a checklist item cannot rest on it")
        return None
    return fact


# -- texts ----------------------------------------------------------------------------------------
def check_checklist_texts(
    report: Report, language: str, files: LanguageFiles, checklists: Checklists, facts: dict[str, Fact]
) -> None:
    base = f"content/{language}/checklists.yaml"
    items = {item.id: item for entries in checklists.countries.values() for item in entries}
    _same_keys(report, base, set(files.checklists), set(items))
    for item_id, text in files.checklists.items():
        item = items.get(item_id)
        check_text(report, language, f"{base}: {item_id}.title", text.title, facts)
        check_text(report, language, f"{base}: {item_id}.why", text.why, facts, limit=600)
        if text.ask:
            check_text(report, language, f"{base}: {item_id}.ask", text.ask, facts, limit=300)
        if text.late:
            check_text(report, language, f"{base}: {item_id}.late", text.late, facts, limit=400)
        if item is not None and item.own_date and not text.ask:
            report.error(f"{base}: {item_id}", "the item has a date of its own: `ask` is the question asking for it")


def check_language(report: Report, language: str, files: LanguageFiles, guide: Guide, facts: dict[str, Fact]) -> None:
    base = f"content/{language}"
    topics = {t for ts in guide.groups.values() for t in ts} | {e.topic for es in guide.countries.values() for e in es}
    _same_keys(report, f"{base}/topics.yaml", set(files.topics), topics)
    _same_keys(report, f"{base}/groups.yaml", set(files.groups), set(guide.groups))
    _same_keys(report, f"{base}/contacts.yaml", set(files.contacts), set(guide.contacts))
    for key, text in files.pages.items():
        check_text(report, language, f"{base}/pages.yaml: {key}", text, facts, limit=MAX_SCREEN - SCREEN_RESERVE)
    for topic, entry in files.topics.items():
        check_text(report, language, f"{base}/topics.yaml: {topic}.title", entry.title, facts)
        for number, page in enumerate(entry.pages, 1):
            check_text(report, language, f"{base}/topics.yaml: {topic}.pages[{number}]", page, facts,
                       limit=AIM_SCREEN, aim=AIM_PAGE)
    for key, title in files.groups.items():
        check_text(report, language, f"{base}/groups.yaml: {key}", title, facts)
    for key, contact in files.contacts.items():
        check_text(report, language, f"{base}/contacts.yaml: {key}.name", contact.name, facts)
        if contact.note:
            check_text(report, language, f"{base}/contacts.yaml: {key}.note", contact.note, facts)
    for sign in SIGNS:
        if not files.search.danger.get(sign):
            report.error(f"{base}/search.yaml: danger.{sign}", "no phrases: this sign of danger would be missed in this language")
    if not files.search.emergency:
        report.error(f"{base}/search.yaml", "no emergency phrases: an emergency in this language would wait like any case")
    lists = [(f"danger.{sign}", phrases) for sign, phrases in files.search.danger.items()]
    for kind, phrases in [*lists, ("emergency", files.search.emergency)]:
        for number, phrase in enumerate(phrases, 1):
            if not [word for word in phrase.split() if not word.startswith("!")]:
                report.error(f"{base}/search.yaml: {kind}[{number}]", "a phrase needs a word that must be there")
            for message in language_problems(language, phrase.replace("!", "")):
                report.error(f"{base}/search.yaml: {kind}[{number}]", message)


def _same_keys(report: Report, where: str, have: set[str], expected: set[str]) -> None:
    for key in sorted(expected - have):
        report.error(where, f"{key!r} is missing")
    for key in sorted(have - expected):
        report.error(where, f"unknown key {key!r} (not in content/guide.yaml)")


def check_text(
    report: Report, language: str, where: str, text: str, facts: dict[str, Fact], *,
    limit: int | None = None, aim: int | None = None,
) -> None:
    """Placeholders name verified facts; the rendered text fits its screen and is in its language."""
    for match in PLACEHOLDER_RE.finditer(text):
        name = match.group(1)
        fact = facts.get(name)
        if fact is None:
            report.error(where, f"placeholder {{{name}}} names no fact in content/facts.yaml")
        elif not fact.shown:
            report.error(where, f"placeholder {{{name}}} is an unverified fact: it must not be shown")
        elif ":" in match.group(0) and fact.kind != "date":
            report.error(where, f"placeholder {match.group(0)}: only a date has forms (:from, :on)")
    if not _braces_ok(report, where, text):
        return
    rendered = PLACEHOLDER_RE.sub(
        lambda m: display(facts[m.group(1)], language, placeholder_form(m.group(0))) if m.group(1) in facts else "", text)
    if limit is not None and len(rendered) > limit:
        report.error(where, f"{len(rendered)} characters: over {limit}, more than a phone's screen (split the page)")
    elif aim is not None and len(rendered) > aim:
        report.warning(where, f"{len(rendered)} characters: aim for at most {aim}, leaving room for the title and sources")
    for message in language_problems(language, rendered):
        report.error(where, message)
    for phone in typed_phones(text, facts):
        report.error(where, f"phone number {phone!r} typed into the text: make it a fact and write its {{placeholder}}")


def _braces_ok(report: Report, where: str, text: str) -> bool:
    try:
        fields = [name for _, name, _, _ in string.Formatter().parse(text) if name is not None]
    except ValueError as error:
        report.error(where, f"unbalanced braces: {error}")
        return False
    bad = [name for name in fields if not PLACEHOLDER_RE.fullmatch("{" + name + "}")]
    for name in bad:
        report.error(where, f"placeholder {{{name}}} is not a fact id")
    return not bad


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
    if language in ("ky", "tg"):
        own = KYRGYZ_LETTERS if language == "ky" else TAJIK_LETTERS
        for sentence in _SENTENCE_SPLIT.split(prose):
            words = re.findall(r"[а-яёА-ЯЁ]+", sentence)
            if len(words) >= 6 and not own & set(sentence) and sum(w.lower() in RUSSIAN_WORDS for w in words) >= 2:
                return [f"a sentence in Russian inside a {language} text: {sentence.strip()[:60]!r}"]
    return []


_SENTENCE_SPLIT = re.compile(r"[.!?\n•:;]+")
# Short Russian words that Kyrgyz and Tajik do not use: two of them in a sentence without a single
# Kyrgyz or Tajik letter is a Russian sentence left in (a loanword like "патент" is not).
RUSSIAN_WORDS = frozenset((
    "и", "в", "во", "на", "не", "что", "это", "для", "вы", "вас", "вам", "ваш", "ваша", "с", "со", "по",
    "от", "до", "за", "если", "или", "как", "так", "только", "уже", "есть", "нет", "он", "она", "они", "мы",
    "его", "её", "их", "у", "к", "о", "об", "при", "без", "через", "когда", "где", "чтобы", "можно", "нужно",
    "надо", "который", "которая", "будет", "было", "был", "была", "также", "ещё", "еще", "тоже", "очень",
))


# -- the same facts in every language -------------------------------------------------------------
def _used(texts: Iterable[str]) -> set[str]:
    return {name for text in texts for name in PLACEHOLDER_RE.findall(text)}


def check_same_facts(report: Report, languages: dict[str, LanguageFiles]) -> None:
    """A fact stated in one language is stated in all: a number must not vanish in translation."""
    reference = languages[REFERENCE_LANGUAGE]
    for language, files in languages.items():
        if language == REFERENCE_LANGUAGE:
            continue
        for topic, entry in files.topics.items():
            if topic not in reference.topics:
                continue
            mine, theirs = _used(entry.pages), _used(reference.topics[topic].pages)
            if mine != theirs:
                report.error(
                    f"content/{language}/topics.yaml: {topic}",
                    f"states other facts than {REFERENCE_LANGUAGE}: missing {sorted(theirs - mine)}, extra {sorted(mine - theirs)}",
                )
        _check_same_page_facts(report, language, files, reference)


def _check_same_page_facts(report: Report, language: str, files: LanguageFiles, reference: LanguageFiles) -> None:
    for key, text in files.pages.items():
        if key not in reference.pages:
            report.error(f"content/{language}/pages.yaml: {key}", f"unknown key (not in {REFERENCE_LANGUAGE})")
        elif _used([text]) != _used([reference.pages[key]]):
            report.error(f"content/{language}/pages.yaml: {key}", f"states other facts than {REFERENCE_LANGUAGE}")
    for key, item in files.checklists.items():
        theirs = reference.checklists.get(key)
        if theirs is not None and _used([item.title, item.why, item.ask or ""]) != _used(
            [theirs.title, theirs.why, theirs.ask or ""]
        ):
            report.error(f"content/{language}/checklists.yaml: {key}", f"states other facts than {REFERENCE_LANGUAGE}")
    for key in sorted(set(reference.pages) - set(files.pages)):
        report.error(f"content/{language}/pages.yaml", f"{key!r} is missing (present in {REFERENCE_LANGUAGE})")
