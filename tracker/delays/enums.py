"""The kinds and states of delay flags (plain enums: rule modules and
commands read them without the database)."""

from __future__ import annotations

import enum


class Severity(enum.StrEnum):
    warning = "warning"
    critical = "critical"
