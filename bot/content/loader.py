"""Loading content: the YAML files read and parsed into the models, then every check of
`bot.content.checks` run over them. Problems are returned (`load_content`) or raised (`require_content`)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from bot.content import checks
from bot.content.checks import Problem, Report
from bot.content.model import Checklists, Content, Fact, FactsFile, Guide, LanguageFiles
from bot.models import LANGUAGES

LANGUAGE_FILES = tuple(LanguageFiles.model_fields)
# libyaml's parser with PyYAML's safe constructor: the same data, read ten times faster (start-up is mostly this)
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
M = TypeVar("M", bound=BaseModel)


class ContentError(Exception):
    """Content is broken; one line per problem."""


def require_content(content_dir: Path, today: date | None = None) -> Content:
    """The content, checked; the same object again while no file under `content_dir` has changed (a
    process that builds the bot again, as the tests do a thousand times, reads and checks it once)."""
    today = today or date.today()
    key = (content_dir.resolve(), today)
    stamp = fingerprint(content_dir)
    kept = _LOADED.get(key)
    if kept is not None and kept[0] == stamp:
        return kept[1]
    content, problems = load_content(content_dir, today)
    errors = [p for p in problems if p.level == "error"]
    if errors or content is None:
        raise ContentError("\n".join(str(p) for p in errors))
    if len(_LOADED) >= 8:
        _LOADED.clear()
    _LOADED[key] = (stamp, content)
    return content


_LOADED: dict[tuple[Path, date], tuple[tuple[tuple[str, int, int], ...], Content]] = {}


def fingerprint(root: Path) -> tuple[tuple[str, int, int], ...]:
    """Every file under `root` with its size and time of change: any edit, addition or removal changes it."""
    found = []
    for path in sorted(root.rglob("*")):
        if path.is_file():
            info = path.stat()
            found.append((str(path), info.st_size, info.st_mtime_ns))
    return tuple(found)


def load_content(content_dir: Path, today: date | None = None) -> tuple[Content | None, list[Problem]]:
    """Load and validate everything; problems are returned, not raised (see `require_content`).

    The content is None when a file is too broken to build it; the problems say why.
    """
    loader = Loader(content_dir, today or date.today())
    return loader.load(), loader.report.problems


class Loader:
    def __init__(self, root: Path, today: date) -> None:
        self.root = root
        self.today = today
        self.report = Report()

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
        checks.check_guide(self.report, guide, facts)
        checks.check_checklists(self.report, checklists, facts)
        for language, files in languages.items():
            checks.check_language(self.report, language, files, guide, facts)
            checks.check_checklist_texts(self.report, language, files, checklists, facts)
        checks.check_same_facts(self.report, languages)
        return Content(facts=facts, guide=guide, languages=languages, checklists=checklists)

    def read(self, relative: str) -> object:
        path = self.root / relative
        try:
            with path.open(encoding="utf-8") as handle:
                return yaml.load(handle, Loader=SAFE_LOADER)  # a safe loader, in C when libyaml is there
        except FileNotFoundError:
            self.report.error(f"content/{relative}", "file is missing")
        except yaml.YAMLError as error:
            self.report.error(f"content/{relative}", f"not valid YAML: {error}".replace("\n", " "))
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
                self.report.error(f"content/{relative}: {location}", item["msg"])
            return None

    def language(self, language: str) -> LanguageFiles | None:
        folder = self.root / language
        if not folder.is_dir():
            self.report.error(f"content/{language}", "folder is missing")
            return None
        for path in sorted(folder.iterdir()):
            if path.suffix == ".yaml" and path.stem not in LANGUAGE_FILES:
                self.report.error(f"content/{language}/{path.name}", f"unknown file (expected: {', '.join(LANGUAGE_FILES)})")
        raw: dict[str, object] = {}
        for name in LANGUAGE_FILES:
            value = self.read(f"{language}/{name}.yaml")
            # a missing or broken file is reported; the rest is still checked, so one run lists everything
            raw[name] = value if value is not None else {}
        files = None
        try:
            files = LanguageFiles.model_validate(raw)
        except ValidationError as error:
            for item in error.errors():
                name, *rest = [str(part) for part in item["loc"]]
                self.report.error(f"content/{language}/{name}.yaml: {'.'.join(rest) or '(file)'}", item["msg"])
        return files

    def facts(self) -> dict[str, Fact] | None:
        parsed = self.parse("facts.yaml", FactsFile)
        if parsed is None:
            return None
        for name, fact in parsed.facts.items():
            checks.check_fact(self.report, name, fact, self.today)
        return parsed.facts
