"""What a deadline or deadline rule write takes (commands), and what the API answers
about a deadline.

A deadline is set by hand (`title`, `due_on`) or computed by a rule from a trigger event
(`rule`, `trigger_event_id`): one command for both, since the API takes both at one
address; which fields go together is the operation's to say, as is whatever needs the
database (a rule that exists, an event of the same matter).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any

import pydantic

from tracker.core import limits
from tracker.core.commands import Allowed, Changes, Command, Day, EventKind, Id, Limit, refuse
from tracker.deadlines.enums import (
    BlockingDays,
    DeadlineStatus,
    Direction,
    EndShift,
    OffsetUnit,
    Party,
    VacationPolicy,
)
from tracker.deadlines.models import Deadline
from tracker.jurisdictions.schemas import JurisdictionCode

# --- field types --------------------------------------------------------------------------

_RULE_CODE = re.compile(rf"^[A-Z0-9][A-Z0-9_-]{{1,{limits.RULE_CODE - 1}}}$")


def _rule_code(value: str) -> str:
    code = value.upper()
    if not _RULE_CODE.match(code):
        raise refuse(
            f"{code!r} is not a rule code (capitals, digits and dashes, e.g. BE-CRIM-APPEAL)"
        )
    return code


#: a new rule's code as sent ("be-test"): trimmed and in capitals once checked
RuleCode = Annotated[
    Annotated[str, Limit(limits.RULE_CODE)],
    pydantic.AfterValidator(_rule_code),
    pydantic.WithJsonSchema(
        {
            "type": "string",
            "maxLength": limits.RULE_CODE,
            "description": "capitals, digits and dashes (any case)",
            "examples": ["BE-CRIM-APPEAL"],
        }
    ),
]

#: no statute gives a period this long; a typo should not compute a date in 2200
MAX_AMOUNT = 3650


def _amount(value: Any) -> int:
    whole = isinstance(value, int) and not isinstance(value, bool)
    if not whole or not 1 <= value <= MAX_AMOUNT:
        raise refuse(f"amount must be a whole number from 1 to {MAX_AMOUNT}")
    return value


#: how many days, working days or months a rule's period runs
Amount = Annotated[
    int,
    pydantic.PlainValidator(_amount),
    pydantic.WithJsonSchema({"type": "integer", "minimum": 1, "maximum": MAX_AMOUNT}),
]


def _kinds(value: list[str]) -> list[str]:
    """Each kind once, in the order given."""
    return list(dict.fromkeys(value))


#: the event kinds that meet an authority's time limit (admissibility_decision, decision)
MetBy = Annotated[
    list[EventKind], pydantic.Field(max_length=limits.MET_BY_KINDS), pydantic.AfterValidator(_kinds)
]


def _url(value: str) -> str:
    if value and not value.startswith(("https://", "http://")):
        raise refuse("source_url must be a web address (https://...)")
    return value


#: the official text's address
SourceUrl = Annotated[
    Annotated[str, Limit(limits.SOURCE, required=False)], pydantic.AfterValidator(_url)
]


# --- deadlines ----------------------------------------------------------------------------


class NewDeadline(Command):
    """Set a deadline by hand ({title, due_on, explanation}) or compute it with a rule from
    a trigger event ({rule, trigger_event_id}, the title defaulting to the rule's)."""

    title: Annotated[str, Limit(limits.TITLE, required=False)] | None = None
    due_on: Day | None = None
    explanation: Annotated[str, Limit(limits.EXPLANATION, required=False)] | None = None
    rule: Annotated[str, Limit(limits.RULE_CODE, required=False)] | None = None
    trigger_event_id: Id | None = None
    #: set by hand only (a rule says it for the deadlines it computes)
    owed_by: Annotated[Party, Allowed()] | None = None
    met_by: MetBy | None = None


class DeadlineChanges(Changes):
    """Mark a deadline done or waived, reopen it, retitle it, or override its due date."""

    title: Annotated[str, Limit(limits.TITLE)] | None = None
    due_on: Day | None = None
    status: Annotated[DeadlineStatus, Allowed()] | None = None


# --- rules --------------------------------------------------------------------------------


class NewRuleVersion(Command):
    """The computation of a rule version, what a statute changes: a new version of a rule
    takes all of it, from `valid_from` (before `valid_to`, if given)."""

    title: Annotated[str, Limit(limits.TITLE)]
    #: the event kind that starts the period (judgment, service, decision...)
    trigger_kind: Annotated[str, Limit(limits.KIND)]
    amount: Amount
    unit: Annotated[OffsetUnit, Allowed()]
    end_shift: Annotated[EndShift, Allowed()]
    blocking_days: Annotated[BlockingDays, Allowed()]
    vacation_policy: Annotated[VacationPolicy, Allowed()]
    valid_from: Day | None = None
    valid_to: Day | None = None
    source: Annotated[str, Limit(limits.SOURCE, required=False)] = ""
    article: Annotated[str, Limit(limits.TITLE, required=False)] = ""
    source_url: SourceUrl = ""
    checked_on: Day | None = None
    owed_by: Annotated[Party, Allowed()] = Party.client
    met_by: MetBy = pydantic.Field(default_factory=list)
    direction: Annotated[Direction, Allowed()] = Direction.after
    #: the hour on the last day by which to act, in the jurisdiction's zone ("16:00"); for
    #: a period in working hours, the hour the office closes
    due_time: dt.time | None = None
    #: the hour the office opens, for a period in working hours ("08:00")
    opens_at: dt.time | None = None


class NewRule(NewRuleVersion):
    """A rule with a new code, in a jurisdiction."""

    code: RuleCode
    jurisdiction: JurisdictionCode


class RuleChanges(Changes):
    """Retitle a rule version or correct its source; its computation never changes."""

    #: null: no source, article, address or date checked
    nullable = frozenset({"source", "article", "source_url", "checked_on"})

    title: Annotated[str, Limit(limits.TITLE)] | None = None
    source: Annotated[str, Limit(limits.SOURCE, required=False)] | None = None
    article: Annotated[str, Limit(limits.TITLE, required=False)] | None = None
    source_url: SourceUrl | None = None
    checked_on: Day | None = None


# --- answers ------------------------------------------------------------------------------


class DeadlineOut(pydantic.BaseModel):
    id: int
    proceeding_id: int
    title: str
    due_on: dt.date = pydantic.Field(description="the date to meet, YYYY-MM-DD")
    status: DeadlineStatus
    rule: str | None = pydantic.Field(description="the code of the rule that computed it")
    trigger_event_id: int | None
    computed_due_on: dt.date | None = pydantic.Field(
        description="the date the rule gave; due_on differs only when overridden by hand"
    )
    overridden: bool
    explanation: str
    owed_by: Party = pydantic.Field(
        description="client: our side must act; authority: a decision or reply is expected"
    )
    met_by: list[str] = pydantic.Field(
        description="the event kinds that meet an authority's time limit"
    )
    met_event_id: int | None = pydantic.Field(
        description="the event that met the authority's time limit"
    )
    due_at: dt.datetime | None = pydantic.Field(
        description="the instant to act by, for a rule with a time of day (ISO 8601, UTC)"
    )
    version: int
    warnings: list[str] = pydantic.Field(
        default_factory=list,
        description="a date set by hand later than its rule's or on a day the court does not "
        "work: saved, and said in words (the web form asks to confirm first)",
    )


def dump(deadline: Deadline, warnings: list[str] | None = None) -> DeadlineOut:
    return DeadlineOut(
        id=deadline.id,
        proceeding_id=deadline.proceeding_id,
        title=deadline.title,
        due_on=deadline.due_on,
        status=deadline.status,
        rule=deadline.rule.code if deadline.rule else None,
        trigger_event_id=deadline.trigger_event_id,
        computed_due_on=deadline.computed_due_on,
        overridden=deadline.overridden,
        explanation=deadline.explanation,
        owed_by=deadline.owed_by,
        met_by=list(deadline.met_by),
        met_event_id=deadline.met_event_id,
        # in UTC whether just computed (the court's zone) or read back
        due_at=deadline.due_at.astimezone(dt.UTC) if deadline.due_at else None,
        version=deadline.version,
        warnings=warnings or [],
    )
