"""Invitations by mail: the reminder's, and the updates that follow it.

A reminder carries the hearing or deadline as an iTIP REQUEST (RFC 5546) from MAIL_FROM
to its reader, who is told that no answer is expected (README, "Mail"). Once a hearing
changes in a way a calendar must show (its SEQUENCE moves: a postponement, a withdrawn
or corrected one, a corrected time or place, a cancellation), every reader who was
sent an invitation gets the update: the same UID at the new SEQUENCE, as a REQUEST
while the hearing has a date, as a CANCEL once it is cancelled or adjourned sine die.
A deadline's update follows a new due date (by hand, or its trigger event moved), its
waiver (a CANCEL) and its reinstatement; its SEQUENCE is its version's.

Who was invited is read from the outbox itself (the reminders of this hearing that
were queued or sent, not failed), in one query: no table of invitations to keep in
step. Each update is queued in the transaction of the change, once per reader and
SEQUENCE (its dedup key), and only to readers who may still see the hearing.
"""

from __future__ import annotations

import datetime as dt
import email.utils
from collections.abc import Callable
from typing import Any, TypeVar

import sqlalchemy as sa
import sqlalchemy.orm as so

from tracker.calendar import ical
from tracker.config import Settings
from tracker.core import clock
from tracker.core.dates import written
from tracker.deadlines.models import Deadline, DeadlineStatus
from tracker.deadlines.operations import triggered_by
from tracker.hearings.models import Hearing, HearingStatus
from tracker.matters.models import Event
from tracker.notifications import outbox, reminders
from tracker.notifications.clocks import readers_time, when
from tracker.notifications.enums import NotificationStatus
from tracker.notifications.models import Notification
from tracker.users import access, preferences
from tracker.users.models import User

#: the mail whose attachment invited its reader to a hearing
INVITING = ("hearing_reminder", "hearing_reminder_discreet")
#: ...and to a deadline
DEADLINE_INVITING = ("deadline_reminder", "deadline_reminder_discreet")

#: the mail that tells of a change, by the hearing's status after it
UPDATES = {
    HearingStatus.scheduled: "hearing_update",
    HearingStatus.postponed: "hearing_adjourned",
    HearingStatus.cancelled: "hearing_cancelled",
}


def organizer(settings: Settings) -> str:
    """MAIL_FROM's address (it may be written `Name <address>`): the ORGANIZER."""
    return email.utils.parseaddr(settings.mail_from)[1] or settings.mail_from


def invitation(hearing: Hearing, user: User, settings: Settings, *, discreet: bool) -> str:
    """The hearing as an invitation to `user`, as it stands (REQUEST or CANCEL).

    Minimal privacy (mail is read on phones); in discreet mail, without the
    jurisdiction or the court's zone either.
    """
    return ical.hearing_invite(
        hearing,
        ical.hearing_method(hearing),
        base_url=settings.base_url,
        privacy=ical.DISCREET if discreet else "minimal",
        organizer=organizer(settings),
        attendee=user.email,
        attendee_name=user.name,
    )


def invited(session: so.Session, hearing: Hearing) -> list[User]:
    """The active users who were sent an invitation to this hearing and may still see it."""
    keys = reminders.hearing_keys(hearing.id)
    return _readers(session, INVITING, keys, hearing.proceeding.matter_id)


def _readers(
    session: so.Session, templates: tuple[str, ...], keys: str, matter_id: int
) -> list[User]:
    """The active users sent one of these mails, keyed so, not failed, who may see the
    matter."""
    recipients = sa.select(Notification.recipient_id).where(
        Notification.template.in_(templates),
        Notification.dedup_key.startswith(keys, autoescape=True),
        Notification.status != NotificationStatus.failed,
    )
    return list(
        session.scalars(
            sa.select(User)
            .where(User.id.in_(recipients), User.active, access.users_seeing_matter(matter_id))
            .order_by(User.id)
        )
    )


def update_key(hearing: Hearing, user: User) -> str:
    """One update per reader and SEQUENCE: queueing it again does nothing."""
    return f"hearing:{hearing.id}:seq:{hearing.sequence}:{user.id}"


def queue_updates(
    session: so.Session,
    hearing: Hearing,
    sequence_before: int,
    now: dt.datetime,
    settings: Settings,
) -> int:
    """Queue the update of a hearing that changed from `sequence_before` to everyone
    it was sent to; how many were queued. Nothing for a change no calendar shows, nor
    for a hearing held (its date is what happened: the calendars have it right)."""
    template = UPDATES.get(hearing.status)
    if template is None or hearing.sequence <= sequence_before:
        return 0
    return _queue(
        session,
        invited(session, hearing),
        template,
        now,
        lambda user: update_key(hearing, user),
        lambda user, discreet: (
            _context(hearing, user, settings, discreet),
            invitation(hearing, user, settings, discreet=discreet),
        ),
    )


def _queue(
    session: so.Session,
    readers: list[User],
    template: str,
    now: dt.datetime,
    key: Callable[[User], str],
    mail: Callable[[User, bool], tuple[dict[str, Any], str]],
) -> int:
    """Queue an update to each reader, in discreet mail if they chose it: `mail` gives
    its context and invitation. How many were queued (a key already queued is not)."""
    queued = 0
    for user in readers:
        discreet = preferences.load(user.preferences, user.role).discreet_mail
        context, ics = mail(user, discreet)
        queued += outbox.enqueue(
            session,
            dedup_key=key(user),
            to_address=user.email,
            recipient_id=user.id,
            template=f"{template}_discreet" if discreet else template,
            context=context,
            now=now,
            ics=ics,
        )
    return queued


T = TypeVar("T")


def changing(
    session: so.Session, hearing: Hearing, settings: Settings, change: Callable[[], T]
) -> T:
    """Run `change` (an operation on the hearing), then queue the updates it calls for,
    in its transaction: the commit that saves the change queues the mail."""
    before = hearing.sequence
    result = change()
    queue_updates(session, hearing, before, clock.now(), settings)
    return result


# --- deadlines ----------------------------------------------------------------------------


def deadline_invitation(
    deadline: Deadline, user: User, settings: Settings, *, discreet: bool
) -> str:
    """The deadline as an invitation to `user`, as it stands (a CANCEL once waived):
    all-day, or the hour before its time (in UTC in discreet mail, as in the feeds
    otherwise)."""
    return ical.deadline_invite(
        deadline,
        method="CANCEL" if deadline.status is DeadlineStatus.waived else "REQUEST",
        base_url=settings.base_url,
        privacy=ical.DISCREET if discreet else "minimal",
        organizer=organizer(settings),
        attendee=user.email,
        attendee_name=user.name,
    )


def deadlines_changing(
    session: so.Session, deadlines: list[Deadline], settings: Settings, change: Callable[[], T]
) -> T:
    """Run `change` (an operation that may move, waive or reinstate these deadlines),
    then queue the update of each whose invitation it changed, in its transaction."""
    before = {deadline.id: _shown(deadline) for deadline in deadlines}
    result = change()
    session.flush()  # the versions of the UPDATEs: the updates' SEQUENCE
    for deadline in deadlines:
        if _shown(deadline) != before[deadline.id]:
            queue_deadline_update(session, deadline, clock.now(), settings)
    return result


def event_changing(
    session: so.Session, event: Event, settings: Settings, change: Callable[[], T]
) -> T:
    """`deadlines_changing` for the deadlines counted from this event (a change of its
    date moves them, its withdrawal waives them)."""
    return deadlines_changing(session, triggered_by(session, event), settings, change)


def _shown(deadline: Deadline) -> tuple[object, ...]:
    """What a calendar must follow: when it is due, and whether it is waived (marked
    done, it is what happened, as a hearing held: no update)."""
    return deadline.due_on, deadline.due_at, deadline.status is DeadlineStatus.waived


def queue_deadline_update(
    session: so.Session, deadline: Deadline, now: dt.datetime, settings: Settings
) -> int:
    """Queue the deadline as it stands to everyone it was sent to, once per reader and
    SEQUENCE; how many were queued."""
    keys = reminders.deadline_keys(deadline.id)
    waived = deadline.status is DeadlineStatus.waived
    return _queue(
        session,
        _readers(session, DEADLINE_INVITING, keys, deadline.proceeding.matter_id),
        "deadline_waived" if waived else "deadline_update",
        now,
        lambda user: f"deadline:{deadline.id}:seq:{deadline.version - 1}:{user.id}",
        lambda user, discreet: (
            _deadline_context(deadline, settings, discreet),
            deadline_invitation(deadline, user, settings, discreet=discreet),
        ),
    )


def _deadline_context(deadline: Deadline, settings: Settings, discreet: bool) -> dict[str, Any]:
    """What the update says: as the reminder, names only outside discreet mail."""
    context = {
        "base_url": settings.base_url,
        "path": f"/deadlines/{deadline.id}",
        "due_on": written(deadline.due_on),
    }
    if discreet:
        return context
    proceeding = deadline.proceeding
    return context | {
        "title": deadline.title,
        "matter": proceeding.matter.title,
        "proceeding": proceeding.title,
    }


# --- hearings' mail ------------------------------------------------------------------------


def _context(hearing: Hearing, user: User, settings: Settings, discreet: bool) -> dict[str, Any]:
    """What the update says: as the reminder, names only outside discreet mail."""
    context: dict[str, Any] = {"base_url": settings.base_url, "path": f"/hearings/{hearing.id}"}
    if discreet:
        return context | {"when": readers_time(hearing, user)}
    proceeding = hearing.proceeding
    reader = when(hearing.starts_at, user.timezone, hearing.time_known)
    return context | {
        "when": when(hearing.starts_at, hearing.timezone, hearing.time_known),
        "when_reader": reader if hearing.time_known and user.timezone != hearing.timezone else "",
        "matter": proceeding.matter.title,
        "proceeding": proceeding.title,
        "reference": proceeding.reference or "",
        "authority": proceeding.authority.name if proceeding.authority else "not recorded",
        "location": hearing.location,
    }
