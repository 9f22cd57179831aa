"""The content validator: each rule has a broken fixture and a clear message."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
import yaml

from bot.content import ContentError, load_content, require_content
from tests.conftest import LANGS, ROOT

TEXTS = {
    "ru": "Звоните {police}.",
    "ky": "Полицияга чалыңыз: {police}.",
    "tg": "Ба полис занг занед: {police}.",
    "uz": "Politsiyaga qoʻngʻiroq qiling: {police}.",
}
TODAY = date(2026, 11, 21)


def fact(**overrides):
    base = {
        "kind": "phone", "value": "112", "country": "RU", "what": "police", "source": "https://example.org",
        "source_date": "n.d.", "verified_on": TODAY.isoformat(), "status": "verified",
    }
    base.update(overrides)
    return base


def write(tmp_path: Path, facts=None, texts=None) -> Path:
    root = tmp_path / "content"
    for lang in LANGS:
        (root / lang).mkdir(parents=True, exist_ok=True)
        entries = {"call": (texts or TEXTS)[lang]} if (texts or TEXTS).get(lang) is not None else {}
        (root / lang / "pages.yaml").write_text(yaml.safe_dump(entries, allow_unicode=True), encoding="utf-8")
    (root / "facts.yaml").write_text(
        yaml.safe_dump({"facts": facts if facts is not None else {"police": fact()}}, allow_unicode=True), encoding="utf-8"
    )
    return root


def messages(root: Path, level: str = "error") -> list[str]:
    _, problems = load_content(root, today=TODAY)
    return [f"{p.where}: {p.message}" for p in problems if p.level == level]


def test_the_shipped_content_is_valid() -> None:
    content = require_content(ROOT / "content")
    for lang in LANGS:
        body, checked = content.render(lang, "emergency")
        assert "112" in body and checked is not None


def test_valid_fixture(tmp_path: Path) -> None:
    root = write(tmp_path)
    assert messages(root) == [] and messages(root, "warning") == []
    content, _ = load_content(root, today=TODAY)
    assert content.render("ky", "call") == ("Полицияга чалыңыз: 112.", TODAY)


def test_key_missing_in_one_language(tmp_path: Path) -> None:
    root = write(tmp_path, texts={**TEXTS, "tg": None})
    assert "content/tg: key 'call' is missing (present in another language)" in messages(root)


def test_unknown_placeholder(tmp_path: Path) -> None:
    root = write(tmp_path, texts={**TEXTS, "ru": "Звоните {polise}."})
    assert "content/ru: call: placeholder {polise} names no fact in content/facts.yaml" in messages(root)


def test_unverified_fact_is_never_rendered(tmp_path: Path) -> None:
    root = write(tmp_path, facts={"police": fact(status="unverified")})
    assert any("unverified fact: it must not be shown" in m for m in messages(root))
    with pytest.raises(ContentError):
        require_content(root)


def test_bad_phone_number(tmp_path: Path) -> None:
    root = write(tmp_path, facts={"police": fact(value="+7 12")})
    assert any("is not a possible number" in m or "does not parse" in m for m in messages(root))


def test_international_phone_number_parses(tmp_path: Path) -> None:
    root = write(tmp_path, facts={"police": fact(value="+7 495 967 98 44")})
    assert messages(root) == []


def test_screen_too_long(tmp_path: Path) -> None:
    root = write(tmp_path, texts={**TEXTS, "uz": "Qoʻngʻiroq qiling {police}. " + "a" * 4100})
    assert any("over Telegram's 4096" in m for m in messages(root))


@pytest.mark.parametrize("age, level", [(366, "warning"), (731, "error")])
def test_stale_verification(tmp_path: Path, age: int, level: str) -> None:
    root = write(tmp_path, facts={"police": fact(verified_on=(TODAY - timedelta(days=age)).isoformat())})
    assert any(f"checked {age} days ago" in m for m in messages(root, level))


@pytest.mark.parametrize(
    "lang, text, expected",
    [
        ("uz", "Politsiyaga qo'ng'iroq qiling {police}.", "U+02BB"),
        ("uz", "Полицияга {police}", "Latin script"),
        ("ky", "Если вам угрожает опасность, звоните в полицию по номеру {police}, а также сообщите родным.", "no Kyrgyz letters"),
        ("tg", "Если вам угрожает опасность, звоните в полицию по номеру {police}, а также сообщите родным.", "no Tajik letters"),
        ("ru", "Call the police {police}", "Cyrillic"),
    ],
)
def test_wrong_language_or_script(tmp_path: Path, lang: str, text: str, expected: str) -> None:
    root = write(tmp_path, texts={**TEXTS, lang: text})
    assert any(expected in m for m in messages(root)), messages(root)


def test_unknown_keys_in_facts_are_rejected(tmp_path: Path) -> None:
    root = write(tmp_path, facts={"police": {**fact(), "phone_number": "112"}})
    assert any("phone_number" in m and "Extra inputs are not permitted" in m for m in messages(root))


def test_broken_yaml_names_the_file(tmp_path: Path) -> None:
    root = write(tmp_path)
    (root / "ky" / "pages.yaml").write_text("call: [unclosed\n", encoding="utf-8")
    assert any("ky/pages.yaml" in m and "not valid YAML" in m for m in messages(root))


def test_the_bot_refuses_to_start_on_broken_content(tmp_path: Path) -> None:
    root = write(tmp_path, texts={**TEXTS, "ru": "Звоните {nope}."})
    with pytest.raises(ContentError, match=r"content/ru: call: placeholder \{nope\}"):
        require_content(root)
