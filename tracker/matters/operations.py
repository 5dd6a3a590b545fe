"""Matters, proceedings and events: the writes, and the reads that check access."""

from __future__ import annotations

import datetime as dt
import unicodedata

import sqlalchemy as sa
import sqlalchemy.orm as so

from tracker.audit import edits
from tracker.audit import operations as audit
from tracker.core.actors import Actor
from tracker.core.commands import Command, PartialDay, with_precision
from tracker.core.dates import Precision, format_partial
from tracker.core.db import snapshot
from tracker.core.errors import Invalid, NotFound
from tracker.deadlines.models import Deadline
from tracker.hearings.models import Hearing
from tracker.jurisdictions import operations as jurisdictions
from tracker.jurisdictions.models import Authority, Jurisdiction
from tracker.matters.enums import ProceedingStatus
from tracker.matters.models import OPEN_STATUSES, Event, Matter, Person, Proceeding
from tracker.matters.schemas import MatterChanges, NewMatter, NewProceeding, ProceedingChanges
from tracker.users import access
from tracker.users.models import Role, User

MATTER_CREATORS = (Role.admin, Role.coordinator, Role.staff)


def may_create_matters(actor: Actor) -> bool:
    """Who may open a dossier: everyone but lawyers (the command line and the system too)."""
    role = getattr(actor, "role", None)
    return role is None or role in MATTER_CREATORS


def require_matter_creator(actor: Actor) -> None:
    """403 unless `actor` may open a dossier: the one answer of every entry point."""
    access.require_role(actor, *MATTER_CREATORS, doing="create matters")


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
    session.scalars(
        sa.select(Proceeding)
        .where(Proceeding.id == proceeding.id)
        .options(
            so.selectinload(Proceeding.hearings).selectinload(Hearing.postponements),
            # a withdrawn event is left out of the answer (`dump_contents`)
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
    session: so.Session,
    actor: Actor,
    matter_id: int | None = None,
    jurisdiction: str | None = None,
) -> list[Proceeding]:
    """The proceedings the actor may see, of one matter or one jurisdiction (by code)."""
    query = (
        sa.select(Proceeding)
        .where(access.matter_filter(actor, Proceeding.matter_id))
        .options(so.joinedload(Proceeding.jurisdiction), so.joinedload(Proceeding.authority))
        # undated last on SQLite too (it sorts NULL first, PostgreSQL last)
        .order_by(Proceeding.matter_id, Proceeding.opened_on.asc().nulls_last(), Proceeding.id)
    )
    if matter_id is not None:
        query = query.where(Proceeding.matter_id == matter_id)
    if jurisdiction is not None:
        code = jurisdiction.strip().upper()
        ids = sa.select(Jurisdiction.id).where(Jurisdiction.code == code)
        query = query.where(Proceeding.jurisdiction_id.in_(ids))
    return list(session.scalars(query))


# --- matters ------------------------------------------------------------------------------


def _assignees(session: so.Session, emails: list[str]) -> list[User]:
    wanted = {email.strip().lower() for email in emails}
    if not wanted:
        return []
    users = list(session.scalars(sa.select(User).where(User.email.in_(wanted))))
    missing = wanted - {user.email for user in users}
    if missing:
        raise Invalid(f"no user with email {', '.join(sorted(missing))}", field="assignees")
    return users


def same_name(name: str) -> str:
    """A person's name as compared for duplicates: case, spacing and accents aside."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.split())


def possible_duplicates(session: so.Session, actor: Actor, subject: str | None) -> list[Matter]:
    """The matters (that the actor may see) whose client has the same name as `subject`.

    The names of the clients (one query, columns only) are compared here: accents
    cannot be folded in SQL the same way on SQLite and PostgreSQL.
    """
    wanted = same_name(subject or "")
    if not wanted:
        return []
    names = session.execute(
        sa.select(Matter.id, Person.name)
        .join(Person, Matter.subject_id == Person.id)
        .where(access.matter_filter(actor, Matter.id))
    )
    ids = [matter_id for matter_id, name in names if same_name(name) == wanted]
    if not ids:
        return []
    return list(
        session.scalars(
            sa.select(Matter)
            .where(Matter.id.in_(ids))
            .options(so.joinedload(Matter.subject))
            .order_by(Matter.id)
        )
    )


def duplicate_warnings(matters: list[Matter]) -> list[str]:
    """What to tell the creator of a matter about the possible duplicates."""
    return [
        f"A matter for {m.subject.name if m.subject else '?'} already exists: "
        f"/matters/{m.id} ({m.title})"
        for m in matters
    ]


def create_matter(
    session: so.Session,
    actor: Actor,
    now: dt.datetime,
    command: NewMatter,
    *,
    key: str | None = None,
) -> Matter:
    """Open a dossier; `key` is the stable key of an imported one (the demo's)."""
    require_matter_creator(actor)
    matter = Matter(
        title=command.title,
        summary=command.summary,
        key=key,
        assignees=_assignees(session, command.assignees),
    )
    if command.subject:
        matter.subject = Person(name=command.subject)
    session.add(matter)
    after = snapshot(matter) | {
        "subject": command.subject,
        "assignees": [u.email for u in matter.assignees],
    }
    audit.record(session, actor, now, "create", matter, matter_id=matter.id, after=after)
    return matter


def update_matter(
    session: so.Session,
    actor: Actor,
    now: dt.datetime,
    matter: Matter,
    command: MatterChanges,
) -> Matter:
    edits.check_version(matter, command.version)
    values = command.changes()
    assignees = values.pop("assignees", None)
    updated = edits.apply(session, actor, now, matter, values, matter_id=matter.id)
    if assignees is not None:
        _assign(session, actor, now, matter, assignees, touched=updated)
    return matter


def _assign(
    session: so.Session,
    actor: Actor,
    now: dt.datetime,
    matter: Matter,
    emails: list[str],
    *,
    touched: bool,
) -> None:
    """Replace the matter's assignees; a change moves its version and is audited."""
    before = sorted(u.email for u in matter.assignees)
    matter.assignees = _assignees(session, emails)
    after = sorted(u.email for u in matter.assignees)
    if before == after:
        return
    matter.updated_at = now  # touch the row so its version moves too
    if not touched:  # (once per edit; and even when the clock has not moved)
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


def partial_date(
    command: Command, field: str, stored: dt.date | None
) -> tuple[dt.date | None, Precision]:
    """The date `field` of a command and its precision, as the columns hold them.

    The text says how precisely the date is known and `precision`, if sent, must agree;
    `precision` sent alone rewrites the `stored` date at it ("2024-03-15" at month
    precision is "2024-03"). A date not known at all is at day precision, unless told.
    """
    precision: Precision | None = getattr(command, "precision", None)
    partial: PartialDay | None = getattr(command, field)
    if not command.sent(field) and stored is not None and precision is not None:
        partial = PartialDay.read(format_partial(stored, precision) or "", precision, field)
    partial = with_precision(partial, precision, field)
    if partial is None:
        return None, precision or Precision.day
    return partial.value, partial.precision


def _authority(
    session: so.Session,
    actor: Actor,
    now: dt.datetime,
    jurisdiction: Jurisdiction,
    name: str | None,
) -> Authority | None:
    """The authority of that name in the jurisdiction (created on first mention), if any."""
    if not name:
        return None
    return jurisdictions.authority(session, actor, now, jurisdiction, name)


def create_proceeding(
    session: so.Session, actor: Actor, now: dt.datetime, command: NewProceeding
) -> Proceeding:
    """Open a proceeding in the matter `command.matter_id` (404 if the actor may not see it)."""
    matter = get_matter(session, actor, command.matter_id)
    jurisdiction = jurisdictions.by_code(session, command.jurisdiction)
    authority = _authority(session, actor, now, jurisdiction, command.authority)
    opened_on, precision = partial_date(command, "opened_on", None)
    closed_on, closed_precision = _closing(command.status, command.closed_on, sent=True)
    proceeding = Proceeding(
        matter_id=matter.id,
        jurisdiction=jurisdiction,  # objects, not ids: a batched writer flushes later
        authority=authority,
        kind=command.kind,
        title=command.title,
        reference=command.reference or None,
        client_role=command.client_role,
        status=command.status,
        opened_on=opened_on,
        opened_precision=precision,
        closed_on=closed_on,
        closed_precision=closed_precision,
        parent_id=_link(session, actor, command.parent_id, "parent_id", matter.id),
        origin_id=_link(session, actor, command.origin_id, "origin_id", None),
    )
    _check_dates(proceeding)
    session.add(proceeding)
    audit.record(session, actor, now, "create", proceeding, matter_id=matter.id)
    return proceeding


def update_proceeding(
    session: so.Session,
    actor: Actor,
    now: dt.datetime,
    proceeding: Proceeding,
    command: ProceedingChanges,
) -> Proceeding:
    """Edit the fields sent, checked in the order a new proceeding's are."""
    edits.check_version(proceeding, command.version)
    values = command.changes()
    jurisdiction = proceeding.jurisdiction
    if command.sent("jurisdiction"):
        jurisdiction = jurisdictions.by_code(session, values.pop("jurisdiction"))
        values["jurisdiction_id"] = jurisdiction.id
    if command.sent("authority"):
        name = values.pop("authority")
        found = _authority(session, actor, now, jurisdiction, name)
        values["authority_id"] = None if found is None else found.id
    if command.sent("reference"):
        values["reference"] = values["reference"] or None
    if command.sent("opened_on") or command.sent("precision"):
        values.pop("precision", None)
        values["opened_on"], values["opened_precision"] = partial_date(
            command, "opened_on", proceeding.opened_on
        )
    if command.sent("status") or command.sent("closed_on"):
        sent = command.sent("closed_on")
        closed_on = command.closed_on if sent else _stored_closing(proceeding)
        values["closed_on"], values["closed_precision"] = _closing(
            values.get("status", proceeding.status), closed_on, sent=sent
        )
    if command.sent("parent_id"):
        parent_id = _link(session, actor, command.parent_id, "parent_id", proceeding.matter_id)
        _check_no_cycle(session, proceeding, parent_id)
    if command.sent("origin_id"):
        _link(session, actor, command.origin_id, "origin_id", None)
        if command.origin_id == proceeding.id:
            raise Invalid("a proceeding cannot originate from itself", field="origin_id")
    edits.apply(session, actor, now, proceeding, values, matter_id=proceeding.matter_id)
    _check_dates(proceeding)
    return proceeding


def _closing(
    status: ProceedingStatus, closed_on: PartialDay | None, *, sent: bool
) -> tuple[dt.date | None, Precision]:
    """The closing date a proceeding of that status keeps: required once it is no longer
    open (the statistics count what was resolved by it), none while it is. A status set
    back to open clears the stored one; one sent with an open status is refused."""
    if status in OPEN_STATUSES:
        if sent and closed_on is not None:
            raise Invalid(
                f"a {status} proceeding has no closing date: leave it empty, or set the "
                "status it ended with",
                field="closed_on",
            )
        return None, Precision.day
    if closed_on is None:
        raise Invalid(
            f"a {status} proceeding needs its closing date (YYYY-MM-DD, YYYY-MM or YYYY)",
            field="closed_on",
        )
    return closed_on.value, closed_on.precision


def _stored_closing(proceeding: Proceeding) -> PartialDay | None:
    if proceeding.closed_on is None:
        return None
    return PartialDay(proceeding.closed_on, proceeding.closed_precision)


def _check_dates(proceeding: Proceeding) -> None:
    if (
        proceeding.closed_on
        and proceeding.opened_on
        and proceeding.closed_on < proceeding.opened_on
    ):
        raise Invalid("the closing date is before the opening date", field="closed_on")
