"""Discreet mail: a reader who has it (lawyers by default) gets mail that says only what
needs attention, with a link — no client, matter, proceeding, reference, court, place,
jurisdiction or court's zone in the subject, the text, the HTML or the .ics (both DBs)."""

from __future__ import annotations

import base64
import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass

import factories
import pytest
import sqlalchemy as sa
from fake_sendgrid import FakeSendGrid
from ical_readers import icalendar_events, vobject_events, vtimezones

from tracker.core import clock
from tracker.models import DelayFlag, Notification
from tracker.notifications import alerts, outbox, senders

UTC = dt.UTC
START = dt.datetime(2026, 11, 1, 9, 0, tzinfo=UTC)  # when the dossier is typed in

CLIENT = "Mzia Amaglobeli"
MATTER = "Hacked newsroom accounts"
PROCEEDING = "Extradition to Azerbaijan"
KIND = "asylum"
REFERENCE = "3/a-117-24"
COURT = "Kutaisi City Court"
CODE = "GE"
JURISDICTION = "Georgia"
ZONE = "Asia/Tbilisi"
PLACE = "Room 7, Rustaveli Ave"
HEARING = "Interview of the witness Beridze"
DEADLINE = "Appeal brief against the detention"

#: what a discreet mail never contains (compared ignoring case); the code as a word, too
SECRETS = (
    CLIENT,
    "Amaglobeli",
    MATTER,
    PROCEEDING,
    "Azerbaijan",
    KIND,
    REFERENCE,
    COURT,
    "Kutaisi",
    JURISDICTION,
    ZONE,
    "Tbilisi",
    PLACE,
    "Rustaveli",
    HEARING,
    "Beridze",
    DEADLINE,
)


def secrets_in(text: str) -> list[str]:
    found = [secret for secret in SECRETS if secret.lower() in text.lower()]
    return found + ([CODE] if re.search(rf"\b{CODE}\b", text) else [])


@dataclass
class Dossier:
    readers: dict[str, factories.Api]
    hearing: dict
    past: dict
    deadline: dict
    proceeding: dict


@pytest.fixture
def dossier(client, database) -> Dossier:
    """A Georgian dossier: an upcoming hearing and deadline, a past hearing without an
    outcome, and delay flags whose messages name the case."""
    with clock.frozen(START):
        factories.jurisdiction(database, CODE, JURISDICTION, ZONE)
        readers = {
            "staff": factories.login(client, database, "staff", "staff@example.org"),
            "lawyer": factories.login(client, database, "lawyer", "lawyer@example.org"),
            "coordinator": factories.login(client, database, "coordinator", "coord@example.org"),
        }
        staff = readers["staff"]
        matter = factories.matter(staff, MATTER, subject=CLIENT, assignees=["lawyer@example.org"])
        proceeding = factories.proceeding(
            staff,
            matter["id"],
            jurisdiction=CODE,
            kind=KIND,
            title=PROCEEDING,
            reference=REFERENCE,
            authority=COURT,
        )
        made = {"location": PLACE, "title": HEARING}
        hearing = factories.hearing(staff, proceeding["id"], "2026-12-15T10:00", **made)
        past = factories.hearing(staff, proceeding["id"], "2026-11-10T10:00", **made)
        deadline = factories.deadline(staff, proceeding["id"], "2026-12-15", title=DEADLINE)
    flags = [
        ("outcome_missing", f"hearing:{past['id']}", past["id"], HEARING),
        ("deadline_near", f"deadline:{deadline['id']}", None, f"Deadline “{DEADLINE}” is due"),
    ]
    with database.unit_of_work() as session:
        session.add_all(
            DelayFlag(
                key=f"{rule}:{subject}",
                rule=rule,
                severity="warning",
                proceeding_id=proceeding["id"],
                hearing_id=hearing_id,
                message=f"{message} ({PROCEEDING}, {COURT})",
                first_seen=dt.date(2026, 11, 11),
                last_seen=dt.date(2026, 11, 11),
            )
            for rule, subject, hearing_id, message in flags
        )
    return Dossier(readers, hearing, past, deadline, proceeding)


@dataclass(frozen=True)
class Kind:
    reader: str
    job: Callable
    at: dt.datetime
    #: the page the mail links to, of the dossier's rows
    link: Callable[[Dossier], str]
    #: what the plain mail's text and HTML name (as they did before discreet mail)
    named: tuple[str, ...]


KINDS = {
    "hearing_reminder": Kind(
        "lawyer",
        alerts.hearing_reminders,
        dt.datetime(2026, 12, 8, 9, 30, tzinfo=UTC),  # the 7-day reminder
        lambda d: f"/hearings/{d.hearing['id']}",
        (MATTER, PROCEEDING, REFERENCE, COURT, PLACE, ZONE),
    ),
    "deadline_reminder": Kind(
        "lawyer",
        alerts.deadline_reminders,
        dt.datetime(2026, 12, 12, 9, tzinfo=UTC),  # the 3-day reminder
        lambda d: f"/deadlines/{d.deadline['id']}",
        (DEADLINE, MATTER, PROCEEDING),
    ),
    "outcome_missing": Kind(
        "staff",
        alerts.outcome_prompts,
        dt.datetime(2026, 11, 12, 9, tzinfo=UTC),
        lambda d: f"/hearings/{d.past['id']}",
        (MATTER, PROCEEDING, REFERENCE, ZONE),
    ),
    "flag_digest": Kind(
        "coordinator",
        alerts.digests,
        dt.datetime(2026, 12, 1, 7, tzinfo=UTC),  # the default digest hour
        lambda d: f"/proceedings/{d.proceeding['id']}",
        (DEADLINE, PROCEEDING, COURT),
    ),
}


def choose(api: factories.Api, discreet: bool) -> None:
    """The reader sets discreet mail on their account."""
    version = factories.ok(api.get("/me"))["version"]
    changes = {"version": version, "preferences": {"discreet_mail": discreet}}
    factories.ok(api.patch("/me", changes))


def sweep(database, settings, kind: Kind, at: dt.datetime | None = None):
    with clock.frozen(at or kind.at), database.unit_of_work() as session:
        return kind.job(session, clock.now(), settings)


def mails(database) -> list[Notification]:
    with database.sessionmaker() as session:
        return list(session.scalars(sa.select(Notification).order_by(Notification.id)))


def the_mail(database, settings, kind: Kind) -> Notification:
    assert sum(sweep(database, settings, kind).counts.values()) == 1
    [mail] = mails(database)
    return mail


def parts(mail) -> dict[str, str]:
    return {
        "subject": mail.subject,
        "text": mail.body_text,
        "html": mail.body_html,
        "ics": mail.ics or "",
    }


# --- what a mail says ---------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(KINDS))
def test_discreet_mail_names_nothing_and_links_to_the_page(dossier, database, settings, name):
    kind = KINDS[name]
    if kind.reader != "lawyer":  # a lawyer has it by default; the others choose it
        with clock.frozen(START):
            choose(dossier.readers[kind.reader], discreet=True)

    mail = the_mail(database, settings, kind)

    assert mail.template == f"{name}_discreet"
    leaks = {part: found for part, text in parts(mail).items() if (found := secrets_in(text))}
    assert leaks == {}
    link = settings.base_url + kind.link(dossier)
    assert link in mail.body_text
    assert f'href="{link}"' in mail.body_html
    urls = re.findall(r"https?://[^\s\"<>]+", mail.body_text + mail.body_html + (mail.ics or ""))
    assert [url for url in urls if "?" in url] == []  # no query string carries a name


@pytest.mark.parametrize("name", sorted(KINDS))
def test_plain_mail_names_the_case_as_before(dossier, database, settings, name):
    kind = KINDS[name]
    if kind.reader == "lawyer":  # the others have plain mail by default
        with clock.frozen(START):
            choose(dossier.readers[kind.reader], discreet=False)

    mail = the_mail(database, settings, kind)

    assert mail.template == name
    for text in (mail.body_text, mail.body_html):
        assert [named for named in kind.named if named not in text] == []


def test_the_discreet_reminder_shows_the_time_on_the_readers_clock(dossier, database, settings):
    mail = the_mail(database, settings, KINDS["hearing_reminder"])

    assert mail.subject == "Hearing in 7 days"
    # 10:00 in Tbilisi (UTC+4) is 06:00 on the lawyer's clock (UTC)
    assert "A hearing is coming up in 7 days: Tue 15 Dec 2026, 06:00 (UTC)." in mail.body_text


def test_the_discreet_invitation_reads_back_as_a_bare_hearing(dossier, database, settings):
    mail = the_mail(database, settings, KINDS["hearing_reminder"])
    data = mail.ics.encode()
    uid = f"hearing-{dossier.hearing['id']}@"

    [(found, event)] = icalendar_events(data).items()
    [other] = vobject_events(data).values()

    assert found.startswith(uid)  # the same UID as the feeds and the plain invitation
    assert str(event["SUMMARY"]) == "Hearing"
    starts = dt.datetime(2026, 12, 15, 6, tzinfo=UTC)
    assert event.decoded("DTSTART") == starts
    assert event.decoded("DTSTART").utcoffset() == dt.timedelta(0)  # in UTC: no court's zone
    assert "TZID" not in event["DTSTART"].params
    assert event.decoded("DTEND") == starts + dt.timedelta(hours=1)
    assert other.dtstart.value == starts
    assert str(other.summary.value) == "Hearing"
    assert vtimezones(data) == {}
    assert "LOCATION" not in event
    assert str(event["URL"]).endswith(f"/hearings/{dossier.hearing['id']}")
    assert "sign-in needed" in str(event["DESCRIPTION"])


def test_the_plain_invitation_keeps_its_minimal_privacy(dossier, database, settings):
    with clock.frozen(START):
        choose(dossier.readers["lawyer"], discreet=False)
    mail = the_mail(database, settings, KINDS["hearing_reminder"])

    [event] = icalendar_events(mail.ics.encode()).values()

    assert str(event["SUMMARY"]) == f"Hearing ({CODE})"  # the feeds' minimal level, as before
    assert ZONE in vtimezones(mail.ics.encode())
    assert [s for s in (CLIENT, MATTER, PROCEEDING, REFERENCE, COURT) if s in mail.ics] == []


def test_a_discreet_reminder_of_a_hearing_without_a_time_gives_the_courts_day(
    dossier, database, settings
):
    staff = dossier.readers["staff"]
    with clock.frozen(START):
        # 00:30 in Tbilisi on 17 Dec is still 16 Dec in UTC: the court's day is told
        factories.hearing(
            staff, dossier.proceeding["id"], "2026-12-17T00:30", time_known=False, title=HEARING
        )

    sweep(database, settings, KINDS["hearing_reminder"], dt.datetime(2026, 12, 15, 9, tzinfo=UTC))

    [mail] = [m for m in mails(database) if "time not known" in m.body_text]
    assert "Thu 17 Dec 2026 (time not known)" in mail.body_text
    assert secrets_in(mail.body_text + mail.body_html + mail.ics) == []
    [event] = icalendar_events(mail.ics.encode()).values()
    assert event.decoded("DTSTART") == dt.date(2026, 12, 17)


def test_the_discreet_digest_counts_and_links_only(dossier, database, settings):
    with clock.frozen(START):
        choose(dossier.readers["coordinator"], discreet=True)

    mail = the_mail(database, settings, KINDS["flag_digest"])

    assert mail.subject == "Delays: 2 new or escalated flags (Tue 1 Dec 2026)"
    link = f"{settings.base_url}/proceedings/{dossier.proceeding['id']}"
    assert mail.body_text.count(link) == 2
    assert f"{settings.base_url}/flags" in mail.body_text
    assert "Deadline" not in mail.body_text  # not even the start of a flag's message


# --- when the setting applies -------------------------------------------------------------


def test_the_setting_applies_to_mail_queued_after_it_and_never_queues_twice(
    dossier, database, settings
):
    kind = KINDS["hearing_reminder"]
    first = sweep(database, settings, kind)  # discreet: the lawyer's default
    with clock.frozen(kind.at):
        choose(dossier.readers["lawyer"], discreet=False)
    again = sweep(database, settings, kind)
    later = sweep(database, settings, kind, dt.datetime(2026, 12, 13, 9, tzinfo=UTC))

    assert (first.counts, again.counts) == ({"hearing reminders": 1}, {})
    assert later.counts == {"hearing reminders": 1}
    seven, two = mails(database)
    assert (seven.template, two.template) == ("hearing_reminder_discreet", "hearing_reminder")
    assert secrets_in(seven.body_text) == []  # queued before: it says what it said
    assert COURT in two.body_text
    assert seven.dedup_key.startswith(f"remind:hearing:{dossier.hearing['id']}:20261215T0600Z:7:")


# --- through SendGrid ---------------------------------------------------------------------


def test_a_discreet_mail_reaches_sendgrid_naming_nothing(dossier, database, settings):
    sweep(database, settings, KINDS["hearing_reminder"])

    with FakeSendGrid.running() as fake:
        sender = senders.SendGridSender("SG.test", "tracker@ngo.example", host=fake.url)
        summary = outbox.dispatch(database, sender, clock=lambda: KINDS["hearing_reminder"].at)

    assert summary.sent == 1
    [request] = fake.requests
    body = request.json
    [attachment] = body["attachments"]
    invite = base64.b64decode(attachment["content"]).decode()
    sent = [body["subject"], *(c["value"] for c in body["content"]), invite]
    assert [secrets_in(part) for part in sent] == [[], [], [], []]
    assert body["categories"] == ["hearing_reminder_discreet"]
    assert str(icalendar_events(invite.encode()).popitem()[1]["SUMMARY"]) == "Hearing"
