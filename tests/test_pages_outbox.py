"""The outbox page: the mail, filters, pages, and resending a failed one.

The clock is frozen at Sunday 22 November 2026, 09:00 UTC.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re

import pytest
from factories import audit_entries, nothing_written
from pages import sign_in, text

from tracker.core import clock
from tracker.notifications.models import Notification, NotificationStatus

_serial = itertools.count(1)


def mail(database, status: str = "sent", **fields) -> int:
    """A row of the outbox, as the dispatcher leaves it."""
    n = next(_serial)
    values = {
        "dedup_key": f"test:{n}",
        "to_address": f"lawyer{n}@example.org",
        "template": "hearing_reminder",
        "subject": f"Hearing reminder {n}",
        "body_text": f"Body of mail {n}",
        "status": NotificationStatus(status),
        "attempts": 1,
        "next_attempt_at": clock.now(),
        "created_at": clock.now(),
        "last_error": "",
    } | fields
    with database.unit_of_work() as session:
        row = Notification(**values)
        session.add(row)
        session.flush()
        return row.id


def stored(database, mail_id: int) -> Notification:
    with database.sessionmaker() as session:
        row = session.get(Notification, mail_id)
        session.expunge(row)
        return row


def listed(page) -> list[int]:
    return [int(n) for n in re.findall(r'<tr id="mail-(\d+)">', text(page))]


@pytest.fixture
def coordinator(client, database, frozen_now):
    return sign_in(client, database, "coordinator")


# --- who -----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["staff", "lawyer"])
def test_staff_and_lawyers_may_not_see_the_outbox(client, database, frozen_now, role):
    failed = mail(database, "failed")
    browser = sign_in(client, database, role)

    assert browser.get("/outbox").status_code == 403
    assert browser.get(f"/outbox/{failed}").status_code == 403
    browser.get("/account")
    with nothing_written(database):
        assert browser.post(f"/outbox/{failed}/resend").status_code == 403


@pytest.mark.parametrize("role", ["admin", "coordinator"])
def test_admins_and_coordinators_see_every_mail(client, database, frozen_now, role):
    made = [mail(database, status) for status in ("queued", "sent", "failed", "unknown")]

    page = sign_in(client, database, role).get("/outbox")

    assert page.status_code == 200
    assert listed(page) == made[::-1]  # newest first
    assert "Not a valid" not in text(page)  # no filter is no error


# --- the list --------------------------------------------------------------------------------


def test_each_row_shows_its_facts_and_links_to_the_mail(client, database, coordinator):
    made = mail(
        database,
        "failed",
        to_address="ana@example.org",
        subject="Deadline tomorrow",
        attempts=8,
        last_error="gave up after 8 attempts: 503",
        provider_message_id="sg-123",
    )

    body = text(coordinator.get("/outbox"))

    for shown in (
        "ana@example.org",
        f'<a href="/outbox/{made}">Deadline tomorrow</a>',
        '<span class="badge failed">failed</span>',
        '<td class="num">8</td>',
        "gave up after 8 attempts: 503",
        "sg-123",
        "Sun 22 Nov 2026 09:00 UTC",
    ):
        assert shown in body


def test_a_mail_possibly_sent_twice_says_so(client, database, coordinator):
    """Sent after a send that was cut off before its answer: it may have arrived twice."""
    cut_off = clock.now() - dt.timedelta(minutes=12)
    twice = mail(database, "sent", interrupted_at=cut_off, provider_message_id="sg-2")
    once = mail(database, "sent")
    retrying = mail(database, "queued", interrupted_at=cut_off)  # not sent again yet

    page = text(coordinator.get("/outbox"))
    rows = {
        n: re.search(rf'<tr id="mail-{n}">(.*?)</tr>', page, re.S).group(1)
        for n in (twice, once, retrying)
    }
    assert '<span class="badge twice"' in rows[twice]
    assert "possibly sent twice" in rows[twice]
    assert "Sun 22 Nov 2026 08:48 UTC" in rows[twice]  # in the badge's title
    assert "possibly sent twice" not in rows[once] + rows[retrying]

    detail = text(coordinator.get(f"/outbox/{twice}"))
    assert "Possibly sent twice" in detail
    assert "Interrupted send" in detail
    assert "Possibly sent twice" not in text(coordinator.get(f"/outbox/{once}"))
    pending = text(coordinator.get(f"/outbox/{retrying}"))
    assert "Interrupted send" in pending
    assert "Possibly sent twice" not in pending


def test_filters(client, database, coordinator):
    yesterday = clock.now() - dt.timedelta(days=1)
    a = mail(database, "sent", to_address="ana@example.org", subject="Digest of flags")
    b = mail(database, "failed", to_address="bob@example.org", subject="Hearing 100%")
    c = mail(database, "failed", to_address="ana@example.org", created_at=yesterday)

    assert listed(coordinator.get("/outbox?status=failed")) == [c, b]
    assert listed(coordinator.get("/outbox?recipient=ANA@")) == [c, a]
    assert listed(coordinator.get("/outbox?subject=digest")) == [a]
    assert listed(coordinator.get("/outbox?subject=100%25")) == [b]
    assert listed(coordinator.get("/outbox?subject=_")) == []  # taken literally
    assert listed(coordinator.get("/outbox?created_from=2026-11-22")) == [b, a]
    assert listed(coordinator.get("/outbox?created_to=2026-11-21")) == [c]


def test_days_are_the_readers(client, database, frozen_now):
    # 09:00 UTC is 04:00 in New York: still the 22nd; 03:00 UTC is the 21st there
    early = mail(database, created_at=clock.now() - dt.timedelta(hours=6))
    late = mail(database)
    browser = sign_in(client, database, "admin", timezone="America/New_York")

    assert listed(browser.get("/outbox?created_from=2026-11-22")) == [late]
    assert listed(browser.get("/outbox?created_to=2026-11-21")) == [early]


def test_a_bad_filter_value_is_named_and_ignored(client, database, coordinator):
    made = mail(database)

    page = coordinator.get("/outbox?created_from=yesterday&status=lost")

    assert page.status_code == 200
    assert "Not a valid date value." in text(page)
    assert "Not a valid choice." in text(page)
    assert listed(page) == [made]


def test_pages_go_back_in_time(client, database, coordinator, monkeypatch):
    from tracker.notifications import outbox

    monkeypatch.setattr(outbox, "PAGE_SIZE", 2)
    made = [mail(database, "failed") for _ in range(5)]

    first = coordinator.get("/outbox?status=failed")
    older = re.search(r'href="([^"]+)" rel="next"', text(first)).group(1).replace("&amp;", "&")
    second = coordinator.get(older)
    third = coordinator.get(
        re.search(r'href="([^"]+)" rel="next"', text(second)).group(1).replace("&amp;", "&")
    )

    assert listed(first) == [made[4], made[3]]
    assert "status=failed" in older
    assert listed(second) == [made[2], made[1]]
    assert listed(third) == [made[0]]
    assert 'rel="next"' not in text(third)


# --- resend ------------------------------------------------------------------------------------


def test_resend_a_failed_mail_queues_it_again_and_is_audited(client, database, coordinator):
    made = mail(database, "failed", attempts=8, last_error="550 mailbox unknown")
    coordinator.get("/outbox")

    response = coordinator.post(f"/outbox/{made}/resend")

    assert response.status_code == 302
    row = stored(database, made)
    assert (row.status, row.attempts, row.next_attempt_at) == ("queued", 0, clock.now())
    (entry,) = audit_entries(database, "notifications")
    assert (entry["action"], entry["entity_id"], entry["actor"]) == (
        "resend",
        made,
        coordinator.user.email,
    )
    assert entry["before"]["status"] == "failed"
    assert entry["after"]["status"] == "queued"
    assert "is queued again" in text(coordinator.get("/outbox"))


def test_resend_without_csrf_is_refused(client, database, coordinator):
    made = mail(database, "failed")

    with nothing_written(database):
        response = coordinator.post(f"/outbox/{made}/resend", csrf=False)

    assert response.status_code == 400


def test_an_unknown_mail_is_resent_only_once_checked(client, database, coordinator):
    made = mail(database, "unknown", last_error="timeout: may have been delivered")
    page = coordinator.get(f"/outbox/{made}")
    assert "it may have been delivered" in text(page)

    with nothing_written(database):
        refused = coordinator.post(f"/outbox/{made}/resend")
    assert refused.status_code == 422
    help_block = re.search(r'id="checked-help">(.*?)</div>', text(refused), re.S).group(1)
    assert "check with the provider first" in help_block

    assert coordinator.post(f"/outbox/{made}/resend", {"checked": "y"}).status_code == 302
    assert stored(database, made).status == "queued"


def test_a_sent_mail_is_not_resent(client, database, coordinator):
    made = mail(database, "sent")
    coordinator.get(f"/outbox/{made}")

    with nothing_written(database):
        response = coordinator.post(f"/outbox/{made}/resend")

    assert response.status_code == 409
    assert "is sent, not failed or unknown" in text(response)


def test_an_unknown_mail_id_is_404(client, database, coordinator):
    coordinator.get("/outbox")

    assert coordinator.get("/outbox/999").status_code == 404
    assert coordinator.post("/outbox/999/resend").status_code == 404


def test_the_mail_page_shows_the_text(client, database, coordinator):
    made = mail(database, "failed", body_text="Dear Ana,\nthe hearing moved.")

    body = text(coordinator.get(f"/outbox/{made}"))

    assert "Dear Ana,\nthe hearing moved." in body
    assert "Queue it again" in body


# --- speed ----------------------------------------------------------------------------------


def test_the_list_runs_as_many_queries_for_many_rows_as_for_one(
    client, database, coordinator, queries
):
    mail(database, "failed")
    queries.clear()
    coordinator.get("/outbox")
    few = len(queries)
    for status in ("queued", "sent", "failed", "unknown", "sent"):
        mail(database, status, provider_message_id="x", recipient_id=coordinator.user.id)

    queries.clear()
    page = coordinator.get("/outbox")

    assert len(listed(page)) == 6
    assert len(queries) == few
