"""The shared shape of an edit: check the version, apply the changes, audit the diff."""

from __future__ import annotations

import datetime as dt
from typing import Any, Protocol

import sqlalchemy.orm as so

from tracker.audit import operations as audit
from tracker.core.actors import Actor
from tracker.core.db import Base, Timestamped, snapshot
from tracker.core.errors import StaleVersion


class Editable(Protocol):
    """A row that people edit: it has an id and a version (optimistic locking)."""

    __tablename__: str

    @property
    def id(self) -> int: ...

    @property
    def version(self) -> int: ...


def check_version(obj: Editable, version: int | None) -> None:
    """Refuse an edit made from an older copy of the row (409)."""
    if version is not None and version != obj.version:
        raise StaleVersion(
            f"{obj.__tablename__} {obj.id} is at version {obj.version}, not {version}: "
            "someone else changed it; reload it and try again",
            field="version",
        )


def apply(
    session: so.Session,
    actor: Actor,
    now: dt.datetime,
    obj: Base,
    changes: dict[str, Any],
    *,
    matter_id: int | None,
    action: str = "update",
) -> bool:
    """Set attributes, flush (the version check runs here; `batched`, at the caller's
    flush), audit what changed."""
    before = snapshot(obj)
    for name, value in changes.items():
        setattr(obj, name, value)
    old, new = audit.diff(before, snapshot(obj))
    if not new:
        return False
    if isinstance(obj, Timestamped):
        obj.updated_at = now
    if not audit.batching(session):
        session.flush()
    audit.record(session, actor, now, action, obj, matter_id=matter_id, before=old, after=new)
    return True
