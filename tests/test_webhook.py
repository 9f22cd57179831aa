"""Webhook mode end to end: `python -m bot run --webhook` as a process, the sandbox posting updates to it as
Telegram does (its secret token in the header, again until it gets a 2xx)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import signal
import socket
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from bot.sandbox.client import Person, queued_delivery
from bot.sandbox.core import Sandbox
from bot.sandbox.server import SandboxServer
from bot.sandbox.webhook import SECRET_HEADER
from tests.conftest import until
from tests.test_e2e import MENU, NAMES, BotProcess

PUBLIC = "https://bot.example.org"
SECRET = "a-secret-of-thirty-two-characters_x"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Hooked:
    def __init__(self, sandbox: Sandbox, bot: BotProcess, local: str, database: Path) -> None:
        self.sandbox, self.bot, self.local, self.database = sandbox, bot, local, database

    async def post(self, update: dict, secret: str | None = SECRET) -> int:
        """A post straight to the bot's server (what Telegram, or someone else, might send)."""
        headers = {SECRET_HEADER: secret} if secret is not None else {}
        async with aiohttp.ClientSession() as http, http.post(f"{self.local}/telegram", json=update, headers=headers) as response:
            return response.status

    def inbox_ids(self) -> set[int]:
        with contextlib.closing(sqlite3.connect(self.database)) as db:
            return {row[0] for row in db.execute("SELECT update_id FROM inbox")}


@contextlib.asynccontextmanager
async def hooked(tmp_path: Path, sandbox: Sandbox) -> AsyncIterator[Hooked]:
    server = SandboxServer(sandbox)
    api = await server.start()
    port = free_port()
    local = f"http://127.0.0.1:{port}"
    sandbox.route_webhook(PUBLIC, local)  # as DNS and the reverse proxy take Telegram's posts to the bot
    database = tmp_path / "bot.sqlite3"
    bot = BotProcess(api, database, "--webhook")
    bot.env.update(WEBHOOK_URL=f"{PUBLIC}/telegram", WEBHOOK_SECRET=SECRET, WEBHOOK_LISTEN=f"127.0.0.1:{port}")
    await bot.start()
    try:
        await until(lambda: sandbox.webhook is not None, "set its webhook", timeout=30)
        yield Hooked(sandbox, bot, local, database)
    finally:
        if bot.process is not None and bot.process.returncode is None:
            bot.process.kill()
            await bot.process.wait()
        await server.stop()


@pytest.mark.slow(6)
async def test_updates_come_by_webhook_in_four_languages_and_stop_is_graceful(tmp_path: Path) -> None:
    sandbox = Sandbox()
    async with hooked(tmp_path, sandbox) as hook:
        assert sandbox.webhook == {"url": f"{PUBLIC}/telegram", "secret_token": SECRET, "max_connections": 16,
                                   "allowed_updates": ["message", "edited_message", "callback_query", "my_chat_member",
                                                       "inline_query"]}  # inline: new (issue 24)
        deliver = queued_delivery(sandbox)
        for number, lang in enumerate(NAMES):
            person = Person(sandbox, sandbox.add_user(9_300_000 + number, "Hook", lang), deliver)
            await person.send("/start")
            await person.click(NAMES[lang])
            assert MENU[lang] in (person.last.text or ""), person.screen()
        assert not sandbox.updates and sandbox.webhook_error is None  # every post answered 200
        code, output = await hook.bot.stop()
        assert code == 0, output
        assert "Traceback" not in output and "webhook set" in output and "stopped" in output


@pytest.mark.slow(6)
async def test_the_secret_is_checked_and_a_repeated_update_is_handled_once(tmp_path: Path) -> None:
    sandbox = Sandbox()
    async with hooked(tmp_path, sandbox) as hook:
        person = sandbox.add_user(9_300_101, "Hook", "ru")
        forged = sandbox.user_message(person.id, "/help")
        assert await hook.post(forged, secret=None) == 401
        assert await hook.post(forged, secret="wrong-secret-wrong-secret") == 401
        assert sandbox.bot_messages(person.id) == [] and forged["update_id"] not in hook.inbox_ids()
        update = sandbox.user_message(person.id, "/start")
        assert await hook.post(update) == 200
        assert update["update_id"] in hook.inbox_ids()  # written before the 200
        assert await hook.post(update) == 200  # Telegram sending it again
        await until(lambda: hook.bot.settled(update["update_id"]), "finish the update")
        assert len(sandbox.bot_messages(person.id)) == 1  # answered once
        assert forged["update_id"] not in hook.inbox_ids()  # the refused posts were never read, then or since
        async with aiohttp.ClientSession() as http, http.post(f"{hook.local}/telegram", data=b"{not json",
                                                               headers={SECRET_HEADER: SECRET}) as response:
            assert response.status == 400


@pytest.mark.slow(10)
async def test_an_update_taken_then_killed_is_answered_after_the_restart(tmp_path: Path) -> None:
    """Telegram got its 200, then the process died before answering: the update is in the inbox and the
    next start answers it (Telegram will never send it again)."""
    sandbox = Sandbox()
    async with hooked(tmp_path, sandbox) as hook:
        person = Person(sandbox, sandbox.add_user(9_300_201, "Hook", "ky"), queued_delivery(sandbox))
        reached = sandbox.hold("sendMessage")  # the answer hangs: the bot is mid-update
        update = sandbox.user_message(person.id, "/start")
        sandbox.enqueue(update)
        await asyncio.wait_for(reached.wait(), 20)
        assert not sandbox.updates  # Telegram considers it delivered
        assert hook.bot.process is not None
        hook.bot.process.send_signal(signal.SIGKILL)
        await hook.bot.process.wait()
        await hook.bot.start()
        await until(lambda: len(sandbox.bot_messages(person.id)) == 1, "answer the update after the restart", timeout=30)
        assert "Кыргызча" in json.dumps(sandbox.bot_messages(person.id)[0].reply_markup, ensure_ascii=False)


@pytest.mark.parametrize(("env", "said"), [
    ({}, "WEBHOOK_URL: not set"),
    ({"WEBHOOK_URL": "http://bot.example.org/t", "WEBHOOK_SECRET": SECRET}, "WEBHOOK_URL: must be an https:// URL"),
    ({"WEBHOOK_URL": f"{PUBLIC}/t", "WEBHOOK_SECRET": "short"}, "WEBHOOK_SECRET: 16 to 256 characters"),
])
async def test_webhook_configuration_is_checked_before_anything_starts(tmp_path: Path, env: dict[str, str], said: str) -> None:
    bot = BotProcess("http://127.0.0.1:9", tmp_path / "bot.sqlite3", "--webhook")
    bot.env.update(env)
    await bot.start()
    assert bot.process is not None and bot.process.stdout is not None
    output = (await asyncio.wait_for(bot.process.stdout.read(), 30)).decode()
    assert await bot.process.wait() == 2
    assert said in output, output
    assert not (tmp_path / "bot.sqlite3").exists()
