"""API tokens: secrets that can be pasted into a command line; and through HTTP, on SQLite
and PostgreSQL, what a token may do: its scope, its expiry, its revocation, its last use."""

from __future__ import annotations

import datetime as dt

import factories
import pytest
import sqlalchemy as sa
from factories import SETUP, assert_error, nothing_written
from test_api_auth import API_ENDPOINTS

from tracker.core import clock, tokens
from tracker.core.errors import Conflict, Invalid, NotFound
from tracker.models import ApiToken, User
from tracker.users import operations as users
from tracker.users.schemas import NewToken


def test_no_token_starts_with_a_dash():
    drawn = [tokens.new_token(32) for _ in range(2000)]  # ~31 would start with "-"

    assert not [token for token in drawn if token.startswith("-")]
    assert len(set(drawn)) == len(drawn)
    assert {len(token) for token in drawn} == {43}


# --- helpers ------------------------------------------------------------------------------


def make_token(database, email: str, **command) -> tuple[int, str]:
    """A token for the user with this email, made by the operations: (id, token)."""
    with database.unit_of_work() as session:
        user = users.get_by_email(session, email)
        made, secret = users.create_token(
            session, SETUP, clock.now(), user, NewToken.parse(command)
        )
        session.flush()
        return made.id, secret


def as_holder(caller: factories.Api, token: str) -> factories.Api:
    return factories.Api(caller.client, token, caller.email, caller.user_id)


def calendar_file(caller: factories.Api, hearing_id: int):
    """A hearing's calendar file, which a token opens too (beside the API)."""
    return caller.client.get(f"/hearings/{hearing_id}.ics", headers=caller.headers)


@pytest.fixture
def staff(client, database, frozen_now):
    factories.jurisdiction(database, "BE")
    return factories.login(client, database, "staff")


def assert_unauthorized(response) -> None:
    assert_error(response, 401, "unauthorized")


# --- revocation ---------------------------------------------------------------------------


def test_a_revoked_token_is_refused_at_once_and_the_revocation_audited(staff, database):
    token_id, secret = make_token(database, staff.email, name="laptop")
    laptop = as_holder(staff, secret)
    assert laptop.get("/matters").status_code == 200

    with database.unit_of_work() as session:
        users.revoke_token(session, SETUP, clock.now(), token_id)

    with nothing_written(database):
        assert_unauthorized(laptop.get("/matters"))
        assert_unauthorized(laptop.post("/matters", {"title": "After revocation"}))
        assert_unauthorized(calendar_file(laptop, 1))
    assert staff.get("/matters").status_code == 200  # the user's other token still works
    (entry,) = [e for e in audit(database, "api_tokens") if e.action == "revoke"]
    assert (entry.entity_id, entry.after) == (token_id, {"user": staff.email, "name": "laptop"})
    assert secret not in str(entry.after)


def test_revoking_twice_changes_nothing_the_second_time(staff, database):
    token_id, _secret = make_token(database, staff.email)
    with database.unit_of_work() as session:
        first = users.revoke_token(session, SETUP, clock.now(), token_id).revoked_at

    with clock.frozen(clock.now() + dt.timedelta(hours=1)), database.unit_of_work() as session:
        again = users.revoke_token(session, SETUP, clock.now(), token_id)
        assert again.revoked_at == first

    assert [e.action for e in audit(database, "api_tokens")].count("revoke") == 1


def test_only_the_owner_or_an_admin_revokes_a_token(client, staff, database):
    token_id, secret = make_token(database, staff.email)
    other = factories.login(client, database, "coordinator")
    admin = factories.login(client, database, "admin")

    with database.unit_of_work() as session:
        stranger = users.get_by_email(session, other.email)
        with pytest.raises(NotFound, match=f"no API token {token_id}"):
            users.revoke_token(session, stranger, clock.now(), token_id)
        with pytest.raises(NotFound):
            users.revoke_token(session, stranger, clock.now(), 999_999)
    assert as_holder(staff, secret).get("/me").status_code == 200

    with database.unit_of_work() as session:
        users.revoke_token(session, users.get_by_email(session, admin.email), clock.now(), token_id)
    assert_unauthorized(as_holder(staff, secret).get("/me"))


# --- expiry -------------------------------------------------------------------------------


def test_a_token_expires_at_the_end_of_its_last_day_in_its_owner_s_zone(staff, database):
    with database.unit_of_work() as session:
        users.get_by_email(session, staff.email).timezone = "Europe/Brussels"
    token_id, secret = make_token(database, staff.email, expires_on="2026-11-23")
    holder = as_holder(staff, secret)
    midnight_in_brussels = dt.datetime(2026, 11, 23, 23, 0, tzinfo=dt.UTC)
    with database.sessionmaker() as session:
        assert session.get(ApiToken, token_id).expires_at == midnight_in_brussels

    with clock.frozen(midnight_in_brussels - dt.timedelta(microseconds=1)):
        assert holder.get("/matters").status_code == 200
    with clock.frozen(midnight_in_brussels), nothing_written(database):
        assert_unauthorized(holder.get("/matters"))
        assert_unauthorized(holder.patch("/me", {"version": 1, "name": "Expired"}))
    with clock.frozen(midnight_in_brussels + dt.timedelta(days=400)):
        assert_unauthorized(holder.get("/me"))


def test_an_expiry_day_already_over_in_the_owner_s_zone_is_refused(client, database):
    with clock.frozen(dt.datetime(2026, 11, 22, 5, 0, tzinfo=dt.UTC)):
        # 21 November, 21:00 in Los Angeles: the 21st is still today there
        caller = factories.login(client, database, "lawyer")
        with database.unit_of_work() as session:
            users.get_by_email(session, caller.email).timezone = "America/Los_Angeles"
        with nothing_written(database), pytest.raises(Invalid, match="over already") as refused:
            make_token(database, caller.email, expires_on="2026-11-20")
        assert refused.value.field == "expires_on"

        _id, secret = make_token(database, caller.email, expires_on="2026-11-21")
        assert as_holder(caller, secret).get("/me").status_code == 200
    with clock.frozen(dt.datetime(2026, 11, 22, 8, 0, tzinfo=dt.UTC)):  # midnight there
        assert_unauthorized(as_holder(caller, secret).get("/me"))


@pytest.mark.parametrize(
    ("command", "field", "message"),
    [
        ({"scope": "admin"}, "scope", r"'admin' is not a valid scope \(read, read-write\)"),
        ({"expires_on": "2026-02-30"}, "expires_on", "2026-02-30"),
        ({"expires_on": "tomorrow"}, "expires_on", "tomorrow"),
        ({"name": "x" * 201}, "name", "longer than 200"),
    ],
)
def test_a_bad_token_command_is_refused_by_name(command, field, message):
    with pytest.raises(Invalid, match=message) as refused:
        NewToken.parse(command)

    assert refused.value.field == field


# --- scope --------------------------------------------------------------------------------

WRITES = [(method, path) for method, path in API_ENDPOINTS if method != "GET"]
READS = [(method, path) for method, path in API_ENDPOINTS if method == "GET"]


@pytest.mark.parametrize(("method", "path"), WRITES)
def test_a_read_token_may_not_write_anywhere(staff, database, method, path):
    _id, secret = make_token(database, staff.email, scope="read")

    with nothing_written(database):
        response = as_holder(staff, secret).request(method, path, {"title": "x"})

    error = assert_error(response, 403, "forbidden")
    assert error["message"] == "this API token may only read"


def test_a_read_token_reads(staff, database):
    matter, proceeding = factories.dossier(staff)
    hearing = factories.hearing(staff, proceeding["id"])
    _id, secret = make_token(database, staff.email, scope="read")
    reader = as_holder(staff, secret)

    assert reader.get(f"/matters/{matter['id']}").get_json()["title"] == matter["title"]
    assert reader.get("/me").get_json()["email"] == staff.email
    assert reader.request("HEAD", "/matters").status_code == 200
    assert reader.request("OPTIONS", "/matters").status_code == 200
    invite = calendar_file(reader, hearing["id"])
    assert invite.status_code == 200
    assert invite.mimetype == "text/calendar"


@pytest.mark.parametrize(("method", "path"), READS)
def test_a_read_token_is_never_refused_for_its_scope_on_a_read(staff, database, method, path):
    _id, secret = make_token(database, staff.email, scope="read")

    response = as_holder(staff, secret).request(method, path)

    assert response.status_code in (200, 404), response.get_json()


def test_a_read_write_token_writes(staff, database):
    _id, secret = make_token(database, staff.email, scope="read-write")

    assert factories.matter(as_holder(staff, secret), "Written with a read-write token")


# --- last use -----------------------------------------------------------------------------


def last_used(database, token_id: int) -> dt.datetime | None:
    with database.sessionmaker() as session:
        return session.get(ApiToken, token_id).last_used_at


def test_a_read_notes_the_last_use_at_most_once_a_minute(staff, database, frozen_now, queries):
    token_id, secret = make_token(database, staff.email, scope="read")
    holder = as_holder(staff, secret)
    assert last_used(database, token_id) is None

    assert holder.get("/matters").status_code == 200
    assert last_used(database, token_id) == frozen_now

    queries.clear()
    with clock.frozen(frozen_now + dt.timedelta(seconds=59)):
        for _ in range(5):
            assert holder.get("/matters").status_code == 200
    assert last_used(database, token_id) == frozen_now
    assert not [q for q in queries if q.lstrip().upper().startswith("UPDATE API_TOKENS")]

    later = frozen_now + dt.timedelta(minutes=1)
    with clock.frozen(later):
        assert holder.get("/matters").status_code == 200
    assert last_used(database, token_id) == later


def test_a_refused_request_is_a_use_of_its_token(staff, database, frozen_now):
    token_id, secret = make_token(database, staff.email, scope="read")

    assert as_holder(staff, secret).post("/matters", {"title": "x"}).status_code == 403

    assert last_used(database, token_id) == frozen_now


# --- who gets one -------------------------------------------------------------------------


def test_a_deactivated_user_gets_no_token(client, database, frozen_now):
    _user_id, email, _token = factories.make_user(database, "lawyer", active=False)

    with nothing_written(database), pytest.raises(Conflict, match="is deactivated"):
        make_token(database, email)


def test_the_audit_log_keeps_the_terms_of_a_token_never_the_token(staff, database):
    token_id, secret = make_token(
        database, staff.email, name="backup script", scope="read", expires_on="2026-12-31"
    )

    (entry,) = [e for e in audit(database, "api_tokens") if e.entity_id == token_id]
    assert entry.action == "create"
    assert entry.after == {
        "user": staff.email,
        "name": "backup script",
        "scope": "read",
        "expires_at": "2027-01-01T00:00:00+00:00",
    }
    with database.sessionmaker() as session:
        digest = session.get(ApiToken, token_id).token_hash
    assert secret not in str(entry.after)
    assert digest not in str(entry.after)


def audit(database, entity: str):
    from tracker.models import AuditEntry

    with database.sessionmaker() as session:
        return session.scalars(
            sa.select(AuditEntry).where(AuditEntry.entity == entity).order_by(AuditEntry.id)
        ).all()


def test_list_tokens_shows_one_s_own_live_ones_first(staff, database):
    _first, _ = make_token(database, staff.email, name="first")
    second, _ = make_token(database, staff.email, name="second")
    with database.unit_of_work() as session:
        users.revoke_token(session, SETUP, clock.now(), second)

    with database.sessionmaker() as session:
        owner = session.scalar(sa.select(User).where(User.email == staff.email))
        listed = [t.name for t in users.list_tokens(session, owner, owner)]
    assert listed == ["first", "", "second"]  # "": the token factories.login made
