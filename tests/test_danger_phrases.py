"""Danger heard as people type it: a table per language (tests/phrases/<lang>.yaml) of real-world
phrasings, written by native-level speakers: each sign of danger, emergencies, and innocent messages
that share their words. Every line is one test, so a miss names the message."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.content import require_content
from bot.content.model import SIGNS
from bot.services.search import SearchIndex, loose, skeleton
from tests.conftest import LANGS, ROOT, Harness

CONTENT = require_content(ROOT / "content")
INDEX = SearchIndex(CONTENT)
TABLES = {lang: yaml.safe_load((Path(__file__).parent / "phrases" / f"{lang}.yaml").read_text("utf-8")) for lang in LANGS}

POSITIVE = [(lang, sign, text) for lang, table in TABLES.items() for sign, texts in table["danger"].items() for text in texts]
EMERGENCY = [(lang, text) for lang, table in TABLES.items() for text in table["emergency"]]
SAFE = [(lang, text) for lang, table in TABLES.items() for text in table["safe"]]


@pytest.mark.parametrize("lang", LANGS)
def test_each_table_is_big_enough_and_covers_every_sign(lang: str) -> None:
    table = TABLES[lang]
    assert {sign for sign in SIGNS if sign != "help"} <= set(table["danger"])
    assert sum(map(len, table["danger"].values())) + len(table["safe"]) >= 40
    assert len(table["safe"]) >= 20 and len(table["emergency"]) >= 8


@pytest.mark.parametrize("lang, sign, text", POSITIVE)
def test_danger_is_heard(lang: str, sign: str, text: str) -> None:
    assert INDEX.is_danger(lang, text), f"{sign}: {text!r}"


@pytest.mark.parametrize("lang, text", EMERGENCY)
def test_an_emergency_is_heard_as_one(lang: str, text: str) -> None:
    assert INDEX.is_emergency(lang, text), text


@pytest.mark.parametrize("lang, text", SAFE)
def test_an_innocent_message_raises_no_alarm(lang: str, text: str) -> None:
    assert not INDEX.is_danger(lang, text), (INDEX.signs(lang, text), text)


@pytest.mark.parametrize(
    "lang, a, b",
    [("tg", "ҳуҷҷат", "хуччат"), ("ky", "төлөбөй", "толобой"), ("ru", "пасспорт", "паспорт"), ("uz", "qoʻrqitdi", "кўркитди"),
     ("ky", "коюңуз", "коюнуз"), ("uz", "xozyain", "хозяин"), ("ru", "dolzhen", "должен")],
)
def test_keyboard_spellings_fold_together(lang: str, a: str, b: str) -> None:
    assert loose(skeleton(a, lang)) == loose(skeleton(b, lang))


@pytest.mark.parametrize(
    "lang, text, sign",
    [("ru", "хозяин забрал паспорт", "passport_taken"), ("ky", "айлык төлөбөй жатат", "wages_unpaid"),
     ("tg", "маро мезананд", "violence"), ("uz", "qarzim bor deb ketishga qoʻymayapti", "debt")],
)
def test_a_message_is_heard_as_the_sign_it_is(lang: str, text: str, sign: str) -> None:
    assert sign in INDEX.signs(lang, text)


# -- answers fitted to where the person is -----------------------------------------------------------

@pytest.mark.parametrize(
    "lang, text, country, first, absent",
    [
        ("ru", "хозяин забрал паспорт", "RU", "documents_taken", "ae_rights"),
        ("ru", "хозяин забрал паспорт", "AE", "documents_taken", None),
        ("ky", "мени уруп жатышат", "RU", "locked_threatened", "ru_entry"),
        ("tg", "маош намедиҳанд", "KZ", "wages_unpaid", "ae_rights"),
        ("uz", "meni urishdi yordam bering", "KR", "locked_threatened", "tr_entry"),
    ],
)
def test_danger_answers_offer_what_the_sign_needs_for_where_the_person_is(
    lang: str, text: str, country: str, first: str, absent: str | None,
) -> None:
    found = INDEX.answer(lang, text, "TJ", country)
    assert found.danger and found.topics[0] == first, found
    if absent:
        assert absent not in found.topics
    other_countries = {p.id for t in found.topics if (p := CONTENT.parents[t]).kind == "country"} - {country}
    assert not other_countries, found.topics


def test_in_the_uae_a_taken_passport_leads_to_the_uae_law() -> None:
    assert "ae_rights" in INDEX.answer("ru", "хозяин забрал паспорт", "KG", "AE").topics


async def test_a_person_beaten_in_russia_gets_russian_numbers_and_no_uae_topic(harness: Harness) -> None:
    person = await harness.speaker("ky")
    assert harness.app is not None
    await harness.app.users.set_destination(person.id, "RU")
    await person.send("мени уруп жатышат")
    screen = person.screen()
    assert "112" in screen
    labels = person.last.button_labels()
    assert CONTENT.topic("ky", "locked_threatened").title in " ".join(labels)
    for topic in ("ae_rights", "ru_entry", "tr_entry"):
        assert CONTENT.topic("ky", topic).title not in " ".join(labels)
