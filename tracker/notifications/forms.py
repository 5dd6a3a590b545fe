"""Forms of the outbox page: the list's filters and the resend."""

from __future__ import annotations

import datetime as dt

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, Form, IntegerField, SearchField, SelectField
from wtforms.fields.choices import SelectChoice as C
from wtforms.validators import Length, NumberRange, Optional

from tracker.core import dates, limits
from tracker.core.limits import MAX_ID
from tracker.notifications.models import NotificationStatus

STATUS_CHOICES = [C("", "Any status")] + [C(s.value, s.value) for s in NotificationStatus]


class OutboxFilters(Form):
    """The list's filters, read from the query string (a GET form: no CSRF token)."""

    status = SelectField("Status", choices=STATUS_CHOICES, default="")
    recipient = SearchField("Recipient", validators=[Optional(), Length(max=limits.EMAIL)])
    subject = SearchField("Subject", validators=[Optional(), Length(max=limits.MAIL_SUBJECT)])
    created_from = DateField("Queued from", validators=[Optional()])
    created_to = DateField("Queued to", validators=[Optional()])
    #: keyset pagination: show rows older than this id
    before = IntegerField(validators=[Optional(), NumberRange(min=1, max=MAX_ID)])

    def value(self, name: str):
        """A filter's value, or None when empty or refused."""
        field = self[name]
        return (field.data or None) if not field.errors else None

    def status_value(self) -> NotificationStatus | None:
        status = self.value("status")
        return NotificationStatus(status) if status else None

    def instant(self, name: str, zone: str, *, next_day: bool = False) -> dt.datetime | None:
        """The start of a filter's day (or of the day after) on the reader's clock, in UTC."""
        day = self.value(name)
        if day is None:
            return None
        if next_day:
            day += dt.timedelta(days=1)
        return dt.datetime.combine(day, dt.time(), dates.zone(zone)).astimezone(dt.UTC)


class ResendForm(FlaskForm):
    #: asked for a mail whose delivery is unknown: the provider may have it already
    checked = BooleanField(
        "I checked with the mail provider that this mail was not delivered",
    )
