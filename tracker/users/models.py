"""People who log in, their roles and their API tokens."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from tracker.core.db import Base, Timestamped, Versioned, intpk, str200, timestamp
from tracker.users.enums import FactorKind, Role, TokenScope

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
    sessions: so.Mapped[list[UserSession]] = so.relationship(back_populates="user")
    factors: so.Mapped[list[SecondFactor]] = so.relationship(back_populates="user")

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
    #: after this instant the token is refused (401); None: until revoked
    expires_at: so.Mapped[timestamp | None]
    scope: so.Mapped[TokenScope] = so.mapped_column(
        default=TokenScope.read_write, server_default=TokenScope.read_write.value
    )

    user: so.Mapped[User] = so.relationship(back_populates="tokens")

    def state(self, now: dt.datetime) -> str:
        """The token at `now`: "revoked", "expired" or "live"."""
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at is not None and self.expires_at <= now:
            return "expired"
        return "live"


class UserSession(Base):
    """A signed-in browser: the cookie carries a random id, only its SHA-256 is kept here.

    Signing out deletes the row, so the cookie opens nothing any more. A session whose
    user still owes a second factor (`pending_factor`) opens only the second step.
    """

    __tablename__ = "user_sessions"

    id: so.Mapped[intpk]
    user_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    token_hash: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    user_agent: so.Mapped[str] = so.mapped_column(sa.String(255), default="")
    address: so.Mapped[str] = so.mapped_column(sa.String(64), default="")
    created_at: so.Mapped[timestamp]
    last_seen_at: so.Mapped[timestamp]
    #: the absolute end of this session, whatever its activity
    expires_at: so.Mapped[timestamp] = so.mapped_column(index=True)
    #: the password was right but the second factor is still owed
    pending_factor: so.Mapped[bool] = so.mapped_column(default=False)
    #: how the sign-in was proved: "password", "password+totp", "password+webauthn"...
    proof: so.Mapped[str] = so.mapped_column(sa.String(40), default="password")

    user: so.Mapped[User] = so.relationship(back_populates="sessions")


class SecondFactor(Base):
    """A TOTP secret or a WebAuthn credential (security key or passkey) of a user.

    A TOTP secret is kept as it is: checking a code needs it. A WebAuthn credential is
    a public key: the private key never leaves the authenticator.
    """

    __tablename__ = "second_factors"

    id: so.Mapped[intpk]
    user_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    kind: so.Mapped[FactorKind]
    name: so.Mapped[str200] = so.mapped_column(default="")
    created_at: so.Mapped[timestamp]
    last_used_at: so.Mapped[timestamp | None]
    #: TOTP: the base32 secret, and the last time step accepted (a code works once)
    totp_secret: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    totp_last_step: so.Mapped[int | None] = so.mapped_column(sa.BigInteger)
    #: WebAuthn: the credential's id (base64url), public key (COSE) and signature counter
    credential_id: so.Mapped[str | None] = so.mapped_column(sa.String(1400), unique=True)
    public_key: so.Mapped[bytes | None] = so.mapped_column(sa.LargeBinary)
    sign_count: so.Mapped[int] = so.mapped_column(sa.BigInteger, default=0)
    transports: so.Mapped[list[str] | None] = so.mapped_column(sa.JSON)

    user: so.Mapped[User] = so.relationship(back_populates="factors")


class RecoveryCode(Base):
    """One of a user's single-use recovery codes; only its SHA-256 is kept."""

    __tablename__ = "recovery_codes"

    id: so.Mapped[intpk]
    user_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    code_hash: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    created_at: so.Mapped[timestamp]
    used_at: so.Mapped[timestamp | None]


class SiteSetting(Versioned, Base):
    """An installation-wide setting an admin changes on a page (e.g. who needs 2FA)."""

    __tablename__ = "site_settings"

    id: so.Mapped[intpk]
    key: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    value: so.Mapped[Any] = so.mapped_column(sa.JSON)
    updated_at: so.Mapped[timestamp]


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
