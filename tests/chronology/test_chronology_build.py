"""The builder: one section per proceeding in order of opening, dates as precisely as
known, links in words, the delays paragraph, sources numbered; withdrawn rows left out;
the proceedings and date-range filters; a constant number of queries.

The dossier is `conftest.dossier`; today is 22 November 2026.
"""

from __future__ import annotations

import datetime as dt

import factories
import pytest
import sqlalchemy as sa
from conftest import CLIENT, LINK

from tracker.chronology import queries
from tracker.chronology.schemas import ChronologyQuery
from tracker.core import clock
from tracker.core.errors import Invalid
from tracker.matters.models import Matter
from tracker.users.models import User


def build(database, dossier, **options):
    with database.sessionmaker() as session:
        actor = session.scalar(sa.select(User).where(User.email == "coord@example.org"))
        matter = session.get(Matter, dossier.matter["id"])
        return queries.build(
            session, actor, matter, ChronologyQuery.model_validate(options), clock.today()
        )


def texts(section):
    return [(item.written, item.type, item.text) for item in section.items]


def test_sections_follow_the_order_of_opening_with_dates_as_precisely_known(database, dossier):
    made = build(database, dossier)
    assert made.title == "Dossier of Mukhtar Ablyazov"
    assert made.client == CLIENT
    assert made.period == "2016 – 22 November 2026"
    assert [s.heading for s in made.sections] == [
        "Kazakhstan: Criminal case",
        "Ukraine: Extradition request from Kazakhstan",
        "France: Asylum of Ablyazov in France",
        "Kazakhstan: Appeal",
    ]
    criminal, request, asylum, appeal = made.sections
    assert criminal.period == "opened 2016 – pending"
    assert criminal.reference == "170000131000012"
    assert criminal.authority == "Prosecutor General"
    assert criminal.role == "Accused"
    assert request.period == "opened November 2016 – pending"
    assert request.role == "Requested person"
    assert asylum.period == "opened 2 May 2019 – pending"
    assert appeal.period == "opened 10 January 2021 – decided 3 March 2021"


def test_a_closing_date_known_to_the_month_is_written_to_the_month(database, dossier):
    path = f"/proceedings/{dossier.criminal['id']}"
    factories.ok(
        dossier.api.patch(path, {"version": 1, "status": "closed", "closed_on": "2019-06"})
    )

    criminal = build(database, dossier).sections[0]

    assert criminal.period == "opened 2016 – closed June 2019"


def test_items_are_dated_and_worded_and_withdrawn_rows_are_left_out(database, dossier):
    request = build(database, dossier).sections[1]
    assert texts(request) == [
        (
            "November 2016",
            "event",
            "Request received: Request naming Mukhtar Ablyazov received by the prosecutor",
        ),
        (
            "15 April 2024",
            "postponement",
            "Hearing “First hearing” set for this day postponed to 18 June 2024; "
            "reason: court busy",
        ),
        (
            "18 June 2024",
            "postponement",
            "Hearing “First hearing” set for this day postponed to 10 September 2024; "
            "reason: judge ill",
        ),
        ("10 September 2024", "hearing", "Hearing “First hearing” scheduled at 10:00"),
    ]
    everything = repr(build(database, dossier))
    assert "WITHDRAWN-EVENT" not in everything
    assert "WITHDRAWN-MOVE" not in everything
    assert "1 December 2024" not in everything


def test_links_are_written_in_words(database, dossier):
    criminal, request, asylum, appeal = build(database, dossier).sections
    assert request.links == ("requested by Kazakhstan in connection with case no. 170000131000012",)
    assert appeal.links == (
        "appeal of a proceeding in Kazakhstan in connection with case no. 170000131000012",
    )
    assert criminal.links == asylum.links == ()


def test_the_delays_paragraph_gives_the_ledger_and_the_wait(database, dossier):
    request = build(database, dossier).sections[1]
    # 15 April -> 10 September 2024: 148 days; 1 November 2016 -> 22 November 2026: 3,673
    assert request.delays.startswith(
        "Hearings were postponed 2 times (1 hearing), 148 days lost to postponements. "
        "The request has waited 3,673 days without a decision (since November 2016). "
    )
    assert "Flagged: " in request.delays  # the scan's open flags, in their words
    assert "pending more than 730 days with no decision" in request.delays
    asylum = build(database, dossier).sections[2]
    assert "postponed" not in asylum.delays
    assert "request has waited" not in asylum.delays


def test_sources_are_numbered_notes_and_a_link_stays_a_link(database, dossier):
    made = build(database, dossier)
    assert [(n.number, n.text, n.url) for n in made.notes] == [
        (1, LINK, LINK),
        (2, "Almaty City Court, decision no. 5", None),
    ]
    assert made.sections[1].items[0].note == 1
    assert made.sections[3].items[0].note == 2
    assert made.sections[3].items[0].type == "decision"


def test_a_date_range_leaves_out_what_is_outside_it(database, dossier):
    made = build(database, dossier, **{"from": "2024-05-01", "to": "2024-12-31"})
    assert made.period == "1 May 2024 – 31 December 2024"
    request = made.sections[1]
    assert [i.written for i in request.items] == ["18 June 2024", "10 September 2024"]
    assert made.notes == ()  # the cited events are out of the range
    # a date known to the month is kept when its month meets the range, not otherwise
    within = build(database, dossier, **{"from": "2016-11-15", "to": "2016-11-20"})
    assert [i.written for i in within.sections[1].items] == ["November 2016"]
    after = build(database, dossier, **{"from": "2016-12-01", "to": "2016-12-31"})
    assert after.sections[1].items == ()


def test_a_subset_of_proceedings_in_order_of_opening(database, dossier):
    ids = f"{dossier.appeal['id']},{dossier.criminal['id']}"
    made = build(database, dossier, proceedings=ids)
    assert [s.proceeding_id for s in made.sections] == [
        dossier.criminal["id"],
        dossier.appeal["id"],
    ]
    assert [n.number for n in made.notes] == [1]  # only the judgment's source is cited


def test_a_proceeding_of_another_matter_is_refused(database, dossier):
    other = factories.matter(dossier.api, "Another matter")
    foreign = factories.proceeding(dossier.api, other["id"], jurisdiction="FR")
    with pytest.raises(Invalid) as refused:
        build(database, dossier, proceedings=str(foreign["id"]))
    assert refused.value.field == "proceedings"


def test_a_constant_number_of_queries(database, dossier, queries):
    build(database, dossier)
    few = len(queries)
    for n in range(3):
        p = factories.proceeding(
            dossier.api, dossier.matter["id"], jurisdiction="FR",
            opened_on=f"2020-0{n + 1}-01", origin_id=dossier.criminal["id"],
        )  # fmt: skip
        h = factories.hearing(dossier.api, p["id"], "2025-01-10T09:00")
        factories.postpone(dossier.api, h["id"], "2025-02-10T09:00", reason="again")
        factories.event(dossier.api, p["id"], "2020-05-05", source=f"https://example.org/{n}")
    queries.clear()
    build(database, dossier, privacy="pseudonymised")
    assert len(queries) <= few + 1  # the names to hide: one more query
    assert few <= 10


def test_the_period_of_an_empty_matter(database, dossier):
    empty = factories.matter(dossier.api, "Empty")
    with database.sessionmaker() as session:
        actor = session.scalar(sa.select(User).where(User.email == "coord@example.org"))
        made = queries.build(
            session, actor, session.get(Matter, empty["id"]), ChronologyQuery(), dt.date(2026, 1, 2)
        )
    assert made.sections == ()
    assert made.period == "until 2 January 2026"
    assert made.client == "—"


def test_hearings_held_and_cancelled_are_worded(database, dossier):
    asylum = dossier.asylum["id"]
    decided = factories.hearing(dossier.api, asylum, "2020-03-03T09:30")  # titled "Hearing"
    factories.ok(
        dossier.api.post(
            f"/hearings/{decided['id']}/outcome",
            {"result": "decided", "summary": "Protection granted to Ablyazov"},
        )
    )
    held = factories.hearing(dossier.api, asylum, "2020-01-10T09:30", title="Interview")
    factories.ok(dossier.api.post(f"/hearings/{held['id']}/outcome", {"result": "held"}))
    called_off = factories.hearing(dossier.api, asylum, "2020-02-10T09:30", title="Interview")
    factories.ok(dossier.api.post(f"/hearings/{called_off['id']}/outcome", {"result": "cancelled"}))
    assert texts(build(database, dossier).sections[2]) == [
        ("10 January 2020", "hearing", "Hearing “Interview” held"),
        ("10 February 2020", "hearing", "Hearing “Interview” cancelled"),
        (
            "3 March 2020",
            "hearing",
            "Hearing held; outcome: decided: Protection granted to Ablyazov",
        ),
    ]
