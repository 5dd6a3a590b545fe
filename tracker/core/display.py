"""How dates, times and codes read on a page: the templates' filters.

Times are stored in UTC; a page shows a hearing in the court's zone (what the summons
says) and, when it differs, in the reader's zone (when to be on the call).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Flask
from flask_login import current_user

from tracker.core import dates


def day(value: dt.date | dt.datetime | None) -> str:
    """Mon 23 Nov 2026."""
    if value is None:
        return ""
    return f"{value:%a} {value.day} {value:%b %Y}"


def partial(value: dt.date | None, precision: Any = "day") -> str:
    """A date known to the day, month or year, written at that precision."""
    if value is None:
        return ""
    precision = getattr(precision, "value", precision)
    if precision == "year":
        return f"{value:%Y}"
    if precision == "month":
        return f"{value:%B %Y}"
    return day(value)


def at(instant: dt.datetime | None, zone: str, *, time_known: bool = True) -> str:
    """Mon 23 Nov 2026 10:00 CET: an instant on the wall clock of `zone`."""
    if instant is None:
        return ""
    local = dates.in_zone(instant, zone)
    if not time_known:
        return day(local)
    return f"{day(local)} {local:%H:%M} {local.tzname()}"


def reader_zone() -> str:
    user = getattr(current_user, "user", None)
    return getattr(user, "timezone", None) or "UTC"


def for_reader(instant: dt.datetime | None, *, time_known: bool = True) -> str:
    """An instant in the signed-in reader's zone."""
    return at(instant, reader_zone(), time_known=time_known)


def differs_for_reader(instant: dt.datetime | None, zone: str) -> bool:
    """Whether the reader's wall clock shows another time than the court's."""
    if instant is None:
        return False
    here, there = dates.in_zone(instant, reader_zone()), dates.in_zone(instant, zone)
    return here.replace(tzinfo=None) != there.replace(tzinfo=None)


def words(code: Any) -> str:
    """extradition_request -> Extradition request."""
    text = str(getattr(code, "value", code) or "").replace("_", " ")
    return text[:1].upper() + text[1:]


def init_app(app: Flask) -> None:
    app.jinja_env.filters.update(day=day, partial=partial, at=at, reader=for_reader, words=words)
    app.jinja_env.globals.update(differs_for_reader=differs_for_reader, reader_zone=reader_zone)
