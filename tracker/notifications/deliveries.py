"""What SendGrid says became of each mail: which events are recorded, each once.

SendGrid's Event Webhook posts batches of events; each carries the mail's custom
argument `notification_id` (set by `senders.SendGridSender`) as a top-level key and
SendGrid's own `sg_event_id`. Delivered, deferred, bounce, dropped and spam reports
are kept; every other kind (processed, open, click...) and every event naming no mail
of the outbox is ignored. SendGrid posts a batch again when it got no 2xx, and may post
it twice at once: an insert that skips an `sg_event_id` already stored (ON CONFLICT DO
NOTHING, which waits on a concurrent insert of the same id and then skips it) records
each event once, on PostgreSQL and SQLite alike.

Not audited: these are facts reported by SendGrid, not changes a person made, and the
outbox does not audit the dispatcher's sends either.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeGuard

import sqlalchemy as sa
import sqlalchemy.orm as so
from sqlalchemy.dialects import postgresql, sqlite

from tracker.core import limits
from tracker.notifications.enums import DeliveryEventKind
from tracker.notifications.models import DeliveryEvent, Notification


@dataclass(frozen=True)
class Received:
    """What became of one post's events."""

    recorded: int
    #: events stored before (a batch posted again), or twice in this post
    duplicates: int
    #: other kinds, events naming no mail of the outbox, malformed events
    ignored: int


@dataclass(frozen=True)
class _Event:
    notification_id: int
    sg_event_id: str
    event: DeliveryEventKind
    detail: str
    occurred_at: dt.datetime


def record(session: so.Session, events: Sequence[Any], now: dt.datetime) -> Received:
    """Store the events worth keeping that are not stored yet; two queries in all."""
    parsed = [event for event in map(_parse, events) if event is not None]
    ids = {event.notification_id for event in parsed}
    known = set(session.scalars(sa.select(Notification.id).where(Notification.id.in_(ids))))
    kept = [event for event in parsed if event.notification_id in known]
    # one row per event id, in its order: concurrent posts lock the ids in the same
    # order, so two overlapping batches wait for each other instead of deadlocking
    unique = {event.sg_event_id: event for event in kept}
    rows = [_row(unique[key], now) for key in sorted(unique)]
    recorded = 0
    if rows:
        insert = _insert_for(session.get_bind().dialect.name)
        statement = (
            insert(DeliveryEvent)
            .on_conflict_do_nothing(index_elements=["sg_event_id"])
            .returning(DeliveryEvent.id)
        )
        recorded = len(session.scalars(statement, rows).all())
    return Received(
        recorded=recorded, duplicates=len(kept) - recorded, ignored=len(events) - len(kept)
    )


def of_mail(session: so.Session, notification_id: int) -> list[DeliveryEvent]:
    """What SendGrid said of one mail, in the order it happened."""
    return list(
        session.scalars(
            sa.select(DeliveryEvent)
            .where(DeliveryEvent.notification_id == notification_id)
            .order_by(DeliveryEvent.occurred_at, DeliveryEvent.id)
        )
    )


def latest(column: so.QueryableAttribute[Any]) -> sa.ScalarSelect[Any]:
    """A column of a mail's latest delivery event (by when it happened), for a listing."""
    return (
        sa.select(column)
        .where(DeliveryEvent.notification_id == Notification.id)
        .order_by(DeliveryEvent.occurred_at.desc(), DeliveryEvent.id.desc())
        .limit(1)
        .scalar_subquery()
    )


# --- one event ----------------------------------------------------------------------------

_RECORDED = frozenset(kind.value for kind in DeliveryEventKind)


def _parse(item: Any) -> _Event | None:
    """The event to record, or None: another kind, or a field missing or malformed."""
    name = item.get("event") if isinstance(item, dict) else None
    if not isinstance(name, str) or name not in _RECORDED:
        return None
    kind = DeliveryEventKind(name)
    notification_id = _notification_id(item.get("notification_id"))
    sg_event_id = item.get("sg_event_id")
    occurred_at = _instant(item.get("timestamp"))
    if notification_id is None or occurred_at is None or not _is_event_id(sg_event_id):
        return None
    return _Event(notification_id, sg_event_id, kind, _detail(item), occurred_at)


def _notification_id(value: Any) -> int | None:
    """The custom argument as sent (a string of digits); an id the outbox could hold."""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        return None
    text = str(value)
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(limits.MAX_ID)):
        return None
    number = int(text)
    return number if 0 < number <= limits.MAX_ID else None


def _is_event_id(value: Any) -> TypeGuard[str]:
    return (
        isinstance(value, str)
        and 0 < len(value) <= limits.SENDGRID_EVENT_ID
        and value.isascii()
        and value.isprintable()
    )


def _instant(value: Any) -> dt.datetime | None:
    """The event's `timestamp`: a unix second."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    try:
        return dt.datetime.fromtimestamp(value, tz=dt.UTC)
    except (ValueError, OverflowError, OSError):
        return None


def _detail(item: dict[str, Any]) -> str:
    """What the receiving server or SendGrid said: a bounce's or drop's reason, else the
    server's response; cut to its column, as text a database holds (JSON's "\\ud800"
    decodes to a lone surrogate that no UTF-8 column takes, and no text column a NUL)."""
    for key in ("reason", "response"):
        value = item.get(key)
        if isinstance(value, str) and value.strip():
            text = value.encode("utf-8", "replace").decode("utf-8").replace("\x00", "")
            return text.strip()[: limits.DELIVERY_DETAIL]
    return ""


def _row(event: _Event, now: dt.datetime) -> dict[str, Any]:
    return {
        "notification_id": event.notification_id,
        "sg_event_id": event.sg_event_id,
        "event": event.event,
        "detail": event.detail,
        "occurred_at": event.occurred_at,
        "received_at": now,
    }


def _insert_for(dialect: str):
    return postgresql.insert if dialect == "postgresql" else sqlite.insert
