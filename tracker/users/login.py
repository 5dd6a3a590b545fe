"""Signing in to the pages: who is logged in, and how fast passwords may be guessed.

An attempt first takes a place in its buckets (`login_buckets`): one upsert per bucket
that returns the new count, committed before the password is checked. Guesses sent at
the same instant, to any gunicorn worker, thus each get a count of their own: those
within the limit are checked, the rest refused unchecked. A failed attempt keeps its
place for the rest of the window; a successful one gives it back.

Which buckets (OWASP's device cookies, so that guesses cannot lock the owner out): a
browser that signed in to the account before holds a signed device cookie and counts
against its own bucket only (DEVICE_LIMIT per WINDOW). Any other attempt counts against
the account as typed (ACCOUNT_LIMIT, the same for an email that has no account, so the
answer never tells whether it exists) and its address (ADDRESS_LIMIT). Nor does the
time it takes: an email without an account is checked against a dummy scrypt hash.

The second step (a code or a key, after a right password) has a bucket of its own per
account (`factor:<user id>`, FACTOR_LIMIT per WINDOW), taken and given back the same way.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

import sqlalchemy as sa
import sqlalchemy.orm as so
from itsdangerous import BadData, URLSafeSerializer
from sqlalchemy.dialects import postgresql, sqlite

from tracker.audit import operations as audit
from tracker.core import limits
from tracker.core.actors import SystemActor
from tracker.core.errors import Invalid
from tracker.users import operations as users
from tracker.users.models import LoginBucket, User

WINDOW = dt.timedelta(minutes=15)
ACCOUNT_LIMIT = 5
ADDRESS_LIMIT = 20
DEVICE_LIMIT = 5
#: the password typed again on one's own pages, per account
CONFIRM_LIMIT = 5
#: wrong second factors (codes, keys) per account and WINDOW, whichever browser sends them
FACTOR_LIMIT = 5
#: how long a browser stays trusted after it signed in (each sign-in renews it)
DEVICE_AGE = dt.timedelta(days=365)
DEVICE_COOKIE = "tracker_device"
MIN_PASSWORD = limits.PASSWORD_MIN
#: whom the audit log names for an attempt that proved nothing: no one known
ANONYMOUS = SystemActor("anonymous")


def account_stamp(user: User) -> str:
    """What a device cookie names: the account with its current password (a new password
    makes the older device cookies worthless)."""
    digest = hashlib.sha256((user.password_hash or "").encode()).hexdigest()[:16]
    return f"{user.id}:{digest}"


@dataclass(frozen=True)
class Lockout:
    """Why signing in is refused for now, and for how long."""

    reason: str
    retry_after: dt.timedelta
    #: what one may still do meanwhile
    hint: str = ""

    @property
    def minutes(self) -> int:
        return max(1, -(-int(self.retry_after.total_seconds()) // 60))


@dataclass(frozen=True)
class Place:
    """A place taken in a bucket; given back only to the window it was taken in."""

    key: str
    opened_at: dt.datetime


@dataclass(frozen=True)
class Attempt:
    """An attempt let through to have its password checked."""

    #: the active user the email names, if any
    user: User | None
    places: tuple[Place, ...]
    #: the nonce of the trusted device cookie it came with, if any
    device: str | None = None


def reserve(
    session: so.Session,
    now: dt.datetime,
    email: str,
    address: str,
    *,
    device_cookie: str | None = None,
    secret: str = "",
) -> Attempt | Lockout:
    """Take this attempt's places, or refuse it (taking none) when a bucket is full.

    The caller commits before calling `verify`: the places then hold whatever the
    slow password check does, and other attempts need not wait for it.
    """
    email = (email or "").strip().lower()[: limits.EMAIL]
    user = session.scalar(sa.select(User).where(User.email == email, User.active))
    nonce = trusted_device(secret, device_cookie, user, now)
    if nonce is not None:
        buckets = [(f"device:{nonce}", DEVICE_LIMIT, "this account in this browser")]
    else:
        buckets = [
            (f"account:{email}", ACCOUNT_LIMIT, "this account"),
            (f"address:{(address or 'unknown')[:64]}", ADDRESS_LIMIT, "your network address"),
        ]
    places: list[Place] = []
    for key, limit, reason in buckets:
        place, attempts = _take(session, now, key)
        places.append(place)
        if attempts > limit:
            _give_back(session, places)  # a refused attempt counts nowhere
            hint = "" if nonce else "A browser in which you signed in before is not locked."
            return Lockout(reason, place.opened_at + WINDOW - now, hint)
    return Attempt(user, tuple(places), nonce)


def verify(session: so.Session, now: dt.datetime, attempt: Attempt, password: str) -> User | None:
    """The user whose password this is, or None; a failure keeps its places."""
    user = attempt.user
    matches = users.check_password(user, password)  # scrypt runs even without a user
    if user is None or not matches:
        _purge(session, now)
        return None
    if attempt.device is not None:  # this browser gets a new cookie: its bucket is done
        session.execute(sa.delete(LoginBucket).where(LoginBucket.key == f"device:{attempt.device}"))
    else:
        _give_back(session, attempt.places)
    # a sign-in is not an edit of the account: its version (and updated_at) stay, so a
    # client that read the account before can still save its changes
    session.execute(
        sa.update(User)
        .where(User.id == user.id)
        .values(last_login_at=now, updated_at=User.updated_at)
        .execution_options(synchronize_session=False)
    )
    session.expire(user, ["last_login_at"])
    return user


def reserve_factor(session: so.Session, now: dt.datetime, user: User) -> Place | Lockout:
    """Take a place for one second-factor attempt of `user` (after a right password), or
    refuse it; the caller commits before checking the code, as with `reserve`.

    One bucket per account (`factor:<user id>`): whoever holds the password gets
    FACTOR_LIMIT guesses per WINDOW, however many browsers or sign-ins they use.
    """
    return _reserve_one(
        session, now, f"factor:{user.id}", FACTOR_LIMIT, "the second step of this account"
    )


def reserve_confirmation(session: so.Session, now: dt.datetime, user: User) -> Place | Lockout:
    """Take a place for the password typed again on one's own pages (changing it, removing
    a factor, new recovery codes, a new API token), or refuse it; commit before checking.

    One bucket per account (`confirm:<user id>`): a stolen session cookie gets
    CONFIRM_LIMIT guesses of the password per WINDOW, not as many as it can send.
    """
    return _reserve_one(
        session, now, f"confirm:{user.id}", CONFIRM_LIMIT, "your password on this account"
    )


def _reserve_one(
    session: so.Session, now: dt.datetime, key: str, limit: int, reason: str
) -> Place | Lockout:
    place, attempts = _take(session, now, key)
    if attempts > limit:
        _give_back(session, [place])
        return Lockout(reason, place.opened_at + WINDOW - now)
    return place


def passed(session: so.Session, place: Place) -> None:
    """A right answer gives its place back (a wrong one keeps it)."""
    _give_back(session, [place])


def _take(session: so.Session, now: dt.datetime, key: str) -> tuple[Place, int]:
    """One more attempt in `key`'s bucket, in one statement: the place and the new count.

    A window that ran out starts again at this attempt. Both databases run the upsert
    atomically (PostgreSQL locks the row until the commit, SQLite the whole database),
    so no two attempts ever read the same count.
    """
    insert = postgresql.insert if _dialect(session) == "postgresql" else sqlite.insert
    statement = insert(LoginBucket).values(key=key, opened_at=now, attempts=1)
    ran_out = LoginBucket.opened_at <= now - WINDOW
    statement = statement.on_conflict_do_update(
        index_elements=[LoginBucket.key],
        set_={
            "opened_at": sa.case(
                (ran_out, statement.excluded.opened_at), else_=LoginBucket.opened_at
            ),
            "attempts": sa.case((ran_out, 1), else_=LoginBucket.attempts + 1),
        },
    )
    opened_at, attempts = session.execute(
        statement.returning(LoginBucket.opened_at, LoginBucket.attempts)
    ).one()
    return Place(key, opened_at), attempts


def _purge(session: so.Session, now: dt.datetime) -> None:
    """Delete the buckets whose window ran out.

    On PostgreSQL a row locked by an attempt is left for a later purge: one statement
    locking many rows would otherwise deadlock with attempts locking two.
    """
    stale = sa.select(LoginBucket.key).where(LoginBucket.opened_at <= now - WINDOW)
    if _dialect(session) == "postgresql":
        stale = stale.with_for_update(skip_locked=True)
    session.execute(sa.delete(LoginBucket).where(LoginBucket.key.in_(stale.scalar_subquery())))


def _dialect(session: so.Session) -> str:
    return session.get_bind().dialect.name


def _give_back(session: so.Session, places: list[Place] | tuple[Place, ...]) -> None:
    for place in places:
        session.execute(
            sa.update(LoginBucket)
            .where(
                LoginBucket.key == place.key,
                LoginBucket.opened_at == place.opened_at,
                LoginBucket.attempts > 0,
            )
            .values(attempts=LoginBucket.attempts - 1)
        )


# --- the audit log's account of signing in ----------------------------------------------------


def signed_in(
    session: so.Session, user: User, now: dt.datetime, proof: str, address: str, user_agent: str
) -> None:
    """Audit a sign-in, with what proved it and where it came from."""
    after = {"email": user.email, "proof": proof, "address": address, "user_agent": user_agent}
    audit.record_attempt(session, user, now, "sign_in", "users", user.id, after=after)


def sign_in_failed(
    session: so.Session, now: dt.datetime, email: str, address: str, reason: str
) -> None:
    """Audit a refused password ("password") or an attempt refused unchecked ("locked"),
    naming the account the email is of, if any."""
    email = (email or "").strip().lower()[: limits.EMAIL]
    user_id = session.scalar(sa.select(User.id).where(User.email == email))
    after = {"email": email, "address": address, "reason": reason}
    audit.record_attempt(session, ANONYMOUS, now, "sign_in_failed", "users", user_id, after=after)


def second_factor_failed(
    session: so.Session, user: User, now: dt.datetime, method: str, address: str
) -> None:
    """Audit a wrong second factor after a right password (someone holds the password)."""
    after = {"email": user.email, "method": method, "address": address}
    audit.record_attempt(
        session, ANONYMOUS, now, "second_factor_failed", "users", user.id, after=after
    )


def signed_out(session: so.Session, user: User, now: dt.datetime, address: str) -> None:
    audit.record_attempt(
        session, user, now, "sign_out", "users", user.id, after={"address": address}
    )


# --- device cookies ---------------------------------------------------------------------


def _devices(secret: str) -> URLSafeSerializer:
    return URLSafeSerializer(
        secret, salt="tracker.device", signer_kwargs={"digest_method": hashlib.sha256}
    )


def device_cookie(secret: str, user: User, now: dt.datetime) -> str:
    """A device cookie: this browser signed in to this account (with its current password).

    Signed (HMAC-SHA256 with the app's secret key), so it cannot be forged; its random
    nonce names the browser's own bucket.
    """
    return _devices(secret).dumps(
        {
            "account": account_stamp(user),
            "nonce": secrets.token_urlsafe(16),
            "until": int((now + DEVICE_AGE).timestamp()),
        }
    )


def trusted_device(
    secret: str, value: str | None, user: User | None, now: dt.datetime
) -> str | None:
    """The nonce of `value` if it is a valid device cookie for `user`'s account, else None.

    A password change makes the account's older device cookies invalid.
    """
    if not value or not secret or user is None:
        return None
    try:
        claim = _devices(secret).loads(value)
    except BadData:
        return None
    if not isinstance(claim, dict) or claim.get("account") != account_stamp(user):
        return None
    until, nonce = claim.get("until"), claim.get("nonce")
    if not isinstance(until, int) or until <= now.timestamp():
        return None
    return nonce if isinstance(nonce, str) and 0 < len(nonce) <= 64 else None


def change_password(
    session: so.Session, now: dt.datetime, user: User, current: str, new: str
) -> None:
    """Change one's own password; `Invalid` naming the field (current, new) if not."""
    if not users.check_password(user, current):
        raise Invalid("this is not your current password", field="current")
    if len(new) < MIN_PASSWORD:
        raise Invalid(f"use at least {MIN_PASSWORD} characters", field="new")
    if new == current:
        raise Invalid("the new password is the same as the current one", field="new")
    users.set_password(session, user, now, user, new)  # audited, without the password
