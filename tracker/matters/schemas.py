"""What a matter, proceeding or event write takes (commands), what the list endpoints
filter on (queries), and what the API answers about them (the dossier and its timeline).

A proceeding's opening date and an event's date are partial ("2016", "2016-11",
"2016-11-05"): the text says how precisely it is known, `precision` may say it too and
must then agree (`commands.with_precision`, checked by the operations, which also know
the stored date a precision-only correction rewrites).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

import pydantic

from tracker.core import limits
from tracker.core.commands import (
    Allowed,
    Changes,
    Command,
    EventKind,
    Id,
    Limit,
    PartialDay,
    Query,
)
from tracker.core.dates import Precision, format_partial
from tracker.deadlines.schemas import DeadlineOut
from tracker.deadlines.schemas import dump as dump_deadline
from tracker.hearings.schemas import HearingOut, PostponementOut, dump_postponement
from tracker.hearings.schemas import dump as dump_hearing
from tracker.matters.enums import ClientRole, ProceedingKind, ProceedingStatus
from tracker.matters.models import Event, Matter, Proceeding
from tracker.matters.timeline import Entry

# --- field types --------------------------------------------------------------------------


#: an assignee, by the email address of a user (who must exist: the operations check)
Assignee = Annotated[str, Limit(limits.EMAIL)]


# --- matters ------------------------------------------------------------------------------


class NewMatter(Command):
    """Open a client's dossier: its title, the client (`subject`), who works on it."""

    title: Annotated[str, Limit(limits.TITLE)]
    subject: Annotated[str, Limit(limits.NAME, required=False)] | None = None
    summary: Annotated[str, Limit(limits.SUMMARY, required=False)] = ""
    assignees: list[Assignee] = []


class MatterChanges(Changes):
    """Edit a matter; `assignees` replaces the whole list."""

    title: Annotated[str, Limit(limits.TITLE)] | None = None
    summary: Annotated[str, Limit(limits.SUMMARY, required=False)] | None = None
    assignees: list[Assignee] | None = None


# --- proceedings --------------------------------------------------------------------------


class NewProceeding(Command):
    """A proceeding in a matter: one case before one authority of a jurisdiction.

    `authority` is the authority's name, created in the jurisdiction on first mention;
    `parent_id` is the proceeding (of the same matter) this one is an appeal or stage
    of, `origin_id` the one (of any matter) it is based on or requested by.
    """

    matter_id: Id
    jurisdiction: Annotated[str, Limit(limits.JURISDICTION_CODE)]
    kind: Annotated[ProceedingKind, Allowed()]
    title: Annotated[str, Limit(limits.TITLE)]
    client_role: Annotated[ClientRole, Allowed()]
    reference: Annotated[str, Limit(limits.REFERENCE, required=False)] | None = None
    authority: Annotated[str, Limit(limits.NAME, required=False)] | None = None
    status: Annotated[ProceedingStatus, Allowed()] = ProceedingStatus.pending
    opened_on: PartialDay | None = None
    precision: Annotated[Precision, Allowed()] | None = None
    #: required when the status is not open (pending, suspended), refused when it is
    closed_on: PartialDay | None = None
    parent_id: Id | None = None
    origin_id: Id | None = None


class ProceedingChanges(Changes):
    """Edit a proceeding; `precision` alone rewrites the stored opening date at it."""

    nullable = frozenset(
        {"reference", "authority", "opened_on", "closed_on", "parent_id", "origin_id"}
    )

    jurisdiction: Annotated[str, Limit(limits.JURISDICTION_CODE)] | None = None
    kind: Annotated[ProceedingKind, Allowed()] | None = None
    title: Annotated[str, Limit(limits.TITLE)] | None = None
    client_role: Annotated[ClientRole, Allowed()] | None = None
    reference: Annotated[str, Limit(limits.REFERENCE, required=False)] | None = None
    authority: Annotated[str, Limit(limits.NAME, required=False)] | None = None
    status: Annotated[ProceedingStatus, Allowed()] | None = None
    opened_on: PartialDay | None = None
    precision: Annotated[Precision, Allowed()] | None = None
    #: a status set back to open clears it
    closed_on: PartialDay | None = None
    parent_id: Id | None = None
    origin_id: Id | None = None


# --- events -------------------------------------------------------------------------------


class NewEvent(Command):
    """Record a dated fact in a proceeding, as precisely as its date is known."""

    kind: EventKind
    occurred_on: PartialDay
    precision: Annotated[Precision, Allowed()] | None = None
    summary: Annotated[str, Limit(limits.SUMMARY, required=False)] = ""
    source: Annotated[str, Limit(limits.SOURCE, required=False)] | None = None


class EventChanges(Changes):
    """Correct an event; the deadlines it triggers move with its date."""

    nullable = frozenset({"source"})

    kind: EventKind | None = None
    occurred_on: PartialDay | None = None
    precision: Annotated[Precision, Allowed()] | None = None
    summary: Annotated[str, Limit(limits.SUMMARY, required=False)] | None = None
    source: Annotated[str, Limit(limits.SOURCE, required=False)] | None = None


class EventWithdrawal(Command):
    """Withdraw an event recorded by mistake: kept and marked, left out of every reading;
    the open deadlines it triggered are waived."""

    version: int
    reason: Annotated[str, Limit(limits.REASON)]


# --- queries ------------------------------------------------------------------------------


class MatterQuery(Query):
    """GET /matters takes no filter: it lists every matter the caller may see, by title."""


class ProceedingQuery(Query):
    """GET /proceedings: the proceedings the caller may see, of one matter or country."""

    matter_id: Id | None = pydantic.Field(None, description="only the proceedings of this matter")
    jurisdiction: str | None = pydantic.Field(
        None,
        max_length=limits.JURISDICTION_CODE,
        description="only the proceedings in this jurisdiction (its code, any case)",
        examples=["KZ"],
    )


# --- answers ------------------------------------------------------------------------------


class MatterOut(pydantic.BaseModel):
    id: int
    title: str
    subject: str | None = pydantic.Field(description="the client's name")
    summary: str
    assignees: list[str] = pydantic.Field(description="the assigned users' emails, sorted")
    version: int
    created_at: str
    updated_at: str


class ProceedingOut(pydantic.BaseModel):
    id: int
    matter_id: int
    jurisdiction: str = pydantic.Field(description="the jurisdiction's code")
    authority: str | None
    kind: ProceedingKind
    title: str
    reference: str | None
    client_role: ClientRole
    status: ProceedingStatus
    opened_on: str | None = pydantic.Field(description="YYYY-MM-DD, YYYY-MM or YYYY")
    precision: Precision
    closed_on: str | None = pydantic.Field(
        description="YYYY-MM-DD, YYYY-MM or YYYY; set exactly when the status is not open"
    )
    closed_precision: Precision
    parent_id: int | None
    origin_id: int | None
    version: int


class EventOut(pydantic.BaseModel):
    id: int
    proceeding_id: int
    kind: str
    occurred_on: str = pydantic.Field(description="YYYY-MM-DD, YYYY-MM or YYYY")
    precision: Precision
    summary: str
    source: str | None
    version: int
    withdrawn_at: str | None = pydantic.Field(
        None, description="set when withdrawn (recorded by mistake): left out of every list"
    )
    withdrawal_reason: str | None = None


class MatterCreated(MatterOut):
    """A new matter, with what the caller may want to check (a possible duplicate)."""

    warnings: list[str] = pydantic.Field(
        [], description="e.g. another matter for a client of the same name"
    )


class ProceedingContents(ProceedingOut):
    """A proceeding with its hearings, events and deadlines."""

    hearings: list[HearingOut]
    events: list[EventOut]
    deadlines: list[DeadlineOut]


def dump_matter(matter: Matter) -> MatterOut:
    return MatterOut(
        id=matter.id,
        title=matter.title,
        subject=matter.subject.name if matter.subject else None,
        summary=matter.summary,
        assignees=sorted(user.email for user in matter.assignees),
        version=matter.version,
        created_at=matter.created_at.isoformat(),
        updated_at=matter.updated_at.isoformat(),
    )


def dump_proceeding(proceeding: Proceeding) -> ProceedingOut:
    return ProceedingOut(**_proceeding(proceeding))


def _proceeding(proceeding: Proceeding) -> dict[str, Any]:
    return {
        "id": proceeding.id,
        "matter_id": proceeding.matter_id,
        "jurisdiction": proceeding.jurisdiction.code,
        "authority": proceeding.authority.name if proceeding.authority else None,
        "kind": proceeding.kind,
        "title": proceeding.title,
        "reference": proceeding.reference,
        "client_role": proceeding.client_role,
        "status": proceeding.status,
        "opened_on": format_partial(proceeding.opened_on, proceeding.opened_precision),
        "precision": proceeding.opened_precision,
        "closed_on": format_partial(proceeding.closed_on, proceeding.closed_precision),
        "closed_precision": proceeding.closed_precision,
        "parent_id": proceeding.parent_id,
        "origin_id": proceeding.origin_id,
        "version": proceeding.version,
    }


def dump_contents(proceeding: Proceeding) -> ProceedingContents:
    """The proceeding with its contents (load them first: `operations.load_contents`)."""
    return ProceedingContents(
        **_proceeding(proceeding),
        hearings=[dump_hearing(hearing) for hearing in proceeding.hearings],
        events=[dump_event(event) for event in proceeding.events if event.standing],
        deadlines=[dump_deadline(deadline) for deadline in proceeding.deadlines],
    )


def dump_event(event: Event) -> EventOut:
    return EventOut(**_event(event))


def _event(event: Event) -> dict[str, Any]:
    return {
        "id": event.id,
        "proceeding_id": event.proceeding_id,
        "kind": event.kind,
        "occurred_on": format_partial(event.occurred_on, event.precision),
        "precision": event.precision,
        "summary": event.summary,
        "source": event.source,
        "version": event.version,
        "withdrawn_at": event.withdrawn_at.isoformat() if event.withdrawn_at else None,
        "withdrawal_reason": event.withdrawal_reason if event.withdrawn_at else None,
    }


# --- the timeline -------------------------------------------------------------------------


class _Dated(pydantic.BaseModel):
    """A timeline item: what it is (`type`), when (`date`), then the row as its own
    endpoint answers it."""

    @pydantic.model_serializer(mode="wrap")
    def _type_and_date_first(self, handler: pydantic.SerializerFunctionWrapHandler):
        # no return annotation: pydantic then documents the fields, not a bare dict
        row = handler(self)
        return {"type": row.pop("type"), "date": row.pop("date")} | row


class ProceedingItem(_Dated, ProceedingOut):
    type: Literal["proceeding"]
    date: str | None = pydantic.Field(description="the opening date as known; null if unknown")


class EventItem(_Dated, EventOut):
    type: Literal["event"]
    date: str = pydantic.Field(description="the date as known: YYYY-MM-DD, YYYY-MM or YYYY")


class HearingItem(_Dated, HearingOut):
    """A hearing, on its local day (its `date`)."""

    type: Literal["hearing"]


class PostponementItem(_Dated, PostponementOut):
    type: Literal["postponement"]
    date: dt.date = pydantic.Field(
        description="the day it was decided, else the day the hearing was set for"
    )


class DeadlineItem(_Dated, DeadlineOut):
    type: Literal["deadline"]
    date: dt.date = pydantic.Field(description="the due date")


TimelineItem = Annotated[
    ProceedingItem | EventItem | HearingItem | PostponementItem | DeadlineItem,
    pydantic.Field(discriminator="type"),
]


class TimelineOut(pydantic.BaseModel):
    """A matter and everything in it, in date order (undated proceedings first)."""

    matter: MatterOut
    items: list[TimelineItem]


def dump_timeline(matter: Matter, entries: list[Entry]) -> TimelineOut:
    return TimelineOut(matter=dump_matter(matter), items=[_item(entry) for entry in entries])


def _item(
    entry: Entry,
) -> ProceedingItem | EventItem | HearingItem | PostponementItem | DeadlineItem:
    row = entry.row
    if entry.type == "proceeding":
        return ProceedingItem(type="proceeding", date=entry.label, **_proceeding(row))
    if entry.type == "event":
        return EventItem(type="event", date=entry.label, **_event(row))
    if entry.type == "hearing":
        return HearingItem(type="hearing", **dict(dump_hearing(row)))
    if entry.type == "postponement":
        moved = dump_postponement(row, row.hearing.timezone)
        return PostponementItem(type="postponement", date=entry.date, **dict(moved))
    return DeadlineItem(type="deadline", date=entry.date, **dict(dump_deadline(row)))
