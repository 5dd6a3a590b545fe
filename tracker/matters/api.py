"""JSON API: matters, proceedings, events, and a matter's timeline."""

from __future__ import annotations

from typing import Any

from flask import jsonify

from tracker import web
from tracker.core import clock
from tracker.core.dates import format_partial
from tracker.core.errors import Invalid
from tracker.hearings.schemas import dump as dump_hearing
from tracker.hearings.schemas import dump_postponement
from tracker.matters import events, operations, timeline
from tracker.matters.models import Event, Matter, Proceeding
from tracker.web import api

bp = api.blueprint("matters_api")


class MatterIn(api.Body):
    title: str
    subject: str | None = None
    summary: str = ""
    assignees: list[str] = []


class MatterPatch(api.Body):
    version: int
    title: str | None = None
    summary: str | None = None
    assignees: list[str] | None = None


class ProceedingIn(api.Body):
    matter_id: api.Id
    jurisdiction: str
    kind: str
    title: str
    client_role: str
    reference: str | None = None
    authority: str | None = None
    status: str = "pending"
    opened_on: str | None = None
    precision: str | None = None
    closed_on: str | None = None
    parent_id: api.Id | None = None
    origin_id: api.Id | None = None


class ProceedingPatch(api.Body):
    version: int
    jurisdiction: str | None = None
    kind: str | None = None
    title: str | None = None
    client_role: str | None = None
    reference: str | None = None
    authority: str | None = None
    status: str | None = None
    opened_on: str | None = None
    precision: str | None = None
    closed_on: str | None = None
    parent_id: api.Id | None = None
    origin_id: api.Id | None = None


class EventIn(api.Body):
    kind: str
    occurred_on: str
    precision: str | None = None
    summary: str = ""
    source: str | None = None


class EventPatch(api.Body):
    version: int
    kind: str | None = None
    occurred_on: str | None = None
    precision: str | None = None
    summary: str | None = None
    source: str | None = None


#: PATCH fields that may be set to null
NULLABLE = frozenset(
    {"reference", "authority", "closed_on", "parent_id", "origin_id", "source", "opened_on"}
)


def changes(patch: api.Body) -> dict[str, Any]:
    """The fields a PATCH sent (null only where null means something), version aside."""
    sent = {name: getattr(patch, name) for name in patch.model_fields_set if name != "version"}
    for name, value in sent.items():
        if value is None and name not in NULLABLE:
            raise Invalid(f"{name} cannot be null", field=name)
    return sent


def _plain(model) -> dict:
    return model.model_dump(mode="json", by_alias=True)


# --- dumps --------------------------------------------------------------------------------


def dump_matter(matter: Matter) -> dict:
    return {
        "id": matter.id,
        "title": matter.title,
        "subject": matter.subject.name if matter.subject else None,
        "summary": matter.summary,
        "assignees": sorted(user.email for user in matter.assignees),
        "version": matter.version,
        "created_at": matter.created_at.isoformat(),
        "updated_at": matter.updated_at.isoformat(),
    }


def dump_proceeding(proceeding: Proceeding) -> dict:
    return {
        "id": proceeding.id,
        "matter_id": proceeding.matter_id,
        "jurisdiction": proceeding.jurisdiction.code,
        "authority": proceeding.authority.name if proceeding.authority else None,
        "kind": proceeding.kind.value,
        "title": proceeding.title,
        "reference": proceeding.reference,
        "client_role": proceeding.client_role.value,
        "status": proceeding.status.value,
        "opened_on": format_partial(proceeding.opened_on, proceeding.opened_precision),
        "precision": proceeding.opened_precision.value,
        "closed_on": proceeding.closed_on.isoformat() if proceeding.closed_on else None,
        "parent_id": proceeding.parent_id,
        "origin_id": proceeding.origin_id,
        "version": proceeding.version,
    }


def dump_event(event: Event) -> dict:
    return {
        "id": event.id,
        "proceeding_id": event.proceeding_id,
        "kind": event.kind,
        "occurred_on": format_partial(event.occurred_on, event.precision),
        "precision": event.precision.value,
        "summary": event.summary,
        "source": event.source,
        "version": event.version,
    }


# --- matters ------------------------------------------------------------------------------


@bp.get("/matters")
def list_matters():
    """List the matters the caller may see."""
    matters = operations.list_matters(web.session(), api.actor())
    return api.items([dump_matter(m) for m in matters])


@bp.post("/matters")
def create_matter():
    """Open a client's dossier."""
    data = api.body(MatterIn)
    matter = operations.create_matter(web.session(), api.actor(), clock.now(), **data.model_dump())
    api.commit()
    return api.created(dump_matter(matter))


@bp.get("/matters/<int:matter_id>")
def get_matter(matter_id: int):
    """One matter."""
    return jsonify(dump_matter(operations.get_matter(web.session(), api.actor(), matter_id)))


@bp.patch("/matters/<int:matter_id>")
def update_matter(matter_id: int):
    """Edit a matter's title, summary or assignees."""
    session, actor = web.session(), api.actor()
    matter = operations.get_matter(session, actor, matter_id)
    patch = api.body(MatterPatch)
    operations.update_matter(
        session, actor, clock.now(), matter, version=patch.version, changes=changes(patch)
    )
    api.commit()
    return jsonify(dump_matter(matter))


@bp.get("/matters/<int:matter_id>/timeline")
def matter_timeline(matter_id: int):
    """Every proceeding, hearing, postponement, event and deadline, in date order."""
    session = web.session()
    matter = operations.get_matter(session, api.actor(), matter_id)
    return jsonify({"matter": dump_matter(matter), "items": _timeline(session, matter)})


def _timeline(session, matter: Matter) -> list[dict]:
    from tracker.deadlines.schemas import dump as dump_deadline

    dumps = {
        "proceeding": dump_proceeding,
        "hearing": lambda h: _plain(dump_hearing(h)),
        "event": dump_event,
        "deadline": lambda d: _plain(dump_deadline(d)),
        "postponement": lambda p: _plain(dump_postponement(p, p.hearing.timezone)),
    }
    return [
        {"type": entry.type, "date": entry.label} | dumps[entry.type](entry.row)
        for entry in timeline.entries(session, matter)
    ]


# --- proceedings --------------------------------------------------------------------------


@bp.get("/proceedings")
def list_proceedings():
    """List proceedings, optionally of one matter (?matter_id=)."""
    rows = operations.list_proceedings(web.session(), api.actor(), api.query_id("matter_id"))
    return api.items([dump_proceeding(p) for p in rows])


@bp.post("/proceedings")
def create_proceeding():
    """Open a proceeding in a matter."""
    session, actor = web.session(), api.actor()
    data = api.body(ProceedingIn)
    matter = operations.get_matter(session, actor, data.matter_id)
    proceeding = operations.create_proceeding(
        session, actor, clock.now(), matter, data.model_dump(exclude={"matter_id"})
    )
    api.commit()
    return api.created(dump_proceeding(proceeding))


@bp.get("/proceedings/<int:proceeding_id>")
def get_proceeding(proceeding_id: int):
    """One proceeding with its hearings, events and deadlines."""
    from tracker.deadlines.schemas import dump as dump_deadline

    proceeding = operations.get_proceeding(web.session(), api.actor(), proceeding_id)
    operations.load_contents(web.session(), proceeding)
    return jsonify(
        dump_proceeding(proceeding)
        | {
            "hearings": [_plain(dump_hearing(h)) for h in proceeding.hearings],
            "events": [dump_event(e) for e in proceeding.events],
            "deadlines": [_plain(dump_deadline(d)) for d in proceeding.deadlines],
        }
    )


@bp.patch("/proceedings/<int:proceeding_id>")
def update_proceeding(proceeding_id: int):
    """Edit a proceeding (status, reference, links...)."""
    session, actor = web.session(), api.actor()
    proceeding = operations.get_proceeding(session, actor, proceeding_id)
    patch = api.body(ProceedingPatch)
    operations.update_proceeding(
        session, actor, clock.now(), proceeding, version=patch.version, changes=changes(patch)
    )
    api.commit()
    return jsonify(dump_proceeding(proceeding))


# --- events -------------------------------------------------------------------------------


@bp.post("/proceedings/<int:proceeding_id>/events")
def create_event(proceeding_id: int):
    """Record a dated fact in a proceeding."""
    session, actor = web.session(), api.actor()
    proceeding = operations.get_proceeding(session, actor, proceeding_id)
    event = events.create_event(
        session, actor, clock.now(), proceeding, api.body(EventIn).model_dump()
    )
    api.commit()
    return api.created(dump_event(event))


@bp.get("/events/<int:event_id>")
def get_event(event_id: int):
    """One event."""
    return jsonify(dump_event(operations.get_event(web.session(), api.actor(), event_id)))


@bp.patch("/events/<int:event_id>")
def update_event(event_id: int):
    """Correct an event."""
    session, actor = web.session(), api.actor()
    event = operations.get_event(session, actor, event_id)
    patch = api.body(EventPatch)
    events.update_event(
        session, actor, clock.now(), event, version=patch.version, changes=changes(patch)
    )
    api.commit()
    return jsonify(dump_event(event))
