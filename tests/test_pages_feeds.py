"""The feeds page: make a feed (its address shown once, and working), revoke it, revoke all.

And the single hearing's .ics download for a signed-in browser.
"""

from __future__ import annotations

import html
import re

import factories
import icalendar
import pytest
import sqlalchemy as sa
from pages import sign_in, text

from tracker.models import CalendarFeed, Matter

BASE = "http://127.0.0.1:5000"  # the test settings' BASE_URL


@pytest.fixture
def world(client, database, frozen_now):
    """Belgium, a coordinator's API, matter A (with a hearing) and matter B."""
    factories.jurisdiction(database, "BE", "Belgium", "Europe/Brussels")
    factories.jurisdiction(database, "FR", "France", "Europe/Paris")
    api = factories.login(client, database, "coordinator")
    a, proceeding = factories.dossier(api, title="Matter A")
    hearing = factories.hearing(api, proceeding["id"], "2026-12-01T09:30")
    b = factories.matter(api, "Matter B")
    return {"api": api, "a": a, "b": b, "hearing": hearing}


def field_errors(page: str, field_id: str) -> list[str]:
    """The error messages shown next to one field."""
    found = re.search(rf'<div class="help" id="{field_id}-help">(.*?)</div>', page, re.S)
    if found is None:
        return []
    return [html.unescape(m) for m in re.findall(r'<p class="error">(.*?)</p>', found.group(1))]


def feed_url(page: str, input_id: str = "feed-url") -> str:
    found = re.search(rf'id="{input_id}" value="([^"]+)"', page)
    assert found, page
    return html.unescape(found.group(1))


def input_value(page: str, field_id: str) -> str | None:
    found = re.search(rf'<input [^>]*id="{field_id}"[^>]*>', page)
    assert found, page
    value = re.search(r'value="([^"]*)"', found.group(0))
    return html.unescape(value.group(1)) if value else None


def selected(page: str, field_id: str) -> str:
    found = re.search(rf'<select [^>]*id="{field_id}".*?</select>', page, re.S)
    assert found, page
    return re.search(r'<option selected value="([^"]*)"', found.group(0)).group(1)


def chosen_matter(page: str) -> str | None:
    """The title shown next to the matter number (None when no matter is named)."""
    found = re.search(r'<p class="chosen" id="matter_id-title">.*?<a [^>]*>(.*?)</a>', page)
    return html.unescape(found.group(1)) if found else None


def assign(world, matter: str, user) -> None:
    factories.ok(
        world["api"].patch(
            f"/matters/{world[matter]['id']}",
            {"version": world[matter]["version"], "assignees": [user.email]},
        )
    )


def feeds(database) -> list[CalendarFeed]:
    with database.sessionmaker() as session:
        return list(session.scalars(sa.select(CalendarFeed).order_by(CalendarFeed.id)))


def make_feed(browser, **fields) -> str:
    """Make a feed through the page; returns its https address."""
    browser.get("/feeds")
    response = browser.post("/feeds", {"scope": "mine", "privacy": "full"} | fields)
    assert response.status_code == 200, text(response)
    return feed_url(text(response))


# --- making a feed ----------------------------------------------------------------------------


def test_a_new_feed_s_address_is_shown_once_and_works(client, database, world):
    browser = sign_in(client, database, "staff")
    browser.get("/feeds")

    made = browser.post("/feeds", {"name": "Work", "scope": "mine", "privacy": "full"})

    page = text(made)
    url = feed_url(page)
    assert url.startswith(BASE + "/feeds/")
    assert url.endswith(".ics")
    assert feed_url(page, "feed-webcal") == "webcal://" + url.split("://", 1)[1]
    assert made.headers["Cache-Control"] == "no-store"
    path = url[len(BASE) :]
    calendar = icalendar.Calendar.from_ical(client.get(path).data)
    assert [str(e["UID"]) for e in calendar.walk("VEVENT")] == [
        f"hearing-{world['hearing']['id']}@127.0.0.1"
    ]
    token = path.rsplit("/", 1)[1].removesuffix(".ics")
    listed = text(browser.get("/feeds"))
    assert "Work" in listed
    assert token not in listed  # only its hash is kept: never shown again


def test_making_a_feed_is_audited_without_its_token(client, database, world):
    browser = sign_in(client, database, "lawyer")

    url = make_feed(browser, scope="jurisdiction", jurisdiction="FR", privacy="minimal")

    [entry] = factories.audit_entries(database, "calendar_feeds")
    assert (entry["actor"], entry["action"]) == (browser.user.email, "create")
    assert entry["after"]["scope"] == "jurisdiction"
    assert entry["after"]["jurisdiction"] == "FR"
    assert entry["after"]["privacy"] == "minimal"
    token = url.rsplit("/", 1)[1].removesuffix(".ics")
    assert token not in str(entry)


def test_a_one_matter_feed_shows_that_matter(client, database, world):
    browser = sign_in(client, database, "staff")

    url = make_feed(browser, scope="matter", matter_id=world["b"]["id"], alarms="y")

    [feed] = feeds(database)
    assert (feed.scope.value, feed.matter_id, feed.alarms) == ("matter", world["b"]["id"], True)
    calendar = icalendar.Calendar.from_ical(client.get(url[len(BASE) :]).data)
    assert calendar.walk("VEVENT") == []  # matter B has no hearing
    assert "Matter B" in text(browser.get("/feeds"))


@pytest.mark.parametrize("typed", ["{id}", " #{id} ", "0{id}"])
def test_the_matter_is_given_by_its_number(client, database, world, typed):
    browser = sign_in(client, database, "coordinator")

    make_feed(browser, scope="matter", matter_id=typed.format(id=world["a"]["id"]))

    [feed] = feeds(database)
    assert (feed.scope.value, feed.matter_id) == ("matter", world["a"]["id"])


def test_a_lawyer_s_own_matter_makes_a_feed(client, database, world):
    browser = sign_in(client, database, "lawyer")
    assign(world, "a", browser.user)

    make_feed(browser, scope="matter", matter_id=world["a"]["id"])

    [feed] = feeds(database)
    assert feed.matter_id == world["a"]["id"]


def test_a_lawyer_learns_nothing_of_a_matter_not_theirs(client, database, world):
    """Someone else's matter is refused exactly as a matter that does not exist."""
    browser = sign_in(client, database, "lawyer")
    browser.get("/feeds")
    unknown = world["b"]["id"] + 1000

    with factories.nothing_written(database):
        theirs = browser.post(
            "/feeds", {"scope": "matter", "matter_id": world["b"]["id"], "privacy": "full"}
        )
        missing = browser.post(
            "/feeds", {"scope": "matter", "matter_id": unknown, "privacy": "full"}
        )

    assert (theirs.status_code, missing.status_code) == (422, 422)
    assert field_errors(text(theirs), "matter_id") == [f"no matter {world['b']['id']}"]
    assert field_errors(text(missing), "matter_id") == [f"no matter {unknown}"]
    assert "Matter B" not in text(theirs)
    assert chosen_matter(text(theirs)) is None

    def neutral(page: str, number: int) -> str:  # the page but for the number typed
        # every CSRF token (the form's and the sign-out's): signed with the second it was made
        page = re.sub(r'name="csrf_token"[^>]*value="[^"]+"', "", page)
        return page.replace(f'value="{number}"', 'value="N"').replace(f"matter {number}<", "N<")

    assert neutral(text(theirs), world["b"]["id"]) == neutral(text(missing), unknown)


def test_a_coordinator_s_unknown_matter_is_refused_next_to_the_field(client, database, world):
    browser = sign_in(client, database, "coordinator")
    browser.get("/feeds")

    with factories.nothing_written(database):
        refused = browser.post(
            "/feeds", {"scope": "matter", "matter_id": "9999", "privacy": "full"}
        )

    assert refused.status_code == 422
    assert field_errors(text(refused), "matter_id") == ["no matter 9999"]
    assert input_value(text(refused), "matter_id") == "9999"  # shown again, to correct


def test_a_form_sent_back_for_another_field_names_the_matter_typed(client, database, world):
    browser = sign_in(client, database, "coordinator")
    browser.get("/feeds")

    with factories.nothing_written(database):
        refused = browser.post(
            "/feeds", {"scope": "matter", "matter_id": world["a"]["id"], "privacy": "none"}
        )

    assert refused.status_code == 422
    assert field_errors(text(refused), "privacy") == ["Not a valid choice."]
    assert chosen_matter(text(refused)) == "Matter A"


def test_a_matter_number_left_under_another_scope_is_ignored(client, database, world):
    """Without JavaScript the field stays on screen: what is typed there counts only for a
    one-matter feed."""
    browser = sign_in(client, database, "lawyer")

    make_feed(browser, scope="mine", matter_id="not a number")
    make_feed(browser, scope="jurisdiction", jurisdiction="BE", matter_id=world["b"]["id"])

    assert [(f.scope.value, f.matter_id) for f in feeds(database)] == [
        ("mine", None),
        ("jurisdiction", None),
    ]


# --- the dossier's link: /feeds?matter=<id> -------------------------------------------------


def test_the_dossier_s_link_fills_in_the_matter(client, database, world):
    browser = sign_in(client, database, "coordinator")

    page = text(browser.get(f"/feeds?matter={world['a']['id']}"))

    assert selected(page, "scope") == "matter"
    assert input_value(page, "matter_id") == str(world["a"]["id"])
    assert chosen_matter(page) == "Matter A"
    browser.post("/feeds", {"scope": "matter", "matter_id": world["a"]["id"], "privacy": "full"})
    [feed] = feeds(database)
    assert feed.matter_id == world["a"]["id"]


def test_a_lawyer_s_link_to_a_matter_fills_in_theirs_only(client, database, world):
    browser = sign_in(client, database, "lawyer")
    assign(world, "a", browser.user)

    mine = text(browser.get(f"/feeds?matter={world['a']['id']}"))
    theirs = text(browser.get(f"/feeds?matter={world['b']['id']}"))

    assert chosen_matter(mine) == "Matter A"
    assert selected(theirs, "scope") == "mine"
    assert input_value(theirs, "matter_id") in ("", None)
    assert "Matter B" not in theirs


@pytest.mark.parametrize("wanted", ["9999", "abc", "0", str(2**40), "", "-1"])
def test_a_link_to_no_matter_fills_in_nothing(client, database, world, wanted):
    browser = sign_in(client, database, "coordinator")

    response = browser.get(f"/feeds?matter={wanted}")

    assert response.status_code == 200
    page = text(response)
    assert selected(page, "scope") == "mine"
    assert input_value(page, "matter_id") in ("", None)
    assert chosen_matter(page) is None
    assert field_errors(page, "matter_id") == []


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"scope": "matter"}, "matter_id", "Give the number of the matter this feed shows."),
        (
            {"scope": "matter", "matter_id": " "},
            "matter_id",
            "Give the number of the matter this feed shows.",
        ),
        ({"scope": "jurisdiction"}, "jurisdiction", "Choose the jurisdiction this feed shows."),
        ({"scope": "everything"}, "scope", "Not a valid choice."),
        (
            {"scope": "matter", "matter_id": "x"},
            "matter_id",
            "A matter's number is made of digits, like 123.",
        ),
        (
            {"scope": "matter", "matter_id": "12.5"},
            "matter_id",
            "A matter's number is made of digits, like 123.",
        ),
        (
            {"scope": "matter", "matter_id": "-3"},
            "matter_id",
            "A matter's number is made of digits, like 123.",
        ),
        ({"scope": "matter", "matter_id": "0"}, "matter_id", "no matter 0"),
        ({"scope": "matter", "matter_id": str(2**40)}, "matter_id", f"no matter {2**40}"),
        ({"scope": "matter", "matter_id": "9" * 5000}, "matter_id", "no matter " + "9" * 5000),
        ({"scope": "mine", "privacy": "none"}, "privacy", "Not a valid choice."),
    ],
)
def test_a_wrong_feed_form_is_shown_again_with_the_error_next_to_its_field(
    client, database, world, data, field, message
):
    browser = sign_in(client, database, "staff")
    browser.get("/feeds")

    with factories.nothing_written(database):
        refused = browser.post("/feeds", {"privacy": "full"} | data)

    assert refused.status_code == 422
    assert field_errors(text(refused), field) == [message]
    assert "Nothing was saved" in text(refused)


def test_making_a_feed_needs_the_csrf_token(client, database, world):
    browser = sign_in(client, database, "staff")

    with factories.nothing_written(database):
        refused = browser.post("/feeds", {"scope": "mine", "privacy": "full"}, csrf=False)

    assert refused.status_code == 400


def test_the_feeds_page_needs_a_login(client, database):
    response = client.get("/feeds")

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=/feeds")


# --- the list and one feed --------------------------------------------------------------------


def test_the_list_shows_my_feeds_only_with_their_reads(client, database, world):
    other = sign_in(client, database, "staff", name="Other")
    make_feed(other, name="Not mine")
    browser = sign_in(client, database, "staff")
    url = make_feed(browser, name="Mine")
    client.get(url[len(BASE) :], headers={"User-Agent": "Thunderbird/128"})
    client.get(url[len(BASE) :], headers={"User-Agent": "Thunderbird/128"})

    page = text(browser.get("/feeds"))

    assert "Mine" in page
    assert "Not mine" not in page
    row = re.search(r"<tr>.*?Mine.*?</tr>", page, re.S).group(0)
    assert '<td class="num">2</td>' in row
    assert "active" in row
    mine = next(f for f in feeds(database) if f.name == "Mine")
    detail = text(browser.get(f"/feeds/{mine.id}"))
    assert detail.count("Thunderbird/128") == 2


def test_another_user_s_feed_is_not_found(client, database, world):
    other = sign_in(client, database, "staff")
    make_feed(other)
    [feed] = feeds(database)
    browser = sign_in(client, database, "coordinator")
    browser.get("/feeds")

    assert browser.get(f"/feeds/{feed.id}").status_code == 404
    with factories.nothing_written(database):
        assert browser.post(f"/feeds/{feed.id}/revoke").status_code == 404
    assert browser.get(f"/feeds/{2**40}").status_code == 404


def test_an_admin_sees_anyone_s_feed(client, database, world):
    other = sign_in(client, database, "lawyer")
    make_feed(other, name="Lawyer's feed")
    [feed] = feeds(database)
    admin = sign_in(client, database, "admin")

    page = admin.get(f"/feeds/{feed.id}")

    assert page.status_code == 200
    assert other.user.email in text(page)


def test_the_feeds_page_runs_the_same_queries_for_one_feed_or_five(
    client, database, world, queries
):
    browser = sign_in(client, database, "lawyer")
    url = make_feed(browser)
    client.get(url[len(BASE) :])
    queries.clear()
    browser.get("/feeds")
    one = len(queries)
    for n in range(4):
        made = make_feed(browser, scope="jurisdiction", jurisdiction=["BE", "FR"][n % 2])
        client.get(made[len(BASE) :])
    queries.clear()

    page = text(browser.get("/feeds"))

    assert page.count('<span class="badge done">active</span>') == 5
    assert len(queries) == one


@pytest.mark.parametrize("role", ["coordinator", "lawyer"])
def test_the_feeds_page_runs_the_same_queries_for_two_matters_or_many(
    client, database, world, queries, role
):
    browser = sign_in(client, database, role)
    assign(world, "a", browser.user)
    paths = ["/feeds", f"/feeds?matter={world['a']['id']}", "/feeds?matter=9999"]

    def counted() -> list[int]:
        counts = []
        for path in paths:
            queries.clear()
            assert browser.get(path).status_code == 200
            counts.append(len(queries))
        return counts

    two = counted()
    with database.unit_of_work() as session:
        session.execute(sa.insert(Matter), [{"title": f"Other {n}"} for n in range(300)])

    many = counted()

    assert many == two
    page = text(browser.get("/feeds"))
    assert "Other 1" not in page  # no list of matters: the number is typed


# --- revoking ---------------------------------------------------------------------------------


def test_revoking_a_feed_stops_it_at_once(client, database, world):
    browser = sign_in(client, database, "staff")
    url = make_feed(browser)
    path = url[len(BASE) :]
    assert client.get(path).status_code == 200
    [feed] = feeds(database)
    browser.get("/feeds")

    response = browser.post(f"/feeds/{feed.id}/revoke")

    assert response.status_code == 302
    assert client.get(path).status_code == 404
    page = text(browser.get("/feeds"))
    assert "is revoked" in page
    assert '<span class="badge cancelled"' in page
    [_made, revoked] = factories.audit_entries(database, "calendar_feeds")
    assert (revoked["actor"], revoked["action"]) == (browser.user.email, "revoke")


def test_revoking_needs_the_csrf_token(client, database, world):
    browser = sign_in(client, database, "staff")
    url = make_feed(browser)
    [feed] = feeds(database)

    with factories.nothing_written(database):
        assert browser.post(f"/feeds/{feed.id}/revoke", csrf=False).status_code == 400
    assert client.get(url[len(BASE) :]).status_code == 200


def test_an_admin_revokes_every_feed_of_a_user(client, database, world):
    lawyer = sign_in(client, database, "lawyer")
    urls = [make_feed(lawyer), make_feed(lawyer, scope="jurisdiction", jurisdiction="BE")]
    keeper = sign_in(client, database, "staff")
    kept = make_feed(keeper)
    admin = sign_in(client, database, "admin")
    admin.get("/feeds")

    response = admin.post("/feeds/revoke-all", {"email": lawyer.user.email.upper()})

    assert response.status_code == 302
    assert "2 live feeds of" in text(admin.get("/feeds"))
    assert [client.get(u[len(BASE) :]).status_code for u in urls] == [404, 404]
    assert client.get(kept[len(BASE) :]).status_code == 200
    revokes = [e for e in factories.audit_entries(database) if e["action"] == "revoke"]
    assert [e["actor"] for e in revokes] == [admin.user.email] * 2


def test_only_admins_revoke_every_feed_of_a_user(client, database, world):
    lawyer = sign_in(client, database, "lawyer")
    make_feed(lawyer)
    coordinator = sign_in(client, database, "coordinator")
    page = text(coordinator.get("/feeds"))
    assert "revoke-all" not in page

    with factories.nothing_written(database):
        refused = coordinator.post("/feeds/revoke-all", {"email": lawyer.user.email})

    assert refused.status_code == 403


def test_revoking_the_feeds_of_an_unknown_user_names_the_field(client, database, world):
    admin = sign_in(client, database, "admin")
    admin.get("/feeds")

    with factories.nothing_written(database):
        refused = admin.post("/feeds/revoke-all", {"email": "nobody@example.org"})
        empty = admin.post("/feeds/revoke-all", {"email": ""})

    assert refused.status_code == 422
    assert field_errors(text(refused), "email") == ["no user with email nobody@example.org"]
    assert empty.status_code == 422
    assert field_errors(text(empty), "email") == ["This field is required."]


def test_revoking_every_feed_needs_the_csrf_token(client, database, world):
    lawyer = sign_in(client, database, "lawyer")
    make_feed(lawyer)
    admin = sign_in(client, database, "admin")

    with factories.nothing_written(database):
        refused = admin.post("/feeds/revoke-all", {"email": lawyer.user.email}, csrf=False)

    assert refused.status_code == 400


# --- one hearing as a file --------------------------------------------------------------------


def test_a_signed_in_browser_downloads_one_hearing(client, database, world):
    browser = sign_in(client, database, "staff")
    hearing_id = world["hearing"]["id"]

    response = browser.get(f"/hearings/{hearing_id}.ics")

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="hearing-{hearing_id}.ics"'
    )
    [event] = icalendar.Calendar.from_ical(response.data).walk("VEVENT")
    assert str(event["UID"]) == f"hearing-{hearing_id}@127.0.0.1"


def test_a_lawyer_cannot_download_a_hearing_of_another_matter(client, database, world):
    browser = sign_in(client, database, "lawyer")

    response = browser.get(f"/hearings/{world['hearing']['id']}.ics")

    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert browser.get(f"/hearings/{2**40}.ics").status_code == 404


def test_a_hearing_file_without_a_session_or_token_asks_to_sign_in(client, database, world):
    hearing_id = world["hearing"]["id"]

    response = client.get(f"/hearings/{hearing_id}.ics")

    assert response.status_code == 302
    assert response.headers["Location"] == f"/login?next=/hearings/{hearing_id}.ics"
