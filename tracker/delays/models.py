"""Delays that the scan found, stored once and updated on later scans."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from tracker.core.db import Base, Versioned, intpk, timestamp
from tracker.delays.enums import Severity


class DelayFlag(Versioned, Base):
    __tablename__ = "delay_flags"

    id: so.Mapped[intpk]
    #: what the flag is about, e.g. "repeated_postponement:hearing:12"; one row per cause
    key: so.Mapped[str] = so.mapped_column(sa.String(120), unique=True)
    #: the delay rule's code (README, "Delay flags")
    rule: so.Mapped[str] = so.mapped_column(sa.String(40), index=True)
    severity: so.Mapped[Severity]
    proceeding_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("proceedings.id", ondelete="CASCADE"), index=True
    )
    hearing_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("hearings.id", ondelete="CASCADE")
    )
    deadline_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("deadlines.id", ondelete="CASCADE")
    )
    message: so.Mapped[str] = so.mapped_column(sa.Text)
    details: so.Mapped[dict[str, Any]] = so.mapped_column(default=dict)
    #: when the delay itself began (a request's date + its threshold, a hearing's first
    #: date...), as the rule computes it; first_seen is only when a scan first saw it
    began_on: so.Mapped[dt.date | None]
    first_seen: so.Mapped[dt.date]
    last_seen: so.Mapped[dt.date]
    resolved_at: so.Mapped[timestamp | None]
    acknowledged_at: so.Mapped[timestamp | None]
    acknowledged_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id"))
    acknowledgement: so.Mapped[str] = so.mapped_column(sa.Text, default="")
