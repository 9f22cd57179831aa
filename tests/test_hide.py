"""Quick hide through the Dispatcher and the sandbox's deletion rules (a bot deletes a message in a
private chat for 48 hours): the chat emptied both ways, one neutral line left, nothing of the person's
data lost, /start back to the menu; refusals and older messages are not a failure; /forget drops the
trail; and `run` as a separate process does it too."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.callbacks import GuideCb
from bot.content.catalogs import LANGUAGE_NAMES
from bot.i18n import po_path, read_catalog
from bot.sandbox.client import Person
from bot.sandbox.core import Sandbox
from tests.conftest import LANGS, ROOT, Desk, Harness, make_settings, running, until
from tests.test_consult import take_data
from tests.test_e2e import live_speaker, serving

HIDE = "🙈 Hide chat"
EMPTY = "The chat is empty. /start"


async def _talk(h: Harness, person: Person) -> None:
    """A few screens both ways: the menu, a topic, a question typed."""
    assert h.app is not None
    await person.send("/menu")
    await person.click_data(GuideCb(kind="top", id=next(iter(h.app.content.parents))).pack())
    await person.send("паспорт")


@pytest.mark.parametrize("lang", LANGS)
async def test_hide_empties_the_chat_it_may_and_keeps_the_persons_data(tmp_path: Path, lang: str) -> None:
    async with running(make_settings(tmp_path)) as h:
        assert h.app is not None
        person = h.person(lang)
        await person.send("/start")
        await person.click(LANGUAGE_NAMES[lang])
        await h.app.users.set_destination(person.id, "RU")
        old = [m.message_id for m in h.sandbox.chat_messages(person.id)]
        h.advance(hours=47)
        await _talk(h, person)
        recent = [m.message_id for m in h.sandbox.chat_messages(person.id) if m.message_id not in old]
        h.advance(hours=2)  # the first messages are now over 48 hours old: Telegram would refuse them
        await person.click(h.t(HIDE, lang))

        left = h.sandbox.chat_messages(person.id)
        assert [m.message_id for m in left if m.message_id in recent] == []  # both ways, the hide's own tap included
        assert [m.message_id for m in left if m.message_id in old] == old  # too old for a bot: still there
        assert left[-1].text == h.t(EMPTY, lang)  # the one line added
        user = await h.app.users.get(person.id)
        assert user is not None and (user.language, user.destination) == (lang, "RU")  # nothing of theirs lost
        await person.send("/start")
        assert person.last is not None and person.last.buttons and LANGUAGE_NAMES[lang] not in person.last.button_labels()


async def test_hide_is_beside_every_menu_button_and_works_as_a_command_in_a_flow(tmp_path: Path) -> None:
    async with running(make_settings(tmp_path)) as h:
        person = await h.speaker("ky")
        await person.send("/menu")
        assert person.last is not None and h.t(HIDE, "ky") in person.last.button_labels()  # the main menu
        await person.send("/contacts")
        assert h.t(HIDE, "ky") in person.last.button_labels()
        await person.send("/agency")  # in the middle of the agency check
        await person.send("/hide")
        assert [m.text for m in h.sandbox.chat_messages(person.id)] == [h.t(EMPTY, "ky")]


async def test_a_refused_deletion_is_not_a_failure_and_the_neutral_line_still_comes(tmp_path: Path) -> None:
    async with running(make_settings(tmp_path)) as h:
        assert h.app is not None
        person = await h.speaker("tg")
        await _talk(h, person)
        for _ in range(3):
            h.sandbox.inject_error("deleteMessage", 400, "Bad Request: message to delete not found")
        count = len(h.sandbox.chat_messages(person.id))
        await person.send("/hide")
        left = h.sandbox.chat_messages(person.id)
        assert len(left) == 3 + 1 and left[-1].text == h.t(EMPTY, "tg") and count > 4  # three refused, the rest gone
        assert await h.app.dp["hider"].trail.since(person.id, h.now().replace(year=2000)) == [left[-1].message_id]


async def test_forget_drops_the_trail_and_old_trail_is_pruned(tmp_path: Path) -> None:
    async with running(make_settings(tmp_path)) as h:
        assert h.app is not None
        trail = h.app.dp["hider"].trail
        person = await h.speaker("uz")
        await _talk(h, person)
        other = await h.speaker("ru")
        since = h.now().replace(year=2000)
        assert len(await trail.since(person.id, since)) >= 6 and await trail.since(other.id, since)
        await person.send("/forget")
        await person.click(h.t("Yes, delete everything", "uz"))
        assert await trail.since(person.id, since) == []  # the answer to /forget included
        h.advance(hours=49)
        assert await h.app.dp["hider"].prune() > 0 and await trail.since(other.id, since) == []


@pytest.mark.slow(8)
async def test_hide_in_a_running_bot(tmp_path: Path) -> None:
    sandbox = Sandbox()
    async with serving(tmp_path / "bot.sqlite3", sandbox) as bot:
        person = await live_speaker(sandbox, 9_800_001, "uz", "Hide")
        await person.send("/menu")
        await person.click("🙈")
        uzbek = read_catalog(po_path(ROOT / "locales", "uz"), "uz")
        assert [m.text for m in sandbox.chat_messages(person.id)] == [uzbek[EMPTY].string]
        code, output = await bot.stop()
    assert code == 0 and "Traceback" not in output, output[-2000:]


async def test_hide_keeps_what_waits_for_the_consultants_and_takes_their_copies(desk: Desk) -> None:
    """A photo sent while the case waits to be taken is copied to the consultant later: a hide meanwhile
    leaves it (never lost), and it reaches the consultant; the consultant's photo copied to the person
    is on the trail, and the next hide takes it."""
    h = desk.h
    migrant = await desk.migrant("ru")
    case_id = await desk.ask(migrant, "ru")
    await migrant.send_media("photo", caption="мой паспорт")
    photo = next(m for m in reversed(h.sandbox.chat_messages(migrant.id)) if not m.from_bot and m.kind == "photo")
    await migrant.send("/hide")
    assert not h.sandbox.messages[(migrant.id, photo.message_id)].deleted  # waits for the consultants: kept
    await desk.aida.click_data(take_data(case_id), desk.alert())
    await until(lambda: any(m.kind == "photo" and "мой паспорт" in (m.text or "") for m in h.sandbox.bot_messages(desk.aida.id)),
                "the photo reaches the consultant")
    await desk.aida.send_media("photo", caption="адрес центра")
    copied = migrant.last
    assert copied is not None and copied.kind == "photo"
    await migrant.send("/hide")
    assert h.sandbox.messages[(migrant.id, copied.message_id)].deleted
    assert h.sandbox.messages[(migrant.id, photo.message_id)].deleted  # copied by now: it goes too
