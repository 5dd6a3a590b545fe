"""Apply a court's invitation (.ics) to a proceeding, through the hearing operations.

Each event is matched to a hearing of the proceeding by the UID it was imported from
(README, "Court invitations in"): an unknown UID is a new hearing; the same UID with a
higher SEQUENCE and another start is a postponement of that hearing (one hearing whose
date moves, as a form would record it), another place an update; a SEQUENCE not higher
changes nothing, so a file imported twice writes nothing the second time; a cancellation
cancels the hearing (its outcome), or is only reported when no hearing has its UID. A
hearing held or cancelled is history: a move or a new place for it is reported, not
applied. An unknown UID whose time is that of exactly one hearing typed in by hand (no
UID, still scheduled) is that hearing: it takes the UID, so later updates move it.

The typed commands and operations of a form do every write, each wrapped in
`invitations.changing`, so the audit, versions, derived days and the updates mailed to
those invited behave as for a form. A refusal of any event refuses the file: the caller
rolls back. A dry run does the same writes in a savepoint and rolls it back.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

import sqlalchemy as sa
import sqlalchemy.orm as so

from tracker.audit import edits
from tracker.calendar import invites
from tracker.calendar.invites import InvitedEvent
from tracker.config import Settings
from tracker.core import limits
from tracker.core.actors import Actor
from tracker.core.commands import WallTime
from tracker.core.dates import in_zone
from tracker.core.errors import TrackerError
from tracker.hearings import operations
from tracker.hearings.enums import HearingStatus, OutcomeResult
from tracker.hearings.models import Hearing
from tracker.hearings.schemas import HearingChanges, NewHearing, Outcome, Postpone
from tracker.matters.models import Proceeding
from tracker.notifications import invitations


class Action(enum.StrEnum):
    created = "created"
    #: a hearing typed in by hand, found to be the invitation's: it takes its UID
    linked = "linked"
    postponed = "postponed"
    updated = "updated"
    cancelled = "cancelled"
    unchanged = "unchanged"
    #: a cancellation of a UID no hearing came from: reported, nothing written
    skipped = "skipped"


@dataclass(frozen=True)
class Applied:
    """What one event did: the hearing it made or changed (None: none, or a dry run's
    new one) and a sentence for people."""

    uid: str
    summary: str
    action: Action
    hearing_id: int | None
    sentence: str


@dataclass(frozen=True)
class ImportReport:
    proceeding_id: int
    method: str
    dry_run: bool
    events: tuple[Applied, ...]

    def count(self, action: Action) -> int:
        return sum(1 for applied in self.events if applied.action is action)

    @property
    def summary(self) -> str:
        """What happened, by action in their order: "2 created, 1 postponed"."""
        counts = [(action, self.count(action)) for action in Action]
        return ", ".join(f"{n} {action.value}" for action, n in counts if n)


def import_invitation(
    session: so.Session,
    actor: Actor,
    now: dt.datetime,
    proceeding: Proceeding,
    data: bytes,
    settings: Settings,
    *,
    dry_run: bool = False,
) -> ImportReport:
    """Read `data` (.ics) and apply each event to `proceeding`; flushes, the caller commits.
    `proceeding` comes from `matters.get_proceeding`, which decides who may see it."""
    invitation = invites.read(data)
    context = _Context(session, actor, now, settings)
    savepoint = session.begin_nested() if dry_run else None
    try:
        known = _Known(
            _imported(session, proceeding, (e.uid for e in invitation.events)),
            _typed_in(session, proceeding),
        )
        applied = tuple(_apply(context, proceeding, e, known) for e in invitation.events)
        if dry_run:  # a new hearing's id is a savepoint's: it will never exist
            applied = tuple(_without_new_ids(a) for a in applied)
        else:
            session.flush()
    finally:
        if savepoint is not None:
            savepoint.rollback()
    return ImportReport(proceeding.id, invitation.method, dry_run, applied)


# --- one event ----------------------------------------------------------------------------


class _Context(NamedTuple):
    """Who imports, when, in which unit of work; the settings the update mails need."""

    session: so.Session
    actor: Actor
    now: dt.datetime
    settings: Settings


class _Known(NamedTuple):
    """The proceeding's hearings an event may be: by the UID they came from, and those
    typed in by hand that are still to come."""

    by_uid: dict[str, Hearing]
    typed_in: list[Hearing]


def _apply(
    context: _Context, proceeding: Proceeding, event: InvitedEvent, known: _Known
) -> Applied:
    """One event applied; a refusal names the event it is about."""
    try:
        return _applied(context, proceeding, event, known)
    except TrackerError as exc:
        exc.message = f"{event.label}: {exc.message}"
        exc.args = (exc.message,)
        raise


def _applied(
    context: _Context, proceeding: Proceeding, event: InvitedEvent, known: _Known
) -> Applied:
    hearing = known.by_uid.get(event.uid)
    if event.cancelled:
        return _cancel(context, event, hearing)
    if hearing is None:
        twin = _twin(event, known.typed_in)
        if twin is not None:
            known.typed_in.remove(twin)
            known.by_uid[event.uid] = twin
            return _link(context, event, twin)
        made = _create(context, proceeding, event)
        known.by_uid[event.uid] = made
        return _made(event, made)
    return _follow(context, event, hearing)


def _twin(event: InvitedEvent, typed_in: list[Hearing]) -> Hearing | None:
    """The one hearing typed in by hand for the event's time (on its own clock), if only
    one is: two at that time, and which is meant cannot be told."""
    found = []
    for hearing in typed_in:
        wall, known = wall_time(event, hearing.timezone)
        if (wall.instant(hearing.timezone, "starts_at"), known) == (
            hearing.starts_at,
            hearing.time_known,
        ):
            found.append(hearing)
    return found[0] if len(found) == 1 else None


def _link(context: _Context, event: InvitedEvent, hearing: Hearing) -> Applied:
    """The hearing takes the invitation's UID and SEQUENCE (an audited update)."""
    session, actor, now, _settings = context
    source = {"source_uid": event.uid, "source_sequence": event.sequence}
    edits.apply(session, actor, now, hearing, source, matter_id=hearing.proceeding.matter_id)
    sentence = (
        f"Hearing {hearing.id} of {when(hearing)}, typed in by hand, is this invitation's: "
        "it takes its UID, and later updates move it."
    )
    return Applied(event.uid, event.summary, Action.linked, hearing.id, sentence)


def _create(context: _Context, proceeding: Proceeding, event: InvitedEvent) -> Hearing:
    zone = zone_for(event, proceeding.jurisdiction.timezone)
    wall, known = wall_time(event, zone)
    command = NewHearing(
        starts_at=wall,
        timezone=zone,
        time_known=known,
        location=_cut(event.location, limits.LOCATION),
        title=_cut(event.summary, limits.TITLE) or "Hearing",
    )
    session, actor, now = context.session, context.actor, context.now
    return operations.schedule_hearing(
        session, actor, now, proceeding, command, source=(event.uid, event.sequence)
    )


def _made(event: InvitedEvent, hearing: Hearing) -> Applied:
    where = f" at {hearing.location}" if hearing.location else ""
    return Applied(
        event.uid,
        event.summary,
        Action.created,
        hearing.id,
        f"New hearing on {when(hearing)}{where}.",
    )


def _follow(context: _Context, event: InvitedEvent, hearing: Hearing) -> Applied:
    """A hearing already imported: moved, its place corrected, or left as it is."""
    seen = hearing.source_sequence or 0
    if event.sequence <= seen:
        return _same(event, hearing, f"already imported at SEQUENCE {seen}: nothing changes.")
    wall, known = wall_time(event, hearing.timezone)
    moved = (
        wall.instant(hearing.timezone, "starts_at") != hearing.starts_at
        or known != hearing.time_known
        or hearing.status is HearingStatus.postponed
    )
    place = _cut(event.location, limits.LOCATION)
    new_place = bool(place) and place != hearing.location
    if not moved and not new_place:
        return _same(event, hearing, f"SEQUENCE {event.sequence} changes neither time nor place.")
    if hearing.status in (HearingStatus.held, HearingStatus.cancelled):
        return _same(
            event, hearing, f"it is {hearing.status}: SEQUENCE {event.sequence} is not applied."
        )
    hearing.source_sequence = event.sequence  # written by the operation's own UPDATE
    session, actor, now, settings = context
    done = []
    if moved:
        reason = f"Rescheduled by the court's invitation (SEQUENCE {event.sequence})"
        command = Postpone(to=wall, reason=reason, time_known=known)
        invitations.changing(
            session,
            hearing,
            settings,
            lambda: operations.postpone(session, actor, now, hearing, command),
        )
        done.append(f"moved to {when(hearing)}")
    if new_place:
        changes = HearingChanges(version=hearing.version, location=place)
        invitations.changing(
            session,
            hearing,
            settings,
            lambda: operations.update_hearing(session, actor, now, hearing, changes),
        )
        done.append(f"now at {place}")
    action = Action.postponed if moved else Action.updated
    sentence = f"Hearing {' and '.join(done)} (SEQUENCE {event.sequence})."
    return Applied(event.uid, event.summary, action, hearing.id, sentence)


def _cancel(context: _Context, event: InvitedEvent, hearing: Hearing | None) -> Applied:
    if hearing is None:
        sentence = "A cancellation of a hearing not imported here: nothing to cancel."
        return Applied(event.uid, event.summary, Action.skipped, None, sentence)
    seen = hearing.source_sequence or 0
    if hearing.status is HearingStatus.cancelled:
        return _same(event, hearing, "already cancelled.")
    if event.sequence < seen:
        return _same(event, hearing, f"an older cancellation than SEQUENCE {seen}: ignored.")
    if hearing.status is HearingStatus.held:
        return _same(event, hearing, "its outcome is recorded: the cancellation is not applied.")
    hearing.source_sequence = event.sequence
    session, actor, now, settings = context
    summary = f"Cancelled by the court's invitation (SEQUENCE {event.sequence})"
    command = Outcome(result=OutcomeResult.cancelled, summary=summary)
    invitations.changing(
        session,
        hearing,
        settings,
        lambda: operations.record_outcome(session, actor, now, hearing, command),
    )
    sentence = f"Hearing of {when(hearing)} cancelled (SEQUENCE {event.sequence})."
    return Applied(event.uid, event.summary, Action.cancelled, hearing.id, sentence)


def _same(event: InvitedEvent, hearing: Hearing, why: str) -> Applied:
    return Applied(
        event.uid, event.summary, Action.unchanged, hearing.id, f"Hearing {hearing.id}: {why}"
    )


# --- time -------------------------------------------------------------------------------


def zone_for(event: InvitedEvent, court_zone: str) -> str:
    """The zone a new hearing is kept in: the court's, unless the invitation names a zone
    whose clock shows another time then (a hearing by video from elsewhere)."""
    start, named = event.start, event.zone
    if named is None or named == court_zone or not isinstance(start, dt.datetime):
        return court_zone
    if in_zone(start, named).utcoffset() != in_zone(start, court_zone).utcoffset():
        return named
    return court_zone


def wall_time(event: InvitedEvent, zone: str) -> tuple[WallTime, bool]:
    """The event's start on the wall clock of `zone`, and whether its time is known.
    An instant carries its offset, so a time the clocks show twice stays the one meant."""
    start = event.start
    if isinstance(start, dt.datetime):
        local = start if start.tzinfo is None else in_zone(start, zone)
        return WallTime(local.isoformat(timespec="minutes")), True
    if isinstance(start, dt.date):
        return WallTime(start.isoformat()), False
    raise AssertionError("only a cancellation has no start")  # invites.read sees to it


def when(hearing: Hearing) -> str:
    local = hearing.local_start
    if not hearing.time_known:
        return f"{local:%Y-%m-%d} (time not known)"
    return f"{local:%Y-%m-%d %H:%M} ({hearing.timezone})"


# --- helpers ------------------------------------------------------------------------------


def _imported(
    session: so.Session, proceeding: Proceeding, uids: Iterable[str]
) -> dict[str, Hearing]:
    """The proceeding's hearings imported from these UIDs, by UID (one query)."""
    rows = session.scalars(
        sa.select(Hearing).where(
            Hearing.proceeding_id == proceeding.id, Hearing.source_uid.in_(list(uids))
        )
    )
    return {hearing.source_uid: hearing for hearing in rows if hearing.source_uid}


def _typed_in(session: so.Session, proceeding: Proceeding) -> list[Hearing]:
    """The proceeding's hearings typed in by hand (no UID) and still scheduled (one query)."""
    return list(
        session.scalars(
            sa.select(Hearing).where(
                Hearing.proceeding_id == proceeding.id,
                Hearing.source_uid.is_(None),
                Hearing.status == HearingStatus.scheduled,
            )
        )
    )


def _without_new_ids(applied: Applied) -> Applied:
    if applied.action is not Action.created:
        return applied
    return Applied(applied.uid, applied.summary, applied.action, None, applied.sentence)


def _cut(text: str, limit: int) -> str:
    """A text within its limit: an invitation's long place or title is cut, not refused."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
