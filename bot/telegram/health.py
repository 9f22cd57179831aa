"""Health and metrics for the operator, on a small aiohttp server of its own (HEALTH_LISTEN, e.g.
127.0.0.1:9090; off when unset):

- `GET /healthz`: the process answers (200). For a restart when it hangs.
- `GET /readyz`: 200 when the database answers, the updates come in (polling: the last getUpdates
  succeeded; webhook: its server is up) and the scheduler runs; 503 otherwise, with what failed.
- `GET /metrics`: Prometheus' text format (prometheus_client): updates by type, their handling time,
  the ones that failed; the cases waiting for a consultant and the longest wait, by urgency; the
  outbox's backlog; the reminders due and how late the oldest is; broadcasts sending; Telegram's 429
  and 403 answers. Labels are update types, urgency levels and status codes only: no one's data.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from aiogram import BaseMiddleware, Bot
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.exceptions import TelegramForbiddenError, TelegramRetryAfter
from aiogram.methods import TelegramMethod
from aiogram.methods.base import Response, TelegramType
from aiogram.types import TelegramObject, Update
from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from bot.storage.db import Database
from bot.storage.monitor import MonitorRepository

log = logging.getLogger(__name__)
CHECK_SECONDS = 2.0  # a readiness check that takes longer has failed


class Metrics:
    """The app's own registry (several apps in one process, as in the tests, never share counters)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.updates = Counter("bot_updates", "Updates handled, by type", ["type"], registry=r)
        self.seconds = Histogram("bot_update_seconds", "Time to handle an update, by type", ["type"], registry=r,
                                 buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))
        self.errors = Counter("bot_update_errors", "Updates whose handling failed, by type", ["type"], registry=r)
        self.refusals = Counter("bot_telegram_refusals", "Telegram's 429 (too many requests) and 403 (blocked) answers",
                                ["code"], registry=r)
        self.waiting = Gauge("bot_cases_waiting", "Cases waiting for a consultant, by urgency", ["level"], registry=r)
        self.oldest = Gauge("bot_case_oldest_wait_seconds", "How long the longest-waiting case has waited, by urgency",
                            ["level"], registry=r)
        self.outbox = Gauge("bot_outbox_backlog", "Posts queued, not yet sent", registry=r)
        self.reminders_due = Gauge("bot_reminders_due", "Reminders whose time has come, not yet sent", registry=r)
        self.reminder_lag = Gauge("bot_reminder_lag_seconds", "How late the most overdue reminder is", registry=r)
        self.broadcasts = Gauge("bot_broadcasts_sending", "Broadcasts being sent", registry=r)


class UpdateMetrics(BaseMiddleware):
    """Counts and times every update (the outermost middleware: the whole of its handling)."""

    def __init__(self, metrics: Metrics) -> None:
        self.metrics = metrics

    async def __call__(
        self, handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]], event: TelegramObject, data: dict[str, Any],
    ) -> Any:
        try:
            kind = event.event_type if isinstance(event, Update) else "other"
        except LookupError:  # an update of a kind this aiogram does not know: aiogram's own dispatch skips it
            kind = "unknown"
        started = time.perf_counter()
        try:
            return await handler(event, data)
        except Exception:
            self.metrics.errors.labels(kind).inc()
            raise
        finally:
            self.metrics.updates.labels(kind).inc()
            self.metrics.seconds.labels(kind).observe(time.perf_counter() - started)


class Refusals(BaseRequestMiddleware):
    """Counts Telegram's 429 and 403 answers (innermost: each answer once, before a retry)."""

    def __init__(self, metrics: Metrics) -> None:
        self.metrics = metrics

    async def __call__(
        self, make_request: NextRequestMiddlewareType[TelegramType], bot: Bot, method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        try:
            return await make_request(bot, method)
        except TelegramRetryAfter:
            self.metrics.refusals.labels("429").inc()
            raise
        except TelegramForbiddenError:
            self.metrics.refusals.labels("403").inc()
            raise


class HealthServer:
    def __init__(
        self, metrics: Metrics, db: Database, receiving: Callable[[], bool], scheduling: Callable[[], bool],
        clock: Callable[[], datetime], host: str, port: int,
    ) -> None:
        self.metrics, self.db, self.receiving, self.scheduling, self.clock = metrics, db, receiving, scheduling, clock
        self.monitor = MonitorRepository(db)
        self.host, self.port = host, port
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/healthz", self.healthz)
        app.router.add_get("/readyz", self.readyz)
        app.router.add_get("/metrics", self.metrics_page)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, self.host, self.port).start()
        log.info("health and metrics on http://%s:%d (/healthz, /readyz, /metrics)", self.host, self.port)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def healthz(self, _request: web.Request) -> web.Response:
        return web.Response(text="ok\n")

    async def readyz(self, _request: web.Request) -> web.Response:
        checks = {"database": await self._database(), "updates": self.receiving(), "scheduler": self.scheduling()}
        ready = all(checks.values())
        return web.Response(status=200 if ready else 503, content_type="application/json",
                            text=json.dumps({"ready": ready, **checks}) + "\n")

    async def metrics_page(self, _request: web.Request) -> web.Response:
        try:
            watch = await asyncio.wait_for(self.monitor.watch(self.clock()), CHECK_SECONDS)
        except Exception:  # the database is down: say so by the counters alone (readyz says it outright)
            log.warning("metrics: the database did not answer")
        else:
            m = self.metrics
            m.waiting.clear()
            m.oldest.clear()
            for level, count in watch.waiting.items():
                m.waiting.labels(level).set(count)
                m.oldest.labels(level).set(watch.oldest_wait[level])
            m.outbox.set(watch.outbox)
            m.reminders_due.set(watch.reminders_due)
            m.reminder_lag.set(watch.reminder_lag)
            m.broadcasts.set(watch.broadcasts_sending)
        return web.Response(body=generate_latest(self.metrics.registry), headers={"Content-Type": CONTENT_TYPE_LATEST})

    async def _database(self) -> bool:
        try:
            await asyncio.wait_for(self.monitor.ping(), CHECK_SECONDS)
        except Exception:
            return False
        return True
