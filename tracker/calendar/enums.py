"""The kinds and states of feeds (plain enums: rule modules and
commands read them without the database)."""

from __future__ import annotations

import enum


class FeedScope(enum.StrEnum):
    #: the owner's matters (coordinators and admins: all)
    mine = "mine"
    matter = "matter"
    jurisdiction = "jurisdiction"


class FeedPrivacy(enum.StrEnum):
    full = "full"
    #: no names, references or notes: "Hearing (BE)"
    minimal = "minimal"
