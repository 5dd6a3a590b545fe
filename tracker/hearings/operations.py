"""Schedule hearings, move them (postpone) and record what happened."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from tracker.audit import edits
from tracker.audit import operations as audit
from tracker.audit.models import AuditEntry
from tracker.core.actors import Actor
from tracker.core.commands import WallTime
from tracker.core.dates import in_zone
from tracker.core.db import snapshot
from tracker.core.errors import Conflict, Invalid, NotFound
from tracker.hearings.models import Hearing, HearingStatus, OutcomeResult, Postponement
from tracker.hearings.schemas import HearingChanges, NewHearing, Outcome, Postpone
from tracker.matters.models import Proceeding
from tracker.users import access

#: changes that a calendar subscriber must see: they bump the iCalendar SEQUENCE
CALENDAR_FIELDS = frozenset({"starts_at", "timezone", "time_known", "location", "title", "status"})


def get_hearing(session: so.Session, actor: Actor, hearing_id: int) -> Hearing:
    hearing = session.get(Hearing, hearing_id)
    if hearing is None or not access.may_see_matter(session, actor, hearing.proceeding.matter_id):
        raise NotFound(f"no hearing {hearing_id}")
    return hearing


def schedule_hearing(
    session: so.Session,
    actor: Actor,
    now: dt.datetime,
    proceeding: Proceeding,
    command: NewHearing,
    *,
    source: tuple[str, int] | None = None,
) -> Hearing:
    """Set a hearing; `starts_at` is local time in `timezone` (default: the jurisdiction's).
    `source`: the UID and SEQUENCE of the court's invitation it is imported from."""
    zone = command.timezone or proceeding.jurisdiction.timezone
    hearing = Hearing(
        proceeding=proceeding,
        starts_at=command.starts_at.instant(zone, "starts_at"),
        timezone=zone,
        time_known=command.time_known,
        location=command.location,
        title=command.title,
        postponements=[],  # known to be none: a first move need not load them
        source_uid=source[0] if source else None,
        source_sequence=source[1] if source else None,
    )
    session.add(hearing)
    audit.record(session, actor, now, "create", hearing, matter_id=proceeding.matter_id)
    return hearing


def update_hearing(
    session: so.Session,
    actor: Actor,
    now: dt.datetime,
    hearing: Hearing,
    command: HearingChanges,
) -> Hearing:
    """Correct a hearing's details. Moving it to another date is `postpone`, not this."""
    edits.check_version(hearing, command.version)
    values = command.changes()
    zone = values.get("timezone") or hearing.timezone
    if "starts_at" in values:
        values["starts_at"] = values["starts_at"].instant(zone, "starts_at")
    elif "timezone" in values:
        # Same wall time in the new zone: a corrected zone, not a moved hearing.
        wall = WallTime(hearing.local_start.replace(tzinfo=None).isoformat(timespec="minutes"))
        values["starts_at"] = wall.instant(zone, "starts_at")
    if CALENDAR_FIELDS & {k for k, v in values.items() if getattr(hearing, k) != v}:
        values["sequence"] = hearing.sequence + 1
    edits.apply(session, actor, now, hearing, values, matter_id=hearing.proceeding.matter_id)
    return hearing


def postpone(
    session: so.Session,
    actor: Actor,
    now: dt.datetime,
    hearing: Hearing,
    command: Postpone,
) -> Postponement:
    """Move a hearing to a new local time (`to`), or sine die (`to` None)."""
    edits.check_version(hearing, command.version)
    if hearing.status in (HearingStatus.held, HearingStatus.cancelled):
        raise Conflict(
            f"hearing {hearing.id} is {hearing.status}: it cannot be postponed", field="status"
        )
    check_decided_on(command.decided_on, court_today(hearing, now))
    new_start = command.to.instant(hearing.timezone, "to") if command.to is not None else None
    if new_start is None and hearing.status is HearingStatus.postponed:
        raise Conflict(f"hearing {hearing.id} is already postponed sine die", field="to")
    if (
        new_start is not None
        and new_start == hearing.starts_at
        and hearing.status is HearingStatus.scheduled
    ):
        raise Invalid("the hearing is already set for that time", field="to")
    before = snapshot(hearing)
    known_after = hearing.time_known if command.time_known is None else command.time_known
    postponement = Postponement(
        hearing=hearing,
        from_starts_at=hearing.starts_at,
        from_time_known=hearing.time_known,
        to_starts_at=new_start,
        to_time_known=known_after if new_start is not None else None,
        reason=command.reason,
        decided_on=command.decided_on,
        recorded_by_id=actor.id,
        recorded_at=now,
    )
    session.add(postponement)
    if new_start is not None:
        hearing.starts_at = new_start
        hearing.status = HearingStatus.scheduled
    else:
        hearing.status = HearingStatus.postponed
    hearing.time_known = known_after
    hearing.sequence += 1
    hearing.updated_at = now
    old, new = audit.diff(before, snapshot(hearing))
    new["reason"] = postponement.reason
    audit.record(
        session,
        actor,
        now,
        "postpone",
        hearing,
        matter_id=hearing.proceeding.matter_id,
        before=old,
        after=new,
        ids={"postponement_id": postponement},
    )
    return postponement


def court_today(hearing: Hearing, now: dt.datetime) -> dt.date:
    """Today on the court's calendar."""
    return in_zone(now, hearing.timezone).date()


def check_decided_on(decided_on: dt.date | None, today: dt.date) -> None:
    """A postponement is recorded once decided: a decision day to come is a typo."""
    if decided_on is not None and decided_on > today:
        raise Invalid(
            f"decided_on: {decided_on.isoformat()} is in the future; "
            "a postponement is recorded once decided",
            field="decided_on",
        )


def record_outcome(
    session: so.Session,
    actor: Actor,
    now: dt.datetime,
    hearing: Hearing,
    command: Outcome,
) -> Hearing:
    """Say what happened: held, adjourned, decided (the hearing took place) or cancelled."""
    edits.check_version(hearing, command.version)
    outcome = command.result
    if outcome is not OutcomeResult.cancelled and hearing.status is HearingStatus.postponed:
        raise Conflict(
            f"hearing {hearing.id} is postponed sine die: set a date first", field="result"
        )
    if outcome is not OutcomeResult.cancelled and hearing.starts_at > now:
        raise Invalid(
            f"the hearing is set for {hearing.local_start:%Y-%m-%d %H:%M %Z}, "
            "which has not come yet",
            field="result",
        )
    status = HearingStatus.cancelled if outcome is OutcomeResult.cancelled else HearingStatus.held
    values: dict[str, Any] = {
        "outcome": outcome,
        "outcome_summary": command.summary,
        "outcome_recorded_at": now,
        "status": status,
    }
    if status != hearing.status:
        values["sequence"] = hearing.sequence + 1
    edits.apply(
        session,
        actor,
        now,
        hearing,
        values,
        matter_id=hearing.proceeding.matter_id,
        action="outcome",
    )
    return hearing


# --- reads for the pages ------------------------------------------------------------------


def hearing_page(session: so.Session, actor: Actor, hearing_id: int) -> Hearing:
    """The hearing with its proceeding, matter and ledger, loaded at once (404 as get_hearing)."""
    hearing = session.scalars(
        sa.select(Hearing)
        .where(Hearing.id == hearing_id)
        .options(
            so.joinedload(Hearing.proceeding).options(
                so.joinedload(Proceeding.matter),
                so.joinedload(Proceeding.jurisdiction),
                so.joinedload(Proceeding.authority),
            ),
            so.selectinload(Hearing.postponements).options(
                so.joinedload(Postponement.recorded_by), so.joinedload(Postponement.withdrawn_by)
            ),
        )
    ).one_or_none()
    if hearing is None or not access.may_see_matter(session, actor, hearing.proceeding.matter_id):
        raise NotFound(f"no hearing {hearing_id}")
    return hearing


def last_change(session: so.Session, hearing: Hearing) -> AuditEntry | None:
    """The latest audit entry about this hearing: who changed it last, and when."""
    return session.scalars(
        sa.select(AuditEntry)
        .where(AuditEntry.entity == Hearing.__tablename__, AuditEntry.entity_id == hearing.id)
        .order_by(AuditEntry.id.desc())
        .limit(1)
    ).one_or_none()
