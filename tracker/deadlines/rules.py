"""The deadline engine: trigger event → offset → calendar → roll, with every step in words.

Pure: plain values in, plain values out; no database, no Flask. The counting rules
that all the supported procedures share:

- the day of the trigger is never counted; a period of N days ends N days later;
- months keep the trigger's day number and clip to the month's last day
  (31 January + 1 month = 28 or 29 February), always added from the trigger;
- working days skip the days that block the end (below);
- a judicial vacation that *extends* (Belgian civil procedure) moves a period that
  starts and ends inside it to a fixed day after it (15 September);
- a *suspension* (Italian summer suspension) stops the clock: suspended days are not
  counted, so a running period pauses and one that would start inside begins after it;
- last, the end rolls to the next day on which it may fall (`next_working_day`), or
  stays where it is (`none`, the ECHR).

A period counted *before* its trigger counts back the same way, and a last day off
rolls to the working day before it. A rule with a time of day (`due_time`) is due at
that hour of its last day in the jurisdiction's zone, so the instant follows daylight
saving. A period in *working hours* counts an office's hours (`opens_at` to `due_time`
on its working days) back from the trigger's instant: a Rule 39 request must reach the
ECHR Registry (08:00–16:00, Strasbourg) at least one working day, 8 of its hours,
before the removal. A trigger given as a day only is taken at the start of that day,
the earliest it can be, so the deadline is never later than the true one.

Who owes the time limit (`Party`) changes nothing here: an authority's period is
computed the same way, with the roll its source gives (usually none: the date is when
the authority is late, not when we must act).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta

from tracker.core import labels
from tracker.deadlines.enums import (
    BlockingDays,
    Direction,
    EndShift,
    OffsetUnit,
    Party,
    VacationPolicy,
)
from tracker.jurisdictions.calendars import Calendar, Vacation
from tracker.jurisdictions.enums import VacationEffect

ONE_DAY = dt.timedelta(days=1)
#: no real period runs this long; a calendar that never works must not loop for ever
MAX_DAYS = 20 * 366


@dataclass(frozen=True)
class Rule:
    code: str
    title: str
    trigger_kind: str
    amount: int
    unit: OffsetUnit
    end_shift: EndShift = EndShift.next_working_day
    blocking_days: BlockingDays = BlockingDays.weekends_and_holidays
    vacation_policy: VacationPolicy = VacationPolicy.ignore
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    source: str = ""
    owed_by: Party = Party.client
    #: the event kinds that meet an authority's time limit
    met_by: tuple[str, ...] = ()
    direction: Direction = Direction.after
    #: the hour on the last day by which to act, in the calendar's zone; for a period in
    #: working hours, the hour the office closes
    due_time: dt.time | None = None
    #: the hour the office opens, for a period in working hours
    opens_at: dt.time | None = None

    def in_force(self, trigger: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= trigger) and (
            self.valid_to is None or trigger < self.valid_to
        )

    @property
    def offset(self) -> str:
        return labels.period(self.amount, self.unit)

    @property
    def sign(self) -> int:
        return -1 if self.direction is Direction.before else 1


@dataclass(frozen=True)
class Computation:
    due_on: dt.date
    steps: tuple[str, ...]
    #: the instant to act by, for a rule with a time of day (aware, in the calendar's zone)
    due_at: dt.datetime | None = None

    @property
    def explanation(self) -> str:
        return "\n".join(self.steps)


class NotInForce(ValueError):
    """The rule (this version of it) does not apply to a trigger on that day."""


def day(value: dt.date) -> str:
    """'Sat 2023-07-22': the weekday matters to whoever checks a deadline."""
    return f"{value:%a} {value.isoformat()}"


def compute(rule: Rule, trigger: dt.date | dt.datetime, calendar: Calendar) -> Computation:
    """The last day to act after `trigger` under `rule`, and how it was reached.

    `trigger` is a day, or an aware instant (a scheduled removal) read in the calendar's
    zone; only a period in working hours uses its time.
    """
    instant = None
    if isinstance(trigger, dt.datetime):
        instant = trigger.astimezone(zoneinfo.ZoneInfo(calendar.timezone))
        trigger = instant.date()
    if not rule.in_force(trigger):
        raise NotInForce(f"{rule.code} as defined here does not apply to a trigger on {trigger}")
    relation = "before" if rule.direction is Direction.before else "from"
    steps = [
        f"{rule.code}: {rule.title} — {rule.offset} {relation} the trigger"
        + (f" ({rule.source})" if rule.source else "")
        + "."
    ]
    if rule.unit is OffsetUnit.working_hours:
        return _count_hours_back(rule, trigger, instant, calendar, steps)
    steps.append(f"Trigger: {day(trigger)}; that day itself is not counted.")
    # vacations stop or extend a period that runs forwards; none counted back has them
    vacations = rule.vacation_policy is VacationPolicy.apply and rule.direction is Direction.after
    suspending = vacations and any(v.effect is VacationEffect.suspend for v in calendar.vacations)
    if suspending:
        end = _count_with_suspension(rule, trigger, calendar, steps)
    else:
        end = _add(rule, trigger, calendar)
        steps.append(f"{rule.offset} {relation} {trigger.isoformat()} → {day(end)}")
    if vacations:
        end = _extend_for_vacation(trigger, end, calendar, steps)
    if rule.end_shift is EndShift.next_working_day:
        end = _roll(end, rule.blocking_days, calendar, steps, rule.sign)
        if suspending and calendar.vacation(end, VacationEffect.suspend):
            # The roll crossed into a suspension. Whether time then runs on after it is
            # unsettled; the earlier date is the one nobody can be faulted for keeping.
            steps.append(
                f"{day(end)} falls in the suspension; whether the time limit then "
                "runs to its end is unsettled, so the earlier date is kept."
            )
    elif calendar.day_off(end, rule.blocking_days):
        whose = "an authority's" if rule.owed_by is Party.authority else "this"
        steps.append(
            f"{day(end)} is a {calendar.day_off(end, rule.blocking_days)}, "
            f"but {whose} time limit does not move to the next working day."
        )
    if rule.due_time is None:
        steps.append(f"Due: {day(end)}.")
        return Computation(end, tuple(steps))
    due_at = at_time(end, rule.due_time, calendar.timezone)
    steps.append(
        f"Due: {day(end)} at {rule.due_time:%H:%M} {calendar.timezone} "
        f"(UTC{due_at:%z}: {due_at.astimezone(dt.UTC):%H:%M} UTC)."
    )
    return Computation(end, tuple(steps), due_at)


def _count_hours_back(
    rule: Rule,
    trigger: dt.date,
    instant: dt.datetime | None,
    calendar: Calendar,
    steps: list[str],
) -> Computation:
    """The latest instant in office hours with `rule.amount` of them left before `instant`.

    Hours are counted on the wall clock, which daylight saving never changes within
    office hours (clocks move at night); the result then takes that day's UTC offset.
    """
    if rule.opens_at is None or rule.due_time is None or rule.direction is Direction.after:
        raise ValueError(f"{rule.code}: a period in working hours needs the office's hours")
    zone = calendar.timezone
    if instant is None:
        steps.append(
            f"Trigger: {day(trigger)}, time not given: counted from the start of that day "
            "(the earliest it can be)."
        )
        cursor = dt.datetime.combine(trigger, dt.time())
    else:
        steps.append(f"Trigger: {day(trigger)} at {instant:%H:%M} {zone}.")
        cursor = instant.replace(tzinfo=None)
    steps.append(
        f"Office hours: {rule.opens_at:%H:%M}–{rule.due_time:%H:%M} {zone} on working days; "
        f"{rule.offset} are counted back from the trigger."
    )
    left = dt.timedelta(hours=rule.amount)
    current = cursor.date()
    while True:
        if abs((current - trigger).days) > MAX_DAYS:
            raise ValueError("the calendar has no working day to end this period on")
        reason = calendar.day_off(current, rule.blocking_days)
        opens = dt.datetime.combine(current, rule.opens_at)
        closes = min(dt.datetime.combine(current, rule.due_time), cursor)
        if reason:
            steps.append(f"{day(current)}: {reason}, not counted.")
        elif closes > opens:
            worked = closes - opens
            if worked >= left:
                end = closes - left
                steps.append(
                    f"{day(current)}: {_hours(left)} back from {closes:%H:%M} → {end:%H:%M}."
                )
                break
            steps.append(f"{day(current)} {opens:%H:%M}–{closes:%H:%M}: {_hours(worked)}.")
            left -= worked
        current -= ONE_DAY
    due_at = end.replace(tzinfo=zoneinfo.ZoneInfo(zone))
    steps.append(
        f"Due: {day(end.date())} at {end:%H:%M} {zone} "
        f"(UTC{due_at:%z}: {due_at.astimezone(dt.UTC):%H:%M} UTC)."
    )
    return Computation(end.date(), tuple(steps), due_at)


def _hours(span: dt.timedelta) -> str:
    minutes = int(span.total_seconds()) // 60
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h" + (f" {minutes:02d} min" if minutes else "")


def at_time(on: dt.date, time: dt.time, zone: str) -> dt.datetime:
    """That hour of that day where the court sits (its UTC offset that day)."""
    return dt.datetime.combine(on, time, zoneinfo.ZoneInfo(zone))


def _add(rule: Rule, trigger: dt.date, calendar: Calendar) -> dt.date:
    if rule.unit is OffsetUnit.months:
        return trigger + relativedelta(months=rule.sign * rule.amount)
    if rule.unit is OffsetUnit.days:
        return trigger + dt.timedelta(days=rule.sign * rule.amount)
    current, counted = trigger, 0
    while counted < rule.amount:
        current = _next(current, trigger, rule.sign)
        if not calendar.day_off(current, rule.blocking_days):
            counted += 1
    return current


def _next(current: dt.date, trigger: dt.date, sign: int = 1) -> dt.date:
    current += sign * ONE_DAY
    if abs((current - trigger).days) > MAX_DAYS:
        raise ValueError("the calendar has no working day to end this period on")
    return current


def _count_with_suspension(
    rule: Rule, trigger: dt.date, calendar: Calendar, steps: list[str]
) -> dt.date:
    """Count the period, skipping every suspended day (the clock stops, then resumes)."""
    if rule.unit is OffsetUnit.months:
        # Months are counted on the calendar, then extended by the days the clock stood.
        plain = trigger + relativedelta(months=rule.amount)
        steps.append(f"{rule.offset} from {trigger.isoformat()} → {day(plain)}")
        stopped = _suspended_between(trigger, plain, calendar)
        end = plain
        for _ in range(stopped):
            end = _next(end, trigger)
            while calendar.vacation(end, VacationEffect.suspend):
                end = _next(end, trigger)
        if stopped:
            steps.append(f"Time did not run for {stopped} days of suspension → {day(end)}")
        return end
    current, counted = trigger, 0
    first: dt.date | None = None
    # each suspension the count ran into: the vacation, its year, the days counted before
    paused: list[tuple[Vacation, int, int]] = []
    while counted < rule.amount:
        current = _next(current, trigger)
        suspension = calendar.vacation(current, VacationEffect.suspend)
        if suspension:
            if not paused or paused[-1][0] is not suspension or current.year != paused[-1][1]:
                paused.append((suspension, current.year, counted))
            continue
        if rule.unit is OffsetUnit.working_days and calendar.day_off(current, rule.blocking_days):
            continue
        counted += 1
        first = first or current
    for suspension, year, before in paused:
        _first, last = suspension.period(year)
        if before == 0:
            steps.append(
                f"The period would start during the {suspension.describe(year)}: "
                f"it starts to run on {day(last + ONE_DAY)}."
            )
        else:
            steps.append(
                f"Time stops during the {suspension.describe(year)} after {before} "
                f"of {rule.amount} days, and runs again from {day(last + ONE_DAY)}."
            )
    assert first is not None  # an amount is at least 1: a day was counted
    steps.append(f"{rule.offset} counted from {day(first)} (day 1) → {day(current)}")
    return current


def _suspended_between(start: dt.date, end: dt.date, calendar: Calendar) -> int:
    current, stopped = start, 0
    while current < end:
        current += ONE_DAY
        if calendar.vacation(current, VacationEffect.suspend):
            stopped += 1
    return stopped


def _extend_for_vacation(
    trigger: dt.date, end: dt.date, calendar: Calendar, steps: list[str]
) -> dt.date:
    """A period that starts and ends inside an extending vacation ends on its fixed day."""
    start = trigger + ONE_DAY
    vacation = calendar.vacation(start, VacationEffect.extend)
    if vacation is None or vacation.extend_to is None:
        return end
    first, last = vacation.period(start.year)
    if not first <= end <= last:
        return end
    extended = dt.date(start.year, *vacation.extend_to)
    steps.append(
        f"The period starts ({day(start)}) and ends ({day(end)}) within the "
        f"{vacation.describe(start.year)}: extended to {day(extended)}"
        + (f" ({vacation.source})" if vacation.source else "")
        + "."
    )
    return extended


def _roll(
    end: dt.date, blocking: BlockingDays, calendar: Calendar, steps: list[str], sign: int = 1
) -> dt.date:
    """Move a last day that falls on a day off to the next day that is not one (the one
    before it, for a period counted back from its trigger)."""
    reason = calendar.day_off(end, blocking)
    if not reason:
        return end
    start, hops = end, []
    while reason:
        hops.append(f"{day(end)} ({reason})")
        end += sign * ONE_DAY
        if abs((end - start).days) > MAX_DAYS:
            raise ValueError("the calendar has no working day to end this period on")
        reason = calendar.day_off(end, blocking)
    steps.append(f"Not a working day: {' → '.join(hops)} → {day(end)}")
    return end
