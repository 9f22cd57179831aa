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
}
AT_START = {"retention", "reminders", "digest", "inbox"}
ONCE = {"response-times", "retention", "digest", "inbox"}  # only on the leading instance


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
