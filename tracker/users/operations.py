"""Users, passwords and API tokens."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import secrets

import sqlalchemy as sa
import sqlalchemy.orm as so
from werkzeug.security import check_password_hash, generate_password_hash

from tracker.audit import edits
from tracker.audit import operations as audit
from tracker.core import tokens
from tracker.core.actors import Actor
from tracker.core.errors import Conflict, Invalid, NotFound
from tracker.users import access, sessions
from tracker.users.models import ApiToken, Role, User
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


def create_token(
    session: so.Session, actor: Actor, now: dt.datetime, user: User, command: NewToken
) -> str:
    """Make an API token (one's own, or an admin for anyone); returns the token itself,
    which is stored only as a hash."""
    access.require_admin_or_self(actor, user.id, doing="make tokens for another user")
    name = command.name
    token = tokens.new_token(32)
    api_token = ApiToken(user=user, token_hash=_hash(token), name=name)
    session.add(api_token)
    audit.record(
        session,
        actor,
        now,
        "create",
        api_token,
        matter_id=None,
        after={"user": user.email, "name": name},
    )
    return token


def user_for_token(session: so.Session, token: str, now: dt.datetime) -> User | None:
    """The active user holding this unrevoked token (looked up by hash), or None."""
    row = session.execute(
        sa.select(ApiToken, User)
        .join(ApiToken.user)
        .where(ApiToken.token_hash == _hash(token), ApiToken.revoked_at.is_(None), User.active)
    ).first()
    if row is None:
        return None
    api_token, user = row
    api_token.last_used_at = now
    return user


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
