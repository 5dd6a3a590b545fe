"""The mail outbox: every mail is a row first, sent later by the dispatcher."""

from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm as so
from sqlalchemy.ext.hybrid import hybrid_property

from tracker.core import limits
from tracker.core.db import Base, intpk, str200, timestamp
from tracker.notifications.enums import DeliveryEventKind, NotificationStatus


class Notification(Base):
    __tablename__ = "notifications"
    __table_args__ = (sa.Index("ix_notifications_due", "status", "next_attempt_at"),)

    id: so.Mapped[intpk]
    #: unique per alert, e.g. "flag:12:critical": the same alert is never queued twice
    dedup_key: so.Mapped[str] = so.mapped_column(sa.String(200), unique=True)
    recipient_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    to_address: so.Mapped[str200]
    #: the template folder under templates/emails/
    template: so.Mapped[str] = so.mapped_column(sa.String(64))
    subject: so.Mapped[str] = so.mapped_column(sa.String(300))
    body_text: so.Mapped[str] = so.mapped_column(sa.Text)
    body_html: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    #: an iCalendar attachment (hearing reminders)
    ics: so.Mapped[str | None] = so.mapped_column(sa.Text)
    status: so.Mapped[NotificationStatus] = so.mapped_column(default=NotificationStatus.queued)
    attempts: so.Mapped[int] = so.mapped_column(default=0)
    next_attempt_at: so.Mapped[timestamp]
    lease_until: so.Mapped[timestamp | None]
    #: the random token of the claim that holds the row while it is `sending`
    claim_token: so.Mapped[str | None] = so.mapped_column(sa.String(32))
    #: set just before a request leaves, cleared when its answer is recorded: while
    #: `sending`, a mail that may be with the provider already
    send_started_at: so.Mapped[timestamp | None]
    #: when an earlier send went out and its answer was never recorded (its dispatcher
    #: died or lost its claim mid-send): that send may have delivered the mail
    interrupted_at: so.Mapped[timestamp | None]
    last_error: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    provider_message_id: so.Mapped[str | None] = so.mapped_column(sa.String(200))
    created_at: so.Mapped[timestamp]
    sent_at: so.Mapped[timestamp | None]

    @hybrid_property
    def possibly_sent_twice(self) -> bool:
        """Sent, after an earlier send that may have been delivered too."""
        return self.status is NotificationStatus.sent and self.interrupted_at is not None

    @possibly_sent_twice.inplace.expression
    @classmethod
    def _possibly_sent_twice(cls) -> sa.ColumnElement[bool]:
        return sa.and_(cls.status == NotificationStatus.sent, cls.interrupted_at.is_not(None))


class FlagAlert(Base):
    """A user was told about a delay flag at this severity (in a digest).

    A flag that escalates gets a new row at its new severity, so the next digest tells
    of it again; a flag told of once at a severity is never repeated at that severity.
    """

    __tablename__ = "flag_alerts"
    __table_args__ = (sa.UniqueConstraint("user_id", "flag_id", "severity"),)

    id: so.Mapped[intpk]
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    flag_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("delay_flags.id", ondelete="CASCADE"), index=True
    )
    severity: so.Mapped[str] = so.mapped_column(sa.String(32))
    notification_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("notifications.id", ondelete="SET NULL")
    )
    at: so.Mapped[timestamp]


class DeliveryEvent(Base):
    """What SendGrid's Event Webhook told of a mail: delivered, deferred, bounced...

    Facts from SendGrid, recorded once each (`sg_event_id`), never changed; a mail's
    delivery state is its latest event by `occurred_at`.
    """

    __tablename__ = "delivery_events"
    __table_args__ = (sa.Index("ix_delivery_events_latest", "notification_id", "occurred_at"),)

    id: so.Mapped[intpk]
    notification_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("notifications.id", ondelete="CASCADE")
    )
    #: SendGrid's id of the event: a batch posted again records nothing new
    sg_event_id: so.Mapped[str] = so.mapped_column(sa.String(limits.SENDGRID_EVENT_ID), unique=True)
    event: so.Mapped[DeliveryEventKind]
    #: the receiving server's answer (a bounce's or drop's reason, a deferral's response)
    detail: so.Mapped[str] = so.mapped_column(sa.String(limits.DELIVERY_DETAIL), default="")
    #: when SendGrid saw it happen (the event's `timestamp`)
    occurred_at: so.Mapped[timestamp]
    #: when the tracker received it: the digest tells of what arrived since the last one
    received_at: so.Mapped[timestamp] = so.mapped_column(index=True)
