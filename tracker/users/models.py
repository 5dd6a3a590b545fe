"""People who log in, their roles and their API tokens."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from tracker.core.db import Base, Timestamped, Versioned, intpk, str200, timestamp
from tracker.users.enums import Role

#: roles that see every matter; a lawyer sees only the matters assigned to them
ALL_MATTERS_ROLES = frozenset({Role.admin, Role.coordinator, Role.staff})


class User(Versioned, Timestamped, Base):
    __tablename__ = "users"

    id: so.Mapped[intpk]
    email: so.Mapped[str200] = so.mapped_column(unique=True)
    name: so.Mapped[str200] = so.mapped_column(default="")
    role: so.Mapped[Role]
    #: IANA zone in which this user reads times (mail, pages)
    timezone: so.Mapped[str] = so.mapped_column(sa.String(64), default="UTC")
    #: werkzeug scrypt hash; null until a password is set
    password_hash: so.Mapped[str | None] = so.mapped_column(sa.String(255))
    active: so.Mapped[bool] = so.mapped_column(default=True, server_default=sa.true())
    #: which alerts, digest hour...: {"digest": true, "digest_hour": 7, ...}
    preferences: so.Mapped[dict[str, Any]] = so.mapped_column(default=dict)
    last_login_at: so.Mapped[timestamp | None]

    tokens: so.Mapped[list[ApiToken]] = so.relationship(back_populates="user")

    @property
    def label(self) -> str:
        return self.email

    @property
    def sees_all_matters(self) -> bool:
        return self.role in ALL_MATTERS_ROLES


class ApiToken(Timestamped, Base):
    """A bearer token for the JSON API; only its SHA-256 is stored."""

    __tablename__ = "api_tokens"

    id: so.Mapped[intpk]
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    token_hash: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    name: so.Mapped[str200] = so.mapped_column(default="")
    last_used_at: so.Mapped[timestamp | None]
    revoked_at: so.Mapped[timestamp | None]

    user: so.Mapped[User] = so.relationship(back_populates="tokens")


class LoginBucket(Base):
    """How many sign-in attempts one key (an account, an address, a device) made lately.

    Keys: `account:<email as typed>`, `address:<client address>`, `device:<nonce of a
    device cookie>`. An attempt takes a place in its buckets with one upsert before its
    password is checked (tracker.users.login), so attempts sent at the same instant
    cannot all pass; the window restarts at the first attempt after it ran out.
    """

    __tablename__ = "login_buckets"

    key: so.Mapped[str] = so.mapped_column(sa.String(255), primary_key=True)
    #: when this window opened (its first attempt); it runs for login.WINDOW
    opened_at: so.Mapped[timestamp] = so.mapped_column(index=True)
    #: attempts let through in this window: failed, or being checked right now
    attempts: so.Mapped[int]
