"""Who may see and change what. Lawyers see only their matters; others see all."""

from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm as so

from tracker.core.actors import Actor
from tracker.core.errors import Forbidden
from tracker.users.models import ALL_MATTERS_ROLES, Role


def sees_all_matters(actor: Actor) -> bool:
    role = getattr(actor, "role", None)
    return role is None or role in ALL_MATTERS_ROLES  # system actors have no role


def matter_filter(actor: Actor, matter_id_column: sa.ColumnElement) -> sa.ColumnElement[bool]:
    """A WHERE clause keeping the matters this actor may see."""
    from tracker.matters.models import matter_assignees

    if sees_all_matters(actor):
        return sa.true()
    assigned = sa.select(matter_assignees.c.matter_id).where(matter_assignees.c.user_id == actor.id)
    return matter_id_column.in_(assigned)


def may_see_matter(session: so.Session, actor: Actor, matter_id: int) -> bool:
    from tracker.matters.models import matter_assignees

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


def require_role(actor: Actor, *roles: Role, doing: str) -> None:
    role = getattr(actor, "role", None)
    if role is not None and role not in roles:
        raise Forbidden(f"your role ({role}) may not {doing}")
