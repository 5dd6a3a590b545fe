"""Every model, imported once so that the metadata is complete (Alembic, tests)."""

from tracker.audit.models import AuditEntry, AuditHead
from tracker.calendar.models import CalendarFeed, FeedFetch
from tracker.core.db import Base
from tracker.deadlines.models import Deadline, DeadlineRule
from tracker.delays.models import DelayFlag
from tracker.hearings.models import Hearing, Postponement
from tracker.jurisdictions.models import Authority, JudicialVacation, Jurisdiction
from tracker.matters.models import Event, Matter, Person, Proceeding, matter_assignees
from tracker.notifications.models import DeliveryEvent, FlagAlert, Notification
from tracker.users.models import (
    ApiToken,
    LoginBucket,
    RecoveryCode,
    SecondFactor,
    SiteSetting,
    User,
    UserSession,
)

__all__ = [
    "ApiToken",
    "AuditEntry",
    "AuditHead",
    "Authority",
    "Base",
    "CalendarFeed",
    "Deadline",
    "DeadlineRule",
    "DelayFlag",
    "DeliveryEvent",
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
    "RecoveryCode",
    "SecondFactor",
    "SiteSetting",
    "User",
    "UserSession",
    "matter_assignees",
]
