"""Content: language-neutral facts (`content/facts.yaml`) and texts per language (`content/<lang>/*.yaml`).

A text refers to a fact by id as `{fact_id}`, so a phone number is typed once. Every fact carries its
source and the date it was checked; a fact with `status: unverified` is never shown, and a text
that needs one does not render. The bot refuses to start on broken content (`ContentError` names
the file, key and problem); `python -m bot check` lists every problem.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Literal

import phonenumbers
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bot.services.users import LANGUAGES

MAX_SCREEN = 4096
PLACEHOLDER_RE = re.compile(r"\{([a-z0-9_]+)\}")
WARN_AFTER_DAYS = 365
ERROR_AFTER_DAYS = 730
# Letters that only one of the Cyrillic languages uses, and Uzbek Latin's own letters.
KYRGYZ_LETTERS = set("өүңӨҮҢ")
TAJIK_LETTERS = set("ӣӯқғҳҷӢӮҚҒҲҶ")
UZBEK_MARKERS = ("oʻ", "gʻ", "Oʻ", "Gʻ", "sh", "ch")


class ContentError(Exception):
    """Content is broken; one line per problem."""


class Fact(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["phone", "url", "days", "amount", "text"]
    value: str
    country: str | None = Field(default=None, pattern=r"^[A-Z]{2}$")
    what: str  # for editors: what the fact is, in English
    source: str  # URL or a precise reference
    source_date: str  # the date the source gives, or "n.d."
    verified_on: date  # when someone on the team last checked it against the source
    status: Literal["verified", "unverified"]


class FactsFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    facts: dict[str, Fact]


@dataclass(frozen=True)
class Problem:
    level: Literal["error", "warning"]
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.level}: {self.where}: {self.message}"


@dataclass
class Content:
    facts: dict[str, Fact]
    texts: dict[str, dict[str, str]]  # language -> key -> text

    def render(self, language: str, key: str) -> tuple[str, date | None]:
        """A text with its facts filled in, and the date its facts were checked."""
        template = self.texts[language][key]
        used = [self.facts[name] for name in PLACEHOLDER_RE.findall(template)]
        body = PLACEHOLDER_RE.sub(lambda m: self.facts[m.group(1)].value, template)
        return body.strip(), min((fact.verified_on for fact in used), default=None)


def load_content(content_dir: Path, today: date | None = None) -> tuple[Content, list[Problem]]:
    """Load and validate everything; problems are returned, not raised (see `require_content`)."""
    today = today or date.today()
    problems: list[Problem] = []
    facts = _load_facts(content_dir / "facts.yaml", problems, today)
    texts: dict[str, dict[str, str]] = {}
    for language in LANGUAGES:
        texts[language] = _load_texts(content_dir / language, language, problems)
    all_keys = set().union(*(set(t) for t in texts.values())) if texts else set()
    for language in LANGUAGES:
        for key in sorted(all_keys - set(texts[language])):
            problems.append(Problem("error", f"content/{language}", f"key {key!r} is missing (present in another language)"))
    for language, entries in texts.items():
        for key, text in entries.items():
            where = f"content/{language}: {key}"
            for name in PLACEHOLDER_RE.findall(text):
                fact = facts.get(name)
                if fact is None:
                    problems.append(Problem("error", where, f"placeholder {{{name}}} names no fact in content/facts.yaml"))
                elif fact.status != "verified":
                    problems.append(Problem("error", where, f"placeholder {{{name}}} is an unverified fact: it must not be shown"))
            _check_braces(text, where, problems)
            rendered = PLACEHOLDER_RE.sub(lambda m: facts[m.group(1)].value if m.group(1) in facts else "", text)
            if len(rendered) > MAX_SCREEN:
                problems.append(Problem("error", where, f"{len(rendered)} characters, over Telegram's {MAX_SCREEN}"))
            problems.extend(Problem("error", where, message) for message in language_problems(language, rendered))
    return Content(facts=facts, texts=texts), problems


def require_content(content_dir: Path) -> Content:
    content, problems = load_content(content_dir)
    errors = [p for p in problems if p.level == "error"]
    if errors:
        raise ContentError("\n".join(str(p) for p in errors))
    return content


def _load_yaml(path: Path, problems: list[Problem]) -> object:
    try:
        with path.open(encoding="utf-8") as handle:
            return yaml.safe_load(handle)
    except FileNotFoundError:
        problems.append(Problem("error", str(path), "file is missing"))
    except yaml.YAMLError as error:
        problems.append(Problem("error", str(path), f"not valid YAML: {error}".replace("\n", " ")))
    return None


def _load_facts(path: Path, problems: list[Problem], today: date) -> dict[str, Fact]:
    raw = _load_yaml(path, problems)
    if raw is None:
        return {}
    try:
        parsed = FactsFile.model_validate(raw)
    except ValidationError as error:
        for item in error.errors():
            location = ".".join(str(part) for part in item["loc"])
            problems.append(Problem("error", f"{path.name}: {location}", item["msg"]))
        return {}
    for name, fact in parsed.facts.items():
        where = f"{path.name}: {name}"
        if not re.fullmatch(r"[a-z0-9_]+", name):
            problems.append(Problem("error", where, "fact ids are lower-case letters, digits and _"))
        age = (today - fact.verified_on).days
        if age > ERROR_AFTER_DAYS:
            problems.append(Problem("error", where, f"checked {age} days ago (over {ERROR_AFTER_DAYS}): check it again"))
        elif age > WARN_AFTER_DAYS:
            problems.append(Problem("warning", where, f"checked {age} days ago (over {WARN_AFTER_DAYS})"))
        if age < 0:
            problems.append(Problem("error", where, "verified_on is in the future"))
        if fact.kind == "phone":
            problems.extend(Problem("error", where, m) for m in phone_problems(fact.value, fact.country))
    return parsed.facts


def phone_problems(value: str, country: str | None) -> list[str]:
    digits = re.sub(r"[\s()-]", "", value)
    if re.fullmatch(r"\d{3,4}", digits):
        return []  # short service numbers (112, 1345) are valid only inside their country
    try:
        number = phonenumbers.parse(value, None if value.startswith("+") else country)
    except phonenumbers.NumberParseException as error:
        return [f"phone {value!r} does not parse: {error}"]
    if not phonenumbers.is_possible_number(number):
        return [f"phone {value!r} is not a possible number"]
    return []


def _load_texts(folder: Path, language: str, problems: list[Problem]) -> dict[str, str]:
    texts: dict[str, str] = {}
    if not folder.is_dir():
        problems.append(Problem("error", str(folder), "folder is missing"))
        return texts
    for path in sorted(folder.glob("*.yaml")):
        raw = _load_yaml(path, problems)
        if raw is None:
            continue
        if not isinstance(raw, dict):
            problems.append(Problem("error", f"content/{language}/{path.name}", "must be a mapping of key: text"))
            continue
        for key, value in raw.items():
            where = f"content/{language}/{path.name}: {key}"
            if not isinstance(key, str) or not re.fullmatch(r"[a-z0-9_]+", key):
                problems.append(Problem("error", where, "keys are lower-case letters, digits and _"))
            elif not isinstance(value, str) or not value.strip():
                problems.append(Problem("error", where, "value must be non-empty text"))
            elif key in texts:
                problems.append(Problem("error", where, "key defined twice"))
            else:
                texts[key] = value
    return texts


def _check_braces(text: str, where: str, problems: list[Problem]) -> None:
    try:
        fields = [name for _, name, _, _ in string.Formatter().parse(text) if name is not None]
    except ValueError as error:
        problems.append(Problem("error", where, f"unbalanced braces: {error}"))
        return
    for name in fields:
        if not PLACEHOLDER_RE.fullmatch("{" + name + "}"):
            problems.append(Problem("error", where, f"placeholder {{{name}}} is not a fact id"))


def language_problems(language: str, text: str) -> list[str]:
    """Cheap checks that a text is written in its language and script."""
    # placeholders, HTML tags and /commands are not prose
    prose = re.sub(r"\{[a-z0-9_]+\}|<[^>]+>|/[a-z_]+", " ", text)
    letters = [c for c in prose if c.isalpha()]
    if not letters:
        return []
    cyrillic = sum("\u0400" <= c <= "\u04ff" for c in letters) / len(letters)
    if language in ("ru", "ky", "tg"):
        if cyrillic < 0.6:
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
        if any(bad in text for bad in ("o'", "g'", "o‘", "g‘", "O'", "G'", "O‘", "G‘", "oʼ", "gʼ")):
            return ["write oʻ and gʻ with U+02BB (ʻ), not an apostrophe"]
    return []
