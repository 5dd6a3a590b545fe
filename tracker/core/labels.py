"""Codes in words: the one table that pages, mail, feeds and exports read.

A code is what the database and the API keep (`mla_request`, `repeated_postponement`);
its label is what a person reads ("MLA request", "Repeated postponement"). Event kinds
are free words, so a code not in the table still reads well: underscores become spaces,
the first letter a capital, and the acronyms of the field stay in capitals
("mla_reply" → "MLA reply"). Pure: no Flask, no database.
"""

from __future__ import annotations

import enum
from typing import Any

PROCEEDING_KINDS = {
    "criminal_case": "Criminal case",
    "trial": "Trial",
    "appeal": "Appeal",
    "cassation": "Cassation",
    "extradition_request": "Extradition request",
    "mla_request": "MLA request",
    "civil_complaint": "Civil complaint",
    "interpol_notice": "INTERPOL notice",
    "wanted_listing": "Wanted listing",
    "asylum": "Asylum",
    "echr_application": "ECHR application",
    "administrative": "Administrative",
    "complaint": "Complaint",
    "ccf_request": "CCF request",
    "un_communication": "UN communication",
    "european_arrest_warrant": "European arrest warrant",
}

PROCEEDING_STATUSES = {
    "pending": "Pending",
    "suspended": "Suspended",
    "decided": "Decided",
    "closed": "Closed",
    "withdrawn": "Withdrawn",
}

CLIENT_ROLES = {
    "accused": "Accused",
    "requested_person": "Requested person",
    "targeted_person": "Targeted person",
    "victim": "Victim",
    "civil_party": "Civil party",
    "complainant": "Complainant",
    "applicant": "Applicant",
    "respondent": "Respondent",
    "witness": "Witness",
}

HEARING_STATUSES = {
    "scheduled": "Scheduled",
    "held": "Held",
    "postponed": "Postponed",
    "cancelled": "Cancelled",
}

OUTCOMES = {
    "held": "Held",
    "adjourned": "Adjourned",
    "decided": "Decided",
    "cancelled": "Cancelled",
}

#: the event kinds the project knows (any other word is accepted, and read by `words`)
EVENT_KINDS = {
    "request_received": "Request received",
    "arrest": "Arrest",
    "search": "Search",
    "charged": "Charged",
    "filing": "Filing",
    "appeal_filed": "Appeal filed",
    "complaint_filed": "Complaint filed",
    "decision": "Decision",
    "final_decision": "Final decision",
    "judgment": "Judgment",
    "dismissal": "Dismissal",
    "decision_served": "Decision served",
    "service": "Service",
    "notification": "Notification",
    "authorisation": "Authorisation",
    "listed": "Listed",
}

FLAG_RULES = {
    "repeated_postponement": "Repeated postponement",
    "hearing_slipped": "Hearing slipped",
    "outcome_missing": "Outcome missing",
    "deadline_near": "Deadline near",
    "deadline_missed": "Deadline missed",
    "request_unanswered": "Request unanswered",
    "stale_proceeding": "Stale proceeding",
    "long_pending": "Long pending",
    "authority_overdue": "Authority overdue",
}

SEVERITIES = {"warning": "Warning", "critical": "Critical"}

DEADLINE_STATUSES = {"open": "Open", "done": "Done", "waived": "Waived"}

#: an offset's unit: (one, more than one)
UNITS = {
    "days": ("day", "days"),
    "working_days": ("working day", "working days"),
    "working_hours": ("working hour", "working hours"),
    "months": ("month", "months"),
}

#: how deadline rules count (the admin's rule pages)
RULE_SETTINGS = {
    "weekends_and_holidays": "Weekends and holidays",
    "holidays_and_sundays": "Sundays and holidays",
    "next_working_day": "Next working day",
    "none": "None",
    "ignore": "Ignored",
    "apply": "Applied",
    "extend": "Extend",
    "suspend": "Suspend",
    "closed": "Closed",
}

ROLES = {"admin": "Admin", "coordinator": "Coordinator", "staff": "Staff", "lawyer": "Lawyer"}

OTHERS = {
    "international_body": "International body",
    "read-write": "Read and write",
    "read": "Read only",
    "full": "Full",
    "minimal": "Minimal",
    "flag_digest": "Flag digest",
    "hearing_reminder": "Hearing reminder",
    "deadline_reminder": "Deadline reminder",
}

#: a command's field as a message names it (the API's error keeps the field's own name
#: in `field`: that is the contract; `message` is for people)
FIELDS = {
    "as_of": "day of the scan",
    "blocking_days": "days off",
    "client_role": "client's role",
    "closed_on": "closing date",
    "opened_on": "opening date",
    "decided_on": "date of the decision",
    "due_on": "due date",
    "occurred_on": "date of the event",
    "starts_at": "date and time",
    "time_known": "whether the time is known",
    "end_day": "last day",
    "end_month": "last month",
    "start_day": "first day",
    "start_month": "first month",
    "extend_to_day": "day it extends to",
    "extend_to_month": "month it extends to",
    "end_shift": "last day's move",
    "expires_on": "last day it works",
    "holiday_country": "country of public holidays",
    "matter_id": "matter",
    "parent_id": "proceeding appealed or continued",
    "origin_id": "proceeding it is based on",
    "trigger_event_id": "trigger event",
    "trigger_kind": "trigger event kind",
    "vacation_policy": "judicial vacations",
    "valid_from": "first day in force",
    "valid_to": "day it stops being in force",
    "outcome_summary": "summary of the outcome",
    "sine_die": "sine die",
    "digest_hour": "digest's hour",
    "hearing_offsets": "days before a hearing",
    "deadline_offsets": "days before a deadline",
}

#: words written in capitals wherever they appear in a code
ACRONYMS = frozenset(
    {"mla", "echr", "ecthr", "interpol", "un", "eu", "icc", "cjeu", "ohchr", "id", "ics"}
)


def _merged(*tables: dict[str, str]) -> dict[str, str]:
    """One table; a code found in two tables (`held`, `decided`) must read the same."""
    merged: dict[str, str] = {}
    for table in tables:
        for code, label in table.items():
            if merged.setdefault(code, label) != label:
                raise ValueError(f"{code!r} reads both {merged[code]!r} and {label!r}")
    return merged


LABELS = _merged(
    PROCEEDING_KINDS,
    PROCEEDING_STATUSES,
    CLIENT_ROLES,
    HEARING_STATUSES,
    OUTCOMES,
    EVENT_KINDS,
    FLAG_RULES,
    SEVERITIES,
    DEADLINE_STATUSES,
    RULE_SETTINGS,
    ROLES,
    OTHERS,
)


def _code(value: Any) -> str:
    return str(value.value if isinstance(value, enum.Enum) else (value or ""))


def words(value: Any) -> str:
    """A code in words, as it starts a line or a cell: mla_request → "MLA request"."""
    code = _code(value).strip()
    if code in LABELS:
        return LABELS[code]
    found = code.replace("_", " ").replace("-", " ").split()
    found = [w.upper() if w.lower() in ACRONYMS else w for w in found]
    text = " ".join(found)
    return text[:1].upper() + text[1:]


def in_sentence(value: Any) -> str:
    """A code in words inside a sentence: "client: requested person", "an MLA request"."""
    text = words(value)
    first = text.split(" ", 1)[0]
    if first.isupper() and len(first) > 1:  # an acronym keeps its capitals
        return text
    return text[:1].lower() + text[1:]


def field(name: str) -> str:
    """A field's name in a message: "closed_on" → "closing date", "title" → "title"."""
    return FIELDS.get(name) or in_sentence(name)


def period(amount: int, unit: Any) -> str:
    """An offset: "1 month", "2 months", "1 working day"."""
    code = _code(unit)
    one, more = UNITS.get(code, (in_sentence(code), in_sentence(code)))
    return f"{amount} {one if amount == 1 else more}"


def count(number: int, one: str, more: str | None = None) -> str:
    """A number of things: "1 session", "2 sessions", "0 recovery codes"."""
    return f"{number:,} {one if number == 1 else (more or one + 's')}"
