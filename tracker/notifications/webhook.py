"""`POST /webhooks/sendgrid`: SendGrid's signed Event Webhook.

Neither a page nor the API: SendGrid has no session, CSRF token or bearer token. The
signature is its only credential: ECDSA P-256 over the timestamp and the raw body, by
the key SENDGRID_WEBHOOK_PUBLIC_KEY verifies. Every refusal is a JSON 4xx that writes
nothing; a database that cannot be reached is a 503, which SendGrid retries.
"""

from __future__ import annotations

import dataclasses
import json
import logging
from typing import Any

import sqlalchemy.exc as sa_exc
from flask import Blueprint, Response, jsonify, request

from tracker import web
from tracker.core import clock, limits
from tracker.notifications import deliveries, senders
from tracker.web.errors import json_error

log = logging.getLogger(__name__)

bp = Blueprint("webhooks", __name__)


@bp.post("/webhooks/sendgrid")
def sendgrid_events():
    """Record the delivery events of a batch that SendGrid signed."""
    body = request.get_data(cache=False)  # a 413 past MAX_CONTENT_LENGTH, as for any request
    refusal = _unauthenticated(body)
    if refusal is not None:
        log.warning("SendGrid event webhook refused: %s", refusal)
        return json_error(403, "forbidden", refusal)
    events = _events(body)
    if isinstance(events, Response):
        return events
    session = web.session()
    try:
        received = deliveries.record(session, events, clock.now())
        session.commit()
    except sa_exc.SQLAlchemyError:
        session.rollback()
        log.exception("SendGrid events not recorded")
        return json_error(503, "unavailable", "the events could not be recorded; post them again")
    return jsonify(dataclasses.asdict(received))


def _unauthenticated(body: bytes) -> str | None:
    """Why the post is not SendGrid's, or None if its signature holds and is recent."""
    key = web.settings().sendgrid_webhook_public_key
    if not key:
        return "no SendGrid verification key is configured (SENDGRID_WEBHOOK_PUBLIC_KEY)"
    signature = request.headers.get(senders.SIGNATURE_HEADER, "")
    timestamp = request.headers.get(senders.TIMESTAMP_HEADER, "")
    if not signature or not timestamp:
        return f"the post is not signed ({senders.SIGNATURE_HEADER}, {senders.TIMESTAMP_HEADER})"
    if not _recent(timestamp):
        return f"the signature's timestamp is more than {limits.WEBHOOK_REPLAY_WINDOW} s from now"
    try:
        text = body.decode("utf-8")
        valid = senders.signed_by_sendgrid(key, text, signature, timestamp)
    except UnicodeDecodeError:
        valid = False  # SendGrid signs UTF-8 JSON
    except ValueError:
        log.exception("SENDGRID_WEBHOOK_PUBLIC_KEY cannot be read")
        return "the configured SendGrid verification key cannot be read"
    return None if valid else "the signature does not match the body"


def _recent(timestamp: str) -> bool:
    """A unix second within the replay window: an older signed post is not taken again."""
    if (
        not (timestamp.isascii() and timestamp.isdigit())
        or len(timestamp) > limits.WEBHOOK_TIMESTAMP_DIGITS
    ):
        return False
    return abs(clock.now().timestamp() - int(timestamp)) <= limits.WEBHOOK_REPLAY_WINDOW


def _events(body: bytes) -> list[Any] | Response:
    """The posted events: a JSON array, of at most WEBHOOK_EVENTS."""
    try:
        events = json.loads(body)
    except (ValueError, RecursionError):
        return json_error(400, "bad_request", "the body is not JSON")
    if not isinstance(events, list):
        return json_error(400, "bad_request", "the body is not a JSON array of events")
    if len(events) > limits.WEBHOOK_EVENTS:
        return json_error(
            413, "too_many_events", f"a post holds at most {limits.WEBHOOK_EVENTS} events"
        )
    return events
