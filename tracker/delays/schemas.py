"""What a delay flag write takes (commands), what the flags list reads (its query), and
what the API answers about a flag."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import pydantic

from tracker.core import limits
from tracker.core.commands import Command, Day, Limit, Query
from tracker.delays import rules

# --- commands -----------------------------------------------------------------------------


class Acknowledge(Command):
    """Say that someone has seen an open flag and what is being done about it."""

    note: Annotated[str, Limit(limits.NOTE)]
    #: the flag as shown: a scan or a colleague may have changed it since
    version: int | None = None


# --- queries ------------------------------------------------------------------------------


class FlagsQuery(Query):
    """`GET /api/v1/flags`: the open flags computed as of a day."""

    as_of: Day | None = pydantic.Field(
        None, description="the day to compute the flags for (default: today)"
    )


# --- answers ------------------------------------------------------------------------------


class FlagOut(pydantic.BaseModel):
    id: int | None = pydantic.Field(description="the stored flag's id; null if no scan stored it")
    key: str
    rule: str
    severity: str
    proceeding_id: int
    hearing_id: int | None
    deadline_id: int | None
    message: str
    first_seen: dt.date = pydantic.Field(description="the day a scan first saw the flag")
    began_on: dt.date | None = pydantic.Field(
        None, description="the first day the delay held (a request's date + its threshold...)"
    )
    days: int | None = pydantic.Field(
        None, description="how many days the delay has lasted as of the day computed for"
    )
    details: dict[str, Any]


def dump(
    flag: rules.Flag, *, id: int | None, first_seen: dt.date, as_of: dt.date | None = None
) -> FlagOut:
    """A flag as the API and `tracker scan --json` write it (`days` as of `as_of`)."""
    days = None
    if flag.began_on is not None and as_of is not None:
        days = max((as_of - flag.began_on).days, 0)
    return FlagOut(
        id=id,
        key=flag.key,
        rule=flag.rule,
        severity=flag.severity,
        proceeding_id=flag.proceeding_id,
        hearing_id=flag.hearing_id,
        deadline_id=flag.deadline_id,
        message=flag.message,
        first_seen=first_seen,
        began_on=flag.began_on,
        days=days,
        details=dict(flag.details),
    )
