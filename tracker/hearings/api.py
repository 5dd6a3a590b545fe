"""JSON API: hearings, postponements, outcomes."""

from __future__ import annotations

from tracker import web
from tracker.core import clock
from tracker.hearings import corrections, operations
from tracker.hearings.schemas import (
    HearingChanges,
    HearingOut,
    NewHearing,
    Outcome,
    Postpone,
    PostponementChanges,
    Withdrawal,
    dump,
)
from tracker.matters import operations as matters
from tracker.notifications import invitations
from tracker.web import api

bp = api.blueprint("hearings_api")


@bp.post("/proceedings/<int:proceeding_id>/hearings")
def create_hearing(proceeding_id: int, body: NewHearing) -> api.Created[HearingOut]:
    """Set a hearing at a local time in the court's zone."""
    session, actor = web.session(), api.actor()
    proceeding = matters.get_proceeding(session, actor, proceeding_id)
    hearing = operations.schedule_hearing(session, actor, clock.now(), proceeding, body)
    api.commit()
    return api.Created(dump(hearing))


@bp.get("/hearings/<int:hearing_id>")
def get_hearing(hearing_id: int) -> HearingOut:
    """One hearing with its postponement ledger."""
    return dump(operations.get_hearing(web.session(), api.actor(), hearing_id))


@bp.patch("/hearings/<int:hearing_id>")
def update_hearing(hearing_id: int, body: HearingChanges) -> HearingOut:
    """Correct a hearing's details (to move it, postpone it)."""
    session, actor = web.session(), api.actor()
    hearing = operations.get_hearing(session, actor, hearing_id)
    invitations.changing(
        session,
        hearing,
        web.settings(),
        lambda: operations.update_hearing(session, actor, clock.now(), hearing, body),
    )
    api.commit()
    return dump(hearing)


@bp.post("/hearings/<int:hearing_id>/postpone")
def postpone_hearing(hearing_id: int, body: Postpone) -> HearingOut:
    """Move a hearing to a new local time, or sine die (to: null)."""
    session, actor = web.session(), api.actor()
    hearing = operations.get_hearing(session, actor, hearing_id)
    invitations.changing(
        session,
        hearing,
        web.settings(),
        lambda: operations.postpone(session, actor, clock.now(), hearing, body),
    )
    api.commit()
    return dump(hearing)


@bp.patch("/postponements/<int:postponement_id>")
def correct_postponement(postponement_id: int, body: PostponementChanges) -> HearingOut:
    """Correct a postponement recorded wrongly (version: the hearing's); the hearing follows."""
    session, actor = web.session(), api.actor()
    move = corrections.get_postponement(session, actor, postponement_id)
    invitations.changing(
        session,
        move.hearing,
        web.settings(),
        lambda: corrections.correct_postponement(session, actor, clock.now(), move, body),
    )
    api.commit()
    return dump(move.hearing)


@bp.post("/postponements/<int:postponement_id>/withdraw")
def withdraw_postponement(postponement_id: int, body: Withdrawal) -> HearingOut:
    """Withdraw a postponement recorded by mistake: kept, marked, counted for nothing."""
    session, actor = web.session(), api.actor()
    move = corrections.get_postponement(session, actor, postponement_id)
    invitations.changing(
        session,
        move.hearing,
        web.settings(),
        lambda: corrections.withdraw_postponement(session, actor, clock.now(), move, body),
    )
    api.commit()
    return dump(move.hearing)


@bp.post("/hearings/<int:hearing_id>/outcome")
def record_outcome(hearing_id: int, body: Outcome) -> HearingOut:
    """Record what happened at a hearing."""
    session, actor = web.session(), api.actor()
    hearing = operations.get_hearing(session, actor, hearing_id)
    invitations.changing(
        session,
        hearing,
        web.settings(),
        lambda: operations.record_outcome(session, actor, clock.now(), hearing, body),
    )
    api.commit()
    return dump(hearing)
