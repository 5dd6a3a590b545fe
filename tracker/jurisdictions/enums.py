"""The kinds and states of jurisdictions and their calendars (plain enums: rule modules and
commands read them without the database)."""

from __future__ import annotations

import enum


class VacationEffect(enum.StrEnum):
    #: periods that start and end inside are extended to a fixed day after it (BE civil)
    extend = "extend"
    #: time does not run during it (IT summer suspension)
    suspend = "suspend"
    #: the court or office is closed, like on a public holiday: no period ends then and no
    #: working day or hour is counted (closing days the `holidays` package does not know,
    #: such as an international court's own)
    closed = "closed"


class AuthorityKind(enum.StrEnum):
    court = "court"
    prosecutor = "prosecutor"
    ministry = "ministry"
    police = "police"
    international_body = "international_body"
    other = "other"
