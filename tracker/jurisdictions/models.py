"""States and international bodies, and the authorities that sit in them."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
import sqlalchemy.orm as so

from tracker.core.db import Base, Timestamped, Versioned, intpk, str200
from tracker.jurisdictions.enums import AuthorityKind, VacationEffect


class Jurisdiction(Versioned, Timestamped, Base):
    __tablename__ = "jurisdictions"

    id: so.Mapped[intpk]
    #: ISO 3166 alpha-2, or a body's code: ECHR, INTERPOL, UN
    code: so.Mapped[str] = so.mapped_column(sa.String(16), unique=True)
    name: so.Mapped[str200]
    #: IANA zone of the courts; hearings default to it
    timezone: so.Mapped[str] = so.mapped_column(sa.String(64))
    #: country code for the `holidays` package; null: weekends only
    holiday_country: so.Mapped[str | None] = so.mapped_column(sa.String(8))
    holiday_subdivision: so.Mapped[str | None] = so.mapped_column(sa.String(16))

    vacations: so.Mapped[list[JudicialVacation]] = so.relationship(
        back_populates="jurisdiction", cascade="all, delete-orphan", order_by="JudicialVacation.id"
    )
    authorities: so.Mapped[list[Authority]] = so.relationship(back_populates="jurisdiction")


class JudicialVacation(Versioned, Base):
    """A yearly period when courts are on vacation or time limits are suspended."""

    __tablename__ = "judicial_vacations"

    id: so.Mapped[intpk]
    jurisdiction_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("jurisdictions.id", ondelete="CASCADE"), index=True
    )
    name: so.Mapped[str200]
    effect: so.Mapped[VacationEffect]
    #: first and last day, as (month, day), every year
    start_month: so.Mapped[int]
    start_day: so.Mapped[int]
    end_month: so.Mapped[int]
    end_day: so.Mapped[int]
    #: for `extend`: the (month, day) to which a period is extended
    extend_to_month: so.Mapped[int | None]
    extend_to_day: so.Mapped[int | None]
    valid_from: so.Mapped[dt.date | None]
    valid_to: so.Mapped[dt.date | None]
    source: so.Mapped[str | None] = so.mapped_column(sa.Text)

    jurisdiction: so.Mapped[Jurisdiction] = so.relationship(back_populates="vacations")


class Authority(Versioned, Timestamped, Base):
    __tablename__ = "authorities"
    __table_args__ = (sa.UniqueConstraint("jurisdiction_id", "name"),)

    id: so.Mapped[intpk]
    jurisdiction_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("jurisdictions.id"))
    name: so.Mapped[str200]
    kind: so.Mapped[AuthorityKind] = so.mapped_column(default=AuthorityKind.other)

    jurisdiction: so.Mapped[Jurisdiction] = so.relationship(back_populates="authorities")
