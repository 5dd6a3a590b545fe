"""The proceeding's "Import invitation (.ics)" page, on SQLite and PostgreSQL."""

from __future__ import annotations

import io
import re

import factories
import pytest
import sqlalchemy as sa
from factories import nothing_written
from pages import sign_in, text
from test_ics_import import OUTLOOK, calendar, vevent

from tracker.core import limits
from tracker.hearings.models import Hearing


@pytest.fixture
def admin(client, database, frozen_now):
    factories.jurisdiction(database, "BE", "Belgium", "Europe/Brussels")
    return factories.login(client, database, "admin")


@pytest.fixture
def proceeding(admin) -> dict:
    return factories.dossier(admin)[1]


def upload(browser, proceeding_id: int, data: bytes, name: str = "invite.ics", **fields):
    path = f"/proceedings/{proceeding_id}/hearings/import"
    browser.get(path)
    return browser.post(
        path,
        {"file": (io.BytesIO(data), name), **fields},
        content_type="multipart/form-data",
    )


def hearing_ids(database) -> list[int]:
    with database.sessionmaker() as session:
        return list(session.scalars(sa.select(Hearing.id).order_by(Hearing.id)))


def file_errors(page) -> list[str]:
    found = re.search(r'id="file-help">(.*?)</div>', text(page), re.S)
    return re.findall(r'<p class="error">(.*?)</p>', found.group(1)) if found else []


def test_the_proceeding_page_links_to_the_import(client, database, proceeding):
    browser = sign_in(client, database, "staff")

    page = browser.get(f"/proceedings/{proceeding['id']}")

    assert f'href="/proceedings/{proceeding["id"]}/hearings/import"' in text(page)
    form = browser.get(f"/proceedings/{proceeding['id']}/hearings/import")
    assert form.status_code == 200
    assert 'enctype="multipart/form-data"' in text(form)
    assert 'name="csrf_token"' in text(form)


def test_an_upload_creates_the_hearing_and_shows_the_report(client, database, proceeding):
    browser = sign_in(client, database, "staff")

    page = upload(browser, proceeding["id"], OUTLOOK.read_bytes())

    assert page.status_code == 200
    [hearing_id] = hearing_ids(database)
    shown = text(page)
    assert "Saved" in shown
    assert "1 created." in shown
    assert f'href="/hearings/{hearing_id}"' in shown
    assert "Zitting uitlevering" in shown
    assert "New hearing on 2027-03-15 09:30 (Europe/Brussels)" in shown


def test_the_same_file_again_changes_nothing(client, database, proceeding):
    browser = sign_in(client, database, "staff")
    upload(browser, proceeding["id"], OUTLOOK.read_bytes())

    with nothing_written(database):
        page = upload(browser, proceeding["id"], OUTLOOK.read_bytes())

    assert page.status_code == 200
    assert "1 unchanged." in text(page)


def test_check_only_reports_and_saves_nothing(client, database, proceeding):
    browser = sign_in(client, database, "staff")

    with nothing_written(database):
        page = upload(browser, proceeding["id"], calendar(), dry_run="y")

    assert page.status_code == 200
    assert "Checked only: nothing was saved" in text(page)
    assert "1 created." in text(page)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\xff\xfe\x00B", "not UTF-8"),
        (b"Name,Date\r\nHearing,2027-03-15\r\n", "does not begin with BEGIN:VCALENDAR"),
        (calendar(vevent(rrule={"freq": "weekly"})), "repeats (RRULE)"),
        (b"BEGIN:VCALENDAR\r\n" + b" " * limits.INVITE_BYTES, "larger than 512 KB"),
    ],
    ids=["not utf-8", "not ics", "recurring", "too large"],
)
def test_a_refused_file_is_shown_next_to_the_field_and_nothing_written(
    client, database, proceeding, data, message
):
    browser = sign_in(client, database, "staff")

    with nothing_written(database):
        page = upload(browser, proceeding["id"], data)

    assert page.status_code == 422
    assert any(message in error for error in file_errors(page))


def test_no_file_is_refused(client, database, proceeding):
    browser = sign_in(client, database, "staff")
    browser.get(f"/proceedings/{proceeding['id']}/hearings/import")

    with nothing_written(database):
        page = browser.post(
            f"/proceedings/{proceeding['id']}/hearings/import",
            {},
            content_type="multipart/form-data",
        )

    assert page.status_code == 422
    assert file_errors(page) == ["Choose the .ics file the court sent."]


def test_without_csrf_token_nothing_is_imported(client, database, proceeding):
    browser = sign_in(client, database, "staff")

    with nothing_written(database):
        page = browser.post(
            f"/proceedings/{proceeding['id']}/hearings/import",
            {"file": (io.BytesIO(calendar()), "invite.ics")},
            csrf=False,
            content_type="multipart/form-data",
        )

    assert page.status_code in (400, 422)
    assert hearing_ids(database) == []


def test_a_lawyer_may_not_import_into_a_matter_not_assigned(client, database, admin):
    browser = sign_in(client, database, "lawyer")
    theirs = factories.proceeding(admin, factories.matter(admin)["id"])
    mine = factories.proceeding(
        admin, factories.matter(admin, assignees=[browser.user.email])["id"]
    )

    assert browser.get(f"/proceedings/{theirs['id']}/hearings/import").status_code == 404
    with nothing_written(database):
        refused = browser.post(
            f"/proceedings/{theirs['id']}/hearings/import",
            {"file": (io.BytesIO(calendar()), "invite.ics")},
            content_type="multipart/form-data",
        )
    assert refused.status_code == 404

    assert upload(browser, mine["id"], calendar()).status_code == 200
    assert len(hearing_ids(database)) == 1
