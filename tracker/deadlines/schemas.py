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
from tracker.core.commands import Allowed, Changes, Command, Day, Id, Limit, refuse
from tracker.deadlines.enums import (
    BlockingDays,
    DeadlineStatus,
    EndShift,
    OffsetUnit,
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


# --- deadlines ----------------------------------------------------------------------------


class NewDeadline(Command):
    """Set a deadline by hand ({title, due_on, explanation}) or compute it with a rule from
    a trigger event ({rule, trigger_event_id}, the title defaulting to the rule's)."""

    title: Annotated[str, Limit(limits.TITLE, required=False)] | None = None
    due_on: Day | None = None
    explanation: Annotated[str, Limit(limits.EXPLANATION, required=False)] | None = None
    rule: Annotated[str, Limit(limits.RULE_CODE, required=False)] | None = None
    trigger_event_id: Id | None = None


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


class NewRule(NewRuleVersion):
    """A rule with a new code, in a jurisdiction."""

    code: RuleCode
    jurisdiction: JurisdictionCode


class RuleChanges(Changes):
    """Retitle a rule version or correct its source; its computation never changes."""

    #: null: no source
    nullable = frozenset({"source"})

    title: Annotated[str, Limit(limits.TITLE)] | None = None
    source: Annotated[str, Limit(limits.SOURCE, required=False)] | None = None


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
        version=deadline.version,
        warnings=warnings or [],
    )
