"""Write the audit log: every change to a matter's data goes through `record`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from tracker.audit.models import AuditEntry
from tracker.core.actors import Actor
from tracker.core.db import Base, row_id, snapshot
from tracker.matters.models import Matter


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
        entity_id=row_id(obj),
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


# --- reading (the audit page) -------------------------------------------------------------


#: entries per page of the audit page
PAGE_SIZE = 50


@dataclass(frozen=True)
class AuditPage:
    """Up to `size` entries older than `before` (newest first), and where the next page starts."""

    rows: Sequence[sa.Row]
    #: the id to pass as `before` for the next (older) page; None on the last page
    next_before: int | None


def entries(
    session: so.Session,
    *,
    matter: str | None = None,
    actor_id: int | None = None,
    entity: str | None = None,
    action: str | None = None,
    before: int | None = None,
    size: int | None = None,
) -> AuditPage:
    """One page of the log, newest first; one query (keyset on the id).

    `matter` is a matter's id, or words of its title (every matter whose title has them).
    """
    size = size or PAGE_SIZE
    query = (
        sa.select(
            AuditEntry.id,
            AuditEntry.at,
            AuditEntry.actor_id,
            AuditEntry.actor_label,
            AuditEntry.action,
            AuditEntry.entity,
            AuditEntry.entity_id,
            AuditEntry.matter_id,
            AuditEntry.before,
            AuditEntry.after,
            Matter.title.label("matter_title"),
        )
        .outerjoin(Matter, Matter.id == AuditEntry.matter_id)
        .order_by(AuditEntry.id.desc())
        .limit(size + 1)
    )
    matter = (matter or "").strip()
    if matter.isdigit():
        query = query.where(AuditEntry.matter_id == int(matter))
    elif matter:
        titled = sa.select(Matter.id).where(
            sa.func.lower(Matter.title).contains(matter.lower(), autoescape=True)
        )
        query = query.where(AuditEntry.matter_id.in_(titled))
    if actor_id is not None:
        query = query.where(AuditEntry.actor_id == actor_id)
    if entity:
        query = query.where(AuditEntry.entity == entity)
    if action:
        query = query.where(AuditEntry.action == action)
    if before is not None:
        query = query.where(AuditEntry.id < before)
    rows = session.execute(query).all()
    more = len(rows) > size
    rows = rows[:size]
    return AuditPage(rows, rows[-1].id if more else None)
