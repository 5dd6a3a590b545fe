"""Create and find jurisdictions and their authorities."""

from __future__ import annotations

import datetime as dt
import re
from functools import cache

import holidays
import sqlalchemy as sa
import sqlalchemy.orm as so

from tracker.audit import operations as audit
from tracker.core import edits, fields
from tracker.core.actors import Actor
from tracker.core.errors import Conflict, Invalid, NotFound
from tracker.jurisdictions.models import Authority, Jurisdiction

_CODE = re.compile(r"^[A-Z][A-Z0-9_]{1,15}$")


@cache
def _holiday_countries() -> frozenset[str]:
    return frozenset(holidays.list_supported_countries())


def _check_holiday_country(holiday_country: str | None) -> None:
    if holiday_country is not None and holiday_country not in _holiday_countries():
        raise Invalid(
            f"{holiday_country!r} is not a country of the holidays package", field="holiday_country"
        )


def create_jurisdiction(
    session: so.Session,
    actor: Actor,
    now: dt.datetime,
    *,
    code: str,
    name: str,
    timezone: str,
    holiday_country: str | None = None,
) -> Jurisdiction:
    code = (code or "").strip().upper()
    if not _CODE.match(code):
        raise Invalid(
            f"{code!r} is not a jurisdiction code (ISO 3166 alpha-2, or ECHR, UN...)", field="code"
        )
    name = fields.text(name, "name")
    fields.timezone(timezone)
    _check_holiday_country(holiday_country)
    if session.scalar(sa.select(Jurisdiction.id).where(Jurisdiction.code == code)) is not None:
        raise Conflict(f"jurisdiction {code} exists", field="code")
    jurisdiction = Jurisdiction(
        code=code, name=name, timezone=timezone, holiday_country=holiday_country
    )
    session.add(jurisdiction)
    audit.record(session, actor, now, "create", jurisdiction, matter_id=None)
    return jurisdiction


def by_code(session: so.Session, code: str, field: str = "jurisdiction") -> Jurisdiction:
    jurisdiction = session.scalar(
        sa.select(Jurisdiction).where(Jurisdiction.code == (code or "").strip().upper())
    )
    if jurisdiction is None:
        raise Invalid(f"no jurisdiction with code {code!r}", field=field)
    return jurisdiction


def get(session: so.Session, jurisdiction_id: int) -> Jurisdiction:
    jurisdiction = session.get(Jurisdiction, jurisdiction_id)
    if jurisdiction is None:
        raise NotFound(f"no jurisdiction {jurisdiction_id}")
    return jurisdiction


def authority(
    session: so.Session, actor: Actor, now: dt.datetime, jurisdiction: Jurisdiction, name: str
) -> Authority:
    """The authority of that name in the jurisdiction, created on first mention."""
    name = name.strip()
    found = session.scalar(
        sa.select(Authority).where(
            Authority.jurisdiction_id == jurisdiction.id, Authority.name == name
        )
    )
    if found is not None:
        return found
    created = Authority(jurisdiction=jurisdiction, name=name)
    session.add(created)
    audit.record(session, actor, now, "create", created, matter_id=None)
    return created


# --- administration -----------------------------------------------------------------------


@cache
def holiday_country_choices() -> tuple[tuple[str, str], ...]:
    """(code, "Belgium (BE)") for every country of the holidays package, by name."""
    from holidays.registry import COUNTRIES

    named = {
        entry[1]: f"{module.replace('_', ' ').title()} ({entry[1]})"
        for module, entry in COUNTRIES.items()
        if entry[1] in _holiday_countries()
    }
    return tuple(sorted(named.items(), key=lambda item: item[1]))


def list_jurisdictions(session: so.Session) -> list[Jurisdiction]:
    """Every jurisdiction by code, with its judicial vacations."""
    return list(
        session.scalars(
            sa.select(Jurisdiction)
            .options(so.selectinload(Jurisdiction.vacations))
            .order_by(Jurisdiction.code)
        )
    )


def update_jurisdiction(
    session: so.Session,
    actor: Actor,
    now: dt.datetime,
    jurisdiction: Jurisdiction,
    *,
    version: int | None,
    changes: dict,
) -> Jurisdiction:
    """Rename it, or change its time zone or holiday country (the code never changes)."""
    edits.check_version(jurisdiction, version)
    values: dict = {}
    if "name" in changes:
        values["name"] = fields.text(changes["name"], "name")
    if "timezone" in changes:
        values["timezone"] = fields.timezone(changes["timezone"] or "")
    if "holiday_country" in changes:
        country = changes["holiday_country"] or None
        _check_holiday_country(country)
        values["holiday_country"] = country
    edits.apply(session, actor, now, jurisdiction, values, matter_id=None)
    return jurisdiction
