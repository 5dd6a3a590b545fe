"""Court invitations in (.ics): the reader and the operation that applies them to a
proceeding, on SQLite and PostgreSQL. Invitations are written by `icalendar` itself,
and one by Outlook (Exchange) with its Windows zone name, from tests/fixtures."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import factories
import icalendar
import pytest
import sqlalchemy as sa
from factories import audit_entries, nothing_written

from tracker.core import clock, limits
from tracker.core.actors import CLI
from tracker.core.errors import Invalid, NotFound
from tracker.hearings import imports
from tracker.hearings.enums import HearingStatus, OutcomeResult
from tracker.hearings.imports import Action
from tracker.hearings.models import Hearing, Postponement
from tracker.matters import operations as matters
from tracker.users.models import User

OUTLOOK = Path(__file__).parent / "fixtures" / "outlook_invite.ics"
OUTLOOK_UID = "040000008200E00074C5B7101A82E00800000000B0A1D3F4C7B8DB01000000000000000010000000"
BRUSSELS = ZoneInfo("Europe/Brussels")
UTC = dt.UTC


# --- invitations, written by icalendar ----------------------------------------------------


def vevent(
    uid: str = "hearing-1@court.example",
    start: dt.date | dt.datetime = dt.datetime(2027, 3, 15, 9, 30, tzinfo=BRUSSELS),
    sequence: int = 0,
    location: str = "Courtroom 3",
    summary: str = "Extradition hearing",
    **extra: object,
) -> icalendar.Event:
    event = icalendar.Event()
    event.add("uid", uid)
    event.add("dtstamp", dt.datetime(2026, 12, 1, 10, 0, tzinfo=UTC))
    event.add("dtstart", start)
    event.add("sequence", sequence)
    event.add("summary", summary)
    if location:
        event.add("location", location)
    for name, value in extra.items():
        event.add(name.replace("_", "-"), value)
    return event


def calendar(*events: icalendar.Event, method: str | None = "REQUEST") -> bytes:
    cal = icalendar.Calendar()
    cal.add("prodid", "-//Court of Appeal//Listing//EN")
    cal.add("version", "2.0")
    if method:
        cal.add("method", method)
    for event in events or (vevent(),):
        cal.add_component(event)
    return cal.to_ical()


# --- fixtures -----------------------------------------------------------------------------


@pytest.fixture
def admin(client, database, frozen_now):
    factories.jurisdiction(database, "BE", "Belgium", "Europe/Brussels")
    return factories.login(client, database, "admin")


@pytest.fixture
def proceeding(admin) -> int:
    _matter, made = factories.dossier(admin)
    return made["id"]


@pytest.fixture
def apply(database, settings, proceeding):
    """Import bytes into the proceeding as the command line does; returns the report."""

    def run(data: bytes, *, into: int | None = None, dry_run: bool = False, actor=CLI):
        with database.unit_of_work() as session:
            found = matters.get_proceeding(session, actor, into or proceeding)
            return imports.import_invitation(
                session, actor, clock.now(), found, data, settings, dry_run=dry_run
            )

    return run


def hearings(database) -> list[Hearing]:
    with database.sessionmaker() as session:
        rows = list(session.scalars(sa.select(Hearing).order_by(Hearing.id)))
        session.expunge_all()
        return rows


def postponements(database) -> list[Postponement]:
    with database.sessionmaker() as session:
        rows = list(session.scalars(sa.select(Postponement).order_by(Postponement.id)))
        session.expunge_all()
        return rows


def local(hearing: Hearing) -> str:
    return hearing.local_start.isoformat(timespec="minutes")


# --- new hearings -------------------------------------------------------------------------


def test_an_invitation_becomes_a_hearing_that_remembers_its_uid(database, apply, proceeding):
    report = apply(calendar())

    [hearing] = hearings(database)
    assert [(e.action, e.hearing_id) for e in report.events] == [(Action.created, hearing.id)]
    assert report.summary == "1 created"
    assert "2027-03-15 09:30 (Europe/Brussels)" in report.events[0].sentence
    assert (hearing.proceeding_id, local(hearing)) == (proceeding, "2027-03-15T09:30+01:00")
    assert hearing.starts_at == dt.datetime(2027, 3, 15, 8, 30, tzinfo=UTC)
    assert (hearing.timezone, hearing.time_known) == ("Europe/Brussels", True)
    assert (hearing.title, hearing.location) == ("Extradition hearing", "Courtroom 3")
    assert (hearing.source_uid, hearing.source_sequence) == ("hearing-1@court.example", 0)
    assert hearing.court_day == dt.date(2027, 3, 15)  # the derived columns, as for a form
    [created] = audit_entries(database, "hearings")
    assert (created["action"], created["actor"]) == ("create", "system:cli")
    assert created["after"]["source_uid"] == "hearing-1@court.example"


def test_several_events_in_one_calendar_are_several_hearings(database, apply):
    second = vevent("hearing-2@court.example", dt.datetime(2027, 4, 1, 14, 0, tzinfo=BRUSSELS))

    report = apply(calendar(vevent(), second))

    assert [e.action for e in report.events] == [Action.created, Action.created]
    assert [local(h) for h in hearings(database)] == [
        "2027-03-15T09:30+01:00",
        "2027-04-01T14:00+02:00",
    ]


def test_outlook_s_windows_zone_is_read_as_the_court_s_clock(database, apply):
    report = apply(OUTLOOK.read_bytes())

    [hearing] = hearings(database)
    assert report.method == "REQUEST"
    assert report.events[0].action is Action.created
    # W. Europe Standard Time is Europe/Berlin: the same clock as Brussels then
    assert (hearing.timezone, local(hearing)) == ("Europe/Brussels", "2027-03-15T09:30+01:00")
    assert hearing.location == "Zaal 3, Paleis van Justitie"
    assert hearing.title == "Zitting uitlevering"
    assert hearing.source_uid == OUTLOOK_UID


def test_outlook_s_display_name_as_tzid_is_read_by_its_vtimezone(database, apply):
    odd = "(UTC+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna"
    text = OUTLOOK.read_text().replace("TZID:W. Europe Standard Time", f"TZID:{odd}")
    text = text.replace("TZID=W. Europe Standard Time", f'TZID="{odd}"')

    apply(text.encode())

    [hearing] = hearings(database)
    assert hearing.starts_at == dt.datetime(2027, 3, 15, 8, 30, tzinfo=UTC)
    assert hearing.timezone == "Europe/Brussels"


def test_a_zone_whose_clock_differs_from_the_court_s_is_kept(database, apply, admin):
    factories.jurisdiction(database, "GB", "England", "Europe/London")
    matter = factories.matter(admin)
    london = factories.proceeding(admin, matter["id"], jurisdiction="GB")["id"]

    apply(OUTLOOK.read_bytes(), into=london)

    [hearing] = hearings(database)
    assert (hearing.timezone, local(hearing)) == ("Europe/Berlin", "2027-03-15T09:30+01:00")


def test_a_floating_time_is_read_on_the_court_s_clock(database, apply):
    apply(calendar(vevent(start=dt.datetime(2027, 7, 1, 10, 0))))

    [hearing] = hearings(database)
    assert (hearing.timezone, local(hearing)) == ("Europe/Brussels", "2027-07-01T10:00+02:00")


def test_a_utc_time_is_the_same_instant_shown_in_the_court_s_zone(database, apply):
    apply(calendar(vevent(start=dt.datetime(2027, 7, 1, 8, 0, tzinfo=UTC))))

    [hearing] = hearings(database)
    assert hearing.starts_at == dt.datetime(2027, 7, 1, 8, 0, tzinfo=UTC)
    assert (hearing.timezone, local(hearing)) == ("Europe/Brussels", "2027-07-01T10:00+02:00")


def test_outlook_on_the_web_s_utc_zone_is_utc(database, apply):
    data = calendar(vevent(start=dt.datetime(2027, 7, 1, 8, 0)))
    data = data.replace(b"DTSTART:", b'DTSTART;TZID="tzone://Microsoft/Utc":')

    apply(data)

    [hearing] = hearings(database)
    assert hearing.starts_at == dt.datetime(2027, 7, 1, 8, 0, tzinfo=UTC)
    assert hearing.timezone == "Europe/Brussels"


def test_an_all_day_event_is_a_hearing_whose_time_is_not_known(database, apply):
    report = apply(calendar(vevent(start=dt.date(2027, 5, 3))))

    [hearing] = hearings(database)
    assert (hearing.time_known, hearing.court_day) == (False, dt.date(2027, 5, 3))
    assert "2027-05-03 (time not known)" in report.events[0].sentence


def test_to_dos_and_journal_entries_are_left_aside(database, apply):
    todo = icalendar.Todo()
    todo.add("uid", "todo-1")
    todo.add("summary", "File the brief")
    data = calendar(vevent()).replace(b"END:VCALENDAR", todo.to_ical() + b"END:VCALENDAR")

    report = apply(data)

    assert [e.uid for e in report.events] == ["hearing-1@court.example"]
    assert len(hearings(database)) == 1


# --- the same UID again -------------------------------------------------------------------


def test_the_same_file_twice_changes_nothing(database, apply):
    data = OUTLOOK.read_bytes()
    apply(data)
    entries = len(audit_entries(database))

    with nothing_written(database):
        report = apply(data)

    assert report.events[0].action is Action.unchanged
    assert report.events[0].hearing_id == hearings(database)[0].id
    assert len(audit_entries(database)) == entries


def test_a_higher_sequence_with_another_start_is_a_postponement(database, apply):
    apply(calendar())
    [before] = hearings(database)
    later = dt.datetime(2027, 4, 19, 14, 0, tzinfo=BRUSSELS)

    report = apply(calendar(vevent(start=later, sequence=1)))

    [after] = hearings(database)
    [move] = postponements(database)
    assert [(e.action, e.hearing_id) for e in report.events] == [(Action.postponed, before.id)]
    assert after.id == before.id
    assert local(after) == "2027-04-19T14:00+02:00"
    assert (after.status, after.source_sequence) == (HearingStatus.scheduled, 1)
    assert after.sequence == before.sequence + 1
    assert after.version > before.version
    assert (move.from_starts_at, move.to_starts_at) == (before.starts_at, after.starts_at)
    assert move.reason == "Rescheduled by the court's invitation (SEQUENCE 1)"
    assert after.dates_set == 2
    assert audit_entries(database, "hearings")[-1]["action"] == "postpone"


def test_an_older_sequence_after_a_move_changes_nothing(database, apply):
    apply(calendar())
    apply(calendar(vevent(start=dt.datetime(2027, 4, 19, 14, 0, tzinfo=BRUSSELS), sequence=2)))

    with nothing_written(database):
        report = apply(calendar(vevent(sequence=1)))

    assert report.events[0].action is Action.unchanged
    assert "SEQUENCE 2" in report.events[0].sentence


def test_a_new_place_alone_is_an_update_not_a_move(database, apply):
    apply(calendar())

    report = apply(calendar(vevent(sequence=1, location="Courtroom 7, second floor")))

    [hearing] = hearings(database)
    assert report.events[0].action is Action.updated
    assert hearing.location == "Courtroom 7, second floor"
    assert (hearing.source_sequence, postponements(database)) == (1, [])
    update = audit_entries(database, "hearings")[-1]
    assert (update["action"], update["after"]["location"]) == ("update", hearing.location)


def test_a_higher_sequence_that_changes_nothing_writes_nothing(database, apply):
    apply(calendar())

    with nothing_written(database):
        report = apply(calendar(vevent(sequence=3, description="Bring the file")))

    assert report.events[0].action is Action.unchanged


def test_a_move_by_invitation_mails_the_update_to_those_invited(database, apply):
    from tracker.notifications import reminders
    from tracker.notifications.models import Notification

    apply(calendar())
    [hearing] = hearings(database)
    with database.unit_of_work() as session:  # a reader was sent the reminder's invitation
        reader = User(email="lawyer@example.org", role="admin", active=True)
        session.add(reader)
        session.flush()
        session.add(
            Notification(
                dedup_key=f"{reminders.hearing_keys(hearing.id)}7:{reader.id}",
                recipient_id=reader.id,
                to_address=reader.email,
                template="hearing_reminder",
                subject="Hearing in 7 days",
                body_text="",
                next_attempt_at=clock.now(),
                created_at=clock.now(),
            )
        )

    apply(calendar(vevent(start=dt.datetime(2027, 4, 19, 14, 0, tzinfo=BRUSSELS), sequence=1)))

    with database.sessionmaker() as session:
        update = session.scalars(
            sa.select(Notification).where(Notification.template == "hearing_update")
        ).one()
        assert update.to_address == "lawyer@example.org"
        assert "SEQUENCE:1" in update.ics  # the hearing's own SEQUENCE, moved once
        assert "METHOD:REQUEST" in update.ics


# --- cancellations ------------------------------------------------------------------------


def test_a_cancel_method_cancels_the_hearing_it_names(database, apply):
    apply(OUTLOOK.read_bytes())
    cancel = OUTLOOK.read_text().replace("METHOD:REQUEST", "METHOD:CANCEL")
    cancel = cancel.replace("SEQUENCE:0", "SEQUENCE:1").replace("STATUS:CONFIRMED", "")

    report = apply(cancel.encode())

    [hearing] = hearings(database)
    assert [(e.action, e.hearing_id) for e in report.events] == [(Action.cancelled, hearing.id)]
    assert (hearing.status, hearing.outcome) == (HearingStatus.cancelled, OutcomeResult.cancelled)
    assert hearing.outcome_summary == "Cancelled by the court's invitation (SEQUENCE 1)"
    assert audit_entries(database, "hearings")[-1]["action"] == "outcome"

    with nothing_written(database):
        again = apply(cancel.encode())
    assert again.events[0].action is Action.unchanged


def test_a_cancelled_status_in_a_request_cancels_too(database, apply):
    apply(calendar())

    report = apply(calendar(vevent(sequence=1, status="CANCELLED")))

    assert report.events[0].action is Action.cancelled
    assert hearings(database)[0].status is HearingStatus.cancelled


def test_a_cancellation_of_an_unknown_uid_is_reported_and_writes_nothing(database, apply):
    with nothing_written(database):
        report = apply(calendar(vevent(uid="never-seen"), method="CANCEL"))

    assert [(e.action, e.hearing_id) for e in report.events] == [(Action.skipped, None)]
    assert "nothing to cancel" in report.events[0].sentence


# --- dry run ------------------------------------------------------------------------------


def test_a_dry_run_reports_what_would_happen_and_writes_nothing(database, apply):
    with nothing_written(database):
        report = apply(calendar(), dry_run=True)

    assert report.dry_run
    assert [(e.action, e.hearing_id) for e in report.events] == [(Action.created, None)]

    apply(calendar())
    moved = calendar(vevent(start=dt.datetime(2027, 4, 19, 14, 0, tzinfo=BRUSSELS), sequence=1))
    with nothing_written(database):
        report = apply(moved, dry_run=True)
    assert report.events[0].action is Action.postponed


# --- refusals -----------------------------------------------------------------------------

BAD_FILES = {
    "not text": (b"\xff\xfe\x00B\x00E", "not UTF-8"),
    "not iCalendar": (b"Name,Date\nHearing,2027-03-15\n", "does not begin with BEGIN:VCALENDAR"),
    "cut short": (b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:x\r\n", "not valid iCalendar"),
    "no event": (b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n", "no event (VEVENT)"),
    "too large": (b"BEGIN:VCALENDAR\r\n" + b" " * limits.INVITE_BYTES, "larger than 512 KB"),
    "recurring": (calendar(vevent(rrule={"freq": "weekly"})), "repeats (RRULE)"),
    "no start": (calendar(vevent()).replace(b"DTSTART;", b"X-NOT-DTSTART;"), "no start"),
    "bad start": (
        calendar(vevent(start=dt.datetime(2027, 3, 15, 9, 30))).replace(
            b"DTSTART:20270315T093000", b"DTSTART:2027"
        ),
        "start it cannot read",
    ),
    "unknown zone": (
        calendar(vevent()).replace(b"TZID=Europe/Brussels", b"TZID=Court Standard Time"),
        "'Court Standard Time'",
    ),
    "an answer": (calendar(method="REPLY"), "METHOD is REPLY: only invitations"),
    "no uid": (calendar(vevent()).replace(b"UID:", b"X-NO-UID:"), "has no UID"),
    "same uid twice": (calendar(vevent(), vevent()), "two events share the UID"),
    "a time the clocks skip": (
        calendar(vevent(start=dt.datetime(2027, 3, 28, 2, 30))),
        "does not exist in Europe/Brussels",
    ),
}


@pytest.mark.parametrize("name", BAD_FILES)
def test_a_file_that_cannot_be_read_faithfully_is_refused_and_nothing_written(
    database, apply, name
):
    data, message = BAD_FILES[name]

    with nothing_written(database), pytest.raises(Invalid) as refused:
        apply(data)

    assert message in refused.value.message
    assert refused.value.status == 422


def test_one_bad_event_refuses_the_whole_file(database, apply):
    good = vevent("good-1")
    skipped = vevent("bad-1", dt.datetime(2027, 3, 28, 2, 30), summary="Night hearing")

    with nothing_written(database), pytest.raises(Invalid) as refused:
        apply(calendar(good, skipped))

    assert refused.value.message.startswith("“Night hearing”: ")


def test_a_finished_hearing_is_left_as_it_is_and_the_other_events_imported(database, apply):
    """A court re-sending its listing after a hearing was held or cancelled: the move is
    reported, not applied (a postponement of the past), and the file's other events
    still count."""
    apply(calendar())
    apply(calendar(vevent(sequence=1, status="CANCELLED")))
    later = dt.datetime(2027, 5, 1, 9, 0, tzinfo=BRUSSELS)
    second = vevent("hearing-2@court.example", dt.datetime(2027, 4, 1, 14, 0, tzinfo=BRUSSELS))

    report = apply(calendar(vevent(start=later, sequence=2, location="Room 9"), second))

    assert [e.action for e in report.events] == [Action.unchanged, Action.created]
    assert report.events[0].sentence.endswith("it is cancelled: SEQUENCE 2 is not applied.")
    cancelled, added = hearings(database)
    assert (cancelled.status, local(cancelled)) == (
        HearingStatus.cancelled,
        "2027-03-15T09:30+01:00",
    )
    assert (cancelled.location, cancelled.source_sequence) == ("Courtroom 3", 1)
    assert postponements(database) == []
    assert added.source_uid == "hearing-2@court.example"


def test_a_hearing_typed_in_by_hand_for_the_same_time_takes_the_invitation(
    database, apply, admin, proceeding
):
    typed = factories.hearing(admin, proceeding, "2027-03-15T09:30", location="Room 1")

    report = apply(calendar())

    [hearing] = hearings(database)
    assert [(e.action, e.hearing_id) for e in report.events] == [(Action.linked, typed["id"])]
    assert report.summary == "1 linked"
    assert (hearing.source_uid, hearing.source_sequence) == ("hearing-1@court.example", 0)
    assert hearing.location == "Room 1"  # the hearing as typed, only linked
    linked = audit_entries(database, "hearings")[-1]
    assert (linked["action"], linked["after"]) == (
        "update",
        {"source_uid": "hearing-1@court.example", "source_sequence": 0},
    )
    # and the court's next update moves it, as for an imported one
    moved = apply(
        calendar(vevent(start=dt.datetime(2027, 4, 2, 9, 30, tzinfo=BRUSSELS), sequence=1))
    )
    assert [e.action for e in moved.events] == [Action.postponed]
    [hearing] = hearings(database)
    assert local(hearing) == "2027-04-02T09:30+02:00"


def test_an_invitation_without_one_hand_typed_twin_is_a_new_hearing(
    database, apply, admin, proceeding
):
    factories.hearing(admin, proceeding, "2027-03-15T09:30", title="First")
    factories.hearing(admin, proceeding, "2027-03-15T09:30", title="Second")  # which one?
    factories.hearing(admin, proceeding, "2027-03-15T10:30", title="Another hour")

    report = apply(calendar())

    assert [e.action for e in report.events] == [Action.created]
    assert [h.source_uid for h in hearings(database)] == [
        None,
        None,
        None,
        "hearing-1@court.example",
    ]


def test_a_lawyer_cannot_import_into_a_matter_not_theirs(database, apply, client):
    lawyer_id, _email, _token = factories.make_user(database, "lawyer")
    with database.sessionmaker() as session:
        lawyer = session.get(User, lawyer_id)
        session.expunge(lawyer)

    with nothing_written(database), pytest.raises(NotFound):
        apply(calendar(), actor=lawyer)
