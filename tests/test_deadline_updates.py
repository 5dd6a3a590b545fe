"""Deadline invitations updated by mail (iTIP), from a real database (both DBs).

The 7-day reminder invites two lawyers (one with plain mail, one with discreet mail) to
a deadline set by hand and to an appeal deadline computed from a judgment. Then a due
date is overridden, a deadline waived and reopened, the judgment moved or withdrawn,
through the API and the pages. Each update is read back with `icalendar`: the same UID
at a higher SEQUENCE, a REQUEST while the deadline is due, a CANCEL once waived.
"""

from __future__ import annotations

import datetime as dt

import factories
import pytest
import sqlalchemy as sa
from ical_readers import mail_calendar as calendar
from ical_readers import mail_event as event
from ical_readers import mail_sequence as sequence
from pages import sign_in

from tracker.core import clock
from tracker.models import Deadline, Notification
from tracker.notifications import alerts, invitations

UTC = dt.UTC
START = dt.datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
#: the 7-day reminders' sweep for deadlines due on Tuesday 15 Dec 2026
SWEEP = dt.datetime(2026, 12, 8, 9, 30, tzinfo=UTC)
#: when they are changed, after the reminders
LATER = dt.datetime(2026, 12, 9, 9, 0, tzinfo=UTC)

PLAIN = "amina@lawyers.example"
DISCREET = "ben@lawyers.example"
MATTER = "Ablyazov extradition"
PROCEEDING = "Extradition to Kazakhstan"
TITLE = "File the brief"
SECRETS = (MATTER, PROCEEDING, TITLE, "Appeal", "(BE)")

UPDATES = ("deadline_update", "deadline_update_discreet")
WAIVERS = ("deadline_waived", "deadline_waived_discreet")
REMINDERS = ("deadline_reminder", "deadline_reminder_discreet")


class Office:
    def __init__(self, client, database, settings):
        self.client, self.database, self.settings = client, database, settings
        with clock.frozen(START):
            be = factories.jurisdiction(database, "BE", "Belgium", "Europe/Brussels")
            factories.appeal_rule(database, be)
            self.staff = factories.login(client, database, "staff", "staff@example.org")
            plain = factories.login(client, database, "lawyer", PLAIN)
            factories.login(client, database, "lawyer", DISCREET)
            version = factories.ok(plain.get("/me"))["version"]
            body = {"version": version, "preferences": {"discreet_mail": False}}
            factories.ok(plain.patch("/me", body))
            self.matter = factories.matter(self.staff, MATTER, assignees=[PLAIN, DISCREET])["id"]
            proceeding = factories.proceeding(self.staff, self.matter, title=PROCEEDING)
            self.hand = factories.deadline(self.staff, proceeding["id"], title=TITLE)["id"]
            self.judgment = factories.event(
                self.staff, proceeding["id"], "2026-11-30", kind="judgment"
            )["id"]
            computed = {"rule": "BE_TEST_APPEAL", "trigger_event_id": self.judgment}
            self.appeal = factories.created(
                self.staff.post(f"/proceedings/{proceeding['id']}/deadlines", computed)
            )["id"]
        with clock.frozen(SWEEP), database.unit_of_work() as session:
            queued = alerts.deadline_reminders(session, clock.now(), settings)
        assert queued.counts == {"deadline reminders": 4}

    def deadline(self, deadline_id: int) -> dict:
        return factories.ok(self.staff.get(f"/deadlines/{deadline_id}"))

    def patch(self, deadline_id: int, **changes) -> dict:
        with clock.frozen(LATER):
            body = {"version": self.deadline(deadline_id)["version"], **changes}
            return factories.ok(self.staff.patch(f"/deadlines/{deadline_id}", body))

    def event_version(self) -> int:
        return factories.ok(self.staff.get(f"/events/{self.judgment}"))["version"]

    def mails(self, *templates: str, about: int | None = None) -> list[Notification]:
        with self.database.sessionmaker() as session:
            query = sa.select(Notification).order_by(Notification.id)
            query = query.where(Notification.template.in_(templates))
            found = list(session.scalars(query))
        if about is None:
            return found
        return [mail for mail in found if str(event(mail)["UID"]).startswith(f"deadline-{about}@")]


@pytest.fixture
def office(client, database, settings) -> Office:
    return Office(client, database, settings)


def by_reader(mails: list[Notification]) -> dict[str, Notification]:
    found = {mail.to_address: mail for mail in mails}
    assert len(found) == len(mails), "one mail per reader"
    return found


# --- by hand ------------------------------------------------------------------------------


def test_a_new_due_date_updates_each_reader_once_with_the_same_uid(office):
    reminders = by_reader(office.mails(*REMINDERS, about=office.hand))

    after = office.patch(office.hand, due_on="2026-12-18")

    updates = by_reader(office.mails(*UPDATES))
    assert sorted(updates) == [PLAIN, DISCREET]
    for address, update in updates.items():
        reminder = reminders[address]
        assert str(calendar(update)["METHOD"]) == "REQUEST"
        assert str(event(update)["UID"]) == str(event(reminder)["UID"])
        assert sequence(update) > sequence(reminder)
        assert sequence(update) == after["version"] - 1
        assert str(event(update)["ATTENDEE"]) == f"mailto:{address}"
        assert event(update).decoded("DTSTART") == dt.date(2026, 12, 18)
        assert update.dedup_key == f"deadline:{office.hand}:seq:{after['version'] - 1}:" + str(
            update.recipient_id
        )
    plain = updates[PLAIN]
    assert plain.template == "deadline_update"
    assert plain.subject == "Deadline changed: due Fri 18 Dec 2026"
    assert TITLE in plain.body_text
    assert MATTER in plain.body_text


def test_a_discreet_reader_s_update_names_nothing(office):
    office.patch(office.hand, due_on="2026-12-18")

    [update] = office.mails("deadline_update_discreet")
    assert update.to_address == DISCREET
    assert update.subject == "Deadline changed"
    assert "Fri 18 Dec 2026" in update.body_text
    for secret in SECRETS:
        assert secret not in update.ics, secret
        assert secret not in update.body_text, secret
        assert secret not in update.body_html, secret


def test_a_waived_deadline_is_cancelled_and_a_reopened_one_invited_again(office):
    waived = office.patch(office.hand, status="waived")

    cancels = by_reader(office.mails(*WAIVERS))
    assert sorted(cancels) == [PLAIN, DISCREET]
    for cancel in cancels.values():
        assert str(calendar(cancel)["METHOD"]) == "CANCEL"
        assert str(event(cancel)["STATUS"]) == "CANCELLED"
        assert sequence(cancel) == waived["version"] - 1
    assert cancels[PLAIN].subject == "Deadline waived: no longer due Tue 15 Dec 2026"

    reopened = office.patch(office.hand, status="open")

    again = by_reader(office.mails(*UPDATES))
    assert sorted(again) == [PLAIN, DISCREET]
    for update in again.values():
        assert str(calendar(update)["METHOD"]) == "REQUEST"
        assert sequence(update) == reopened["version"] - 1 > waived["version"] - 1


def test_marked_done_or_retitled_no_calendar_changes(office):
    office.patch(office.hand, title="File the brief (final)")
    office.patch(office.hand, status="done")

    assert office.mails(*UPDATES, *WAIVERS) == []


def test_a_refused_change_queues_nothing(office):
    with clock.frozen(LATER):
        stale = {"version": office.deadline(office.hand)["version"] - 1, "due_on": "2026-12-18"}
        response = office.staff.patch(f"/deadlines/{office.hand}", stale)

    assert response.status_code == 409
    assert office.mails(*UPDATES) == []


def test_the_mail_step_run_twice_queues_nothing_more(office):
    office.patch(office.hand, due_on="2026-12-18")

    with clock.frozen(LATER), office.database.unit_of_work() as session:
        deadline = session.get(Deadline, office.hand)
        again = invitations.queue_deadline_update(session, deadline, clock.now(), office.settings)

    assert again == 0
    assert len(office.mails(*UPDATES)) == 2


def test_only_invited_readers_who_still_see_the_matter_get_updates(office, client, database):
    late = "late@lawyers.example"
    with clock.frozen(LATER):
        factories.login(client, database, "lawyer", late)
        version = factories.ok(office.staff.get(f"/matters/{office.matter}"))["version"]
        changes = {"version": version, "assignees": [PLAIN, late]}  # Ben off, a newcomer on
        factories.ok(office.staff.patch(f"/matters/{office.matter}", changes))

    office.patch(office.hand, due_on="2026-12-18")

    assert [m.to_address for m in office.mails(*UPDATES)] == [PLAIN]


def test_the_deadline_page_queues_the_updates_with_the_change(office):
    with clock.frozen(LATER):
        browser = sign_in(office.client, office.database, "staff")
        version = str(office.deadline(office.hand)["version"])
        form = {"mark-version": version, "mark-status": "waived"}
        response = browser.post(f"/deadlines/{office.hand}/status", form)

    assert response.status_code == 302
    assert sorted(m.to_address for m in office.mails(*WAIVERS)) == [PLAIN, DISCREET]


# --- through the trigger event ------------------------------------------------------------


def test_a_moved_judgment_moves_the_computed_deadline_in_the_calendars(office):
    with clock.frozen(LATER):
        body = {"version": office.event_version(), "occurred_on": "2026-11-25"}
        factories.ok(office.staff.patch(f"/events/{office.judgment}", body))
    moved = office.deadline(office.appeal)

    updates = by_reader(office.mails(*UPDATES))
    assert sorted(updates) == [PLAIN, DISCREET]
    for update in updates.values():
        assert str(event(update)["UID"]).startswith(f"deadline-{office.appeal}@")
        assert event(update).decoded("DTSTART") == dt.date.fromisoformat(moved["due_on"])
        assert sequence(update) == moved["version"] - 1
    assert moved["due_on"] != "2026-12-15"
    assert office.mails(*UPDATES, about=office.hand) == []  # not counted from it


def test_a_withdrawn_judgment_cancels_the_computed_deadline(office):
    with clock.frozen(LATER):
        body = {"version": office.event_version(), "reason": "Recorded in the wrong case"}
        factories.ok(office.staff.post(f"/events/{office.judgment}/withdraw", body))

    cancels = by_reader(office.mails(*WAIVERS))
    assert sorted(cancels) == [PLAIN, DISCREET]
    for cancel in cancels.values():
        assert str(event(cancel)["UID"]).startswith(f"deadline-{office.appeal}@")
        assert str(calendar(cancel)["METHOD"]) == "CANCEL"


def test_the_event_pages_queue_the_updates_with_the_change(office):
    with clock.frozen(LATER):
        browser = sign_in(office.client, office.database, "staff")
        version = str(office.event_version())
        response = browser.post(
            f"/events/{office.judgment}/withdraw", {"version": version, "reason": "Wrong case"}
        )

    assert response.status_code == 302
    assert sorted(m.to_address for m in office.mails(*WAIVERS)) == [PLAIN, DISCREET]
