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

from tracker.core import limits
from tracker.core.dates import in_zone
from tracker.core.db import (
    DERIVED,
    Base,
    Timestamped,
    Versioned,
    intpk,
    partial_index,
    str200,
    timestamp,
)
from tracker.hearings.enums import HearingStatus, OutcomeResult
from tracker.matters.enums import ProceedingKind
from tracker.matters.models import Proceeding

if TYPE_CHECKING:
    from tracker.users.models import User


class Hearing(Versioned, Timestamped, Base):
    __tablename__ = "hearings"
    #: the dashboard's upcoming and awaiting-outcome panels read scheduled hearings by time
    __table_args__ = (
        partial_index(
            "ix_hearings_scheduled_starts_at", "starts_at", "id", where="status = 'scheduled'"
        ),
        # the delay statistics' hearings held in a period, from the index alone and in
        # the order they are grouped in (no sort of hundreds of thousands of rows)
        sa.Index(
            "ix_hearings_statistics",
            "status",
            "jurisdiction_id",
            "proceeding_kind",
            "dates_set",
            "slip_days",
            "court_day",
            "matter_id",
        ),
        # an invitation's UID names one hearing of a proceeding (README, "Court invitations")
        sa.UniqueConstraint("proceeding_id", "source_uid"),
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
    #: the UID and SEQUENCE of the court's invitation it was imported from (null: typed
    #: in): a later invitation with that UID moves, updates or cancels this hearing
    source_uid: so.Mapped[str | None] = so.mapped_column(sa.String(limits.INVITE_UID))
    source_sequence: so.Mapped[int | None]
    #: derived from the columns above and the moves, on every flush (`_settle`), so that
    #: statistics over years of hearings read days, not zones: the court's day of
    #: starts_at, the dates it has been set for (1 + postponements counted), and the
    #: court's day of the first date it was set for
    court_day: so.Mapped[dt.date] = so.mapped_column(info=DERIVED)
    dates_set: so.Mapped[int] = so.mapped_column(default=1, info=DERIVED)
    first_set_on: so.Mapped[dt.date] = so.mapped_column(info=DERIVED)
    #: days from the first date set to the court day, for a hearing postponed (else null)
    slip_days: so.Mapped[int | None] = so.mapped_column(info=DERIVED)
    #: copies of the proceeding's country, kind and matter (`copies`): the statistics
    #: group and filter hundreds of thousands of hearings without joining each one
    jurisdiction_id: so.Mapped[int] = so.mapped_column(info=DERIVED)
    proceeding_kind: so.Mapped[ProceedingKind] = so.mapped_column(info=DERIVED)
    matter_id: so.Mapped[int] = so.mapped_column(info=DERIVED)

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
        return in_zone(self.starts_at, self.timezone)


class Postponement(Base):
    """One move of a hearing; append-only."""

    __tablename__ = "postponements"
    #: the delay statistics' postponements of a period, from the index alone
    __table_args__ = (
        sa.Index(
            "ix_postponements_statistics",
            "counted_on",
            "jurisdiction_id",
            "proceeding_kind",
            "matter_id",
        ),
    )

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
    #: derived on every flush: the day a move counted (standing, putting the hearing off)
    #: is dated on in statistics: the day decided, when known, else the court's day of
    #: the date it moved from; null for a move that does not count
    counted_on: so.Mapped[dt.date | None] = so.mapped_column(info=DERIVED)
    #: the hearing's copies of its proceeding's country, kind and matter
    jurisdiction_id: so.Mapped[int] = so.mapped_column(info=DERIVED)
    proceeding_kind: so.Mapped[ProceedingKind] = so.mapped_column(info=DERIVED)
    matter_id: so.Mapped[int] = so.mapped_column(info=DERIVED)

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


def settle(hearing: Hearing) -> None:
    """Derive the stored days of a hearing and of its moves from their columns, and copy
    its proceeding's country, kind and matter onto them."""
    zone, moves = hearing.timezone, hearing.moves
    hearing.court_day = in_zone(hearing.starts_at, zone).date()
    hearing.dates_set = 1 + len(hearing.delays)
    first = moves[0].from_starts_at if moves else hearing.starts_at
    hearing.first_set_on = in_zone(first, zone).date()
    postponed = hearing.dates_set > 1
    hearing.slip_days = (hearing.court_day - hearing.first_set_on).days if postponed else None
    copied = copies(hearing.proceeding)
    for row in (hearing, *hearing.postponements):
        for name, value in copied.items():
            setattr(row, name, value)
    for move in hearing.postponements:
        day = move.decided_on or in_zone(move.from_starts_at, zone).date()
        move.counted_on = day if move.counted else None


def copies(proceeding: Proceeding) -> dict[str, Any]:
    """What a proceeding's hearings and their moves carry a copy of."""
    return {
        "jurisdiction_id": proceeding.jurisdiction_id,
        "proceeding_kind": proceeding.kind,
        "matter_id": proceeding.matter_id,
    }


@sa.event.listens_for(so.Session, "before_flush")
def _settle(session: so.Session, _context: Any, _instances: Any) -> None:
    """Every hearing written, or whose moves are, has its days and copies derived before
    it is; a proceeding whose country, kind or matter changes has its copies rewritten."""
    for row in session.dirty:
        if isinstance(row, Proceeding) and _copied_changed(row):
            _recopy(session, row)
    touched: dict[int, Hearing] = {}
    for row in (*session.new, *session.dirty):
        if isinstance(row, Postponement):
            if row.hearing is None:  # added by its hearing's id: join it to its ledger
                row.hearing = session.get_one(Hearing, row.hearing_id)
            row = row.hearing
        if isinstance(row, Hearing) and row not in session.deleted:
            touched[id(row)] = row
    for hearing in touched.values():
        _attach(session, hearing)
        settle(hearing)


def _attach(session: so.Session, hearing: Hearing) -> None:
    """A hearing added (or moved) by its proceeding's id copies that proceeding; one
    given its proceeding as an object copies that object (its id comes at the flush)."""
    if sa.inspect(hearing).attrs.proceeding.history.has_changes():
        return
    pid, proceeding = hearing.proceeding_id, hearing.proceeding
    if pid is not None and (proceeding is None or proceeding.id != pid):
        hearing.proceeding = session.get_one(Proceeding, pid)


def _copied_changed(proceeding: Proceeding) -> bool:
    attrs = sa.inspect(proceeding).attrs
    return any(
        attrs[name].history.has_changes() for name in ("jurisdiction_id", "kind", "matter_id")
    )


def _recopy(session: so.Session, proceeding: Proceeding) -> None:
    """Rewrite the copies of a proceeding's hearings and moves in two UPDATE statements,
    not by flushing each hearing, which would bump its version for a change that is not
    its own; the rows already loaded are given the new values as if read ("evaluate")."""
    values = copies(proceeding)
    ids = list(session.scalars(sa.select(Hearing.id).where(Hearing.proceeding_id == proceeding.id)))
    if not ids:
        return
    loaded = {"synchronize_session": "evaluate"}
    for rows, key in ((Hearing, Hearing.id), (Postponement, Postponement.hearing_id)):
        session.execute(
            sa.update(rows).where(key.in_(ids)).values(values), execution_options=loaded
        )
