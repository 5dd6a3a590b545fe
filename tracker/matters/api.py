"""JSON API: matters, proceedings, events, and a matter's timeline."""

from __future__ import annotations

from tracker import web
from tracker.core import clock
from tracker.matters import events, operations, timeline
from tracker.matters.schemas import (
    EventChanges,
    EventOut,
    EventWithdrawal,
    MatterChanges,
    MatterCreated,
    MatterOut,
    MatterQuery,
    NewEvent,
    NewMatter,
    NewProceeding,
    ProceedingChanges,
    ProceedingContents,
    ProceedingOut,
    ProceedingQuery,
    TimelineOut,
    dump_contents,
    dump_event,
    dump_matter,
    dump_proceeding,
    dump_timeline,
)
from tracker.notifications import invitations
from tracker.web import api

bp = api.blueprint("matters_api")


# --- matters ------------------------------------------------------------------------------


@bp.get("/matters")
def list_matters(query: MatterQuery) -> api.Items[MatterOut]:
    """List the matters the caller may see, by title."""
    matters = operations.list_matters(web.session(), api.actor())
    return api.Items(items=[dump_matter(m) for m in matters])


@bp.post("/matters")
def create_matter(body: NewMatter) -> api.Created[MatterCreated]:
    """Open a client's dossier (not lawyers). `warnings` names any other matter for a
    client of the same name (case, spacing and accents aside): a possible duplicate."""
    session, actor = web.session(), api.actor()
    operations.require_matter_creator(actor)
    duplicates = operations.possible_duplicates(session, actor, body.subject)
    matter = operations.create_matter(session, actor, clock.now(), body)
    warnings = operations.duplicate_warnings(duplicates)
    api.commit()
    return api.Created(MatterCreated(**dict(dump_matter(matter)), warnings=warnings))


@bp.get("/matters/<int:matter_id>")
def get_matter(matter_id: int) -> MatterOut:
    """One matter."""
    return dump_matter(operations.get_matter(web.session(), api.actor(), matter_id))


@bp.patch("/matters/<int:matter_id>")
def update_matter(matter_id: int, body: MatterChanges) -> MatterOut:
    """Edit a matter's title, summary or assignees."""
    session, actor = web.session(), api.actor()
    matter = operations.get_matter(session, actor, matter_id)
    operations.update_matter(session, actor, clock.now(), matter, body)
    api.commit()
    return dump_matter(matter)


@bp.get("/matters/<int:matter_id>/timeline")
def matter_timeline(matter_id: int) -> TimelineOut:
    """Every proceeding, hearing, postponement, event and deadline, in date order."""
    session = web.session()
    matter = operations.get_matter(session, api.actor(), matter_id)
    return dump_timeline(matter, timeline.entries(session, matter))


# --- proceedings --------------------------------------------------------------------------


@bp.get("/proceedings")
def list_proceedings(query: ProceedingQuery) -> api.Items[ProceedingOut]:
    """List proceedings, optionally of one matter (?matter_id=) or country (?jurisdiction=)."""
    rows = operations.list_proceedings(
        web.session(), api.actor(), query.matter_id, query.jurisdiction
    )
    return api.Items(items=[dump_proceeding(p) for p in rows])


@bp.post("/proceedings")
def create_proceeding(body: NewProceeding) -> api.Created[ProceedingOut]:
    """Open a proceeding in a matter."""
    proceeding = operations.create_proceeding(web.session(), api.actor(), clock.now(), body)
    api.commit()
    return api.Created(dump_proceeding(proceeding))


@bp.get("/proceedings/<int:proceeding_id>")
def get_proceeding(proceeding_id: int) -> ProceedingContents:
    """One proceeding with its hearings, events and deadlines."""
    session = web.session()
    proceeding = operations.get_proceeding(session, api.actor(), proceeding_id)
    operations.load_contents(session, proceeding)
    return dump_contents(proceeding)


@bp.patch("/proceedings/<int:proceeding_id>")
def update_proceeding(proceeding_id: int, body: ProceedingChanges) -> ProceedingOut:
    """Edit a proceeding (status, reference, links...)."""
    session, actor = web.session(), api.actor()
    proceeding = operations.get_proceeding(session, actor, proceeding_id)
    operations.update_proceeding(session, actor, clock.now(), proceeding, body)
    api.commit()
    return dump_proceeding(proceeding)


# --- events -------------------------------------------------------------------------------


@bp.post("/proceedings/<int:proceeding_id>/events")
def create_event(proceeding_id: int, body: NewEvent) -> api.Created[EventOut]:
    """Record a dated fact in a proceeding."""
    session, actor = web.session(), api.actor()
    proceeding = operations.get_proceeding(session, actor, proceeding_id)
    event = events.create_event(session, actor, clock.now(), proceeding, body)
    api.commit()
    return api.Created(dump_event(event))


@bp.get("/events/<int:event_id>")
def get_event(event_id: int) -> EventOut:
    """One event."""
    return dump_event(operations.get_event(web.session(), api.actor(), event_id))


@bp.patch("/events/<int:event_id>")
def update_event(event_id: int, body: EventChanges) -> EventOut:
    """Correct an event; the deadlines it triggers move with its date."""
    session, actor = web.session(), api.actor()
    event = operations.get_event(session, actor, event_id)
    invitations.event_changing(
        session,
        event,
        web.settings(),
        lambda: events.update_event(session, actor, clock.now(), event, body),
    )
    api.commit()
    return dump_event(event)


@bp.post("/events/<int:event_id>/withdraw")
def withdraw_event(event_id: int, body: EventWithdrawal) -> EventOut:
    """Withdraw an event recorded by mistake: kept and marked, left out of every list and
    timeline; the open deadlines it triggered are waived. 409 if already withdrawn."""
    session, actor = web.session(), api.actor()
    event = operations.get_event(session, actor, event_id)
    invitations.event_changing(
        session,
        event,
        web.settings(),
        lambda: events.withdraw_event(session, actor, clock.now(), event, body),
    )
    api.commit()
    return dump_event(event)
