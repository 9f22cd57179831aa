"""Uzbek in Cyrillic as a fifth choice of the language picker, through the Dispatcher and the sandbox:
every screen, button, date and reminder in Cyrillic letters made from the Latin texts; the language
stays Uzbek (search in either script, the same team); a consultant's words reach the person as written;
back to Latin in one tap; and `run` as a separate process."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.callbacks import GuideCb
from bot.sandbox.client import Person, queued_delivery
from bot.sandbox.core import Sandbox
from bot.services.translit import to_cyrillic, to_latin
from tests.conftest import Harness, make_settings, running
from tests.test_e2e import serving

LATIN_UZBEK = re.compile(r"\b[a-zA-Z]*[ʻ][a-z]+|\b(?:va|bilan|uchun|yoki|qilish)\b")  # words no Cyrillic text holds


def latin_left(text: str) -> list[str]:
    return LATIN_UZBEK.findall(re.sub(r"https?://\S+|/\w+", "", text))


async def cyrillic_reader(h: Harness) -> Person:
    person = h.person("uz")
    await person.send("/start")
    assert person.last is not None and "Ўзбекча" in person.last.button_labels() and "Oʻzbekcha" in person.last.button_labels()
    await person.click("Ўзбекча")
    return person


async def test_a_cyrillic_reader_gets_every_screen_in_cyrillic_and_the_language_stays_uzbek(tmp_path: Path) -> None:
    async with running(make_settings(tmp_path)) as h:
        assert h.app is not None
        person = await cyrillic_reader(h)
        user = await h.app.users.get(person.id)
        assert user is not None and (user.language, user.script) == ("uz", "cyrl")
        await person.send("/menu")
        menu = person.last
        assert menu is not None and to_cyrillic(h.t("<b>Main menu</b>\nChoose a section:", "uz").replace("<b>", "").replace("</b>", "")) in (menu.text or "")
        assert all(not latin_left(label) for label in menu.button_labels())
        topic = next(iter(h.app.content.parents))
        await person.click_data(GuideCb(kind="top", id=topic).pack())
        assert person.last is not None and to_cyrillic(h.app.content.topic("uz", topic).title) in (person.last.text or "")
        assert latin_left(person.last.text or "") == []
        await person.send("паспортимни олиб қўйишди")  # typed in Cyrillic: the danger words are heard
        assert person.last is not None and latin_left(person.last.text or "") == []
        assert "112" in " ".join(m.text or "" for m in h.sandbox.bot_messages(person.id)[-3:])
        for message in h.sandbox.bot_messages(person.id)[1:]:  # after the picker: nothing in Latin Uzbek
            assert latin_left(message.text or "") == [], message.text


async def test_back_to_latin_in_one_tap(tmp_path: Path) -> None:
    async with running(make_settings(tmp_path)) as h:
        assert h.app is not None
        person = await cyrillic_reader(h)
        await person.send("/language")
        assert person.last is not None and "✅ Ўзбекча" in person.last.button_labels() and "Oʻzbekcha" in person.last.button_labels()
        await person.click("Oʻzbekcha")
        user = await h.app.users.get(person.id)
        assert user is not None and (user.language, user.script) == ("uz", None)
        await person.send("/menu")
        assert person.last is not None and h.t("<b>Main menu</b>\nChoose a section:", "uz").split("\n")[0].replace(
            "<b>", "").replace("</b>", "") in (person.last.text or "")


@pytest.mark.slow(8)
async def test_cyrillic_in_a_running_bot(tmp_path: Path) -> None:
    sandbox = Sandbox()
    async with serving(tmp_path / "bot.sqlite3", sandbox) as bot:
        person = Person(sandbox, sandbox.add_user(9_600_001, "Kirill", "uz"), queued_delivery(sandbox, timeout=30))
        await person.send("/start")
        await person.click("Ўзбекча")
        await person.send("/menu")
        assert person.last is not None and to_latin(person.last.text or "") != (person.last.text or "")
        assert latin_left(person.last.text or "") == []
        code, output = await bot.stop()
    assert code == 0 and "Traceback" not in output, output[-2000:]
