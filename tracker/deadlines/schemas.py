"""What the API answers about a deadline."""

from __future__ import annotations

import datetime as dt

import pydantic

from tracker.deadlines.enums import DeadlineStatus
from tracker.deadlines.models import Deadline


class DeadlineOut(pydantic.BaseModel):
    id: int
    proceeding_id: int
    title: str
    due_on: dt.date
    status: DeadlineStatus
    rule: str | None
    trigger_event_id: int | None
    computed_due_on: dt.date | None
    overridden: bool
    explanation: str
    version: int


def dump(deadline: Deadline) -> DeadlineOut:
    return DeadlineOut(
        id=deadline.id,
        proceeding_id=deadline.proceeding_id,
        title=deadline.title,
        due_on=deadline.due_on,
        status=deadline.status,
        rule=deadline.rule.code if deadline.rule else None,
        trigger_event_id=deadline.trigger_event_id,
        computed_due_on=deadline.computed_due_on,
        overridden=deadline.overridden,
        explanation=deadline.explanation,
        version=deadline.version,
    )
