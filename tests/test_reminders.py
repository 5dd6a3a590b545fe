"""Which reminder is due now: the pure rules, boundaries on both sides."""

import datetime as dt

import pytest

from tracker.notifications.reminders import (
    DEADLINE_OFFSETS,
    HEARING_OFFSETS,
    deadline_offset_due,
    hearing_offset_due,
)

UTC = dt.UTC
HEARING = dt.datetime(2026, 12, 15, 9, 0, tzinfo=UTC)
LONG_AGO = dt.datetime(2026, 10, 1, tzinfo=UTC)


def before(days: float, *, hours: float = 0) -> dt.datetime:
    return HEARING - dt.timedelta(days=days, hours=hours)


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (before(15), None),  # nothing due yet
        (before(14, hours=0.01), None),  # 36 seconds early for the 14-day one
        (before(14), 14),  # exactly on time
        (before(13), 14),
        (before(7), 7),
        (before(6.5), 7),
        (before(2), 2),
        (before(1, hours=1), 2),
        (before(1), 1),
        (before(0, hours=1), 1),  # an hour before: the last one is still the one due
        (HEARING, None),  # it has started: too late for any reminder
        (HEARING + dt.timedelta(days=1), None),
    ],
)
def test_the_latest_reminder_due_is_the_one_to_send(now, expected):
    assert hearing_offset_due(HEARING, LONG_AGO, now, HEARING_OFFSETS) == expected


def test_after_an_outage_only_the_latest_reminder_is_sent():
    # The scheduler was down from 15 days before until 1.5 days before the hearing.
    assert hearing_offset_due(HEARING, LONG_AGO, before(1.5), HEARING_OFFSETS) == 2


@pytest.mark.parametrize(
    ("set_at", "now", "expected"),
    [
        # Set five days ahead: no 14- or 7-day reminder, ever.
        (before(5), before(5), None),
        (before(5), before(4), None),
        (before(5), before(2), 2),
        # Set exactly at the 7-day moment: that reminder still goes.
        (before(7), before(7), 7),
        # Set a minute after the 7-day moment: it does not.
        (before(7) + dt.timedelta(minutes=1), before(6), None),
        # Set less than a day ahead: no reminder at all.
        (before(0, hours=20), before(0, hours=10), None),
    ],
)
def test_a_hearing_set_inside_the_window_gets_only_the_later_reminders(set_at, now, expected):
    assert hearing_offset_due(HEARING, set_at, now, HEARING_OFFSETS) == expected


def test_a_user_may_choose_other_offsets():
    assert hearing_offset_due(HEARING, LONG_AGO, before(3), (3,)) == 3
    assert hearing_offset_due(HEARING, LONG_AGO, before(3), ()) is None


DUE = dt.date(2026, 12, 15)
SET_LONG_AGO = dt.date(2026, 10, 1)


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (dt.date(2026, 12, 7), None),
        (dt.date(2026, 12, 8), 7),
        (dt.date(2026, 12, 11), 7),
        (dt.date(2026, 12, 12), 3),
        (dt.date(2026, 12, 13), 3),
        (dt.date(2026, 12, 14), 1),
        (dt.date(2026, 12, 15), 1),  # the last day itself: still reminded
        (dt.date(2026, 12, 16), None),  # missed: a delay flag, not a reminder
    ],
)
def test_deadline_reminders(today, expected):
    assert deadline_offset_due(DUE, SET_LONG_AGO, today, DEADLINE_OFFSETS) == expected


@pytest.mark.parametrize(
    ("set_on", "today", "expected"),
    [
        (dt.date(2026, 12, 13), dt.date(2026, 12, 13), None),  # set two days ahead
        (dt.date(2026, 12, 13), dt.date(2026, 12, 14), 1),
        (dt.date(2026, 12, 12), dt.date(2026, 12, 12), 3),  # set on the 3-day day
    ],
)
def test_a_deadline_set_late_gets_only_the_later_reminders(set_on, today, expected):
    assert deadline_offset_due(DUE, set_on, today, DEADLINE_OFFSETS) == expected
