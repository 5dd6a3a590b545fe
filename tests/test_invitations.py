"""Hearing invitations by mail as iTIP (RFC 5546), from a real database (both DBs).

The 7-day reminder invites two lawyers (one with plain mail, one with discreet mail);
then the hearing is postponed, adjourned sine die, cancelled, or a postponement is
withdrawn, through the API as the pages do it. Every invitation is read back with
`icalendar`, and sent through the file and SendGrid backends.
"""

from __future__ import annotations

import base64
import datetime as dt
import email.parser
import email.policy
import zoneinfo

import factories
import icalendar
import pytest
import sqlalchemy as sa
from fake_sendgrid import FakeSendGrid
from ical_readers import mail_calendar as calendar
from ical_readers import mail_event as event
from ical_readers import mail_sequence as sequence
from pages import sign_in

from tracker.core import clock
from tracker.models import Hearing, Notification, User
from tracker.notifications import alerts, invitations, outbox, senders

UTC = dt.UTC
ZONE = "Europe/Brussels"
BRUSSELS = zoneinfo.ZoneInfo(ZONE)
START = dt.datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
#: the 7-day reminder's sweep for a hearing on 15 Dec 2026
SWEEP = dt.datetime(2026, 12, 8, 9, 30, tzinfo=UTC)
#: when the hearing is changed, after the reminder
LATER = dt.datetime(2026, 12, 9, 9, 0, tzinfo=UTC)

PLAIN = "amina@lawyers.example"
DISCREET = "ben@lawyers.example"
COURT = "Cour d'appel de Bruxelles"
PLACE = "Salle 3, Palais de justice"
MATTER = "Ablyazov extradition"
PROCEEDING = "Extradition to Kazakhstan"
#: what a discreet mail and its invitation never contain
SECRETS = (COURT, PLACE, MATTER, PROCEEDING, ZONE, "Brussels", "(BE)")


class Office:
    def __init__(self, client, database, settings):
        self.client = client
        self.database = database
        self.settings = settings
        with clock.frozen(START):
            factories.jurisdiction(database, "BE", "Belgium", ZONE)
            self.staff = factories.login(client, database, "staff", "staff@example.org")
            self.plain = factories.login(client, database, "lawyer", PLAIN)
            self.discreet = factories.login(client, database, "lawyer", DISCREET)
            self.matter = factories.matter(self.staff, MATTER, assignees=[PLAIN, DISCREET])
            proceeding = factories.proceeding(
                self.staff, self.matter["id"], title=PROCEEDING, authority=COURT
            )
            self.hearing = factories.hearing(
                self.staff, proceeding["id"], "2026-12-15T10:00", location=PLACE
            )
            version = factories.ok(self.plain.get("/me"))["version"]
            factories.ok(
                self.plain.patch(
                    "/me", {"version": version, "preferences": {"discreet_mail": False}}
                )
            )
        with database.unit_of_work() as session:
            # a name with the characters a parameter value must quote
            user = session.scalar(sa.select(User).where(User.email == PLAIN))
            user.name = "Amina K., counsel"

    @property
    def hearing_id(self) -> int:
        return self.hearing["id"]

    def remind(self) -> None:
        with clock.frozen(SWEEP), self.database.unit_of_work() as session:
            assert alerts.hearing_reminders(session, clock.now(), self.settings).counts == {
                "hearing reminders": 2
            }

    def current(self) -> dict:
        return factories.ok(self.staff.get(f"/hearings/{self.hearing_id}"))

    def postpone(self, to: str | None) -> dict:
        with clock.frozen(LATER):
            version = self.current()["version"]
            return factories.postpone(self.staff, self.hearing_id, to, version=version)

    def cancel(self) -> dict:
        with clock.frozen(LATER):
            body = {"result": "cancelled", "version": self.current()["version"]}
            return factories.ok(self.staff.post(f"/hearings/{self.hearing_id}/outcome", body))

    def withdraw(self, postponement_id: int) -> dict:
        with clock.frozen(LATER + dt.timedelta(hours=1)):
            body = {"version": self.current()["version"], "reason": "recorded by mistake"}
            path = f"/postponements/{postponement_id}/withdraw"
            return factories.ok(self.staff.post(path, body))

    def mails(self, *templates: str) -> list[Notification]:
        with self.database.sessionmaker() as session:
            query = sa.select(Notification).order_by(Notification.id)
            if templates:
                query = query.where(Notification.template.in_(templates))
            return list(session.scalars(query))

    def to(self, address: str, *templates: str) -> list[Notification]:
        return [mail for mail in self.mails(*templates) if mail.to_address == address]


@pytest.fixture
def office(client, database, settings) -> Office:
    return Office(client, database, settings)


UPDATES = ("hearing_update", "hearing_update_discreet")
CANCELS = (
    "hearing_cancelled",
    "hearing_cancelled_discreet",
    "hearing_adjourned",
    "hearing_adjourned_discreet",
)
REMINDERS = ("hearing_reminder", "hearing_reminder_discreet")


# --- the reminder's invitation ------------------------------------------------------------


def test_the_reminder_is_a_request_from_the_organizer_to_its_reader(office):
    office.remind()
    [mail] = office.to(PLAIN)
    found = event(mail)

    assert str(calendar(mail)["METHOD"]) == "REQUEST"
    assert str(found["UID"]) == f"hearing-{office.hearing_id}@127.0.0.1"  # the feeds' UID
    assert str(found["ORGANIZER"]) == "mailto:tracker@localhost"  # MAIL_FROM
    attendee = found["ATTENDEE"]
    assert str(attendee) == f"mailto:{PLAIN}"
    assert attendee.params["CN"] == "Amina K., counsel"
    assert attendee.params["PARTSTAT"] == "NEEDS-ACTION"
    assert attendee.params["RSVP"] == "FALSE"
    assert int(found["SEQUENCE"]) == office.current()["sequence"] == 0
    assert found.decoded("DTSTAMP").tzinfo is not None
    assert found.decoded("DTSTART") == dt.datetime(2026, 12, 15, 10, tzinfo=BRUSSELS)
    assert found["DTSTART"].params["TZID"] == ZONE


# --- updates ------------------------------------------------------------------------------


def test_a_postponement_updates_each_reader_once_with_the_same_uid(office):
    office.remind()
    reminders = {mail.to_address: mail for mail in office.mails(*REMINDERS)}

    after = office.postpone("2027-01-20T14:30")

    updates = {mail.to_address: mail for mail in office.mails(*UPDATES)}
    assert sorted(updates) == [PLAIN, DISCREET]
    for address, update in updates.items():
        reminder = reminders[address]
        assert str(calendar(update)["METHOD"]) == "REQUEST"
        assert str(event(update)["UID"]) == str(event(reminder)["UID"])
        assert sequence(update) > sequence(reminder)
        assert sequence(update) == after["sequence"]
        assert str(event(update)["ATTENDEE"]) == f"mailto:{address}"
        assert update.dedup_key == f"hearing:{office.hearing_id}:seq:{after['sequence']}:" + str(
            update.recipient_id
        )
    moved = event(updates[PLAIN])
    assert moved.decoded("DTSTART") == dt.datetime(2027, 1, 20, 14, 30, tzinfo=BRUSSELS)
    assert moved["DTSTART"].params["TZID"] == ZONE
    assert updates[PLAIN].subject == "Hearing changed: Wed 20 Jan 2027, 14:30 (Europe/Brussels)"


def test_a_postponement_on_the_page_queues_the_updates_with_the_change(office):
    office.remind()
    with clock.frozen(LATER):
        browser = sign_in(office.client, office.database, "staff")
        version = office.current()["version"]
        browser.get(f"/hearings/{office.hearing_id}")
        form = {
            "version": version,
            "action": "postponed",
            "new_date": "2027-01-20",
            "new_time": "14:30",
            "zone": ZONE,
            "decided_on": "2026-12-09",
        }
        response = browser.post(f"/hearings/{office.hearing_id}/outcome", form)

    assert response.status_code == 302
    assert sorted(mail.to_address for mail in office.mails(*UPDATES)) == [PLAIN, DISCREET]


def test_a_refused_change_queues_nothing(office):
    office.remind()
    with clock.frozen(LATER):
        stale = {"to": "2027-01-20T14:30", "version": office.current()["version"] - 1}
        response = office.staff.post(f"/hearings/{office.hearing_id}/postpone", stale)

    assert response.status_code == 409
    assert office.mails(*UPDATES) == []


def test_the_mail_step_run_twice_queues_nothing_more(office):
    office.remind()
    before = office.current()["sequence"]
    office.postpone("2027-01-20T14:30")

    with clock.frozen(LATER), office.database.unit_of_work() as session:
        hearing = session.get(Hearing, office.hearing_id)
        again = invitations.queue_updates(session, hearing, before, clock.now(), office.settings)

    assert again == 0
    assert len(office.mails(*UPDATES)) == 2


def test_a_cancellation_sends_cancel(office):
    office.remind()

    after = office.cancel()

    cancels = office.mails(*CANCELS)
    assert sorted(mail.template for mail in cancels) == [
        "hearing_cancelled",
        "hearing_cancelled_discreet",
    ]
    for mail in cancels:
        found = event(mail)
        assert str(calendar(mail)["METHOD"]) == "CANCEL"
        assert str(found["STATUS"]) == "CANCELLED"
        assert int(found["SEQUENCE"]) == after["sequence"] > 0
        assert str(found["ORGANIZER"]) == "mailto:tracker@localhost"
        assert str(found["ATTENDEE"]) == f"mailto:{mail.to_address}"
    assert office.to(PLAIN, *CANCELS)[0].subject.startswith("Hearing cancelled: Tue 15 Dec 2026")


def test_sine_die_cancels_the_old_date_and_a_new_date_invites_again(office):
    office.remind()

    office.postpone(None)
    office.postpone("2027-02-03T09:00")

    [reminder] = office.to(PLAIN, *REMINDERS)
    [adjourned] = office.to(PLAIN, *CANCELS)
    [update] = office.to(PLAIN, *UPDATES)
    assert adjourned.template == "hearing_adjourned"
    assert str(calendar(adjourned)["METHOD"]) == "CANCEL"
    assert str(event(adjourned)["SUMMARY"]).startswith("Adjourned sine die")
    assert str(calendar(update)["METHOD"]) == "REQUEST"
    assert sequence(reminder) < sequence(adjourned) < sequence(update)
    assert len({str(event(m)["UID"]) for m in (reminder, adjourned, update)}) == 1
    assert event(update).decoded("DTSTART") == dt.datetime(2027, 2, 3, 9, tzinfo=BRUSSELS)


def test_a_withdrawn_postponement_moves_the_invitation_back(office):
    office.remind()
    moved = office.postpone("2027-01-20T14:30")

    office.withdraw(moved["postponements"][-1]["id"])

    first, back = office.to(PLAIN, *UPDATES)
    assert sequence(first) < sequence(back) == office.current()["sequence"]
    assert event(back).decoded("DTSTART") == dt.datetime(2026, 12, 15, 10, tzinfo=BRUSSELS)


def test_a_corrected_place_is_an_update_and_an_unchanged_one_is_none(office):
    office.remind()
    path = f"/hearings/{office.hearing_id}"
    with clock.frozen(LATER):
        same = {"version": office.current()["version"], "location": PLACE}
        factories.ok(office.staff.patch(path, same))
        assert office.mails(*UPDATES) == []
        moved = {"version": office.current()["version"], "location": "Salle 5"}
        after = factories.ok(office.staff.patch(path, moved))

    [update] = office.to(PLAIN, *UPDATES)
    assert sequence(update) == after["sequence"] == 1
    assert "Salle 5" in update.body_text
    assert "LOCATION" not in event(update)  # minimal privacy: the mail body names it


def test_a_lawyer_unassigned_from_the_matter_gets_no_update(office):
    office.remind()
    with clock.frozen(LATER):
        version = factories.ok(office.staff.get(f"/matters/{office.matter['id']}"))["version"]
        changes = {"version": version, "assignees": [PLAIN]}
        factories.ok(office.staff.patch(f"/matters/{office.matter['id']}", changes))

    office.postpone("2027-01-20T14:30")

    assert [mail.to_address for mail in office.mails(*UPDATES)] == [PLAIN]


def test_only_readers_who_were_invited_get_updates(office):
    office.postpone("2027-01-20T14:30")  # no reminder went out yet

    assert office.mails() == []


def test_a_discreet_reader_gets_a_discreet_update(office):
    office.remind()
    office.postpone("2027-01-20T14:30")

    [update] = office.to(DISCREET, *UPDATES)

    assert update.template == "hearing_update_discreet"
    assert update.subject == "Hearing changed"
    for text in (update.subject, update.body_text, update.body_html, update.ics):
        assert [secret for secret in SECRETS if secret.lower() in text.lower()] == []
    found = event(update)
    assert str(found["SUMMARY"]) == "Hearing"
    assert "TZID" not in found["DTSTART"].params  # UTC: the court's zone would tell where
    assert found.decoded("DTSTART") == dt.datetime(2027, 1, 20, 14, 30, tzinfo=BRUSSELS)
    assert calendar(update).timezones == []
    assert "13:30 (UTC)" in update.body_text  # on the reader's clock


# --- through the senders ------------------------------------------------------------------


def dispatch(office: Office, sender) -> None:
    summary = outbox.dispatch(office.database, sender, clock=lambda: LATER + dt.timedelta(days=1))
    assert summary.sent == len(office.mails())


def test_the_file_backend_sends_the_method_of_each_invitation(office, tmp_path):
    office.remind()
    office.cancel()

    dispatch(office, senders.FileSender(tmp_path, "tracker@localhost"))

    parser = email.parser.BytesParser(policy=email.policy.default)
    methods = []
    for path in sorted(tmp_path.glob("*.eml")):
        message = parser.parsebytes(path.read_bytes())
        [part] = [p for p in message.iter_attachments() if p.get_content_type() == "text/calendar"]
        parsed = icalendar.Calendar.from_ical(part.get_content())
        assert part.get_param("method") == str(parsed["METHOD"])
        methods.append(str(parsed["METHOD"]))
    assert sorted(methods) == ["CANCEL", "CANCEL", "REQUEST", "REQUEST"]


def test_the_sendgrid_backend_sends_the_method_of_each_invitation(office):
    office.remind()
    office.postpone(None)

    with FakeSendGrid.running() as fake:
        dispatch(office, senders.SendGridSender("SG.test", "tracker@localhost", host=fake.url))

    seen = []
    for request in fake.requests:
        [attachment] = request.json["attachments"]
        parsed = icalendar.Calendar.from_ical(base64.b64decode(attachment["content"]))
        assert attachment["type"] == f"text/calendar; method={parsed['METHOD']}"
        seen.append((request.json["categories"][0], str(parsed["METHOD"])))
    assert sorted(seen) == [
        ("hearing_adjourned", "CANCEL"),
        ("hearing_adjourned_discreet", "CANCEL"),
        ("hearing_reminder", "REQUEST"),
        ("hearing_reminder_discreet", "REQUEST"),
    ]
