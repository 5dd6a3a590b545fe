"""What a hearing write takes (commands) and what the API answers about a hearing."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import pydantic

from tracker.core import limits
from tracker.core.commands import Allowed, Changes, Command, Day, Limit, WallTime, Zone
from tracker.core.dates import in_zone
from tracker.hearings.enums import OutcomeResult
from tracker.hearings.models import Hearing, Postponement

# --- commands -----------------------------------------------------------------------------


class NewHearing(Command):
    """Set a hearing: `starts_at` on the wall clock of `timezone` (default: the court's)."""

    starts_at: WallTime
    timezone: Zone | None = None
    time_known: bool = True
    location: Annotated[str, Limit(limits.LOCATION, required=False)] = ""
    title: Annotated[str, Limit(limits.TITLE)] = "Hearing"


class HearingChanges(Changes):
    """Correct a hearing's details; only the fields sent change (moving it is `Postpone`)."""

    starts_at: WallTime | None = None
    timezone: Zone | None = None
    time_known: bool | None = None
    location: Annotated[str, Limit(limits.LOCATION, required=False)] | None = None
    title: Annotated[str, Limit(limits.TITLE)] | None = None


class Postpone(Command):
    """Move a hearing to `to` on its court's wall clock, or sine die (`to` null)."""

    to: WallTime | None
    reason: Annotated[str, Limit(limits.REASON, required=False)] = ""
    decided_on: Day | None = None
    time_known: bool | None = None
    version: int | None = None


class PostponementChanges(Changes):
    """Correct a postponement recorded wrongly; only the fields sent change. `to` null: sine
    die (the latest move only); `version` is the hearing's."""

    nullable = frozenset({"to", "decided_on"})

    to: WallTime | None = None
    time_known: bool | None = None
    reason: Annotated[str, Limit(limits.REASON, required=False)] | None = None
    decided_on: Day | None = None


class Withdrawal(Command):
    """Withdraw a postponement recorded by mistake: it stays in the ledger, marked, and
    counts for nothing. `version` is the hearing's."""

    version: int
    reason: Annotated[str, Limit(limits.REASON)]


class Outcome(Command):
    """Say what happened: held, adjourned, decided (the hearing took place) or cancelled."""

    result: Annotated[OutcomeResult, Allowed()]
    summary: Annotated[str, Limit(limits.SUMMARY, required=False)] = ""
    version: int | None = None


# --- answers ------------------------------------------------------------------------------


class PostponementOut(pydantic.BaseModel):
    id: int
    hearing_id: int
    from_: str | None = pydantic.Field(alias="from")
    from_time_known: bool
    to: str | None
    to_time_known: bool | None
    sine_die: bool
    reason: str
    decided_on: dt.date | None
    recorded_at: str
    brought_forward: bool = pydantic.Field(
        description="moved to an earlier time: not counted as a postponement"
    )
    recorded_after_the_fact: bool = pydantic.Field(
        description="recorded once the date it moved from (or to) had passed"
    )
    withdrawn_at: str | None = pydantic.Field(
        default=None, description="set when it was withdrawn as recorded by mistake"
    )
    withdrawal_reason: str | None = None

    model_config = pydantic.ConfigDict(populate_by_name=True)


class HearingOut(pydantic.BaseModel):
    id: int
    proceeding_id: int
    title: str
    starts_at: str = pydantic.Field(description="local time in the court's zone, ISO 8601")
    starts_at_utc: str
    date: dt.date
    timezone: str
    time_known: bool
    location: str
    status: str
    outcome: str | None
    outcome_summary: str | None
    sequence: int
    postponements: list[PostponementOut] = pydantic.Field(
        description="the standing moves, in the order they were recorded"
    )
    withdrawn_postponements: list[PostponementOut] = pydantic.Field(
        description="moves withdrawn as recorded by mistake: kept, counted for nothing"
    )
    version: int


def local(instant: dt.datetime | None, zone: str) -> str | None:
    return in_zone(instant, zone).isoformat() if instant else None


def dump_postponement(postponement: Postponement, zone: str) -> PostponementOut:
    return PostponementOut(
        id=postponement.id,
        hearing_id=postponement.hearing_id,
        from_=local(postponement.from_starts_at, zone),
        from_time_known=postponement.from_time_known,
        to=local(postponement.to_starts_at, zone),
        to_time_known=postponement.to_time_known,
        sine_die=postponement.to_starts_at is None,
        reason=postponement.reason,
        decided_on=postponement.decided_on,
        recorded_at=postponement.recorded_at.isoformat(),
        brought_forward=postponement.brought_forward,
        recorded_after_the_fact=postponement.after_the_fact,
        withdrawn_at=postponement.withdrawn_at.isoformat() if postponement.withdrawn_at else None,
        withdrawal_reason=None if postponement.standing else postponement.withdrawal_reason,
    )


def dump(hearing: Hearing) -> HearingOut:
    start = hearing.local_start
    return HearingOut(
        id=hearing.id,
        proceeding_id=hearing.proceeding_id,
        title=hearing.title,
        starts_at=start.isoformat(),
        starts_at_utc=hearing.starts_at.isoformat(),
        date=start.date(),
        timezone=hearing.timezone,
        time_known=hearing.time_known,
        location=hearing.location,
        status=hearing.status.value,
        outcome=hearing.outcome.value if hearing.outcome else None,
        outcome_summary=hearing.outcome_summary,
        sequence=hearing.sequence,
        postponements=[dump_postponement(p, hearing.timezone) for p in hearing.moves],
        withdrawn_postponements=[
            dump_postponement(p, hearing.timezone) for p in hearing.postponements if not p.standing
        ],
        version=hearing.version,
    )
