"""A client's dossier: the matter, the person, every proceeding and the facts in it.

Glossary: a *matter* gathers every proceeding about one client in every country;
a *proceeding* is one case before one authority; its `parent` is the case it is an
appeal or stage of, its `origin` the case it was built on or requested by
(possibly in another country and another matter).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import sqlalchemy as sa
import sqlalchemy.orm as so

from tracker.core.dates import Precision
from tracker.core.db import Base, Timestamped, Versioned, intpk, str200, timestamp
from tracker.matters.enums import ClientRole, ProceedingKind, ProceedingStatus

if TYPE_CHECKING:
    from tracker.deadlines.models import Deadline
    from tracker.hearings.models import Hearing
    from tracker.jurisdictions.models import Authority, Jurisdiction
    from tracker.users.models import User


OPEN_STATUSES = frozenset({ProceedingStatus.pending, ProceedingStatus.suspended})


class Person(Versioned, Timestamped, Base):
    __tablename__ = "persons"

    id: so.Mapped[intpk]
    name: so.Mapped[str200]
    notes: so.Mapped[str] = so.mapped_column(sa.Text, default="")


matter_assignees = sa.Table(
    "matter_assignees",
    Base.metadata,
    sa.Column("matter_id", sa.ForeignKey("matters.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("user_id", sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
)


class Matter(Versioned, Timestamped, Base):
    __tablename__ = "matters"

    id: so.Mapped[intpk]
    #: stable key for imported dossiers (the demo loader uses it to stay idempotent)
    key: so.Mapped[str | None] = so.mapped_column(sa.String(64), unique=True)
    title: so.Mapped[str200]
    subject_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("persons.id"))
    summary: so.Mapped[str] = so.mapped_column(sa.Text, default="")

    subject: so.Mapped[Person | None] = so.relationship()
    assignees: so.Mapped[list[User]] = so.relationship(secondary=matter_assignees)
    proceedings: so.Mapped[list[Proceeding]] = so.relationship(
        back_populates="matter", order_by="Proceeding.id"
    )


class Proceeding(Versioned, Timestamped, Base):
    __tablename__ = "proceedings"
    __table_args__ = (
        # the matters search (country, kind, open or not -> matter) and the delay
        # statistics (opened and closed per country and kind) from the index alone
        sa.Index(
            "ix_proceedings_search",
            "jurisdiction_id",
            "kind",
            "status",
            "matter_id",
            "opened_on",
            "closed_on",
        ),
        # a proceeding no longer open says when it ended, and an open one has not ended:
        # the delay statistics count what was resolved in a period by this date
        sa.CheckConstraint(
            "(status IN ('pending', 'suspended')) = (closed_on IS NULL)",
            name="closed_on_when_not_open",
        ),
    )

    id: so.Mapped[intpk]
    matter_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("matters.id"), index=True)
    jurisdiction_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("jurisdictions.id"), index=True
    )
    authority_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("authorities.id"))
    kind: so.Mapped[ProceedingKind]
    title: so.Mapped[str200]
    #: the authority's case number
    reference: so.Mapped[str | None] = so.mapped_column(sa.String(100))
    client_role: so.Mapped[ClientRole]
    status: so.Mapped[ProceedingStatus] = so.mapped_column(default=ProceedingStatus.pending)
    #: first day of the period when known only to the month or year
    opened_on: so.Mapped[dt.date | None]
    opened_precision: so.Mapped[Precision] = so.mapped_column(default=Precision.day)
    #: set exactly when the status is not open; the first day of the period when known
    #: only to the month or year (a decision "in 2014")
    closed_on: so.Mapped[dt.date | None]
    closed_precision: so.Mapped[Precision] = so.mapped_column(default=Precision.day)
    #: the proceeding this one is an appeal or a stage of
    parent_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("proceedings.id"), index=True)
    #: the proceeding this one is based on or requested by (another country, often)
    origin_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("proceedings.id"), index=True)

    matter: so.Mapped[Matter] = so.relationship(back_populates="proceedings")
    jurisdiction: so.Mapped[Jurisdiction] = so.relationship()
    authority: so.Mapped[Authority | None] = so.relationship()
    parent: so.Mapped[Proceeding | None] = so.relationship(
        remote_side="Proceeding.id", foreign_keys=[parent_id]
    )
    origin: so.Mapped[Proceeding | None] = so.relationship(
        remote_side="Proceeding.id", foreign_keys=[origin_id]
    )
    hearings: so.Mapped[list[Hearing]] = so.relationship(
        back_populates="proceeding", order_by="Hearing.starts_at"
    )
    events: so.Mapped[list[Event]] = so.relationship(
        back_populates="proceeding", order_by="Event.occurred_on"
    )
    deadlines: so.Mapped[list[Deadline]] = so.relationship(
        back_populates="proceeding", order_by="Deadline.due_on"
    )

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class Event(Versioned, Timestamped, Base):
    """Any dated fact in a proceeding: request received, search, judgment, filing..."""

    __tablename__ = "events"

    id: so.Mapped[intpk]
    proceeding_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("proceedings.id", ondelete="CASCADE"), index=True
    )
    #: a free word: request_received, judgment, decision, search, arrest, filing...
    kind: so.Mapped[str] = so.mapped_column(sa.String(64), index=True)
    occurred_on: so.Mapped[dt.date]
    precision: so.Mapped[Precision] = so.mapped_column(default=Precision.day)
    summary: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    #: where the fact comes from (a citation or a URL)
    source: so.Mapped[str | None] = so.mapped_column(sa.Text)
    #: set when the event was recorded by mistake: kept, marked, and left out of
    #: timelines, flags and the deadlines it would trigger
    withdrawn_at: so.Mapped[timestamp | None]
    withdrawn_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id"))
    withdrawal_reason: so.Mapped[str] = so.mapped_column(sa.Text, default="")

    proceeding: so.Mapped[Proceeding] = so.relationship(back_populates="events")
    withdrawn_by: so.Mapped[User | None] = so.relationship(foreign_keys=[withdrawn_by_id])

    @property
    def standing(self) -> bool:
        return self.withdrawn_at is None
