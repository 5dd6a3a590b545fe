"""`authority_overdue`, pure: an authority's time limit passed and the awaited event not
recorded. Warning from the day after the due date (+ N days), critical once the time
since the trigger is more than M times the period; both sides of each boundary."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tracker import config
from tracker.deadlines.enums import Party
from tracker.delays import rules
from tracker.delays.rules import (
    DeadlineFacts,
    ProceedingFacts,
    Thresholds,
    authority_overdue,
    deadline_due,
    evaluate,
)

T = Thresholds()
DAY = timedelta(days=1)


def owed(**fields) -> DeadlineFacts:
    """An authority's deadline: a CCF decision on admissibility, one month from receipt."""
    values = {
        "id": 5,
        "proceeding_id": 3,
        "title": "CCF decision on admissibility",
        "due_on": date(2026, 3, 1),
        "trigger_on": date(2026, 2, 1),
        "owed_by": Party.authority,
        "met_by": ("admissibility_decision",),
    }
    return DeadlineFacts(**(values | fields))


def severity(flag: rules.Flag | None) -> str | None:
    return None if flag is None else flag.severity


# --- when it is raised and when it is critical ------------------------------------------------

# (trigger, due, as_of, expected): default thresholds (0 days, critical past twice the period)
CASES = [
    # one month from 1 Feb 2026: due 1 Mar (28 days); critical past 56 days (29 Mar)
    ("2026-02-01", "2026-03-01", "2026-02-27", None),
    ("2026-02-01", "2026-03-01", "2026-03-01", None),  # the due day itself: not late yet
    ("2026-02-01", "2026-03-01", "2026-03-02", "warning"),  # the day after
    ("2026-02-01", "2026-03-01", "2026-03-29", "warning"),  # exactly twice the period
    ("2026-02-01", "2026-03-01", "2026-03-30", "critical"),
    ("2026-02-01", "2026-03-01", "2034-03-01", "critical"),  # years late
    # a month from 31 Jan ends on 28 Feb (28 days): critical past 56 days, from 29 Mar
    ("2026-01-31", "2026-02-28", "2026-02-28", None),
    ("2026-01-31", "2026-02-28", "2026-03-01", "warning"),
    ("2026-01-31", "2026-02-28", "2026-03-28", "warning"),
    ("2026-01-31", "2026-02-28", "2026-03-29", "critical"),
    # leap year: a month from 31 Jan 2024 ends on 29 Feb (29 days): critical past 58 days
    ("2024-01-31", "2024-02-29", "2024-02-29", None),
    ("2024-01-31", "2024-02-29", "2024-03-01", "warning"),
    ("2024-01-31", "2024-02-29", "2024-03-29", "warning"),
    ("2024-01-31", "2024-02-29", "2024-03-30", "critical"),
    # two months from 31 Dec 2023 end on 29 Feb 2024 (60 days): critical past 120 days
    ("2023-12-31", "2024-02-29", "2024-04-29", "warning"),
    ("2023-12-31", "2024-02-29", "2024-04-30", "critical"),
    # a year from 29 Feb 2024 ends on 28 Feb 2025 (365 days): critical past 730 days
    ("2024-02-29", "2025-02-28", "2025-03-01", "warning"),
    ("2024-02-29", "2025-02-28", "2026-02-28", "warning"),
    ("2024-02-29", "2025-02-28", "2026-03-01", "critical"),
    # 60 days (UN WGAD) from 1 Jan 2026: due 2 Mar; critical past 120 days (1 May)
    ("2026-01-01", "2026-03-02", "2026-03-03", "warning"),
    ("2026-01-01", "2026-03-02", "2026-05-01", "warning"),
    ("2026-01-01", "2026-03-02", "2026-05-02", "critical"),
    # across the year's end: 31 days from 15 Dec; critical past 62 days
    ("2025-12-15", "2026-01-15", "2026-02-15", "warning"),
    ("2025-12-15", "2026-01-15", "2026-02-16", "critical"),
    # 10 days (EAW with consent), due on a Sunday: not rolled, late from the Monday
    ("2026-03-05", "2026-03-15", "2026-03-16", "warning"),
    ("2026-03-05", "2026-03-15", "2026-03-25", "warning"),
    ("2026-03-05", "2026-03-15", "2026-03-26", "critical"),
]


@pytest.mark.parametrize(("trigger", "due", "as_of", "expected"), CASES)
def test_overdue_the_day_after_and_critical_past_twice_the_period(trigger, due, as_of, expected):
    facts = owed(trigger_on=date.fromisoformat(trigger), due_on=date.fromisoformat(due))
    assert severity(authority_overdue(facts, date.fromisoformat(as_of), T)) == expected


@pytest.mark.parametrize(
    ("thresholds", "as_of", "expected"),
    [
        # N days of grace: late only past them
        (Thresholds(authority_overdue_days=10), "2026-03-11", None),
        (Thresholds(authority_overdue_days=10), "2026-03-12", "warning"),
        # three times the 28 days: critical past 84 days from the trigger (26 Apr)
        (Thresholds(authority_overdue_critical_multiple=3), "2026-04-26", "warning"),
        (Thresholds(authority_overdue_critical_multiple=3), "2026-04-27", "critical"),
        # once: critical as soon as it is late
        (Thresholds(authority_overdue_critical_multiple=1), "2026-03-01", None),
        (Thresholds(authority_overdue_critical_multiple=1), "2026-03-02", "critical"),
        # grace longer than the critical bound: nothing until the grace ends, then critical
        (Thresholds(authority_overdue_days=40), "2026-04-10", None),
        (Thresholds(authority_overdue_days=40), "2026-04-11", "critical"),
    ],
)
def test_thresholds_are_applied(thresholds, as_of, expected):
    assert severity(authority_overdue(owed(), date.fromisoformat(as_of), thresholds)) == expected


def test_began_on_is_the_day_after_the_due_date_plus_the_grace():
    late = date(2027, 1, 1)
    assert authority_overdue(owed(), late, T).began_on == date(2026, 3, 2)
    with_grace = Thresholds(authority_overdue_days=10)
    assert authority_overdue(owed(), late, with_grace).began_on == date(2026, 3, 12)
    # critical later on does not move when the delay began
    assert authority_overdue(owed(), date(2030, 1, 1), T).began_on == date(2026, 3, 2)


@pytest.mark.parametrize("as_of", ["2026-03-02", "2031-01-01"])
def test_one_set_by_hand_without_a_trigger_stays_a_warning(as_of):
    facts = owed(trigger_on=None)
    assert severity(authority_overdue(facts, date.fromisoformat(as_of), T)) == "warning"


def test_a_period_counted_back_has_no_time_allowed_to_multiply():
    facts = owed(trigger_on=date(2026, 3, 10), due_on=date(2026, 3, 1))
    assert severity(authority_overdue(facts, date(2027, 1, 1), T)) == "warning"


# --- met by the awaited event -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("met_on", "as_of", "expected"),
    [
        (None, "2026-03-19", "warning"),
        ("2026-02-20", "2026-04-01", None),  # in time
        ("2026-03-20", "2026-04-01", None),  # late, but it came: nothing to flag now
        ("2026-03-20", "2026-03-19", "warning"),  # the day before it came, it was overdue
        ("2026-03-20", "2026-03-20", None),  # met on its own day
        ("2026-06-01", "2026-04-01", "critical"),  # came after as_of: not yet
    ],
)
def test_met_as_of_the_day_of_the_awaited_event(met_on, as_of, expected):
    facts = owed(met_on=date.fromisoformat(met_on) if met_on else None)
    assert severity(authority_overdue(facts, date.fromisoformat(as_of), T)) == expected


# --- theirs, not ours -------------------------------------------------------------------------


@pytest.mark.parametrize("days_left", [7, 3, 0, -1, -400])
def test_an_authority_deadline_is_never_near_nor_missed(days_left):
    as_of = date(2026, 3, 1) - timedelta(days=days_left)
    flags = evaluate([ProceedingFacts(id=3, kind="trial")], [], [owed()], as_of, T)
    assert [flag.rule for flag in flags] == (["authority_overdue"] if days_left < 0 else [])


@pytest.mark.parametrize(("days_left", "rule"), [(3, "deadline_near"), (-1, "deadline_missed")])
def test_a_client_deadline_is_still_near_then_missed(days_left, rule):
    ours = owed(owed_by=Party.client, met_by=())
    as_of = date(2026, 3, 1) - timedelta(days=days_left)
    flags = evaluate([ProceedingFacts(id=3, kind="trial")], [], [ours], as_of, T)
    assert [flag.rule for flag in flags] == [rule]
    assert deadline_due(ours, as_of, T).rule == rule


def test_a_closed_authority_deadline_is_not_flagged():
    closed = owed(open=False)
    assert evaluate([ProceedingFacts(id=3, kind="trial")], [], [closed], date(2027, 1, 1), T) == []


# --- words ------------------------------------------------------------------------------------


def test_the_message_names_the_due_date_and_what_is_awaited():
    warning = authority_overdue(owed(), date(2026, 3, 2), T)
    critical = authority_overdue(owed(), date(2026, 5, 1), T)

    assert warning.key == critical.key == "authority_overdue:deadline:5"
    assert warning.message == (
        "The authority's “CCF decision on admissibility” was expected by 1 Mar 2026; "
        "no admissibility decision recorded"
    )
    assert critical.message == (
        "The authority's “CCF decision on admissibility” was expected by 1 Mar 2026; "
        "no admissibility decision recorded, more than twice the time allowed since 1 Feb 2026"
    )
    assert critical.details == {
        "due_on": "2026-03-01",
        "met_by": ["admissibility_decision"],
        "more_than_days": 0,
        "trigger_on": "2026-02-01",
        "period_days": 28,
        "critical_multiple": 2,
    }


@pytest.mark.parametrize(
    ("met_by", "multiple", "words"),
    [
        (("decision", "state_reply"), 3, "no decision or state reply recorded, more than 3 times"),
        ((), 1, "no awaited event recorded, more than the time allowed since"),
    ],
)
def test_the_message_with_other_kinds_and_multiples(met_by, multiple, words):
    t = Thresholds(authority_overdue_critical_multiple=multiple)
    assert words in authority_overdue(owed(met_by=met_by), date(2027, 1, 1), t).message


@pytest.mark.parametrize("as_of", [date(2026, 3, 10), date(2026, 6, 10), date(2040, 1, 1)])
def test_the_flag_reads_the_same_from_one_day_to_the_next(as_of):
    # a stored flag changes when its situation does, not because a day went by
    today = authority_overdue(owed(), as_of, T)
    tomorrow = authority_overdue(owed(), as_of + DAY, T)
    assert (today.severity, today.message, today.details, today.began_on) == (
        tomorrow.severity,
        tomorrow.message,
        tomorrow.details,
        tomorrow.began_on,
    )


def test_it_is_a_contract_code():
    assert "authority_overdue" in rules.CODES


# --- thresholds from the environment ----------------------------------------------------------


def test_defaults_and_values_from_the_environment():
    assert (T.authority_overdue_days, T.authority_overdue_critical_multiple) == (0, 2)
    t = config.delay_thresholds(
        {
            "DELAY_AUTHORITY_OVERDUE_DAYS": " 15 ",
            "DELAY_AUTHORITY_OVERDUE_CRITICAL_MULTIPLE": "3",
        }
    )
    assert (t.authority_overdue_days, t.authority_overdue_critical_multiple) == (15, 3)
    empty = config.delay_thresholds(
        {"DELAY_AUTHORITY_OVERDUE_DAYS": "", "DELAY_AUTHORITY_OVERDUE_CRITICAL_MULTIPLE": " "}
    )
    assert empty == Thresholds()


@pytest.mark.parametrize(
    ("name", "value", "bounds"),
    [
        ("DELAY_AUTHORITY_OVERDUE_DAYS", "-1", "from 0 to 36500"),
        ("DELAY_AUTHORITY_OVERDUE_DAYS", "a month", "from 0 to 36500"),
        ("DELAY_AUTHORITY_OVERDUE_CRITICAL_MULTIPLE", "0", "from 1 to 100"),
        ("DELAY_AUTHORITY_OVERDUE_CRITICAL_MULTIPLE", "101", "from 1 to 100"),
        ("DELAY_AUTHORITY_OVERDUE_CRITICAL_MULTIPLE", "1.5", "from 1 to 100"),
        ("DELAY_AUTHORITY_OVERDUE_CRITICAL_MULTIPLE", "twice", "from 1 to 100"),
    ],
)
def test_a_bad_value_is_refused_naming_the_variable(name, value, bounds):
    with pytest.raises(ValueError, match=f"{name} must be a whole number {bounds}"):
        config.delay_thresholds({name: value})


def test_settings_carry_them(tmp_path):
    settings = config.load(
        {
            "TRACKER_INSTANCE": str(tmp_path),
            "SECRET_KEY": "x",
            "DELAY_AUTHORITY_OVERDUE_CRITICAL_MULTIPLE": "4",
        }
    )
    assert settings.delays.authority_overdue_critical_multiple == 4
