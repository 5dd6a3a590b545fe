"""Deadlines: computed by a rule from a trigger event or set by hand; rules seeded here."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
import sqlalchemy.orm as so

from tracker.audit import edits
from tracker.audit import operations as audit
from tracker.core import labels
from tracker.core.actors import Actor
from tracker.core.dates import Precision
from tracker.core.errors import Conflict, Invalid, NotFound
from tracker.deadlines import catalogue, rules
from tracker.deadlines.enums import Direction, OffsetUnit, Party
from tracker.deadlines.models import Deadline, DeadlineRule, DeadlineStatus
from tracker.deadlines.schemas import (
    DeadlineChanges,
    NewDeadline,
    NewRule,
    NewRuleVersion,
    RuleChanges,
)
from tracker.jurisdictions import operations as jurisdictions
from tracker.jurisdictions.models import JudicialVacation, Jurisdiction
from tracker.jurisdictions.schemas import NewJurisdiction
from tracker.matters import operations as matters
from tracker.matters.models import Event, Proceeding
from tracker.users import access


def get_deadline(session: so.Session, actor: Actor, deadline_id: int) -> Deadline:
    deadline = session.get(Deadline, deadline_id)
    if deadline is None or not access.may_see_matter(session, actor, deadline.proceeding.matter_id):
        raise NotFound(f"no deadline {deadline_id}")
    return deadline


# --- rules --------------------------------------------------------------------------------


def as_rule(row: DeadlineRule) -> rules.Rule:
    return rules.Rule(
        code=row.code,
        title=row.title,
        trigger_kind=row.trigger_kind,
        amount=row.amount,
        unit=row.unit,
        end_shift=row.end_shift,
        blocking_days=row.blocking_days,
        vacation_policy=row.vacation_policy,
        valid_from=row.valid_from,
        valid_to=row.valid_to,
        source=row.source,
        owed_by=row.owed_by,
        met_by=tuple(row.met_by),
        direction=row.direction,
        due_time=row.due_time,
        opens_at=row.opens_at,
    )


def list_rules(session: so.Session) -> list[DeadlineRule]:
    return list(
        session.scalars(
            sa.select(DeadlineRule)
            .options(so.joinedload(DeadlineRule.jurisdiction))
            .order_by(DeadlineRule.code, DeadlineRule.valid_from.asc().nulls_first())
        )
    )


def versions(session: so.Session, code: str) -> list[DeadlineRule]:
    """Every version of rule `code` (422 if there is none)."""
    found = [r for r in list_rules(session) if r.code == str(code or "").strip().upper()]
    if not found:
        raise Invalid(f"no deadline rule {code!r} (see `tracker rules`)", field="rule")
    return found


def rule_for(session: so.Session, code: str, trigger_on: dt.date) -> DeadlineRule:
    """The version of rule `code` in force for a trigger on that day."""
    for version in versions(session, code):
        if as_rule(version).in_force(trigger_on):
            return version
    raise Invalid(f"rule {code} has no version in force on {trigger_on}", field="rule")


def compute(
    session: so.Session, code: str, trigger_on: dt.date | dt.datetime
) -> tuple[DeadlineRule, rules.Computation]:
    """Compute a deadline without storing it (from a day, or an aware instant: a removal)."""
    day = trigger_on
    if isinstance(trigger_on, dt.datetime):
        zone = versions(session, code)[0].jurisdiction.timezone
        day = trigger_on.astimezone(ZoneInfo(zone)).date()
    row = rule_for(session, code, day)
    jurisdiction = session.scalars(
        sa.select(Jurisdiction)
        .where(Jurisdiction.id == row.jurisdiction_id)
        .options(so.selectinload(Jurisdiction.vacations))
    ).one()
    return row, rules.compute(as_rule(row), trigger_on, jurisdictions.calendar_of(jurisdiction))


def seed_rules(session: so.Session, actor: Actor, now: dt.datetime) -> int:
    """Store the shipped rules (and the jurisdictions and vacations they need) if missing.

    A jurisdiction's shipped vacations come with it, once: afterwards they are the
    admins' to change or remove, and running this again must not bring them back.
    """
    created = 0
    codes = {code for (code,) in session.execute(sa.select(Jurisdiction.code))}
    new = set()
    for code, name, zone, country, subdivision in catalogue.JURISDICTIONS:
        if code not in codes:
            shipped = {
                "code": code,
                "name": name,
                "timezone": zone,
                "holiday_country": country,
                "holiday_subdivision": subdivision,
            }
            jurisdictions.create_jurisdiction(session, actor, now, NewJurisdiction.parse(shipped))
            new.add(code)
    created += len(new)
    by_code = {j.code: j for j in session.scalars(sa.select(Jurisdiction))}
    for item in catalogue.VACATIONS:
        if item["jurisdiction"] in new:
            session.add(vacation := _shipped_vacation(by_code[item["jurisdiction"]], item))
            audit.record(session, actor, now, "create", vacation, matter_id=None)
            created += 1
    existing = {(r.code, r.valid_from) for r in session.scalars(sa.select(DeadlineRule))}
    for item in catalogue.RULES:
        if (item["code"], item.get("valid_from")) in existing:
            continue
        values = {k: v for k, v in item.items() if k != "jurisdiction"}
        rule = DeadlineRule(jurisdiction_id=by_code[item["jurisdiction"]].id, **values)
        session.add(rule)
        audit.record(session, actor, now, "create", rule, matter_id=None)
        created += 1
    return created


def _shipped_vacation(jurisdiction: Jurisdiction, item: dict[str, Any]) -> JudicialVacation:
    return JudicialVacation(
        jurisdiction_id=jurisdiction.id,
        name=item["name"],
        effect=item["effect"],
        start_month=item["start"][0],
        start_day=item["start"][1],
        end_month=item["end"][0],
        end_day=item["end"][1],
        extend_to_month=item["extend_to"][0] if item["extend_to"] else None,
        extend_to_day=item["extend_to"][1] if item["extend_to"] else None,
        source=item["source"],
    )


# --- deadlines ----------------------------------------------------------------------------


def _trigger(
    session: so.Session, actor: Actor, proceeding: Proceeding, event_id: int | None
) -> Event:
    if event_id is None:
        raise Invalid(
            "trigger_event_id: a rule needs the event it counts from", field="trigger_event_id"
        )
    event = matters.get_event(session, actor, event_id, field="trigger_event_id")
    if not event.standing:
        raise Invalid(
            f"event {event_id} was withdrawn: it counts no deadline", field="trigger_event_id"
        )
    if event.proceeding.matter_id != proceeding.matter_id:
        raise Invalid(f"event {event_id} belongs to another matter", field="trigger_event_id")
    _require_exact(event, "trigger_event_id")
    return event


def _require_exact(event: Event, field: str) -> None:
    if event.precision is not Precision.day:
        raise Invalid(
            f"event {event.id} is dated only to the {event.precision}: a deadline needs the day",
            field=field,
        )


def _steps(row: DeadlineRule, event: Event, computation: rules.Computation) -> str:
    """The engine's steps, with the event named and a kind that differs pointed out."""
    lines = list(computation.steps)
    lines.insert(1, f"Counted from event {event.id}: {event.kind} — {event.summary}".rstrip(" —"))
    if event.kind != row.trigger_kind:
        lines.insert(
            2,
            f"Note: this rule counts from a {labels.in_sentence(row.trigger_kind)}; "
            f"the event is a {labels.in_sentence(event.kind)}.",
        )
    return "\n".join(lines)


def create_deadline(
    session: so.Session,
    actor: Actor,
    now: dt.datetime,
    proceeding: Proceeding,
    command: NewDeadline,
    *,
    status: DeadlineStatus = DeadlineStatus.open,
) -> Deadline:
    """{rule, trigger_event_id}: computed and explained; {title, due_on}: set by hand.
    `status` done or waived records one after the fact (an import), as if marked so now."""
    settled = {
        "status": status,
        "completed_at": None if status is DeadlineStatus.open else now,
    }
    if command.rule is not None:
        return _create_computed(session, actor, now, proceeding, command, command.rule, settled)
    if command.trigger_event_id is not None:
        raise Invalid("rule: give the rule that counts from this event", field="rule")
    if not command.title:
        raise Invalid("title must not be empty", field="title")
    if command.due_on is None:
        raise Invalid("due_on: this field is required", field="due_on")
    owed_by = command.owed_by or Party.client
    if command.met_by and owed_by is not Party.authority:
        raise Invalid(
            "met_by names what meets an authority's time limit: set owed_by to authority",
            field="met_by",
        )
    deadline = Deadline(
        proceeding=proceeding,
        title=command.title,
        due_on=command.due_on,
        explanation=command.explanation or "Set by hand.",
        owed_by=owed_by,
        met_by=command.met_by or [],
        **settled,
    )
    session.add(deadline)
    audit.record(session, actor, now, "create", deadline, matter_id=proceeding.matter_id)
    _meet_new(session, actor, now, deadline)
    return deadline


def _create_computed(
    session: so.Session,
    actor: Actor,
    now: dt.datetime,
    proceeding: Proceeding,
    command: NewDeadline,
    code: str,
    settled: dict[str, Any],
) -> Deadline:
    versions(session, code)  # an unknown rule is the first thing to say
    if command.due_on is not None:
        raise Invalid("due_on: a computed deadline takes its date from the rule", field="due_on")
    for name in ("owed_by", "met_by"):
        if getattr(command, name) is not None:
            raise Invalid(f"{name}: a computed deadline takes it from the rule", field=name)
    event = _trigger(session, actor, proceeding, command.trigger_event_id)
    row, computation = compute(session, code, event.occurred_on)
    deadline = Deadline(
        proceeding=proceeding,
        title=command.title or row.title,
        due_on=computation.due_on,
        due_at=computation.due_at,
        computed_due_on=computation.due_on,
        rule_id=row.id,
        trigger_event_id=event.id,
        explanation=_steps(row, event, computation),
        owed_by=row.owed_by,
        met_by=list(row.met_by),
        **settled,
    )
    session.add(deadline)
    audit.record(session, actor, now, "create", deadline, matter_id=proceeding.matter_id)
    _meet_new(session, actor, now, deadline)
    return deadline


def _meet_new(session: so.Session, actor: Actor, now: dt.datetime, deadline: Deadline) -> None:
    """An authority's time limit may be met already by an event recorded before it."""
    if deadline.owed_by is Party.authority and deadline.met_by:
        # its proceeding's id: `proceeding_id` is set at the flush, which may be to come
        meet_authority_deadlines(session, actor, now, {deadline.proceeding.id})


def triggered_by(session: so.Session, event: Event, *, open_only: bool = False) -> list[Deadline]:
    """The computed deadlines that count from this event, by due date."""
    query = (
        sa.select(Deadline)
        .where(Deadline.trigger_event_id == event.id, Deadline.rule_id.is_not(None))
        .options(so.joinedload(Deadline.rule))
        .order_by(Deadline.due_on, Deadline.id)
    )
    if open_only:
        query = query.where(Deadline.status == DeadlineStatus.open)
    return list(session.scalars(query))


@dataclass(frozen=True)
class Move:
    """A computed deadline that a change of its trigger would move (or waive: `after` None)."""

    deadline: Deadline
    before: dt.date
    after: dt.date | None


def _recomputed(
    session: so.Session, deadline: Deadline, event: Event, occurred_on: dt.date
) -> dict[str, Any]:
    """The values recomputing `deadline` from a trigger on `occurred_on` gives it."""
    assert deadline.rule is not None  # selected with a rule
    row, computation = compute(session, deadline.rule.code, occurred_on)
    values: dict[str, Any] = {
        "rule_id": row.id,
        "computed_due_on": computation.due_on,
        "explanation": _steps(row, event, computation),
    }
    if not deadline.overridden:
        values["due_on"] = computation.due_on
        values["due_at"] = computation.due_at
    return values


def moves_for_event(
    session: so.Session, event: Event, occurred_on: dt.date, precision: Precision
) -> list[Move]:
    """The deadlines that dating `event` so would move: computed, nothing written.

    Refused (422) for the reason `recompute_for_event` would refuse it.
    """
    if (occurred_on, precision) == (event.occurred_on, event.precision):
        return []
    triggered = triggered_by(session, event)
    if triggered and precision is not Precision.day:
        raise Invalid(
            f"event {event.id} would be dated only to the {precision}: "
            "the deadlines it triggers need the day",
            field="occurred_on",
        )
    moves = []
    for deadline in triggered:
        after = _recomputed(session, deadline, event, occurred_on).get("due_on", deadline.due_on)
        if after != deadline.due_on:
            moves.append(Move(deadline, deadline.due_on, after))
    return moves


def recompute_for_event(session: so.Session, actor: Actor, now: dt.datetime, event: Event) -> None:
    """The trigger moved: recompute every deadline it triggers (an override is kept)."""
    triggered = triggered_by(session, event)
    if triggered:
        _require_exact(event, "occurred_on")
    for deadline in triggered:
        edits.apply(
            session,
            actor,
            now,
            deadline,
            _recomputed(session, deadline, event, event.occurred_on),
            matter_id=deadline.proceeding.matter_id,
            action="recompute",
        )


def waive_for_event(session: so.Session, actor: Actor, now: dt.datetime, event: Event) -> None:
    """The trigger was withdrawn: waive the open deadlines it triggered (done ones stay)."""
    reason = event.withdrawal_reason or "no reason given"
    for deadline in triggered_by(session, event, open_only=True):
        note = f"Waived: its trigger, event {event.id} ({event.kind}), was withdrawn — {reason}."
        values = {
            "status": DeadlineStatus.waived,
            "completed_at": now,
            "explanation": f"{deadline.explanation}\n{note}".lstrip(),
        }
        edits.apply(
            session,
            actor,
            now,
            deadline,
            values,
            matter_id=deadline.proceeding.matter_id,
            action="waive",
        )


# --- authority time limits met by an event -------------------------------------------------
#
# An authority's time limit is met by the earliest standing event of its proceeding whose
# kind it names in `met_by`, on or after its trigger's day. This keeps `met_event_id` and
# the status true at every write that could change the answer: an event recorded, corrected
# or withdrawn, a deadline created or recomputed. A deadline marked done by hand (no
# `met_event_id`) or waived is someone's decision and is left alone.


def _meeting(deadline: Deadline, trigger_on: dt.date | None, events: list[Event]) -> Event | None:
    """The earliest of `events` (by day) that meets the deadline, if any."""
    for event in events:
        ours = event.proceeding_id == deadline.proceeding_id and event.kind in deadline.met_by
        if ours and (trigger_on is None or event.occurred_on >= trigger_on):
            return event
    return None


def _met_line(event: Event) -> str:
    return f"Met by event {event.id} ({labels.in_sentence(event.kind)}) on {event.occurred_on}."


def _why_not(event: Event | None, deadline: Deadline, trigger_on: dt.date | None) -> str:
    """Why the event that met the deadline meets it no more."""
    if event is None:
        return "the event that met it is gone"
    if not event.standing:
        return f"event {event.id} was withdrawn"
    if event.kind not in deadline.met_by:
        return f"event {event.id} is now a {labels.in_sentence(event.kind)}"
    if trigger_on is not None and event.occurred_on < trigger_on:
        return f"event {event.id} is now dated {event.occurred_on}, before the trigger"
    return f"event {event.id} no longer meets it"


def meet_authority_deadlines(
    session: so.Session, actor: Actor, now: dt.datetime, proceeding_ids: set[int]
) -> None:
    """Mark met the authority's time limits of these proceedings that an event meets, follow
    a change of that event, and reopen those that nothing meets any more (audited).

    Two queries whatever the number of deadlines and events.
    """
    if not proceeding_ids:
        return
    trigger = so.aliased(Event)
    found = session.execute(
        sa.select(Deadline, trigger.occurred_on)
        .outerjoin(trigger, trigger.id == Deadline.trigger_event_id)
        .where(
            Deadline.proceeding_id.in_(proceeding_ids),
            Deadline.owed_by == Party.authority,
            sa.or_(
                Deadline.status == DeadlineStatus.open,
                sa.and_(Deadline.status == DeadlineStatus.done, Deadline.met_event_id.is_not(None)),
            ),
        )
        .options(so.joinedload(Deadline.met_event), so.joinedload(Deadline.proceeding))
        .order_by(Deadline.id)
    ).all()
    kinds = {kind for deadline, _ in found for kind in deadline.met_by}
    if not kinds:
        return
    events = list(
        session.scalars(
            sa.select(Event)
            .where(
                Event.proceeding_id.in_({d.proceeding_id for d, _ in found}),
                Event.kind.in_(kinds),
                Event.withdrawn_at.is_(None),
            )
            .order_by(Event.occurred_on, Event.id)
        )
    )
    for deadline, trigger_on in found:
        _follow(session, actor, now, deadline, trigger_on, _meeting(deadline, trigger_on, events))


def _follow(
    session: so.Session,
    actor: Actor,
    now: dt.datetime,
    deadline: Deadline,
    trigger_on: dt.date | None,
    event: Event | None,
) -> None:
    """Bring one deadline in line with the event that meets it now (or none)."""
    was = deadline.met_event
    if deadline.status is DeadlineStatus.open:
        if event is None:
            return
        values = {"status": DeadlineStatus.done, "completed_at": now, "met_event_id": event.id}
        line, action = _met_line(event), "meet"
    elif event is None:
        values = {"status": DeadlineStatus.open, "completed_at": None, "met_event_id": None}
        line = f"Reopened: {_why_not(was, deadline, trigger_on)}."
        action = "reopen"
    elif event.id != deadline.met_event_id:
        values = {"met_event_id": event.id}
        line, action = f"{_met_line(event)[:-1]} instead (the earliest that meets it).", "meet"
    else:
        return
    values["explanation"] = f"{deadline.explanation}\n{line}".lstrip()
    edits.apply(
        session,
        actor,
        now,
        deadline,
        values,
        matter_id=deadline.proceeding.matter_id,
        action=action,
    )


def proceedings_of(session: so.Session, event: Event) -> set[int]:
    """The proceedings whose authority deadlines an event may meet or date: its own, and
    those of the deadlines it triggers (another proceeding of the matter)."""
    triggered = session.scalars(
        sa.select(Deadline.proceeding_id).where(Deadline.trigger_event_id == event.id)
    )
    return {event.proceeding_id, *triggered}


def update_deadline(
    session: so.Session,
    actor: Actor,
    now: dt.datetime,
    deadline: Deadline,
    command: DeadlineChanges,
) -> Deadline:
    """Mark done or waived, reopen, retitle, or override the due date by hand."""
    edits.check_version(deadline, command.version)
    values = command.changes()
    status = values.get("status")
    if status is not None and status != deadline.status:
        values["completed_at"] = None if status is DeadlineStatus.open else now
        values["met_event_id"] = None  # decided by hand: no event answers for it now
    if "due_on" in values and deadline.due_at is not None:
        values["due_at"] = _same_hour(deadline, values["due_on"])
    edits.apply(session, actor, now, deadline, values, matter_id=deadline.proceeding.matter_id)
    return deadline


def _same_hour(deadline: Deadline, day: dt.date) -> dt.datetime:
    """A timed deadline moved by hand keeps its hour where the court sits (its UTC offset
    may differ on the new day: summer time)."""
    assert deadline.due_at is not None
    zone = deadline.zone
    return rules.at_time(day, deadline.due_at.astimezone(ZoneInfo(zone)).time(), zone)


# --- rule administration ------------------------------------------------------------------
#
# A rule changed by statute is a new row with the same code: the old version stops the day
# the new one starts. Deadlines already computed keep their rule version, date and
# explanation; `recompute_for_event` picks the version in force on the trigger date only
# when the trigger moves.


def get_rule(session: so.Session, rule_id: int) -> DeadlineRule:
    rule = session.get(DeadlineRule, rule_id)
    if rule is None:
        raise NotFound(f"no deadline rule {rule_id}")
    return rule


def _rule_values(command: NewRuleVersion) -> dict[str, Any]:
    """The computation of a rule version: offset, calendar, validity."""
    if command.valid_from and command.valid_to and command.valid_from >= command.valid_to:
        raise Invalid(
            "the day it stops being in force must be after the first day in force",
            field="valid_to",
        )
    if command.met_by and command.owed_by is not Party.authority:
        raise Invalid(
            "met_by names what meets an authority's time limit: set owed_by to authority",
            field="met_by",
        )
    if command.unit is OffsetUnit.working_hours:
        _check_office_hours(command)
    elif command.opens_at is not None:
        raise Invalid("opens_at is for a period in working hours", field="opens_at")
    return {name: getattr(command, name) for name in NewRuleVersion.model_fields}


def _check_office_hours(command: NewRuleVersion) -> None:
    """A period in working hours is counted back in an office's day, which must exist."""
    if command.direction is not Direction.before:
        raise Invalid(
            "a period in working hours is counted back from its trigger: direction before",
            field="direction",
        )
    if command.opens_at is None or command.due_time is None:
        raise Invalid(
            "a period in working hours needs the hours the office opens and closes",
            field="opens_at" if command.opens_at is None else "due_time",
        )
    if command.opens_at >= command.due_time:
        raise Invalid("the office must open before it closes", field="due_time")


def create_rule(
    session: so.Session, actor: Actor, now: dt.datetime, command: NewRule
) -> DeadlineRule:
    """Add a rule with a new code in a jurisdiction (admins)."""
    jurisdictions.require_admin(actor, "change the deadline rules")
    jurisdiction = jurisdictions.by_code(session, command.jurisdiction)
    values = _rule_values(command)
    code = command.code
    if session.scalar(sa.select(DeadlineRule.id).where(DeadlineRule.code == code)) is not None:
        raise Conflict(
            f"rule {code} exists: add a new version of it instead, from the day it changed",
            field="code",
        )
    rule = DeadlineRule(code=code, jurisdiction_id=jurisdiction.id, **values)
    session.add(rule)
    audit.record(session, actor, now, "create", rule, matter_id=None)
    return rule


def add_rule_version(
    session: so.Session, actor: Actor, now: dt.datetime, code: str, command: NewRuleVersion
) -> DeadlineRule:
    """A new version of rule `code` in force from `valid_from`; the latest one stops that day
    (admins).

    Only the latest version can be followed: versions never overlap, and no gap opens
    between them unless the latest had already ended.
    """
    jurisdictions.require_admin(actor, "change the deadline rules")
    latest = versions(session, code)[-1]
    values = _rule_values(command)
    start = values["valid_from"]
    if start is None:
        raise Invalid("a new version needs the first day it is in force", field="valid_from")
    if latest.valid_from is not None and start <= latest.valid_from:
        raise Invalid(
            f"the first day in force must be after {latest.valid_from}, when the latest version "
            "took effect",
            field="valid_from",
        )
    if latest.valid_to is None or latest.valid_to > start:
        edits.apply(session, actor, now, latest, {"valid_to": start}, matter_id=None)
    rule = DeadlineRule(code=latest.code, jurisdiction_id=latest.jurisdiction_id, **values)
    session.add(rule)
    audit.record(session, actor, now, "create", rule, matter_id=None)
    return rule


def update_rule(
    session: so.Session,
    actor: Actor,
    now: dt.datetime,
    rule: DeadlineRule,
    command: RuleChanges,
) -> DeadlineRule:
    """Retitle a rule version or correct its source; its computation never changes here
    (admins)."""
    jurisdictions.require_admin(actor, "change the deadline rules")
    edits.check_version(rule, command.version)
    values = command.changes()
    if "source" in values:
        values["source"] = values["source"] or ""  # null: no source
    edits.apply(session, actor, now, rule, values, matter_id=None)
    return rule


def deadlines_to_review(session: so.Session, rule: DeadlineRule) -> list[Deadline]:
    """Open deadlines computed with this version from a trigger now outside its validity.

    They keep their date until someone moves their trigger event (then the version in
    force on the trigger date computes them again).
    """
    outside = sa.or_(
        sa.false() if rule.valid_from is None else Event.occurred_on < rule.valid_from,
        sa.false() if rule.valid_to is None else Event.occurred_on >= rule.valid_to,
    )
    return list(
        session.scalars(
            sa.select(Deadline)
            .join(Event, Event.id == Deadline.trigger_event_id)
            .where(
                Deadline.rule_id == rule.id,
                Deadline.status == DeadlineStatus.open,
                outside,
            )
            .order_by(Deadline.due_on, Deadline.id)
        )
    )


def count_computed(session: so.Session, rule_ids: list[int]) -> dict[int, int]:
    """How many deadlines each rule version computed, in one query."""
    if not rule_ids:
        return {}
    rows = session.execute(
        sa.select(Deadline.rule_id, sa.func.count())
        .where(Deadline.rule_id.in_(rule_ids))
        .group_by(Deadline.rule_id)
    )
    # rule_id IN (...) is never null
    return {rule_id: count for rule_id, count in rows if rule_id is not None}
