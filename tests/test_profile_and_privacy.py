"""Profile flow (FSM in SQLite, surviving a restart), data deletion, blocking."""

from __future__ import annotations

import pytest
from aiogram.exceptions import TelegramForbiddenError

from tests.conftest import Harness


async def test_profile_is_saved(harness: Harness) -> None:
    person = await harness.speaker("tg")
    await person.send("/profile")
    await person.click("Тоҷикистон")
    await person.click("Русия")
    user = await harness.app.users.get(person.id)
    assert (user.citizenship, user.destination) == ("TJ", "RU")
    assert "Шаҳрвандӣ: Тоҷикистон" in person.last.text
    assert await harness.app.storage.get_state(_key(harness, person.id)) is None


async def test_typing_instead_of_tapping_repeats_the_question(harness: Harness) -> None:
    person = await harness.speaker("uz")
    await person.send("/profile")
    await person.send("Men Samarqanddanman")
    assert harness.t("Please tap one of the buttons.", "uz") in person.last.text
    assert "Oʻzbekiston" in person.last.button_labels()


async def test_half_finished_profile_survives_a_restart(harness: Harness) -> None:
    person = await harness.speaker("ky")
    await person.send("/profile")
    await person.click("Кыргызстан")  # now asked for the destination
    await harness.restart()
    await person.send("Москва")  # typed while the new process is waiting for a tap
    assert harness.t("Please tap one of the buttons.", "ky") in person.last.text
    assert harness.t("Which country are you going to, or working in now?", "ky") in person.last.text
    await person.click("Россия")
    user = await harness.app.users.get(person.id)
    assert (user.language, user.citizenship, user.destination) == ("ky", "KG", "RU")


async def test_language_survives_a_restart(harness: Harness) -> None:
    person = await harness.speaker("uz", telegram_language="ru")
    await harness.restart()
    await person.send("/menu")
    assert person.last.text.startswith("Asosiy menyu")


async def test_skip_and_other_country(harness: Harness) -> None:
    person = await harness.speaker("ru")
    await person.send("/profile")
    await person.click("Пропустить")
    await person.click("Другая страна")
    user = await harness.app.users.get(person.id)
    assert (user.citizenship, user.destination) == (None, "XX")
    assert "Страна работы: другая страна" in person.last.text


async def test_forget_deletes_everything(harness: Harness) -> None:
    person = await harness.speaker("ru")
    await person.send("/profile")  # leaves an FSM record
    await person.send("/forget")
    await person.click("Да, удалить всё")
    assert await harness.app.users.get(person.id) is None
    rows = await harness.app.db.fetchall("SELECT * FROM fsm_state WHERE user_id = ?", (person.id,))
    assert rows == []
    assert "/start" in person.last.text


async def test_forget_can_be_cancelled(harness: Harness) -> None:
    person = await harness.speaker("ru")
    await person.send("/forget")
    await person.click("Нет, оставить")
    assert (await harness.app.users.get(person.id)).language == "ru"


async def test_blocking_the_bot_is_recorded_and_cleared(harness: Harness) -> None:
    person = await harness.speaker("ru")
    await person.block()
    assert (await harness.app.users.get(person.id)).blocked is True
    with pytest.raises(TelegramForbiddenError):
        await harness.app.bot.send_message(person.id, "hello")
    await person.unblock()
    assert (await harness.app.users.get(person.id)).blocked is False


def _key(harness: Harness, user_id: int):
    from aiogram.fsm.storage.base import StorageKey

    return StorageKey(bot_id=harness.app.bot.id, chat_id=user_id, user_id=user_id)


def test_the_profile_flow_data_keeps_its_stored_shape() -> None:
    """ProfileData reads the {"then": ...} older versions stored, and ignores what it does not know."""
    from bot.states import ProfileData

    assert ProfileData.from_dict({"then": "countries"}).then == "countries"
    assert ProfileData.from_dict({"then": "checklist", "x": 1}).to_dict() == {"then": "checklist"}
    assert ProfileData.from_dict({"then": "elsewhere"}) == ProfileData()
    assert ProfileData().to_dict() == {}
