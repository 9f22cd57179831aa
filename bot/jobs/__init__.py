"""Every scheduled job, and the one place that schedules them.

A job is just another caller of the services and the senders in bot/telegram/: it holds no rules of
its own. Every job finds its work in the database (what is due, what is waiting), so a tick missed
while the bot was down is caught up by the next one, and nothing is kept in memory between ticks.

When several instances run (REDIS_URL), each runs every job, but a job marked `once` does its work only
on the instance holding the leader's lease (bot/telegram/instance.py); the others claim rows one by
one (the outbox, reminders, broadcast recipients), so each is sent by one instance.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.telegram.instance import BEAT

if TYPE_CHECKING:
    from bot.app import App

# A tick missed while the process was busy still runs within 5 minutes, once (APScheduler's own
# defaults, 1 s and coalescing, would drop it silently).
JOB_DEFAULTS = {"misfire_grace_time": 300, "coalesce": True, "max_instances": 1}


@dataclass(frozen=True)
class Job:
    id: str
    run: Callable[[], Awaitable[object]]
    every: timedelta
    at_start: bool  # run once as soon as the scheduler starts (catch up on what is due)
    once: bool = False  # only on the leading instance: the work is not claimed row by row


def new_scheduler() -> AsyncIOScheduler:
    return AsyncIOScheduler(timezone=UTC, job_defaults=JOB_DEFAULTS)


def jobs(app: App) -> list[Job]:
    """What runs, how often, and why it runs at start."""
    found = [
        # posts to the consultants' group and relayed messages waiting for Telegram
        Job("outbox", app.outbox.run_due, timedelta(seconds=3), at_start=False),
        # this instance is alive (and leads, if it holds the lease)
        Job("heartbeat", app.instance.beat, BEAT, at_start=False),
        # re-alerts for untaken cases, hotlines for people still waiting
        Job("response-times", app.desk.tick, timedelta(seconds=30), at_start=False, once=True),
        # what was said in closed cases, deleted after RETENTION_DAYS
        Job("retention", app.desk.purge, timedelta(hours=6), at_start=True, once=True),
        # reminders live in the database: a tick finds what is due, the first one catches up
        Job("reminders", app.reminders.tick, timedelta(seconds=30), at_start=True),
        # safety check-ins: questions due, asked again, raised when missed twice (it knows a restart: never raised then)
        Job("checkins", app.checkin_sender.tick, timedelta(seconds=30), at_start=True, once=True),
        # one broadcast at a time, paced
        Job("broadcasts", app.broadcasts.run, timedelta(seconds=2), at_start=False),
        # the ids of updates handled more than a day ago (Telegram never sends an update again after that)
        Job("inbox", app.intake.prune, timedelta(hours=1), at_start=True, once=True),
        # the private chats' message ids older than a bot may delete (the quick hide's trail)
        Job("trail", app.dp["hider"].prune, timedelta(hours=1), at_start=True, once=True),
    ]
    if app.config.shared:
        # what an instance that stopped answering had claimed
        found.append(Job("take-over", app.take_over, BEAT * 2, at_start=False, once=True))
        # an admin's /reload on another instance: the content read again here too
        found.append(Job("reload", app.reloader.follow, BEAT, at_start=True))
    if app.config.weekly_digest:
        # a tick that finds the digest already sent does nothing: restarts never repeat it
        found.append(Job("digest", app.digest.tick, timedelta(minutes=10), at_start=True, once=True))
    return found


def tracked(app: App, run: Callable[[], Awaitable[object]]) -> Callable[[], Awaitable[object]]:
    """The job, known to the app while it runs: stopping waits for it instead of closing the database
    under it (which logged a traceback when a stop met a busy job)."""

    async def job() -> object:
        if app.closing:  # the scheduler handed it over just before it was shut down: too late to begin
            return None
        task = asyncio.current_task()
        if task is not None:
            app.running_jobs.add(task)
        try:
            return await run()
        finally:
            if task is not None:
                app.running_jobs.discard(task)

    return job


def led(app: App, run: Callable[[], Awaitable[object]]) -> Callable[[], Awaitable[object]]:
    """The job's work, done only while this instance leads (always, when it runs alone)."""

    async def job() -> object:
        if not await app.instance.leading():
            return None
        return await run()

    return job


def schedule(app: App) -> None:
    for job in jobs(app):
        extra = {"next_run_time": datetime.now(UTC)} if job.at_start else {}
        run = led(app, job.run) if job.once else job.run
        app.scheduler.add_job(tracked(app, run), "interval", seconds=job.every.total_seconds(), id=job.id, **extra)
