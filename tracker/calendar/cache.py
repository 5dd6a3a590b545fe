"""Feed bodies kept in this process, keyed by what they were made from.

A key names the versions of every row in a feed's scope, the day and the format
(see `publishing.content_key`), so an entry is never stale: a change makes a new
key, and the old entry ages out. Bounded by bytes; safe across threads.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

#: a 5,000-event feed is about 3 MB; this keeps a few dozen large ones
MAX_BYTES = 64 * 1024 * 1024


class BodyCache:
    def __init__(self, max_bytes: int = MAX_BYTES):
        self.max_bytes = max_bytes
        self._entries: OrderedDict[str, tuple[bytes, str]] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def get(self, key: str) -> tuple[bytes, str] | None:
        """The body and its ETag, or None."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
            return entry

    def put(self, key: str, body: bytes, etag: str) -> None:
        if len(body) > self.max_bytes:
            return
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._size -= len(old[0])
            self._entries[key] = (body, etag)
            self._size += len(body)
            while self._size > self.max_bytes:
                _key, (dropped, _etag) = self._entries.popitem(last=False)
                self._size -= len(dropped)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._size = 0


bodies = BodyCache()
