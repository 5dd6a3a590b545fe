"""The outbox: queue a mail once, send it once, and say what happened.

Life of a row: `queued` → (claimed) `sending` → `sent` | `failed` | `unknown`, or back
to `queued` with a later `next_attempt_at`.

Claims. A dispatcher claims a batch of due rows in one transaction: each becomes
`sending`, `attempts` + 1, with `lease_until` = the time of *that* claim + the lease
and a random `claim_token` shared by the batch. The token says whose a claim is: every
later write of the dispatcher (renewal, the mark before a send, the result) matches
it, so a dispatcher that lost a claim (its lease ran out and another took the row)
changes nothing; and one UPDATE renews a whole batch. (The pair status, attempts could
serve, but attempts go down again when a claim is given back; a token never repeats.)

Renewal. While a batch is worked, a heartbeat thread renews its claims still held every
third of the lease, so neither a long batch nor one slow send outlives it; right before
each send one UPDATE checks that the claim is still ours, renews it and sets
`send_started_at`. A claim found lost there is never sent (counted `lost`).

At least once. A dispatcher that dies leaves its rows `sending`; once the lease has
passed, any dispatcher claims them again. A row whose `send_started_at` is set had a
request in flight: the provider may have the mail, so the new claim keeps that moment
in `interrupted_at`, and once the row is sent it shows as possibly sent twice. Rows
whose send had not started are sent again unmarked. So a mail goes out twice only if
its dispatcher stops (or loses the database for longer than the lease) between the
mark and recording the answer.

`unknown` (a request that got no answer) is never retried by the dispatcher: a person
checks and calls `resend`. Times come from a clock read when they are needed, never
from the start of a run: a run may last any time.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

import sqlalchemy as sa
import sqlalchemy.orm as so
from sqlalchemy.dialects import postgresql, sqlite

from tracker import config
from tracker.audit import operations as audit
from tracker.core import actors, limits
from tracker.core.actors import Actor
from tracker.core.clock import now as current_time
from tracker.core.db import Database, snapshot
from tracker.core.errors import Conflict, NotFound
from tracker.notifications import deliveries, messages, senders
from tracker.notifications.models import DeliveryEvent, Notification, NotificationStatus
from tracker.users import access

log = logging.getLogger(__name__)

Status = NotificationStatus

BATCH = 50
#: how long a claim lasts unless renewed (MAIL_LEASE_SECONDS's default)
LEASE = dt.timedelta(seconds=config.MAIL_LEASE_DEFAULT)
#: a mail that failed for temporary reasons this many times is given up (`failed`)
MAX_ATTEMPTS = 8
BACKOFF_CAP = dt.timedelta(hours=1)
#: when a limit resets after a 429 that did not say
RATE_LIMIT_WAIT = dt.timedelta(minutes=1)
#: a limit that resets this soon is waited out (MAIL_RATE_LIMIT_MAX_WAIT's default)
RATE_LIMIT_MAX_WAIT = dt.timedelta(seconds=config.MAIL_RATE_LIMIT_MAX_WAIT_DEFAULT)
#: the shortest wait: X-RateLimit-Reset counts whole seconds, and may have passed
RATE_LIMIT_MIN_WAIT = dt.timedelta(seconds=1)
#: 429s in a row for one mail after which the run stops, however near the reset
RATE_LIMIT_TRIES = 3

#: where a dispatcher reads the time, each time it needs it
Clock = Callable[[], dt.datetime]


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
    if "\n" in to_address or "\r" in to_address or len(to_address) > limits.EMAIL:
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
    """Queue a failed or unknown mail again, with a fresh count of attempts; audited.
    Admins and coordinators may (they read the outbox); the command line may."""
    access.require_role(actor, *access.OUTBOX_READERS, doing="resend mail")
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
    row.claim_token = None
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

    rows: Sequence[sa.Row]
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
    Notification.interrupted_at,
    Notification.possibly_sent_twice.label("possibly_sent_twice"),
    # what SendGrid last said of it (bounced, delivered...): in the same query
    deliveries.latest(DeliveryEvent.event).label("delivery"),
    deliveries.latest(DeliveryEvent.detail).label("delivery_detail"),
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


def _contains(column: sa.SQLColumnExpression[str], text: str) -> sa.ColumnElement[bool]:
    """Case-insensitive substring match; % and _ in `text` are taken literally."""
    return sa.func.lower(column).contains(text.lower(), autoescape=True)


# --- claims ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Claim:
    mail: messages.OutgoingMail
    #: the row's `attempts` after the claim
    attempts: int
    #: the claim's random token (the rows claimed together share it)
    token: str

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


def _is_due(now: dt.datetime) -> sa.ColumnElement[bool]:
    """Queued rows whose time has come, and claims whose dispatcher let the lease run out."""
    queued = sa.and_(Notification.status == Status.queued, Notification.next_attempt_at <= now)
    abandoned = sa.and_(Notification.status == Status.sending, Notification.lease_until < now)
    return sa.or_(queued, abandoned)


def _due(now: dt.datetime, batch: int) -> sa.Select:
    return (
        sa.select(*_CLAIMED)
        .where(_is_due(now))
        .order_by(Notification.next_attempt_at, Notification.id)
        .limit(batch)
    )


def claim(database: Database, now: dt.datetime, *, batch: int, lease: dt.timedelta) -> list[Claim]:
    """Take up to `batch` due rows until `now` + `lease`, in a transaction of their own."""
    take = _Take(now + lease, secrets.token_hex(16))
    with database.unit_of_work() as session:
        if session.get_bind().dialect.name == "postgresql":
            return _claim_locking(session, now, batch, take)
        return _claim_compare_and_set(session, now, batch, take)


@dataclass(frozen=True)
class _Take:
    lease_until: dt.datetime
    token: str

    def update(self) -> sa.Update:
        # A row taken while a request of it was in flight may be with the provider:
        # keep when that request left.
        interrupted = sa.func.coalesce(Notification.send_started_at, Notification.interrupted_at)
        return sa.update(Notification).values(
            status=Status.sending,
            lease_until=self.lease_until,
            attempts=Notification.attempts + 1,
            claim_token=self.token,
            send_started_at=None,
            interrupted_at=interrupted,
        )

    def claim_of(self, row: sa.Row) -> Claim:
        mail = messages.OutgoingMail(
            notification_id=row.id,
            template=row.template,
            to_address=row.to_address,
            subject=row.subject,
            body_text=row.body_text,
            body_html=row.body_html,
            ics=row.ics,
        )
        return Claim(mail=mail, attempts=row.attempts + 1, token=self.token)


def _claim_locking(session: so.Session, now: dt.datetime, batch: int, take: _Take) -> list[Claim]:
    """PostgreSQL: lock the due rows, skipping those another dispatcher is claiming."""
    rows = session.execute(_due(now, batch).with_for_update(skip_locked=True)).all()
    if rows:
        session.execute(
            take.update().where(Notification.id.in_([row.id for row in rows])),
            execution_options={"synchronize_session": False},
        )
    return [take.claim_of(row) for row in rows]


def _claim_compare_and_set(
    session: so.Session, now: dt.datetime, batch: int, take: _Take
) -> list[Claim]:
    """SQLite (no row locks): take each row only if it is still as we read it, and due."""
    while rows := session.execute(_due(now, batch)).all():
        claims = [take.claim_of(row) for row in rows if _taken(session, row, now, take)]
        if claims:
            return claims
        # Another dispatcher took them all between our read and our writes. Our first
        # UPDATE holds SQLite's write lock until commit, so this second read is current.
    return []


def _taken(session: so.Session, row: sa.Row, now: dt.datetime, take: _Take) -> bool:
    # Still due: the lease of a claim read as abandoned may have been renewed since.
    taken = session.execute(
        take.update().where(
            Notification.id == row.id,
            Notification.status == row.status,
            Notification.attempts == row.attempts,
            _is_due(now),
        ),
        execution_options={"synchronize_session": False},
    )
    return cast(sa.CursorResult[Any], taken).rowcount == 1  # an UPDATE's result


def _held(claims: Sequence[Claim]) -> tuple[sa.ColumnElement[bool], ...]:
    """The rows of these claims that are still theirs."""
    return (
        Notification.id.in_([c.id for c in claims]),
        Notification.claim_token.in_({c.token for c in claims}),
        Notification.status == Status.sending,
    )


def _update_held(database: Database, claims: Sequence[Claim], **values: Any) -> int:
    """Change the rows still held by these claims, in a transaction of its own."""
    with database.unit_of_work() as session:
        result = session.execute(
            sa.update(Notification).where(*_held(claims)).values(**values),
            execution_options={"synchronize_session": False},
        )
    return cast(sa.CursorResult[Any], result).rowcount  # an UPDATE's result


def renew(
    database: Database, claims: Sequence[Claim], now: dt.datetime, lease: dt.timedelta
) -> int:
    """Extend the claims still held to `now` + `lease`, in one UPDATE; how many were."""
    return _update_held(database, claims, lease_until=now + lease) if claims else 0


def hold(
    database: Database, claim: Claim, now: dt.datetime, lease: dt.timedelta, *, sending: bool
) -> bool:
    """Renew a claim if it is still ours, and mark whether a request of it is in flight.

    Right before a send (`sending`), the mark is written by the statement that checks
    the claim: a request leaves only for a row marked as in flight.
    """
    values = {"lease_until": now + lease, "send_started_at": now if sending else None}
    return _update_held(database, [claim], **values) == 1


def settle(database: Database, claim: Claim, **values: Any) -> bool:
    """Write a claim's result if the claim is still ours; False if it was lost."""
    values.update(lease_until=None, claim_token=None, send_started_at=None)
    return _update_held(database, [claim], **values) == 1


class _Heartbeat:
    """Renews a batch's claims every third of the lease, in a thread, until the batch ends.

    A thread, so that a send slower than the lease (SendGrid's timeout is 10 s) or a
    wait for a rate limit keeps its claims too.
    """

    def __init__(
        self, database: Database, claims: Sequence[Claim], clock: Clock, lease: dt.timedelta
    ):
        self.database = database
        self.claims = claims
        self.clock = clock
        self.lease = lease
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._beat, name="outbox-lease", daemon=True)

    def __enter__(self) -> _Heartbeat:
        self.thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stopping.set()
        self.thread.join()

    def _beat(self) -> None:
        while not self.stopping.wait(self.lease.total_seconds() / 3):
            try:
                renew(self.database, self.claims, self.clock(), self.lease)
            except Exception:  # the next beat tries again; each send checks its claim
                log.exception("could not renew the lease of %d claims", len(self.claims))


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
    #: given back unsent (after a 429 whose limit resets too late to wait for)
    released: int = 0
    #: claims another dispatcher took over after our lease ran out: not sent, or its
    #: result not written
    lost: int = 0
    #: 429s waited out, the run going on
    waited: int = 0
    rate_limited_until: dt.datetime | None = None

    def __str__(self) -> str:
        text = (
            f"claimed {self.claimed}: sent {self.sent}, retrying {self.retrying}, "
            f"failed {self.failed}, unknown {self.unknown}, released {self.released}, "
            f"lost {self.lost}"
        )
        if self.waited:
            text += f"; waited out {self.waited} rate limit(s)"
        if self.rate_limited_until:
            text += f"; rate limited until {self.rate_limited_until:%Y-%m-%d %H:%M:%S} UTC"
        return text


def dispatch(
    database: Database,
    sender: senders.Sender,
    *,
    clock: Clock = current_time,
    batch: int = BATCH,
    lease: dt.timedelta = LEASE,
    max_attempts: int = MAX_ATTEMPTS,
    rate_limit_max_wait: dt.timedelta = RATE_LIMIT_MAX_WAIT,
    sleep: Callable[[float], Any] = time.sleep,
) -> DispatchSummary:
    """Send what is due, batch after batch, each send outside any transaction.

    Each claim's lease runs from the time of that claim and is renewed while its batch
    is worked; a 429 whose limit resets within `rate_limit_max_wait` is waited out
    (`sleep`), a later one stops the run.
    """
    if lease <= dt.timedelta(0):
        raise ValueError("the lease must be longer than zero")
    summary = DispatchSummary()
    run = _Dispatcher(
        database, sender, clock, lease, max_attempts, rate_limit_max_wait, sleep, summary
    )
    while summary.rate_limited_until is None:
        claims = claim(database, clock(), batch=batch, lease=lease)
        if not claims:
            break
        summary.claimed += len(claims)
        run.batch(claims)
    return summary


def send_due(
    database: Database, sender: senders.Sender, settings: config.Settings
) -> DispatchSummary:
    """dispatch() with the settings' lease and rate-limit wait (the scheduler, the CLI)."""
    return dispatch(
        database,
        sender,
        lease=dt.timedelta(seconds=settings.mail_lease_seconds),
        rate_limit_max_wait=dt.timedelta(seconds=settings.mail_rate_limit_max_wait),
    )


def backoff(attempts: int) -> dt.timedelta:
    """1, 2, 4, 8 … minutes after the 1st, 2nd, 3rd, 4th … failure, at most an hour."""
    return min(dt.timedelta(minutes=2 ** max(attempts - 1, 0)), BACKOFF_CAP)


@dataclass
class _Dispatcher:
    """Sends each batch of claims and records each result in a transaction of its own."""

    database: Database
    sender: senders.Sender
    clock: Clock
    lease: dt.timedelta
    max_attempts: int
    rate_limit_max_wait: dt.timedelta
    sleep: Callable[[float], Any]
    summary: DispatchSummary

    def batch(self, claims: list[Claim]) -> None:
        with _Heartbeat(self.database, claims, self.clock, self.lease):
            for claimed in claims:
                if self.summary.rate_limited_until is not None:
                    self._release(claimed, self.summary.rate_limited_until)
                else:
                    self._send(claimed)

    def _send(self, claimed: Claim) -> None:
        if claimed.attempts > self.max_attempts:
            # claimed again after a dispatcher died during its last allowed attempt
            error = f"gave up after {self.max_attempts} attempts (the last one was interrupted)"
            self._record(claimed, "failed", status=Status.failed, last_error=error)
            return
        for tries in range(1, RATE_LIMIT_TRIES + 1):
            limited = self._attempt(claimed)
            if limited is None or not self._wait_out(claimed, limited, tries):
                return

    def _attempt(self, claimed: Claim) -> senders.RateLimited | None:
        """Send once if the claim still stands and record what happened; a 429 is returned."""
        if not hold(self.database, claimed, self.clock(), self.lease, sending=True):
            self._lost(claimed, "not sent")
            return None
        try:
            result = self.sender.send(claimed.mail)
        except senders.RateLimited as exc:
            return exc
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
                sent_at=self.clock(),
                last_error="",
            )
        return None

    def _wait_out(self, claimed: Claim, exc: senders.RateLimited, tries: int) -> bool:
        """True once waited for a limit that resets soon; else the run stops.

        The account is limited, not this mail: no attempt counts. On a stop, this claim
        and the rest of the batch are given back until the reset.
        """
        now = self.clock()
        until = exc.reset_at or now + RATE_LIMIT_WAIT
        wait = max(until - now, RATE_LIMIT_MIN_WAIT)
        if wait > self.rate_limit_max_wait or tries >= RATE_LIMIT_TRIES:
            # never "now": the loop in dispatch() would claim the row again at once
            self.summary.rate_limited_until = max(until, now + RATE_LIMIT_MIN_WAIT)
            self._release(claimed, self.summary.rate_limited_until, last_error=_error(exc))
            return False
        # refused, so not in flight: a dispatcher dying in the wait sends it once later
        if not hold(self.database, claimed, now, self.lease, sending=False):
            self._lost(claimed, "not sent")
            return False
        log.info("notification %s: rate limited, waiting %ss", claimed.id, wait.total_seconds())
        self.summary.waited += 1
        self.sleep(wait.total_seconds())  # the heartbeat keeps the batch's claims meanwhile
        return True

    def _retry(self, claimed: Claim, error: str) -> None:
        if claimed.attempts >= self.max_attempts:
            error = f"gave up after {claimed.attempts} attempts: {error}"
            self._record(claimed, "failed", status=Status.failed, last_error=error)
            return
        self._record(
            claimed,
            "retrying",
            status=Status.queued,
            next_attempt_at=self.clock() + backoff(claimed.attempts),
            last_error=error,
        )

    def _release(self, claimed: Claim, at: dt.datetime, **values: Any) -> None:
        """Give a claim back unsent, without counting it as an attempt."""
        values.update(status=Status.queued, attempts=claimed.attempts - 1, next_attempt_at=at)
        self._record(claimed, "released", **values)

    def _record(self, claimed: Claim, outcome: str, **values: Any) -> None:
        if settle(self.database, claimed, **values):
            setattr(self.summary, outcome, getattr(self.summary, outcome) + 1)
            return
        self._lost(claimed, f"{outcome} not recorded")

    def _lost(self, claimed: Claim, what: str) -> None:
        self.summary.lost += 1
        log.warning("notification %s: claim lost (lease ran out), %s", claimed.id, what)


def _error(exc: BaseException, limit: int = 2000) -> str:
    return (str(exc) or type(exc).__name__)[:limit]
