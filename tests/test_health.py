"""Health and metrics of `python -m bot run` (a process of its own, HEALTH_LISTEN set): /healthz answers,
/readyz says ready while Telegram answers and not when it stops answering, /metrics counts updates and
shows the case waiting by urgency, in Prometheus' format, with no one's data in it."""

from __future__ import annotations

from pathlib import Path

import aiohttp
import pytest

from bot.i18n import LANGUAGE_NAMES
from bot.sandbox.client import Person, queued_delivery
from bot.sandbox.core import Sandbox
from bot.sandbox.server import SandboxServer
from tests.conftest import until, until_answers
from tests.test_e2e import GROUP, BotProcess
from tests.test_webhook import free_port


async def get(url: str) -> tuple[int, str]:
    async with aiohttp.ClientSession() as http, http.get(url) as response:
        return response.status, await response.text()


def value(metrics: str, name: str) -> float | None:
    for line in metrics.splitlines():
        if line.startswith(name + " "):
            return float(line.rsplit(" ", 1)[1])
    return None


@pytest.mark.slow(8)
async def test_health_readiness_and_metrics_of_a_running_bot(tmp_path: Path) -> None:
    sandbox = Sandbox()
    sandbox.add_group(GROUP, "Consultants")
    server = SandboxServer(sandbox)
    url = await server.start()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    bot = BotProcess(url, tmp_path / "bot.sqlite3")
    bot.env.update(CONSULTANT_CHAT_ID=str(GROUP), HEALTH_LISTEN=f"127.0.0.1:{port}")
    await bot.start()
    stopped = False
    try:
        await until_answers(f"{base}/readyz", 200, "be ready")
        status, text = await get(f"{base}/readyz")
        assert status == 200 and '"database": true' in text and '"updates": true' in text and '"scheduler": true' in text
        assert await get(f"{base}/healthz") == (200, "ok\n")

        person = Person(sandbox, sandbox.add_user(9_800_001, "Zarina Secretname", "tg"), queued_delivery(sandbox))
        await person.send("/start")
        await person.click(LANGUAGE_NAMES["tg"])
        await person.send("/consult")
        await person.click(person.last.button_labels()[0])  # I agree, connect me
        await person.send("паспортамро гирифтанд, маош намедиҳанд")
        await person.click(LANGUAGE_NAMES["tg"])
        await until(lambda: bot.settled(), "finish every update")
        status, metrics = await get(f"{base}/metrics")
        assert status == 200
        assert (value(metrics, 'bot_updates_total{type="message"}') or 0) >= 3
        assert (value(metrics, 'bot_updates_total{type="callback_query"}') or 0) >= 3
        assert 'bot_update_seconds_bucket{le="0.005",type="message"}' in metrics
        waiting = [line for line in metrics.splitlines() if line.startswith("bot_cases_waiting{")]
        assert len(waiting) == 1 and waiting[0].endswith(" 1.0"), waiting
        assert value(metrics, "bot_outbox_backlog") == 0 and value(metrics, "bot_broadcasts_sending") == 0
        # no one's data: not the name, not the id, not what they wrote
        assert "Secretname" not in metrics and "9800001" not in metrics and "паспорт" not in metrics

        # Telegram stops answering: not ready (the process is alive)
        await server.stop()
        stopped = True
        await until_answers(f"{base}/readyz", 503, "say it is not ready")
        status, text = await get(f"{base}/readyz")
        assert status == 503 and '"updates": false' in text and '"database": true' in text
        assert (await get(f"{base}/healthz"))[0] == 200
        code, output = await bot.stop()
        assert code == 0, output[-2000:]
    finally:
        if bot.process is not None and bot.process.returncode is None:
            bot.process.kill()
            await bot.process.wait()
        if not stopped:
            await server.stop()


async def test_an_update_of_a_kind_aiogram_does_not_know_is_counted_and_passed_on() -> None:
    from aiogram.types import Update
    from prometheus_client import generate_latest

    from bot.telegram.health import Metrics, UpdateMetrics

    metrics = Metrics()

    async def handler(_event: object, _data: dict) -> str:
        return "handled"

    assert await UpdateMetrics(metrics)(handler, Update(update_id=1), {}) == "handled"
    assert 'bot_updates_total{type="unknown"} 1.0' in generate_latest(metrics.registry).decode()
