"""The matter pages: the list and its search, the dossier, adding and editing a matter.

The clock is frozen at Sunday 22 November 2026, 09:00 UTC.
"""

from __future__ import annotations

import re

import factories
import pytest
import sqlalchemy as sa
from factories import nothing_written
from pages import make_user, put_session, sign_in, text

from tracker.models import Matter, matter_assignees


@pytest.fixture
def admin(client, database, frozen_now):
    """An API caller that makes the rows; BE and KZ exist."""
    factories.jurisdiction(database, "BE", "Belgium", "Europe/Brussels")
    factories.jurisdiction(database, "KZ", "Kazakhstan", "Asia/Almaty")
    return factories.login(client, database, "admin", "maker@example.org")


def assign(database, matter_id: int, user_id: int) -> None:
    with database.unit_of_work() as session:
        session.execute(sa.insert(matter_assignees).values(matter_id=matter_id, user_id=user_id))


def dossier(api, title="Bota Jardemalie", **fields):
    """A matter with an extradition request in BE based on a criminal case in KZ."""
    matter = factories.matter(api, title, subject="Botagoz Jardemalie", **fields)
    kz = factories.proceeding(
        api,
        matter["id"],
        jurisdiction="KZ",
        title="KZ criminal case",
        opened_on="2017",
        precision="year",
    )
    be = factories.proceeding(
        api,
        matter["id"],
        title="BE extradition request",
        kind="extradition_request",
        client_role="requested_person",
        opened_on="2018-04-02",
        origin_id=kz["id"],
    )
    hearing = factories.hearing(api, be["id"], "2026-12-01T09:30", title="Extradition hearing")
    factories.postpone(api, hearing["id"], "2027-01-12T09:30", reason="Court busy")
    factories.event(api, be["id"], "2019-05-03", kind="judgment", summary="Refused")
    factories.deadline(api, be["id"], "2026-12-15", title="File the appeal")
    return matter, kz, be, hearing


# --- the list -----------------------------------------------------------------------------


def test_the_list_shows_each_matter_with_its_countries_counts_and_next_hearing(
    client, database, admin
):
    matter, *_ = dossier(admin)
    browser = sign_in(client, database, "coordinator")

    response = browser.get("/matters")

    page = text(response)
    assert response.status_code == 200
    assert f'href="/matters/{matter["id"]}">Bota Jardemalie</a>' in page
    assert "Botagoz Jardemalie" in page
    assert "BE, KZ" in page
    assert "2<span" in page  # two open proceedings
    assert "Tue 12 Jan 2027 09:30 CET" in page  # the hearing, moved, in the court's zone
    assert 'href="/matters/new"' in page
    assert "1 matter." in page


def test_a_lawyer_sees_only_assigned_matters_and_cannot_create(client, database, admin):
    lawyer = make_user(database, "lawyer")
    mine = factories.matter(admin, "Assigned to me")
    factories.matter(admin, "Somebody else's")
    assign(database, mine["id"], lawyer.id)
    browser = sign_in(client, database, "lawyer", email="other-lawyer@example.org")
    put_session(browser.client, database, lawyer)

    page = text(browser.get("/matters"))

    assert "Assigned to me" in page
    assert "Somebody else" not in page
    assert 'href="/matters/new"' not in page


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("q=jardem", ["Bota Jardemalie"]),  # the client's name, any case
        ("q=YERIM", ["Iskander Yerimbetov"]),
        ("q=100%25", []),  # a literal %, not a wildcard
        ("q=_", []),  # nor _
        ("q=/", []),  # nor the escape character
        ("country=KZ", ["Bota Jardemalie", "Iskander Yerimbetov"]),
        ("country=BE&kind=extradition_request", ["Bota Jardemalie"]),
        ("kind=extradition_request&country=KZ", []),  # both on the same proceeding
        ("status=open", ["Bota Jardemalie", "Iskander Yerimbetov"]),
        ("status=closed", ["Closed case"]),
        ("status=open&country=KZ", ["Bota Jardemalie"]),
        ("status=closed&country=KZ", ["Iskander Yerimbetov"]),
    ],
)
def test_search_by_name_country_kind_and_status(client, database, admin, query, found):
    dossier(admin)
    other = factories.matter(admin, "Iskander Yerimbetov")
    factories.proceeding(admin, other["id"], jurisdiction="KZ", status="closed", closed_on="2024")
    factories.proceeding(admin, other["id"], jurisdiction="BE")
    closed = factories.matter(admin, "Closed case")
    factories.proceeding(admin, closed["id"], status="withdrawn", closed_on="2025-02-03")
    factories.matter(admin, "Empty")
    browser = sign_in(client, database, "staff")

    response = browser.get(f"/matters?{query}")

    assert response.status_code == 200
    page = text(response)
    shown = [
        title
        for title in ("Bota Jardemalie", "Iskander Yerimbetov", "Closed case", "Empty")
        if f">{title}</a>" in page
    ]
    assert shown == found


def test_a_bad_filter_is_named_and_ignored(client, database, admin):
    factories.matter(admin, "Still listed")
    browser = sign_in(client, database, "staff")

    response = browser.get("/matters?country=ZZ")

    assert response.status_code == 422
    assert "Not a valid choice" in text(response)
    assert ">Still listed</a>" in text(response)


def test_the_list_is_paginated(client, database, admin):
    for n in range(52):
        factories.matter(admin, f"Matter {n:02d}")
    browser = sign_in(client, database, "staff")

    first, second = text(browser.get("/matters")), text(browser.get("/matters?page=2"))

    assert "52 matters" in first
    assert "page 1 of 2" in first
    assert ">Matter 49</a>" in first
    assert ">Matter 50</a>" not in first
    assert ">Matter 50</a>" in second
    assert ">Matter 51</a>" in second
    assert 'href="/matters?page=2"' in first


def test_a_page_past_the_last_shows_the_last(client, database, admin):
    for n in range(52):
        factories.matter(admin, f"Matter {n:02d}")
    browser = sign_in(client, database, "staff")

    page = text(browser.get("/matters?page=9"))

    assert "page 2 of 2" in page
    assert ">Matter 51</a>" in page
    assert ">Matter 49</a>" not in page


def test_each_lawyer_lists_their_own_matters(client, database, admin):
    """The search statement is built once per reader: one lawyer's is not another's."""
    first, second = make_user(database, "lawyer"), make_user(database, "lawyer")
    for lawyer, title in ((first, "Alpha dossier"), (second, "Beta dossier")):
        assign(database, factories.matter(admin, title)["id"], lawyer.id)
    seen = {}
    for lawyer in (first, second, first):
        put_session(client, database, lawyer)
        page = text(client.get("/matters?q=dossier"))
        seen[lawyer.id] = [title for title in ("Alpha dossier", "Beta dossier") if title in page]

    assert seen == {first.id: ["Alpha dossier"], second.id: ["Beta dossier"]}


def test_the_list_runs_the_same_queries_for_one_or_many_matters(client, database, admin, queries):
    browser = sign_in(client, database, "coordinator")
    dossier(admin, "First")
    queries.clear()
    browser.get("/matters")
    one = len(queries)
    for n in range(4):
        dossier(admin, f"More {n}")
    queries.clear()

    page = text(browser.get("/matters"))

    assert "5 matters" in page
    assert len(queries) == one


# --- a new matter -------------------------------------------------------------------------


def test_staff_open_a_matter_with_assignees_and_it_is_audited(client, database, admin):
    lawyer = make_user(database, "lawyer", "lawyer@example.org", name="Lea Lawyer")
    browser = sign_in(client, database, "staff", email="staff@example.org")
    form = text(browser.get("/matters/new"))
    assert "Lea Lawyer &lt;lawyer@example.org&gt; · lawyer" in form

    response = browser.post(
        "/matters/new",
        {
            "title": "New client",
            "subject": "Ana Client",
            "summary": "Refugee",
            "assignees": [lawyer.email],
        },
    )

    assert response.status_code == 302
    with database.unit_of_work() as session:
        matter = session.scalars(sa.select(Matter).where(Matter.title == "New client")).one()
        assert response.headers["Location"] == f"/matters/{matter.id}"
        assert matter.subject.name == "Ana Client"
        assert [u.email for u in matter.assignees] == ["lawyer@example.org"]
    [entry] = factories.audit_entries(database, "matters")
    assert (entry["actor"], entry["action"], entry["entity_id"]) == (
        "staff@example.org",
        "create",
        matter.id,
    )


def test_a_lawyer_may_not_open_a_matter(client, database, admin):
    browser = sign_in(client, database, "lawyer")

    assert browser.get("/matters/new").status_code == 403
    with nothing_written(database):
        assert browser.post("/matters/new", {"title": "Mine"}).status_code == 403


def test_a_matter_without_csrf_token_is_refused(client, database, admin):
    browser = sign_in(client, database, "staff")
    browser.get("/matters/new")

    with nothing_written(database):
        response = browser.post("/matters/new", {"title": "No token"}, csrf=False)

    assert response.status_code == 400


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"title": ""}, "This field is required."),
        ({"title": "T" * 201}, "Field cannot be longer than 200 characters."),
        ({"title": "Fine", "assignees": ["ghost@example.org"]}, "is not a valid choice"),
    ],
)
def test_an_invalid_matter_is_shown_again_and_nothing_is_written(
    client, database, admin, data, message
):
    browser = sign_in(client, database, "staff")
    browser.get("/matters/new")

    with nothing_written(database):
        response = browser.post("/matters/new", data)

    assert response.status_code == 422
    page = text(response)
    assert message in page
    assert 'class="error"' in page


# --- the dossier --------------------------------------------------------------------------


def test_the_dossier_shows_facts_timeline_and_chronology(client, database, admin):
    matter, kz, be, hearing = dossier(admin)
    browser = sign_in(client, database, "staff", timezone="America/New_York")

    response = browser.get(f"/matters/{matter['id']}")

    assert response.status_code == 200
    page = text(response)
    assert "Botagoz Jardemalie" in page
    # the picture: lanes, bars linked, marks, the origin link across lanes
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in page
    assert 'data-lane="BE"' in page
    assert 'data-lane="KZ"' in page
    assert f'href="/proceedings/{be["id"]}" class="bar"' in page
    assert f'href="/hearings/{hearing["id"]}" class="mark hearing"' in page
    assert 'class="mark postponement"' in page
    assert 'class="mark decision"' in page
    assert f'data-source="{kz["id"]}" data-target="{be["id"]}"' in page
    # the chronology: every kind of row, each with its link
    chronology = page[page.index('id="chronology"') :]
    for needle in (
        "Criminal case opened",
        "Extradition request opened",
        "Extradition hearing postponed",
        "<strong>Judgment</strong>: Refused",
        "Deadline: File the appeal",
        f'href="/hearings/{hearing["id"]}">Hearing</a>',
        f'href="/proceedings/{be["id"]}">Proceeding</a>',
        "/deadlines/",
        "Tue 12 Jan 2027 09:30 CET",
        "Tue 12 Jan 2027 03:30 EST for you",
    ):
        assert needle in chronology, needle
    dates = [chronology.index(d) for d in ("2017", "Mon 2 Apr 2018", "Fri 3 May 2019")]
    assert dates == sorted(dates)
    assert f'href="/matters/{matter["id"]}/proceedings/new"' in page
    assert f"<dd>#{matter['id']}</dd>" in page


def test_the_dossier_links_to_a_feed_of_the_matter_filled_in(client, database, admin):
    matter, *_ = dossier(admin)
    browser = sign_in(client, database, "staff")

    link = re.search(
        r'href="([^"]+)">Calendar feed of this matter<',
        text(browser.get(f"/matters/{matter['id']}")),
    ).group(1)
    feeds = text(browser.get(link.replace("&amp;", "&")))

    assert re.search(rf'name="matter_id"[^>]*value="{matter["id"]}"', feeds)


def test_the_dossier_names_the_assignees_in_order(client, database, admin):
    matter, *_ = dossier(admin)
    for name, email in (("zoé", "z@example.org"), ("Anna", "a@example.org"), ("", "b@example.org")):
        assign(database, matter["id"], make_user(database, "lawyer", email, name=name).id)
    browser = sign_in(client, database, "staff")

    page = text(browser.get(f"/matters/{matter['id']}"))

    assigned = page[page.index("<dt>Assigned to</dt>") : page.index("<dt>Proceedings</dt>")]
    assert "Anna" in assigned
    assert assigned.index("Anna") < assigned.index("zoé")
    assert "b@example.org" in assigned
    assert "nobody" not in assigned


def test_a_lawyer_sees_an_assigned_dossier_and_gets_404_for_another(client, database, admin):
    mine, *_ = dossier(admin, "Mine")
    other, *_ = dossier(admin, "Not mine")
    browser = sign_in(client, database, "lawyer")
    assign(database, mine["id"], browser.user.id)

    assert browser.get(f"/matters/{mine['id']}").status_code == 200
    for path in ("", "/edit", "/proceedings/new"):
        response = browser.get(f"/matters/{other['id']}{path}")
        assert response.status_code == 404, path
        assert "Not mine" not in text(response)


def test_an_unknown_or_huge_matter_id_is_404(client, database, admin):
    browser = sign_in(client, database, "staff")

    assert browser.get("/matters/999").status_code == 404
    assert browser.get(f"/matters/{2**31}").status_code == 404


def test_a_matter_without_proceedings_has_no_picture(client, database, admin):
    matter = factories.matter(admin, "Empty")
    browser = sign_in(client, database, "staff")

    page = text(browser.get(f"/matters/{matter['id']}"))

    assert "<svg" not in page
    assert "The timeline appears once the matter has a proceeding." in page


def test_the_dossier_runs_the_same_queries_for_one_or_many_proceedings(
    client, database, admin, queries
):
    matter, kz, be, _ = dossier(admin)
    browser = sign_in(client, database, "coordinator")
    queries.clear()
    browser.get(f"/matters/{matter['id']}")
    one = len(queries)
    for n in range(4):
        more = factories.proceeding(admin, matter["id"], parent_id=be["id"], title=f"Appeal {n}")
        factories.hearing(admin, more["id"], f"2026-12-0{n + 2}T10:00")
        factories.event(admin, more["id"], kind="decision")
        factories.deadline(admin, more["id"])
    elsewhere = factories.matter(admin, "Another")
    factories.proceeding(admin, elsewhere["id"], origin_id=kz["id"], title="Based on KZ")
    queries.clear()

    page = text(browser.get(f"/matters/{matter['id']}"))

    assert "Appeal 3" in page
    assert "Based on KZ" in page
    assert len(queries) == one


# --- editing a matter ---------------------------------------------------------------------


def test_a_matter_is_edited_and_audited(client, database, admin):
    matter = factories.matter(admin, "Old title")
    browser = sign_in(client, database, "coordinator", email="coord@example.org")
    browser.get(f"/matters/{matter['id']}/edit")

    response = browser.post(
        f"/matters/{matter['id']}/edit",
        {"version": matter["version"], "title": "New title", "summary": "More"},
    )

    assert response.status_code == 302
    [entry] = [e for e in factories.audit_entries(database, "matters") if e["action"] == "update"]
    assert entry["actor"] == "coord@example.org"
    assert entry["after"] == {"title": "New title", "summary": "More"}


def test_a_stale_matter_form_shows_the_conflict_and_overwrites_nothing(client, database, admin):
    matter = factories.matter(admin, "Original")
    browser = sign_in(client, database, "staff")
    browser.get(f"/matters/{matter['id']}/edit")
    factories.ok(
        admin.patch(f"/matters/{matter['id']}", {"version": matter["version"], "title": "Theirs"})
    )

    with nothing_written(database):
        response = browser.post(
            f"/matters/{matter['id']}/edit", {"version": matter["version"], "title": "Mine"}
        )

    assert response.status_code == 409
    page = text(response)
    assert "Someone else changed this matter" in page
    assert "<td>Mine</td><td>Theirs</td>" in page
    assert 'value="Theirs"' in page  # the form now shows what is stored
    assert f'name="version" type="hidden" value="{matter["version"] + 1}"' in page


def test_editing_a_matter_needs_a_csrf_token(client, database, admin):
    matter = factories.matter(admin, "Original")
    browser = sign_in(client, database, "staff")

    with nothing_written(database):
        response = browser.post(
            f"/matters/{matter['id']}/edit", {"version": 1, "title": "X"}, csrf=False
        )

    assert response.status_code == 400


def test_a_lawyer_edits_an_assigned_matter(client, database, admin):
    matter = factories.matter(admin, "Original")
    browser = sign_in(client, database, "lawyer")
    assign(database, matter["id"], browser.user.id)
    browser.get(f"/matters/{matter['id']}/edit")

    response = browser.post(
        f"/matters/{matter['id']}/edit",
        {"version": 1, "title": "Renamed", "assignees": [browser.user.email]},
    )

    assert response.status_code == 302
    assert factories.ok(admin.get(f"/matters/{matter['id']}"))["title"] == "Renamed"
