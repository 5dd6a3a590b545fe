"""Reads for the deadline pages: one deadline at once, the rule picker, the preview."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
from dataclasses import dataclass

import sqlalchemy as sa
import sqlalchemy.orm as so

from tracker.audit.models import AuditEntry
from tracker.core.actors import Actor
from tracker.core.dates import Precision
from tracker.core.errors import Invalid, NotFound
from tracker.deadlines import operations, rules
from tracker.deadlines.models import Deadline, DeadlineRule, DeadlineStatus
from tracker.jurisdictions import calendars
from tracker.jurisdictions import operations as jurisdictions
from tracker.jurisdictions.models import Jurisdiction
from tracker.matters import operations as matters
from tracker.matters.models import Event, Proceeding
from tracker.users import access


def deadline_page(session: so.Session, actor: Actor, deadline_id: int) -> Deadline:
    """The deadline with its proceeding, matter, rule and trigger, at once (404 as get_deadline)."""
    deadline = session.scalars(
        sa.select(Deadline)
        .where(Deadline.id == deadline_id)
        .options(
            so.joinedload(Deadline.proceeding).options(
                so.joinedload(Proceeding.matter), so.joinedload(Proceeding.jurisdiction)
            ),
            so.joinedload(Deadline.rule).joinedload(DeadlineRule.jurisdiction),
            so.joinedload(Deadline.trigger_event),
            so.joinedload(Deadline.met_event),
        )
    ).one_or_none()
    if deadline is None or not access.may_see_matter(session, actor, deadline.proceeding.matter_id):
        raise NotFound(f"no deadline {deadline_id}")
    return deadline


def last_change(session: so.Session, deadline: Deadline) -> AuditEntry | None:
    """The latest audit entry about this deadline: who changed it last, and when."""
    return session.scalars(
        sa.select(AuditEntry)
        .where(AuditEntry.entity == Deadline.__tablename__, AuditEntry.entity_id == deadline.id)
        .order_by(AuditEntry.id.desc())
        .limit(1)
    ).one_or_none()


@dataclass(frozen=True)
class RuleGroup:
    """The rules of one jurisdiction, one entry per code (its latest version's title)."""

    jurisdiction: str
    own: bool
    rules: list[DeadlineRule]


def rule_groups(session: so.Session, proceeding: Proceeding) -> list[RuleGroup]:
    """Every rule, grouped by jurisdiction; the proceeding's jurisdiction first."""
    latest: dict[str, DeadlineRule] = {}
    for row in operations.list_rules(session):  # ordered by code, then validity
        latest[row.code] = row
    by_place = sorted(
        latest.values(),
        key=lambda r: (r.jurisdiction_id != proceeding.jurisdiction_id, r.jurisdiction.name),
    )
    return [
        RuleGroup(
            jurisdiction=name,
            own=rows[0].jurisdiction_id == proceeding.jurisdiction_id,
            rules=rows,
        )
        for name, group in itertools.groupby(by_place, key=lambda r: r.jurisdiction.name)
        for rows in [sorted(group, key=lambda r: r.code)]
    ]


def trigger_events(session: so.Session, proceeding: Proceeding) -> list[Event]:
    """The events of the proceeding a rule may count from, the latest first."""
    return list(
        session.scalars(
            sa.select(Event)
            .where(Event.proceeding_id == proceeding.id, Event.withdrawn_at.is_(None))
            .order_by(Event.occurred_on.desc(), Event.id.desc())
        )
    )


@dataclass(frozen=True)
class Preview:
    """A deadline computed and explained, not stored."""

    rule: DeadlineRule
    event: Event
    computation: rules.Computation

    @property
    def kind_differs(self) -> bool:
        return self.event.kind != self.rule.trigger_kind


def preview(
    session: so.Session, actor: Actor, proceeding: Proceeding, code: str, event_id: int
) -> Preview:
    """What saving {rule, trigger event} would give, refused for the same reasons, unsaved."""
    operations.versions(session, code)  # an unknown rule is the first thing to say
    event = matters.get_event(session, actor, event_id, field="trigger_event_id")
    if event.proceeding_id != proceeding.id:
        raise Invalid(f"event {event_id} belongs to another proceeding", field="trigger_event_id")
    if not event.standing:
        raise Invalid(
            f"event {event_id} was withdrawn: it counts no deadline", field="trigger_event_id"
        )
    if event.precision is not Precision.day:
        raise Invalid(
            f"event {event.id} is dated only to the {event.precision}: a deadline needs the day",
            field="trigger_event_id",
        )
    row, computation = operations.compute(session, code, event.occurred_on)
    return Preview(rule=row, event=event, computation=computation)


# --- what a calendar change would move -------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Moved:
    """An open computed deadline that its jurisdiction's calendar now dates differently."""

    deadline: Deadline
    #: the date its rule gave when it was computed
    was: dt.date
    #: the date the same rule version gives today; None if the calendar leaves no day to end on
    would_be: dt.date | None


def deadlines_moved(session: so.Session, jurisdiction: Jurisdiction) -> list[Moved]:
    """Open computed deadlines of this jurisdiction whose date its calendar would now change.

    Each is computed again from its trigger with the rule version it was computed with
    (validity dates aside: a trigger outside them is listed on that rule's page) and
    today's calendar. Nothing is changed: they keep their date until their trigger is
    edited. Two queries (the vacations, the deadlines), however many deadlines.
    """
    calendar = jurisdictions.calendar_of(jurisdiction)
    found = session.scalars(
        sa.select(Deadline)
        .join(Deadline.rule)
        .join(Deadline.trigger_event)
        .where(
            DeadlineRule.jurisdiction_id == jurisdiction.id,
            Deadline.status == DeadlineStatus.open,
            Event.precision == Precision.day,
        )
        .options(so.contains_eager(Deadline.rule), so.contains_eager(Deadline.trigger_event))
        .order_by(Deadline.due_on, Deadline.id)
    )
    moved = []
    for deadline in found:
        was = deadline.computed_due_on or deadline.due_on
        would_be = _recomputed(deadline, calendar)
        if would_be != was:
            moved.append(Moved(deadline, was, would_be))
    return moved


def _recomputed(deadline: Deadline, calendar: calendars.Calendar) -> dt.date | None:
    # read joined to its rule and trigger (inner joins): neither is None
    assert deadline.rule is not None
    assert deadline.trigger_event is not None
    rule = dataclasses.replace(operations.as_rule(deadline.rule), valid_from=None, valid_to=None)
    try:
        return rules.compute(rule, deadline.trigger_event.occurred_on, calendar).due_on
    except ValueError:  # a suspension that never ends: no day to end on
        return None
