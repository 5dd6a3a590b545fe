"""The one source of "now".

Operations take `now` as an argument; entry points ask this module for it, so a
test freezes time with `clock.frozen(...)` instead of sleeping or patching.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

UTC = dt.UTC

_frozen: dt.datetime | None = None


def now() -> dt.datetime:
    """Return the current time, timezone-aware, in UTC."""
    return _frozen if _frozen is not None else dt.datetime.now(UTC)


def today() -> dt.date:
    """Return today's date in UTC."""
    return now().date()


@contextmanager
def frozen(at: dt.datetime) -> Iterator[dt.datetime]:
    """Freeze `now()` at an aware datetime for the duration of the block."""
    global _frozen
    if at.tzinfo is None:
        raise ValueError("clock.frozen needs an aware datetime")
    previous, _frozen = _frozen, at.astimezone(UTC)
    try:
        yield _frozen
    finally:
        _frozen = previous
