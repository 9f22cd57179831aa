"""bot/jobs: every scheduled job, how often it runs, and which run at once at start (to catch up)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from bot import jobs
from tests.conftest import make_settings, running

EVERY = {
    "outbox": timedelta(seconds=3),
    "response-times": timedelta(seconds=30),
    "retention": timedelta(hours=6),
    "reminders": timedelta(seconds=30),
    "broadcasts": timedelta(seconds=2),
    "digest": timedelta(minutes=10),
    "inbox": timedelta(hours=1),
    "heartbeat": timedelta(seconds=5),
    "trail": timedelta(hours=1),  # new (issue 24): the quick hide's trail pruned after 48 hours
    "checkins": timedelta(seconds=30),  # new (issue 24): safety check-ins asked, asked again, raised
}
AT_START = {"retention", "reminders", "digest", "inbox", "trail", "checkins"}
ONCE = {"response-times", "retention", "digest", "inbox", "trail", "checkins"}  # only on the leading instance


@pytest.mark.parametrize("digest", [True, False])
async def test_every_job_is_scheduled_once_with_its_pace(tmp_path: Path, digest: bool) -> None:
    async with running(make_settings(tmp_path, weekly_digest=digest)) as h:
        assert h.app is not None
        listed = jobs.jobs(h.app)
        expected = {name: every for name, every in EVERY.items() if digest or name != "digest"}
        assert {job.id: job.every for job in listed} == expected
        assert {job.id for job in listed if job.at_start} == AT_START & set(expected)
        assert {job.id for job in listed if job.once} == ONCE & set(expected)
        jobs.schedule(h.app)
        scheduled = {job.id: job for job in h.app.scheduler.get_jobs()}
        assert set(scheduled) == set(expected)
        assert all(scheduled[name].trigger.interval == every for name, every in expected.items())
        defaults = h.app.scheduler._job_defaults  # set deliberately: APScheduler's own would drop a late tick
        assert (defaults["misfire_grace_time"], defaults["coalesce"], defaults["max_instances"]) == (300, True, 1)


async def test_a_job_handed_over_as_the_bot_stops_does_not_begin(tmp_path: Path) -> None:
    """The scheduler may hand a job to the loop just before it is shut down: the job's task starts while
    close() is already under way, and would use the database as it is closed (a traceback at a stop,
    seen with two instances). It now does nothing; a job already at work is waited for."""
    import asyncio

    ran: list[str] = []

    async def late() -> None:
        ran.append("late")

    async with running(make_settings(tmp_path)) as h:
        assert h.app is not None
        app = h.app
        handed = asyncio.get_running_loop().create_task(jobs.tracked(app, late)())  # created, not yet started
        await app.close()
        h.app = None
        assert await handed is None and ran == []


async def test_a_job_at_work_when_the_bot_stops_ends_its_work(tmp_path: Path) -> None:
    """APScheduler's shutdown cancels the jobs it is running: close() waits for a job at work first (a
    broadcast's step, the outbox), so it ends as it would have, not cancelled mid-way."""
    import asyncio

    from apscheduler.triggers.date import DateTrigger

    steps: list[str] = []
    begun = asyncio.Event()

    async def slow() -> None:
        steps.append("begun")
        begun.set()
        await asyncio.sleep(0.05)  # a database call, a send: the job is at work
        await h.app.db.fetchone("SELECT 1")  # type: ignore[union-attr]
        steps.append("done")

    async with running(make_settings(tmp_path)) as h:
        assert h.app is not None
        app = h.app
        app.scheduler.start()
        app.scheduler.add_job(jobs.tracked(app, slow), DateTrigger())
        await asyncio.wait_for(begun.wait(), 5)
        await app.close()
        h.app = None
    assert steps == ["begun", "done"]
