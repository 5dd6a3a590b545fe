"""A user's notification settings, stored as JSON on the user; defaults fill the gaps.

A default may depend on the role (`discreet_mail`): it is worked out when the settings
are read, never stored, so a user made before a setting existed gets its default too,
and a user who never chose follows a change of role.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any

from tracker.notifications.reminders import DEADLINE_OFFSETS, HEARING_OFFSETS
from tracker.users.enums import Role

#: the roles whose mail is discreet unless they choose otherwise
DISCREET_BY_DEFAULT = frozenset({Role.lawyer})


@dataclass(frozen=True)
class Preferences:
    #: reminders before the hearings and deadlines of the user's matters (lawyers)
    hearing_reminders: bool = True
    deadline_reminders: bool = True
    #: the daily digest of new and escalated delay flags (coordinators)
    digest: bool = True
    #: the local hour (in the user's zone) at which the digest is sent
    digest_hour: int = 7
    #: "record the outcome" prompts for hearings past with none (staff)
    outcome_prompts: bool = True
    hearing_offsets: tuple[int, ...] = HEARING_OFFSETS
    deadline_offsets: tuple[int, ...] = DEADLINE_OFFSETS
    #: mail that names no client, matter, reference or court: only what needs attention
    #: and a link (default: on for the roles in DISCREET_BY_DEFAULT)
    discreet_mail: bool = False

    def as_json(self) -> dict[str, Any]:
        values = asdict(self)
        values["hearing_offsets"] = list(self.hearing_offsets)
        values["deadline_offsets"] = list(self.deadline_offsets)
        return values


NAMES = tuple(f.name for f in fields(Preferences))


def load(stored: dict[str, Any] | None, role: Role | str) -> Preferences:
    """The stored settings over the defaults for `role`; unknown keys (older versions)
    are ignored."""
    known = {k: v for k, v in (stored or {}).items() if k in NAMES}
    known.setdefault("discreet_mail", role in DISCREET_BY_DEFAULT)
    for name in ("hearing_offsets", "deadline_offsets"):
        if name in known:
            known[name] = tuple(known[name])
    return Preferences(**known)


#: each setting in words, for messages
WORDS = {
    "hearing_reminders": "reminders before hearings",
    "deadline_reminders": "reminders before deadlines",
    "digest": "the daily digest",
    "digest_hour": "the digest's hour",
    "outcome_prompts": "outcome prompts",
    "hearing_offsets": "the days before a hearing",
    "deadline_offsets": "the days before a deadline",
    "discreet_mail": "discreet mail",
}


def check(changes: dict[str, Any]) -> dict[str, Any]:
    """Validate a partial update; raises ValueError naming the setting in words."""
    unknown = set(changes) - set(NAMES)
    if unknown:
        raise ValueError(f"unknown setting {sorted(unknown)[0]!r}")
    for name, value in changes.items():
        if name.endswith("_offsets"):
            if not isinstance(value, list) or not all(
                isinstance(v, int) and not isinstance(v, bool) and 0 < v <= 60 for v in value
            ):
                raise ValueError(f"{WORDS[name]}: each must be a whole number of days from 1 to 60")
        elif name == "digest_hour":
            if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 23:
                raise ValueError(f"{WORDS[name]} must be an hour from 0 to 23")
        elif not isinstance(value, bool):
            raise ValueError(f"{WORDS[name]} must be on or off (true or false)")
    return changes
