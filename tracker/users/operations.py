"""Users, passwords and API tokens."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import re
import secrets

import sqlalchemy as sa
import sqlalchemy.orm as so
from werkzeug.security import check_password_hash, generate_password_hash

from tracker.audit import operations as audit
from tracker.core import edits, fields, limits, tokens
from tracker.core.actors import Actor
from tracker.core.errors import Conflict, Invalid, NotFound
from tracker.users.models import ApiToken, Role, User

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def normalize_email(email: str) -> str:
    email = (email or "").strip().lower()
    if not _EMAIL.match(email) or len(email) > limits.EMAIL:
        raise Invalid(f"{email!r} is not an email address", field="email")
    return email


def new_password() -> str:
    return tokens.new_token(12)


def create_user(
    session: so.Session,
    actor: Actor,
    now: dt.datetime,
    *,
    email: str,
    role: Role | str,
    name: str = "",
    timezone: str = "UTC",
    password: str | None = None,
) -> tuple[User, str]:
    """Create a user; returns it with its password (generated when none is given)."""
    email = normalize_email(email)
    try:
        role = Role(role)
    except ValueError:
        raise Invalid(
            f"{role!r} is not a role ({', '.join(r.value for r in Role)})", field="role"
        ) from None
    timezone = fields.timezone(timezone)
    name = fields.text(name, "name", max_length=limits.NAME, required=False)
    if session.scalar(sa.select(User.id).where(User.email == email)) is not None:
        raise Conflict(f"a user with email {email} exists", field="email")
    password = password or new_password()
    user = User(email=email, role=role, name=name, timezone=timezone)
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
    """Set (or generate) a user's password; the audit log says that it changed, not to what."""
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
    session: so.Session, actor: Actor, now: dt.datetime, user: User, name: str = ""
) -> str:
    """Make an API token; returns the token itself, which is stored only as a hash."""
    name = fields.text(name, "name", max_length=limits.NAME, required=False)
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
    session: so.Session,
    actor: Actor,
    now: dt.datetime,
    user: User,
    *,
    version: int | None,
    changes: dict,
) -> User:
    """Change a user's name, time zone or notification settings (merged over the old ones)."""
    from tracker.users import preferences

    edits.check_version(user, version)
    values: dict = {}
    if "name" in changes:
        values["name"] = fields.text(changes["name"], "name", required=False)
    if "timezone" in changes:
        values["timezone"] = fields.timezone(changes["timezone"] or "")
    if "preferences" in changes:
        try:
            update = preferences.check(changes["preferences"] or {})
        except ValueError as exc:
            raise Invalid(str(exc), field="preferences") from None
        values["preferences"] = dict(user.preferences or {}) | update
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
    session: so.Session,
    actor: Actor,
    now: dt.datetime,
    user: User,
    role: Role | str,
    *,
    version: int | None,
) -> User:
    """Give a user another role; an admin cannot take away their own admin role."""
    edits.check_version(user, version)
    role = fields.choice(Role, role, "role")
    if user.id == actor.id and role is not Role.admin:
        raise Invalid("you cannot take away your own admin role: ask another admin", field="role")
    edits.apply(session, actor, now, user, {"role": role}, matter_id=None)
    return user


def set_active(
    session: so.Session,
    actor: Actor,
    now: dt.datetime,
    user: User,
    active: bool,
    *,
    version: int | None,
) -> User:
    """Deactivate (signs out at once, refuses sign-in and API tokens) or reactivate a user."""
    edits.check_version(user, version)
    if user.id == actor.id and not active:
        raise Invalid("you cannot deactivate yourself: ask another admin", field="active")
    edits.apply(
        session,
        actor,
        now,
        user,
        {"active": bool(active)},
        matter_id=None,
        action="activate" if active else "deactivate",
    )
    return user
