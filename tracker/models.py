"""Every model, imported once so that the metadata is complete (Alembic, tests)."""

from tracker.audit.models import AuditEntry
from tracker.calendar.models import CalendarFeed, FeedFetch
from tracker.core.db import Base
from tracker.deadlines.models import Deadline, DeadlineRule
from tracker.delays.models import DelayFlag
from tracker.hearings.models import Hearing, Postponement
from tracker.jurisdictions.models import Authority, JudicialVacation, Jurisdiction
from tracker.matters.models import Event, Matter, Person, Proceeding, matter_assignees
from tracker.notifications.models import FlagAlert, Notification
from tracker.users.models import ApiToken, LoginBucket, User

__all__ = [
    "ApiToken",
    "AuditEntry",
    "Authority",
    "Base",
    "CalendarFeed",
    "Deadline",
    "DeadlineRule",
    "DelayFlag",
    "Event",
    "FeedFetch",
    "FlagAlert",
    "Hearing",
    "JudicialVacation",
    "Jurisdiction",
    "LoginBucket",
    "Matter",
    "Notification",
    "Person",
    "Postponement",
    "Proceeding",
    "User",
    "matter_assignees",
]
