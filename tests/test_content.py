"""The content validator: each rule has a broken fixture and a clear message; the shipped content passes."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.content import ContentError, load_content, require_content
from bot.content.model import SIGNS
from bot.i18n import catalog_problems
from bot.models import DESTINATIONS
from tests.conftest import LANGS, ROOT

TODAY = date(2026, 11, 21)


def fact(**overrides: Any) -> dict[str, Any]:
    base = {
        "kind": "phone", "value": "112", "country": "RU", "what": "police", "source": "https://example.org/police",
        "source_date": "n.d.", "verified_on": TODAY.isoformat(), "status": "verified",
    }
    base.update(overrides)
    return base


TEXT = {
    "ru": {"title": "Полиция", "page": "Звоните {police}. Регистрация — {reg_days} дней.", "group": "Перед отъездом",
           "contact": "Полиция", "danger": "забра паспорт", "emergency": "запер", "about": "О боте"},
    "ky": {"title": "Полиция", "page": "Полицияга чалыңыз: {police}. Каттоо — {reg_days} күн.", "group": "Жолго чыгаар алдында",
           "contact": "Полиция", "danger": "паспортумду алып", "emergency": "камап сал", "about": "Бот жөнүндө"},
    "tg": {"title": "Полис", "page": "Ба полис занг занед: {police}. Бақайдгирӣ — {reg_days} рӯз.", "group": "Пеш аз сафар",
           "contact": "Полис", "danger": "шиносномаро гирифт", "emergency": "маро қулф", "about": "Дар бораи бот"},
    "uz": {"title": "Politsiya", "page": "Politsiyaga qoʻngʻiroq qiling: {police}. Roʻyxat — {reg_days} kun.",
           "group": "Joʻnashdan oldin", "contact": "Politsiya", "danger": "pasportimni oldi", "emergency": "qamab", "about": "Bot haqida"},
}


ZONES = {"KG": "Asia/Bishkek", "TJ": "Asia/Dushanbe", "UZ": "Asia/Tashkent", "RU": "Europe/Moscow",
         "KZ": "Asia/Almaty", "TR": "Europe/Istanbul", "AE": "Asia/Dubai", "KR": "Asia/Seoul"}


def valid_tree() -> dict[str, Any]:
    tree: dict[str, Any] = {
        "facts.yaml": {"facts": {
            "police": fact(),
            "reg_days": fact(kind="days", value="15", citizenships=["TJ", "UZ"], what="registration"),
        }},
        "guide.yaml": {
            "groups": {"before": ["call"]},
            "countries": {"RU": [{"topic": "ru_rules", "citizenships": ["TJ", "UZ"]}]},
            "sources": {"call": ["police"]},
            "contacts": {"police": {"needs": ["emergency"]}},
            "danger_signs": {sign: ["call"] for sign in SIGNS},
        },
        "checklists.yaml": {
            "time_zones": dict(ZONES),
            "countries": {"RU": [{"id": "ru_reg", "phase": "after", "citizenships": ["TJ", "UZ"],
                                  "deadline": {"start": "arrival", "fact": "reg_days"}, "facts": ["police"]}]},
        },
    }
    for lang, t in TEXT.items():
        tree[f"{lang}/pages.yaml"] = {"about": t["about"]}
        tree[f"{lang}/topics.yaml"] = {
            "call": {"title": t["title"], "keywords": [t["title"]], "pages": [t["page"]]},
            "ru_rules": {"title": t["title"], "pages": [t["page"]]},
        }
        tree[f"{lang}/groups.yaml"] = {"before": t["group"]}
        tree[f"{lang}/contacts.yaml"] = {"police": {"name": t["contact"]}}
        tree[f"{lang}/search.yaml"] = {"danger": {sign: [t["danger"]] for sign in SIGNS}, "emergency": [t["emergency"]]}
        tree[f"{lang}/checklists.yaml"] = {"ru_reg": {"title": t["title"], "why": t["page"]}}
    return tree


def write(tmp_path: Path, change: Callable[[dict[str, Any]], None] | None = None) -> Path:
    tree = copy.deepcopy(valid_tree())
    if change is not None:
        change(tree)
    root = tmp_path / "content"
    for relative, data in tree.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(data if isinstance(data, str) else yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return root


def messages(root: Path, level: str = "error") -> list[str]:
    _, problems = load_content(root, today=TODAY)
    return [f"{p.where}: {p.message}" for p in problems if p.level == level]


def assert_reports(root: Path, *expected: str, level: str = "error") -> None:
    found = messages(root, level)
    for text in expected:
        assert any(text in line for line in found), f"{text!r} not in {found}"


def test_the_shipped_content_is_valid() -> None:
    content, problems = load_content(ROOT / "content")
    assert [str(p) for p in problems if p.level == "error"] == []
    assert content is not None
    # every destination has a guide, and every guide is written in every language
    assert set(content.guide.countries) == set(DESTINATIONS)
    for lang in LANGS:
        assert set(content.languages[lang].topics) == set(content.parents)


def test_every_shipped_number_and_deadline_has_a_source_and_a_date() -> None:
    content = require_content(ROOT / "content")
    for name, f in content.facts.items():
        assert f.source.strip() and f.source_date.strip(), name
        assert (date.today() - f.verified_on).days <= 730, name


def test_valid_fixture(tmp_path: Path) -> None:
    root = write(tmp_path)
    assert messages(root) == [] and messages(root, "warning") == []
    content = require_content(root, today=TODAY)
    rendered = content.topic_page("ky", "call", 0)
    assert rendered.text == "Полицияга чалыңыз: 112. Каттоо — 15 күн."
    assert [f.value for f in rendered.facts] == ["112", "15", "112"]  # the topic's cited source comes last


def test_topic_missing_in_one_language(tmp_path: Path) -> None:
    root = write(tmp_path, lambda t: t["tg/topics.yaml"].pop("ru_rules"))
    assert_reports(root, "content/tg/topics.yaml: 'ru_rules' is missing")


def test_unknown_topic_key_is_rejected(tmp_path: Path) -> None:
    def change(t: dict[str, Any]) -> None:
        t["uz/topics.yaml"]["extra"] = t["uz/topics.yaml"]["call"]

    assert_reports(write(tmp_path, change), "content/uz/topics.yaml: unknown key 'extra' (not in content/guide.yaml)")


def test_unknown_field_and_unknown_file_are_rejected(tmp_path: Path) -> None:
    def change(t: dict[str, Any]) -> None:
        t["ru/topics.yaml"]["call"]["subtitle"] = "Лишнее"
        t["ky/notes.yaml"] = {"a": "б"}

    root = write(tmp_path, change)
    assert_reports(root, "content/ru/topics.yaml: call.subtitle: Extra inputs are not permitted",
                   "content/ky/notes.yaml: unknown file")


def test_unknown_placeholder(tmp_path: Path) -> None:
    root = write(tmp_path, lambda t: t["ru/topics.yaml"]["call"].update(pages=["Звоните {polise}."]))
    assert_reports(root, "content/ru/topics.yaml: call.pages[1]: placeholder {polise} names no fact")


def test_a_fact_missing_in_a_translation(tmp_path: Path) -> None:
    root = write(tmp_path, lambda t: t["uz/topics.yaml"]["call"].update(pages=["Politsiyaga qoʻngʻiroq qiling: {police}."]))
    assert_reports(root, "content/uz/topics.yaml: call: states other facts than ru: missing ['reg_days']")


def test_unverified_fact_is_never_rendered(tmp_path: Path) -> None:
    root = write(tmp_path, lambda t: t["facts.yaml"]["facts"]["reg_days"].update(status="unverified"))
    assert_reports(root, "placeholder {reg_days} is an unverified fact: it must not be shown")
    with pytest.raises(ContentError):
        require_content(root, today=TODAY)


def test_unverified_contact_is_hidden_not_fatal(tmp_path: Path) -> None:
    def change(t: dict[str, Any]) -> None:
        t["facts.yaml"]["facts"]["hotline"] = fact(value="0800 0000 189", country="KG", status="unverified")
        t["guide.yaml"]["contacts"]["hotline"] = {"needs": ["trafficking"]}
        for lang in LANGS:
            t[f"{lang}/contacts.yaml"]["hotline"] = {"name": TEXT[lang]["contact"]}

    root = write(tmp_path, change)
    assert_reports(root, "contacts.hotline: unverified: hidden", level="warning")
    content = require_content(root, today=TODAY)
    assert [name for name, _ in content.contacts()] == ["police"]


def test_a_topic_cannot_rest_on_an_unverified_source(tmp_path: Path) -> None:
    root = write(tmp_path, lambda t: t["facts.yaml"]["facts"]["police"].update(status="unverified"))
    assert_reports(root, "content/guide.yaml: sources.call: 'police' is unverified")


@pytest.mark.parametrize("value", ["+7 12", "+999 123", "phone"])
def test_bad_phone_number(tmp_path: Path, value: str) -> None:
    root = write(tmp_path, lambda t: t["facts.yaml"]["facts"]["police"].update(value=value))
    found = messages(root)
    assert any("is not a possible number" in m or "does not parse" in m for m in found), found


def test_international_and_service_numbers_parse(tmp_path: Path) -> None:
    for value, country in (("+7 495 967 98 44", "RU"), ("1577-0071", "KR"), ("600 590000", "AE"), ("1345", "KR")):
        root = write(tmp_path, lambda t, v=value, c=country: t["facts.yaml"]["facts"]["police"].update(value=v, country=c))
        assert messages(root) == [], value
    # a Korean number filed under the wrong country does not parse as a number there
    root = write(tmp_path, lambda t: t["facts.yaml"]["facts"]["police"].update(value="1577-0071", country="RU"))
    assert_reports(root, "phone '1577-0071' is not a possible number")


@pytest.mark.parametrize("value, country, expected", [
    ("600 59000", "AE", "not a valid number for AE"),  # a digit missing from MOHRE's 600 590000
    ("1644-06444", "KR", "KR writes this number"),  # a digit too many: read as 016-440-6444
    ("+996 999 312 00", "KG", "not a possible number"),  # a digit missing from the consular hotline
])
def test_a_number_not_valid_for_its_country(tmp_path: Path, value: str, country: str, expected: str) -> None:
    root = write(tmp_path, lambda t: t["facts.yaml"]["facts"]["police"].update(value=value, country=country))
    assert_reports(root, expected)


@pytest.mark.parametrize("lang, page", [
    ("ky", "Полицияга чалыңыз: {police} же +996 999 312 002. Каттоо — {reg_days} күн."),
    ("ru", "Звоните {police} или 112. Регистрация — {reg_days} дней."),
    ("tg", "Ба полис занг занед: {police}, 1577-0071. Бақайдгирӣ — {reg_days} рӯз."),
])
def test_a_phone_typed_into_a_text_instead_of_a_fact(tmp_path: Path, lang: str, page: str) -> None:
    root = write(tmp_path, lambda t: t[f"{lang}/topics.yaml"]["call"].update(pages=[page]))
    assert_reports(root, "typed into the text: make it a fact")


def test_numbered_steps_and_counts_are_not_phones(tmp_path: Path) -> None:
    page = "1. Звоните {police}.\n2. Регистрация — {reg_days} дней, на 20 языках, виза E-9."
    root = write(tmp_path, lambda t: t["ru/topics.yaml"]["call"].update(pages=[page]))
    assert messages(root) == []


@pytest.mark.parametrize("lang, sentence", [
    ("ky", "Полицияга чалыңыз: {police}. Каттоо — {reg_days} күн. Если вас не выпускают, звоните в полицию и сообщите родным."),
    ("tg", "Ба полис занг занед: {police}. Бақайдгирӣ — {reg_days} рӯз. Если вас не выпускают, звоните в полицию и сообщите родным."),
])
def test_a_russian_sentence_left_in_a_kyrgyz_or_tajik_page(tmp_path: Path, lang: str, sentence: str) -> None:
    root = write(tmp_path, lambda t: t[f"{lang}/topics.yaml"]["call"].update(pages=[sentence]))
    assert_reports(root, "a sentence in Russian inside")


def test_an_ascii_apostrophe_in_an_uzbek_catalog_is_caught_by_the_check(tmp_path: Path) -> None:
    """`python -m bot check` and the tests read the catalogs with one function (catalog_problems)."""
    import shutil

    from bot.i18n import po_path
    locales = tmp_path / "locales"
    shutil.copytree(ROOT / "locales", locales)
    path = po_path(locales, "uz")
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("oʻ", "o'", 1), encoding="utf-8")
    assert any("U+02BB" in problem for problem in catalog_problems(locales))


def test_a_page_over_a_phone_screen_is_an_error_and_over_1000_a_warning(tmp_path: Path) -> None:
    """Issue 19: no screen over 1,200 characters (before, only 3,496 was an error and 1,200 a warning)."""
    long_page = "Звоните {police}. Регистрация — {reg_days} дней. " + "Текст. " * 180
    root = write(tmp_path, lambda t: t["ru/topics.yaml"]["call"].update(pages=[long_page]))
    assert_reports(root, "content/ru/topics.yaml: call.pages[1]:", "over 1200, more than a phone's screen")
    medium = "Звоните {police}. Регистрация — {reg_days} дней. " + "Текст. " * 150
    root = write(tmp_path, lambda t: t["ru/topics.yaml"]["call"].update(pages=[medium]))
    assert messages(root) == []
    assert_reports(root, "aim for at most 1000", level="warning")


@pytest.mark.parametrize("age, level", [(366, "warning"), (731, "error"), (-1, "error")])
def test_stale_or_future_verification(tmp_path: Path, age: int, level: str) -> None:
    day = (TODAY - timedelta(days=age)).isoformat()
    root = write(tmp_path, lambda t: t["facts.yaml"]["facts"]["police"].update(verified_on=day))
    expected = "in the future" if age < 0 else f"checked {age} days ago"
    assert_reports(root, expected, level=level)


@pytest.mark.parametrize(
    "lang, text, expected",
    [
        ("uz", "Politsiyaga qo'ng'iroq qiling {police} {reg_days}.", "U+02BB"),
        ("uz", "Полицияга қўнғироқ қилинг {police} {reg_days}", "Latin script"),
        ("ky", "Если вам угрожает опасность, звоните в полицию {police}, срок {reg_days} дней, сообщите родным.", "no Kyrgyz letters"),
        ("tg", "Если вам угрожает опасность, звоните в полицию {police}, срок {reg_days} дней, сообщите родным.", "no Tajik letters"),
        ("ru", "Call the police at {police}, and register within {reg_days} days.", "Cyrillic"),
        ("ru", "Полицияга чалыңыз {police} {reg_days}", "Kyrgyz or Tajik letters in a Russian text"),
    ],
)
def test_wrong_language_or_script(tmp_path: Path, lang: str, text: str, expected: str) -> None:
    root = write(tmp_path, lambda t: t[f"{lang}/topics.yaml"]["call"].update(pages=[text]))
    assert_reports(root, expected)


def test_unknown_keys_in_facts_are_rejected(tmp_path: Path) -> None:
    root = write(tmp_path, lambda t: t["facts.yaml"]["facts"]["police"].update(phone_number="112"))
    assert_reports(root, "content/facts.yaml: facts.police.phone_number: Extra inputs are not permitted")


def test_bad_date_and_day_values(tmp_path: Path) -> None:
    def change(t: dict[str, Any]) -> None:
        t["facts.yaml"]["facts"]["since"] = fact(kind="date", value="2025-13-01")
        t["facts.yaml"]["facts"]["reg_days"]["value"] = "fifteen"

    assert_reports(write(tmp_path, change), "since: date '2025-13-01' is not YYYY-MM-DD", "reg_days: days 'fifteen' is not a whole number")


def test_shape_errors(tmp_path: Path) -> None:
    def change(t: dict[str, Any]) -> None:
        t["guide.yaml"]["groups"]["before"].append("ru_rules")  # a topic in two places
        t["guide.yaml"]["countries"]["FR"] = []  # not a destination
        t["guide.yaml"]["contacts"]["reg_days"] = {"needs": ["emergency"]}  # not a phone

    assert_reports(
        write(tmp_path, change),
        "topic 'ru_rules' is already under groups.before",
        "countries.FR: not a destination",
        "contacts.reg_days: is a days, not a phone",
    )


def test_broken_yaml_names_the_file(tmp_path: Path) -> None:
    root = write(tmp_path, lambda t: t.update({"ky/groups.yaml": "before: [unclosed\n"}))
    assert_reports(root, "content/ky/groups.yaml: not valid YAML")


def test_the_bot_refuses_to_start_on_broken_content(tmp_path: Path) -> None:
    root = write(tmp_path, lambda t: t["ru/topics.yaml"]["call"].update(pages=["Звоните {nope}."]))
    with pytest.raises(ContentError, match=r"content/ru/topics.yaml: call.pages\[1\]: placeholder \{nope\}"):
        require_content(root, today=TODAY)


def test_citizenship_limits(tmp_path: Path) -> None:
    content = require_content(write(tmp_path), today=TODAY)
    assert content.topic_applies("ru_rules", "TJ") and content.topic_applies("ru_rules", None)
    assert not content.topic_applies("ru_rules", "KG")
    assert content.topic_applies("call", "KG")  # group topics are for everyone


def _item(tree: dict[str, Any]) -> dict[str, Any]:
    return tree["checklists.yaml"]["countries"]["RU"][0]


@pytest.mark.parametrize(("change", "expected"), [
    (lambda t: _item(t).update(citizenships=None), "the fact applies to TJ, UZ only"),
    (lambda t: _item(t).update(citizenships=["KG"]), "the fact applies to TJ, UZ only"),
    (lambda t: t["facts.yaml"]["facts"]["reg_days"].update(status="unverified"), "'reg_days' is unverified"),
    (lambda t: _item(t)["deadline"].update(fact="nowhere"), "'nowhere' names no fact"),
    (lambda t: _item(t)["deadline"].update(fact="police"), "is a phone, not a number of days"),
    (lambda t: _item(t)["deadline"].pop("fact"), "needs a fact with the number"),
    (lambda t: _item(t)["deadline"].update(start="own"), "`ask` is the question asking for it"),
    (lambda t: t["checklists.yaml"]["time_zones"].pop("KR"), "KR has no time zone"),
    (lambda t: t["checklists.yaml"]["time_zones"].update(KR="Asia/Nowhere"), "is not a time zone"),
    (lambda t: t["checklists.yaml"].update(remind_at="23:00"), "falls in the quiet hours"),
    (lambda t: t["checklists.yaml"]["countries"].update(XX=[]), "not a destination"),
    (lambda t: t["ky/checklists.yaml"].pop("ru_reg"), "'ru_reg' is missing"),
    (lambda t: t["uz/checklists.yaml"]["ru_reg"].update(why="Roʻyxat."), "states other facts than ru"),
])
def test_checklist_errors(tmp_path: Path, change: Callable[[dict[str, Any]], None], expected: str) -> None:
    found = messages(write(tmp_path, change))
    assert any(expected in message for message in found), found


def test_checklist_fixture_is_valid(tmp_path: Path) -> None:
    assert messages(write(tmp_path)) == []
