"""A person meets the bot: language choice, welcome, main menu, help, in all four languages."""

from __future__ import annotations

import pytest

from bot.callbacks import SECTIONS
from bot.i18n import LANGUAGE_NAMES
from bot.services.translit import to_cyrillic
from tests.conftest import LANGS, Harness


@pytest.mark.parametrize("telegram_language, first", [("ky", "ky"), ("tg", "tg"), ("uz", "uz"), ("ru", "ru"), ("en", "ru"), (None, "ru"), ("uz-Latn", "uz")])
async def test_start_offers_four_languages_suggested_first(harness: Harness, telegram_language, first) -> None:
    person = harness.person(telegram_language)
    await person.send("/start")
    labels = person.last.button_labels()
    assert labels[0] == LANGUAGE_NAMES[first]
    # the four, and Uzbek in Cyrillic right after Uzbek in Latin (new, issue 24)
    assert sorted(labels) == sorted([*LANGUAGE_NAMES.values(), "Ўзбекча"])
    assert labels.index("Ўзбекча") == labels.index(LANGUAGE_NAMES["uz"]) + 1
    # the prompt is in every language (and in Cyrillic Uzbek), the suggested one first
    lines = person.last.text.splitlines()
    assert lines[0] == "🌐 " + harness.t("Choose your language", first)
    assert len(lines) == 5 and "🌐 " + to_cyrillic(harness.t("Choose your language", "uz")) in lines


WELCOME = {"ru": "Добро пожаловать!", "ky": "Кош келиңиз!", "tg": "Хуш омадед!", "uz": "Xush kelibsiz!"}


@pytest.mark.parametrize("lang", LANGS)
async def test_picking_a_language_shows_welcome_and_menu_in_it(harness: Harness, lang: str) -> None:
    person = harness.person("en")
    await person.send("/start")
    await person.click(LANGUAGE_NAMES[lang])
    screen = person.last
    assert harness.t("Main menu", lang) in screen.text
    assert screen.text.startswith(WELCOME[lang])
    assert screen.button_labels()[0] == harness.t("📖 Safe migration: what to know", lang)
    assert person.alerts == []
    stored = await harness.app.users.get(person.id)
    assert stored is not None and stored.language == lang
    # the picker was edited into the welcome: one message, not two
    assert len(person.messages) == 1


async def test_translations_really_differ_per_language(harness: Harness) -> None:
    menus = {lang: harness.t("<b>Main menu</b>\nChoose a section:", lang) for lang in LANGS}
    assert len(set(menus.values())) == 4
    assert "ʻ" in harness.t("<b>Main menu</b>\nChoose a section:", "uz")  # Boʻlimni


@pytest.mark.parametrize("lang", LANGS)
async def test_every_menu_button_answers_in_the_language(harness: Harness, lang: str) -> None:
    person = harness.person(lang)
    await person.send("/start")
    await person.click(LANGUAGE_NAMES[lang])
    for section in SECTIONS:
        await person.send("/menu")
        label = harness.t(_label_msgid(section), lang)
        events = await person.click(label)
        kinds = {e.kind for e in events}
        assert "callback_answer" in kinds, f"{section}: the tap was not answered"
        assert kinds & {"edit", "message"}, f"{section}: nothing shown"


async def test_urgent_sections_show_sourced_emergency_numbers_with_date(harness: Harness) -> None:
    person = harness.person("tg")
    await person.send("/start")
    await person.click("Тоҷикӣ")
    await person.click(harness.t("💬 Talk to a consultant", "tg"))
    text = person.last.text
    # no destination given: the emergency numbers of every country, grouped, with source and date
    assert "🇷🇺 Русия\n• 112" in text
    assert "• 999" in text and "• 119" in text
    # dates as Tajik writes them (issue 19; CLDR gave "21 Ноябр 2026"), sources re-checked (issue 18)
    assert harness.t("Checked: {date}", "tg").format(date="21 ноябри соли 2026") in text
    assert "news.ru" in text


async def test_start_again_goes_straight_to_menu(harness: Harness) -> None:
    person = harness.person("ky")
    await person.send("/start")
    await person.click("Кыргызча")
    await person.send("/start")
    assert harness.t("Main menu", "ky") in person.last.text
    assert len(person.last.button_labels()) == len(SECTIONS) + 1  # and the quick hide (issue 24)


async def test_language_can_be_changed_any_time(harness: Harness) -> None:
    person = harness.person("ru")
    await person.send("/start")
    await person.click("Русский")
    await person.send("/language")
    assert "✅ Русский" in person.last.button_labels()
    await person.click("Oʻzbekcha")
    assert harness.t("Done: the bot now speaks your language.", "uz") in person.last.text
    await person.send("/menu")
    assert person.last.text.startswith("Asosiy menyu")
    assert (await harness.app.users.get(person.id)).language == "uz"


async def test_help_shows_about_privacy_and_commands(harness: Harness) -> None:
    person = harness.person("uz")
    await person.send("/start")
    await person.click("Oʻzbekcha")
    await person.send("/help")
    assert "Bot haqida" in person.last.text
    assert "/forget" in person.last.text
    assert harness.t("🗑 Delete my data", "uz") in person.last.button_labels()


async def test_command_menus_and_descriptions_published_per_language(harness: Harness) -> None:
    sandbox = harness.sandbox
    for lang in LANGS:
        key = ('{"type": "default"}', lang)
        commands = {c["command"]: c["description"] for c in sandbox.commands[key]}
        assert set(commands) == {
            "start", "menu", "contacts", "countries", "guide", "checklist", "reminders", "agency", "check", "consult", "language",
            "profile", "checkin", "hide", "forget", "help",  # hide, checkin: new (issue 24)
        }
        assert commands["menu"] == harness.t("Main menu", lang)
        assert sandbox.descriptions[("description", lang)]
        assert sandbox.descriptions[("short_description", lang)]
    assert sandbox.commands[('{"type": "default"}', "")]  # the fallback for other languages


def _label_msgid(section: str) -> str:
    return {
        "guide": "📖 Safe migration: what to know",
        "countries": "🌍 Countries: rules and deadlines",
        "checklist": "✅ My checklist and deadlines",
        "contacts": "☎️ Hotlines and contacts",
        "agency": "🏢 Check a recruitment agency",
        "risk": "⚠️ Am I at risk? Self-check",
        "consult": "💬 Talk to a consultant",
        "profile": "👤 My country and destination",
        "checkin": "🛡 Check on me",
        "language": "🌐 Language",
        "help": "ℹ️ About the bot and privacy",
    }[section]


async def test_help_lists_every_command_of_the_menu_and_what_is_kept(harness: Harness) -> None:
    """Issue 19: /help listed 8 of the 14 commands and said the bot keeps less than it does."""
    from bot.telegram.menus import commands

    person = harness.person("ru")
    await person.send("/start")
    await person.click("Русский")
    await person.send("/help")
    text = person.last.text or ""
    assert harness.app is not None
    with harness.app.i18n.context(), harness.app.i18n.use_locale("ru"):
        names = [command.command for command in commands()]
    assert len(names) == 16  # /hide and /checkin new (issue 24)
    for name in names:
        assert f"/{name}" in text.split()  # each one a tap (what each does is in Telegram's menu button)
    assert "чек-листа" in text and "консультант" in text  # what is kept: checklist dates, conversations
