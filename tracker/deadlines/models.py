"""Deadlines and the rules that compute them.

A computed deadline keeps its rule and trigger event next to the date they gave,
with the explanation in words; when the trigger moves, the date is recomputed
(unless someone overrode it by hand).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import sqlalchemy as sa
import sqlalchemy.orm as so

from tracker.core.db import Base, Timestamped, Versioned, intpk, partial_index, str200, timestamp
from tracker.deadlines.enums import (
    BlockingDays,
    DeadlineStatus,
    Direction,
    EndShift,
    OffsetUnit,
    Party,
    VacationPolicy,
)

if TYPE_CHECKING:
    from tracker.jurisdictions.models import Jurisdiction
    from tracker.matters.models import Event, Proceeding


class DeadlineRule(Versioned, Timestamped, Base):
    """How a deadline follows from an event; a rule changed by statute is two rows."""

    __tablename__ = "deadline_rules"
    __table_args__ = (sa.UniqueConstraint("code", "valid_from"),)

    id: so.Mapped[intpk]
    code: so.Mapped[str] = so.mapped_column(sa.String(64), index=True)
    jurisdiction_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("jurisdictions.id"))
    title: so.Mapped[str200]
    #: the event kind that starts the period (judgment, service, decision...)
    trigger_kind: so.Mapped[str] = so.mapped_column(sa.String(64))
    amount: so.Mapped[int]
    unit: so.Mapped[OffsetUnit]
    end_shift: so.Mapped[EndShift] = so.mapped_column(default=EndShift.next_working_day)
    blocking_days: so.Mapped[BlockingDays] = so.mapped_column(
        default=BlockingDays.weekends_and_holidays
    )
    vacation_policy: so.Mapped[VacationPolicy] = so.mapped_column(default=VacationPolicy.ignore)
    #: the rule applies to triggers on or after valid_from and before valid_to
    valid_from: so.Mapped[dt.date | None]
    valid_to: so.Mapped[dt.date | None]
    #: the statute or case law, e.g. "CIC art. 203"
    source: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    #: the provision itself, e.g. "art. 40(1)"; with the official text's address and the
    #: day someone last read it there
    article: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    source_url: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    checked_on: so.Mapped[dt.date | None]
    owed_by: so.Mapped[Party] = so.mapped_column(default=Party.client)
    #: the event kinds that meet an authority's time limit (a decision, a reply)
    met_by: so.Mapped[list[str]] = so.mapped_column(sa.JSON, default=list)
    direction: so.Mapped[Direction] = so.mapped_column(default=Direction.after)
    #: the hour on the last day by which to act, in the jurisdiction's zone; for a period
    #: in working hours, the hour the office closes
    due_time: so.Mapped[dt.time | None]
    #: the hour the office opens, for a period in working hours (the ECHR Registry: 08:00)
    opens_at: so.Mapped[dt.time | None]

    jurisdiction: so.Mapped[Jurisdiction] = so.relationship()

    def in_force(self, trigger: dt.date) -> bool:
        """This version applies to a trigger on that day (a page offers only that one)."""
        return (self.valid_from is None or self.valid_from <= trigger) and (
            self.valid_to is None or trigger < self.valid_to
        )


class Deadline(Versioned, Timestamped, Base):
    __tablename__ = "deadlines"
    #: the dashboard reads open deadlines by due date
    __table_args__ = (
        partial_index("ix_deadlines_open_due_on", "due_on", "id", where="status = 'open'"),
    )

    id: so.Mapped[intpk]
    proceeding_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("proceedings.id", ondelete="CASCADE"), index=True
    )
    title: so.Mapped[str200]
    due_on: so.Mapped[dt.date] = so.mapped_column(index=True)
    rule_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("deadline_rules.id"))
    trigger_event_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("events.id", ondelete="SET NULL"), index=True
    )
    #: the date the rule gave; due_on differs only when overridden by hand
    computed_due_on: so.Mapped[dt.date | None]
    #: the steps of the computation, in words
    explanation: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    status: so.Mapped[DeadlineStatus] = so.mapped_column(default=DeadlineStatus.open)
    completed_at: so.Mapped[timestamp | None]
    #: copied from the rule when computed; a deadline set by hand says it itself
    owed_by: so.Mapped[Party] = so.mapped_column(default=Party.client)
    met_by: so.Mapped[list[str]] = so.mapped_column(sa.JSON, default=list)
    #: the instant on `due_on` by which to act, for a rule with a time of day
    due_at: so.Mapped[timestamp | None]
    #: the event that met an authority's time limit (the deadline was then marked done)
    met_event_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("events.id", ondelete="SET NULL")
    )

    proceeding: so.Mapped[Proceeding] = so.relationship(back_populates="deadlines")
    rule: so.Mapped[DeadlineRule | None] = so.relationship()
    trigger_event: so.Mapped[Event | None] = so.relationship(foreign_keys=[trigger_event_id])
    met_event: so.Mapped[Event | None] = so.relationship(foreign_keys=[met_event_id])

    @property
    def overridden(self) -> bool:
        return self.computed_due_on is not None and self.due_on != self.computed_due_on

    @property
    def zone(self) -> str:
        """Where its hour is read: its rule's jurisdiction (else its proceeding's court)."""
        if self.rule is not None:
            return self.rule.jurisdiction.timezone
        return self.proceeding.jurisdiction.timezone

    @property
    def due_hour(self) -> str | None:
        """ "16:00 (Europe/Paris)": the hour to act by on the last day, if the rule sets one."""
        if self.due_at is None:
            return None
        return f"{self.due_at.astimezone(ZoneInfo(self.zone)):%H:%M} ({self.zone})"
