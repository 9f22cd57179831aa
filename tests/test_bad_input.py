"""Whatever a person sends, they get a polite answer in their language, never silence or a crash."""

from __future__ import annotations

import logging

import pytest

from tests.conftest import LANGS, Harness


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize(
    "kind, msgid",
    [
        ("sticker", "I can only read text and buttons for now. Please choose a section from the menu."),
        ("photo", "I can only read text and buttons for now. Please choose a section from the menu."),
        ("voice", "I can only read text and buttons for now. Please choose a section from the menu."),
        ("video", "I can only read text and buttons for now. Please choose a section from the menu."),
        ("document", "I can only read text and buttons for now. Please choose a section from the menu."),
        ("location", "Thank you, but I don't need your location or contacts. Please choose a section from the menu."),
        ("contact", "Thank you, but I don't need your location or contacts. Please choose a section from the menu."),
    ],
)
async def test_media_gets_an_answer(harness: Harness, lang: str, kind: str, msgid: str) -> None:
    person = await harness.speaker(lang)
    events = await person.send_media(kind)
    assert [e.kind for e in events] == ["message"]
    assert person.last.text == harness.t(msgid, lang)
    assert person.last.button_labels()  # the menu comes with it: never a dead end


@pytest.mark.parametrize("lang", LANGS)
async def test_unknown_command(harness: Harness, lang: str) -> None:
    person = await harness.speaker(lang)
    await person.send("/whatever")
    assert person.last.text == harness.t("I don't know this command. Choose a section from the menu, or send /help.", lang)


@pytest.mark.parametrize(
    "text",
    ["<b>bold</b> <script>alert(1)</script> & <a href='x'>", "ы" * 10_000, "   ", "🙂🙂🙂"],
)
async def test_odd_free_text_gets_a_polite_answer(harness: Harness, text: str) -> None:
    person = await harness.speaker("ru")
    events = await person.send(text)
    assert len(events) == 1 and events[0].kind == "message"
    assert person.last.text.startswith(harness.t(
        "I did not find a topic for that. Try other words, open the menu, or ask a consultant.", "ru"
    ))
    assert harness.t("⬅️ Main menu", "ru") in person.last.button_labels()


async def test_edited_message(harness: Harness) -> None:
    person = await harness.speaker("ky")
    await person.send("салам")
    mine = [m for m in harness.sandbox.chat_messages(person.id) if not m.from_bot][-1]
    await person.edit(mine.message_id, "салам, жардам керек")
    assert person.last.text == harness.t(
        "I only read new messages, not edited ones. Please send your message again.", "ky"
    )


@pytest.mark.parametrize("data", ["lang:xx", "m:nonexistent", "pf:cit:ZZ", "pf:dst:??", "garbage", "forget:maybe", "m"])
async def test_forged_or_stale_buttons(harness: Harness, data: str) -> None:
    person = await harness.speaker("uz")
    events = await person.click_data(data)
    assert person.alerts == [harness.t("This button is out of date. Here is the current menu.", "uz")]
    assert any(e.kind in ("message", "edit") for e in events)
    assert harness.t("<b>Main menu</b>\nChoose a section:", "uz").replace("<b>", "").replace("</b>", "") in person.last.text


@pytest.mark.parametrize("data", [
    "take:99999999999999999999999", "take:-1", "close:99999999999999999999999:info", "ag:id:99999999999999999999999",
    "g:top:work_ru:100000", "scr:99999:y", "rf:-1:y", "ck:paidall:ru_patent:100000",
])
async def test_forged_numbers_out_of_range(harness: Harness, data: str) -> None:
    """A number no button carries (too large for the database, negative) is an out-of-date button, not a failure."""
    person = await harness.speaker("tg")
    await person.click_data(data)
    assert person.alerts == [harness.t("This button is out of date. Here is the current menu.", "tg")]


async def test_button_on_a_very_old_message_still_works(harness: Harness) -> None:
    person = await harness.speaker("ru")
    first = person.last
    await person.send("/help")
    await person.click("🌐 Язык", message=first)  # the menu from the first screen
    assert "✅ Русский" in first.button_labels()  # that message now shows the language picker


async def test_same_button_twice_does_not_fail(harness: Harness) -> None:
    person = await harness.speaker("ru")
    await person.send("/menu")
    menu = person.last
    await person.click_data("m:language", message=menu)
    await person.click_data("m:language", message=menu)  # a double tap: Telegram says "message is not modified"
    assert person.alerts == []
    assert [e.kind for e in person.seen] == ["callback_answer"]
    assert "✅ Русский" in menu.button_labels()


async def test_group_messages_are_ignored(harness: Harness) -> None:
    harness.sandbox.add_group(-100123, "Consultants")
    person = harness.person("ru")
    harness.sandbox.users[person.id].started = True
    update = harness.sandbox.user_message(person.id, "hello", chat_id=-100123)
    mark = len(harness.sandbox.events)
    await harness.feed(update)
    assert harness.sandbox.events[mark:] == []
    assert await harness.app.users.get(person.id) is None  # a group member is not a user


async def test_failure_is_told_to_the_person_and_logged_without_text(harness: Harness, caplog) -> None:
    harness.expect_errors = True
    person = await harness.speaker("tg")
    harness.sandbox.inject_error("sendMessage", 500, "Internal Server Error: secret-marker")
    caplog.set_level(logging.DEBUG)
    await person.send("ПАСПОРТАМРО ГИРИФТАНД секрет")
    assert person.last.text == harness.t(
        "Sorry, something went wrong on our side. Please try again, or open the /menu.", "tg"
    )
    assert "update" in caplog.text and "TelegramServerError" in caplog.text
    assert "ПАСПОРТАМРО" not in caplog.text
    assert "secret-marker" not in caplog.text


async def test_failure_in_a_button_answers_the_tap(harness: Harness) -> None:
    harness.expect_errors = True
    person = await harness.speaker("ru")
    harness.sandbox.inject_error("editMessageText", 500, "Internal Server Error")
    events = await person.click("🌐 Язык")
    assert "callback_answer" in [e.kind for e in events]
    assert person.last.text == harness.t(
        "Sorry, something went wrong on our side. Please try again, or open the /menu.", "ru"
    )


async def test_a_button_handled_after_telegrams_15_minutes_still_shows_its_screen(harness: Harness) -> None:
    """A backlog after downtime: the press is handled 16 minutes late. Telegram refuses to answer the
    callback then; the person still gets the screen, and no "sorry"."""
    person = await harness.speaker("ky")
    menu = person.last
    data = next(b["callback_data"] for row in menu.buttons for b in row if b["callback_data"] == "m:contacts")
    update = harness.sandbox.user_click(person.id, menu, data)
    harness.sandbox.clock.advance(16 * 60)
    await person.deliver(update)
    assert "112" in (person.last.text or "")  # the contacts screen, with the emergency numbers
    sorry = harness.t("Sorry, something went wrong on our side. Please try again, or open the /menu.", "ky")
    assert all(m.text != sorry for m in person.messages)
