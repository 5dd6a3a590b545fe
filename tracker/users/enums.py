"""The kinds and states of users (plain enums: rule modules and
commands read them without the database)."""

from __future__ import annotations

import enum


class Role(enum.StrEnum):
    admin = "admin"
    coordinator = "coordinator"
    staff = "staff"
    lawyer = "lawyer"


class TokenScope(enum.StrEnum):
    """What an API token may do: read only, or read and write."""

    read = "read"
    read_write = "read-write"


class FactorKind(enum.StrEnum):
    """A second factor: a TOTP app, or a WebAuthn security key or passkey."""

    totp = "totp"
    webauthn = "webauthn"
