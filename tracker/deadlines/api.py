"""JSON API: deadlines."""

from __future__ import annotations

from flask import jsonify

from tracker import web
from tracker.core import clock
from tracker.deadlines import operations
from tracker.deadlines.models import Deadline
from tracker.matters import operations as matters
from tracker.matters.api import changes
from tracker.web import api

bp = api.blueprint("deadlines_api")


class DeadlineIn(api.Body):
    title: str | None = None
    due_on: str | None = None
    explanation: str | None = None
    rule: str | None = None
    trigger_event_id: api.Id | None = None


class DeadlinePatch(api.Body):
    version: int
    title: str | None = None
    due_on: str | None = None
    status: str | None = None


def dump(deadline: Deadline) -> dict:
    return {
        "id": deadline.id,
        "proceeding_id": deadline.proceeding_id,
        "title": deadline.title,
        "due_on": deadline.due_on.isoformat(),
        "status": deadline.status.value,
        "rule": deadline.rule.code if deadline.rule else None,
        "trigger_event_id": deadline.trigger_event_id,
        "computed_due_on": deadline.computed_due_on.isoformat()
        if deadline.computed_due_on
        else None,
        "overridden": deadline.overridden,
        "explanation": deadline.explanation,
        "version": deadline.version,
    }


@bp.post("/proceedings/<int:proceeding_id>/deadlines")
def create_deadline(proceeding_id: int):
    """Set a deadline by hand: {title, due_on}."""
    session, actor = web.session(), api.actor()
    proceeding = matters.get_proceeding(session, actor, proceeding_id)
    data = api.body(DeadlineIn).model_dump(exclude_unset=True)
    deadline = operations.create_deadline(session, actor, clock.now(), proceeding, data)
    api.commit()
    return api.created(dump(deadline))


@bp.get("/deadlines/<int:deadline_id>")
def get_deadline(deadline_id: int):
    """One deadline with its explanation."""
    return jsonify(dump(operations.get_deadline(web.session(), api.actor(), deadline_id)))


@bp.patch("/deadlines/<int:deadline_id>")
def update_deadline(deadline_id: int):
    """Mark done or waived, or override the due date."""
    session, actor = web.session(), api.actor()
    deadline = operations.get_deadline(session, actor, deadline_id)
    patch = api.body(DeadlinePatch)
    operations.update_deadline(
        session, actor, clock.now(), deadline, version=patch.version, changes=changes(patch)
    )
    api.commit()
    return jsonify(dump(deadline))
