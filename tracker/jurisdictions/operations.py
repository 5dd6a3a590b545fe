"""Create and find jurisdictions, their authorities and their judicial vacations.

Jurisdictions, their calendars and (in `tracker.deadlines.operations`) the deadline rules
are the admins' to change: each write here checks that itself, so the admin pages, the
API and the command line give the same answer (system actors have no role and pass).
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
import sqlalchemy.orm as so

from tracker.audit import edits
from tracker.audit import operations as audit
from tracker.core.actors import Actor
from tracker.core.dates import FULL_MONTHS
from tracker.core.db import snapshot
from tracker.core.errors import Conflict, Invalid, NotFound
from tracker.jurisdictions import calendars
from tracker.jurisdictions.models import Authority, JudicialVacation, Jurisdiction, VacationEffect
from tracker.jurisdictions.schemas import (
    CHOOSE_A_MONTH,
    GIVE_A_DAY,
    ChangedVacation,
    JurisdictionChanges,
    NewJurisdiction,
    NewVacation,
)
from tracker.users import access
from tracker.users.models import Role


def require_admin(actor: Actor, doing: str) -> None:
    """403 unless `actor` is an admin (or a system actor, which has no role)."""
    access.require_role(actor, Role.admin, doing=doing)


def create_jurisdiction(
    session: so.Session, actor: Actor, now: dt.datetime, command: NewJurisdiction
) -> Jurisdiction:
    """Add a jurisdiction (admins); its code is unique."""
    require_admin(actor, "add jurisdictions")
    code = command.code
    if session.scalar(sa.select(Jurisdiction.id).where(Jurisdiction.code == code)) is not None:
        raise Conflict(f"jurisdiction {code} exists", field="code")
    subdivision = command.holiday_subdivision or None
    if subdivision and subdivision not in calendars.subdivisions(command.holiday_country):
        raise Invalid(
            f"{subdivision!r} is not a region of {command.holiday_country or 'no country'} "
            "with its own holidays",
            field="holiday_subdivision",
        )
    jurisdiction = Jurisdiction(
        code=code,
        name=command.name,
        timezone=command.timezone,
        holiday_country=command.holiday_country,
        holiday_subdivision=subdivision,
    )
    session.add(jurisdiction)
    audit.record(session, actor, now, "create", jurisdiction, matter_id=None)
    return jurisdiction


def by_code(session: so.Session, code: str, field: str = "jurisdiction") -> Jurisdiction:
    """The jurisdiction of that code; found once per session (an import names it on every
    row), and looked up again if that one has left the session (rolled back)."""
    code = (code or "").strip().upper()
    known: dict[str, Jurisdiction] = session.info.setdefault(_BY_CODE, {})
    jurisdiction = known.get(code)
    if jurisdiction is None or jurisdiction not in session or jurisdiction.code != code:
        jurisdiction = session.scalar(sa.select(Jurisdiction).where(Jurisdiction.code == code))
        if jurisdiction is None:
            raise Invalid(f"no jurisdiction with code {code!r}", field=field)
        known[code] = jurisdiction
    return jurisdiction


_BY_CODE = "tracker.jurisdictions.by_code"


def get(session: so.Session, jurisdiction_id: int) -> Jurisdiction:
    jurisdiction = session.get(Jurisdiction, jurisdiction_id)
    if jurisdiction is None:
        raise NotFound(f"no jurisdiction {jurisdiction_id}")
    return jurisdiction


def authority(
    session: so.Session, actor: Actor, now: dt.datetime, jurisdiction: Jurisdiction, name: str
) -> Authority:
    """The authority of that name in the jurisdiction, created on first mention.

    Authorities are named by whoever opens or corrects a proceeding (not only admins):
    the proceeding's command has checked the name (`authority`, within `limits.NAME`).
    """
    name = name.strip()
    with session.no_autoflush:  # a batched writer's new rows wait: they are looked at below
        found = session.scalar(
            sa.select(Authority).where(
                Authority.jurisdiction_id == jurisdiction.id, Authority.name == name
            )
        )
    found = found or next((a for a in session.new if _is(a, jurisdiction, name)), None)
    if found is not None:
        return found
    created = Authority(jurisdiction=jurisdiction, name=name)
    session.add(created)
    audit.record(session, actor, now, "create", created, matter_id=None)
    return created


def _is(row: object, jurisdiction: Jurisdiction, name: str) -> bool:
    return isinstance(row, Authority) and row.jurisdiction is jurisdiction and row.name == name


# --- administration -----------------------------------------------------------------------


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
    command: JurisdictionChanges,
) -> Jurisdiction:
    """Rename it, or change its time zone or holiday country (the code never changes)."""
    require_admin(actor, "change jurisdictions")
    edits.check_version(jurisdiction, command.version)
    edits.apply(session, actor, now, jurisdiction, command.changes(), matter_id=None)
    return jurisdiction


# --- judicial vacations -------------------------------------------------------------------
#
# A vacation is the same (month, day) period every year, and the engine makes it
# date(year, month, day) in the year of the day it checks. So a period stays within one
# calendar year (one over New Year is entered as two), and 29 February is refused: three
# years in four that day does not exist and the period would have no first or last day.

#: a year without 29 February: a day of a vacation must exist in it
_COMMON_YEAR = 2023


def get_vacation(
    session: so.Session, jurisdiction: Jurisdiction, vacation_id: int
) -> JudicialVacation:
    """The vacation of that id, if it is one of this jurisdiction's (404 otherwise)."""
    vacation = session.get(JudicialVacation, vacation_id)
    if vacation is None or vacation.jurisdiction_id != jurisdiction.id:
        raise NotFound(f"{jurisdiction.code} has no judicial vacation {vacation_id}")
    return vacation


def describe_day(month: int, day: int) -> str:
    return f"{day} {FULL_MONTHS[month - 1]}"


def _month_day(month: int | None, day: int | None, prefix: str) -> tuple[int, int]:
    """(month, day) as `<prefix>_month` and `<prefix>_day`, if that day is in every year."""
    if month is None:
        raise Invalid(CHOOSE_A_MONTH, field=f"{prefix}_month")
    if day is None:
        raise Invalid(GIVE_A_DAY, field=f"{prefix}_day")
    if (month, day) == (2, 29):
        raise Invalid(
            "29 February is not in every year: give 28 February or 1 March", field=f"{prefix}_day"
        )
    try:
        dt.date(_COMMON_YEAR, month, day)
    except ValueError:
        raise Invalid(f"{FULL_MONTHS[month - 1]} has no day {day}", field=f"{prefix}_day") from None
    return month, day


def _vacation_values(command: NewVacation) -> dict:
    """The columns of a vacation, once its days and validity agree with each other."""
    start = _month_day(command.start_month, command.start_day, "start")
    end = _month_day(command.end_month, command.end_day, "end")
    if end < start:
        raise Invalid(
            "the last day comes before the first: a vacation stays within one calendar year "
            "(enter one over New Year as two)",
            field="end_month",
        )
    extend_to = None
    if command.effect is VacationEffect.extend:  # a suspension extends nothing: not kept
        extend_to = _month_day(command.extend_to_month, command.extend_to_day, "extend_to")
        if extend_to <= end:
            raise Invalid(
                f"periods are extended to a day after the vacation (after {describe_day(*end)})",
                field="extend_to_month",
            )
    if command.valid_from and command.valid_to and command.valid_from >= command.valid_to:
        raise Invalid(
            "the day it stops being in force must be after the first day in force",
            field="valid_to",
        )
    return {
        "name": command.name,
        "effect": command.effect,
        "start_month": start[0],
        "start_day": start[1],
        "end_month": end[0],
        "end_day": end[1],
        "extend_to_month": extend_to[0] if extend_to else None,
        "extend_to_day": extend_to[1] if extend_to else None,
        "valid_from": command.valid_from,
        "valid_to": command.valid_to,
        "source": command.source or None,
    }


def _check_no_overlap(
    session: so.Session, jurisdiction_id: int, values: dict, vacation_id: int | None = None
) -> None:
    """Refuse a period that shares a day with another vacation in force at the same time.

    Whatever the effects: with two on one day, the order of the rows (or both effects at
    once) would decide a deadline.
    """
    others = session.scalars(
        sa.select(JudicialVacation).where(
            JudicialVacation.jurisdiction_id == jurisdiction_id, JudicialVacation.id != vacation_id
        )
    )
    start = (values["start_month"], values["start_day"])
    end = (values["end_month"], values["end_day"])
    for other in others:
        other_start = (other.start_month, other.start_day)
        other_end = (other.end_month, other.end_day)
        days = start <= other_end and other_start <= end
        if days and _validity_overlaps(values, other):
            raise Invalid(
                f"this period overlaps “{other.name}” ({describe_day(*other_start)} to "
                f"{describe_day(*other_end)}): a day can be in one vacation only; "
                "change or remove that one first",
                field="start_month",
            )


def _check_time_runs(
    session: so.Session, jurisdiction_id: int, values: dict, vacation_id: int | None = None
) -> None:
    """Refuse suspensions that together cover the whole year: no time limit would ever end."""
    if values["effect"] is not VacationEffect.suspend:
        return
    others = session.scalars(
        sa.select(JudicialVacation).where(
            JudicialVacation.jurisdiction_id == jurisdiction_id,
            JudicialVacation.id != vacation_id,
            JudicialVacation.effect == VacationEffect.suspend,
        )
    )
    days = _days(values["start_month"], values["start_day"], values["end_month"], values["end_day"])
    for other in others:
        if _validity_overlaps(values, other):  # then they share no day: their days add up
            days += _days(other.start_month, other.start_day, other.end_month, other.end_day)
    if days >= 365:
        raise Invalid(
            "time limits would never run: the suspensions would cover the whole year",
            field="start_month",
        )


def _days(start_month: int, start_day: int, end_month: int, end_day: int) -> int:
    """How many days a yearly period has (in a year without 29 February)."""
    first = dt.date(_COMMON_YEAR, start_month, start_day)
    return (dt.date(_COMMON_YEAR, end_month, end_day) - first).days + 1


def _validity_overlaps(values: dict, other: JudicialVacation) -> bool:
    """Whether two [valid_from, valid_to) windows (None: open-ended) share a day."""
    a_from, a_to = values["valid_from"], values["valid_to"]
    return (a_from is None or other.valid_to is None or a_from < other.valid_to) and (
        other.valid_from is None or a_to is None or other.valid_from < a_to
    )


def add_vacation(
    session: so.Session,
    actor: Actor,
    now: dt.datetime,
    jurisdiction: Jurisdiction,
    command: NewVacation,
) -> JudicialVacation:
    """Add a yearly vacation to a jurisdiction's calendar (admins)."""
    require_admin(actor, "change the courts' calendars")
    values = _vacation_values(command)
    _check_no_overlap(session, jurisdiction.id, values)
    _check_time_runs(session, jurisdiction.id, values)
    vacation = JudicialVacation(jurisdiction=jurisdiction, **values)
    session.add(vacation)
    audit.record(session, actor, now, "create", vacation, matter_id=None)
    return vacation


def update_vacation(
    session: so.Session,
    actor: Actor,
    now: dt.datetime,
    vacation: JudicialVacation,
    command: ChangedVacation,
) -> JudicialVacation:
    """Change every field of a vacation (the form sends them all; admins)."""
    require_admin(actor, "change the courts' calendars")
    edits.check_version(vacation, command.version)
    values = _vacation_values(command)
    _check_no_overlap(session, vacation.jurisdiction_id, values, vacation.id)
    _check_time_runs(session, vacation.jurisdiction_id, values, vacation.id)
    edits.apply(session, actor, now, vacation, values, matter_id=None)
    return vacation


def remove_vacation(
    session: so.Session,
    actor: Actor,
    now: dt.datetime,
    vacation: JudicialVacation,
    *,
    version: int | None,
) -> JudicialVacation:
    """Remove a vacation (returned, deleted; admins); the audit entry keeps what it was."""
    require_admin(actor, "change the courts' calendars")
    edits.check_version(vacation, version)
    audit.record(
        session, actor, now, "delete", vacation, matter_id=None, before=snapshot(vacation), after={}
    )
    vacation.jurisdiction.vacations.remove(vacation)  # delete-orphan: deleted at the flush
    session.flush()
    return vacation


def calendar_of(jurisdiction: Jurisdiction) -> calendars.Calendar:
    """The working-day calendar of a jurisdiction: its holidays and judicial vacations."""
    return calendars.Calendar(
        code=jurisdiction.code,
        holiday_country=jurisdiction.holiday_country,
        subdivision=jurisdiction.holiday_subdivision,
        timezone=jurisdiction.timezone,
        vacations=tuple(
            calendars.Vacation(
                name=v.name,
                effect=v.effect,
                start=(v.start_month, v.start_day),
                end=(v.end_month, v.end_day),
                # stored together (`_vacation_values`): both or neither
                extend_to=(
                    (v.extend_to_month, v.extend_to_day)
                    if v.extend_to_month and v.extend_to_day
                    else None
                ),
                valid_from=v.valid_from,
                valid_to=v.valid_to,
                source=v.source or "",
            )
            for v in jurisdiction.vacations
        ),
    )
