"""Signing in to the pages: who is logged in, and how fast passwords may be guessed.

Failed attempts are rows (`login_failures`), so the limit holds across gunicorn
workers and restarts. An account is locked after ACCOUNT_LIMIT failures within
WINDOW, an address after ADDRESS_LIMIT; the same rule applies to an email that has
no account, so the answer never tells whether it exists. Nor does the time it takes:
an email without an account is checked against a dummy scrypt hash.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

import sqlalchemy as sa
import sqlalchemy.orm as so

from tracker.users import operations as users
from tracker.users.models import LoginFailure, User

WINDOW = dt.timedelta(minutes=15)
ACCOUNT_LIMIT = 5
ADDRESS_LIMIT = 20
MIN_PASSWORD = 10


def session_id(user: User) -> str:
    """The id kept in the session cookie: changes with the password, ending other sessions."""
    digest = hashlib.sha256((user.password_hash or "").encode()).hexdigest()[:16]
    return f"{user.id}:{digest}"


def user_for_session(session: so.Session, value: str) -> User | None:
    """The active user a session cookie names, if its password has not changed since."""
    user_id, _, _digest = value.partition(":")
    if not user_id.isascii() or not user_id.isdigit() or int(user_id) > 2**31 - 1:
        return None
    user = session.get(User, int(user_id))
    if user is None or not user.active or session_id(user) != value:
        return None
    return user


@dataclass(frozen=True)
class Lockout:
    """Why signing in is refused for now, and for how long."""

    reason: str
    retry_after: dt.timedelta

    @property
    def minutes(self) -> int:
        return max(1, -(-int(self.retry_after.total_seconds()) // 60))


def lockout(session: so.Session, now: dt.datetime, email: str, address: str) -> Lockout | None:
    """Refuse further attempts while too many failed recently for this email or address."""
    since = now - WINDOW
    for column, value, limit, reason in (
        (LoginFailure.email, email, ACCOUNT_LIMIT, "this account"),
        (LoginFailure.address, address, ADDRESS_LIMIT, "your network address"),
    ):
        count, oldest = session.execute(
            sa.select(sa.func.count(), sa.func.min(LoginFailure.at)).where(
                column == value, LoginFailure.at > since
            )
        ).one()
        if count >= limit:
            return Lockout(reason, oldest + WINDOW - now)
    return None


def authenticate(
    session: so.Session, now: dt.datetime, email: str, password: str, address: str
) -> User | Lockout | None:
    """The user these credentials sign in, a Lockout, or None (wrong email or password)."""
    email = (email or "").strip().lower()[:200]
    address = (address or "unknown")[:64]
    locked = lockout(session, now, email, address)
    if locked is not None:
        return locked
    user = session.scalar(sa.select(User).where(User.email == email, User.active))
    matches = users.check_password(user, password)  # scrypt runs even without a user
    if user is None or not matches:
        session.execute(sa.delete(LoginFailure).where(LoginFailure.at < now - dt.timedelta(days=1)))
        session.add(LoginFailure(email=email, address=address, at=now))
        return None
    session.execute(sa.delete(LoginFailure).where(LoginFailure.email == email))
    user.last_login_at = now
    return user


def change_password(
    session: so.Session, now: dt.datetime, user: User, current: str, new: str
) -> str | None:
    """Change one's own password; returns why not (a message), or None when done."""
    if not users.check_password(user, current):
        return "this is not your current password"
    if len(new) < MIN_PASSWORD:
        return f"use at least {MIN_PASSWORD} characters"
    if new == current:
        return "the new password is the same as the current one"
    users.set_password(session, user, now, user, new)  # audited, without the password
    return None
