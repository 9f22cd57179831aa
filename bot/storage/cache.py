"""A bounded least-recently-used cache for write-through caches over the database.

Correct only because this process is the database's only writer and every write goes through the
owner of the cache, which updates or drops the entry. When several instances share the database
(REDIS_URL), the caches are made with size 0: nothing is kept.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")
MISSING = object()


class BoundedCache(Generic[K, V]):
    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[K, V] = OrderedDict()

    def get(self, key: K) -> V | object:
        """The cached value (which may be None), or MISSING."""
        value = self._items.get(key, MISSING)
        if value is not MISSING:
            self._items.move_to_end(key)
        return value

    def put(self, key: K, value: V) -> V:
        self._items[key] = value
        self._items.move_to_end(key)
        while len(self._items) > self.size:
            self._items.popitem(last=False)
        return value

    def drop(self, key: K) -> None:
        self._items.pop(key, None)

    def drop_where(self, test: Callable[[V], bool]) -> None:
        """Drop every entry whose value passes the test (a scan: for rare events)."""
        for key in [key for key, value in self._items.items() if test(value)]:
            del self._items[key]

    def clear(self) -> None:
        self._items.clear()
