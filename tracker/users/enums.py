"""The kinds and states of users (plain enums: rule modules and
commands read them without the database)."""

from __future__ import annotations

import enum


class Role(enum.StrEnum):
    admin = "admin"
    coordinator = "coordinator"
    staff = "staff"
    lawyer = "lawyer"
