"""Events of a proceeding: what happened, when (to the day, month or year), and where it
is written. Correcting an event's date moves the deadlines it triggers, in the same
transaction: this module sits above the deadlines' operations for that.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy.orm as so

from tracker.audit import operations as audit
from tracker.core import edits, fields, limits
from tracker.core.actors import Actor
from tracker.core.errors import Invalid
from tracker.deadlines import operations as deadlines
from tracker.matters import operations as matters
from tracker.matters.models import Event, Proceeding


def _event_values(data: dict[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    if "kind" in data:
        kind = fields.text(data["kind"], "kind", max_length=limits.KIND).lower()
        if not kind.replace("_", "").isalnum():
            raise Invalid(
                f"{kind!r} is not an event kind (a word like request_received)", field="kind"
            )
        values["kind"] = kind
    if "occurred_on" in data or "precision" in data:
        if data.get("occurred_on") is None:
            raise Invalid("occurred_on: this field is required", field="occurred_on")
        values["occurred_on"], values["precision"] = fields.partial_date(
            data["occurred_on"], "occurred_on", data.get("precision")
        )
    if "summary" in data:
        values["summary"] = fields.text(
            data["summary"], "summary", max_length=limits.SUMMARY, required=False
        )
    if "source" in data:
        values["source"] = (
            fields.text(data["source"], "source", max_length=limits.SOURCE, required=False) or None
        )
    return values


def create_event(
    session: so.Session,
    actor: Actor,
    now: dt.datetime,
    proceeding: Proceeding,
    data: dict[str, Any],
) -> Event:
    for name in ("kind", "occurred_on"):
        if data.get(name) in (None, ""):
            raise Invalid(f"{name}: this field is required", field=name)
    event = Event(proceeding=proceeding, **_event_values(data))
    session.add(event)
    audit.record(session, actor, now, "create", event, matter_id=proceeding.matter_id)
    return event


def update_event(
    session: so.Session,
    actor: Actor,
    now: dt.datetime,
    event: Event,
    *,
    version: int | None,
    changes: dict[str, Any],
) -> Event:
    """Correct an event; the deadlines it triggers move with it, in the same transaction."""
    edits.check_version(event, version)
    if "precision" in changes and "occurred_on" not in changes:
        changes = changes | {"occurred_on": matters.reformat(event.occurred_on, changes)}
    before = (event.occurred_on, event.precision)
    edits.apply(
        session, actor, now, event, _event_values(changes), matter_id=event.proceeding.matter_id
    )
    if (event.occurred_on, event.precision) != before:
        deadlines.recompute_for_event(session, actor, now, event)
    return event
