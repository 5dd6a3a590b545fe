"""Hearings and their postponements.

A postponed hearing stays one row whose date moves; each move adds a Postponement.
Its calendar UID never changes and `sequence` grows with every change a calendar
must show (iCalendar SEQUENCE).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
import sqlalchemy.orm as so
from sqlalchemy.ext.hybrid import hybrid_property

from tracker.core.db import Base, Timestamped, Versioned, intpk, partial_index, str200, timestamp
from tracker.hearings.enums import HearingStatus, OutcomeResult

if TYPE_CHECKING:
    from tracker.matters.models import Proceeding
    from tracker.users.models import User


class Hearing(Versioned, Timestamped, Base):
    __tablename__ = "hearings"
    #: the dashboard's upcoming and awaiting-outcome panels read scheduled hearings by time
    __table_args__ = (
        partial_index(
            "ix_hearings_scheduled_starts_at", "starts_at", "id", where="status = 'scheduled'"
        ),
    )

    id: so.Mapped[intpk]
    proceeding_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("proceedings.id", ondelete="CASCADE"), index=True
    )
    title: so.Mapped[str200] = so.mapped_column(default="Hearing")
    starts_at: so.Mapped[timestamp] = so.mapped_column(index=True)
    #: IANA zone of the court: starts_at is shown and exported in it
    timezone: so.Mapped[str] = so.mapped_column(sa.String(64))
    #: false: only the day is known (shown as all-day; the time is a placeholder)
    time_known: so.Mapped[bool] = so.mapped_column(default=True)
    location: so.Mapped[str] = so.mapped_column(sa.String(300), default="")
    status: so.Mapped[HearingStatus] = so.mapped_column(default=HearingStatus.scheduled)
    outcome: so.Mapped[OutcomeResult | None]
    outcome_summary: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    outcome_recorded_at: so.Mapped[timestamp | None]
    #: iCalendar SEQUENCE: bumped on every reschedule, cancellation or move
    sequence: so.Mapped[int] = so.mapped_column(default=0)

    proceeding: so.Mapped[Proceeding] = so.relationship(back_populates="hearings")
    postponements: so.Mapped[list[Postponement]] = so.relationship(
        back_populates="hearing", order_by="Postponement.id", cascade="all, delete-orphan"
    )

    @property
    def moves(self) -> list[Postponement]:
        """The postponements that stand (not withdrawn), in the order they were recorded."""
        return [move for move in self.postponements if move.withdrawn_at is None]

    @property
    def delays(self) -> list[Postponement]:
        """The standing moves that put it off (later or sine die): what counts as postponed."""
        return [move for move in self.moves if move.delays]

    @property
    def local_start(self) -> dt.datetime:
        from tracker.core.dates import in_zone

        return in_zone(self.starts_at, self.timezone)


class Postponement(Base):
    """One move of a hearing; append-only."""

    __tablename__ = "postponements"

    id: so.Mapped[intpk]
    hearing_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("hearings.id", ondelete="CASCADE"), index=True
    )
    from_starts_at: so.Mapped[timestamp]
    #: null: postponed sine die
    to_starts_at: so.Mapped[timestamp | None]
    #: whether the hour of each date was known (an unknown hour is stored at local
    #: midnight); null on the `to` side of a move sine die, and on both sides of moves
    #: recorded before the flags were kept
    from_time_known: so.Mapped[bool | None]
    to_time_known: so.Mapped[bool | None]
    reason: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    decided_on: so.Mapped[dt.date | None]
    recorded_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id"))
    recorded_at: so.Mapped[timestamp]
    #: set when the move was recorded by mistake: the row stays in the ledger, marked,
    #: and counts, slips, flags and feeds leave it out
    withdrawn_at: so.Mapped[timestamp | None]
    withdrawn_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id"))
    withdrawal_reason: so.Mapped[str] = so.mapped_column(sa.Text, default="")

    hearing: so.Mapped[Hearing] = so.relationship(back_populates="postponements")
    recorded_by: so.Mapped[User | None] = so.relationship(foreign_keys=[recorded_by_id])
    withdrawn_by: so.Mapped[User | None] = so.relationship(foreign_keys=[withdrawn_by_id])

    @property
    def standing(self) -> bool:
        return self.withdrawn_at is None

    @hybrid_property
    def delays(self) -> bool:
        """Whether the move put the hearing off (sine die or later); an earlier one is
        "brought forward", not a postponement: counts, slips and flags leave it out."""
        return self.to_starts_at is None or self.to_starts_at > self.from_starts_at

    @delays.inplace.expression
    @classmethod
    def _delays_expression(cls) -> sa.ColumnElement[bool]:
        return delaying(cls.to_starts_at, cls.from_starts_at)

    @hybrid_property
    def counted(self) -> bool:
        """A standing move that delays: what "moved N times" and the flags count."""
        return self.withdrawn_at is None and self.delays

    @counted.inplace.expression
    @classmethod
    def _counted_expression(cls) -> sa.ColumnElement[bool]:
        return sa.and_(cls.withdrawn_at.is_(None), delaying(cls.to_starts_at, cls.from_starts_at))

    @property
    def brought_forward(self) -> bool:
        return not self.delays

    @property
    def after_the_fact(self) -> bool:
        """Recorded once the date it moved from had passed, or to a time already past."""
        late = self.recorded_at > self.from_starts_at
        return late or (self.to_starts_at is not None and self.to_starts_at < self.recorded_at)


def delaying(
    to: sa.SQLColumnExpression[Any], from_: sa.SQLColumnExpression[Any]
) -> sa.ColumnElement[bool]:
    """The SQL of `Postponement.delays`, for readers of the table's columns (aliases)."""
    return sa.or_(to.is_(None), to > from_)
