"""The deadline reminder's .ics attachment, from a real database (SQLite and PostgreSQL).

A Rule 39 request due at 16:00 in Strasbourg, in a Belgian proceeding: the invitation
carries Strasbourg's zone (the rule's jurisdiction's, not the proceeding's) and its
VTIMEZONE, or in discreet mail the same instants in UTC and no place at all. Read back
with `icalendar` and `vobject`.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo

import factories
import pytest
import sqlalchemy as sa
from ical_readers import icalendar_events, vobject_events, vtimezones

from tracker.core import clock
from tracker.deadlines.enums import OffsetUnit
from tracker.models import Deadline, DeadlineRule, Notification
from tracker.notifications import alerts

UTC = dt.UTC
START = dt.datetime(2026, 11, 1, 9, 0, tzinfo=UTC)  # when the dossier is typed in
PARIS = "Europe/Paris"
#: 16:00 in Strasbourg on a winter Tuesday: 15:00 UTC
DUE_AT = dt.datetime(2026, 12, 15, 16, 0, tzinfo=zoneinfo.ZoneInfo(PARIS)).astimezone(UTC)
#: the 3-day reminder's sweep
SWEEP = dt.datetime(2026, 12, 12, 9, tzinfo=UTC)


@pytest.fixture
def rule_39(client, database) -> dict:
    """A lawyer's matter in Belgium with a Rule 39 request due at 16:00 in Strasbourg."""
    with clock.frozen(START):
        factories.jurisdiction(database, "BE", "Belgium", "Europe/Brussels")
        echr = factories.jurisdiction(database, "ECHR", "ECHR", PARIS)
        staff = factories.login(client, database, "staff", "staff@example.org")
        lawyer = factories.login(client, database, "lawyer", "lawyer@example.org")
        matter = factories.matter(staff, "Dossier A", assignees=[lawyer.email])
        proceeding = factories.proceeding(staff, matter["id"], title="Removal to Kazakhstan")
        with database.unit_of_work() as session:
            rule = DeadlineRule(
                code="TEST-RULE-39",
                jurisdiction_id=echr,
                title="Rule 39 request",
                trigger_kind="removal_scheduled",
                amount=1,
                unit=OffsetUnit.working_days,
                due_time=dt.time(16),
            )
            session.add(rule)
            session.flush()
            deadline = Deadline(
                proceeding_id=proceeding["id"],
                title="Rule 39 request",
                due_on=dt.date(2026, 12, 15),
                due_at=DUE_AT,
                rule_id=rule.id,
            )
            session.add(deadline)
            session.flush()
            return {"lawyer": lawyer, "deadline": deadline.id}


def choose(api: factories.Api, discreet: bool) -> None:
    """The reader sets discreet mail on their account."""
    with clock.frozen(START):
        version = factories.ok(api.get("/me"))["version"]
        changes = {"version": version, "preferences": {"discreet_mail": discreet}}
        factories.ok(api.patch("/me", changes))


def reminder(database, settings) -> str:
    """The one deadline reminder queued by the sweep: its .ics."""
    with clock.frozen(SWEEP), database.unit_of_work() as session:
        alerts.deadline_reminders(session, clock.now(), settings)
    with database.sessionmaker() as session:
        [mail] = session.scalars(sa.select(Notification)).all()
    assert mail.template.startswith("deadline_reminder")
    assert mail.ics
    return mail.ics


def test_the_reminder_s_invitation_is_the_hour_before_in_strasbourg(database, settings, rule_39):
    choose(rule_39["lawyer"], discreet=False)
    data = reminder(database, settings).encode()
    [(uid, event)] = icalendar_events(data).items()
    [other] = vobject_events(data).values()

    assert uid.startswith(f"deadline-{rule_39['deadline']}@")  # the feeds' UID
    assert str(event["SUMMARY"]) == "Deadline (BE)"  # minimal: mailboxes get hacked too
    assert str(event["DTEND"].params["TZID"]) == PARIS
    end, start = event.DTEND, event.DTSTART
    assert end.astimezone(UTC) == dt.datetime(2026, 12, 15, 15, 0, tzinfo=UTC)
    assert end.replace(tzinfo=vtimezones(data)[PARIS]).astimezone(UTC) == DUE_AT
    assert end - start == dt.timedelta(hours=1)
    assert other.dtend.value.astimezone(UTC) == DUE_AT
    assert list(vtimezones(data)) == [PARIS]
    assert b"Dossier A" not in data
    assert b"Removal" not in data


def test_the_discreet_invitation_is_in_utc_with_no_place(database, settings, rule_39):
    data = reminder(database, settings).encode()  # a lawyer has discreet mail by default
    [event] = icalendar_events(data).values()
    [other] = vobject_events(data).values()

    assert str(event["SUMMARY"]) == "Deadline"
    assert event.decoded("DTEND") == DUE_AT
    assert event.decoded("DTEND").utcoffset() == dt.timedelta(0)
    assert "TZID" not in event["DTEND"].params
    assert other.dtstart.value == DUE_AT - dt.timedelta(hours=1)
    assert vtimezones(data) == {}
    # a REQUEST from MAIL_FROM to the reader, who is asked for no answer (iTIP)
    assert str(event["ORGANIZER"]) == f"mailto:{settings.mail_from}"
    assert str(event["ATTENDEE"]) == "mailto:lawyer@example.org"
    assert event["ATTENDEE"].params["RSVP"] == "FALSE"
    assert not re.search(rb"\bBE\b", data)  # the code as a word ("BEGIN" is no leak)
    for word in (b"ECHR", b"Paris", b"Brussels", b"Dossier A", b"Removal"):
        assert word not in data, word
