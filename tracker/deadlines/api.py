"""JSON API: deadlines."""

from __future__ import annotations

from tracker import web
from tracker.core import clock
from tracker.deadlines import checks, operations
from tracker.deadlines.schemas import DeadlineChanges, DeadlineOut, NewDeadline, dump
from tracker.matters import operations as matters
from tracker.notifications import invitations
from tracker.web import api

bp = api.blueprint("deadlines_api")


@bp.post("/proceedings/<int:proceeding_id>/deadlines")
def create_deadline(proceeding_id: int, body: NewDeadline) -> api.Created[DeadlineOut]:
    """Set a deadline by hand ({title, due_on}) or compute it ({rule, trigger_event_id})."""
    session, actor = web.session(), api.actor()
    proceeding = matters.get_proceeding(session, actor, proceeding_id)
    deadline = operations.create_deadline(session, actor, clock.now(), proceeding, body)
    session.flush()
    warnings = checks.for_deadline(session, deadline)
    api.commit()
    return api.Created(dump(deadline, warnings))


@bp.get("/deadlines/<int:deadline_id>")
def get_deadline(deadline_id: int) -> DeadlineOut:
    """One deadline with its explanation."""
    return dump(operations.get_deadline(web.session(), api.actor(), deadline_id))


@bp.patch("/deadlines/<int:deadline_id>")
def update_deadline(deadline_id: int, body: DeadlineChanges) -> DeadlineOut:
    """Mark done or waived, reopen, retitle, or override the due date."""
    session, actor = web.session(), api.actor()
    deadline = operations.get_deadline(session, actor, deadline_id)
    invitations.deadlines_changing(
        session,
        [deadline],
        web.settings(),
        lambda: operations.update_deadline(session, actor, clock.now(), deadline, body),
    )
    warnings = checks.for_deadline(session, deadline) if body.due_on is not None else []
    api.commit()
    return dump(deadline, warnings)
