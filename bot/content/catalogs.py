"""Translation catalogs (`locales/<lang>/LC_MESSAGES/messages.po`): read, compiled in memory, extracted
from the source, checked and updated. No aiogram here: `python -m bot check` and `i18n` import only this.
"""

from __future__ import annotations

import gettext
import io
import re
from pathlib import Path
from typing import Any

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir, extract_python
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from bot.content.checks import language_problems
from bot.content.model import PLACEHOLDER_RE
from bot.models import LANGUAGES

DOMAIN = "messages"
PACKAGE_DIR = Path(__file__).resolve().parent.parent  # bot/: the source whose strings are translated
# How each language names itself, for the language picker. Uzbek in Latin script, with U+02BB.
LANGUAGE_NAMES: dict[str, str] = {
    "ru": "Русский",
    "ky": "Кыргызча",
    "tg": "Тоҷикӣ",
    "uz": "Oʻzbekcha",
}
KEYWORDS = {"_": None, "__": None, "N_": None, "gettext": None, "lazy_gettext": None,
            "ngettext": (1, 2), "lazy_ngettext": (1, 2)}


def po_path(locales_dir: Path, language: str) -> Path:
    return locales_dir / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def read_catalog(path: Path, language: str) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, locale=language, domain=DOMAIN)


def compile_catalog(catalog: Catalog) -> gettext.GNUTranslations:
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def compiled(path: Path, language: str) -> gettext.GNUTranslations:
    """The catalog at `path` compiled; compiled again only when the file changed (size or time)."""
    info = path.stat()
    stamp = (info.st_size, info.st_mtime_ns)
    kept = _COMPILED.get((path, language))
    if kept is None or kept[0] != stamp:
        kept = _COMPILED[path, language] = (stamp, compile_catalog(read_catalog(path, language)))
    return kept[1]


_COMPILED: dict[tuple[Path, str], tuple[tuple[int, int], gettext.GNUTranslations]] = {}


def extract(source_dir: Path = PACKAGE_DIR) -> Catalog:
    """Every translatable string in the bot's source, as a fresh template."""
    catalog = Catalog(domain=DOMAIN, project="safe-migration-bot", charset="utf-8")
    method_map = [("**.py", f"{__name__}:extract_marked")]
    for filename, lineno, message, comments, context in extract_from_dir(
        str(source_dir), method_map=method_map, keywords=KEYWORDS, comment_tags=("TRANSLATORS:",),
        strip_comment_tags=True,
    ):
        location = (str(Path("bot") / filename), lineno)
        catalog.add(message, None, [location], auto_comments=comments, context=context)
    return catalog


_MARKED = re.compile(rb"\b(?:" + b"|".join(re.escape(k.encode()) for k in KEYWORDS) + rb")\(")


def extract_marked(fileobj: Any, keywords: Any, comment_tags: Any, options: Any) -> Any:
    """Babel's Python extractor, for a file that calls one of the KEYWORDS at all: most modules do not,
    and reading one token by token is what made `check` slow."""
    if not _MARKED.search(fileobj.read()):
        return []
    fileobj.seek(0)
    return extract_python(fileobj, keywords, comment_tags, options)


def catalog_problems(locales_dir: Path, template: Catalog | None = None) -> list[str]:
    """Missing, untranslated, fuzzy, stale or malformed entries: one line each; empty when all is well."""
    template = template or extract()
    wanted = {message.id for message in template if message.id}
    problems: list[str] = []
    for language in LANGUAGES:
        path = po_path(locales_dir, language)
        if not path.exists():
            problems.append(f"{path}: missing catalog for {language}")
            continue
        try:
            catalog = read_catalog(path, language)
        except Exception as error:
            problems.append(f"{path}: cannot be read: {error}")
            continue
        present = {message.id for message in catalog if message.id}
        for msgid in sorted(wanted - present, key=str):
            problems.append(f"{path}: out of date, missing msgid {_short(msgid)} (run `python -m bot i18n`)")
        for msgid in sorted(present - wanted, key=str):
            problems.append(f"{path}: out of date, msgid {_short(msgid)} is no longer in the source")
        for message in catalog:
            if not message.id:
                continue
            if message.fuzzy:
                problems.append(f"{path}: fuzzy entry {_short(message.id)}")
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            if not all(strings):
                problems.append(f"{path}: untranslated {_short(message.id)}")
                continue
            for check_error in _format_errors(catalog, message):
                problems.append(f"{path}: {_short(message.id)}: {check_error}")
            for form in strings:  # in the catalog's language and script, as the content's texts
                for language_error in language_problems(language, str(form)):
                    problems.append(f"{path}: {_short(message.id)}: {language_error}")
    return problems


_TAG_RE = re.compile(r"</?[a-z][a-z-]*")


def _format_errors(catalog: Catalog, message: Any) -> list[str]:
    """Placeholders ({name}) and HTML tags must be the same in the translation as in the source."""
    errors: list[str] = []
    try:
        errors.extend(str(error) for error in message.check(catalog))
    except Exception as error:
        errors.append(str(error))
    sources = message.id if isinstance(message.id, tuple) else (message.id,)
    targets = message.string if isinstance(message.string, tuple) else (message.string,)
    wanted_names = sorted(set(PLACEHOLDER_RE.findall(sources[0])))
    wanted_tags = sorted(_TAG_RE.findall(sources[0]))
    for target in targets:
        names = sorted(set(PLACEHOLDER_RE.findall(target)))
        if names != wanted_names:
            errors.append(f"placeholders differ: {names} instead of {wanted_names}")
        if sorted(_TAG_RE.findall(target)) != wanted_tags:
            errors.append("HTML tags differ from the source")
    return errors


def _short(msgid: Any) -> str:
    text = msgid[0] if isinstance(msgid, tuple) else msgid
    text = str(text).replace("\n", " ")
    return repr(text if len(text) <= 60 else text[:57] + "...")


def update_catalogs(locales_dir: Path) -> list[Path]:
    """Bring every catalog in line with the source (new strings untranslated, removed ones dropped).
    A catalog is written only where a message changed: its header dates are kept, and its references
    name the file without the line (code moved within a file changes nothing). The paths written."""
    template = extract()
    written: list[Path] = []
    for language in LANGUAGES:
        path = po_path(locales_dir, language)
        before = path.read_bytes() if path.exists() else None
        if before is not None:
            catalog = read_catalog(path, language)
            created = catalog.creation_date
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            catalog = Catalog(locale=language, domain=DOMAIN, project="safe-migration-bot")
            created = template.creation_date
        catalog.update(template, no_fuzzy_matching=True)
        catalog.creation_date = created
        catalog.obsolete.clear()
        catalog.fuzzy = False  # the header; entries are never fuzzy-matched above
        buffer = io.BytesIO()
        write_po(buffer, catalog, width=100, omit_header=False, sort_output=False, include_previous=False, include_lineno=False)
        if buffer.getvalue() != before:
            path.write_bytes(buffer.getvalue())
            written.append(path)
    return written
