"""SendGrid's signed Event Webhook: each delivery event recorded once, refusals write nothing.

Every post is signed as SendGrid signs it, with a key pair made here: ECDSA P-256 /
SHA-256 over the timestamp header followed by the raw body, the DER signature in
base64; the app holds the public key as SendGrid shows it (base64 of the DER).
The clock is frozen at Sunday 22 November 2026, 09:00 UTC.
"""

from __future__ import annotations

import base64
import datetime as dt
import http.client
import itertools
import json
import threading
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from factories import assert_error, nothing_written, ok
from hypothesis import HealthCheck, given
from hypothesis import settings as examples
from hypothesis import strategies as st
from pages import make_user, sign_in, text
from werkzeug.serving import make_server

from tracker.core import clock, limits
from tracker.core.db import Database
from tracker.notifications import alerts
from tracker.notifications.models import DeliveryEvent, Notification, NotificationStatus

URL = "/webhooks/sendgrid"
SIGNATURE = "X-Twilio-Email-Event-Webhook-Signature"
TIMESTAMP = "X-Twilio-Email-Event-Webhook-Timestamp"
KEY = ec.generate_private_key(ec.SECP256R1())
OTHER_KEY = ec.generate_private_key(ec.SECP256R1())
BOUNCE_REASON = "550 5.1.1 mailbox unavailable"

_serial = itertools.count(1)


def public_key(key: ec.EllipticCurvePrivateKey) -> str:
    """The verification key as SendGrid's settings show it: base64 of the DER."""
    der = key.public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
    return base64.b64encode(der).decode("ascii")


def signed(
    body: bytes, *, at: dt.datetime | None = None, key: ec.EllipticCurvePrivateKey = KEY
) -> dict[str, str]:
    """The headers SendGrid sends with `body`."""
    timestamp = str(int((at or clock.now()).timestamp()))
    signature = key.sign(timestamp.encode("ascii") + body, ec.ECDSA(hashes.SHA256()))
    return {
        SIGNATURE: base64.b64encode(signature).decode("ascii"),
        TIMESTAMP: timestamp,
        "Content-Type": "application/json",
    }


def post(client, events: Any, **signing: Any):
    body = json.dumps(events).encode()
    return client.post(URL, data=body, headers=signed(body, **signing))


@pytest.fixture
def settings(settings):
    """The conftest's settings, with SendGrid's verification key."""
    return settings.replace(sendgrid_webhook_public_key=public_key(KEY))


def sent_mail(database, template: str = "hearing_reminder", **fields: Any) -> int:
    """A mail the dispatcher handed to SendGrid."""
    n = next(_serial)
    values = {
        "dedup_key": f"test:{n}",
        "to_address": f"lawyer{n}@example.org",
        "template": template,
        "subject": f"Hearing reminder {n}",
        "body_text": f"Body of mail {n}",
        "status": NotificationStatus.sent,
        "attempts": 1,
        "next_attempt_at": clock.now(),
        "created_at": clock.now(),
        "sent_at": clock.now(),
    } | fields
    with database.unit_of_work() as session:
        row = Notification(**values)
        session.add(row)
        session.flush()
        return row.id


def event(mail_id: Any, kind: str, **fields: Any) -> dict[str, Any]:
    """One event as SendGrid posts it: the custom argument is a top-level key."""
    n = next(_serial)
    return {
        "email": "lawyer@example.org",
        "timestamp": int(clock.now().timestamp()) - 60,
        "event": kind,
        "sg_event_id": f"sg-event-{n}",
        "sg_message_id": f"message-{mail_id}.filter",
        "category": ["hearing_reminder"],
        "notification_id": str(mail_id),
    } | fields


def stored(database) -> list[tuple]:
    with database.sessionmaker() as session:
        return [
            (row.notification_id, row.event.value, row.detail, row.occurred_at, row.received_at)
            for row in session.scalars(sa.select(DeliveryEvent).order_by(DeliveryEvent.id))
        ]


def one_of_each(mail_id: int) -> list[dict[str, Any]]:
    """A batch with each kind recorded, and three that are not."""
    return [
        event(mail_id, "processed"),
        event(mail_id, "deferred", response="421 try again later", attempt="1"),
        event(mail_id, "delivered", response="250 OK"),
        event(mail_id, "open", useragent="Mail"),
        event(mail_id, "click", url="https://example.org"),
        event(mail_id, "bounce", reason=BOUNCE_REASON, status="5.1.1", type="bounce"),
        event(mail_id, "dropped", reason="Bounced Address"),
        event(mail_id, "spamreport"),
    ]


# --- what is recorded ----------------------------------------------------------------------


def test_a_signed_batch_records_the_delivery_events_and_ignores_the_rest(
    client, database, frozen_now
):
    mail_id = sent_mail(database)
    happened = frozen_now - dt.timedelta(minutes=1)

    answer = ok(post(client, one_of_each(mail_id)))

    assert answer == {"recorded": 5, "duplicates": 0, "ignored": 3}
    assert sorted(stored(database)) == sorted(
        [
            (mail_id, "deferred", "421 try again later", happened, frozen_now),
            (mail_id, "delivered", "250 OK", happened, frozen_now),
            (mail_id, "bounce", BOUNCE_REASON, happened, frozen_now),
            (mail_id, "dropped", "Bounced Address", happened, frozen_now),
            (mail_id, "spamreport", "", happened, frozen_now),
        ]
    )


def test_the_same_batch_posted_again_records_nothing_new(client, database, frozen_now):
    batch = one_of_each(sent_mail(database))
    ok(post(client, batch))

    with nothing_written(database):
        again = ok(post(client, batch, at=frozen_now + dt.timedelta(seconds=30)))

    assert again == {"recorded": 0, "duplicates": 5, "ignored": 3}


def test_an_event_twice_in_one_post_is_recorded_once(client, database, frozen_now):
    bounce = event(sent_mail(database), "bounce", reason=BOUNCE_REASON)

    assert ok(post(client, [bounce, bounce])) == {"recorded": 1, "duplicates": 1, "ignored": 0}
    assert len(stored(database)) == 1


@pytest.mark.parametrize(
    "notification_id",
    ["999999", "0", "-1", "12a", "", "99999999999", None, 12.5, ["1"], True],
    ids=repr,
)
def test_an_event_naming_no_mail_of_the_outbox_is_ignored(
    client, database, frozen_now, notification_id
):
    known = event(sent_mail(database), "delivered")
    unknown = event(1, "bounce") | {"notification_id": notification_id}

    answer = ok(post(client, [unknown, known]))

    assert answer == {"recorded": 1, "duplicates": 0, "ignored": 1}
    assert [row[1] for row in stored(database)] == ["delivered"]


@pytest.mark.parametrize(
    "broken",
    [
        {"sg_event_id": None},
        {"sg_event_id": ""},
        {"sg_event_id": "x" * (limits.SENDGRID_EVENT_ID + 1)},
        {"sg_event_id": "bad\x00id"},
        {"timestamp": "yesterday"},
        {"timestamp": 10**20},
        {"event": ["bounce"]},
    ],
    ids=repr,
)
def test_a_malformed_event_is_ignored_and_the_others_recorded(client, database, frozen_now, broken):
    mail_id = sent_mail(database)
    batch = [event(mail_id, "bounce") | broken, event(mail_id, "delivered"), "not an object"]

    assert ok(post(client, batch)) == {"recorded": 1, "duplicates": 0, "ignored": 2}


def test_a_reason_that_is_not_text_any_database_holds_is_kept_readable(
    client, database, frozen_now
):
    mail_id = sent_mail(database)

    ok(post(client, [event(mail_id, "bounce", reason="550 \ud800 gone\x00")]))

    assert stored(database)[0][2] == "550 ? gone"


def test_a_long_reason_is_cut_to_its_column(client, database, frozen_now):
    mail_id = sent_mail(database)
    reason = "550 " + "x" * limits.DELIVERY_DETAIL + "\x00"

    ok(post(client, [event(mail_id, "bounce", reason=reason)]))

    assert stored(database)[0][2] == reason[: limits.DELIVERY_DETAIL]


@pytest.fixture
def two_mails(database) -> list[int]:
    """Mails 1 and 2, which the generated events name (or not)."""
    return [sent_mail(database), sent_mail(database)]


#: any text, lone surrogates too: JSON's "\\ud800" decodes to one
TEXT = st.text(st.characters(codec=None, exclude_categories=()))
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=6,
)
#: events as SendGrid's are, and as nobody's are: every field right, wrong or odd
EVENTS = st.lists(
    st.fixed_dictionaries(
        {
            "event": st.sampled_from(["bounce", "dropped", "delivered", "open"]) | JSON,
            "notification_id": st.sampled_from(["1", "2", 1]) | JSON,
            "sg_event_id": st.text(min_size=1, max_size=8) | JSON,
            "timestamp": st.integers(min_value=-(2**40), max_value=2**40) | JSON,
            "reason": TEXT | JSON,
            "response": TEXT | JSON,
        }
    )
    | JSON,
    max_size=6,
)


@examples(
    max_examples=150,
    derandomize=True,  # the same posts on every run: a failure reproduces
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(batch=EVENTS)
def test_whatever_a_signed_batch_holds_the_answer_counts_every_event(
    client, two_mails, frozen_now, batch
):
    answer = ok(post(client, batch))

    assert sum(answer.values()) == len(batch)


# --- what is refused -----------------------------------------------------------------------


def test_a_tampered_body_is_refused_and_nothing_written(client, database, frozen_now):
    mail_id = sent_mail(database)
    body = json.dumps([event(mail_id, "delivered")]).encode()
    headers = signed(body)
    tampered = body.replace(b"delivered", b"bounce")

    with nothing_written(database):
        error = assert_error(client.post(URL, data=tampered, headers=headers), 403, "forbidden")

    assert error["message"] == "the signature does not match the body"


@pytest.mark.parametrize("missing", [(SIGNATURE,), (TIMESTAMP,), (SIGNATURE, TIMESTAMP)])
def test_an_unsigned_post_is_refused(client, database, frozen_now, missing):
    body = json.dumps([event(sent_mail(database), "delivered")]).encode()
    headers = {k: v for k, v in signed(body).items() if k not in missing}

    with nothing_written(database):
        error = assert_error(client.post(URL, data=body, headers=headers), 403, "forbidden")

    assert "not signed" in error["message"]


def test_a_post_signed_by_another_key_is_refused(client, database, frozen_now):
    batch = [event(sent_mail(database), "bounce")]

    with nothing_written(database):
        assert_error(post(client, batch, key=OTHER_KEY), 403, "forbidden")


@pytest.mark.parametrize("signature", ["not base64!", "AAAA", base64.b64encode(b"x" * 72).decode()])
def test_a_signature_that_is_not_one_is_refused(client, database, frozen_now, signature):
    body = json.dumps([event(sent_mail(database), "bounce")]).encode()
    headers = signed(body) | {SIGNATURE: signature}

    with nothing_written(database):
        assert_error(client.post(URL, data=body, headers=headers), 403, "forbidden")


@pytest.mark.parametrize(
    "seconds", [-limits.WEBHOOK_REPLAY_WINDOW - 1, limits.WEBHOOK_REPLAY_WINDOW + 1]
)
def test_a_signature_older_or_newer_than_the_replay_window_is_refused(
    client, database, frozen_now, seconds
):
    batch = [event(sent_mail(database), "bounce")]

    with nothing_written(database):
        error = assert_error(
            post(client, batch, at=frozen_now + dt.timedelta(seconds=seconds)), 403, "forbidden"
        )

    assert "timestamp" in error["message"]


def test_a_signature_within_the_replay_window_is_taken(client, database, frozen_now):
    batch = [event(sent_mail(database), "bounce")]
    at = frozen_now - dt.timedelta(seconds=limits.WEBHOOK_REPLAY_WINDOW)

    assert ok(post(client, batch, at=at))["recorded"] == 1


@pytest.mark.parametrize("timestamp", ["", "soon", "1.5e9", "١٧٦٤", "9" * 40])
def test_a_timestamp_that_is_not_a_unix_second_is_refused(client, database, frozen_now, timestamp):
    body = json.dumps([event(sent_mail(database), "bounce")]).encode()
    headers = signed(body) | {TIMESTAMP: timestamp}

    with nothing_written(database):
        assert_error(client.post(URL, data=body, headers=headers), 403, "forbidden")


@pytest.mark.parametrize("key", ["", "bm90IGEga2V5", public_key(OTHER_KEY)[:-8]])
def test_without_a_usable_key_every_post_is_refused(app, client, database, frozen_now, key):
    app.config["TRACKER_SETTINGS"] = app.config["TRACKER_SETTINGS"].replace(
        sendgrid_webhook_public_key=key
    )
    batch = [event(sent_mail(database), "bounce")]

    with nothing_written(database):
        error = assert_error(post(client, batch), 403, "forbidden")

    assert "key" in error["message"]


@pytest.mark.parametrize(
    "body", [b"", b"[", b'{"event": "bounce"}', b'"bounce"', b"[" * 100_000], ids=lambda b: b[:20]
)
def test_a_body_that_is_not_a_json_array_is_refused(client, database, frozen_now, body):
    sent_mail(database)

    with nothing_written(database):
        assert_error(client.post(URL, data=body, headers=signed(body)), 400, "bad_request")


def test_a_body_that_is_not_utf8_is_not_sendgrids(client, database, frozen_now):
    body = b'[{"event": "\xff"}]'

    with nothing_written(database):
        assert_error(client.post(URL, data=body, headers=signed(body)), 403, "forbidden")


def test_a_body_over_the_limit_is_refused(client, database, settings, frozen_now):
    body = b"[" + b" " * settings.max_body + b"]"

    with nothing_written(database):
        assert_error(
            client.post(URL, data=body, headers=signed(body)), 413, "request_entity_too_large"
        )


def test_more_events_than_a_post_holds_are_refused(client, database, frozen_now):
    batch = [{"event": "open"}] * (limits.WEBHOOK_EVENTS + 1)

    with nothing_written(database):
        assert_error(post(client, batch), 413, "too_many_events")


def test_a_get_is_a_json_405(client, database, frozen_now):
    assert_error(client.get(URL), 405, "method_not_allowed")


def test_a_database_out_of_reach_is_a_503_that_sendgrid_posts_again(settings, tmp_path, frozen_now):
    from tracker.app import create_app

    unreachable = Database(f"sqlite:///{tmp_path / 'no such folder' / 'tracker.db'}")
    client = create_app(settings, unreachable).test_client()

    assert_error(post(client, [event(1, "bounce")]), 503, "unavailable")


# --- where it shows ------------------------------------------------------------------------


def test_a_bounce_shows_on_the_outbox_page(client, database, frozen_now):
    bounced = sent_mail(database)
    delivered = sent_mail(database)
    ok(
        post(
            client,
            [
                event(bounced, "delivered", timestamp=int(frozen_now.timestamp()) - 300),
                event(bounced, "bounce", reason=BOUNCE_REASON),
                event(delivered, "deferred", timestamp=int(frozen_now.timestamp()) - 300),
                event(delivered, "delivered", response="250 OK"),
            ],
        )
    )

    page = text(sign_in(client, database, "coordinator").get("/outbox"))

    assert f"bounced: {BOUNCE_REASON}" in _row(page, bounced)
    assert ">delivered<" in _row(page, delivered)
    assert "250 OK" not in _row(page, delivered)


def test_a_mails_page_lists_what_sendgrid_said_of_it(client, database, frozen_now):
    mail_id = sent_mail(database)
    earlier = int(frozen_now.timestamp()) - 300
    ok(
        post(
            client,
            [
                event(mail_id, "bounce", reason=BOUNCE_REASON),
                event(mail_id, "deferred", response="421 busy", timestamp=earlier),
            ],
        )
    )

    page = text(sign_in(client, database, "coordinator").get(f"/outbox/{mail_id}"))

    said = page[page.index("<h2>Delivery</h2>") :]
    assert said.index("421 busy") < said.index(BOUNCE_REASON)
    assert ">bounced<" in said


def _row(page: str, mail_id: int) -> str:
    start = page.index(f'<tr id="mail-{mail_id}">')
    return page[start : page.index("</tr>", start)]


def test_the_next_digest_tells_coordinators_of_bounced_and_dropped_mail(
    client, database, settings, frozen_now
):
    with clock.frozen(frozen_now - dt.timedelta(days=1)):
        coordinator = make_user(database, "coordinator", "coord@example.org")
    bounced = sent_mail(database, to_address="lawyer@example.org")
    dropped = sent_mail(database, template="deadline_reminder_discreet")
    ok(
        post(
            client,
            [
                event(bounced, "bounce", reason=BOUNCE_REASON),
                event(dropped, "dropped", reason="Unsubscribed Address"),
                event(sent_mail(database), "delivered"),
            ],
        )
    )
    later = frozen_now + dt.timedelta(hours=1)

    assert digest(database, settings, later).counts == {"digests": 1}
    mail = last_mail(database)
    assert mail.recipient_id == coordinator.id
    assert mail.subject == "Mail not delivered: 2 (Sun 22 Nov 2026)"
    assert (
        f"- Hearing reminder to lawyer@example.org bounced ({BOUNCE_REASON})\n"
        f"  {settings.base_url}/outbox/{bounced}\n"
    ) in mail.body_text
    assert "- Deadline reminder to " in mail.body_text
    assert "was dropped (Unsubscribed Address)" in mail.body_text
    assert f"/outbox/{dropped}" in mail.body_html
    # told once: the next day's digest has nothing to say
    assert digest(database, settings, later + dt.timedelta(days=1)).counts == {}


def digest(database, settings, at: dt.datetime):
    with clock.frozen(at), database.unit_of_work() as session:
        return alerts.digests(session, clock.now(), settings, any_hour=True)


def last_mail(database) -> Notification:
    with database.sessionmaker() as session:
        mail = session.scalars(sa.select(Notification).order_by(Notification.id.desc())).first()
        session.expunge(mail)
        return mail


# --- SendGrid posting the same batch many times at once ------------------------------------

BURST = 30


@pytest.fixture
def served(app) -> Iterator[str]:
    """The app on a free port of 127.0.0.1, one thread per request."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


def test_thirty_posts_of_the_same_batch_at_once_record_each_event_once(
    served, database, frozen_now
):
    batch = one_of_each(sent_mail(database)) + one_of_each(sent_mail(database))
    body = json.dumps(batch).encode()
    headers = signed(body)
    port = urlsplit(served).port
    start = threading.Barrier(BURST)
    answers: list[Any] = [None] * BURST

    def send(n: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        start.wait()
        connection.request("POST", URL, body=body, headers=headers)
        response = connection.getresponse()
        answers[n] = (response.status, json.loads(response.read()))
        connection.close()

    threads = [threading.Thread(target=send, args=(n,)) for n in range(BURST)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)

    assert {status for status, _ in answers} == {200}
    assert sum(answer["recorded"] for _, answer in answers) == 10
    assert all(answer["recorded"] + answer["duplicates"] == 10 for _, answer in answers)
    assert len(stored(database)) == 10
