"""Nothing lost, nothing twice: `python -m bot run` is killed with SIGKILL again and again during a burst.

The bot runs as a process against the sandbox's HTTP face. A thousand and more updates wait in
Telegram's queue; the process is killed at random moments while it works through them, and started
again each time. At the end every update has been answered exactly once, every case alerted once,
every message to a consultant delivered once, and the database passes SQLite's integrity check.
The figures are printed (`pytest -s`), and the README's "Nothing lost" section quotes them.
"""

from __future__ import annotations

import asyncio
import random
import re
import signal
import sqlite3
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.callbacks import TakeCb
from bot.i18n import LANGUAGE_NAMES
from bot.sandbox.client import Person, queued_delivery
from bot.sandbox.core import Limits, Sandbox, SandboxMessage
from tests.conftest import until
from tests.test_e2e import GROUP, BotProcess

MENU = {"ru": "Главное меню", "ky": "Башкы меню", "tg": "Менюи асосӣ", "uz": "Asosiy menyu"}
LANGS = tuple(MENU)


@dataclass
class Figures:
    updates: int = 0
    kills: int = 0
    lost: int = 0
    twice: int = 0
    cases: int = 0
    alerts_twice: int = 0
    alerts_missing: int = 0
    relays: int = 0
    relays_lost: int = 0
    relays_twice: int = 0
    made_again: int = 0  # sends the bot logged as cut off by a kill and made again
    integrity: str = ""
    seconds: float = 0.0  # from the burst queued to the last person answered

    def __str__(self) -> str:
        return (
            f"{self.updates} updates, {self.kills} kills (SIGKILL): {self.lost} never answered, {self.twice} answered "
            f"twice; {self.cases} cases: {self.alerts_missing} not alerted, {self.alerts_twice} alerted twice; "
            f"{self.relays} messages to consultants: {self.relays_lost} lost, {self.relays_twice} twice; "
            f"sends cut off by a kill and made again: {self.made_again}; integrity_check: {self.integrity}; "
            f"the burst took {self.seconds:.1f} s"
        )


def _menus(sandbox: Sandbox, person_id: int, lang: str) -> int:
    return sum(1 for m in sandbox.bot_messages(person_id) if (m.text or "").startswith(MENU[lang]))


def _alert_case(message: SandboxMessage) -> int | None:
    for row in message.buttons:
        for button in row:
            data = button.get("callback_data") or ""
            if data.startswith(TakeCb.__prefix__ + ":"):
                return TakeCb.unpack(data).case
    return None


async def _quiet(sandbox: Sandbox, bot: BotProcess) -> None:
    """Wait until the bot has taken every queued update and finished it, its outbox empty."""
    await until(lambda: not sandbox.updates, "take the queued updates", timeout=120)
    await until(bot.settled, "finish every update", timeout=120)


def _button(message: SandboxMessage, label: str | None = None) -> str:
    """The data of the button with this label (or of the first button)."""
    for row in message.buttons:
        for button in row:
            if label is None or button["text"] == label:
                return str(button["callback_data"])
    raise AssertionError(f"no button {label!r} on {message.text!r}")


async def _step(sandbox: Sandbox, bot: BotProcess, people: list[Person], act) -> None:  # type: ignore[no-untyped-def]
    """Everyone does `act` at once (each person's update in one queue), then the bot settles."""
    for n, person in enumerate(people):
        sandbox.enqueue(act(n, person))
    await _quiet(sandbox, bot)


async def _prepare(sandbox: Sandbox, bot: BotProcess, people: list[Person], askers: list[Person], talkers: list[Person],
                   consultant: Person) -> None:
    """Before the burst, with the bot running normally: everyone has chosen a language; the askers are at the
    last step of asking for a consultant; the talkers' cases are taken, so what they write goes to the consultant."""
    everyone = [*people, *askers, *talkers, consultant]
    await _step(sandbox, bot, everyone, lambda n, p: sandbox.user_message(p.id, "/start"))
    await _step(sandbox, bot, everyone, lambda n, p: sandbox.user_click(p.id, p.last, _button(p.last, LANGUAGE_NAMES[LANGS[n % 4]])))
    asking = [*askers, *talkers]
    await _step(sandbox, bot, asking, lambda n, p: sandbox.user_message(p.id, "/consult"))
    await _step(sandbox, bot, asking, lambda n, p: sandbox.user_click(p.id, p.last, _button(p.last)))  # I agree
    await _step(sandbox, bot, asking, lambda n, p: sandbox.user_click(p.id, p.last, _button(p.last)))  # skip the description
    for person in talkers:
        before = len(sandbox.bot_messages(GROUP))
        sandbox.enqueue(sandbox.user_click(person.id, person.last, _button(person.last)))  # the language: the case opens
        await until(lambda before=before: len(sandbox.bot_messages(GROUP)) > before, "alert the group")
        alert = sandbox.bot_messages(GROUP)[-1]
        case = _alert_case(alert)
        sandbox.enqueue(sandbox.user_click(consultant.id, alert, TakeCb(case=case or 0).pack()))
        summary = f"№{case}"
        await until(lambda summary=summary: any(summary in (m.text or "") for m in sandbox.bot_messages(consultant.id)),
                     "give the summary")


async def crash_burst(tmp_path: Path, *, people: int, per_person: int, kills: int, seed: int, **env: str) -> Figures:
    from bot.sandbox.server import SandboxServer

    chance = random.Random(seed)
    sandbox = Sandbox(limits=Limits.off())  # flood limits are tested elsewhere; here, the work goes as fast as it can
    sandbox.add_group(GROUP, "Consultants")
    deliver = queued_delivery(sandbox)
    consultant = Person(sandbox, sandbox.add_user(8_000_001, "Aida", "ru"), deliver)
    sandbox.groups[GROUP]["members"].add(consultant.id)
    crowd = [Person(sandbox, sandbox.add_user(7_000_000 + n, "P", LANGS[n % 4]), deliver) for n in range(people)]
    # five of each: with their alerts and the edits of the taken ones, the group stays under its 20 posts a minute
    askers = [Person(sandbox, sandbox.add_user(7_500_000 + n, "A", "ru"), deliver) for n in range(5)]
    talkers = [Person(sandbox, sandbox.add_user(7_600_000 + n, "T", "ru"), deliver) for n in range(5)]
    server = SandboxServer(sandbox)
    url = await server.start()
    database = tmp_path / "bot.sqlite3"
    bot = BotProcess(url, database)
    bot.env.update(CONSULTANT_CHAT_ID=str(GROUP), **{"LOG_LEVEL": "WARNING", **env})
    figures = Figures(kills=kills)
    logs: list[str] = []
    try:
        await bot.start()
        await _prepare(sandbox, bot, crowd, askers, talkers, consultant)
        # the burst: everything waits in Telegram's queue at once
        expected: dict[int, int] = {}
        for round_ in range(per_person):
            for person in crowd:
                sandbox.enqueue(sandbox.user_message(person.id, "/menu"))
                expected[person.id] = expected.get(person.id, 0) + 1
            if round_ == 0:
                for asker in askers:
                    sandbox.enqueue(sandbox.user_click(asker.id, asker.last, _button(asker.last)))
            for number, talker in enumerate(talkers):
                sandbox.enqueue(sandbox.user_message(talker.id, f"talker {number} part {round_}"))
        before = {person.id: _menus(sandbox, person.id, LANGS[n % 4]) for n, person in enumerate(crowd)}
        figures.updates = len(sandbox.updates)
        started = asyncio.get_running_loop().time()
        for _ in range(kills):
            mark = len(sandbox.events) + 5
            await until(lambda mark=mark: len(sandbox.events) > mark, "answer after a restart", timeout=60)
            await asyncio.sleep(chance.uniform(0.0, 0.6))  # a random moment in the middle of the work
            assert bot.process is not None
            bot.process.send_signal(signal.SIGKILL)
            output, _ = await bot.process.communicate()
            logs.append(output.decode())
            await bot.start()
        await until(lambda: not sandbox.updates, "take the whole queue", timeout=300)
        await until(lambda: all(_menus(sandbox, p.id, LANGS[n % 4]) - before[p.id] >= expected[p.id]
                                 for n, p in enumerate(crowd)), "answer everyone", timeout=120)
        figures.seconds = asyncio.get_running_loop().time() - started
        await until(lambda: all(any(m.text and m.text.endswith(f"talker {t} part {per_person - 1}")
                                     for m in sandbox.bot_messages(consultant.id)) for t in range(len(talkers))),
                     "pass the last messages on", timeout=60)
        await until(lambda: len({c for m in sandbox.bot_messages(GROUP) if (c := _alert_case(m)) and c > len(talkers)})
                     >= len(askers), "alert the cases opened in the burst", timeout=60)
        await until(bot.settled, "finish every update and empty the outbox", timeout=60)  # nothing more can come
        code, output = await bot.stop()
        logs.append(output)
        assert code == 0, output[-3000:]
    finally:
        if bot.process is not None and bot.process.returncode is None:
            bot.process.kill()
            await bot.process.wait()
        await server.stop()
    for n, person in enumerate(crowd):
        got = _menus(sandbox, person.id, LANGS[n % 4]) - before[person.id]
        figures.lost += max(0, expected[person.id] - got)
        figures.twice += max(0, got - expected[person.id])
    alerts = Counter(case for m in sandbox.bot_messages(GROUP) if (case := _alert_case(m)) is not None)
    opened = [c for c in alerts if c > len(talkers)]  # the askers' cases, opened during the burst
    figures.cases = len(askers)
    figures.alerts_missing = len(askers) - len(opened)
    figures.alerts_twice = sum(1 for c in opened if alerts[c] > 1)
    relayed = Counter(m.text.split("\n", 1)[1] for m in sandbox.bot_messages(consultant.id)
                      if m.text and m.text.startswith("👤") and "talker" in m.text)
    for number in range(len(talkers)):
        for round_ in range(per_person):
            got = relayed[f"talker {number} part {round_}"]
            figures.relays += 1
            figures.relays_lost += got == 0
            figures.relays_twice += max(0, got - 1)
    figures.made_again = sum(len(re.findall(r"cut off by the last stop", log)) for log in logs)
    with sqlite3.connect(database) as db:
        figures.integrity = db.execute("PRAGMA integrity_check").fetchone()[0]
        assert db.execute("SELECT COUNT(*) FROM inbox WHERE handled_at IS NULL").fetchone()[0] == 0
        # what waits is only the group's, paced at 20 posts a minute (the alerts edited once taken)
        waiting = db.execute("SELECT id, chat_id, method, attempts, last_error, not_before, claimed_until FROM outbox WHERE chat_id > 0").fetchall()
        assert not waiting, (waiting, logs[-1][-20000:])
    assert not any("Traceback" in log for log in logs), next(log for log in logs if "Traceback" in log)[-3000:]
    return figures


@pytest.mark.slow(60)
async def test_killed_ten_times_in_a_burst_nothing_is_lost_and_only_sends_cut_off_come_twice(tmp_path: Path, capsys) -> None:
    figures = await crash_burst(tmp_path, people=300, per_person=4, kills=10, seed=16)
    with capsys.disabled():
        print(f"\ncrash test: {figures}")
    assert figures.updates >= 1000
    assert figures.integrity == "ok"
    assert (figures.lost, figures.alerts_missing, figures.relays_lost) == (0, 0, 0), figures
    # A send Telegram took in the very instant of a kill, before its record was written, is made again
    # (nothing is lost): each is logged, and nothing else may be seen twice.
    assert figures.twice + figures.alerts_twice + figures.relays_twice <= figures.made_again, figures
