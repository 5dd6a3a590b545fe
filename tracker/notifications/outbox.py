"""The outbox: queue a mail once, send it at most once, and say what happened.

Life of a row: `queued` → (claimed) `sending` → `sent` | `failed` | `unknown`, or back
to `queued` with a later `next_attempt_at`. A claim sets `lease_until` and bumps
`attempts`; the pair (status `sending`, `attempts`) is the claim's token, so a
worker writes a result only for a claim that is still its own. A worker that dies
after claiming leaves its rows `sending`; once the lease has passed, any worker may
claim them again. `unknown` (the provider may have the mail) is never retried by
the dispatcher: a person checks and calls `resend`.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so
from sqlalchemy.dialects import postgresql, sqlite

from tracker.audit import operations as audit
from tracker.core import actors
from tracker.core.actors import Actor
from tracker.core.db import Database, snapshot
from tracker.core.errors import Conflict, NotFound
from tracker.notifications import messages, senders
from tracker.notifications.models import Notification, NotificationStatus

log = logging.getLogger(__name__)

Status = NotificationStatus

BATCH = 50
#: how long a claim is a worker's own; it sends only in the first half (see _Batch)
LEASE = dt.timedelta(minutes=10)
#: a mail that failed for temporary reasons this many times is given up (`failed`)
MAX_ATTEMPTS = 8
BACKOFF_CAP = dt.timedelta(hours=1)
#: how long to wait after a 429 that did not say when the limit resets
RATE_LIMIT_WAIT = dt.timedelta(minutes=1)


# --- queue ----------------------------------------------------------------------------


def enqueue(
    session: so.Session,
    *,
    dedup_key: str,
    to_address: str,
    recipient_id: int | None,
    template: str,
    context: Mapping[str, Any],
    now: dt.datetime,
    ics: str | None = None,
    send_after: dt.datetime | None = None,
) -> bool:
    """Render and queue a mail unless one with this dedup_key exists; True if queued.

    INSERT … ON CONFLICT DO NOTHING, so two processes queueing the same alert at the
    same moment still make one row (the unique index decides, not a prior SELECT).
    """
    if "\n" in to_address or "\r" in to_address or len(to_address) > 200:
        raise ValueError("bad recipient address")
    if len(dedup_key) > 200:
        raise ValueError("dedup_key is longer than 200 characters")
    rendered = messages.render(template, context)
    values = {
        "dedup_key": dedup_key,
        "recipient_id": recipient_id,
        "to_address": to_address,
        "template": template,
        "subject": rendered.subject,
        "body_text": rendered.body_text,
        "body_html": rendered.body_html,
        "ics": ics,
        "status": Status.queued,
        "attempts": 0,
        "next_attempt_at": send_after or now,
        "last_error": "",
        "created_at": now,
    }
    insert = _insert_for(session.get_bind().dialect.name)
    statement = (
        insert(Notification).values(values).on_conflict_do_nothing(index_elements=["dedup_key"])
    )
    return session.execute(statement.returning(Notification.id)).first() is not None


def _insert_for(dialect: str):
    if dialect == "postgresql":
        return postgresql.insert
    if dialect == "sqlite":
        return sqlite.insert
    raise NotImplementedError(f"no INSERT … ON CONFLICT for {dialect}")


def resend(
    session: so.Session,
    notification_id: int,
    now: dt.datetime,
    *,
    actor: Actor = actors.CLI,
) -> Notification:
    """Queue a failed or unknown mail again, with a fresh count of attempts; audited."""
    row = session.get(Notification, notification_id)
    if row is None:
        raise NotFound(f"no notification {notification_id}")
    if row.status not in (Status.failed, Status.unknown):
        raise Conflict(
            f"notification {notification_id} is {row.status.value}, not failed or unknown"
        )
    before = snapshot(row, RESEND_FIELDS)
    row.status = Status.queued
    row.attempts = 0
    row.next_attempt_at = now
    row.lease_until = None
    session.flush()
    audit.record(
        session,
        actor,
        now,
        "resend",
        row,
        matter_id=None,
        before=before,
        after=snapshot(row, RESEND_FIELDS),
    )
    return row


#: what a resend changes (and its audit entry shows)
RESEND_FIELDS = ["status", "attempts", "next_attempt_at", "last_error"]


def listing(
    session: so.Session, *, status: Status | None = None, limit: int = 50
) -> list[Notification]:
    """The newest rows first, optionally of one status."""
    query = sa.select(Notification).order_by(Notification.id.desc()).limit(limit)
    if status is not None:
        query = query.where(Notification.status == status)
    return list(session.scalars(query))


#: rows per page of the outbox page
PAGE_SIZE = 50


@dataclass(frozen=True)
class OutboxPage:
    """Up to `size` rows older than `before` (newest first), and where the next page starts."""

    rows: list[sa.Row]
    #: the id to pass as `before` for the next (older) page; None on the last page
    next_before: int | None


#: what the outbox page shows of a row (never the bodies: they can be long)
_LISTED = (
    Notification.id,
    Notification.to_address,
    Notification.template,
    Notification.subject,
    Notification.status,
    Notification.attempts,
    Notification.next_attempt_at,
    Notification.last_error,
    Notification.provider_message_id,
    Notification.created_at,
    Notification.sent_at,
)


def page(
    session: so.Session,
    *,
    status: Status | None = None,
    recipient: str | None = None,
    subject: str | None = None,
    created_from: dt.datetime | None = None,
    created_before: dt.datetime | None = None,
    before: int | None = None,
    size: int | None = None,
) -> OutboxPage:
    """One page of the outbox, newest first, filtered; one query (keyset on the id)."""
    size = size or PAGE_SIZE
    query = sa.select(*_LISTED).order_by(Notification.id.desc()).limit(size + 1)
    if status is not None:
        query = query.where(Notification.status == status)
    if recipient:
        query = query.where(_contains(Notification.to_address, recipient))
    if subject:
        query = query.where(_contains(Notification.subject, subject))
    if created_from is not None:
        query = query.where(Notification.created_at >= created_from)
    if created_before is not None:
        query = query.where(Notification.created_at < created_before)
    if before is not None:
        query = query.where(Notification.id < before)
    rows = session.execute(query).all()
    more = len(rows) > size
    rows = rows[:size]
    return OutboxPage(rows, rows[-1].id if more else None)


def _contains(column: sa.ColumnElement[str], text: str) -> sa.ColumnElement[bool]:
    """Case-insensitive substring match; % and _ in `text` are taken literally."""
    return sa.func.lower(column).contains(text.lower(), autoescape=True)


# --- claims ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Claim:
    mail: messages.OutgoingMail
    #: the row's `attempts` after the claim: with status `sending`, the claim's token
    attempts: int

    @property
    def id(self) -> int:
        return self.mail.notification_id


#: what a claim reads: plain values, never ORM objects that a later read could leave stale
_CLAIMED = (
    Notification.id,
    Notification.status,
    Notification.attempts,
    Notification.template,
    Notification.to_address,
    Notification.subject,
    Notification.body_text,
    Notification.body_html,
    Notification.ics,
)


def _due(now: dt.datetime, batch: int) -> sa.Select:
    """Queued rows whose time has come, and claims whose worker let the lease run out."""
    queued = sa.and_(Notification.status == Status.queued, Notification.next_attempt_at <= now)
    abandoned = sa.and_(Notification.status == Status.sending, Notification.lease_until < now)
    return (
        sa.select(*_CLAIMED)
        .where(sa.or_(queued, abandoned))
        .order_by(Notification.next_attempt_at, Notification.id)
        .limit(batch)
    )


def claim(database: Database, now: dt.datetime, *, batch: int, lease: dt.timedelta) -> list[Claim]:
    """Take up to `batch` due rows for this worker, in a transaction of their own."""
    with database.unit_of_work() as session:
        if session.get_bind().dialect.name == "postgresql":
            return _claim_locking(session, now, batch, now + lease)
        return _claim_compare_and_set(session, now, batch, now + lease)


def _claim_locking(
    session: so.Session, now: dt.datetime, batch: int, lease_until: dt.datetime
) -> list[Claim]:
    """PostgreSQL: lock the due rows, skipping those another worker is claiming."""
    rows = session.execute(_due(now, batch).with_for_update(skip_locked=True)).all()
    if rows:
        session.execute(
            _take(lease_until).where(Notification.id.in_([row.id for row in rows])),
            execution_options={"synchronize_session": False},
        )
    return [_claim_of(row) for row in rows]


def _claim_compare_and_set(
    session: so.Session, now: dt.datetime, batch: int, lease_until: dt.datetime
) -> list[Claim]:
    """SQLite (no row locks): take each row only if nobody changed it since we read it."""
    while rows := session.execute(_due(now, batch)).all():
        claims = [_claim_of(row) for row in rows if _taken(session, row, lease_until)]
        if claims:
            return claims
        # Another worker took them all between our read and our writes. Our first UPDATE
        # holds SQLite's write lock until commit, so this second read is current.
    return []


def _taken(session: so.Session, row: sa.Row, lease_until: dt.datetime) -> bool:
    taken = session.execute(
        _take(lease_until).where(
            Notification.id == row.id,
            Notification.status == row.status,
            Notification.attempts == row.attempts,
        ),
        execution_options={"synchronize_session": False},
    )
    return taken.rowcount == 1


def _take(lease_until: dt.datetime) -> sa.Update:
    return sa.update(Notification).values(
        status=Status.sending, lease_until=lease_until, attempts=Notification.attempts + 1
    )


def _claim_of(row: sa.Row) -> Claim:
    mail = messages.OutgoingMail(
        notification_id=row.id,
        template=row.template,
        to_address=row.to_address,
        subject=row.subject,
        body_text=row.body_text,
        body_html=row.body_html,
        ics=row.ics,
    )
    return Claim(mail=mail, attempts=row.attempts + 1)


def settle(database: Database, claim: Claim, **values: Any) -> bool:
    """Write a claim's result if the claim is still ours; False if it was lost."""
    with database.unit_of_work() as session:
        result = session.execute(
            sa.update(Notification)
            .where(
                Notification.id == claim.id,
                Notification.status == Status.sending,
                Notification.attempts == claim.attempts,
            )
            .values(lease_until=None, **values),
            execution_options={"synchronize_session": False},
        )
    return result.rowcount == 1


# --- dispatcher -----------------------------------------------------------------------


@dataclass
class DispatchSummary:
    claimed: int = 0
    sent: int = 0
    #: queued again for a later attempt (5xx, no connection)
    retrying: int = 0
    failed: int = 0
    #: sent with no answer: for a person to check
    unknown: int = 0
    #: given back unsent (after a 429, or a lease running short)
    released: int = 0
    #: claims another worker took over after our lease ran out: result not written
    lost: int = 0
    rate_limited_until: dt.datetime | None = None

    def __str__(self) -> str:
        text = (
            f"claimed {self.claimed}: sent {self.sent}, retrying {self.retrying}, "
            f"failed {self.failed}, unknown {self.unknown}, released {self.released}, "
            f"lost {self.lost}"
        )
        if self.rate_limited_until:
            text += f"; rate limited until {self.rate_limited_until:%Y-%m-%d %H:%M:%S} UTC"
        return text


def dispatch(
    database: Database,
    sender: senders.Sender,
    now: dt.datetime,
    *,
    batch: int = BATCH,
    lease: dt.timedelta = LEASE,
    max_attempts: int = MAX_ATTEMPTS,
) -> DispatchSummary:
    """Send what is due at `now`, batch after batch, each send outside any transaction."""
    summary = DispatchSummary()
    while summary.rate_limited_until is None:
        claims = claim(database, now, batch=batch, lease=lease)
        if not claims:
            break
        summary.claimed += len(claims)
        released = summary.released
        _Batch(database, sender, now, lease, max_attempts, summary).run(claims)
        if summary.released - released == len(claims):
            break  # nothing could be sent in time: leave the rest to the next run
    return summary


def backoff(attempts: int) -> dt.timedelta:
    """1, 2, 4, 8 … minutes after the 1st, 2nd, 3rd, 4th … failure, at most an hour."""
    return min(dt.timedelta(minutes=2 ** max(attempts - 1, 0)), BACKOFF_CAP)


class _Batch:
    """Sends one batch of claims and records each result in a transaction of its own."""

    def __init__(
        self,
        database: Database,
        sender: senders.Sender,
        now: dt.datetime,
        lease: dt.timedelta,
        max_attempts: int,
        summary: DispatchSummary,
    ):
        self.database = database
        self.sender = sender
        self.now = now
        self.max_attempts = max_attempts
        self.summary = summary
        # A send that starts after half the lease could still be running when the
        # lease ends and another worker claims the row: give such rows back instead.
        self.deadline = time.monotonic() + lease.total_seconds() / 2

    def run(self, claims: list[Claim]) -> None:
        for claimed in claims:
            if self.summary.rate_limited_until is not None:
                self._release(claimed, self.summary.rate_limited_until)
            elif time.monotonic() > self.deadline:
                self._release(claimed, self.now)
            else:
                self._send(claimed)

    def _send(self, claimed: Claim) -> None:
        if claimed.attempts > self.max_attempts:
            # claimed again after a worker died during its last allowed attempt
            error = f"gave up after {self.max_attempts} attempts (the last one was interrupted)"
            self._record(claimed, "failed", status=Status.failed, last_error=error)
            return
        try:
            result = self.sender.send(claimed.mail)
        except senders.RateLimited as exc:
            self._rate_limited(claimed, exc)
        except senders.PermanentFailure as exc:
            self._record(claimed, "failed", status=Status.failed, last_error=_error(exc))
        except senders.Unknown as exc:
            error = f"{_error(exc)} — may have been delivered: check before resending"
            self._record(claimed, "unknown", status=Status.unknown, last_error=error)
        except Exception as exc:  # TemporaryFailure, or a sender's bug: try again later
            if not isinstance(exc, senders.TemporaryFailure):
                log.exception("sender failed on notification %s", claimed.id)
            self._retry(claimed, _error(exc))
        else:
            self._record(
                claimed,
                "sent",
                status=Status.sent,
                provider_message_id=result.provider_id,
                sent_at=self.now,
                last_error="",
            )

    def _retry(self, claimed: Claim, error: str) -> None:
        if claimed.attempts >= self.max_attempts:
            error = f"gave up after {claimed.attempts} attempts: {error}"
            self._record(claimed, "failed", status=Status.failed, last_error=error)
            return
        self._record(
            claimed,
            "retrying",
            status=Status.queued,
            next_attempt_at=self.now + backoff(claimed.attempts),
            last_error=error,
        )

    def _rate_limited(self, claimed: Claim, exc: senders.RateLimited) -> None:
        """The account is limited, not this mail: stop the run, count no attempt."""
        until = exc.reset_at or self.now + RATE_LIMIT_WAIT
        # never "now": the loop in dispatch() would claim the row again at once
        until = max(until, self.now + dt.timedelta(seconds=1))
        self.summary.rate_limited_until = until
        self._release(claimed, until, last_error=_error(exc))

    def _release(self, claimed: Claim, at: dt.datetime, **values: Any) -> None:
        """Give a claim back unsent, without counting it as an attempt."""
        values.update(status=Status.queued, attempts=claimed.attempts - 1, next_attempt_at=at)
        self._record(claimed, "released", **values)

    def _record(self, claimed: Claim, outcome: str, **values: Any) -> None:
        if settle(self.database, claimed, **values):
            setattr(self.summary, outcome, getattr(self.summary, outcome) + 1)
            return
        self.summary.lost += 1
        log.warning(
            "notification %s: claim lost (lease ran out), %s not recorded", claimed.id, outcome
        )


def _error(exc: BaseException, limit: int = 2000) -> str:
    return (str(exc) or type(exc).__name__)[:limit]
