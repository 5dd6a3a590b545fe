"""Who may see and change what. Lawyers see only their matters; others see all.

Operations and query helpers ask here, so that the pages, the API, the command line and
the scheduler get the same answer; entry points only turn a refusal into 403 or 404.
The command line and the scheduler act as actors without a role: they pass every check.

The assignments (`matter_assignees`) are the matters' table: this module reads it, and
the matters' models import nothing of the users' at run time, so there is no cycle.
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm as so

from tracker.core.actors import Actor
from tracker.core.errors import Forbidden
from tracker.matters.models import matter_assignees
from tracker.users.models import ALL_MATTERS_ROLES, Role, User

#: who administers users (their roles, passwords, activity) and other users' feeds
ADMINS = (Role.admin,)
#: who reads the outbox (mail to every user) and queues a failed mail again
OUTBOX_READERS = (Role.admin, Role.coordinator)
#: who reads the audit log: every user's account changes as well as every matter
AUDIT_READERS = (Role.admin, Role.coordinator)


def role_of(actor: Actor) -> Role | None:
    return getattr(actor, "role", None)  # system actors (the CLI, the scheduler) have none


def sees_all_matters(actor: Actor) -> bool:
    role = role_of(actor)
    return role is None or role in ALL_MATTERS_ROLES


def matter_filter(
    actor: Actor, matter_id_column: sa.SQLColumnExpression[int]
) -> sa.ColumnElement[bool]:
    """A WHERE clause keeping the matters this actor may see."""
    if sees_all_matters(actor):
        return sa.true()
    assigned = sa.select(matter_assignees.c.matter_id).where(matter_assignees.c.user_id == actor.id)
    return matter_id_column.in_(assigned)


def may_see_matter(session: so.Session, actor: Actor, matter_id: int) -> bool:
    if sees_all_matters(actor):
        return True
    return (
        session.scalar(
            sa.select(matter_assignees.c.matter_id).where(
                matter_assignees.c.matter_id == matter_id, matter_assignees.c.user_id == actor.id
            )
        )
        is not None
    )


def users_seeing_matter(matter_id: int) -> sa.ColumnElement[bool]:
    """A WHERE clause on users: those who may see this matter (`may_see_matter` for many
    users in one query). Activity is the caller's to check."""
    assigned = sa.select(matter_assignees.c.user_id).where(
        matter_assignees.c.matter_id == matter_id
    )
    return sa.or_(User.role.in_(ALL_MATTERS_ROLES), User.id.in_(assigned))


def has_role(actor: Actor, *roles: Role) -> bool:
    role = role_of(actor)
    return role is None or role in roles


def require_role(actor: Actor, *roles: Role, doing: str) -> None:
    if not has_role(actor, *roles):
        raise Forbidden(f"your role ({role_of(actor)}) may not {doing}")


def may_manage_user(actor: Actor, user_id: int) -> bool:
    """Whether the actor may act for this user (their feeds, their settings): admins, the
    user themselves, and system actors."""
    return has_role(actor, *ADMINS) or actor.id == user_id


def require_admin_or_self(actor: Actor, user_id: int, *, doing: str) -> None:
    if not may_manage_user(actor, user_id):
        raise Forbidden(f"your role ({role_of(actor)}) may not {doing}")
