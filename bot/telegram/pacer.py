"""One pace for every bulk send (reminders, broadcasts): at most `rate` messages a second overall."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any, Protocol


class Paced(Protocol):
    """A pace senders share: this Pacer (one process), or bot.telegram.shared.SharedPacer (every instance)."""

    async def wait(self) -> None: ...


class Pacer:
    """At most `rate` sends a second: each send waits for its slot (on an injectable clock)."""

    def __init__(
        self, rate: float, *, clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
    ) -> None:
        self.interval = 1.0 / rate
        self.clock = clock
        self.sleep = sleep
        self.next_slot = 0.0

    async def wait(self) -> None:
        """Take the next free slot, then wait for it. The slot is taken before waiting, so senders that
        share one pacer (reminders, broadcasts) never get the same slot."""
        now = self.clock()
        slot = max(now, self.next_slot)
        self.next_slot = slot + self.interval
        if slot > now:
            await self.sleep(slot - now)
