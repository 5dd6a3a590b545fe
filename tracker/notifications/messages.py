"""Mail rendered from templates, and the mail handed to a sender.

Each mail is a folder under `templates/emails/<name>/` holding `subject.txt`,
`body.txt` and `body.html` (warehouse's layout). The context is plain values the
caller prepares (dates already written in the reader's zone); it must carry
`base_url` (settings.base_url) so that every mail links back to its item. A key
missing from the context is an error at queueing time, never a hole in a sent mail.

A subject shows on lock screens and in mail providers' logs, so it is rendered from
SUBJECT_KEYS only — numbers, dates and times the tracker wrote — never from what a
person typed (titles, names, notes go in the body).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import jinja2

from tracker.core import labels, limits, resources

NAME = re.compile(r"^[a-z0-9_]+$")
SUBJECT_MAX = limits.MAIL_SUBJECT
#: what a subject may show: counts, and dates and times written by the tracker
SUBJECT_KEYS = ("days", "when", "due_on", "as_of", "count", "undelivered")


@dataclass(frozen=True)
class RenderedMail:
    subject: str
    body_text: str
    body_html: str


@dataclass(frozen=True)
class OutgoingMail:
    """What a sender needs, and nothing it should not see."""

    notification_id: int
    #: the template's name: the only thing about the mail that goes into provider metadata
    template: str
    to_address: str
    subject: str
    body_text: str
    body_html: str
    ics: str | None = None


@functools.cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(resources.templates_dir() / "emails"),
        # HTML bodies escape every value (names and notes are user input); text bodies do not.
        autoescape=jinja2.select_autoescape(["html"], default_for_string=False),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    # the pages' words for codes (`tracker.core.labels`): "Critical", "MLA request"
    env.filters.update(words=labels.words, phrase=labels.in_sentence, period=labels.period)
    return env


def render(template: str, context: Mapping[str, Any]) -> RenderedMail:
    """Render a mail folder's subject, text body and HTML body with one context."""
    if not NAME.match(template):
        raise ValueError(f"bad mail template name {template!r}")
    env = _environment()
    fixed = {key: context[key] for key in SUBJECT_KEYS if key in context}
    subject = env.get_template(f"{template}/subject.txt").render(fixed)
    text, html = (env.get_template(f"{template}/{part}").render(context) for part in _BODIES)
    return RenderedMail(subject=one_line(subject), body_text=text, body_html=html)


_BODIES = ("body.txt", "body.html")


def one_line(subject: str) -> str:
    """A header value on one line (no header injection), within the column's length."""
    subject = " ".join(subject.split())
    return subject if len(subject) <= SUBJECT_MAX else subject[: SUBJECT_MAX - 1] + "…"
