"""Who does something: a logged-in user, or the system acting on its own account."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


class Actor(Protocol):
    @property
    def id(self) -> int | None: ...

    @property
    def label(self) -> str: ...


@dataclass(frozen=True)
class SystemActor:
    """An explicit non-human actor, so the audit log names it."""

    label: str
    id: None = None


SCHEDULER = SystemActor("system:scheduler")
DEMO = SystemActor("system:demo")
CLI = SystemActor("system:cli")
