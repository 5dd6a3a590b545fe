"""Partial dates and local wall times: the pure rules under every date the API takes."""

import datetime as dt

import pytest

from tracker.core.dates import Precision, format_partial, local_to_utc, parse_partial

UTC = dt.UTC


@pytest.mark.parametrize(
    ("text", "expected", "precision"),
    [
        ("2017", dt.date(2017, 1, 1), Precision.year),
        ("2016-11", dt.date(2016, 11, 1), Precision.month),
        ("2016-11-05", dt.date(2016, 11, 5), Precision.day),
        ("2024-02-29", dt.date(2024, 2, 29), Precision.day),
        (" 2020-06 ", dt.date(2020, 6, 1), Precision.month),
    ],
)
def test_partial_dates_parse_to_the_first_day_of_their_period(text, expected, precision):
    assert parse_partial(text) == (expected, precision)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2023-02-29", "not a real date"),
        ("2023-02-30", "not a real date"),
        ("2023-13", "not a real date"),
        ("2023-00-10", "not a real date"),
        ("23-01-01", "is not a date"),
        ("2023/01/01", "is not a date"),
        ("", "is not a date"),
        ("yesterday", "is not a date"),
    ],
)
def test_impossible_or_malformed_partial_dates_are_refused(text, message):
    with pytest.raises(ValueError, match=message):
        parse_partial(text)


def test_an_explicit_precision_must_match_the_text():
    assert parse_partial("2016-11", "month") == (dt.date(2016, 11, 1), Precision.month)
    with pytest.raises(ValueError, match="has month precision, not day"):
        parse_partial("2016-11", "day")


@pytest.mark.parametrize(
    ("precision", "expected"),
    [("year", "2016"), ("month", "2016-11"), ("day", "2016-11-05")],
)
def test_dates_are_written_only_as_precisely_as_known(precision, expected):
    assert format_partial(dt.date(2016, 11, 5), precision) == expected


@pytest.mark.parametrize(
    ("local", "zone", "utc"),
    [
        # Summer and winter time in Brussels.
        ("2024-06-18T09:00", "Europe/Brussels", dt.datetime(2024, 6, 18, 7, 0, tzinfo=UTC)),
        ("2024-12-18T09:00", "Europe/Brussels", dt.datetime(2024, 12, 18, 8, 0, tzinfo=UTC)),
        # The days the clocks change, away from the changed hour.
        ("2024-03-31T09:00", "Europe/Brussels", dt.datetime(2024, 3, 31, 7, 0, tzinfo=UTC)),
        ("2024-10-27T09:00", "Europe/Brussels", dt.datetime(2024, 10, 27, 8, 0, tzinfo=UTC)),
        # Almaty moved from UTC+6 to UTC+5 on 1 March 2024.
        ("2024-02-29T09:00", "Asia/Almaty", dt.datetime(2024, 2, 29, 3, 0, tzinfo=UTC)),
        ("2024-03-01T09:00", "Asia/Almaty", dt.datetime(2024, 3, 1, 4, 0, tzinfo=UTC)),
        # Kyiv and Moscow: one with DST, one without.
        ("2024-07-01T10:00", "Europe/Kyiv", dt.datetime(2024, 7, 1, 7, 0, tzinfo=UTC)),
        ("2024-01-15T10:00", "Europe/Moscow", dt.datetime(2024, 1, 15, 7, 0, tzinfo=UTC)),
        # An ambiguous time made exact by its offset.
        ("2024-10-27T02:30+02:00", "Europe/Brussels", dt.datetime(2024, 10, 27, 0, 30, tzinfo=UTC)),
        ("2024-10-27T02:30+01:00", "Europe/Brussels", dt.datetime(2024, 10, 27, 1, 30, tzinfo=UTC)),
    ],
)
def test_local_times_become_utc_instants(local, zone, utc):
    assert local_to_utc(local, zone) == utc


@pytest.mark.parametrize(
    ("local", "zone", "message"),
    [
        ("2024-03-31T02:30", "Europe/Brussels", "does not exist"),
        ("2024-10-27T02:30", "Europe/Brussels", "occurs twice"),
        ("2024-10-27T02:30+05:00", "Europe/Brussels", "never at offset"),
        ("2024-06-18T09:00", "Europe/Bruxelles", "not an IANA time zone"),
        ("2024-06-18T09:00", "", "not an IANA time zone"),
        ("2024-06-18T09:00", "../etc/passwd", "not an IANA time zone"),
        ("2024-06-31T09:00", "Europe/Brussels", "not a local date and time"),
        ("18/06/2024 09:00", "Europe/Brussels", "not a local date and time"),
    ],
)
def test_impossible_local_times_are_refused(local, zone, message):
    with pytest.raises(ValueError, match=message):
        local_to_utc(local, zone)
