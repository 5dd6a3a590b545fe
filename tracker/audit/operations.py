"""Write the audit log: every change to a matter's data goes through `record`."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy.orm as so

from tracker.audit.models import AuditEntry
from tracker.core.actors import Actor
from tracker.core.db import Base, snapshot


def record(
    session: so.Session,
    actor: Actor,
    now: dt.datetime,
    action: str,
    obj: Base,
    *,
    matter_id: int | None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEntry:
    """Add an audit entry in the caller's transaction (flushes to get the row's id)."""
    session.flush()
    entry = AuditEntry(
        at=now,
        actor_id=actor.id,
        actor_label=actor.label,
        action=action,
        entity=obj.__tablename__,
        entity_id=obj.id,
        matter_id=matter_id,
        before=before,
        after=after if after is not None else snapshot(obj),
    )
    session.add(entry)
    return entry


def diff(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict, dict]:
    """Keep only the fields that changed (version and timestamps aside)."""
    ignored = {"version", "updated_at"}
    changed = [k for k in after if before.get(k) != after[k] and k not in ignored]
    return {k: before.get(k) for k in changed}, {k: after[k] for k in changed}
