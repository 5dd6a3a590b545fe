"""The kinds and states of mail (plain enums: rule modules and
commands read them without the database)."""

from __future__ import annotations

import enum


class NotificationStatus(enum.StrEnum):
    queued = "queued"
    #: claimed by a dispatcher until lease_until
    sending = "sending"
    sent = "sent"
    failed = "failed"
    #: the request went out but no answer came: a person must check before resending
    unknown = "unknown"
