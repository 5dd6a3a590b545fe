"""Users, passwords and API tokens."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import secrets
from collections.abc import Sequence
from typing import NamedTuple

import sqlalchemy as sa
import sqlalchemy.orm as so
from werkzeug.security import check_password_hash, generate_password_hash

from tracker.audit import edits
from tracker.audit import operations as audit
from tracker.core import dates, tokens
from tracker.core.actors import Actor
from tracker.core.db import affected
from tracker.core.errors import Conflict, Invalid, NotFound
from tracker.users import access, sessions
from tracker.users.enums import TokenScope
from tracker.users.models import ApiToken, Role, SecondFactor, User, UserSession
from tracker.users.schemas import (
    ActiveChange,
    NewToken,
    NewUser,
    RoleChange,
    SettingsChanges,
    email_address,
)


def normalize_email(email: str) -> str:
    """The address as kept (trimmed, lower case); 422 naming `email` if it is not one."""
    try:
        return email_address(email)
    except ValueError as exc:
        raise Invalid(str(exc), field="email") from None


def new_password() -> str:
    return tokens.new_token(12)


def create_user(
    session: so.Session, actor: Actor, now: dt.datetime, command: NewUser
) -> tuple[User, str]:
    """Create a user (admins); returns it with its password (generated when none is given)."""
    access.require_role(actor, *access.ADMINS, doing="add users")
    if session.scalar(sa.select(User.id).where(User.email == command.email)) is not None:
        raise Conflict(f"a user with email {command.email} exists", field="email")
    password = command.password or new_password()
    user = User(
        email=command.email, role=command.role, name=command.name, timezone=command.timezone
    )
    user.password_hash = generate_password_hash(password)
    session.add(user)
    audit.record(session, actor, now, "create", user, matter_id=None, after=_public(user))
    return user, password


def _public(user: User) -> dict[str, str]:
    """What the audit log keeps of a user: never the password hash."""
    return {
        "email": user.email,
        "role": user.role.value,
        "name": user.name,
        "timezone": user.timezone,
    }


def get_by_email(session: so.Session, email: str) -> User:
    user = session.scalar(sa.select(User).where(User.email == normalize_email(email)))
    if user is None:
        raise NotFound(f"no user with email {email}", field="email")
    return user


def set_password(
    session: so.Session, actor: Actor, now: dt.datetime, user: User, password: str | None = None
) -> str:
    """Set (or generate) a user's password: one's own, or (admins) anyone's; the audit log
    says that it changed, not to what."""
    access.require_admin_or_self(actor, user.id, doing="set the password of another user")
    password = password or new_password()
    user.password_hash = generate_password_hash(password)
    session.flush()
    audit.record(
        session, actor, now, "set_password", user, matter_id=None, after={"email": user.email}
    )
    return password


def check_password(user: User | None, password: str) -> bool:
    """Whether `password` is the user's; as slow without a user (or a hash) as with one.

    scrypt runs once either way, against a dummy hash if need be: the time a sign-in
    takes must not tell whether an email has an account.
    """
    hashed = user.password_hash if user is not None else None
    matches = check_password_hash(hashed or dummy_hash(), password)
    return matches and hashed is not None


@functools.cache
def dummy_hash() -> str:
    """The hash of a random password, made like users' own (same method and cost)."""
    return generate_password_hash(secrets.token_urlsafe(24))


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


#: a token's last_used_at is written at most this often (not on every request)
TOKEN_TOUCH_EVERY = dt.timedelta(minutes=1)


class TokenHolder(NamedTuple):
    """Who holds a live API token, and what the token may do."""

    user: User
    scope: TokenScope


def create_token(
    session: so.Session, actor: Actor, now: dt.datetime, user: User, command: NewToken
) -> tuple[ApiToken, str]:
    """Make an API token (one's own, or an admin for anyone); returns it with the token
    itself, which is stored only as a hash. A deactivated user gets none."""
    access.require_admin_or_self(actor, user.id, doing="make tokens for another user")
    if not user.active:
        raise Conflict(f"{user.email} is deactivated: reactivate them before giving them a token")
    api_token = ApiToken(
        user=user,
        name=command.name,
        scope=command.scope,
        expires_at=_end_of_day(command.expires_on, user.timezone, now),
    )
    token = tokens.new_token(32)
    api_token.token_hash = _hash(token)
    session.add(api_token)
    audit.record(session, actor, now, "create", api_token, matter_id=None, after=_token(api_token))
    return api_token, token


def _end_of_day(day: dt.date | None, zone: str, now: dt.datetime) -> dt.datetime | None:
    """The instant `day` ends in `zone` (its next midnight), in UTC; 422 if it is over."""
    if day is None:
        return None
    today = dates.in_zone(now, zone).date()
    if day < today:
        raise Invalid(
            f"the last day it works, {day.isoformat()}, is over already: it is {today.isoformat()} "
            f"in {zone}",
            field="expires_on",
        )
    midnight = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), dates.zone(zone))
    return midnight.astimezone(dt.UTC)


def _token(api_token: ApiToken) -> dict[str, str | None]:
    """What the audit log keeps of a token: never the token nor its hash."""
    expires = api_token.expires_at
    return {
        "user": api_token.user.email,
        "name": api_token.name,
        "scope": api_token.scope.value,
        "expires_at": expires.isoformat() if expires else None,
    }


def user_for_token(session: so.Session, token: str, now: dt.datetime) -> TokenHolder | None:
    """The active user holding this token, with its scope; None if the token is unknown
    (looked up by hash), revoked or expired, or its user is deactivated.

    Notes when it was used, at most once a minute; the caller commits.
    """
    row = session.execute(
        sa.select(ApiToken, User)
        .join(ApiToken.user)
        .where(
            ApiToken.token_hash == _hash(token),
            ApiToken.revoked_at.is_(None),
            sa.or_(ApiToken.expires_at.is_(None), ApiToken.expires_at > now),
            User.active,
        )
    ).first()
    if row is None:
        return None
    api_token, user = row
    if api_token.last_used_at is None or now - api_token.last_used_at >= TOKEN_TOUCH_EVERY:
        # a use is not a change of the token: updated_at stays as it was
        session.execute(
            sa.update(ApiToken)
            .where(ApiToken.id == api_token.id)
            .values(last_used_at=now, updated_at=ApiToken.updated_at)
            .execution_options(synchronize_session=False)
        )
    return TokenHolder(user, api_token.scope)


def list_tokens(session: so.Session, actor: Actor, user: User) -> list[ApiToken]:
    """A user's tokens (one's own; admins anyone's), live ones first, newest first."""
    access.require_admin_or_self(actor, user.id, doing="see the tokens of another user")
    return list(
        session.scalars(
            sa.select(ApiToken)
            .where(ApiToken.user_id == user.id)
            .order_by(ApiToken.revoked_at.is_not(None), ApiToken.id.desc())
        )
    )


def get_token(session: so.Session, actor: Actor, token_id: int) -> ApiToken:
    """A token of the actor's own (admins: anyone's); 404 otherwise, even if it exists."""
    api_token = session.get(ApiToken, token_id)
    if api_token is None or not access.may_manage_user(actor, api_token.user_id):
        raise NotFound(f"no API token {token_id}")
    return api_token


def revoke_token(session: so.Session, actor: Actor, now: dt.datetime, token_id: int) -> ApiToken:
    """Revoke a token at once (its owner or an admin): from now on it gets 401.
    Revoking a revoked token changes nothing."""
    api_token = get_token(session, actor, token_id)
    _revoke(session, actor, now, api_token)
    return api_token


def _revoke(session: so.Session, actor: Actor, now: dt.datetime, api_token: ApiToken) -> bool:
    if api_token.revoked_at is not None:
        return False
    api_token.revoked_at = now
    audit.record(
        session,
        actor,
        now,
        "revoke",
        api_token,
        matter_id=None,
        before={"revoked_at": None},
        after={"user": api_token.user.email, "name": api_token.name},
    )
    return True


def revoke_tokens_of(session: so.Session, actor: Actor, now: dt.datetime, user: User) -> int:
    """Revoke every live token of a user (one's own; admins anyone's); how many were."""
    access.require_admin_or_self(actor, user.id, doing="revoke the tokens of another user")
    live = session.scalars(
        sa.select(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .order_by(ApiToken.id)
    ).all()
    return sum(_revoke(session, actor, now, api_token) for api_token in live)


# --- sessions -----------------------------------------------------------------------------


def list_sessions(
    session: so.Session, actor: Actor, now: dt.datetime, user: User
) -> Sequence[UserSession]:
    """A user's live sessions (one's own; admins anyone's), the most recently seen first."""
    access.require_admin_or_self(actor, user.id, doing="see the sessions of another user")
    return sessions.of_user(session, user, now)


def end_session(
    session: so.Session, actor: Actor, now: dt.datetime, user: User, session_id: int
) -> None:
    """End one session of a user (one's own; admins anyone's): its browser is signed out."""
    access.require_admin_or_self(actor, user.id, doing="end the sessions of another user")
    result = session.execute(
        sa.delete(UserSession).where(UserSession.id == session_id, UserSession.user_id == user.id)
    )
    ended = affected(result)
    if not ended:
        raise NotFound(f"no session {session_id} (it ended already?)")
    sessions_ended(session, actor, now, user, ended=ended)


def end_other_sessions(
    session: so.Session, actor: Actor, now: dt.datetime, user: User, keep: str
) -> int:
    """Sign a user out everywhere but the session whose id is `keep` (the caller's)."""
    access.require_admin_or_self(actor, user.id, doing="end the sessions of another user")
    ended = sessions.end_all(session, user.id, keep=keep)
    sessions_ended(session, actor, now, user, ended=ended)
    return ended


def sessions_ended(
    session: so.Session,
    actor: Actor,
    now: dt.datetime,
    user: User,
    *,
    ended: int,
    tokens_revoked: int = 0,
    feeds_revoked: int = 0,
) -> None:
    """The audit entry of sessions (and maybe tokens and feeds) ended at once."""
    audit.record(
        session,
        actor,
        now,
        "sessions_ended",
        user,
        matter_id=None,
        after={
            "sessions": ended,
            "by": "self" if actor.id == user.id else "admin",
            "tokens_revoked": tokens_revoked,
            "feeds_revoked": feeds_revoked,
        },
    )


def update_settings(
    session: so.Session, actor: Actor, now: dt.datetime, user: User, command: SettingsChanges
) -> User:
    """Change a user's name, time zone or notification settings (merged over the old ones):
    one's own, or (admins) anyone's."""
    access.require_admin_or_self(actor, user.id, doing="change the settings of another user")
    edits.check_version(user, command.version)
    values = command.changes()
    if command.sent("name"):
        values["name"] = command.name or ""
    if command.sent("preferences"):
        values["preferences"] = dict(user.preferences or {}) | (command.preferences or {})
    edits.apply(session, actor, now, user, values, matter_id=None)
    return user


# --- administration -----------------------------------------------------------------------


def list_users(session: so.Session) -> list[User]:
    """Every user, active ones first, by email."""
    return list(session.scalars(sa.select(User).order_by(User.active.desc(), User.email)))


def with_second_factor(session: so.Session) -> frozenset[int]:
    """The ids of the users who have a second factor: one query for a whole list."""
    return frozenset(session.scalars(sa.select(SecondFactor.user_id).distinct()))


def get_user(session: so.Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"no user {user_id}")
    return user


def set_role(
    session: so.Session, actor: Actor, now: dt.datetime, user: User, command: RoleChange
) -> User:
    """Give a user another role (admins); an admin cannot take away their own admin role."""
    access.require_role(actor, *access.ADMINS, doing="change the role of a user")
    edits.check_version(user, command.version)
    if user.id == actor.id and command.role is not Role.admin:
        raise Invalid("you cannot take away your own admin role: ask another admin", field="role")
    edits.apply(session, actor, now, user, {"role": command.role}, matter_id=None)
    return user


def set_active(
    session: so.Session, actor: Actor, now: dt.datetime, user: User, command: ActiveChange
) -> User:
    """Deactivate (signs out at once, refuses sign-in and API tokens) or reactivate a user
    (admins)."""
    access.require_role(actor, *access.ADMINS, doing="deactivate or reactivate users")
    edits.check_version(user, command.version)
    if user.id == actor.id and not command.active:
        raise Invalid("you cannot deactivate yourself: ask another admin", field="active")
    edits.apply(
        session,
        actor,
        now,
        user,
        {"active": command.active},
        matter_id=None,
        action="activate" if command.active else "deactivate",
    )
    if not command.active:  # signed out everywhere at once (tokens and feeds check `active`)
        sessions.end_all(session, user.id)
    return user
