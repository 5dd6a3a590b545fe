"""How dates and times read on a page: the court's wall clock, and the reader's when it differs."""

from __future__ import annotations

import datetime as dt

import pytest
from flask import Flask, g

from tracker.web import display

UTC = dt.UTC


@pytest.fixture
def reader():
    """Set the signed-in reader's zone for the filters, as a request would."""
    with Flask(__name__).test_request_context():

        def set_zone(zone: str) -> None:
            g.reader_zone = zone

        yield set_zone


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (dt.date(2026, 11, 23), "Mon 23 Nov 2026"),
        (dt.date(2024, 2, 29), "Thu 29 Feb 2024"),
        (dt.date(2026, 12, 31), "Thu 31 Dec 2026"),
        (dt.datetime(2027, 1, 3, 23, 59, tzinfo=UTC), "Sun 3 Jan 2027"),
        (None, ""),
    ],
)
def test_a_day_reads_in_english_whatever_the_locale(value, expected):
    assert display.day(value) == expected


@pytest.mark.parametrize(
    ("precision", "expected"),
    [("day", "Sat 5 Nov 2016"), ("month", "November 2016"), ("year", "2016")],
)
def test_a_partial_date_reads_at_its_precision(precision, expected):
    assert display.partial(dt.date(2016, 11, 5), precision) == expected


@pytest.mark.parametrize(
    ("instant", "zone", "expected"),
    [
        # winter and summer time on either side of Brussels' 2026 change (29 March, 01:00 UTC)
        (
            dt.datetime(2026, 3, 29, 0, 59, tzinfo=UTC),
            "Europe/Brussels",
            "Sun 29 Mar 2026 01:59 CET",
        ),
        (
            dt.datetime(2026, 3, 29, 1, 0, tzinfo=UTC),
            "Europe/Brussels",
            "Sun 29 Mar 2026 03:00 CEST",
        ),
        # Almaty moved from UTC+6 to UTC+5 on 1 March 2024
        (dt.datetime(2024, 2, 29, 4, 0, tzinfo=UTC), "Asia/Almaty", "Thu 29 Feb 2024 10:00 +06"),
        (dt.datetime(2024, 3, 1, 4, 0, tzinfo=UTC), "Asia/Almaty", "Fri 1 Mar 2024 09:00 +05"),
        # the UTC evening that is already tomorrow in Kyiv
        (dt.datetime(2026, 12, 31, 22, 30, tzinfo=UTC), "Europe/Kyiv", "Fri 1 Jan 2027 00:30 EET"),
    ],
)
def test_an_instant_reads_on_the_wall_clock_of_its_zone(instant, zone, expected):
    assert display.at(instant, zone) == expected


def test_a_time_not_known_reads_as_the_day_only():
    instant = dt.datetime(2026, 12, 1, 23, 30, tzinfo=UTC)  # already 2 Dec in Brussels

    assert display.at(instant, "Europe/Brussels", time_known=False) == "Wed 2 Dec 2026"


def test_the_reader_sees_their_own_time_when_their_clock_differs(reader):
    reader("America/New_York")

    court, yours = display.times(dt.datetime(2026, 12, 1, 9, 0, tzinfo=UTC), "Europe/Brussels")

    assert (court, yours) == ("Tue 1 Dec 2026 10:00 CET", "Tue 1 Dec 2026 04:00 EST")


def test_a_reader_on_the_same_wall_clock_sees_one_time(reader):
    reader("Europe/Paris")  # another zone, the same clock as Brussels

    court, yours = display.times(dt.datetime(2026, 12, 1, 9, 0, tzinfo=UTC), "Europe/Brussels")

    assert (court, yours) == ("Tue 1 Dec 2026 10:00 CET", "")


def test_the_gap_between_two_clocks_follows_summer_time(reader):
    """Istanbul keeps UTC+3 all year; Brussels is UTC+1 in winter and UTC+2 in summer."""
    reader("Europe/Istanbul")
    winter = dt.datetime(2026, 1, 15, 9, 0, tzinfo=UTC)
    summer = dt.datetime(2026, 7, 15, 9, 0, tzinfo=UTC)

    assert display.times(winter, "Europe/Brussels")[1] == "Thu 15 Jan 2026 12:00 +03"
    assert display.times(summer, "Europe/Brussels")[1] == "Wed 15 Jul 2026 12:00 +03"
    assert display.times(summer, "Europe/Brussels")[0] == "Wed 15 Jul 2026 11:00 CEST"


def test_a_time_not_known_is_shown_once_as_the_court_day(reader):
    reader("America/New_York")

    court, yours = display.times(
        dt.datetime(2026, 12, 1, 23, 0, tzinfo=UTC), "Europe/Brussels", time_known=False
    )

    assert (court, yours) == ("Wed 2 Dec 2026", "")


def test_a_hearing_reads_as_the_courts_time_then_the_readers(reader):
    from types import SimpleNamespace

    reader("America/New_York")
    hearing = SimpleNamespace(
        starts_at=dt.datetime(2026, 12, 1, 9, 0, tzinfo=UTC),
        timezone="Europe/Brussels",
        time_known=True,
    )

    assert str(display.when(hearing)) == (
        '<span class="court-time">Tue 1 Dec 2026 10:00 CET</span>'
        '<br><span class="muted reader-time">Tue 1 Dec 2026 04:00 EST for you</span>'
    )
    reader("Europe/Brussels")
    assert str(display.when(hearing)) == '<span class="court-time">Tue 1 Dec 2026 10:00 CET</span>'
