"""End to end: `python -m bot run` as a separate process against the sandbox's HTTP face."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.config import SANDBOX_TOKEN
from bot.sandbox.client import Person, queued_delivery
from bot.sandbox.core import Sandbox
from bot.sandbox.server import SandboxServer
from tests.conftest import ROOT

NAMES = {"ru": "Русский", "ky": "Кыргызча", "tg": "Тоҷикӣ", "uz": "Oʻzbekcha"}
MENU = {"ru": "Главное меню", "ky": "Башкы меню", "tg": "Менюи асосӣ", "uz": "Asosiy menyu"}
RUSSIA = {"ru": "Россия", "ky": "Россия", "tg": "Русия", "uz": "Rossiya"}


class BotProcess:
    def __init__(self, api_url: str, database: Path) -> None:
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "ADMIN_", "CONSULTANT_"))}
        self.env.update(BOT_TOKEN=SANDBOX_TOKEN, TELEGRAM_API_URL=api_url, DATABASE_PATH=str(database), LOG_LEVEL="INFO")
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        self.process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", cwd=ROOT, env=self.env,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
        )

    async def stop(self) -> tuple[int, str]:
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        output, _ = await asyncio.wait_for(self.process.communicate(), 30)
        return self.process.returncode, output.decode()


@pytest.fixture
async def live(tmp_path: Path) -> AsyncIterator[tuple[Sandbox, BotProcess]]:
    sandbox = Sandbox()
    server = SandboxServer(sandbox)
    url = await server.start()
    bot = BotProcess(url, tmp_path / "bot.sqlite3")
    await bot.start()
    try:
        yield sandbox, bot
    finally:
        if bot.process is not None and bot.process.returncode is None:
            bot.process.kill()
            await bot.process.wait()
        await server.stop()


async def test_four_languages_then_restart_keeps_language_and_state(live) -> None:
    sandbox, bot = live
    deliver = queued_delivery(sandbox)
    people = {}
    for number, lang in enumerate(NAMES):
        person = Person(sandbox, sandbox.add_user(9_000_000 + number, "Live", "en"), deliver)
        await person.send("/start")
        assert len(person.last.button_labels()) == 4
        await person.click(NAMES[lang])
        assert MENU[lang] in person.last.text, person.screen()
        people[lang] = person

    # the Kyrgyz person is half-way through the profile questions when the bot restarts
    kyrgyz = people["ky"]
    await kyrgyz.send("/profile")
    await kyrgyz.click("Кыргызстан")

    code, output = await bot.stop()
    assert code == 0, output
    assert "Traceback" not in output
    # the process published its commands in every language at start
    assert {lang for (_, lang) in sandbox.commands} >= set(NAMES)

    await bot.start()
    # the new process knows where the Kyrgyz person stopped: typed text gets the same question again
    await kyrgyz.send("Бишкек")
    assert "Баскычтардын бирин басыңыз." in kyrgyz.last.text, kyrgyz.screen()
    await kyrgyz.click(RUSSIA["ky"])
    assert "Жарандык: Кыргызстан\nИштей турган өлкө: Россия" in kyrgyz.last.text, kyrgyz.screen()
    # and every person's language survived
    for lang, person in people.items():
        await person.send("/menu")
        assert person.last.text.startswith(MENU[lang]), person.screen()
    code, output = await bot.stop()
    assert code == 0, output
    # no message text in the logs
    assert "Бишкек" not in output and "/profile" not in output
