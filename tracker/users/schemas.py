"""What a write about users takes (commands) and what the API answers about one."""

from __future__ import annotations

import re
from typing import Annotated, Any

import pydantic

from tracker.core import limits
from tracker.core.commands import Allowed, Changes, Command, Day, Limit, Zone, refuse
from tracker.users import preferences
from tracker.users.enums import Role, TokenScope
from tracker.users.models import User

# --- field types --------------------------------------------------------------------------

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def email_address(text: str) -> str:
    """An email address as the tracker keeps it (trimmed, lower case); ValueError if it is
    not one. The one check of an address, whoever sends it."""
    email = (text or "").strip().lower()
    if not _EMAIL.match(email) or len(email) > limits.EMAIL:
        raise ValueError(f"{email!r} is not an email address")
    return email


def _email(value: Any) -> str:
    if not isinstance(value, str):
        raise refuse(f"{value!r} is not an email address")
    try:
        return email_address(value)
    except ValueError as exc:
        raise refuse(str(exc)) from None


#: an email address, trimmed and in lower case
Email = Annotated[
    str,
    pydantic.PlainValidator(_email),
    pydantic.WithJsonSchema({"type": "string", "format": "email", "maxLength": limits.EMAIL}),
]

#: a password as typed: never trimmed (blanks may be part of it), bounded for scrypt's sake
Password = Annotated[str, pydantic.Field(min_length=1, max_length=limits.PASSWORD)]


def _settings(value: dict[str, Any]) -> dict[str, Any]:
    try:
        return preferences.check(value)
    except ValueError as exc:
        raise refuse(str(exc)) from None


#: a partial update of the notification settings (`tracker.users.preferences`)
PreferenceChanges = Annotated[dict[str, Any], pydantic.AfterValidator(_settings)]

# --- commands -----------------------------------------------------------------------------


class NewUser(Command):
    """Add a user; without a password, one is generated (and shown once)."""

    email: Email
    role: Annotated[Role, Allowed()]
    name: Annotated[str, Limit(limits.NAME, required=False)] = ""
    timezone: Zone = "UTC"
    password: Password | None = None


class SettingsChanges(Changes):
    """Change a user's name, time zone or notification settings (merged over the old).
    A null name clears it; null settings change none."""

    nullable = frozenset({"name", "preferences"})

    name: Annotated[str, Limit(limits.NAME, required=False)] | None = None
    timezone: Zone | None = None
    preferences: PreferenceChanges | None = None


class RoleChange(Command):
    """Give a user another role (`version`: the user as shown, if a page showed it)."""

    role: Annotated[Role, Allowed()]
    version: int | None = None


class ActiveChange(Command):
    """Deactivate a user (signed out at once) or reactivate them."""

    active: bool
    version: int | None = None


class NewToken(Command):
    """Make an API token; its name says what it is for.

    A `read` token may only read (GET); `read-write`, the default, may also write.
    `expires_on` is a day: the token works until the end of that day in its owner's
    time zone (it expires at the owner's next midnight), and is refused from then on;
    without it, the token works until it is revoked.
    """

    name: Annotated[str, Limit(limits.NAME, required=False)] = ""
    scope: Annotated[TokenScope, Allowed()] = TokenScope.read_write
    expires_on: Day | None = None


class NewFactor(Command):
    """Name a second factor being added (an authenticator app, a security key): the name
    tells one's factors apart on the account's security page."""

    name: Annotated[str, Limit(limits.NAME)]


# --- answers ------------------------------------------------------------------------------


class PreferencesOut(pydantic.BaseModel):
    hearing_reminders: bool
    deadline_reminders: bool
    digest: bool
    digest_hour: int
    outcome_prompts: bool
    hearing_offsets: list[int]
    deadline_offsets: list[int]
    #: mail names no client, matter, reference or court (default: on for lawyers)
    discreet_mail: bool


class MeOut(pydantic.BaseModel):
    id: int
    email: str
    name: str
    role: str
    timezone: str
    preferences: PreferencesOut
    version: int


def dump(user: User) -> MeOut:
    return MeOut(
        id=user.id,
        email=user.email,
        name=user.name,
        role=user.role.value,
        timezone=user.timezone,
        preferences=PreferencesOut(**preferences.load(user.preferences, user.role).as_json()),
        version=user.version,
    )
