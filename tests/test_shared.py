"""What several instances share through Redis (REDIS_URL): conversation state under keys that put the
person first (and /forget deletes them), per-chat order, and one pace for every instance.
Runs when TEST_REDIS_URL names a Redis server (.ci/run sets it when one answers)."""

from __future__ import annotations

import asyncio
import itertools
import os
import time
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.telegram.shared import Shared, SharedPacer
from tests.conftest import make_settings, running

REDIS = os.environ.get("TEST_REDIS_URL")
pytestmark = pytest.mark.skipif(not REDIS, reason="TEST_REDIS_URL is not set")


@pytest.fixture
async def prefix() -> AsyncIterator[str]:
    """A prefix of this test's own; its keys are deleted after."""
    name = f"test-{uuid.uuid4().hex[:10]}"
    yield name
    assert REDIS is not None
    cleaner = Shared(REDIS, name)
    keys = [key async for key in cleaner.redis.scan_iter(match=f"{name}:*")]
    if keys:
        await cleaner.redis.delete(*keys)
    await cleaner.close()


async def test_two_instances_share_one_pace(prefix: str) -> None:
    """Two connections (two instances) sending as fast as they may: together, one send per interval."""
    assert REDIS is not None
    one, two = Shared(REDIS, prefix), Shared(REDIS, prefix)
    rate = 40.0
    stamps: list[float] = []

    async def sender(shared: Shared) -> None:
        pacer = SharedPacer(shared, rate)
        for _ in range(10):
            await pacer.wait()
            stamps.append(time.monotonic())

    started = time.monotonic()
    await asyncio.gather(sender(one), sender(two))
    stamps.sort()
    took = stamps[-1] - started
    assert took >= 19 / rate - 0.02, f"20 sends at {rate}/s took {took:.3f} s"
    gaps = [b - a for a, b in itertools.pairwise(stamps)]
    assert sum(gaps) / len(gaps) >= 1 / rate * 0.9
    await one.close()
    await two.close()


async def test_a_groups_window_counts_every_instances_posts(prefix: str) -> None:
    assert REDIS is not None
    one, two = Shared(REDIS, prefix), Shared(REDIS, prefix)
    window = timedelta(seconds=2)
    now = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    waits = [await (one if n % 2 else two).window("group:-100", 3, window, now + timedelta(seconds=n * 0.1)) for n in range(3)]
    assert waits == [timedelta(0)] * 3
    fourth = await one.window("group:-100", 3, window, now + timedelta(seconds=0.5))
    assert fourth == timedelta(seconds=1.5)  # the oldest of the three leaves the window first
    assert await two.window("group:-100", 3, window, now + timedelta(seconds=2)) == timedelta(0)  # it has left
    assert await two.window("group:-200", 3, window, now) == timedelta(0)  # another group: its own window
    await one.close()
    await two.close()


async def test_conversation_state_lives_in_redis_and_forget_deletes_it(tmp_path: Path, prefix: str) -> None:
    """Through the Dispatcher with REDIS_URL: where a person stopped is in Redis, under their keys only;
    /forget deletes every one of them and leaves the other person's."""
    async with running(make_settings(tmp_path, redis_url=REDIS, redis_prefix=prefix)) as h:
        app = h.app
        assert app is not None and app.shared is not None
        redis = app.shared.redis
        gone, stays = await h.speaker("ru"), await h.speaker("uz")
        for person in (gone, stays):
            await person.send("/profile")  # a conversation state
        keys = {person.id: [key async for key in redis.scan_iter(match=app.shared.keys.of_person(person.id))] for person in (gone, stays)}
        assert keys[gone.id] and keys[stays.id]
        assert await app.db.fetchall("SELECT key FROM fsm_state") == []  # not in the database
        await gone.send("/forget")
        await gone.click("Да, удалить всё")
        assert "/start" in (gone.last.text or "")
        assert [key async for key in redis.scan_iter(match=app.shared.keys.of_person(gone.id))] == []
        assert [key async for key in redis.scan_iter(match=app.shared.keys.of_person(stays.id))]
        await stays.send("/start")  # the other goes on, in their language
        assert stays.last.text


async def test_an_unreachable_redis_stops_the_start_with_a_clear_error(tmp_path: Path) -> None:
    from bot.app import build_app
    from bot.config import ConfigError

    with pytest.raises(ConfigError, match="REDIS_URL"):
        await build_app(make_settings(tmp_path, redis_url="redis://127.0.0.1:1/0"), token="123456:" + "A" * 35)
