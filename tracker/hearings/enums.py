"""The kinds and states of hearings (plain enums: rule modules and
commands read them without the database)."""

from __future__ import annotations

import enum


class HearingStatus(enum.StrEnum):
    scheduled = "scheduled"
    held = "held"
    #: postponed sine die: no date now; starts_at keeps the date it was last set for
    postponed = "postponed"
    cancelled = "cancelled"


class OutcomeResult(enum.StrEnum):
    held = "held"
    adjourned = "adjourned"
    decided = "decided"
    cancelled = "cancelled"
