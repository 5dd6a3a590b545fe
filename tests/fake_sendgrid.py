"""A local fake of SendGrid's v3 `POST /v3/mail/send`, for the real `sendgrid` client.

It listens on 127.0.0.1 on an ephemeral port, records every request it receives
(headers and JSON body) and answers from a script: each queued Reply is used once,
then every request gets 202 with a fresh X-Message-Id. A `hang` reply holds the
answer back (a bounded wait on an event, released when the server stops) so that
the client's read timeout fires after the request went out. `answer_delay` makes
every answer come that many seconds after the request was recorded (a slow SendGrid:
the mail is accepted before the client hears so).

    with FakeSendGrid.running() as fake:
        fake.script(Reply.rate_limited(reset=1_795_000_000), Reply(500))
        sender = SendGridSender("SG.test", "from@x", host=fake.url)
"""

from __future__ import annotations

import itertools
import json
import threading
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

#: the longest a hanging reply holds its request (the client gives up long before)
HANG_LIMIT = 10.0


@dataclass(frozen=True)
class Reply:
    status: int = 202
    headers: dict[str, str] = field(default_factory=dict)
    body: dict[str, Any] | None = None
    #: hold the answer back until the server stops (or HANG_LIMIT)
    hang: bool = False

    @classmethod
    def rate_limited(cls, reset: int) -> Reply:
        return cls(429, {"X-RateLimit-Reset": str(reset)}, _errors("too many requests"))

    @classmethod
    def error(cls, status: int, message: str = "error") -> Reply:
        return cls(status, body=_errors(message))

    @classmethod
    def hanging(cls) -> Reply:
        return cls(hang=True)


def _errors(message: str) -> dict[str, Any]:
    return {"errors": [{"message": message, "field": None, "help": None}]}


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: dict[str, str]
    json: dict[str, Any]


class FakeSendGrid:
    def __init__(self) -> None:
        self.requests: list[Request] = []
        self._replies: deque[Reply] = deque()
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self.stopping = threading.Event()
        #: seconds between recording a request and answering it
        self.answer_delay = 0.0
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    @classmethod
    @contextmanager
    def running(cls) -> Iterator[FakeSendGrid]:
        fake = cls()
        # a short poll interval: shutdown() waits for one poll
        thread = threading.Thread(
            target=fake.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        thread.start()
        try:
            yield fake
        finally:
            fake.stopping.set()  # let hanging handlers finish
            fake.server.shutdown()
            fake.server.server_close()
            thread.join(timeout=HANG_LIMIT)

    def script(self, *replies: Reply) -> None:
        with self._lock:
            self._replies.extend(replies)

    def receive(self, request: Request) -> tuple[Reply, str]:
        """Record a request; the reply to give and the message id for a 202."""
        with self._lock:
            self.requests.append(request)
            reply = self._replies.popleft() if self._replies else Reply()
            return reply, f"fake-{next(self._ids)}"

    def notification_ids(self) -> list[str]:
        """The custom arg `notification_id` of every request received, in order."""
        return [r.json.get("custom_args", {}).get("notification_id") for r in self.requests]


def _handler(fake: FakeSendGrid) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length) or b"{}")
            request = Request("POST", self.path, dict(self.headers.items()), body)
            reply, message_id = fake.receive(request)
            if self.path != "/v3/mail/send":
                reply = Reply.error(404, "not found")
            if reply.hang:
                fake.stopping.wait(HANG_LIMIT)  # bounded; the client's timeout fires first
                return  # answer nothing: the client has given up already
            if fake.answer_delay:
                fake.stopping.wait(fake.answer_delay)
            self._answer(reply, message_id)

        def _answer(self, reply: Reply, message_id: str) -> None:
            data = json.dumps(reply.body).encode() if reply.body is not None else b""
            self.send_response(reply.status)
            if reply.status == 202:
                self.send_header("X-Message-Id", message_id)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(data)
            self.close_connection = True

        def log_message(self, format: str, *args: Any) -> None:
            pass  # keep pytest's output clean

    return Handler
