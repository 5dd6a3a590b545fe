"""Check one input value and name the field when it is wrong (422)."""

from __future__ import annotations

import datetime as dt
import enum
from typing import TypeVar

from tracker.core import dates, limits
from tracker.core.errors import Invalid

E = TypeVar("E", bound=enum.Enum)


def text(
    value: str | None, field: str, *, max_length: int = limits.NAME, required: bool = True
) -> str:
    """`value` stripped, if it is given (or need not be) and within `max_length` (a limit of
    `tracker.core.limits`: every caller names the one of its field)."""
    value = (value or "").strip()
    if required and not value:
        raise Invalid(f"{field} must not be empty", field=field)
    if len(value) > max_length:
        raise Invalid(f"{field} is longer than {max_length} characters", field=field)
    return value


def choice(enum_class: type[E], value: str | E, field: str) -> E:
    try:
        return enum_class(value)
    except ValueError:
        allowed = ", ".join(member.value for member in enum_class)
        raise Invalid(f"{value!r} is not a valid {field} ({allowed})", field=field) from None


def partial_date(
    value: str | None, field: str, precision: str | None = None
) -> tuple[dt.date | None, dates.Precision]:
    if precision is not None:
        precision = choice(dates.Precision, precision, "precision")
    if value is None:
        return None, precision or dates.Precision.day
    try:
        return dates.parse_partial(value, precision)
    except ValueError as exc:
        raise Invalid(str(exc), field=field) from None


def date(value: str | dt.date | None, field: str) -> dt.date | None:
    if value is None:
        return None
    try:
        if isinstance(value, dt.date):  # parsed by a form already: the range still applies
            return dates.in_range(value)
        return dates.parse_date(value)
    except ValueError as exc:
        raise Invalid(str(exc), field=field) from None


def timezone(value: str, field: str = "timezone") -> str:
    try:
        dates.zone(value)
    except ValueError as exc:
        raise Invalid(str(exc), field=field) from None
    return value


def local_time(value: str, tz_name: str, field: str) -> dt.datetime:
    try:
        return dates.local_to_utc(value, tz_name)
    except ValueError as exc:
        raise Invalid(str(exc), field=field) from None
