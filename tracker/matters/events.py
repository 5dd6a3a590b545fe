"""Events of a proceeding: what happened, when (to the day, month or year), and where it
is written. Correcting an event's date moves the deadlines it triggers, in the same
transaction: this module sits above the deadlines' operations for that.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy.orm as so

from tracker.audit import edits
from tracker.audit import operations as audit
from tracker.core.actors import Actor
from tracker.deadlines import operations as deadlines
from tracker.matters import operations as matters
from tracker.matters.models import Event, Proceeding
from tracker.matters.schemas import EventChanges, NewEvent


def create_event(
    session: so.Session,
    actor: Actor,
    now: dt.datetime,
    proceeding: Proceeding,
    command: NewEvent,
) -> Event:
    occurred_on, precision = matters.partial_date(command, "occurred_on", None)
    event = Event(
        proceeding=proceeding,
        kind=command.kind,
        occurred_on=occurred_on,
        precision=precision,
        summary=command.summary,
        source=command.source or None,
    )
    session.add(event)
    audit.record(session, actor, now, "create", event, matter_id=proceeding.matter_id)
    return event


def update_event(
    session: so.Session,
    actor: Actor,
    now: dt.datetime,
    event: Event,
    command: EventChanges,
) -> Event:
    """Correct an event; the deadlines it triggers move with it, in the same transaction."""
    edits.check_version(event, command.version)
    values = command.changes()
    if command.sent("source"):
        values["source"] = values["source"] or None
    if command.sent("occurred_on") or command.sent("precision"):
        values["occurred_on"], values["precision"] = matters.partial_date(
            command, "occurred_on", event.occurred_on
        )
    before = (event.occurred_on, event.precision)
    edits.apply(session, actor, now, event, values, matter_id=event.proceeding.matter_id)
    if (event.occurred_on, event.precision) != before:
        deadlines.recompute_for_event(session, actor, now, event)
    return event
