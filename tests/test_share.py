"""Sharing help with family (inline mode) through the Dispatcher and the sandbox, which checks the
answers as Telegram does: cards in the person's language, sent into another chat "via" the bot, each
with a deep link back that opens the same page (and counts as that link's reach); and `run` as a process."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot.content.catalogs import LANGUAGE_NAMES
from bot.sandbox.core import Sandbox
from bot.services import deeplinks
from bot.services.agency import SAMPLES_DIR
from bot.storage.stats import figures
from tests.conftest import LANGS, Harness, make_settings, running, until
from tests.test_e2e import live_speaker, serving


async def ask(h: Harness, user_id: int, typed: str) -> list[dict[str, Any]]:
    update = h.sandbox.user_inline_query(user_id, typed, chat_type="group")
    await h.feed(update)
    return h.sandbox.inline_results(update["inline_query"]["id"])


def query_id(h: Harness) -> str:
    """The newest inline query's id."""
    return list(h.sandbox.inline_queries)[-1]


@pytest.mark.parametrize("lang", LANGS)
async def test_with_nothing_typed_the_cards_are_the_persons_hotlines_the_trouble_pages_and_the_bot(tmp_path: Path, lang: str) -> None:
    async with running(make_settings(tmp_path)) as h:
        assert h.app is not None
        person = await h.speaker(lang)
        await h.app.users.set_destination(person.id, "RU")
        found = await ask(h, person.id, "")
        titles = [r["title"] for r in found]
        assert titles[0] == h.t("☎️ Hotlines: {country}", lang).format(country=h.t("Russia", lang))
        for topic in ("documents_taken", "wages_unpaid", "locked_threatened"):
            assert "📖 " + h.app.content.topic(lang, topic).title in titles
        assert titles[-1] == h.t("🤝 This bot: safe work abroad", lang)
        username = h.sandbox.bot_user["username"]
        button = found[0]["reply_markup"]["inline_keyboard"][0][0]
        assert button["text"] == h.t("📲 Open in the bot", lang)
        assert button["url"] == deeplinks.url(username, "contacts-RU")  # no language: the family keeps theirs

        mother = h.person("ky")  # the family, in another chat: she reads Kyrgyz
        await mother.send("/start")
        await mother.click(LANGUAGE_NAMES["ky"])
        sent = h.sandbox.user_sends_inline_result(person.id, mother.id, query_id(h), found[0]["id"])
        assert sent.extra["via_bot"] == username and "112" in (sent.text or "")
        assert h.t("Free help in Russian, Kyrgyz, Tajik and Uzbek: tap the button below.", lang) in (sent.text or "")
        await mother.send("/start contacts-RU")  # the button's link, opened by the mother
        assert "112" in (mother.last.text or "")
        mother_user = await h.app.users.get(mother.id)
        assert mother_user is not None and mother_user.language == "ky"  # a shared link does not change her language
        day = h.now().date()
        reach = {(f.section, f.key): f.value for f in await figures(h.app.db, day, day)}
        assert reach[("leaflet", "contacts-RU")] == 1  # a shared card's link counts as that link's reach


async def test_what_is_typed_finds_topics_a_countrys_hotlines_and_an_agency(tmp_path: Path) -> None:
    async with running(make_settings(tmp_path)) as h:
        assert h.app is not None
        await h.app.agencies.load_samples(SAMPLES_DIR)
        person = await h.speaker("ru")
        titles = [r["title"] for r in await ask(h, person.id, "Казахстан")]
        assert titles[0] == h.t("☎️ Hotlines: {country}", "ru").format(country=h.t("Kazakhstan", "ru"))
        titles = [r["title"] for r in await ask(h, person.id, "забрали паспорт")]
        assert "📖 " + h.app.content.topic("ru", "documents_taken").title in titles
        found = await ask(h, person.id, "Нур Ишкана")
        agency = next(r for r in found if r["id"].startswith("a:"))
        assert "Нур Ишкана" in agency["title"] and "Нур Ишкана" in agency["input_message_content"]["message_text"]
        await h.app.users.set_destination(person.id, "RU")  # the sharer goes to Russia: a card must not say so
        found = await ask(h, person.id, "Ала-Тоо Жумуш")
        card = next(r for r in found if r["id"].startswith("a:"))["input_message_content"]["message_text"]
        warning = h.t("⚠️ Its permit does not cover {country}: it may not send you there.", "ru").split("{")[0]
        assert "Ала-Тоо" in card and warning not in card
        stranger = h.sandbox.add_user(7_777_001, "Stranger", "uz")  # never opened the bot
        update = h.sandbox.user_inline_query(stranger.id, "", chat_type="group")
        await h.feed(update)
        assert await h.app.users.get(stranger.id) is None  # an inline query keeps no one
        assert h.sandbox.inline_results(update["inline_query"]["id"])[-1]["title"] == h.t("🤝 This bot: safe work abroad", "uz")
        assert [r["title"] for r in await ask(h, person.id, "zzqx qqzz")] == [h.t("🤝 This bot: safe work abroad", "ru")]


@pytest.mark.slow(8)
async def test_sharing_in_a_running_bot(tmp_path: Path) -> None:
    sandbox = Sandbox()
    async with serving(tmp_path / "bot.sqlite3", sandbox) as bot:
        person = await live_speaker(sandbox, 9_700_001, "tg", "Share")
        update = sandbox.user_inline_query(person.id, "")
        sandbox.enqueue(update)
        query_id = update["inline_query"]["id"]
        await until(lambda: sandbox.inline_queries[query_id]["results"] is not None, "the inline answer", timeout=30)
        assert [r["id"] for r in sandbox.inline_results(query_id)][-1] == "m"
        code, output = await bot.stop()
    assert code == 0 and "Traceback" not in output, output[-2000:]
