"""Installation-wide account rules an admin sets: who must sign in with two factors."""

from __future__ import annotations

import datetime as dt
from typing import Any

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
    return roles_in(session.scalar(sa.select(required_roles())))


def required_roles() -> sa.ScalarSelect[Any]:
    """The stored setting (a JSON list of roles, or NULL), as a column of another query."""
    return sa.select(SiteSetting.value).where(SiteSetting.key == TWO_FACTOR_ROLES).scalar_subquery()


def roles_in(value: Any) -> frozenset[Role]:
    known = {role.value for role in Role}
    return frozenset(Role(name) for name in value or () if name in known)


def has_factor(user_id: sa.ColumnElement[int] | so.InstrumentedAttribute[int]) -> sa.Exists:
    """Whether the user of `user_id` has a second factor, as a column of another query."""
    return sa.exists().where(SecondFactor.user_id == user_id)


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
    return bool(session.scalar(sa.select(has_factor(sa.literal(user.id)))))
