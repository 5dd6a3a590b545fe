"""Python's cycle collector, held off for the length of a bulk job.

An import creates tens of thousands of objects (rows, their ORM states, audit entries)
that all live to its end. The collector, set off every 700 new objects, walks them
again and again as they age: a third of a 10,000-row import's time (bench/import.py).
Held off, it resumes when the last job holding it ends, and collects as usual. The
collector is the process's: other threads' cyclic garbage waits those few seconds too.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager


class _Hold:
    """How many jobs hold the collector off (threads share it), and whether it ran
    before the first."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.holders = 0
        self.resume = False


_HOLD = _Hold()


@contextmanager
def held_off() -> Iterator[None]:
    with _HOLD.lock:
        if _HOLD.holders == 0:
            _HOLD.resume = gc.isenabled()
            gc.disable()
        _HOLD.holders += 1
    try:
        yield
    finally:
        with _HOLD.lock:
            _HOLD.holders -= 1
            if _HOLD.holders == 0 and _HOLD.resume:
                gc.enable()
