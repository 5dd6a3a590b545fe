"""Reminders before hearings and deadlines, queued once through the outbox (both DBs)."""

from __future__ import annotations

import datetime as dt
import html

import factories
import pytest
import sqlalchemy as sa

from tracker.core import clock
from tracker.models import Notification
from tracker.notifications import alerts

UTC = dt.UTC
START = dt.datetime(2026, 11, 1, 9, 0, tzinfo=UTC)  # when the dossier is typed in


@pytest.fixture
def office(client, database, settings):
    """A staff member who keeps the dossier, and a lawyer assigned to it."""
    with clock.frozen(START):
        factories.jurisdiction(database, "BE", "Belgium", "Europe/Brussels")
        staff = factories.login(client, database, "staff", "staff@example.org")
        lawyer = factories.login(client, database, "lawyer", "lawyer@example.org")
        matter = factories.matter(staff, assignees=["lawyer@example.org"])
        proceeding = factories.proceeding(staff, matter["id"])
    return staff, lawyer, proceeding


def plain_mail(api) -> None:
    """The user turns discreet mail off (on by default for lawyers): mail names the case."""
    version = factories.ok(api.get("/me"))["version"]
    factories.ok(api.patch("/me", {"version": version, "preferences": {"discreet_mail": False}}))


def sweep(database, settings, at: dt.datetime, job=alerts.hearing_reminders):
    with clock.frozen(at), database.unit_of_work() as session:
        return job(session, clock.now(), settings)


def mails(database) -> list[Notification]:
    with database.sessionmaker() as session:
        return list(session.scalars(sa.select(Notification).order_by(Notification.id)))


def test_the_reminder_due_is_queued_once_to_the_assigned_lawyer(office, database, settings):
    staff, lawyer, proceeding = office
    with clock.frozen(START):
        plain_mail(lawyer)
        hearing = factories.hearing(staff, proceeding["id"], "2026-12-15T10:00")

    first = sweep(database, settings, dt.datetime(2026, 12, 8, 9, 30, tzinfo=UTC))
    again = sweep(database, settings, dt.datetime(2026, 12, 8, 10, 30, tzinfo=UTC))

    assert first.counts == {"hearing reminders": 1}
    assert again.counts == {}
    [mail] = mails(database)
    assert (mail.to_address, mail.template) == ("lawyer@example.org", "hearing_reminder")
    assert mail.subject == "Hearing in 7 days: Tue 15 Dec 2026, 10:00 (Europe/Brussels)"
    assert "Your time:  Tue 15 Dec 2026, 09:00 (UTC)" in mail.body_text
    assert f"/hearings/{hearing['id']}" in mail.body_text
    assert mail.dedup_key.startswith(f"remind:hearing:{hearing['id']}:20261215T0900Z:7:")


def test_the_staff_member_who_is_not_assigned_gets_no_reminder(office, database, settings):
    staff, _lawyer, proceeding = office
    with clock.frozen(START):
        factories.hearing(staff, proceeding["id"], "2026-12-15T10:00")

    sweep(database, settings, dt.datetime(2026, 12, 13, 10, tzinfo=UTC))

    assert [m.to_address for m in mails(database)] == ["lawyer@example.org"]


def test_a_moved_hearing_gets_fresh_reminders_and_a_cancelled_one_none(office, database, settings):
    staff, _lawyer, proceeding = office
    with clock.frozen(START):
        moved = factories.hearing(staff, proceeding["id"], "2026-12-15T10:00")
        dropped = factories.hearing(staff, proceeding["id"], "2026-12-16T10:00")
    sweep(database, settings, dt.datetime(2026, 12, 2, 9, tzinfo=UTC))  # 14-day ones
    with clock.frozen(dt.datetime(2026, 12, 2, 10, tzinfo=UTC)):
        factories.postpone(staff, moved["id"], "2026-12-22T10:00")
        staff.post(f"/hearings/{dropped['id']}/outcome", {"result": "cancelled"})

    after = sweep(database, settings, dt.datetime(2026, 12, 15, 10, tzinfo=UTC))

    assert after.counts == {"hearing reminders": 1}
    keys = [m.dedup_key for m in mails(database) if m.dedup_key.startswith("remind:")]
    assert len(keys) == 3  # two 14-day reminders, then the moved hearing's 7-day one
    assert keys[-1].startswith(f"remind:hearing:{moved['id']}:20261222T0900Z:7:")
    # in between, each invitation the 14-day reminders sent was updated (test_invitations)
    updates = [m.template for m in mails(database) if m.dedup_key.startswith("hearing:")]
    assert updates == ["hearing_update_discreet", "hearing_cancelled_discreet"]  # a lawyer


def test_reminders_follow_the_readers_settings(office, database, settings):
    staff, lawyer, proceeding = office
    with clock.frozen(START):
        factories.hearing(staff, proceeding["id"], "2026-12-15T10:00")
        lawyer.patch("/me", {"version": 1, "preferences": {"hearing_reminders": False}})

    done = sweep(database, settings, dt.datetime(2026, 12, 13, 10, tzinfo=UTC))

    assert done.counts == {}
    assert mails(database) == []


def test_deadline_reminders_count_days_in_the_readers_zone(office, database, settings):
    staff, lawyer, proceeding = office
    with clock.frozen(START):
        lawyer.patch(
            "/me",
            {"version": 1, "timezone": "Asia/Almaty", "preferences": {"discreet_mail": False}},
        )
        factories.deadline(staff, proceeding["id"], "2026-12-15", title="File the appeal")
    # 20:00 UTC on 11 Dec is already 12 Dec in Almaty (UTC+5): the 3-day reminder is due.
    late_evening = dt.datetime(2026, 12, 11, 20, tzinfo=UTC)

    done = sweep(database, settings, late_evening, alerts.deadline_reminders)
    again = sweep(database, settings, late_evening, alerts.deadline_reminders)

    assert done.counts == {"deadline reminders": 1}
    assert again.counts == {}
    [mail] = mails(database)
    assert mail.subject == "Deadline in 3 days: Tue 15 Dec 2026"
    assert "File the appeal" in mail.body_text
    assert "Set by hand." in mail.body_text


def test_no_reminder_for_a_deadline_that_is_done(office, database, settings):
    staff, _lawyer, proceeding = office
    with clock.frozen(START):
        made = factories.deadline(staff, proceeding["id"], "2026-12-15")
        staff.patch(f"/deadlines/{made['id']}", {"version": 1, "status": "done"})

    done = sweep(
        database, settings, dt.datetime(2026, 12, 14, 9, tzinfo=UTC), alerts.deadline_reminders
    )

    assert done.counts == {}


def test_no_reminder_for_a_deadline_the_authority_owes(office, database, settings):
    staff, _lawyer, proceeding = office
    with clock.frozen(START):
        body = {"owed_by": "authority", "met_by": ["decision"]}
        factories.deadline(staff, proceeding["id"], "2026-12-15", **body)

    done = sweep(
        database, settings, dt.datetime(2026, 12, 14, 9, tzinfo=UTC), alerts.deadline_reminders
    )

    assert done.counts == {}
    assert mails(database) == []


def test_the_sweep_asks_the_same_number_of_queries_for_one_hearing_or_many(
    office, database, settings
):
    staff, _lawyer, proceeding = office
    with clock.frozen(START):
        factories.hearing(staff, proceeding["id"], "2026-12-15T10:00")
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append(statement)

    sa.event.listen(database.engine, "before_cursor_execute", count)
    try:
        sweep(database, settings, dt.datetime(2026, 11, 30, 9, tzinfo=UTC))  # nothing due
        few = len(statements)
        with clock.frozen(START):
            for day in range(16, 26):
                factories.hearing(staff, proceeding["id"], f"2026-12-{day}T10:00")
        statements.clear()
        sweep(database, settings, dt.datetime(2026, 11, 30, 8, tzinfo=UTC))
    finally:
        sa.event.remove(database.engine, "before_cursor_execute", count)

    assert len(statements) == few


# --- outcome prompts and digests ----------------------------------------------------------


def flag(database, proceeding_id: int, key: str, severity: str = "warning", **fields):
    """A stored delay flag, as a scan would leave it."""
    from tracker.models import DelayFlag

    with database.unit_of_work() as session:
        row = DelayFlag(
            key=key,
            rule=fields.pop("rule", "long_pending"),
            severity=severity,
            proceeding_id=proceeding_id,
            message=fields.pop("message", f"Flag {key}"),
            first_seen=dt.date(2026, 11, 1),
            last_seen=dt.date(2026, 11, 1),
            **fields,
        )
        session.add(row)
        session.flush()
        return row.id


def escalate(database, flag_id: int, severity: str = "critical") -> None:
    from tracker.models import DelayFlag

    with database.unit_of_work() as session:
        session.get(DelayFlag, flag_id).severity = severity


@pytest.fixture
def coordinator(client, database, office):
    with clock.frozen(START):
        return factories.login(client, database, "coordinator", "coord@example.org")


def test_a_digest_tells_each_flag_once_per_severity(office, coordinator, database, settings):
    _staff, _lawyer, proceeding = office
    first = flag(database, proceeding["id"], "long_pending:proceeding:1", message="Old case")
    flag(database, proceeding["id"], "stale_proceeding:proceeding:1", message="Nothing moves")
    morning = dt.datetime(2026, 12, 1, 7, tzinfo=UTC)  # 07:00 UTC = the default hour

    day1 = sweep(database, settings, morning, alerts.digests)
    day1_again = sweep(database, settings, morning + dt.timedelta(hours=3), alerts.digests)
    escalate(database, first)
    day2 = sweep(database, settings, morning + dt.timedelta(days=1), alerts.digests)
    day3 = sweep(database, settings, morning + dt.timedelta(days=2), alerts.digests)

    assert day1.counts == {"digests": 1}
    assert day1_again.counts == {}
    assert day2.counts == {"digests": 1}
    assert day3.counts == {}  # nothing new: no mail at all
    digest1, digest2 = mails(database)
    assert digest1.subject == "Delays: 2 new or escalated flags (Tue 1 Dec 2026)"
    assert "Old case" in digest1.body_text
    assert "Nothing moves" in digest1.body_text
    assert digest2.subject == "Delays: 1 new or escalated flag (Wed 2 Dec 2026)"
    assert "[critical, escalated] Old case" in digest2.body_text
    assert "Nothing moves" not in digest2.body_text


def test_a_flag_stored_by_a_write_is_alerted_once_and_again_when_it_escalates(
    office, coordinator, database, settings
):
    staff, _lawyer, proceeding = office
    morning = dt.datetime(2026, 11, 22, 8, tzinfo=UTC)  # past the digest hour (07:00 UTC)
    with clock.frozen(morning):
        hearing = factories.hearing(staff, proceeding["id"], "2026-12-01T09:00")
        factories.postpone(staff, hearing["id"], "2026-12-15T09:00")
        factories.postpone(staff, hearing["id"], "2027-01-10T09:00")  # twice: a warning
    scan_notify = cli_scan(settings)

    day1 = sweep(database, settings, morning, alerts.digests)  # the write stored the flag
    with clock.frozen(morning):
        assert scan_notify().exit_code == 0  # the scheduled scan finds nothing new to tell
    with clock.frozen(morning + dt.timedelta(days=1)):
        factories.postpone(staff, hearing["id"], "2027-02-10T09:00")  # thrice: critical
    day2 = sweep(database, settings, morning + dt.timedelta(days=1), alerts.digests)
    with clock.frozen(morning + dt.timedelta(days=2)):
        assert scan_notify().exit_code == 0

    assert day1.counts == {"digests": 1}
    assert day2.counts == {"digests": 1}
    first, second = mails(database)  # and no third: each was told once
    assert "[warning] Hearing postponed 2 times" in first.body_text
    assert "[critical, escalated] Hearing postponed 3 times" in second.body_text
    assert "[warning] Hearing now set for" in second.body_text  # slipped: new that day


def cli_scan(settings):
    """`tracker scan --notify` on the test database, as the hourly job and cron run it."""
    from click.testing import CliRunner

    from tracker.cli import main

    env = {
        "TRACKER_INSTANCE": str(settings.instance),
        "DATABASE_URL": settings.database_url,
        "SECRET_KEY": "test-secret",
    }
    return lambda: CliRunner().invoke(main, ["scan", "--notify"], env=env)


def test_a_digest_names_client_matter_proceeding_and_country_by_matter(
    office, coordinator, database, settings, queries
):
    staff, _lawyer, _proceeding = office
    at = dt.datetime(2026, 11, 22, 8, tzinfo=UTC)
    with clock.frozen(START):
        factories.jurisdiction(database, "FR", "France", "Europe/Paris")
        quiet = factories.matter(staff, "Quiet case", subject="A. Client")
        loud = factories.matter(staff, "Loud case", subject="B. Client")
        brief = factories.proceeding(staff, quiet["id"], title="Appeal", reference="2026/17")
        request = factories.proceeding(
            staff, loud["id"], jurisdiction="FR", kind="extradition_request",
            title="Extradition", opened_on="2024-01-01",
        )  # fmt: skip
    with clock.frozen(at):
        factories.deadline(staff, brief["id"], "2026-11-20", title="Appeal brief")  # missed
        factories.deadline(staff, request["id"], "2026-11-25", title="Reply")  # near
    queries.clear()

    sweep(database, settings, at, alerts.digests)

    [mail] = mails(database)
    body = mail.body_text
    # by matter: the one of the most severe and oldest flag (the request, flagged when the
    # proceeding was typed in) first
    loud, quiet = body.split("Quiet case (client: A. Client)")
    assert "Loud case (client: B. Client)" in loud
    # within a matter, most severe first: the request (critical) then the near deadline
    assert loud.index("[critical] Extradition request pending") < loud.index(
        "[warning] Deadline “Reply”"
    )
    assert "  Extradition, France; since Wed 1 Jan 2025 (690 days)\n" in loud
    assert "[critical] Deadline “Appeal brief” was due on 20 Nov 2026" in quiet
    assert "  Appeal (2026/17), Belgium; since Sat 21 Nov 2026 (1 day)\n" in quiet
    digest_reads = [q for q in queries if "delay_flags" in q and q.lstrip().startswith("SELECT")]
    assert len(digest_reads) == 1  # one query for every line, whatever their number


def test_a_digest_waits_for_the_readers_hour(office, coordinator, database, settings):
    _staff, _lawyer, proceeding = office
    with clock.frozen(START):
        coordinator.patch(
            "/me", {"version": 1, "timezone": "Europe/Kyiv", "preferences": {"digest_hour": 9}}
        )
    flag(database, proceeding["id"], "long_pending:proceeding:1")

    early = sweep(database, settings, dt.datetime(2026, 12, 1, 6, 59, tzinfo=UTC), alerts.digests)
    on_time = sweep(database, settings, dt.datetime(2026, 12, 1, 7, tzinfo=UTC), alerts.digests)

    assert early.counts == {}  # 08:59 in Kyiv
    assert on_time.counts == {"digests": 1}  # 09:00 in Kyiv


def test_staff_are_asked_for_a_missing_outcome_once(office, database, settings):
    staff, _lawyer, proceeding = office
    with clock.frozen(START):
        hearing = factories.hearing(staff, proceeding["id"], "2026-11-10T10:00")
    flag(
        database,
        proceeding["id"],
        f"outcome_missing:hearing:{hearing['id']}",
        rule="outcome_missing",
        hearing_id=hearing["id"],
    )
    at = dt.datetime(2026, 11, 12, 9, tzinfo=UTC)

    first = sweep(database, settings, at, alerts.outcome_prompts)
    again = sweep(database, settings, at, alerts.outcome_prompts)

    assert first.counts == {"outcome prompts": 1}
    assert again.counts == {}
    [mail] = mails(database)
    assert mail.to_address == "staff@example.org"
    assert mail.subject == "Outcome missing: hearing of Tue 10 Nov 2026, 10:00 (Europe/Brussels)"


def test_a_hearing_reminder_carries_the_hearing_as_an_invitation(office, database, settings):
    staff, lawyer, proceeding = office
    with clock.frozen(START):
        plain_mail(lawyer)
        hearing = factories.hearing(staff, proceeding["id"], "2026-12-15T10:00")

    sweep(database, settings, dt.datetime(2026, 12, 13, 10, tzinfo=UTC))

    [mail] = mails(database)
    assert "METHOD:REQUEST" in mail.ics
    assert "DTSTART;TZID=Europe/Brussels:20261215T100000" in mail.ics
    assert f"hearing-{hearing['id']}@" in mail.ics  # the same UID as in the feeds


def test_tracker_scan_notify_queues_the_digest_once(office, coordinator, database, settings):
    from click.testing import CliRunner

    from tracker.cli import main

    staff, _lawyer, proceeding = office
    with clock.frozen(START):
        factories.deadline(staff, proceeding["id"], "2026-11-10", title="Appeal brief")
    env = {
        "TRACKER_INSTANCE": str(settings.instance),
        "DATABASE_URL": settings.database_url,
        "SECRET_KEY": "test-secret",
    }

    with clock.frozen(dt.datetime(2026, 11, 22, 6, tzinfo=UTC)):  # before the digest hour
        first = CliRunner().invoke(main, ["scan", "--notify"], env=env)
        again = CliRunner().invoke(main, ["scan", "--notify", "--json"], env=env)

    assert first.exit_code == 0, first.output
    assert first.stdout.splitlines()[-1] == "alerts: nothing queued; queued 1 digests"
    assert again.exit_code == 0, again.output
    assert (
        "alerts: nothing queued; nothing queued" in again.stderr
    )  # --json keeps stdout for the JSON
    [digest] = mails(database)
    assert (digest.to_address, digest.template) == ("coord@example.org", "flag_digest")
    assert "Appeal brief" in digest.body_text


def ccf_request(database, staff, proceeding_id: int) -> dict:
    """A request received by the CCF on 1 Oct 2026: a decision on admissibility was
    expected within a month (a rule the tests own), by 1 Nov 2026."""
    factories.ccf_rule(database)
    with clock.frozen(START):
        received = factories.event(staff, proceeding_id, "2026-10-01", kind="request_received")
        body = {"rule": "TEST_CCF_ADMISSIBILITY", "trigger_event_id": received["id"]}
        return factories.created(staff.post(f"/proceedings/{proceeding_id}/deadlines", body))


def scan_at(database, at: dt.datetime) -> None:
    """The scheduled scan, as of that day."""
    from tracker.delays import scan
    from tracker.delays.rules import Thresholds

    with clock.frozen(at), database.unit_of_work() as session:
        scan.run(session, clock.now(), clock.today(), Thresholds())


def test_the_digest_tells_of_an_authority_overdue_then_critical(
    office, coordinator, database, settings
):
    staff, _lawyer, proceeding = office
    ccf_request(database, staff, proceeding["id"])
    late, twice = (
        dt.datetime(2026, 11, 22, 8, tzinfo=UTC),
        dt.datetime(2026, 12, 3, 8, tzinfo=UTC),
    )

    scan_at(database, late)
    first = sweep(database, settings, late, alerts.digests)
    scan_at(database, twice - dt.timedelta(days=1))  # exactly twice the 31 days: no news
    same = sweep(database, settings, twice - dt.timedelta(days=1), alerts.digests)
    scan_at(database, twice)
    second = sweep(database, settings, twice, alerts.digests)

    assert (first.counts, same.counts, second.counts) == ({"digests": 1}, {}, {"digests": 1})
    warned, escalated = mails(database)
    expected = "The authority's “CCF decision on admissibility” was expected by 1 Nov 2026"
    assert f"- [warning] {expected}; no admissibility decision recorded\n" in warned.body_text
    assert "since Mon 2 Nov 2026 (20 days)" in warned.body_text
    assert (
        f"- [critical, escalated] {expected}; no admissibility decision recorded, "
        "more than twice the time allowed since 1 Oct 2026\n"
    ) in escalated.body_text
    assert expected in html.unescape(escalated.body_html)


def test_the_discreet_digest_counts_an_authority_overdue_without_naming_it(
    office, coordinator, database, settings
):
    staff, _lawyer, proceeding = office
    with clock.frozen(START):
        version = factories.ok(coordinator.get("/me"))["version"]
        changes = {"version": version, "preferences": {"discreet_mail": True}}
        factories.ok(coordinator.patch("/me", changes))
    ccf_request(database, staff, proceeding["id"])
    at = dt.datetime(2026, 11, 22, 8, tzinfo=UTC)

    scan_at(database, at)
    sweep(database, settings, at, alerts.digests)

    [mail] = mails(database)
    assert mail.template == "flag_digest_discreet"
    assert mail.subject == "Delays: 1 new or escalated flag (Sun 22 Nov 2026)"
    assert f"- [warning] {settings.base_url}/proceedings/{proceeding['id']}" in mail.body_text
    assert "CCF" not in mail.body_text + mail.body_html
    assert "admissibility" not in mail.body_text + mail.body_html


# --- subjects name nothing a person typed -------------------------------------------------

TYPED = "Ablyazov v. Kazakhstan (secret)"

#: every key of every template's context, with what a person typed where a person types
CONTEXTS = {
    "hearing_reminder": {
        "days": 2,
        "when": "Thu 3 Dec 2026, 09:30 (Europe/Brussels)",
        "when_reader": "",
        "authority": TYPED,
        "location": TYPED,
    },
    "deadline_reminder": {
        "days": 3,
        "due_on": "Fri 27 Nov 2026",
        "title": TYPED,
        "explanation": TYPED,
    },
    **{
        name: {"due_on": "Fri 27 Nov 2026", "title": TYPED}
        for name in ("deadline_update", "deadline_waived")
    },
    "outcome_missing": {"when": "Thu 3 Dec 2026, 09:30 (Europe/Brussels)"},
    **{
        name: {
            "when": "Thu 3 Dec 2026, 09:30 (Europe/Brussels)",
            "when_reader": "",
            "authority": TYPED,
            "location": TYPED,
        }
        for name in ("hearing_update", "hearing_adjourned", "hearing_cancelled")
    },
    "flag_digest": {
        "as_of": "22 Nov 2026",
        "count": 1,
        "flags": [{"severity": "critical", "message": TYPED, "path": "/p", "escalated": False}],
    },
}


@pytest.mark.parametrize("template", sorted(CONTEXTS))
def test_a_subject_never_shows_what_a_person_typed(template):
    from tracker.notifications import messages

    common = {
        "base_url": "https://t.example",
        "path": "/x",
        "matter": TYPED,
        "proceeding": TYPED,
        "reference": TYPED,
    }

    rendered = messages.render(template, common | CONTEXTS[template])

    assert "Ablyazov" not in rendered.subject
    assert "Ablyazov" in rendered.body_text  # the body still tells it all
    assert rendered.subject.strip()
