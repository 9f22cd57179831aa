"""End to end: `python -m bot run` as a separate process against the sandbox's HTTP face."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sqlite3
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from bot.config import SANDBOX_TOKEN
from bot.i18n import LANGUAGE_NAMES
from bot.sandbox.client import Person, queued_delivery
from bot.sandbox.core import Sandbox, SandboxMessage
from bot.sandbox.server import SandboxServer
from tests.conftest import ROOT, until

NAMES = {"ru": "Русский", "ky": "Кыргызча", "tg": "Тоҷикӣ", "uz": "Oʻzbekcha"}
MENU = {"ru": "Главное меню", "ky": "Башкы меню", "tg": "Менюи асосӣ", "uz": "Asosiy menyu"}
RUSSIA = {"ru": "Россия", "ky": "Россия", "tg": "Русия", "uz": "Rossiya"}


class BotProcess:
    def __init__(self, api_url: str, database: Path, *args: str) -> None:
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "ADMIN_", "CONSULTANT_", "WEBHOOK_"))}
        self.env.update(BOT_TOKEN=SANDBOX_TOKEN, TELEGRAM_API_URL=api_url, DATABASE_PATH=str(database), LOG_LEVEL="INFO")
        self.database = database
        self.args = args  # after `run`: --webhook
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        self.process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", *self.args, cwd=ROOT, env=self.env,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
        )

    def settled(self, *update_ids: int) -> bool:
        """The bot has finished: these updates (or every update it received) are marked handled, and its
        outbox is empty. Nothing more can come of them: what an update sends goes out before its mark, or
        through the outbox. (What the tests wait for, instead of a pause.)"""
        if not self.database.exists():
            return False
        with contextlib.closing(sqlite3.connect(f"file:{self.database}?mode=ro", uri=True, timeout=1)) as db:
            try:
                if update_ids:
                    marks = [row[0] for row in db.execute(
                        f"SELECT handled_at FROM inbox WHERE update_id IN ({','.join('?' * len(update_ids))})", update_ids)]
                    handled = len(marks) == len(update_ids) and all(mark is not None for mark in marks)
                else:
                    handled = db.execute("SELECT COUNT(*) FROM inbox WHERE handled_at IS NULL").fetchone()[0] == 0
                return handled and db.execute("SELECT COUNT(*) FROM outbox").fetchone()[0] == 0
            except sqlite3.OperationalError:  # not made yet, or busy this instant: not settled
                return False

    async def stop(self) -> tuple[int, str]:
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        output, _ = await asyncio.wait_for(self.process.communicate(), 30)
        return self.process.returncode, output.decode()


@contextlib.asynccontextmanager
async def serving(database: Path, sandbox: Sandbox, **env: str) -> AsyncIterator[BotProcess]:
    """The sandbox's HTTP face, and `python -m bot run` against it (with `env` added)."""
    server = SandboxServer(sandbox)
    url = await server.start()
    bot = BotProcess(url, database)
    bot.env.update(env)
    await bot.start()
    await _started(sandbox, bot)
    try:
        yield bot
    finally:
        if bot.process is not None and bot.process.returncode is None:
            bot.process.kill()
            await bot.process.wait()
        await server.stop()


async def _started(sandbox: Sandbox, bot: BotProcess, timeout: float = 60.0) -> None:
    """Until the process asks Telegram for updates (or sets its webhook), or exits: its start (imports,
    migrations) can take long on a busy machine, and a test's first message must not time out on it."""
    assert bot.process is not None
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline and bot.process.returncode is None:
        if any(name in ("getUpdates", "setWebhook") for name, _args in sandbox.requests):
            return
        await asyncio.sleep(0.05)


async def live_speaker(sandbox: Sandbox, user_id: int, lang: str, name: str = "Live", timeout: float = 30.0) -> Person:
    """A person talking to a bot that runs as a process, who has chosen `lang` at /start."""
    person = Person(sandbox, sandbox.add_user(user_id, name, lang), queued_delivery(sandbox, timeout=timeout))
    await person.send("/start")
    await person.click(NAMES[lang])
    return person


@pytest.fixture
async def live(tmp_path: Path) -> AsyncIterator[tuple[Sandbox, BotProcess]]:
    sandbox = Sandbox()
    async with serving(tmp_path / "bot.sqlite3", sandbox) as bot:
        yield sandbox, bot


@pytest.mark.slow(15)
async def test_four_languages_then_restart_keeps_language_and_state(live) -> None:
    sandbox, bot = live
    deliver = queued_delivery(sandbox)
    people = {}
    for number, lang in enumerate(NAMES):
        person = Person(sandbox, sandbox.add_user(9_000_000 + number, "Live", "en"), deliver)
        await person.send("/start")
        assert len(person.last.button_labels()) == 5  # the four, and Uzbek in Cyrillic (issue 24)
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


GROUP = -1001000000001


@pytest.fixture
async def live_desk(tmp_path: Path) -> AsyncIterator[tuple[Sandbox, BotProcess]]:
    sandbox = Sandbox()
    sandbox.add_group(GROUP, "Consultants")
    async with serving(tmp_path / "bot.sqlite3", sandbox, CONSULTANT_CHAT_ID=str(GROUP), NGO_NAME="Safe Road") as bot:
        yield sandbox, bot


def _alerts(sandbox: Sandbox) -> list[SandboxMessage]:
    return [m for m in sandbox.bot_messages(GROUP) if m.buttons]


def _consultant_sees(sandbox: Sandbox, consultant: Person, text: str) -> Callable[[], bool]:
    return lambda: any(text in (m.text or "") for m in sandbox.bot_messages(consultant.id))


async def _one_case(sandbox: Sandbox, bot: BotProcess, consultant: Person, person: Person, lang: str) -> None:
    await person.send("/start")
    await person.click(NAMES[lang])
    await person.send("/consult")
    await person.click(person.last.button_labels()[0])  # ✅ I agree, connect me
    await person.send(f"help {lang}")  # what happened
    before = len(_alerts(sandbox))
    await person.click(LANGUAGE_NAMES[lang])
    await until(lambda: len(_alerts(sandbox)) > before, "alert the group")
    alert = _alerts(sandbox)[-1]
    assert f"help {lang}" not in (alert.text or "")  # the alert never shows what the person wrote
    await consultant.click("✋", alert)
    await until(_consultant_sees(sandbox, consultant, f"help {lang}"), "give the consultant the case summary")
    summary = next(m for m in sandbox.bot_messages(consultant.id) if f"help {lang}" in (m.text or ""))
    await consultant.reply(summary, f"salom {lang}")  # holding several cases: a Reply says which
    await until(lambda: (person.messages[-1].text or "").endswith(f"salom {lang}"), "relay the consultant's reply")
    assert "Safe Road" in (person.messages[-1].text or "")  # signed by the NGO, never the consultant's account
    answered_in_chat = person.deliver
    person.deliver = any_answer(sandbox, bot)  # a message to the consultant is answered in the consultant's chat
    await person.send(f"thanks {lang}")
    await until(_consultant_sees(sandbox, consultant, f"thanks {lang}"), "relay the person's message")
    person.deliver = answered_in_chat


@pytest.mark.slow(18)
async def test_a_case_from_asking_to_forgetting_in_four_languages(live_desk) -> None:
    """The process: four people ask for a consultant in their languages; the consultant takes each case
    from the group's alert, the two talk through the bot, and /forget closes a case with the consultant told."""
    sandbox, bot = live_desk
    consultant = Person(sandbox, sandbox.add_user(8_000_001, "Aida", "ru"), queued_delivery(sandbox))
    sandbox.groups[GROUP]["members"].add(consultant.id)
    await consultant.send("/start")
    await consultant.click(NAMES["ru"])
    consultant.deliver = any_answer(sandbox, bot)  # what a consultant writes is answered in the person's chat
    people = {}
    for number, lang in enumerate(NAMES):
        people[lang] = Person(sandbox, sandbox.add_user(9_100_000 + number, "Live", lang), queued_delivery(sandbox))
        await _one_case(sandbox, bot, consultant, people[lang], lang)
    told = len(sandbox.bot_messages(consultant.id))
    await people["tg"].send("/forget")
    await people["tg"].click(people["tg"].last.button_labels()[0])  # yes, delete everything
    await until(lambda: len(sandbox.bot_messages(consultant.id)) > told, "tell the consultant")
    # case No. 3 was the Tajik person's; the desk speaks the default language (ru)
    notice = "Обращение №3: человек удалил свои данные."
    assert any((m.text or "").startswith(notice) for m in sandbox.bot_messages(consultant.id)[told:]), sandbox.bot_messages(consultant.id)[-1].text
    code, output = await bot.stop()
    assert code == 0, output
    assert "Traceback" not in output
    assert not any(f"help {lang}" in output or f"thanks {lang}" in output for lang in NAMES)  # no message text in logs


def any_answer(sandbox: Sandbox, bot: BotProcess, timeout: float = 15.0) -> Callable[[dict[str, Any]], Awaitable[None]]:
    """Deliver through getUpdates and wait until the bot has done anything at all (in any chat), and has
    finished the update."""

    async def deliver(update: dict[str, Any]) -> None:
        mark = len(sandbox.events)
        sandbox.enqueue(update)
        await until(lambda: len(sandbox.events) > mark, f"answer update {update['update_id']}: {str(update)[:300]}", timeout)
        await until(lambda: bot.settled(update["update_id"]), f"finish update {update['update_id']}", timeout)

    return deliver


@pytest.fixture
async def live_forum(tmp_path: Path) -> AsyncIterator[tuple[Sandbox, BotProcess]]:
    sandbox = Sandbox()
    sandbox.add_group(GROUP, "Consultants", forum=True)
    async with serving(tmp_path / "bot.sqlite3", sandbox, CONSULTANT_CHAT_ID=str(GROUP), NGO_NAME="Safe Road") as bot:
        yield sandbox, bot


PACED = 90.0  # Telegram takes 20 posts a minute into one group: four cases at once wait their turn


def _topic_of(sandbox: Sandbox, number: int) -> int | None:
    return next((t for t, topic in sandbox.topics(GROUP).items() if f"№{number} " in topic["name"]), None)


@pytest.mark.slow(20)
async def test_a_forum_group_gives_each_case_its_topic_in_four_languages(live_forum) -> None:
    """The process with a forum group: each person's case gets its topic; the consultant takes it from the
    pinned board, writes in the topic without Reply, the person's answer comes back into the topic; what is
    written in General reaches no one; /close in the topic closes it."""
    sandbox, bot = live_forum
    consultant = Person(sandbox, sandbox.add_user(8_000_002, "Aida", "ru"), any_answer(sandbox, bot, PACED))
    sandbox.groups[GROUP]["members"].add(consultant.id)
    for number, lang in enumerate(NAMES, 1):
        person = Person(sandbox, sandbox.add_user(9_200_000 + number, "Live", lang), queued_delivery(sandbox))
        await _forum_case(sandbox, bot, consultant, person, number, lang)
    code, output = await bot.stop()
    assert code == 0, output
    assert "Traceback" not in output
    assert not any(w in output for lang in NAMES for w in (f"help {lang}", f"salom {lang}", f"thanks {lang}", f"general {lang}"))


async def _forum_case(sandbox: Sandbox, bot: BotProcess, consultant: Person, person: Person, number: int, lang: str) -> None:
    await person.send("/start")
    await person.click(NAMES[lang])
    await person.send("/consult")
    await person.click(person.last.button_labels()[0])  # ✅ I agree, connect me
    await person.send(f"help {lang}")
    person.deliver = any_answer(sandbox, bot, PACED)
    await person.click(LANGUAGE_NAMES[lang])
    await until(lambda: _topic_of(sandbox, number) is not None and sandbox.groups[GROUP]["pinned"] is not None, "make the topic", PACED)
    thread = _topic_of(sandbox, number)
    assert thread is not None
    board = sandbox.messages[(GROUP, sandbox.groups[GROUP]["pinned"])]
    await until(lambda: any(f"take:{number}" == b.get("callback_data") for row in board.buttons for b in row), "list it on the board", PACED)
    await consultant.click_data(f"take:{number}", board)
    topic = lambda: sandbox.thread_messages(GROUP, thread)
    await until(lambda: any(f"help {lang}" in (m.text or "") for m in topic()), "bring the summary into the topic", PACED)
    await consultant.send_in(GROUP, f"salom {lang}", thread_id=thread)
    await until(lambda: (person.messages[-1].text or "").endswith(f"salom {lang}"), "relay what was written in the topic", PACED)
    consultant.deliver = confirmed(sandbox, bot)  # nothing answers a message in General
    await consultant.send_in(GROUP, f"general {lang}")  # General: nobody's case
    consultant.deliver = any_answer(sandbox, bot, PACED)
    await person.send(f"thanks {lang}")
    await until(lambda: any((m.text or "").endswith(f"thanks {lang}") for m in topic()), "relay into the topic", PACED)
    assert not any(f"general {lang}" in (m.text or "") for m in person.messages)
    await consultant.send_in(GROUP, "/close", thread_id=thread)
    await until(lambda: any(m.buttons for m in topic()[-1:]), "ask the outcome", PACED)
    question = topic()[-1]
    await consultant.click(question.button_labels()[0], question)
    await until(lambda: bool(sandbox.topic(GROUP, thread)["closed"]), "close the topic", PACED)


def confirmed(sandbox: Sandbox, bot: BotProcess, timeout: float = 15.0) -> Callable[[dict[str, Any]], Awaitable[None]]:
    """Deliver through getUpdates and wait until the bot has finished the update, for an update that must
    change nothing anyone sees."""

    async def deliver(update: dict[str, Any]) -> None:
        sandbox.enqueue(update)
        await until(lambda: bot.settled(update["update_id"]), f"finish update {update['update_id']}", timeout)

    return deliver
