"""The kinds and states of deadlines and their rules (plain enums: rule modules and
commands read them without the database)."""

from __future__ import annotations

import enum


class DeadlineStatus(enum.StrEnum):
    open = "open"
    done = "done"
    waived = "waived"


class OffsetUnit(enum.StrEnum):
    days = "days"
    working_days = "working_days"
    #: hours of an office's working day (`opens_at` to `due_time`), counted back from an
    #: instant: the ECHR Registry's, for a Rule 39 request before a removal
    working_hours = "working_hours"
    months = "months"


class EndShift(enum.StrEnum):
    #: a last day that is not a working day moves to the next working day
    next_working_day = "next_working_day"
    #: the last day stays where it falls (ECHR)
    none = "none"


class BlockingDays(enum.StrEnum):
    weekends_and_holidays = "weekends_and_holidays"
    #: Italian criminal procedure: Saturday is a working day
    holidays_and_sundays = "holidays_and_sundays"


class VacationPolicy(enum.StrEnum):
    ignore = "ignore"
    #: apply the jurisdiction's judicial vacations (extend or suspend, as they say)
    apply = "apply"


class Party(enum.StrEnum):
    """Who owes a time limit."""

    #: our side: reminders to the lawyers, `deadline_near` / `deadline_missed`
    client = "client"
    #: the other side (a court, a ministry, the CCF, a State before the UN): an expected
    #: decision or reply, met by recording it; late, it raises `authority_overdue`
    authority = "authority"


class Direction(enum.StrEnum):
    #: the period runs from the trigger forwards (an appeal after a judgment)
    after = "after"
    #: the period is counted back from the trigger (a request due before a removal)
    before = "before"
