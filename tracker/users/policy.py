"""Installation-wide account rules an admin sets: who must sign in with two factors."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
import sqlalchemy.orm as so

from tracker.audit import operations as audit
from tracker.core.actors import Actor
from tracker.users import access
from tracker.users.enums import Role
from tracker.users.models import SecondFactor, SiteSetting, User

TWO_FACTOR_ROLES = "two_factor_roles"


def two_factor_roles(session: so.Session) -> frozenset[Role]:
    """The roles whose users must have a second factor (none until an admin chooses)."""
    value = session.scalar(sa.select(SiteSetting.value).where(SiteSetting.key == TWO_FACTOR_ROLES))
    known = {role.value for role in Role}
    return frozenset(Role(name) for name in value or () if name in known)


def set_two_factor_roles(
    session: so.Session, actor: Actor, now: dt.datetime, roles: frozenset[Role]
) -> SiteSetting:
    """Require two factors of these roles' users (admins); audited before and after."""
    access.require_role(actor, *access.ADMINS, doing="choose who must use two factors")
    setting = session.scalar(sa.select(SiteSetting).where(SiteSetting.key == TWO_FACTOR_ROLES))
    before = sorted(r.value for r in two_factor_roles(session))
    value = sorted(role.value for role in roles)
    if setting is None:
        setting = SiteSetting(key=TWO_FACTOR_ROLES, value=value, updated_at=now)
        session.add(setting)
    else:
        setting.value, setting.updated_at = value, now
    audit.record(
        session,
        actor,
        now,
        "update",
        setting,
        matter_id=None,
        before={TWO_FACTOR_ROLES: before},
        after={TWO_FACTOR_ROLES: value},
    )
    return setting


def has_second_factor(session: so.Session, user: User) -> bool:
    return (
        session.scalar(sa.select(SecondFactor.id).where(SecondFactor.user_id == user.id).limit(1))
        is not None
    )


def must_enrol(session: so.Session, user: User) -> bool:
    """Whether this user must enrol a second factor before doing anything else."""
    return user.role in two_factor_roles(session) and not has_second_factor(session, user)
