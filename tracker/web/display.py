"""How dates, times and codes read on a page: the templates' filters.

Times are stored in UTC; a page shows a hearing in the court's zone (what the summons
says) and, when it differs, in the reader's zone (when to be on the call).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Flask, g
from flask_login import current_user
from markupsafe import Markup, escape

from tracker.core import dates, labels, limits
from tracker.core.dates import FULL_MONTHS


def day(value: dt.date | dt.datetime | None) -> str:
    """Mon 23 Nov 2026."""
    return "" if value is None else dates.written(value)


def partial(value: dt.date | None, precision: Any = "day") -> str:
    """A date known to the day, month or year, written at that precision."""
    if value is None:
        return ""
    precision = getattr(precision, "value", precision)
    if precision == "year":
        return f"{value:%Y}"
    if precision == "month":
        return f"{FULL_MONTHS[value.month - 1]} {value.year}"
    return day(value)


def at(instant: dt.datetime | None, zone: str, *, time_known: bool = True) -> str:
    """Mon 23 Nov 2026 10:00 CET: an instant on the wall clock of `zone`."""
    if instant is None:
        return ""
    return _wall_clock(dates.in_zone(instant, zone), time_known)


def _wall_clock(local: dt.datetime, time_known: bool = True) -> str:
    if not time_known:
        return day(local)
    return f"{day(local)} {local.hour:02}:{local.minute:02} {local.tzname()}"


def reader_zone() -> str:
    """The signed-in reader's zone (UTC for none), looked up once per request."""
    if "reader_zone" not in g:
        user = getattr(current_user, "user", None)
        g.reader_zone = getattr(user, "timezone", None) or "UTC"
    return g.reader_zone


def for_reader(instant: dt.datetime | None, *, time_known: bool = True) -> str:
    """An instant in the signed-in reader's zone."""
    return at(instant, reader_zone(), time_known=time_known)


def times(instant: dt.datetime, zone: str, time_known: bool = True) -> tuple[str, str]:
    """An instant in the court's zone, and in the reader's when their clocks differ ("")."""
    court = dates.in_zone(instant, zone)
    if not time_known:
        return day(court), ""
    here = dates.in_zone(instant, reader_zone())
    if here.replace(tzinfo=None) == court.replace(tzinfo=None):
        return _wall_clock(court), ""
    return _wall_clock(court), _wall_clock(here)


def when(hearing: Any) -> Markup:
    """A hearing's (or a row's: starts_at, timezone, time_known) time on the court's clock,
    and on the reader's below it when that differs; one function for every list of them."""
    court, yours = times(hearing.starts_at, hearing.timezone, hearing.time_known)
    html = f'<span class="court-time">{escape(court)}</span>'
    if yours:
        html += f'<br><span class="muted reader-time">{escape(yours)} for you</span>'
    return Markup(html)  # noqa: S704 (both times are escaped)


def differs_for_reader(instant: dt.datetime | None, zone: str) -> bool:
    """Whether the reader's wall clock shows another time than the court's."""
    if instant is None:
        return False
    here, there = dates.in_zone(instant, reader_zone()), dates.in_zone(instant, zone)
    return here.replace(tzinfo=None) != there.replace(tzinfo=None)


#: a code in words (`tracker.core.labels`): mla_request -> MLA request
words = labels.words


def init_app(app: Flask) -> None:
    app.jinja_env.filters.update(
        day=day,
        partial=partial,
        at=at,
        reader=for_reader,
        words=labels.words,
        # inside a sentence: "client: requested person", "counted from an MLA request"
        phrase=labels.in_sentence,
        period=labels.period,
    )
    app.jinja_env.globals.update(
        differs_for_reader=differs_for_reader, reader_zone=reader_zone, when=when, limits=limits
    )
