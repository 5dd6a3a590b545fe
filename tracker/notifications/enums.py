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


class DeliveryEventKind(enum.StrEnum):
    """What SendGrid's Event Webhook tells of a mail that the tracker records."""

    delivered = "delivered"
    #: the receiving server asked to try later: SendGrid retries for up to 72 hours
    deferred = "deferred"
    bounce = "bounce"
    #: SendGrid did not send it (an address that bounced before, unsubscribed, invalid)
    dropped = "dropped"
    spamreport = "spamreport"

    @property
    def undelivered(self) -> bool:
        """A mail that will not reach its reader: coordinators are told."""
        return self in (DeliveryEventKind.bounce, DeliveryEventKind.dropped)

    @property
    def past(self) -> str:
        """As the outbox page says it: "bounced", "reported as spam"."""
        return _PAST.get(self, self.value)


_PAST = {
    DeliveryEventKind.bounce: "bounced",
    DeliveryEventKind.spamreport: "reported as spam",
}
