"""Catalogs: complete, not fuzzy, up to date with the source, in the right script."""

from __future__ import annotations

import io
import shutil
import tokenize
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import write_po

from bot.content.catalogs import update_catalogs
from bot.i18n import PACKAGE_DIR, catalog_problems, extract, po_path, read_catalog
from tests.conftest import LANGS, ROOT

LOCALES = ROOT / "locales"


def test_catalogs_are_complete_and_up_to_date() -> None:
    assert catalog_problems(LOCALES) == []


def test_i18n_writes_a_catalog_only_where_a_message_changed(tmp_path: Path) -> None:
    """`python -m bot i18n` on current catalogs writes nothing (no header dates, no line numbers that moved);
    a message missing from one catalog rewrites that catalog only, and only at that message."""
    shutil.copytree(LOCALES, tmp_path / "locales")
    assert update_catalogs(tmp_path / "locales") == []
    ru = po_path(tmp_path / "locales", "ru")
    before = ru.read_bytes()
    entry = '#: bot/screens/agency.py\nmsgid "permit valid"\nmsgstr "разрешение действует"\n\n'.encode()
    assert before.count(entry) == 1
    ru.write_bytes(before.replace(entry, b""))
    assert update_catalogs(tmp_path / "locales") == [ru]
    assert ru.read_bytes() == before.replace(entry, entry.replace("разрешение действует".encode(), b""))


def test_extraction_finds_the_strings() -> None:
    ids = {m.id for m in extract() if m.id}
    assert "Choose your language" in ids
    assert "<b>Main menu</b>\nChoose a section:" in ids
    assert len(ids) > 40


def test_problems_are_detected(tmp_path: Path) -> None:
    template = extract()
    for lang in LANGS:
        catalog = read_catalog(po_path(LOCALES, lang), lang)
        if lang == "ky":
            catalog["Skip"].string = ""  # untranslated
        if lang == "tg":
            catalog["Skip"].flags.add("fuzzy")
        if lang == "uz":
            catalog.delete("Skip")  # out of date: the source has it
            catalog.add("A string the code no longer has", "Eski")
        if lang == "ru":
            catalog["Checked: {date}"].string = "Проверено: {when}"
        path = po_path(tmp_path, lang)
        path.parent.mkdir(parents=True)
        with path.open("wb") as handle:
            write_po(handle, catalog)
    problems = "\n".join(catalog_problems(tmp_path, template))
    assert "ky/LC_MESSAGES/messages.po: untranslated 'Skip'" in problems
    assert "tg/LC_MESSAGES/messages.po: fuzzy entry 'Skip'" in problems
    assert "uz/LC_MESSAGES/messages.po: out of date, missing msgid 'Skip'" in problems
    assert "no longer in the source" in problems
    assert "{when}" in problems or "placeholders" in problems


def test_missing_catalog_is_reported(tmp_path: Path) -> None:
    assert any("missing catalog for ru" in p for p in catalog_problems(tmp_path, Catalog()))


def test_translations_are_in_their_language_and_script() -> None:
    """The same check `python -m bot check` runs (catalog_problems reads every form of every message)."""
    assert [p for p in catalog_problems(LOCALES) if "script" in p or "U+02BB" in p or "letters" in p or "Russian" in p] == []


def test_no_translatable_call_hides_inside_an_f_string() -> None:
    """Babel cannot see _() inside an f-string: such a string would silently stay English."""
    offenders = []
    for path in PACKAGE_DIR.rglob("*.py"):
        tokens = tokenize.generate_tokens(io.StringIO(path.read_text(encoding="utf-8")).readline)
        for token in tokens:
            if token.type == tokenize.STRING and token.string[:2].lower() in ('f"', "f'") and ("_(" in token.string or "gettext(" in token.string):
                offenders.append(f"{path.name}:{token.start[0]}")
    assert offenders == []
