"""The delay rules, pure: facts in, flags out, with the boundaries on both sides.

"More than N days" is N + 1 days or more: exactly N is not a delay yet. No database,
no clock: every case passes its own `as_of`.
"""

from __future__ import annotations

import dataclasses
import zoneinfo
from datetime import UTC, date, datetime, timedelta

import pytest

from tracker import config
from tracker.delays import rules
from tracker.delays.rules import (
    DeadlineFacts,
    HearingFacts,
    ProceedingFacts,
    Thresholds,
    deadline_due,
    evaluate,
    hearing_slipped,
    long_pending,
    outcome_missing,
    repeated_postponement,
    request_unanswered,
    stale_proceeding,
)

AS_OF = date(2026, 11, 22)
T = Thresholds()
BRUSSELS = "Europe/Brussels"


def local(day: date, hour: int = 9, minute: int = 0, tz: str = BRUSSELS) -> datetime:
    """A court's wall-clock time, as the UTC instant the scan hands over."""
    wall = datetime(day.year, day.month, day.day, hour, minute, tzinfo=zoneinfo.ZoneInfo(tz))
    return wall.astimezone(UTC)


def ago(days: int) -> date:
    return AS_OF - timedelta(days=days)


def hearing(**fields) -> HearingFacts:
    first = fields.pop("first", date(2026, 12, 1))
    now = fields.pop("now", first)
    values = {
        "id": 12,
        "proceeding_id": 3,
        "starts_at": local(now),
        "first_starts_at": local(first),
        "timezone": BRUSSELS,
    }
    return HearingFacts(**(values | fields))


def proceeding(**fields) -> ProceedingFacts:
    return ProceedingFacts(**({"id": 3, "kind": "criminal_case"} | fields))


def deadline(**fields) -> DeadlineFacts:
    return DeadlineFacts(**({"id": 5, "proceeding_id": 3, "title": "Appeal brief"} | fields))


def severity(flag: rules.Flag | None) -> str | None:
    return None if flag is None else flag.severity


# --- repeated_postponement --------------------------------------------------------------


@pytest.mark.parametrize(
    ("postponements", "expected"),
    [(0, None), (1, None), (2, "warning"), (3, "critical"), (9, "critical")],
)
def test_repeated_postponement_warns_at_two_and_is_critical_from_three(postponements, expected):
    found = repeated_postponement(
        hearing(postponements=postponements, first=date(2026, 10, 1), now=date(2026, 12, 3)),
        AS_OF,
        T,
    )
    assert severity(found) == expected


def test_repeated_postponement_says_how_often_and_how_far_the_hearing_moved():
    flag = repeated_postponement(
        hearing(postponements=3, first=date(2024, 11, 5), now=date(2025, 3, 4)), AS_OF, T
    )

    assert flag.message == (
        "Hearing postponed 3 times; first set for 5 Nov 2024, now 4 Mar 2025 (119 days later)"
    )
    assert (flag.rule, flag.key) == ("repeated_postponement", "repeated_postponement:hearing:12")
    assert (flag.proceeding_id, flag.hearing_id, flag.deadline_id) == (3, 12, None)
    assert flag.details == {
        "postponements": 3,
        "first_set_for": "2024-11-05",
        "set_for": "2025-03-04",
        "slip_days": 119,
    }


def test_repeated_postponement_of_a_hearing_now_sine_die():
    flag = repeated_postponement(
        hearing(postponements=2, first=date(2024, 4, 15), sine_die=True), AS_OF, T
    )
    assert flag.message == (
        "Hearing postponed 2 times; first set for 15 Apr 2024, now adjourned sine die"
    )
    assert flag.details["set_for"] is None


def test_repeated_postponement_moved_earlier_says_so():
    flag = repeated_postponement(
        hearing(postponements=2, first=date(2025, 3, 10), now=date(2025, 3, 3)), AS_OF, T
    )
    assert flag.message.endswith("now 3 Mar 2025 (7 days earlier)")


@pytest.mark.parametrize(
    ("postponements", "expected"), [(2, None), (3, "warning"), (4, "critical")]
)
def test_repeated_postponement_threshold_is_configurable(postponements, expected):
    t = Thresholds(repeated_postponements=3)
    assert (
        severity(repeated_postponement(hearing(postponements=postponements), AS_OF, t)) == expected
    )


def test_hearing_dates_are_read_in_the_courts_zone():
    # 00:30 in Brussels on 5 Nov is still 4 Nov in UTC: the court's day is the one shown
    first = local(date(2024, 11, 5), 0, 30)
    assert first.date() == date(2024, 11, 4)
    flag = repeated_postponement(
        hearing(postponements=2, first_starts_at=first, starts_at=local(date(2025, 3, 4), 0, 30)),
        AS_OF,
        T,
    )
    assert "first set for 5 Nov 2024, now 4 Mar 2025 (119 days later)" in flag.message


# --- hearing_slipped --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("slip", "expected"),
    [
        (-30, None),
        (0, None),
        (59, None),
        (60, None),  # exactly N days: not yet
        (61, "warning"),
        (120, "warning"),  # exactly 2N: still a warning
        (121, "critical"),
        (400, "critical"),
    ],
)
def test_hearing_slipped_past_60_days_and_critical_past_120(slip, expected):
    first = date(2026, 1, 10)
    facts = hearing(postponements=1, first=first, now=first + timedelta(days=slip))
    assert severity(hearing_slipped(facts, AS_OF, T)) == expected


def test_hearing_slipped_message_names_both_dates():
    flag = hearing_slipped(
        hearing(postponements=1, first=date(2024, 4, 15), now=date(2024, 12, 18)), AS_OF, T
    )
    assert flag.message == (
        "Hearing now set for 18 Dec 2024, 247 days after the date it was first set for "
        "(15 Apr 2024)"
    )
    assert flag.key == "hearing_slipped:hearing:12"
    assert flag.details["slip_days"] == 247


def test_a_hearing_adjourned_sine_die_has_slipped_critically_at_once():
    flag = hearing_slipped(
        hearing(postponements=1, first=date(2026, 11, 20), sine_die=True), AS_OF, T
    )
    assert flag.severity == "critical"
    assert flag.message == "Hearing adjourned sine die; it was first set for 20 Nov 2026"


@pytest.mark.parametrize(("slip", "expected"), [(10, None), (11, "warning"), (21, "critical")])
def test_hearing_slipped_threshold_is_configurable(slip, expected):
    first = date(2026, 1, 10)
    facts = hearing(postponements=1, first=first, now=first + timedelta(days=slip))
    t = Thresholds(hearing_slipped_days=10)
    assert severity(hearing_slipped(facts, AS_OF, t)) == expected


# --- outcome_missing --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("days_ago", "expected"),
    [
        (-3, None),  # still to come
        (0, None),  # today
        (1, None),  # yesterday: exactly N = 1 day
        (2, "warning"),
        (30, "warning"),
        (31, "critical"),
        (365, "critical"),
    ],
)
def test_outcome_missing_after_one_day_and_critical_after_thirty(days_ago, expected):
    assert severity(outcome_missing(hearing(now=ago(days_ago)), AS_OF, T)) == expected


def test_outcome_missing_message():
    flag = outcome_missing(hearing(now=ago(3)), AS_OF, T)
    assert flag.message == (
        "Hearing of 19 Nov 2026 passed more than 1 day ago with no outcome recorded"
    )
    assert flag.key == "outcome_missing:hearing:12"
    assert flag.details == {"set_for": "2026-11-19", "more_than_days": 1}
    late = outcome_missing(hearing(now=ago(40)), AS_OF, T)
    assert late.message == (
        "Hearing of 13 Oct 2026 passed more than 30 days ago with no outcome recorded"
    )


def test_outcome_missing_counts_days_in_the_courts_zone():
    # 23:30 on 20 Nov in Brussels: two days before as_of -> flagged
    late_evening = hearing(starts_at=local(ago(2), 23, 30))
    # 00:30 on 21 Nov in Brussels is 20 Nov in UTC, but the court's day is the 21st: 1 day
    past_midnight = hearing(starts_at=local(ago(1), 0, 30))
    assert past_midnight.starts_at.date() == ago(2)
    assert severity(outcome_missing(late_evening, AS_OF, T)) == "warning"
    assert outcome_missing(past_midnight, AS_OF, T) is None


def test_no_outcome_is_expected_from_a_hearing_without_a_date():
    assert outcome_missing(hearing(now=ago(40), sine_die=True, postponements=1), AS_OF, T) is None


@pytest.mark.parametrize(("days_ago", "expected"), [(0, None), (1, "warning")])
def test_outcome_missing_threshold_zero_flags_the_next_day(days_ago, expected):
    t = Thresholds(outcome_missing_days=0)
    assert severity(outcome_missing(hearing(now=ago(days_ago)), AS_OF, t)) == expected


# --- deadline_near / deadline_missed ----------------------------------------------------


@pytest.mark.parametrize(
    ("days_left", "rule", "expected"),
    [
        (30, None, None),
        (8, None, None),
        (7, "deadline_near", "warning"),  # within N = 7 days
        (3, "deadline_near", "warning"),
        (1, "deadline_near", "warning"),
        (0, "deadline_near", "warning"),  # due today: not missed yet
        (-1, "deadline_missed", "critical"),
        (-400, "deadline_missed", "critical"),
    ],
)
def test_deadline_near_within_seven_days_and_missed_once_past(days_left, rule, expected):
    flag = deadline_due(deadline(due_on=AS_OF + timedelta(days=days_left)), AS_OF, T)
    assert (flag and flag.rule, severity(flag)) == (rule, expected)


@pytest.mark.parametrize(
    ("days_left", "message"),
    [
        (7, "Deadline “Appeal brief” is due on 29 Nov 2026 (in 7 days)"),
        (1, "Deadline “Appeal brief” is due on 23 Nov 2026 (tomorrow)"),
        (0, "Deadline “Appeal brief” is due on 22 Nov 2026 (today)"),
        (-1, "Deadline “Appeal brief” was due on 21 Nov 2026 and is still open"),
        (-3, "Deadline “Appeal brief” was due on 19 Nov 2026 and is still open"),
    ],
)
def test_deadline_messages(days_left, message):
    flag = deadline_due(deadline(due_on=AS_OF + timedelta(days=days_left)), AS_OF, T)
    assert flag.message == message


def test_near_and_missed_are_two_flags_of_one_deadline():
    near = deadline_due(deadline(due_on=AS_OF), AS_OF, T)
    missed = deadline_due(deadline(due_on=AS_OF), AS_OF + timedelta(days=1), T)
    assert (near.key, missed.key) == ("deadline_near:deadline:5", "deadline_missed:deadline:5")
    assert (near.hearing_id, near.deadline_id, near.proceeding_id) == (None, 5, 3)


@pytest.mark.parametrize(("days_left", "expected"), [(1, None), (0, "deadline_near")])
def test_deadline_near_threshold_zero_is_due_today_only(days_left, expected):
    flag = deadline_due(
        deadline(due_on=AS_OF + timedelta(days=days_left)), AS_OF, Thresholds(deadline_near_days=0)
    )
    assert (flag and flag.rule) == expected


# --- request_unanswered -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("days", "expected"),
    [(0, None), (364, None), (365, None), (366, "warning"), (730, "warning"), (731, "critical")],
)
@pytest.mark.parametrize("kind", ["extradition_request", "mla_request"])
def test_request_unanswered_after_a_year_and_critical_after_two(kind, days, expected):
    facts = proceeding(kind=kind, opened_on=ago(days))
    assert severity(request_unanswered(facts, AS_OF, T)) == expected


@pytest.mark.parametrize("kind", ["trial", "criminal_case", "asylum", "interpol_notice"])
def test_request_unanswered_is_only_about_requests(kind):
    assert request_unanswered(proceeding(kind=kind, opened_on=ago(3000)), AS_OF, T) is None


def test_a_decision_answers_the_request():
    facts = proceeding(kind="extradition_request", opened_on=ago(3000), decided_on=ago(10))
    assert request_unanswered(facts, AS_OF, T) is None


def test_a_request_with_no_opening_date_cannot_be_counted():
    assert request_unanswered(proceeding(kind="mla_request"), AS_OF, T) is None


@pytest.mark.parametrize(
    ("kind", "days", "expected"),
    [
        ("mla_request", 180, None),
        ("mla_request", 181, "warning"),
        ("mla_request", 360, "warning"),
        ("mla_request", 361, "critical"),
        ("extradition_request", 181, None),  # not overridden: 365 days
        ("extradition_request", 366, "warning"),
    ],
)
def test_request_unanswered_per_kind_override(kind, days, expected):
    t = Thresholds(request_unanswered_days_by_kind={"mla_request": 180})
    facts = proceeding(kind=kind, opened_on=ago(days))
    assert severity(request_unanswered(facts, AS_OF, t)) == expected


@pytest.mark.parametrize(
    ("opened_on", "precision", "message"),
    [
        (
            date(2016, 11, 1),
            "month",
            "Extradition request pending more than 730 days with no decision "
            "(opened in Nov 2016, counted from 1 Nov 2016)",
        ),
        (
            date(2018, 1, 1),
            "year",
            "Extradition request pending more than 730 days with no decision "
            "(opened in 2018, counted from 1 Jan 2018)",
        ),
        (
            date(2018, 3, 5),
            "day",
            "Extradition request pending more than 730 days with no decision "
            "(opened on 5 Mar 2018)",
        ),
    ],
)
def test_a_partial_opening_date_counts_from_the_first_day_and_says_so(
    opened_on, precision, message
):
    facts = proceeding(kind="extradition_request", opened_on=opened_on, opened_precision=precision)
    flag = request_unanswered(facts, AS_OF, T)
    assert flag.message == message
    assert flag.key == "request_unanswered:proceeding:3"
    assert flag.details["since"] == opened_on.isoformat()


def test_mla_request_is_named_in_the_message():
    flag = request_unanswered(proceeding(kind="mla_request", opened_on=ago(400)), AS_OF, T)
    assert flag.message == (
        "MLA request pending more than 365 days with no decision (opened on 18 Oct 2025)"
    )


# --- stale_proceeding -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("quiet", "expected"),
    [(0, None), (179, None), (180, None), (181, "warning"), (360, "warning"), (361, "critical")],
)
def test_stale_after_180_quiet_days_and_critical_after_360(quiet, expected):
    facts = proceeding(opened_on=ago(2000), last_event_on=ago(quiet))
    assert severity(stale_proceeding(facts, AS_OF, T)) == expected


def test_not_stale_when_a_hearing_is_scheduled():
    facts = proceeding(opened_on=ago(2000), hearing_ahead=True)
    assert stale_proceeding(facts, AS_OF, T) is None


@pytest.mark.parametrize(
    ("facts", "last"),
    [
        ({"opened_on": ago(200)}, "opened on 6 May 2026"),
        (
            {"opened_on": date(2020, 1, 1), "opened_precision": "year"},
            "opened in 2020, counted from 1 Jan 2020",
        ),
        ({"opened_on": ago(900), "last_event_on": ago(200)}, "event on 6 May 2026"),
        (
            {"last_event_on": date(2025, 2, 1), "last_event_precision": "month"},
            "event in Feb 2025, counted from 1 Feb 2025",
        ),
        (
            {"opened_on": ago(900), "last_event_on": ago(300), "last_hearing_on": ago(200)},
            "hearing on 6 May 2026",
        ),
        # a hearing and an event on the same day: the hearing is named
        ({"last_event_on": ago(200), "last_hearing_on": ago(200)}, "hearing on 6 May 2026"),
    ],
)
def test_stale_counts_from_the_latest_sign_of_life_and_names_it(facts, last):
    flag = stale_proceeding(proceeding(**facts), AS_OF, T)
    assert flag is not None
    assert f"(last: {last}) and nothing scheduled" in flag.message
    assert flag.message.startswith("No event or hearing for ")


def test_a_recent_hearing_keeps_a_proceeding_alive():
    facts = proceeding(opened_on=ago(2000), last_event_on=ago(900), last_hearing_on=ago(10))
    assert stale_proceeding(facts, AS_OF, T) is None


def test_a_proceeding_with_no_date_at_all_is_not_called_stale():
    assert stale_proceeding(proceeding(), AS_OF, T) is None


# --- long_pending -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("age", "expected"),
    [(0, None), (729, None), (730, None), (731, "warning"), (1460, "warning"), (1461, "critical")],
)
def test_long_pending_after_730_days_and_critical_after_1460(age, expected):
    assert severity(long_pending(proceeding(opened_on=ago(age)), AS_OF, T)) == expected


def test_long_pending_per_kind_override():
    t = Thresholds(long_pending_days_by_kind={"asylum": 365})
    assert severity(long_pending(proceeding(kind="asylum", opened_on=ago(366)), AS_OF, t)) == (
        "warning"
    )
    assert long_pending(proceeding(kind="trial", opened_on=ago(366)), AS_OF, t) is None


def test_long_pending_message_with_a_month_precision():
    facts = proceeding(opened_on=date(2020, 6, 1), opened_precision="month")
    flag = long_pending(facts, AS_OF, T)
    assert flag.message == (
        "Open more than 1,460 days without a final decision "
        "(opened in Jun 2020, counted from 1 Jun 2020)"
    )
    assert flag.details == {"since": "2020-06-01", "more_than_days": 1460}


def test_long_pending_needs_an_opening_date():
    assert long_pending(proceeding(), AS_OF, T) is None


# --- evaluate: which proceedings and items the rules look at ----------------------------


def everything_for(p: ProceedingFacts) -> tuple[list, list, list]:
    """A proceeding with a hearing and a deadline that would each be flagged."""
    h = hearing(proceeding_id=p.id, postponements=3, first=ago(300), now=ago(20))
    d = deadline(proceeding_id=p.id, due_on=ago(2))
    return [p], [h], [d]


def test_an_open_proceeding_and_its_items_are_all_looked_at():
    p = proceeding(kind="extradition_request", opened_on=ago(1000))
    found = {flag.key for flag in evaluate(*everything_for(p), AS_OF, T)}
    assert found == {
        "request_unanswered:proceeding:3",
        "stale_proceeding:proceeding:3",
        "long_pending:proceeding:3",
        "repeated_postponement:hearing:12",
        "hearing_slipped:hearing:12",
        "outcome_missing:hearing:12",
        "deadline_missed:deadline:5",
    }


def test_a_closed_proceeding_still_has_its_open_deadlines_and_pending_hearings_flagged():
    # a decided proceeding: the appeal deadline its judgment started, a hearing moved thrice
    p = proceeding(kind="extradition_request", opened_on=ago(1000), open=False)
    found = {flag.key for flag in evaluate(*everything_for(p), AS_OF, T)}
    assert found == {
        "repeated_postponement:hearing:12",
        "hearing_slipped:hearing:12",
        "outcome_missing:hearing:12",
        "deadline_missed:deadline:5",
    }


def test_a_deadline_near_in_a_closed_proceeding_is_flagged():
    p = proceeding(opened_on=ago(400), open=False)
    found = evaluate([p], [], [deadline(due_on=AS_OF + timedelta(days=3))], AS_OF, T)
    assert [flag.rule for flag in found] == ["deadline_near"]


@pytest.mark.parametrize(
    "p",
    [
        proceeding(kind="extradition_request", opened_on=AS_OF + timedelta(days=1)),
        proceeding(
            kind="extradition_request", opened_on=date(2026, 12, 1), opened_precision="month"
        ),
    ],
    ids=["opened the next day", "opened next month"],
)
def test_nothing_is_flagged_for_a_proceeding_not_yet_opened(p):
    assert evaluate(*everything_for(p), AS_OF, T) == []


def test_a_proceeding_opened_on_as_of_exists():
    p = proceeding(opened_on=AS_OF)
    assert {flag.rule for flag in evaluate(*everything_for(p), AS_OF, T)} >= {"deadline_missed"}


def test_a_proceeding_with_no_opening_date_still_has_its_items_flagged():
    rules_found = {flag.rule for flag in evaluate(*everything_for(proceeding()), AS_OF, T)}
    assert rules_found == {
        "repeated_postponement",
        "hearing_slipped",
        "outcome_missing",
        "deadline_missed",
    }


def test_items_whose_proceeding_was_not_handed_over_are_skipped():
    _, hearings, deadlines = everything_for(proceeding(opened_on=ago(10)))
    assert evaluate([proceeding(id=99, opened_on=ago(10))], hearings, deadlines, AS_OF, T) == []


def test_concluded_hearings_and_closed_deadlines_are_not_flagged():
    p = proceeding(opened_on=ago(10))
    h = hearing(postponements=3, first=ago(300), now=ago(20), pending=False)
    d = deadline(due_on=ago(2), open=False)
    assert evaluate([p], [h], [d], AS_OF, T) == []


def test_every_flag_key_is_unique_and_uses_a_contract_code():
    p = proceeding(kind="mla_request", opened_on=ago(5000))
    flags = evaluate(*everything_for(p), AS_OF, T)
    assert len({flag.key for flag in flags}) == len(flags)
    assert {flag.rule for flag in flags} <= set(rules.CODES)
    assert {flag.severity for flag in flags} <= {"warning", "critical"}


def test_facts_are_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        proceeding().open = False  # type: ignore[misc]


# --- thresholds from the environment ----------------------------------------------------


def test_defaults_are_the_designs():
    t = config.delay_thresholds({})
    assert t == Thresholds()
    assert (
        t.repeated_postponements,
        t.hearing_slipped_days,
        t.outcome_missing_days,
        t.deadline_near_days,
        t.request_unanswered_days,
        t.stale_proceeding_days,
        t.long_pending_days,
    ) == (2, 60, 1, 7, 365, 180, 730)


def test_thresholds_from_the_environment():
    t = config.delay_thresholds(
        {
            "DELAY_REPEATED_POSTPONEMENTS": "3",
            "DELAY_HEARING_SLIPPED_DAYS": "90",
            "DELAY_OUTCOME_MISSING_DAYS": "0",
            "DELAY_DEADLINE_NEAR_DAYS": "14",
            "DELAY_REQUEST_UNANSWERED_DAYS": " 400 ",
            "DELAY_REQUEST_UNANSWERED_DAYS_MLA_REQUEST": "180",
            "DELAY_STALE_PROCEEDING_DAYS": "120",
            "DELAY_LONG_PENDING_DAYS": "1000",
            "DELAY_LONG_PENDING_DAYS_ASYLUM": "365",
            "DELAY_LONG_PENDING_DAYS_TRIAL": "",  # empty: the default
        }
    )
    assert t == Thresholds(
        repeated_postponements=3,
        hearing_slipped_days=90,
        outcome_missing_days=0,
        deadline_near_days=14,
        request_unanswered_days=400,
        stale_proceeding_days=120,
        long_pending_days=1000,
        request_unanswered_days_by_kind={"mla_request": 180},
        long_pending_days_by_kind={"asylum": 365},
    )
    assert (
        t.request_unanswered_for("mla_request"),
        t.request_unanswered_for("extradition_request"),
    ) == (180, 400)
    assert (t.long_pending_for("asylum"), t.long_pending_for("trial")) == (365, 1000)


@pytest.mark.parametrize(
    ("environ", "names"),
    [
        ({"DELAY_HEARING_SLIPPED_DAYS": "sixty"}, "DELAY_HEARING_SLIPPED_DAYS"),
        ({"DELAY_HEARING_SLIPPED_DAYS": "-1"}, "DELAY_HEARING_SLIPPED_DAYS"),
        ({"DELAY_HEARING_SLIPPED_DAYS": "1.5"}, "DELAY_HEARING_SLIPPED_DAYS"),
        ({"DELAY_LONG_PENDING_DAYS": "99999999"}, "DELAY_LONG_PENDING_DAYS"),
        ({"DELAY_REPEATED_POSTPONEMENTS": "0"}, "DELAY_REPEATED_POSTPONEMENTS"),
        ({"DELAY_LONG_PENDING_DAYS_TRAIL": "30"}, "'trail' is not a proceeding kind"),
        ({"DELAY_REQUEST_UNANSWERED_DAYS_TRIAL": "30"}, "extradition_request, mla_request"),
        ({"DELAY_REQUEST_UNANSWERED_DAYS_MLA_REQUEST": "x"}, "MLA_REQUEST must be a whole"),
    ],
)
def test_a_bad_threshold_is_refused_at_load_naming_the_variable(environ, names):
    with pytest.raises(ValueError, match=names):
        config.delay_thresholds(environ)


def test_settings_carry_the_thresholds(tmp_path):
    settings = config.load(
        {"TRACKER_INSTANCE": str(tmp_path), "SECRET_KEY": "x", "DELAY_DEADLINE_NEAR_DAYS": "3"}
    )
    assert settings.delays.deadline_near_days == 3
    with pytest.raises(ValueError, match="DELAY_DEADLINE_NEAR_DAYS"):
        config.load({"TRACKER_INSTANCE": str(tmp_path), "DELAY_DEADLINE_NEAR_DAYS": "soon"})


# --- words ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (date(2024, 11, 5), "5 Nov 2024"),
        (date(2025, 3, 4), "4 Mar 2025"),
        (date(2024, 6, 18), "18 Jun 2024"),
    ],
)
def test_days_are_written_day_month_year(value, text):
    assert rules.day(value) == text


def test_day_counts_are_grouped_and_singular():
    assert repeated_postponement(
        hearing(postponements=2, first=date(2020, 1, 1), now=date(2020, 1, 2)), AS_OF, T
    ).message.endswith("(1 day later)")
    assert "more than 1,460 days" in long_pending(proceeding(opened_on=ago(2000)), AS_OF, T).message


def next_day_of(flag_for, facts) -> tuple[rules.Flag, rules.Flag]:
    return flag_for(facts, AS_OF, T), flag_for(facts, AS_OF + timedelta(days=1), T)


@pytest.mark.parametrize(
    ("rule", "facts"),
    [
        (repeated_postponement, hearing(postponements=3, first=ago(300), now=ago(20))),
        (hearing_slipped, hearing(postponements=1, first=ago(300), now=ago(20))),
        (outcome_missing, hearing(now=ago(5))),
        (deadline_due, deadline(due_on=ago(5))),
        (request_unanswered, proceeding(kind="mla_request", opened_on=ago(500))),
        (stale_proceeding, proceeding(opened_on=ago(500))),
        (long_pending, proceeding(opened_on=ago(1000))),
    ],
    ids=lambda value: getattr(value, "__name__", ""),
)
def test_a_flag_reads_the_same_from_one_day_to_the_next(rule, facts):
    # a stored flag changes when its situation does, not because a day went by
    today, tomorrow = next_day_of(rule, facts)
    assert (today.severity, today.message, today.details) == (
        tomorrow.severity,
        tomorrow.message,
        tomorrow.details,
    )


def test_a_near_deadline_counts_down():
    today, tomorrow = next_day_of(deadline_due, deadline(due_on=AS_OF + timedelta(days=2)))
    assert (today.details["days_left"], tomorrow.details["days_left"]) == (2, 1)


# --- when the delay began -------------------------------------------------------------


@pytest.mark.parametrize(
    ("flag", "began_on"),
    [
        # the first day "more than N days" holds: the date + N + 1
        (
            request_unanswered(
                proceeding(kind="mla_request", opened_on=date(2025, 1, 10)), AS_OF, T
            ),
            date(2026, 1, 11),
        ),
        (long_pending(proceeding(opened_on=date(2024, 1, 1)), AS_OF, T), date(2026, 1, 1)),
        (
            stale_proceeding(proceeding(last_event_on=date(2026, 3, 1)), AS_OF, T),
            date(2026, 8, 29),
        ),
        (deadline_due(deadline(due_on=date(2026, 11, 20)), AS_OF, T), date(2026, 11, 21)),
        (deadline_due(deadline(due_on=date(2026, 11, 25)), AS_OF, T), date(2026, 11, 18)),
        (outcome_missing(hearing(first=date(2026, 11, 10)), AS_OF, T), date(2026, 11, 12)),
    ],
    ids=["request", "long pending", "stale", "missed", "near", "outcome"],
)
def test_each_rule_says_when_the_delay_began(flag, began_on):
    assert flag is not None
    assert flag.began_on == began_on


def test_a_slip_began_at_the_first_date_plus_n_or_the_day_it_was_moved_if_earlier():
    late = hearing(first=date(2026, 6, 1), now=date(2026, 10, 1), moved_on=date(2026, 9, 1))
    assert hearing_slipped(late, AS_OF, T).began_on == date(2026, 8, 1)
    early = hearing(first=date(2026, 12, 1), now=date(2027, 6, 1), moved_on=date(2026, 11, 2))
    assert hearing_slipped(early, AS_OF, T).began_on == date(2026, 11, 2)


def test_a_sine_die_slip_began_on_the_day_of_that_move():
    h = hearing(first=date(2026, 12, 1), sine_die=True, moved_on=date(2026, 11, 5))
    assert hearing_slipped(h, AS_OF, T).began_on == date(2026, 11, 5)


def test_repeated_postponement_began_with_the_move_that_made_it_repeated():
    h = hearing(postponements=3, repeated_on=date(2026, 9, 3), moved_on=date(2026, 11, 1))
    assert repeated_postponement(h, AS_OF, T).began_on == date(2026, 9, 3)
