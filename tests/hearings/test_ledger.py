"""How far a hearing slipped, in the court's days: the one computation (hearings/ledger.py)."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from tracker.hearings.ledger import slip_days


def utc(text: str, zone: str) -> dt.datetime:
    """A wall time in `zone` as the UTC instant the database keeps."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(zone)).astimezone(dt.UTC)


@pytest.mark.parametrize(
    ("first", "current", "zone", "days"),
    [
        ("2024-04-15T09:00", "2024-06-18T09:00", "Europe/Brussels", 64),
        # brought forward: a negative slip
        ("2024-06-18T09:00", "2024-06-11T14:00", "Europe/Brussels", -7),
        # the same day, another hour: no slip
        ("2024-06-18T09:00", "2024-06-18T16:30", "Europe/Brussels", 0),
        # across the night the clocks go forward, and the one they go back
        ("2026-03-28T23:30", "2026-03-29T09:00", "Europe/Brussels", 1),
        ("2026-10-24T23:30", "2026-10-25T23:30", "Europe/Brussels", 1),
        # late in the evening in Almaty is the next day in UTC: the court's day counts
        ("2025-01-10T23:00", "2025-01-11T01:00", "Asia/Almaty", 1),
        # Samoa skipped 30 December 2011: two court days apart, one day of time
        ("2011-12-29T10:00", "2011-12-31T10:00", "Pacific/Apia", 2),
        # Kazakhstan moved Almaty from UTC+6 to UTC+5 on 1 March 2024
        ("2024-02-29T09:00", "2024-03-01T09:00", "Asia/Almaty", 1),
        # month ends and a leap day
        ("2024-01-31T10:00", "2024-02-29T10:00", "Europe/Kyiv", 29),
        ("2023-12-31T10:00", "2024-12-31T10:00", "Europe/Kyiv", 366),
    ],
)
def test_a_slip_is_counted_in_the_courts_days(first, current, zone, days):
    assert slip_days(utc(first, zone), utc(current, zone), zone) == days


def test_the_same_instants_slip_differently_by_the_courts_zone():
    first = dt.datetime(2025, 1, 10, 22, 30, tzinfo=dt.UTC)
    current = dt.datetime(2025, 1, 11, 0, 30, tzinfo=dt.UTC)

    assert slip_days(first, current, "UTC") == 1
    assert slip_days(first, current, "America/Sao_Paulo") == 0
