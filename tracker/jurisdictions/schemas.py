"""What a jurisdiction or judicial vacation write takes (commands), and what the API
answers about a jurisdiction.

A jurisdiction's code is checked here, once (`JurisdictionCode`): trimmed, in capitals,
ISO 3166 alpha-2 or a body's code. Rules that need the database (a code taken, a
vacation overlapping another) or several fields (the last day after the first) are the
operations'.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

import pydantic

from tracker.core import limits
from tracker.core.commands import Allowed, Changes, Command, Day, Limit, Query, Zone, refuse
from tracker.jurisdictions import calendars
from tracker.jurisdictions.enums import VacationEffect
from tracker.jurisdictions.models import Jurisdiction

# --- field types --------------------------------------------------------------------------

_CODE = re.compile(rf"^[A-Z][A-Z0-9_]{{1,{limits.JURISDICTION_CODE - 1}}}$")


def _code(value: str) -> str:
    code = value.upper()
    if not _CODE.match(code):
        raise refuse(f"{code!r} is not a jurisdiction code (ISO 3166 alpha-2, or ECHR, UN...)")
    return code


#: a jurisdiction's code as sent ("be", " ECHR "): trimmed and in capitals once checked
JurisdictionCode = Annotated[
    Annotated[str, Limit(limits.JURISDICTION_CODE)],
    pydantic.AfterValidator(_code),
    pydantic.WithJsonSchema(
        {
            "type": "string",
            "maxLength": limits.JURISDICTION_CODE,
            "description": "ISO 3166 alpha-2, or a body's code (ECHR, UN_CAT); any case",
            "examples": ["BE"],
        }
    ),
]


def _holiday_country(value: str) -> str:
    if value not in calendars.holiday_countries():
        raise refuse(f"{value!r} is not a country of the holidays package")
    return value


#: a country of the `holidays` package, whose public holidays the courts keep
HolidayCountry = Annotated[
    str,
    pydantic.AfterValidator(_holiday_country),
    pydantic.WithJsonSchema(
        {"type": "string", "description": "a country of the holidays package", "examples": ["BE"]}
    ),
]

#: what a vacation form or body says when a month or a day is missing or out of range
CHOOSE_A_MONTH = "choose a month"
GIVE_A_DAY = "give a day from 1 to 31"


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _month(value: Any) -> int:
    if not _whole(value) or not 1 <= value <= 12:
        raise refuse(CHOOSE_A_MONTH)
    return value


def _day(value: Any) -> int:
    if not _whole(value) or not 1 <= value <= 31:
        raise refuse(GIVE_A_DAY)
    return value


#: a month of the year, 1 to 12
Month = Annotated[
    int,
    pydantic.PlainValidator(_month),
    pydantic.WithJsonSchema({"type": "integer", "minimum": 1, "maximum": 12}),
]
#: a day of a month, 1 to 31 (whether the month has it is the operation's to say)
DayOfMonth = Annotated[
    int,
    pydantic.PlainValidator(_day),
    pydantic.WithJsonSchema({"type": "integer", "minimum": 1, "maximum": 31}),
]


# --- commands -----------------------------------------------------------------------------


class NewJurisdiction(Command):
    """Add a state or an international body (admins)."""

    code: JurisdictionCode
    name: Annotated[str, Limit(limits.NAME)]
    timezone: Zone
    holiday_country: HolidayCountry | None = None
    #: a region with its own holidays, as the `holidays` package names it (FR: "6AE",
    #: Alsace); checked against the country's
    holiday_subdivision: Annotated[str, Limit(16, required=False)] | None = None


class JurisdictionChanges(Changes):
    """Rename a jurisdiction, or change its courts' zone or holidays (never its code)."""

    #: null: weekends only, no public holidays
    nullable = frozenset({"holiday_country"})

    name: Annotated[str, Limit(limits.NAME)] | None = None
    timezone: Zone | None = None
    holiday_country: HolidayCountry | None = None


class NewVacation(Command):
    """A yearly judicial vacation: the same (month, day) period every year.

    `extend_to_*` is the day periods are extended to, for an `extend` vacation only.
    """

    name: Annotated[str, Limit(limits.NAME)]
    effect: Annotated[VacationEffect, Allowed()]
    start_month: Month
    start_day: DayOfMonth
    end_month: Month
    end_day: DayOfMonth
    extend_to_month: Month | None = None
    extend_to_day: DayOfMonth | None = None
    valid_from: Day | None = None
    valid_to: Day | None = None
    source: Annotated[str, Limit(limits.SOURCE, required=False)] = ""


class ChangedVacation(NewVacation):
    """A vacation as changed: every field again (the form sends them all), and the version
    the change was made from."""

    version: int


# --- queries ------------------------------------------------------------------------------


class JurisdictionsQuery(Query):
    """GET /jurisdictions takes no filter: every jurisdiction is listed, by code."""


# --- answers ------------------------------------------------------------------------------


class JurisdictionOut(pydantic.BaseModel):
    id: int
    code: str
    name: str
    timezone: str
    holiday_country: str | None
    version: int


def dump(jurisdiction: Jurisdiction) -> JurisdictionOut:
    return JurisdictionOut(
        id=jurisdiction.id,
        code=jurisdiction.code,
        name=jurisdiction.name,
        timezone=jurisdiction.timezone,
        holiday_country=jurisdiction.holiday_country,
        version=jurisdiction.version,
    )
