"""Senders: the one small interface between the outbox and the world.

A sender either returns a SendResult or raises one of the typed errors below, which
tell the dispatcher what to do next: wait (RateLimited), try again later
(TemporaryFailure), give up (PermanentFailure), or ask a person (Unknown: the
request went out and no answer came, so sending again could deliver it twice).

This is the only module that imports `sendgrid` (README, "Architecture"): it also
checks the signature of what SendGrid posts back (its signed Event Webhook).
"""

from __future__ import annotations

import datetime as dt
import email.message
import email.policy
import email.utils
import functools
import http.client
import os
import secrets
import sys
import tempfile
import urllib.error
from base64 import b64encode
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, TextIO

import sendgrid
from cryptography.hazmat.primitives.asymmetric import ec
from python_http_client import exceptions as http_errors
from sendgrid.helpers import mail as sg
from sendgrid.helpers.eventwebhook import EventWebhook, EventWebhookHeader

from tracker.calendar import ical
from tracker.config import Settings
from tracker.core import clock
from tracker.core.errors import TrackerError
from tracker.notifications.messages import OutgoingMail

#: seconds the SendGrid client waits to connect, and then for each read of the answer
SENDGRID_TIMEOUT = 10.0
INVITE_NAME = "invite.ics"


@dataclass(frozen=True)
class SendResult:
    #: the provider's id for the message (SendGrid's X-Message-Id, the .eml file name)
    provider_id: str | None


class SendError(Exception):
    """The mail was not sent, or may not have been."""


class RateLimited(SendError):
    def __init__(self, message: str, reset_at: dt.datetime | None):
        super().__init__(message)
        #: when the provider accepts requests again (None: it did not say)
        self.reset_at = reset_at


class TemporaryFailure(SendError):
    """Not delivered (5xx, no connection): the same mail may be tried again later."""


class PermanentFailure(SendError):
    """Refused (4xx): sending it again would be refused again."""


class Unknown(SendError):
    """The request went out but no answer came: it may or may not have been delivered."""


class Sender(Protocol):
    def send(self, mail: OutgoingMail) -> SendResult: ...


def sender_for(settings: Settings) -> Sender:
    """The sender that MAIL_BACKEND names."""
    if settings.mail_backend == "sendgrid":
        if not settings.sendgrid_api_key:
            raise TrackerError("MAIL_BACKEND=sendgrid needs SENDGRID_API_KEY")
        return SendGridSender(
            settings.sendgrid_api_key, settings.mail_from, host=settings.sendgrid_api_host
        )
    if settings.mail_backend == "console":
        return ConsoleSender(settings.mail_from)
    return FileSender(settings.outbox, settings.mail_from)


# --- RFC 5322 messages (file and console) ---------------------------------------------


def build_email(mail: OutgoingMail, sender: str, now: dt.datetime) -> email.message.EmailMessage:
    """Text and HTML alternatives, and the invitation as a text/calendar attachment."""
    message = email.message.EmailMessage()
    message["From"] = sender
    message["To"] = mail.to_address
    message["Subject"] = mail.subject
    message["Date"] = email.utils.format_datetime(now)
    # an explicit domain: make_msgid's default asks DNS for this host's name
    domain = sender.rpartition("@")[2] or "localhost"
    message["Message-ID"] = email.utils.make_msgid(f"n{mail.notification_id}", domain=domain)
    message.set_content(mail.body_text)
    if mail.body_html:
        message.add_alternative(mail.body_html, subtype="html")
    if mail.ics:
        message.add_attachment(
            mail.ics, subtype="calendar", filename=INVITE_NAME, params={"method": _method(mail)}
        )
    return message


class FileSender:
    """Writes each mail as an .eml file in the outbox folder (the embedded default)."""

    def __init__(self, folder: Path, sender: str):
        self.folder = folder
        self.sender = sender

    def send(self, mail: OutgoingMail) -> SendResult:
        now = clock.now()
        data = build_email(mail, self.sender, now).as_bytes(policy=email.policy.SMTP)
        # sortable by time; the random part keeps a resend at the same instant apart
        name = f"{now:%Y%m%dT%H%M%S%fZ}-n{mail.notification_id}-{secrets.token_hex(3)}.eml"
        try:
            self._write(name, data)
        except OSError as exc:  # a full disk or a missing folder: nothing was written
            raise TemporaryFailure(f"cannot write {name}: {exc}") from exc
        return SendResult(provider_id=name)

    def _write(self, name: str, data: bytes) -> None:
        """Write to a temporary file, then rename: a reader never sees half a mail."""
        self.folder.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=self.folder, prefix=".", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, self.folder / name)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise


class ConsoleSender:
    """Prints each mail (development)."""

    def __init__(self, sender: str, stream: TextIO | None = None):
        self.sender = sender
        self.stream = stream

    def send(self, mail: OutgoingMail) -> SendResult:
        lines = [
            f"From: {self.sender}",
            f"To: {mail.to_address}",
            f"Subject: {mail.subject}",
            f"X-Notification: {mail.notification_id}",
            "",
            mail.body_text,
        ]
        if mail.body_html:
            lines.append(f"[HTML alternative: {len(mail.body_html)} characters]")
        if mail.ics:
            lines.append(f"[attachment: {INVITE_NAME}, text/calendar]")
        print(*lines, "-" * 72, sep="\n", file=self.stream or sys.stdout)
        return SendResult(provider_id=None)


# --- SendGrid -------------------------------------------------------------------------


class SendGridSender:
    """SendGrid's v3 mail/send through the official client, with a request timeout."""

    def __init__(
        self,
        api_key: str,
        sender: str,
        *,
        host: str = "https://api.sendgrid.com",
        timeout: float = SENDGRID_TIMEOUT,
    ):
        self.client = sendgrid.SendGridAPIClient(api_key=api_key, host=host)
        self.sender = sender
        self.timeout = timeout

    def send(self, mail: OutgoingMail) -> SendResult:
        # SendGridAPIClient.send() sets no timeout (urllib would wait for ever); the
        # python_http_client call it wraps takes one per request.
        endpoint = self.client.client.mail.send
        try:
            response = endpoint.post(request_body=self.payload(mail), timeout=self.timeout)
        except http_errors.HTTPError as exc:
            raise _from_status(exc) from exc
        except urllib.error.URLError as exc:
            # urllib wraps what fails while connecting and writing: nothing was delivered
            raise TemporaryFailure(f"no connection to SendGrid: {exc.reason}") from exc
        except (OSError, http.client.HTTPException) as exc:
            # raised while waiting for the answer: SendGrid may have accepted the mail
            raise Unknown(f"no answer from SendGrid within {self.timeout:g}s: {exc!r}") from exc
        return SendResult(provider_id=response.headers.get("X-Message-Id"))

    def payload(self, mail: OutgoingMail) -> dict:
        """The v3 request body; metadata carries the template name and the row id only."""
        message = sg.Mail(
            from_email=self.sender,
            to_emails=mail.to_address,
            subject=mail.subject,
            plain_text_content=mail.body_text,
            html_content=mail.body_html or None,
        )
        message.category = sg.Category(mail.template)
        message.custom_arg = sg.CustomArg("notification_id", str(mail.notification_id))
        if mail.ics:
            message.attachment = sg.Attachment(
                sg.FileContent(b64encode(mail.ics.encode()).decode("ascii")),
                sg.FileName(INVITE_NAME),
                sg.FileType(f"text/calendar; method={_method(mail)}"),
                sg.Disposition("attachment"),
            )
        return message.get()


def _method(mail: OutgoingMail) -> str:
    """The invitation's METHOD: the part's `method=` must say the same (RFC 6047)."""
    return ical.method_of(mail.ics or "")


def _from_status(exc: http_errors.HTTPError) -> SendError:
    status = exc.status_code
    detail = f"SendGrid answered {status}: {_text(exc.body)}"
    if status == 429:
        return RateLimited(detail, _reset_at(exc.headers))
    if status >= 500:
        return TemporaryFailure(detail)
    return PermanentFailure(detail)


def _reset_at(headers) -> dt.datetime | None:
    """X-RateLimit-Reset: the epoch second at which the limit resets."""
    value = headers.get("X-RateLimit-Reset") if headers is not None else None
    if value is None:
        return None
    try:
        return dt.datetime.fromtimestamp(int(value), tz=dt.UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def _text(body: bytes | str | None, limit: int = 500) -> str:
    if isinstance(body, bytes):
        body = body.decode("utf-8", "replace")
    return (body or "").strip()[:limit]


# --- SendGrid's signed Event Webhook ----------------------------------------------------

#: the headers of a signed post: the base64 DER signature, and the unix second it was made
SIGNATURE_HEADER = EventWebhookHeader.SIGNATURE
TIMESTAMP_HEADER = EventWebhookHeader.TIMESTAMP


def signed_by_sendgrid(public_key: str, body: str, signature: str, timestamp: str) -> bool:
    """Whether `signature` is SendGrid's ECDSA P-256 / SHA-256 over timestamp + body.

    `public_key` is the verification key as SendGrid shows it (base64 DER); one that is
    not a P-256 public key is a ValueError: a setting to fix, not a bad request.
    """
    key = _webhook_key(public_key)
    try:
        return EventWebhook().verify_signature(body, signature, timestamp, public_key=key)
    except ValueError:  # a signature that is not base64 (binascii.Error) or not DER
        return False


@functools.lru_cache(maxsize=4)
def _webhook_key(public_key: str) -> ec.EllipticCurvePublicKey:
    """The key parsed once: SENDGRID_WEBHOOK_PUBLIC_KEY does not change while the app runs."""
    key = EventWebhook().convert_public_key_to_ecdsa(public_key)
    if not isinstance(key, ec.EllipticCurvePublicKey) or key.curve.name != "secp256r1":
        raise ValueError("SENDGRID_WEBHOOK_PUBLIC_KEY is not an ECDSA P-256 public key")
    return key
