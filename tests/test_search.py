"""Free-text search and danger phrases, per language, as tables; and the answers through the Dispatcher."""

from __future__ import annotations

import pytest

from bot.content import require_content
from bot.services.search import SearchIndex, skeleton, token_similarity
from tests.conftest import ROOT, Harness

CONTENT = require_content(ROOT / "content")
INDEX = SearchIndex(CONTENT)

FINDS = [
    # (language, what a person types, a topic among the first three)
    ("ru", "у меня забрали паспорт", "documents_taken"),
    ("ru", "как оплатить патнет", "ru_patent"),  # a swapped pair of letters
    ("ru", "регистрация в россии", "ru_registration"),
    ("ru", "работа в корее", "kr_eps"),
    ("ru", "туристическая виза на работу", "recruitment_red_flags"),
    ("ru", "pasport zabrali", "documents_taken"),  # Russian typed in Latin letters
    ("ky", "паспортумду алып коюшту", "documents_taken"),
    ("ky", "патент", "ru_patent"),
    ("ky", "айлык төлөбөй жатат", "wages_unpaid"),
    ("ky", "келишим", "contract"),
    ("tg", "шиносномаамро гирифтанд", "documents_taken"),
    ("tg", "патент", "ru_patent"),
    ("tg", "музд намедиҳанд", "wages_unpaid"),
    ("tg", "шартнома", "contract"),
    ("uz", "pasportimni olib qoʻyishdi", "documents_taken"),
    ("uz", "паспортимни олиб қўйишди", "documents_taken"),  # Uzbek typed in Cyrillic
    ("uz", "patent", "ru_patent"),
    ("uz", "ish haqi toʻlanmayapti", "wages_unpaid"),
    ("uz", "shartnoma", "contract"),
    ("uz", "Koreyaga ishga", "kr_eps"),
]


@pytest.mark.parametrize("language, text, topic", FINDS)
def test_search_finds_the_topic(language: str, text: str, topic: str) -> None:
    found = [hit.topic for hit in INDEX.find(language, text)][:3]
    assert topic in found, found


def test_a_question_in_russian_finds_topics_for_a_kyrgyz_speaker() -> None:
    assert "ru_patent" in [hit.topic for hit in INDEX.find("ky", "оплата патента")]


@pytest.mark.parametrize("language", ["ru", "ky", "tg", "uz"])
def test_nonsense_finds_nothing(language: str) -> None:
    assert INDEX.find(language, "qwzx trrrp ъъъ") == []


DANGER = [
    ("ru", "Помогите, у меня забрали паспорт", True),
    ("ru", "работодатель не платит уже три месяца, не платят", True),
    ("ru", "нас заперли и не выпускают", True),
    ("ru", "меня избили", True),
    ("ru", "сколько стоит билет до Москвы", False),
    ("ru", "не знаю, где платить патент", False),
    ("ru", "как получить патент", False),
    ("ky", "паспортумду алып коюшту", True),
    ("ky", "жардам бериңиздер", True),
    ("ky", "патент канча турат", False),
    ("tg", "шиносномаамро гирифтанд", True),
    ("tg", "маро мезананд", True),
    ("tg", "патент чанд пул аст", False),
    ("uz", "pasportimni olib qoʻyishdi", True),
    ("uz", "ёрдам беринг", True),  # Cyrillic Uzbek
    ("uz", "meni qamab qoʻyishdi", True),
    ("uz", "patent qancha turadi", False),
    ("ky", "забрали паспорт", True),  # Russian in a Kyrgyz chat still counts
]


@pytest.mark.parametrize("language, text, danger", DANGER)
def test_danger_phrases(language: str, text: str, danger: bool) -> None:
    assert INDEX.is_danger(language, text) is danger


@pytest.mark.parametrize(
    "a, b, expected",
    [("паспорт", "паспорт", 1.0), ("паспорт", "паспортом", 0.8), ("паспорта", "паспорту", 0.8),
     ("патнет", "патент", 0.6), ("кот", "кит", 0.0)],
)
def test_word_similarity(a: str, b: str, expected: float) -> None:
    assert token_similarity(skeleton(a, "ru"), skeleton(b, "ru")) == expected


def test_uzbek_spellings_meet() -> None:
    assert skeleton("oʻzbek", "uz") == skeleton("o'zbek", "uz") == skeleton("ўзбек", "uz") == "ozbek"


# -- through the Dispatcher -------------------------------------------------------------------

@pytest.mark.parametrize(
    "lang, text",
    [("ru", "забрали паспорт"), ("ky", "паспортумду алып коюшту"), ("tg", "шиносномаамро гирифтанд"),
     ("uz", "pasportimni olib qoʻyishdi")],
)
async def test_danger_text_gets_emergency_numbers_and_a_consultant_first(harness: Harness, lang: str, text: str) -> None:
    person = await harness.speaker(lang)
    await harness.app.users.set_destination(person.id, "TR")
    await person.send(text)
    screen = person.last
    assert screen.text.startswith(harness.t(
        "<b>It sounds like you may be in danger.</b> You are not alone, and it is not your fault.\n"
        "If your life or health is at risk, call the emergency number now.", lang,
    ).replace("<b>", "").replace("</b>", ""))
    assert "112" in screen.text and "157" in screen.text  # Turkey's emergency number and YİMER
    labels = screen.button_labels()
    assert labels[0] == harness.t("💬 Talk to a consultant", lang)
    assert CONTENT.topic(lang, "documents_taken").title in labels


@pytest.mark.parametrize("lang, text", [("ru", "патент"), ("uz", "патент"), ("tg", "патент"), ("ky", "патент")])
async def test_a_question_gets_topics_as_buttons(harness: Harness, lang: str, text: str) -> None:
    person = await harness.speaker(lang)
    await person.send(text)
    assert person.last.text == harness.t("Here is what I found. Tap a topic:", lang)
    title = "🇷🇺 " + CONTENT.topic(lang, "ru_patent").title
    assert title in person.last.button_labels()
    await person.click(title)
    assert person.last.text.startswith(CONTENT.topic(lang, "ru_patent").title)


async def test_no_match_offers_the_menu_and_a_consultant(harness: Harness) -> None:
    person = await harness.speaker("ky")
    await person.send("qwzx trrrp")
    labels = person.last.button_labels()
    assert harness.t("💬 Talk to a consultant", "ky") in labels and harness.t("⬅️ Main menu", "ky") in labels


async def test_text_while_filling_the_profile_is_not_searched(harness: Harness) -> None:
    person = await harness.speaker("ru")
    await person.send("/profile")
    await person.send("забрали паспорт")
    assert person.last.text.startswith(harness.t("Please tap one of the buttons.", "ru"))


async def test_search_leaves_out_rules_for_other_citizens(harness: Harness) -> None:
    person = await harness.speaker("ru")
    await harness.app.users.set_citizenship(person.id, "TJ")
    await person.send("работа в россии без патента по договору")
    labels = person.last.button_labels()
    assert "🇷🇺 " + CONTENT.topic("ru", "ru_work_kg").title not in labels  # the EAEU rules are for Kyrgyz citizens
