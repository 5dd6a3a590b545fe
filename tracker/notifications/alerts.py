"""What gets sent: reminders before hearings and deadlines, outcome prompts, digests.

Each job sweeps with one query for its candidates (set-based: never a query per
hearing), decides with the pure rules of `reminders.py`, and queues through the
outbox, whose dedup key makes every alert idempotent: a sweep can run as often as it
likes, from as many processes as it likes, and each mail is queued once. One bad item
is logged and skipped; it never stops the others.

A reader with discreet mail (`preferences.discreet_mail`) gets each kind's
`<kind>_discreet` template, rendered from a context that holds no name, title,
reference, court or jurisdiction — only counts, dates on the reader's clock and links —
and a hearing's invitation at the calendar's `discreet` privacy. The choice is read
when a mail is queued: mail queued before keeps what it says; dedup keys are the same.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from tracker.config import Settings
from tracker.core.dates import in_zone, written
from tracker.core.labels import words
from tracker.deadlines.models import Deadline, DeadlineStatus, Party
from tracker.delays.models import DelayFlag
from tracker.hearings.models import Hearing, HearingStatus, Postponement
from tracker.jurisdictions.models import Authority, Jurisdiction
from tracker.matters.models import Matter, Person, Proceeding, matter_assignees
from tracker.notifications import invitations, outbox, reminders
from tracker.notifications.clocks import readers_time, when
from tracker.notifications.enums import DeliveryEventKind
from tracker.notifications.models import DeliveryEvent, FlagAlert, Notification
from tracker.users import preferences
from tracker.users.models import Role, User

log = logging.getLogger(__name__)

#: how far ahead a sweep looks: no reminder offset is longer (preferences cap it at 60)
HORIZON = dt.timedelta(days=61)


@dataclass
class Queued:
    """What a sweep queued, by kind, and how many items it had to skip on an error."""

    counts: dict[str, int]
    errors: int = 0

    def __str__(self) -> str:
        parts = [f"{n} {kind}" for kind, n in sorted(self.counts.items())]
        text = f"queued {', '.join(parts)}" if parts else "nothing queued"
        return text + (f" ({self.errors} skipped on errors)" if self.errors else "")


def _each(
    session: so.Session, rows: Iterable[Any], queue_one: Callable[[Any], str | None]
) -> Queued:
    """Queue each candidate in its own savepoint; a failure is logged, never fatal."""
    done = Queued(counts={})
    for row in rows:
        try:
            with session.begin_nested():
                kind = queue_one(row)
        except Exception:
            log.exception("could not queue an alert for %r", row)
            done.errors += 1
            continue
        if kind:
            done.counts[kind] = done.counts.get(kind, 0) + 1
    return done


def _to(
    session: so.Session,
    user: User,
    key: str,
    template: str,
    context: dict[str, Any],
    now: dt.datetime,
    ics: str | None = None,
) -> bool:
    """Queue one mail to one user; False if it was queued before (same key)."""
    return outbox.enqueue(
        session,
        dedup_key=key,
        to_address=user.email,
        recipient_id=user.id,
        template=template,
        context=context,
        now=now,
        ics=ics,
    )


def _template(kind: str, discreet: bool) -> str:
    """The mail folder of a kind for this reader: `<kind>_discreet` for discreet mail."""
    return f"{kind}_discreet" if discreet else kind


# --- hearings -----------------------------------------------------------------------------


def hearing_reminders(session: so.Session, now: dt.datetime, settings: Settings) -> Queued:
    """Queue the reminder due now for each upcoming hearing, to each assigned user."""
    set_at = (
        sa.select(Postponement.hearing_id, sa.func.max(Postponement.recorded_at).label("at"))
        .where(Postponement.withdrawn_at.is_(None))
        .group_by(Postponement.hearing_id)
        .subquery()
    )
    rows = session.execute(
        sa.select(
            Hearing,
            Proceeding,
            Matter.title,
            Authority.name,
            User,
            sa.func.coalesce(set_at.c.at, Hearing.created_at).label("set_at"),
        )
        .join(Hearing.proceeding)
        .join(Matter, Matter.id == Proceeding.matter_id)
        .join(matter_assignees, matter_assignees.c.matter_id == Matter.id)
        .join(User, User.id == matter_assignees.c.user_id)
        .outerjoin(Authority, Authority.id == Proceeding.authority_id)
        .outerjoin(set_at, set_at.c.hearing_id == Hearing.id)
        .where(
            Hearing.status == HearingStatus.scheduled,
            Hearing.starts_at > now,
            Hearing.starts_at <= now + HORIZON,
            User.active,
        )
        .order_by(Hearing.starts_at, Hearing.id, User.id)
    ).all()

    def queue_one(row: Any) -> str | None:
        hearing, proceeding, matter, authority, user, set_at = row
        prefs = preferences.load(user.preferences, user.role)
        offset = reminders.hearing_offset_due(hearing.starts_at, set_at, now, prefs.hearing_offsets)
        if not prefs.hearing_reminders or offset is None:
            return None
        context = {"base_url": settings.base_url, "path": f"/hearings/{hearing.id}", "days": offset}
        if prefs.discreet_mail:
            context["when"] = readers_time(hearing, user)
        else:
            reader = when(hearing.starts_at, user.timezone, hearing.time_known)
            context |= {
                "when": when(hearing.starts_at, hearing.timezone, hearing.time_known),
                "when_reader": reader
                if hearing.time_known and user.timezone != hearing.timezone
                else "",
                "matter": matter,
                "proceeding": proceeding.title,
                "reference": proceeding.reference or "",
                "authority": authority or "not recorded",
                "location": hearing.location,
            }
        key = reminders.hearing_key(hearing.id, hearing.starts_at, offset, user.id)
        template = _template("hearing_reminder", prefs.discreet_mail)
        ics = invitations.invitation(hearing, user, settings, discreet=prefs.discreet_mail)
        queued = _to(session, user, key, template, context, now, ics=ics)
        return "hearing reminders" if queued else None

    return _each(session, rows, queue_one)


# --- deadlines ----------------------------------------------------------------------------


def deadline_reminders(session: so.Session, now: dt.datetime, settings: Settings) -> Queued:
    """Queue the reminder due today (in each reader's zone) for each open deadline."""
    rows = session.execute(
        sa.select(Deadline, Proceeding.title, Matter.title, User)
        .join(Deadline.proceeding)
        .join(Matter, Matter.id == Proceeding.matter_id)
        .join(matter_assignees, matter_assignees.c.matter_id == Matter.id)
        .join(User, User.id == matter_assignees.c.user_id)
        .where(
            Deadline.status == DeadlineStatus.open,
            # an authority's time limit is awaited, not acted on: no reminder to the lawyers
            Deadline.owed_by == Party.client,
            Deadline.due_on >= (now - dt.timedelta(days=1)).date(),
            Deadline.due_on <= (now + HORIZON).date(),
            User.active,
        )
        .order_by(Deadline.due_on, Deadline.id, User.id)
    ).all()

    def queue_one(row: Any) -> str | None:
        deadline, proceeding, matter, user = row
        prefs = preferences.load(user.preferences, user.role)
        today = in_zone(now, user.timezone).date()
        set_on = in_zone(deadline.created_at, user.timezone).date()
        offset = reminders.deadline_offset_due(
            deadline.due_on, set_on, today, prefs.deadline_offsets
        )
        if not prefs.deadline_reminders or offset is None:
            return None
        context = {
            "base_url": settings.base_url,
            "path": f"/deadlines/{deadline.id}",
            "days": (deadline.due_on - today).days,
            "due_on": written(deadline.due_on),
        }
        if not prefs.discreet_mail:
            context |= {
                "title": deadline.title,
                "matter": matter,
                "proceeding": proceeding,
                "explanation": deadline.explanation,
            }
        key = reminders.deadline_key(deadline.id, deadline.due_on, offset, user.id)
        template = _template("deadline_reminder", prefs.discreet_mail)
        ics = invitations.deadline_invitation(
            deadline, user, settings, discreet=prefs.discreet_mail
        )
        queued = _to(session, user, key, template, context, now, ics=ics)
        return "deadline reminders" if queued else None

    return _each(session, rows, queue_one)


# --- outcome prompts ----------------------------------------------------------------------


def outcome_prompts(session: so.Session, now: dt.datetime, settings: Settings) -> Queued:
    """Ask staff to record what happened at each hearing the scan found without an outcome."""
    hearings = session.execute(
        sa.select(Hearing, Proceeding.title, Proceeding.reference, Matter.title)
        .join(DelayFlag, DelayFlag.hearing_id == Hearing.id)
        .join(Hearing.proceeding)
        .join(Matter, Matter.id == Proceeding.matter_id)
        .where(
            DelayFlag.rule == "outcome_missing",
            DelayFlag.resolved_at.is_(None),
            Hearing.status == HearingStatus.scheduled,
        )
        .order_by(Hearing.starts_at, Hearing.id)
    ).all()
    staff = [
        user
        for user in session.scalars(
            sa.select(User).where(User.role == Role.staff, User.active).order_by(User.id)
        )
        if preferences.load(user.preferences, user.role).outcome_prompts
    ]

    def queue_one(pair: tuple[Any, User]) -> str | None:
        (hearing, proceeding, reference, matter), user = pair
        discreet = preferences.load(user.preferences, user.role).discreet_mail
        context = {"base_url": settings.base_url, "path": f"/hearings/{hearing.id}"}
        if discreet:
            context["when"] = readers_time(hearing, user)
        else:
            context |= {
                "when": when(hearing.starts_at, hearing.timezone, hearing.time_known),
                "matter": matter,
                "proceeding": proceeding,
                "reference": reference or "",
            }
        key = f"outcome:{hearing.id}:{hearing.starts_at:%Y%m%dT%H%MZ}:{user.id}"
        queued = _to(session, user, key, _template("outcome_missing", discreet), context, now)
        return "outcome prompts" if queued else None

    return _each(session, [(row, user) for row in hearings for user in staff], queue_one)


# --- digests ------------------------------------------------------------------------------


def digests(
    session: so.Session, now: dt.datetime, settings: Settings, *, any_hour: bool = False
) -> Queued:
    """One mail a day to each coordinator: the flags that are new or escalated for them,
    and the mail SendGrid bounced or dropped since their previous digest.

    Sent at the coordinator's digest hour (in their zone), or at once with `any_hour`.
    A flag is told of once per severity (FlagAlert), so it comes back only if it
    escalates; a day whose digest was queued already waits for the next day.
    """
    readers = [
        user
        for user in session.scalars(
            sa.select(User).where(User.role == Role.coordinator, User.active).order_by(User.id)
        )
        if _digest_due(user, now, any_hour)
    ]
    if not readers:
        return Queued(counts={})
    news = _digest_news(session, [user.id for user in readers])
    undelivered = _undelivered_news(session, readers, now)

    def queue_one(user: User) -> str | None:
        flags = sorted(news.get(user.id, []), key=lambda line: _severity_rank(line.flag))
        lost = undelivered.get(user.id, [])
        if not flags and not lost:
            return None
        day = in_zone(now, user.timezone).date()
        discreet = preferences.load(user.preferences, user.role).discreet_mail
        context = {
            "base_url": settings.base_url,
            "path": "/flags",
            "as_of": written(day),
            "count": len(flags),
            "undelivered": len(lost),
            "lost": lost,
            "flags": [
                {
                    "severity": line.flag.severity.value,
                    "path": f"/proceedings/{line.flag.proceeding_id}",
                    "escalated": line.escalated,
                }
                # a flag's message names the proceeding: discreet mail counts and links
                | ({} if discreet else _named(line))
                for line in flags
            ],
        }
        if not discreet:
            context["matters"] = _by_matter(flags)
        key = f"digest:{user.id}:{day.isoformat()}"
        if not _to(session, user, key, _template("flag_digest", discreet), context, now):
            return None
        mail_id = session.scalar(sa.select(Notification.id).where(Notification.dedup_key == key))
        session.add_all(
            FlagAlert(
                user_id=user.id,
                flag_id=line.flag.id,
                severity=line.flag.severity.value,
                notification_id=mail_id,
                at=now,
            )
            for line in flags
        )
        return "digests"

    return _each(session, readers, queue_one)


@dataclass(frozen=True)
class _DigestLine:
    """A flag to tell a coordinator of, with what names it (client, matter, proceeding)."""

    flag: DelayFlag
    escalated: bool
    matter_id: int
    matter: str
    client: str | None
    proceeding: str
    reference: str | None
    country: str


def _digest_news(session: so.Session, reader_ids: list[int]) -> dict[int, list[_DigestLine]]:
    """Per reader, the open flags not yet told at their severity: one query for all."""
    told = sa.orm.aliased(FlagAlert)
    before = sa.orm.aliased(FlagAlert)
    escalated = (
        sa.select(before.id)
        .where(before.user_id == User.id, before.flag_id == DelayFlag.id)
        .exists()
    )
    rows = session.execute(
        sa.select(
            User.id,
            DelayFlag,
            escalated.label("escalated"),
            Matter.id,
            Matter.title,
            Person.name,
            Proceeding.title,
            Proceeding.reference,
            Jurisdiction.name,
        )
        .select_from(DelayFlag)
        .join(User, User.id.in_(reader_ids))
        .join(Proceeding, Proceeding.id == DelayFlag.proceeding_id)
        .join(Matter, Matter.id == Proceeding.matter_id)
        .join(Jurisdiction, Jurisdiction.id == Proceeding.jurisdiction_id)
        .outerjoin(Person, Person.id == Matter.subject_id)
        .outerjoin(
            told,
            sa.and_(
                told.user_id == User.id,
                told.flag_id == DelayFlag.id,
                told.severity == DelayFlag.severity,
            ),
        )
        .where(DelayFlag.resolved_at.is_(None), told.id.is_(None))
        .order_by(User.id, DelayFlag.severity, DelayFlag.id)
    ).all()
    news: dict[int, list[_DigestLine]] = {}
    for user_id, flag, was_told, matter_id, matter, client, proceeding, reference, country in rows:
        line = _DigestLine(
            flag, was_told, matter_id, matter, client, proceeding, reference, country
        )
        news.setdefault(user_id, []).append(line)
    return news


def _undelivered_news(
    session: so.Session, readers: list[User], now: dt.datetime
) -> dict[int, list[dict[str, str]]]:
    """Per reader, the mail that SendGrid bounced or dropped since their previous digest
    (or since they joined): two queries for all the readers."""
    last_digest = (
        sa.select(Notification.recipient_id, sa.func.max(Notification.created_at))
        .where(
            Notification.recipient_id.in_([user.id for user in readers]),
            Notification.template.in_(DIGESTS),
        )
        .group_by(Notification.recipient_id)
    )
    previous = dict(session.execute(last_digest).all())
    since = {user.id: previous.get(user.id) or user.created_at for user in readers}
    rows = session.execute(
        sa.select(DeliveryEvent, Notification.to_address, Notification.template)
        .join(Notification, Notification.id == DeliveryEvent.notification_id)
        .where(
            DeliveryEvent.event.in_([kind for kind in DeliveryEventKind if kind.undelivered]),
            DeliveryEvent.received_at > min(since.values()),
            DeliveryEvent.received_at <= now,
        )
        .order_by(DeliveryEvent.received_at, DeliveryEvent.id)
    ).all()
    return {
        reader: [
            _lost(event, to, template) for event, to, template in rows if event.received_at > start
        ]
        for reader, start in since.items()
    }


#: the digests' templates: a reader's previous digest is their latest mail of these
DIGESTS = ("flag_digest", "flag_digest_discreet")


def _lost(event: DeliveryEvent, to_address: str, template: str) -> dict[str, str]:
    """A line of the digest on a mail that did not arrive: which, to whom, why.

    SendGrid's reason and the address name no client: discreet digests show them too.
    """
    return {
        "mail": words(template.removesuffix("_discreet")),
        "to": to_address,
        "what": "bounced" if event.event is DeliveryEventKind.bounce else "was dropped",
        "reason": event.detail,
        "path": f"/outbox/{event.notification_id}",
    }


def _named(line: _DigestLine) -> dict[str, Any]:
    """What a line of the plain digest says: the flag, where, and since when."""
    flag = line.flag
    since = ""
    if flag.began_on is not None:
        days = max((flag.last_seen - flag.began_on).days, 0)
        since = f"since {written(flag.began_on)} ({days:,} day{'' if days == 1 else 's'})"
    return {
        "message": flag.message,
        "client": line.client or "no client recorded",
        "matter": line.matter,
        "proceeding": line.proceeding,
        "reference": line.reference or "",
        "country": line.country,
        "since": since,
    }


def _by_matter(lines: list[_DigestLine]) -> list[dict[str, Any]]:
    """The lines grouped by matter: the matter of the most severe (then oldest) flag first,
    each matter's lines most severe first."""
    groups: dict[int, dict[str, Any]] = {}
    for line in lines:  # sorted most severe first already: a matter's first line ranks it
        group = groups.setdefault(
            line.matter_id,
            {
                "matter": line.matter,
                "client": line.client or "no client recorded",
                "path": f"/matters/{line.matter_id}",
                "flags": [],
            },
        )
        group["flags"].append(
            {
                "severity": line.flag.severity.value,
                "path": f"/proceedings/{line.flag.proceeding_id}",
                "escalated": line.escalated,
            }
            | _named(line)
        )
    return list(groups.values())


def _digest_due(user: User, now: dt.datetime, any_hour: bool) -> bool:
    prefs = preferences.load(user.preferences, user.role)
    return prefs.digest and (any_hour or in_zone(now, user.timezone).hour >= prefs.digest_hour)


def _severity_rank(flag: DelayFlag) -> tuple[int, int]:
    return (0 if flag.severity.value == "critical" else 1, flag.id)
