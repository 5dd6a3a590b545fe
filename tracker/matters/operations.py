"""Matters, proceedings and events: the writes, and the reads that check access."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from tracker.audit import operations as audit
from tracker.core import edits, fields, limits
from tracker.core.actors import Actor
from tracker.core.dates import Precision, format_partial
from tracker.core.db import snapshot
from tracker.core.errors import Invalid, NotFound
from tracker.jurisdictions import operations as jurisdictions
from tracker.matters.models import (
    ClientRole,
    Event,
    Matter,
    Person,
    Proceeding,
    ProceedingKind,
    ProceedingStatus,
)
from tracker.users import access
from tracker.users.models import Role, User

MATTER_CREATORS = (Role.admin, Role.coordinator, Role.staff)

# --- reads --------------------------------------------------------------------------------


def get_matter(session: so.Session, actor: Actor, matter_id: int) -> Matter:
    """The matter, or 404 — also when the actor may not see it (no existence leak)."""
    matter = session.get(Matter, matter_id)
    if matter is None or not access.may_see_matter(session, actor, matter_id):
        raise NotFound(f"no matter {matter_id}")
    return matter


def get_proceeding(
    session: so.Session, actor: Actor, proceeding_id: int, field: str | None = None
) -> Proceeding:
    proceeding = session.get(Proceeding, proceeding_id)
    if proceeding is None or not access.may_see_matter(session, actor, proceeding.matter_id):
        error = Invalid if field else NotFound
        raise error(f"no proceeding {proceeding_id}", field=field)
    return proceeding


def get_event(session: so.Session, actor: Actor, event_id: int, field: str | None = None) -> Event:
    event = session.get(Event, event_id)
    if event is None or not access.may_see_matter(session, actor, event.proceeding.matter_id):
        error = Invalid if field else NotFound
        raise error(f"no event {event_id}", field=field)
    return event


def load_contents(session: so.Session, proceeding: Proceeding) -> None:
    """Load a proceeding's hearings (with postponements), events and deadlines at once."""
    from tracker.deadlines.models import Deadline
    from tracker.hearings.models import Hearing

    session.scalars(
        sa.select(Proceeding)
        .where(Proceeding.id == proceeding.id)
        .options(
            so.selectinload(Proceeding.hearings).selectinload(Hearing.postponements),
            so.selectinload(Proceeding.events),
            so.selectinload(Proceeding.deadlines).joinedload(Deadline.rule),
        )
        .execution_options(populate_existing=True)
    ).one()


def list_matters(session: so.Session, actor: Actor) -> list[Matter]:
    return list(
        session.scalars(
            sa.select(Matter)
            .where(access.matter_filter(actor, Matter.id))
            .options(so.selectinload(Matter.assignees), so.selectinload(Matter.subject))
            .order_by(Matter.title)
        )
    )


def list_proceedings(
    session: so.Session, actor: Actor, matter_id: int | None = None
) -> list[Proceeding]:
    query = (
        sa.select(Proceeding)
        .where(access.matter_filter(actor, Proceeding.matter_id))
        .options(so.joinedload(Proceeding.jurisdiction), so.joinedload(Proceeding.authority))
        # undated last on SQLite too (it sorts NULL first, PostgreSQL last)
        .order_by(Proceeding.matter_id, Proceeding.opened_on.asc().nulls_last(), Proceeding.id)
    )
    if matter_id is not None:
        query = query.where(Proceeding.matter_id == matter_id)
    return list(session.scalars(query))


# --- matters ------------------------------------------------------------------------------


def _assignees(session: so.Session, emails: list[str]) -> list[User]:
    wanted = {email.strip().lower() for email in emails}
    users = list(session.scalars(sa.select(User).where(User.email.in_(wanted))))
    missing = wanted - {user.email for user in users}
    if missing:
        raise Invalid(f"no user with email {', '.join(sorted(missing))}", field="assignees")
    return users


def create_matter(
    session: so.Session,
    actor: Actor,
    now: dt.datetime,
    *,
    title: str,
    subject: str | None = None,
    summary: str = "",
    assignees: list[str] = (),
    key: str | None = None,
) -> Matter:
    access.require_role(actor, *MATTER_CREATORS, doing="create matters")
    matter = Matter(
        title=fields.text(title, "title", max_length=limits.TITLE),
        summary=fields.text(summary, "summary", max_length=limits.SUMMARY, required=False),
        key=key,
        assignees=_assignees(session, list(assignees)),
    )
    if subject and subject.strip():
        matter.subject = Person(name=fields.text(subject, "subject", max_length=limits.NAME))
    session.add(matter)
    session.flush()
    after = snapshot(matter) | {
        "subject": subject,
        "assignees": [u.email for u in matter.assignees],
    }
    audit.record(session, actor, now, "create", matter, matter_id=matter.id, after=after)
    return matter


def update_matter(
    session: so.Session,
    actor: Actor,
    now: dt.datetime,
    matter: Matter,
    *,
    version: int | None,
    changes: dict[str, Any],
) -> Matter:
    edits.check_version(matter, version)
    values: dict[str, Any] = {}
    if "title" in changes:
        values["title"] = fields.text(changes["title"], "title", max_length=limits.TITLE)
    if "summary" in changes:
        values["summary"] = fields.text(
            changes["summary"], "summary", max_length=limits.SUMMARY, required=False
        )
    updated = edits.apply(session, actor, now, matter, values, matter_id=matter.id)
    if "assignees" in changes:
        before = sorted(u.email for u in matter.assignees)
        matter.assignees = _assignees(session, changes["assignees"] or [])
        after = sorted(u.email for u in matter.assignees)
        if before != after:
            matter.updated_at = now  # touch the row so its version moves too
            if not updated:  # (once per edit; and even when the clock has not moved)
                so.attributes.flag_modified(matter, "updated_at")
            session.flush()
            audit.record(
                session,
                actor,
                now,
                "assign",
                matter,
                matter_id=matter.id,
                before={"assignees": before},
                after={"assignees": after},
            )
    return matter


# --- proceedings --------------------------------------------------------------------------


def _link(
    session: so.Session, actor: Actor, link_id: int | None, field: str, matter_id: int | None
) -> int | None:
    """Check a parent_id / origin_id: it exists and (for a parent) is in the same matter."""
    if link_id is None:
        return None
    linked = get_proceeding(session, actor, link_id, field=field)
    if matter_id is not None and linked.matter_id != matter_id:
        raise Invalid(f"proceeding {link_id} belongs to another matter", field=field)
    return linked.id


def _check_no_cycle(session: so.Session, proceeding: Proceeding, parent_id: int | None) -> None:
    seen = {proceeding.id}
    while parent_id is not None:
        if parent_id in seen:
            raise Invalid("a proceeding cannot be its own ancestor", field="parent_id")
        seen.add(parent_id)
        parent_id = session.scalar(
            sa.select(Proceeding.parent_id).where(Proceeding.id == parent_id)
        )


def _proceeding_values(
    session: so.Session,
    actor: Actor,
    now: dt.datetime,
    data: dict[str, Any],
    matter_id: int,
    jurisdiction_id: int | None,
) -> dict[str, Any]:
    """Turn API-shaped input into column values, checking each field."""
    values: dict[str, Any] = {}
    if "jurisdiction" in data:
        jurisdiction = jurisdictions.by_code(session, data["jurisdiction"])
        values["jurisdiction_id"] = jurisdiction_id = jurisdiction.id
    if "authority" in data:
        name = fields.text(data["authority"], "authority", max_length=limits.NAME, required=False)
        values["authority_id"] = None
        if name:
            jurisdiction = jurisdictions.get(session, jurisdiction_id)
            values["authority_id"] = jurisdictions.authority(
                session, actor, now, jurisdiction, name
            ).id
    if "kind" in data:
        values["kind"] = fields.choice(ProceedingKind, data["kind"], "kind")
    if "title" in data:
        values["title"] = fields.text(data["title"], "title", max_length=limits.TITLE)
    if "reference" in data:
        values["reference"] = (
            fields.text(data["reference"], "reference", max_length=limits.REFERENCE, required=False)
            or None
        )
    if "client_role" in data:
        values["client_role"] = fields.choice(ClientRole, data["client_role"], "client_role")
    if "status" in data:
        values["status"] = fields.choice(ProceedingStatus, data["status"], "status")
    if "opened_on" in data or "precision" in data:
        opened, precision = fields.partial_date(
            data.get("opened_on"), "opened_on", data.get("precision")
        )
        values["opened_on"], values["opened_precision"] = opened, precision
    if "closed_on" in data:
        values["closed_on"] = fields.date(data["closed_on"], "closed_on")
    if "parent_id" in data:
        values["parent_id"] = _link(session, actor, data["parent_id"], "parent_id", matter_id)
    if "origin_id" in data:
        values["origin_id"] = _link(session, actor, data["origin_id"], "origin_id", None)
    return values


REQUIRED_PROCEEDING_FIELDS = ("jurisdiction", "kind", "title", "client_role")


def create_proceeding(
    session: so.Session, actor: Actor, now: dt.datetime, matter: Matter, data: dict[str, Any]
) -> Proceeding:
    """Open a proceeding in a matter; `data` has the API's field names."""
    for name in REQUIRED_PROCEEDING_FIELDS:
        if data.get(name) in (None, ""):
            raise Invalid(f"{name}: this field is required", field=name)
    values = _proceeding_values(session, actor, now, data, matter.id, None)
    proceeding = Proceeding(matter_id=matter.id, **values)
    _check_dates(proceeding)
    session.add(proceeding)
    audit.record(session, actor, now, "create", proceeding, matter_id=matter.id)
    return proceeding


def update_proceeding(
    session: so.Session,
    actor: Actor,
    now: dt.datetime,
    proceeding: Proceeding,
    *,
    version: int | None,
    changes: dict[str, Any],
) -> Proceeding:
    edits.check_version(proceeding, version)
    if "precision" in changes and "opened_on" not in changes:
        changes = changes | {"opened_on": reformat(proceeding.opened_on, changes)}
    if "authority" in changes and "jurisdiction" not in changes:
        changes = changes | {"jurisdiction": proceeding.jurisdiction.code}
    values = _proceeding_values(
        session, actor, now, changes, proceeding.matter_id, proceeding.jurisdiction_id
    )
    if "parent_id" in values:
        _check_no_cycle(session, proceeding, values["parent_id"])
    if values.get("origin_id") == proceeding.id:
        raise Invalid("a proceeding cannot originate from itself", field="origin_id")
    edits.apply(session, actor, now, proceeding, values, matter_id=proceeding.matter_id)
    _check_dates(proceeding)
    return proceeding


def _check_dates(proceeding: Proceeding) -> None:
    if (
        proceeding.closed_on
        and proceeding.opened_on
        and proceeding.closed_on < proceeding.opened_on
    ):
        raise Invalid("closed_on is before opened_on", field="closed_on")


def reformat(value: dt.date | None, changes: dict[str, Any]) -> str | None:
    """A stored date written at a newly given precision (a precision-only edit)."""
    return format_partial(value, fields.choice(Precision, changes["precision"], "precision"))
