"""Working days of a jurisdiction, and the parts of the engine the shipped rules do not use."""

import datetime as dt

import pytest

from tracker.deadlines.models import BlockingDays, EndShift, OffsetUnit, VacationPolicy
from tracker.deadlines.rules import NotInForce, Rule, compute
from tracker.jurisdictions.calendars import Calendar, Vacation
from tracker.jurisdictions.models import VacationEffect

BE = Calendar("BE", "BE")
UA = Calendar("UA", "UA")
ECHR = Calendar("ECHR")
AUGUST = Vacation("summer suspension", VacationEffect.suspend, (8, 1), (8, 31))
IT = Calendar("IT", "IT", vacations=(AUGUST,))
WEEKENDS = BlockingDays.weekends_and_holidays
SUNDAYS = BlockingDays.holidays_and_sundays


def test_ukraine_has_had_no_public_holidays_since_martial_law():
    """The holidays package knows it: nothing to write by hand."""
    assert UA.holiday(dt.date(2021, 5, 1)) is not None  # Labour Day, before the war
    assert UA.holiday(dt.date(2022, 3, 8)) is not None  # the last one, a week before
    for day in (dt.date(2022, 5, 2), dt.date(2023, 1, 1), dt.date(2024, 12, 25)):
        assert UA.holiday(day) is None
        assert UA.day_off(day, WEEKENDS) in (None, "weekend")


@pytest.mark.parametrize(
    ("calendar", "day", "blocking", "reason"),
    [
        (BE, dt.date(2024, 7, 21), WEEKENDS, "public holiday: National Day"),
        (BE, dt.date(2024, 4, 1), WEEKENDS, "public holiday: Easter Monday"),
        (BE, dt.date(2024, 7, 20), WEEKENDS, "weekend"),
        (BE, dt.date(2024, 7, 22), WEEKENDS, None),
        (IT, dt.date(2024, 6, 1), SUNDAYS, None),  # a Saturday is a working day
        (IT, dt.date(2024, 6, 2), SUNDAYS, "public holiday: Republic Day"),
        (IT, dt.date(2024, 6, 9), SUNDAYS, "Sunday"),
        (ECHR, dt.date(2024, 12, 25), WEEKENDS, None),  # no holiday country
        (ECHR, dt.date(2024, 12, 28), WEEKENDS, "weekend"),
    ],
)
def test_why_a_day_is_off(calendar, day, blocking, reason):
    assert calendar.day_off(day, blocking) == reason


def test_a_vacation_applies_only_inside_its_validity_window():
    old = Vacation("old", VacationEffect.suspend, (8, 1), (8, 31), valid_to=dt.date(2015, 1, 1))

    assert old.contains(dt.date(2014, 8, 10))
    assert not old.contains(dt.date(2015, 8, 10))
    assert not old.contains(dt.date(2014, 9, 1))


def rule(**fields) -> Rule:
    values = {
        "code": "TEST",
        "title": "A test rule",
        "trigger_kind": "judgment",
        "amount": 5,
        "unit": OffsetUnit.working_days,
    }
    return Rule(**(values | fields))


def test_working_days_skip_weekends_and_holidays():
    # Thu 18 July 2024 + 5 working days: Fri 19, Mon 22, Tue 23, Wed 24, Thu 25
    # (the weekend of 20-21 July, National Day on the Sunday, does not count).
    assert compute(rule(), dt.date(2024, 7, 18), BE).due_on == dt.date(2024, 7, 25)


def test_working_days_stop_while_time_is_suspended():
    # Tue 30 July 2024 + 5 working days (Italian criminal: Saturday works): Wed 31,
    # August suspended, Sep 2 (Mon; Sun 1 is off), 3, 4, 5.
    made = compute(
        rule(blocking_days=SUNDAYS, vacation_policy=VacationPolicy.apply), dt.date(2024, 7, 30), IT
    )

    assert made.due_on == dt.date(2024, 9, 5)


def test_months_are_extended_by_the_suspended_days():
    # 15 July + 1 month = 15 August; 15 of its days (1–15 August) were suspended, so
    # the period runs 15 more days after the suspension: 1–15 September.
    made = compute(
        rule(
            amount=1,
            unit=OffsetUnit.months,
            blocking_days=SUNDAYS,
            vacation_policy=VacationPolicy.apply,
        ),
        dt.date(2024, 7, 15),
        IT,
    )

    assert made.due_on == dt.date(2024, 9, 16)  # Sun 15 September → Mon 16
    assert any("did not run for 15 days" in step for step in made.steps)


def test_a_rule_without_a_roll_says_so_when_it_ends_on_a_day_off():
    made = compute(
        rule(amount=3, unit=OffsetUnit.days, end_shift=EndShift.none), dt.date(2024, 7, 18), BE
    )

    assert made.due_on == dt.date(2024, 7, 21)
    assert "does not move to the next working day" in made.explanation


def test_a_version_of_a_rule_out_of_its_window_is_refused():
    old = rule(valid_to=dt.date(2016, 2, 29))

    assert compute(old, dt.date(2016, 2, 28), BE).due_on
    with pytest.raises(NotInForce):
        compute(old, dt.date(2016, 2, 29), BE)


def test_a_calendar_that_never_works_does_not_loop_for_ever():
    every_day = Vacation("always", VacationEffect.suspend, (1, 1), (12, 31))
    never = Calendar("XX", vacations=(every_day,))

    with pytest.raises(ValueError, match="no working day"):
        compute(rule(vacation_policy=VacationPolicy.apply), dt.date(2024, 1, 1), never)


def test_a_roll_into_a_suspension_keeps_the_earlier_date_and_says_why():
    # 15 days from Sat 16 July 2022 → Sun 31 July → Mon 1 August, inside the suspension.
    made = compute(
        rule(
            amount=15,
            unit=OffsetUnit.days,
            blocking_days=SUNDAYS,
            vacation_policy=VacationPolicy.apply,
        ),
        dt.date(2022, 7, 16),
        IT,
    )

    assert made.due_on == dt.date(2022, 8, 1)
    assert "unsettled, so the earlier date is kept" in made.explanation
