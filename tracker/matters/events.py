"""Events of a proceeding: what happened, when (to the day, month or year), and where it
is written. Correcting an event's date moves the deadlines it triggers, in the same
transaction, and withdrawing an event waives them; recording, correcting or withdrawing an
event also decides which authority's time limits it meets: this module sits above the
deadlines' operations for that.

An event is a fact that happened: its date (the first day of its month or year) is not
after today in its proceeding's country. What is to come is a hearing or a deadline.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy.orm as so

from tracker.audit import edits
from tracker.audit import operations as audit
from tracker.core.actors import Actor
from tracker.core.dates import Precision, format_partial, in_zone
from tracker.core.errors import Conflict, Invalid
from tracker.deadlines import operations as deadlines
from tracker.matters import operations as matters
from tracker.matters.models import Event, Proceeding
from tracker.matters.schemas import EventChanges, EventWithdrawal, NewEvent


def check_happened(
    now: dt.datetime, proceeding: Proceeding, occurred_on: dt.date, precision: Precision
) -> None:
    """422 if the event's date (its period's first day) is after today where it happened."""
    today = in_zone(now, proceeding.jurisdiction.timezone).date()
    if occurred_on > today:
        written = format_partial(occurred_on, precision)
        raise Invalid(
            f"occurred_on: {written} is in the future — an event is something that happened; "
            "a future date is a hearing or a deadline",
            field="occurred_on",
        )


def create_event(
    session: so.Session,
    actor: Actor,
    now: dt.datetime,
    proceeding: Proceeding,
    command: NewEvent,
    *,
    follow: bool = True,
) -> Event:
    """Record the event; the authority's time limits it meets are marked met, unless
    `follow` is false: then the caller does it once for all the events it records
    (`deadlines.meet_authority_deadlines`), as an import does."""
    occurred_on, precision = matters.partial_date(command, "occurred_on", None)
    assert occurred_on is not None  # the command requires it
    check_happened(now, proceeding, occurred_on, precision)
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
    if follow:
        deadlines.meet_authority_deadlines(session, actor, now, {proceeding.id})
    return event


def _require_standing(event: Event) -> None:
    if not event.standing:
        raise Conflict(
            f"event {event.id} was withdrawn (recorded by mistake): it cannot be changed; "
            "record the event again if it did happen"
        )


def new_date(event: Event, command: EventChanges) -> tuple[dt.date, Precision]:
    """The date and precision the correction gives the event (its own if it sends none)."""
    if not (command.sent("occurred_on") or command.sent("precision")):
        return event.occurred_on, event.precision
    occurred_on, precision = matters.partial_date(command, "occurred_on", event.occurred_on)
    assert occurred_on is not None  # occurred_on cannot be null
    return occurred_on, precision


def update_event(
    session: so.Session,
    actor: Actor,
    now: dt.datetime,
    event: Event,
    command: EventChanges,
) -> Event:
    """Correct an event; the deadlines it triggers move with it, in the same transaction."""
    _require_standing(event)
    edits.check_version(event, command.version)
    values = command.changes()
    if command.sent("source"):
        values["source"] = values["source"] or None
    if command.sent("occurred_on") or command.sent("precision"):
        values["occurred_on"], values["precision"] = new_date(event, command)
        check_happened(now, event.proceeding, values["occurred_on"], values["precision"])
    before = (event.occurred_on, event.precision)
    changed = edits.apply(session, actor, now, event, values, matter_id=event.proceeding.matter_id)
    if (event.occurred_on, event.precision) != before:
        deadlines.recompute_for_event(session, actor, now, event)
    if changed:  # its new kind or date may meet an authority's time limit, or no longer
        deadlines.meet_authority_deadlines(
            session, actor, now, deadlines.proceedings_of(session, event)
        )
    return event


def preview_update(
    session: so.Session, now: dt.datetime, event: Event, command: EventChanges
) -> list[deadlines.Move]:
    """The deadlines `update_event` would move, refused as it would be; nothing written."""
    _require_standing(event)
    edits.check_version(event, command.version)
    occurred_on, precision = new_date(event, command)
    check_happened(now, event.proceeding, occurred_on, precision)
    return deadlines.moves_for_event(session, event, occurred_on, precision)


def preview_withdrawal(session: so.Session, event: Event) -> list[deadlines.Move]:
    """The open deadlines withdrawing the event would waive (`after` None)."""
    found = deadlines.triggered_by(session, event, open_only=True)
    return [deadlines.Move(deadline, deadline.due_on, None) for deadline in found]


def withdraw_event(
    session: so.Session,
    actor: Actor,
    now: dt.datetime,
    event: Event,
    command: EventWithdrawal,
) -> Event:
    """Withdraw an event recorded by mistake: the row stays, marked with who, when and
    why; the open deadlines it triggered are waived (those done stay done)."""
    _require_standing(event)
    edits.check_version(event, command.version)
    values = {"withdrawn_at": now, "withdrawn_by_id": actor.id, "withdrawal_reason": command.reason}
    matter_id = event.proceeding.matter_id
    edits.apply(session, actor, now, event, values, matter_id=matter_id, action="withdraw")
    deadlines.waive_for_event(session, actor, now, event)
    deadlines.meet_authority_deadlines(
        session, actor, now, deadlines.proceedings_of(session, event)
    )
    return event
