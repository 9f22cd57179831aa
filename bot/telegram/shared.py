"""What several instances share through Redis (REDIS_URL): conversation state and per-chat order
(aiogram's RedisStorage and RedisEventIsolation, under keys that put the person first), and the pace
of sending (one budget for every instance, kept in one atomic script; the instances' clocks are the
machines' own, kept in step by NTP as servers are: the pace's units are milliseconds and up).
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any, Literal, cast

from aiogram.fsm.storage.base import KeyBuilder, StorageKey
from aiogram.fsm.storage.redis import RedisEventIsolation, RedisStorage
from redis.asyncio import Redis

LOCK_SECONDS = 60  # a person's lock (one update at a time across instances); aiogram's default (REDIS_LOCK_SECONDS)
STATE_TTL = timedelta(days=30)  # a conversation left half-way for a month is forgotten (what it held, too)

# The next free slot of a pace: max(now, next), then next += interval; returns how long the caller
# waits for its slot. Times in microseconds since the epoch.
_SLOT = """
local now = tonumber(ARGV[2])
local interval = tonumber(ARGV[1])
local slot = math.max(now, tonumber(redis.call('GET', KEYS[1]) or '0'))
redis.call('SET', KEYS[1], slot + interval, 'PX', math.floor((slot + interval - now) / 1000) + 1000)
return slot - now
"""

# At most ARGV[1] stamps in any ARGV[2] microseconds: a stamp is taken now if there is room (returns 0),
# else nothing is taken and the wait until the oldest leaves the window is returned.
_WINDOW = """
local now = tonumber(ARGV[4])
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) < limit then
  redis.call('ZADD', KEYS[1], now, now .. ':' .. ARGV[3])
  redis.call('PEXPIRE', KEYS[1], math.floor(window / 1000) + 1000)
  return 0
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return tonumber(oldest[2]) + window - now
"""


class PersonKeys(KeyBuilder):
    """`<prefix>:fsm:<bot>:u<person>:c<chat>[:t<topic>][:b<business>]:<destiny>[:<part>]`: the person comes
    first, so everything kept about one person is found by one pattern (/forget)."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix

    def build(self, key: StorageKey, part: Literal["data", "state", "lock"] | None = None) -> str:
        parts = [self.prefix, "fsm", str(key.bot_id), f"u{key.user_id}", f"c{key.chat_id}"]
        if key.thread_id:
            parts.append(f"t{key.thread_id}")
        if key.business_connection_id:
            parts.append(f"b{key.business_connection_id}")
        parts.append(key.destiny)
        if part:
            parts.append(part)
        return ":".join(parts)

    def of_person(self, user_id: int) -> str:
        return f"{self.prefix}:fsm:*:u{user_id}:*"


class Shared:
    """One Redis connection pool for the FSM, the per-chat locks and the pace."""

    def __init__(self, url: str, prefix: str, *, lock_seconds: int = LOCK_SECONDS) -> None:
        self.redis: Redis = Redis.from_url(url)
        self.prefix = prefix
        self.lock_seconds = lock_seconds
        self.keys = PersonKeys(prefix)
        self._slot = self.redis.register_script(_SLOT)
        self._window = self.redis.register_script(_WINDOW)
        self._stamp = 0

    def storage(self) -> RedisStorage:
        return RedisStorage(self.redis, key_builder=self.keys, state_ttl=STATE_TTL, data_ttl=STATE_TTL)

    def isolation(self) -> RedisEventIsolation:
        # a person's lock lapses after lock_seconds if its holder died; one that outlived it is not an error
        return RedisEventIsolation(self.redis, key_builder=self.keys,
                                   lock_kwargs={"timeout": self.lock_seconds, "raise_on_release_error": False})

    async def ping(self) -> None:
        await cast(Awaitable[bool], self.redis.ping())  # redis-py types it sync-or-async

    async def forget(self, user_id: int) -> int:
        """Delete every conversation state and datum of the person's, in every chat."""
        found = [key async for key in self.redis.scan_iter(match=self.keys.of_person(user_id), count=500)
                 if not key.endswith(b":lock")]  # the lock of the update under way is its holder's to release
        return int(await self.redis.delete(*found)) if found else 0

    async def slot(self, name: str, interval: float, now: datetime) -> float:
        """Take the next slot of the pace `name` (one every `interval` seconds for every instance together);
        returns the seconds to wait for it."""
        wait = await self._slot(keys=[f"{self.prefix}:pace:{name}"], args=[int(interval * 1_000_000), _micro(now)])
        return int(wait) / 1_000_000

    async def window(self, name: str, limit: int, window: timedelta, now: datetime) -> timedelta:
        """One of at most `limit` in any `window` for `name`: zero when taken now, else how long until there is room."""
        self._stamp += 1
        wait = await self._window(keys=[f"{self.prefix}:window:{name}"], args=[
            limit, int(window.total_seconds() * 1_000_000), f"{uuid.uuid4().hex[:8]}:{self._stamp}", _micro(now)])
        return timedelta(microseconds=int(wait))

    async def close(self) -> None:
        await self.redis.aclose()


class SharedPacer:
    """bot.telegram.pacer.Pacer's rate for every instance together (reminders and broadcasts)."""

    def __init__(
        self, shared: Shared, rate: float, *, clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
    ) -> None:
        self.shared = shared
        self.interval = 1.0 / rate
        self.clock = clock
        self.sleep = sleep

    async def wait(self) -> None:
        wait = await self.shared.slot("bulk", self.interval, self.clock())
        if wait > 0:
            await self.sleep(wait)


class SharedGroupPacer:
    """bot.telegram.outbox.GroupPacer's 20 posts a minute into one group, for every instance together: a
    post's turn is taken when it is granted (one that then fails has used it: the pace errs slow)."""

    def __init__(self, shared: Shared, per_minute: int) -> None:
        self.shared = shared
        self.per_minute = per_minute

    async def wait(self, chat_id: int, now: datetime) -> timedelta:
        return await self.shared.window(f"group:{chat_id}", self.per_minute, timedelta(minutes=1), now)

    def record(self, chat_id: int, now: datetime) -> None:
        """Taken already by wait()."""


def _micro(moment: datetime) -> int:
    return int(moment.timestamp() * 1_000_000)
