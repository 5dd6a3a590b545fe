"""Server-side sessions: each sign-in is a row; the browser's cookie carries its random id.

Only the id's SHA-256 is stored, so a copy of the database opens no session. Signing out
deletes the row: the cookie, replayed, opens nothing. A session ends when it has been
idle longer than `Lifetimes.idle` or lived longer than `Lifetimes.absolute`, when its user
is deactivated, or when someone ends it (the user from another browser, an admin).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
import sqlalchemy.orm as so

from tracker.core import tokens
from tracker.core.db import affected
from tracker.users import policy
from tracker.users.models import User, UserSession

#: a pending sign-in (password right, second factor owed) lasts this long
PENDING_LIFETIME = dt.timedelta(minutes=10)
#: last_seen_at is written at most this often (not once per page)
TOUCH_EVERY = dt.timedelta(minutes=1)


@dataclass(frozen=True)
class Lifetimes:
    """How long a session may stay idle, and how long it may last at all (settings)."""

    idle: dt.timedelta = dt.timedelta(hours=2)
    absolute: dt.timedelta = dt.timedelta(hours=12)


def digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def start(
    session: so.Session,
    user: User,
    now: dt.datetime,
    lifetimes: Lifetimes,
    *,
    user_agent: str = "",
    address: str = "",
    pending_factor: bool = False,
    proof: str = "password",
) -> str:
    """A new session for `user`; returns the id for the cookie (stored only hashed)."""
    raw = tokens.new_token(32)
    lifetime = PENDING_LIFETIME if pending_factor else lifetimes.absolute
    session.add(
        UserSession(
            user_id=user.id,
            token_hash=digest(raw),
            user_agent=(user_agent or "")[:255],
            address=(address or "")[:64],
            created_at=now,
            last_seen_at=now,
            expires_at=now + lifetime,
            pending_factor=pending_factor,
            proof=proof,
        )
    )
    session.flush()
    return raw


@dataclass(frozen=True)
class Found:
    """A live session and whether its user owes a second factor: an admin requires one
    of their role and they have none (read with the session: every page asks)."""

    row: UserSession
    owes_factor: bool


def find(
    session: so.Session,
    raw: str | None,
    now: dt.datetime,
    lifetimes: Lifetimes,
    *,
    pending: bool = False,
) -> Found | None:
    """The live session the cookie's id names (a complete one, or with `pending` one that
    still owes its second factor), with its active user loaded; None otherwise. One
    query, whatever the page."""
    if not raw or len(raw) > 128:
        return None
    found = session.execute(
        sa.select(
            UserSession,
            policy.required_roles(),
            policy.has_factor(UserSession.user_id),
        )
        .join(UserSession.user)
        .options(so.contains_eager(UserSession.user))
        .where(
            UserSession.token_hash == digest(raw),
            UserSession.pending_factor.is_(pending),
            UserSession.expires_at > now,
            UserSession.last_seen_at > now - lifetimes.idle,
            User.active,
        )
    ).first()
    if found is None:
        return None
    row, roles, has_factor = found
    if now - row.last_seen_at >= TOUCH_EVERY:
        row.last_seen_at = now
    return Found(row, row.user.role in policy.roles_in(roles) and not has_factor)


def of_user(session: so.Session, user: User, now: dt.datetime) -> Sequence[UserSession]:
    """A user's live complete sessions, the most recently seen first."""
    return session.scalars(
        sa.select(UserSession)
        .where(
            UserSession.user_id == user.id,
            UserSession.expires_at > now,
            UserSession.pending_factor.is_(False),
        )
        .order_by(UserSession.last_seen_at.desc(), UserSession.id.desc())
    ).all()


def end(session: so.Session, raw: str | None) -> int:
    """End the session the cookie's id names; the number ended (0 or 1)."""
    if not raw:
        return 0
    return affected(
        session.execute(sa.delete(UserSession).where(UserSession.token_hash == digest(raw)))
    )


def end_all(session: so.Session, user_id: int, *, keep: str | None = None) -> int:
    """End every session of a user, but the one whose id is `keep`; the number ended."""
    statement = sa.delete(UserSession).where(UserSession.user_id == user_id)
    if keep:
        statement = statement.where(UserSession.token_hash != digest(keep))
    return affected(session.execute(statement))


def purge(session: so.Session, now: dt.datetime, lifetimes: Lifetimes) -> int:
    """Delete the sessions that ended by themselves (expired or idle too long)."""
    return affected(
        session.execute(
            sa.delete(UserSession).where(
                sa.or_(
                    UserSession.expires_at <= now,
                    UserSession.last_seen_at <= now - lifetimes.idle,
                )
            )
        )
    )
