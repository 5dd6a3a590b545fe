"""Second factors: authenticator apps (TOTP) and recovery codes; how they are added,
checked at sign-in and removed. (Security keys: `tracker.users.keys`.)

A TOTP secret is made when an enrolment starts and kept by the page (the signed Flask
session), not here: the row is written only when a code made from it is typed, so an
app set up halfway leaves nothing behind. A code works once: the factor keeps the last
time step accepted, and a step at or before it is refused, in one UPDATE whose row
count decides (two requests with the same code cannot both pass).

Recovery codes stand in for a lost factor: ten single-use codes of 80 random bits,
only their SHA-256 kept (80 bits need no slow hash), made with the first factor and
on demand. A code is used by an UPDATE ... WHERE used_at IS NULL: at most once, even
for two requests at the same instant.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

import pyotp
import sqlalchemy as sa
import sqlalchemy.orm as so
from pyotp.exceptions import OTPVerificationError

from tracker.audit import operations as audit
from tracker.core.actors import Actor
from tracker.core.db import affected
from tracker.core.errors import Conflict, Invalid, NotFound
from tracker.users import access, policy, sessions
from tracker.users import operations as users
from tracker.users.enums import FactorKind
from tracker.users.models import RecoveryCode, SecondFactor, User
from tracker.users.schemas import NewFactor

ISSUER = "Proceedings tracker"
#: a code of the step before or after the server's is taken too (clocks drift)
VALID_WINDOW = 1
RECOVERY_CODES = 10
_DIGITS = re.compile(r"^\d{6}$")
_RECOVERY = re.compile(r"^[a-z2-7]{16}$")


# --- authenticator apps -------------------------------------------------------------------


def new_secret() -> str:
    """A TOTP secret for an enrolment being started: 160 random bits in base32."""
    return pyotp.random_base32()


def provisioning_uri(secret: str, user: User) -> str:
    """The otpauth:// address an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def enrol_totp(
    session: so.Session, user: User, now: dt.datetime, secret: str, code: str, command: NewFactor
) -> tuple[SecondFactor, list[str] | None]:
    """Add the authenticator app that makes `code` from `secret` (one's own).

    Returns the factor, and the recovery codes when it is the user's first factor (shown
    once: only their hashes are kept). The code is used up by the enrolment.
    """
    try:
        if not base64.b32decode(secret, casefold=True):
            raise ValueError(secret)
    except (binascii.Error, ValueError):
        raise Invalid("the set-up expired: scan the new QR code", field="code") from None
    step = _matching_step(secret, _code(code), now)
    if step is None:
        raise Invalid(
            "this code does not match: check the phone's clock and type the newest code",
            field="code",
        )
    if session.scalar(
        sa.select(SecondFactor.id).where(
            SecondFactor.user_id == user.id, SecondFactor.totp_secret == secret
        )
    ):
        raise Conflict("this authenticator app is added already")
    factor = SecondFactor(
        user_id=user.id,
        kind=FactorKind.totp,
        name=command.name,
        created_at=now,
        totp_secret=secret,
        totp_last_step=step,
    )
    return factor, added(session, user, now, factor)


def check_totp(session: so.Session, user: User, now: dt.datetime, code: str) -> bool:
    """Whether `code` is a current code of one of the user's apps, not used before (it is
    used up now)."""
    try:
        typed = _code(code)
    except Invalid:
        return False
    apps = session.scalars(
        sa.select(SecondFactor).where(
            SecondFactor.user_id == user.id, SecondFactor.kind == FactorKind.totp
        )
    ).all()
    for app in apps:
        step = _matching_step(app.totp_secret or "", typed, now)
        if step is not None and _claim_step(session, app, step, now):
            return True
    return False


def _code(text: str) -> str:
    code = "".join((text or "").split())
    if not _DIGITS.match(code):
        raise Invalid("type the 6 digits your app shows", field="code")
    return code


def _matching_step(secret: str, code: str, now: dt.datetime) -> int | None:
    try:
        return pyotp.TOTP(secret).verify_and_get_timecode(
            code, for_time=now, valid_window=VALID_WINDOW
        )
    except (OTPVerificationError, ValueError, binascii.Error):
        return None


def _claim_step(session: so.Session, app: SecondFactor, step: int, now: dt.datetime) -> bool:
    """Record `step` as the app's last one unless a step at or after it was used."""
    claimed = affected(
        session.execute(
            sa.update(SecondFactor)
            .where(
                SecondFactor.id == app.id,
                sa.or_(SecondFactor.totp_last_step.is_(None), SecondFactor.totp_last_step < step),
            )
            .values(totp_last_step=step, last_used_at=now)
            .execution_options(synchronize_session=False),
        )
    )
    return claimed == 1


# --- every kind -----------------------------------------------------------------------------


def added(
    session: so.Session, user: User, now: dt.datetime, factor: SecondFactor
) -> list[str] | None:
    """Store a new factor, audited; with the user's first one, their recovery codes (returned)."""
    first = not policy.has_second_factor(session, user)
    session.add(factor)
    audit.record(
        session,
        user,
        now,
        "factor_enrolled",
        factor,
        matter_id=None,
        after=_described(factor, user),
    )
    return new_recovery_codes(session, user, now) if first else None


def of_user(session: so.Session, user: User) -> Sequence[SecondFactor]:
    """A user's factors, apps first, then keys, oldest first."""
    return session.scalars(
        sa.select(SecondFactor)
        .where(SecondFactor.user_id == user.id)
        .order_by(SecondFactor.kind, SecondFactor.created_at, SecondFactor.id)
    ).all()


def remove(
    session: so.Session, user: User, now: dt.datetime, factor_id: int, password: str
) -> None:
    """Remove one of one's factors; the password is asked again (a borrowed session alone
    must not turn two factors into one). The last factor of a user whose role must use
    two is kept; with the last factor go the recovery codes."""
    factor = session.scalar(
        sa.select(SecondFactor).where(SecondFactor.id == factor_id, SecondFactor.user_id == user.id)
    )
    if factor is None:
        raise NotFound(f"you have no second factor {factor_id}")
    require_password(user, password)
    _lock_factors_of(session, user)
    others = session.scalar(
        sa.select(sa.func.count())
        .select_from(SecondFactor)
        .where(SecondFactor.user_id == user.id, SecondFactor.id != factor.id)
    )
    if not others and user.role in policy.two_factor_roles(session):
        raise Conflict(
            f"your role ({user.role.value}) must sign in with two factors: "
            "add another one before removing this one"
        )
    audit.record(
        session, user, now, "factor_removed", factor, matter_id=None, after=_described(factor, user)
    )
    session.delete(factor)
    if not others:
        session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))


def reset(session: so.Session, actor: Actor, now: dt.datetime, user: User) -> int:
    """Remove every second factor and recovery code of a user who lost them all (admins):
    their sessions end too, and the next sign-in asks for enrolment again if their role
    must use two factors. Returns how many factors were removed."""
    access.require_role(actor, *access.ADMINS, doing="reset the second factors of a user")
    _lock_factors_of(session, user)
    removed = of_user(session, user)
    for factor in removed:
        after = _described(factor, user) | {"by": actor.label}
        audit.record(session, actor, now, "factor_removed", factor, matter_id=None, after=after)
        session.delete(factor)
    session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    sessions.end_all(session, user.id)
    return len(removed)


def _lock_factors_of(session: so.Session, user: User) -> None:
    """Take the user's row lock until the commit: two removals at the same instant are
    counted one after the other (neither sees the other's factor still there)."""
    session.execute(
        sa.update(User)
        .where(User.id == user.id)
        .values(id=User.id)
        .execution_options(synchronize_session=False),
    )


def require_password(user: User, password: str) -> None:
    """The password typed again (the caller limits how often: login.reserve_confirmation)."""
    if not users.check_password(user, password or ""):
        raise Invalid("this is not your current password", field="password")


def _described(factor: SecondFactor, user: User) -> dict[str, str]:
    """What the audit log keeps of a factor: never its secret or key."""
    return {"kind": factor.kind.value, "name": factor.name, "user": user.email}


# --- recovery codes -------------------------------------------------------------------------


@dataclass(frozen=True)
class Recovery:
    """How many of a user's recovery codes are left."""

    unused: int
    made: int


def recovery_state(session: so.Session, user: User) -> Recovery:
    made, unused = session.execute(
        sa.select(sa.func.count(), sa.func.count().filter(RecoveryCode.used_at.is_(None))).where(
            RecoveryCode.user_id == user.id
        )
    ).one()
    return Recovery(unused=unused, made=made)


def new_recovery_codes(session: so.Session, user: User, now: dt.datetime) -> list[str]:
    """Replace the user's recovery codes with RECOVERY_CODES new ones, returned to be
    shown once (`abcd-efgh-ijkl-mnop`: 80 random bits in base32)."""
    session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = [_recovery_code() for _ in range(RECOVERY_CODES)]
    session.add_all(
        RecoveryCode(user_id=user.id, code_hash=_digest(code), created_at=now) for code in codes
    )
    audit.record_attempt(
        session,
        user,
        now,
        "recovery_codes_generated",
        "users",
        user.id,
        after={"count": len(codes)},
    )
    return codes


def regenerate_recovery_codes(
    session: so.Session, user: User, now: dt.datetime, password: str
) -> list[str]:
    """New recovery codes on demand (the old ones stop working); needs the password and a
    second factor (without one there is nothing to recover)."""
    require_password(user, password)
    if not policy.has_second_factor(session, user):
        raise Conflict("add a second factor first: recovery codes stand in for one")
    return new_recovery_codes(session, user, now)


def use_recovery_code(session: so.Session, user: User, now: dt.datetime, code: str) -> int | None:
    """If `code` is one of the user's unused recovery codes, use it up and return how
    many are left; None otherwise."""
    typed = "".join((code or "").lower().replace("-", "").split())
    if not _RECOVERY.match(typed):
        return None
    used = affected(
        session.execute(
            sa.update(RecoveryCode)
            .where(
                RecoveryCode.user_id == user.id,
                RecoveryCode.code_hash == _digest(typed),
                RecoveryCode.used_at.is_(None),
            )
            .values(used_at=now)
            .execution_options(synchronize_session=False),
        )
    )
    if used != 1:
        return None
    remaining = recovery_state(session, user).unused
    audit.record_attempt(
        session, user, now, "recovery_code_used", "users", user.id, after={"remaining": remaining}
    )
    return remaining


def _recovery_code() -> str:
    text = base64.b32encode(secrets.token_bytes(10)).decode().lower()
    return "-".join(text[i : i + 4] for i in range(0, 16, 4))


def _digest(code: str) -> str:
    """The SHA-256 of a code without its dashes (typed with or without them)."""
    return hashlib.sha256(code.replace("-", "").encode()).hexdigest()
