"""Deadlines: set by hand, and marked done or waived."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy.orm as so

from tracker.audit import operations as audit
from tracker.core import edits, fields
from tracker.core.actors import Actor
from tracker.core.errors import Invalid, NotFound
from tracker.deadlines.models import Deadline, DeadlineStatus
from tracker.matters.models import Proceeding
from tracker.users import access


def get_deadline(session: so.Session, actor: Actor, deadline_id: int) -> Deadline:
    deadline = session.get(Deadline, deadline_id)
    if deadline is None or not access.may_see_matter(session, actor, deadline.proceeding.matter_id):
        raise NotFound(f"no deadline {deadline_id}")
    return deadline


def create_deadline(
    session: so.Session,
    actor: Actor,
    now: dt.datetime,
    proceeding: Proceeding,
    data: dict[str, Any],
) -> Deadline:
    """A deadline set by hand: {title, due_on}."""
    if "rule" in data or "trigger_event_id" in data:
        raise Invalid("deadline rules are not available yet: give title and due_on", field="rule")
    due_on = fields.date(data.get("due_on"), "due_on")
    if due_on is None:
        raise Invalid("due_on: this field is required", field="due_on")
    deadline = Deadline(
        proceeding=proceeding,
        title=fields.text(data.get("title"), "title"),
        due_on=due_on,
        explanation=fields.text(
            data.get("explanation"), "explanation", max_length=5000, required=False
        )
        or "Set by hand.",
    )
    session.add(deadline)
    audit.record(session, actor, now, "create", deadline, matter_id=proceeding.matter_id)
    return deadline


def update_deadline(
    session: so.Session,
    actor: Actor,
    now: dt.datetime,
    deadline: Deadline,
    *,
    version: int | None,
    changes: dict[str, Any],
) -> Deadline:
    """Mark done or waived, reopen, retitle, or override the due date by hand."""
    edits.check_version(deadline, version)
    values: dict[str, Any] = {}
    if "title" in changes:
        values["title"] = fields.text(changes["title"], "title")
    if "due_on" in changes:
        due_on = fields.date(changes["due_on"], "due_on")
        if due_on is None:
            raise Invalid("due_on cannot be empty", field="due_on")
        values["due_on"] = due_on
    if "status" in changes:
        status = fields.choice(DeadlineStatus, changes["status"], "status")
        values["status"] = status
        if status != deadline.status:
            values["completed_at"] = None if status is DeadlineStatus.open else now
    edits.apply(session, actor, now, deadline, values, matter_id=deadline.proceeding.matter_id)
    return deadline
