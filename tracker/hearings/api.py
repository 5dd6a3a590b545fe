"""JSON API: hearings, postponements, outcomes."""

from __future__ import annotations

from flask import jsonify

from tracker import api
from tracker.core import clock, web
from tracker.core.dates import in_zone
from tracker.hearings import operations
from tracker.hearings.models import Hearing, Postponement
from tracker.matters import operations as matters
from tracker.matters.api import changes

bp = api.blueprint("hearings_api")


class HearingIn(api.Body):
    starts_at: str
    timezone: str | None = None
    time_known: bool = True
    location: str = ""
    title: str = "Hearing"


class HearingPatch(api.Body):
    version: int
    starts_at: str | None = None
    timezone: str | None = None
    time_known: bool | None = None
    location: str | None = None
    title: str | None = None


class PostponeIn(api.Body):
    to: str | None
    reason: str = ""
    decided_on: str | None = None
    time_known: bool | None = None
    version: int | None = None


class OutcomeIn(api.Body):
    result: str
    summary: str = ""
    version: int | None = None


def local(instant, zone: str) -> str | None:
    return in_zone(instant, zone).isoformat() if instant else None


def dump_postponement(postponement: Postponement, zone: str) -> dict:
    return {
        "id": postponement.id,
        "hearing_id": postponement.hearing_id,
        "from": local(postponement.from_starts_at, zone),
        "from_time_known": postponement.from_time_known,
        "to": local(postponement.to_starts_at, zone),
        "to_time_known": postponement.to_time_known,
        "sine_die": postponement.to_starts_at is None,
        "reason": postponement.reason,
        "decided_on": postponement.decided_on.isoformat() if postponement.decided_on else None,
        "recorded_at": postponement.recorded_at.isoformat(),
    }


def dump(hearing: Hearing) -> dict:
    start = hearing.local_start
    return {
        "id": hearing.id,
        "proceeding_id": hearing.proceeding_id,
        "title": hearing.title,
        "starts_at": start.isoformat(),
        "starts_at_utc": hearing.starts_at.isoformat(),
        "date": start.date().isoformat(),
        "timezone": hearing.timezone,
        "time_known": hearing.time_known,
        "location": hearing.location,
        "status": hearing.status.value,
        "outcome": hearing.outcome.value if hearing.outcome else None,
        "outcome_summary": hearing.outcome_summary,
        "sequence": hearing.sequence,
        "postponements": [dump_postponement(p, hearing.timezone) for p in hearing.postponements],
        "version": hearing.version,
    }


@bp.post("/proceedings/<int:proceeding_id>/hearings")
def create_hearing(proceeding_id: int):
    """Set a hearing at a local time in the court's zone."""
    session, actor = web.session(), api.actor()
    proceeding = matters.get_proceeding(session, actor, proceeding_id)
    data = api.body(HearingIn).model_dump()
    hearing = operations.schedule_hearing(session, actor, clock.now(), proceeding, data)
    api.commit()
    return api.created(dump(hearing))


@bp.get("/hearings/<int:hearing_id>")
def get_hearing(hearing_id: int):
    """One hearing with its postponement ledger."""
    return jsonify(dump(operations.get_hearing(web.session(), api.actor(), hearing_id)))


@bp.patch("/hearings/<int:hearing_id>")
def update_hearing(hearing_id: int):
    """Correct a hearing's details (to move it, postpone it)."""
    session, actor = web.session(), api.actor()
    hearing = operations.get_hearing(session, actor, hearing_id)
    patch = api.body(HearingPatch)
    operations.update_hearing(
        session, actor, clock.now(), hearing, version=patch.version, changes=changes(patch)
    )
    api.commit()
    return jsonify(dump(hearing))


@bp.post("/hearings/<int:hearing_id>/postpone")
def postpone_hearing(hearing_id: int):
    """Move a hearing to a new local time, or sine die (to: null)."""
    session, actor = web.session(), api.actor()
    hearing = operations.get_hearing(session, actor, hearing_id)
    data = api.body(PostponeIn)
    operations.postpone(session, actor, clock.now(), hearing, **data.model_dump())
    api.commit()
    return jsonify(dump(hearing))


@bp.post("/hearings/<int:hearing_id>/outcome")
def record_outcome(hearing_id: int):
    """Record what happened at a hearing."""
    session, actor = web.session(), api.actor()
    hearing = operations.get_hearing(session, actor, hearing_id)
    data = api.body(OutcomeIn)
    operations.record_outcome(session, actor, clock.now(), hearing, **data.model_dump())
    api.commit()
    return jsonify(dump(hearing))
