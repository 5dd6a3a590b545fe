"""The admin's levers over a user's access that span domains: sessions, tokens, feeds."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy.orm as so

from tracker.calendar import operations as feeds
from tracker.core.actors import Actor
from tracker.users import access, sessions
from tracker.users import operations as users
from tracker.users.models import User


@dataclass(frozen=True)
class Ended:
    """What one lock-out ended."""

    sessions: int
    tokens: int
    feeds: int


def lock_out(session: so.Session, actor: Actor, now: dt.datetime, user: User) -> Ended:
    """End every session of a user and revoke their API tokens and calendar feeds (admins),
    in the caller's one transaction: for a lost phone or a departure. The account stays:
    the user can sign in again with their password (deactivate them to stop that too).

    Each token and feed revoked has its own audit entry; `sessions_ended` sums them up.
    """
    access.require_role(actor, *access.ADMINS, doing="end the sessions of another user")
    ended = sessions.end_all(session, user.id)
    tokens = users.revoke_tokens_of(session, actor, now, user)
    revoked = len(feeds.revoke_all(session, actor, now, user))
    users.sessions_ended(
        session, actor, now, user, ended=ended, tokens_revoked=tokens, feeds_revoked=revoked
    )
    return Ended(ended, tokens, revoked)
