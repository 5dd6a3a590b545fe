"""The senders: .eml files, the console, and the real `sendgrid` client against a fake."""

from __future__ import annotations

import base64
import datetime as dt
import email.parser
import email.policy
import io
import json
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from fake_sendgrid import FakeSendGrid, Reply

from tracker import config
from tracker.core.errors import TrackerError
from tracker.notifications import senders
from tracker.notifications.messages import OutgoingMail

ICS = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//tracker//test//EN\r\nMETHOD:REQUEST\r\n"
    "BEGIN:VEVENT\r\nUID:hearing-7@tracker\r\nDTSTAMP:20261122T090000Z\r\n"
    "DTSTART:20261203T083000Z\r\nSUMMARY:Hearing\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
)
ADDRESS = "amina.k@lawyers.example"
SENDER = "tracker@ngo.example"
API_KEY = "SG.test-key"


def mail(**changes) -> OutgoingMail:
    values = {
        "notification_id": 42,
        "template": "hearing_reminder",
        "to_address": ADDRESS,
        "subject": "Hearing in 7 days: Thu 3 Dec 2026, 09:30 (Europe/Brussels)",
        "body_text": "A hearing is coming up — Ablyazov, Cour d'appel.\n",
        "body_html": "<p>A hearing is coming up — <b>Ablyazov</b>, Cour d'appel.</p>\n",
        "ics": ICS,
    }
    return OutgoingMail(**{**values, **changes})


@pytest.fixture
def fake() -> Iterator[FakeSendGrid]:
    with FakeSendGrid.running() as server:
        yield server


def sendgrid_sender(fake: FakeSendGrid, timeout: float = 5.0) -> senders.SendGridSender:
    return senders.SendGridSender(API_KEY, SENDER, host=fake.url, timeout=timeout)


# --- file -----------------------------------------------------------------------------


def read_eml(path: Path):
    return email.parser.BytesParser(policy=email.policy.default).parsebytes(path.read_bytes())


def lf(text: str) -> str:
    """The file is written with SMTP's CRLF line ends; the parser keeps them."""
    return text.replace("\r\n", "\n")


def test_file_sender_writes_an_eml_that_parses_back(tmp_path, frozen_now):
    outbox = tmp_path / "outbox"
    result = senders.FileSender(outbox, SENDER).send(mail())

    files = list(outbox.iterdir())
    assert [f.name for f in files] == [result.provider_id]
    assert result.provider_id.startswith("20261122T090000000000Z-n42-")
    assert result.provider_id.endswith(".eml")
    message = read_eml(files[0])
    assert message["From"] == SENDER
    assert message["To"] == ADDRESS
    assert message["Subject"] == mail().subject
    assert message["Date"].datetime == frozen_now
    assert message["Message-ID"].endswith("@ngo.example>")
    assert message.get_content_type() == "multipart/mixed"

    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert lf(text.get_content()) == mail().body_text
    assert lf(html.get_content()) == mail().body_html
    [invite] = list(message.iter_attachments())
    assert invite.get_content_type() == "text/calendar"
    assert invite.get_param("method") == "REQUEST"
    assert invite.get_filename() == "invite.ics"
    assert invite.get_content() == ICS


def test_file_sender_text_only_mail(tmp_path, frozen_now):
    result = senders.FileSender(tmp_path, SENDER).send(mail(body_html="", ics=None))
    message = read_eml(tmp_path / result.provider_id)
    assert message.get_content_type() == "text/plain"
    assert lf(message.get_content()) == mail().body_text


def test_file_sender_never_overwrites_and_leaves_no_temporary_files(tmp_path, frozen_now):
    sender = senders.FileSender(tmp_path, SENDER)
    first, second = sender.send(mail()), sender.send(mail())  # a resend at the same instant
    assert first.provider_id != second.provider_id
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [first.provider_id, second.provider_id]
    )


def test_file_sender_that_cannot_write_fails_temporarily(tmp_path, frozen_now):
    blocked = tmp_path / "outbox"
    blocked.write_text("a file where the folder should be")
    with pytest.raises(senders.TemporaryFailure, match="cannot write"):
        senders.FileSender(blocked, SENDER).send(mail())


def test_console_sender_prints_the_mail():
    stream = io.StringIO()
    result = senders.ConsoleSender(SENDER, stream).send(mail())
    printed = stream.getvalue()
    assert result.provider_id is None
    assert f"To: {ADDRESS}" in printed
    assert mail().body_text in printed
    assert "[attachment: invite.ics, text/calendar]" in printed


# --- choosing a sender ----------------------------------------------------------------


def settings_with(tmp_path: Path, **env: str) -> config.Settings:
    base = {"TRACKER_INSTANCE": str(tmp_path), "SECRET_KEY": "s", "MAIL_FROM": SENDER}
    return config.load({**base, **env})


def test_sender_for_follows_mail_backend(tmp_path):
    file_sender = senders.sender_for(settings_with(tmp_path))
    assert isinstance(file_sender, senders.FileSender)
    assert file_sender.folder == tmp_path.resolve() / "outbox"
    console = settings_with(tmp_path, MAIL_BACKEND="console")
    assert isinstance(senders.sender_for(console), senders.ConsoleSender)
    sendgrid = settings_with(
        tmp_path, MAIL_BACKEND="sendgrid", SENDGRID_API_KEY=API_KEY, SENDGRID_API_HOST="http://h"
    )
    chosen = senders.sender_for(sendgrid)
    assert isinstance(chosen, senders.SendGridSender)
    assert chosen.client.host == "http://h"
    assert chosen.timeout == senders.SENDGRID_TIMEOUT


def test_mail_lease_and_rate_limit_wait(tmp_path):
    defaults = settings_with(tmp_path)
    assert (defaults.mail_lease_seconds, defaults.mail_rate_limit_max_wait) == (600, 60)
    chosen = settings_with(tmp_path, MAIL_LEASE_SECONDS=" 30 ", MAIL_RATE_LIMIT_MAX_WAIT="0")
    assert (chosen.mail_lease_seconds, chosen.mail_rate_limit_max_wait) == (30, 0)
    assert settings_with(tmp_path, MAIL_LEASE_SECONDS="").mail_lease_seconds == 600


@pytest.mark.parametrize(
    ("name", "value", "bounds"),
    [
        ("MAIL_LEASE_SECONDS", "1", "from 2 to 86400"),
        ("MAIL_LEASE_SECONDS", "0", "from 2 to 86400"),
        ("MAIL_LEASE_SECONDS", "86401", "from 2 to 86400"),
        ("MAIL_LEASE_SECONDS", "2.5", "from 2 to 86400"),
        ("MAIL_LEASE_SECONDS", "-30", "from 2 to 86400"),
        ("MAIL_LEASE_SECONDS", "10m", "from 2 to 86400"),
        ("MAIL_LEASE_SECONDS", "\u0663\u0660", "from 2 to 86400"),  # Arabic-Indic digits
        ("MAIL_RATE_LIMIT_MAX_WAIT", "-1", "from 0 to 3600"),
        ("MAIL_RATE_LIMIT_MAX_WAIT", "3601", "from 0 to 3600"),
        ("MAIL_RATE_LIMIT_MAX_WAIT", "a minute", "from 0 to 3600"),
    ],
)
def test_a_bad_mail_timing_is_refused_by_name(tmp_path, name, value, bounds):
    with pytest.raises(
        ValueError, match=f"^{name} must be a whole number of seconds {bounds}, not"
    ):
        settings_with(tmp_path, **{name: value})


def test_sendgrid_backend_needs_a_key(tmp_path):
    with pytest.raises(TrackerError, match="SENDGRID_API_KEY"):
        senders.sender_for(settings_with(tmp_path, MAIL_BACKEND="sendgrid"))


# --- SendGrid, through the real client, against the fake ------------------------------


def test_sendgrid_payload_and_auth(fake):
    result = sendgrid_sender(fake).send(mail())

    assert result.provider_id == "fake-1"
    [request] = fake.requests
    assert request.path == "/v3/mail/send"
    assert request.headers["Authorization"] == f"Bearer {API_KEY}"
    assert request.headers["Content-Type"] == "application/json"
    body = request.json
    assert body["from"] == {"email": SENDER}
    assert body["personalizations"] == [{"to": [{"email": ADDRESS}]}]
    assert body["subject"] == mail().subject
    assert body["content"] == [
        {"type": "text/plain", "value": mail().body_text},
        {"type": "text/html", "value": mail().body_html},
    ]
    [attachment] = body["attachments"]
    assert attachment["filename"] == "invite.ics"
    assert attachment["type"] == "text/calendar; method=REQUEST"
    assert attachment["disposition"] == "attachment"
    assert base64.b64decode(attachment["content"]).decode() == ICS


def test_sendgrid_metadata_carries_no_personal_data(fake):
    sendgrid_sender(fake).send(mail())
    body = fake.requests[0].json
    assert body["categories"] == ["hearing_reminder"]
    assert body["custom_args"] == {"notification_id": "42"}
    metadata = json.dumps([body["categories"], body["custom_args"]])
    for personal in (ADDRESS, "amina", "Ablyazov", "Brussels", "Hearing in"):
        assert personal not in metadata


def test_sendgrid_text_only_mail_has_no_html_and_no_attachment(fake):
    sendgrid_sender(fake).send(mail(body_html="", ics=None))
    body = fake.requests[0].json
    assert [c["type"] for c in body["content"]] == ["text/plain"]
    assert "attachments" not in body


def test_sendgrid_429_is_rate_limited_until_the_reset(fake):
    fake.script(Reply.rate_limited(reset=1_795_338_000))
    with pytest.raises(senders.RateLimited) as caught:
        sendgrid_sender(fake).send(mail())
    assert caught.value.reset_at == dt.datetime(2026, 11, 22, 9, 0, tzinfo=dt.UTC)


def test_sendgrid_429_without_a_reset_header(fake):
    fake.script(Reply.error(429, "slow down"))
    with pytest.raises(senders.RateLimited) as caught:
        sendgrid_sender(fake).send(mail())
    assert caught.value.reset_at is None


@pytest.mark.parametrize("status", [500, 502, 503])
def test_sendgrid_5xx_is_temporary(fake, status):
    fake.script(Reply.error(status, "try later"))
    with pytest.raises(senders.TemporaryFailure, match=f"SendGrid answered {status}"):
        sendgrid_sender(fake).send(mail())


@pytest.mark.parametrize("status", [400, 401, 403, 413])
def test_sendgrid_other_4xx_is_permanent(fake, status):
    fake.script(Reply.error(status, "The to email does not contain a valid address."))
    with pytest.raises(senders.PermanentFailure, match=f"{status}.*valid address"):
        sendgrid_sender(fake).send(mail())


def test_sendgrid_timeout_after_the_request_went_out_is_unknown(fake):
    fake.script(Reply.hanging())
    with pytest.raises(senders.Unknown, match=r"no answer from SendGrid within 0\.3s"):
        sendgrid_sender(fake, timeout=0.3).send(mail())
    assert len(fake.requests) == 1  # it did arrive: resending could deliver it twice


def test_sendgrid_refused_connection_is_temporary():
    with socket.socket() as probe:  # a port with nobody listening
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    sender = senders.SendGridSender(API_KEY, SENDER, host=f"http://127.0.0.1:{port}", timeout=2)
    with pytest.raises(senders.TemporaryFailure, match="no connection"):
        sender.send(mail())
