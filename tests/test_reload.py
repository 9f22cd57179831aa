"""The content read again without a restart: a change is seen by the next update, broken content is
refused whole (the bot goes on with what it had), and nothing keeps the old content."""

from __future__ import annotations

import gc
import json
import shutil
import signal
import sys
import types
from pathlib import Path

import pytest

from bot.content.catalogs import LANGUAGE_NAMES
from bot.sandbox.client import Person, queued_delivery
from bot.sandbox.core import Sandbox
from bot.telegram.reload import reload_content
from tests.conftest import LANGS, ROOT, SHARED, engines, make_settings, running
from tests.test_e2e import NAMES, live_speaker, serving


async def test_changed_content_is_seen_broken_content_is_refused_and_nothing_keeps_the_old(tmp_path: Path) -> None:
    folder = tmp_path / "content"
    shutil.copytree(ROOT / "content", folder)
    async with running(make_settings(tmp_path, content_dir=folder)) as h:
        assert h.app is not None
        app = h.app
        person = await h.speaker("ru")
        await person.send("/menu")
        old = app.content

        same = await reload_content(app)
        assert not same.changed and not same.refused and app.content is old

        page = next(folder.glob("ru/*.yaml"))
        good = page.read_text(encoding="utf-8")
        page.write_text("{ broken: [yaml\n", encoding="utf-8")
        refused = await reload_content(app)
        assert refused.refused and page.name in refused.problems and app.content is old  # nothing changed
        await person.send("/menu")  # and the bot goes on
        assert person.last is not None and person.last.buttons

        page.write_text(good + "\n", encoding="utf-8")
        done = await reload_content(app)
        assert done.changed and app.content is not old
        fresh = app.content
        assert app.dp["content"] is fresh and app.dp["search"].content is fresh
        for holder in (app.checklists, app.desk, app.reminders, app.digest):
            assert holder.content is fresh, holder
        # nothing of the running bot reaches the old content (what would keep showing an old phone number);
        # only the process's bounded caches of what was read may still hold it, unused
        assert not _reaches(app, old)
        await person.send("/menu")
        assert person.last is not None and person.last.buttons


ADMIN = 7_100_001
NOTHING = "The content files have not changed: nothing to reload."
REFUSED = "⛔ Content not reloaded: the files have errors. The bot goes on with the content it had."
DONE = "✅ Content reloaded: topics, country guides, contacts and checklists are the new ones now."
OTHERS = "The other instances of the bot take it within a few seconds."


@pytest.mark.parametrize("lang", LANGS)
async def test_an_admin_reloads_the_content_with_a_command_and_is_told_what_happened(tmp_path: Path, lang: str) -> None:
    """/reload through the Dispatcher, in the admin's language: nothing changed, refused with the file
    and the error named (the bot goes on), then taken; in the admin's menu and /admin; not for others."""
    folder = tmp_path / "content"
    shutil.copytree(ROOT / "content", folder)
    async with running(make_settings(tmp_path, content_dir=folder, admin_ids=frozenset({ADMIN}))) as h:
        assert h.app is not None
        app = h.app
        admin = h.person(lang, user_id=ADMIN)
        await admin.send("/start")
        await admin.click(LANGUAGE_NAMES[lang])
        await admin.send("/admin")
        assert "/reload — " + h.t("read the content files again, after checking them", lang) in admin.screen()
        menu = h.sandbox.commands[json.dumps({"chat_id": ADMIN, "type": "chat"}, sort_keys=True), ""]
        assert {"command": "reload", "description": h.t("Read the content files again", lang)} in menu
        old = app.content

        await admin.send("/reload")
        assert admin.screen() == h.t(NOTHING, lang) and app.content is old

        page = folder / lang / "contacts.yaml"
        good = page.read_text(encoding="utf-8")
        page.write_text("{ broken: [yaml\n", encoding="utf-8")
        await admin.send("/reload")
        assert h.t(REFUSED, lang) in admin.screen() and "contacts.yaml" in admin.screen()
        assert app.content is old
        await admin.send("/menu")  # and the bot goes on
        assert admin.last is not None and admin.last.buttons

        stranger = await h.speaker(lang)
        page.write_text(good + "\n", encoding="utf-8")
        await stranger.send("/reload")  # not an admin: not a reload, and not silence
        assert app.content is old and stranger.last is not None and h.t(DONE, lang) not in stranger.screen()

        await admin.send("/reload")
        assert admin.screen().startswith(h.t(DONE, lang)) and h.t(OTHERS, lang) not in admin.screen()  # alone
        assert app.content is not old and app.dp["content"] is app.content


async def test_a_reload_that_is_under_way_is_not_started_twice(tmp_path: Path) -> None:
    async with running(make_settings(tmp_path, admin_ids=frozenset({ADMIN}))) as h:
        assert h.app is not None
        admin = h.person("ru", user_id=ADMIN)
        await admin.send("/start")
        await admin.click(LANGUAGE_NAMES["ru"])
        async with h.app.reloader.lock:  # a reload at work (SIGHUP's, or another admin's)
            await admin.send("/reload")
        assert admin.screen() == h.t("A reload is already under way. Wait a few seconds.", "ru")


@pytest.mark.skipif(SHARED not in engines(), reason="needs TEST_DATABASE_URL and TEST_REDIS_URL")
@pytest.mark.parametrize("engine", [SHARED], indirect=True)
async def test_a_reload_on_one_instance_is_followed_by_the_others_but_not_a_start(tmp_path: Path, engine: str) -> None:
    """Two instances on one PostgreSQL and Redis and one content folder: an admin's /reload reaches one;
    the other reads the content again at its next heartbeat's check, once; a restart reads no signal."""
    folder = tmp_path / "content"
    shutil.copytree(ROOT / "content", folder)
    first = make_settings(tmp_path, content_dir=folder, admin_ids=frozenset({ADMIN}), instance_name="a")
    second = first.model_copy(update={"instance_name": "b"})
    async with running(first) as a, running(second) as b:
        assert a.app is not None and b.app is not None
        assert await b.app.reloader.follow() is None  # nothing asked yet
        admin = a.person("ru", user_id=ADMIN)
        await admin.send("/start")
        await admin.click(LANGUAGE_NAMES["ru"])
        page = folder / "ru" / "contacts.yaml"
        page.write_text(page.read_text(encoding="utf-8") + "\n", encoding="utf-8")
        old = b.app.content
        await admin.send("/reload")
        assert admin.screen().startswith(a.t(DONE, "ru")) and a.t(OTHERS, "ru") in admin.screen()
        assert b.app.content is old
        assert await a.app.reloader.follow() is None  # its own signal: done already
        followed = await b.app.reloader.follow()
        assert followed is not None and followed.changed and b.app.content is not old
        assert await b.app.reloader.follow() is None  # once
        restarted = await b.restart()
        assert await restarted.reloader.follow() is None  # the signal found at start is only noted


def _reaches(root: object, target: object) -> bool:
    """Whether `target` can be reached from `root` through its attributes, containers and closures (not
    through modules or classes: their caches are the process's, not the bot's)."""
    modules = {id(vars(module)) for module in list(sys.modules.values()) if module is not None}
    seen: set[int] = set()
    stack = [root]
    while stack:
        obj = stack.pop()
        if obj is target:
            return True
        if id(obj) in seen or isinstance(obj, (type, types.ModuleType)) or id(obj) in modules:
            continue
        seen.add(id(obj))
        stack.extend(gc.get_referents(obj))
    return False


@pytest.mark.slow(8)
async def test_sighup_reloads_a_running_bots_content_and_refuses_broken_content(tmp_path: Path) -> None:
    """`run` as a process: SIGHUP with a broken file changes nothing (the bot answers as before); SIGHUP
    with a group's title changed shows the new title to the next person who opens the guide."""
    folder = tmp_path / "content"
    shutil.copytree(ROOT / "content", folder)
    topics = folder / "ru" / "groups.yaml"
    good = topics.read_text(encoding="utf-8")
    assert good.count('trouble: "🆘 Если случилась беда"\n') == 1
    sandbox = Sandbox()
    async with serving(tmp_path / "bot.sqlite3", sandbox, CONTENT_DIR=str(folder), ADMIN_IDS=str(ADMIN)) as bot:
        assert bot.process is not None
        person = Person(sandbox, sandbox.add_user(9_900_001, "Reload", "ru"), queued_delivery(sandbox))
        await person.send("/start")
        await person.click(NAMES["ru"])
        await person.send("/guide")
        assert "Если случилась беда" in person.screen() and "(новое)" not in person.screen()

        topics.write_text("{ broken: [yaml\n", encoding="utf-8")
        bot.process.send_signal(signal.SIGHUP)
        await person.send("/guide")  # refused or not yet read: the bot answers as before, either way
        assert "Если случилась беда" in person.screen() and "(новое)" not in person.screen()
        topics.write_text(good.replace('trouble: "🆘 Если случилась беда"', 'trouble: "🆘 Если случилась беда (новое)"'),
                          encoding="utf-8")
        for _ in range(50):  # a SIGHUP is handled at once; each /guide waits for its answer
            await person.send("/guide")
            if "(новое)" in person.screen():
                break
            bot.process.send_signal(signal.SIGHUP)
        assert "(новое)" in person.screen()
        # an admin's /reload, in Kyrgyz: the title changed again is shown at once after the answer
        admin = await live_speaker(sandbox, ADMIN, "ky", "Admin", timeout=15)
        topics.write_text(good.replace('trouble: "🆘 Если случилась беда"', 'trouble: "🆘 Если случилась беда (ещё новее)"'),
                          encoding="utf-8")
        await admin.send("/reload")
        assert admin.screen().startswith("✅ Контент кайра жүктөлдү"), admin.screen()
        await person.send("/guide")
        assert "(ещё новее)" in person.screen()
        code, output = await bot.stop()
    assert code == 0, output[-2000:]
    assert "content reloaded from" in output and "Traceback" not in output
