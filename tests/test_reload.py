"""The content read again without a restart: a change is seen by the next update, broken content is
refused whole (the bot goes on with what it had), and nothing keeps the old content."""

from __future__ import annotations

import gc
import shutil
import signal
import sys
import types
from pathlib import Path

import pytest

from bot.sandbox.client import Person, queued_delivery
from bot.sandbox.core import Sandbox
from bot.telegram.reload import reload_content
from tests.conftest import ROOT, make_settings, running
from tests.test_e2e import NAMES, serving


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
    async with serving(tmp_path / "bot.sqlite3", sandbox, CONTENT_DIR=str(folder)) as bot:
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
        code, output = await bot.stop()
    assert code == 0, output[-2000:]
    assert "content reloaded from" in output and "Traceback" not in output
