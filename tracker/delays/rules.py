"""The delay rules (README, "Delay flags"): facts as of a day in, flags out.

Pure: plain values in, plain values out; no database, no Flask. The scan
(`tracker.delays.scan`) works out what was true on `as_of` and hands it over as the
small frozen dataclasses below; each rule looks at one proceeding, hearing or
deadline and returns a `Flag` or None.

Counting: "more than N days" means N + 1 days or more; exactly N days is not a delay
yet. A date known only to the month or year counts from the first day of that period
(a proceeding opened "Nov 2016" is counted from 1 November 2016), and the message
says so. Hearing dates are read in the court's time zone.

Messages and details name dates and the bound passed ("pending more than 365 days"),
not a count of days that would change every day: a stored flag changes when its
situation does (a deadline counting down its last days is the exception).

Severity ladder (a flag whose severity rises is alerted again):

- `repeated_postponement`: warning at N postponements (2), critical from N + 1;
- `hearing_slipped`: warning past N days (60), critical past 2N or when adjourned
  sine die (no date at all is the worst slip);
- `outcome_missing`: warning past N days (1), critical past 30 days;
- `deadline_near`: always a warning; `deadline_missed`: always critical (a different
  rule, so a missed deadline is a new flag, and the "near" one resolves); both only for
  a deadline our side owes (`owed_by` client);
- `authority_overdue` (a deadline the other side owes: a decision, a reply): warning
  past N days after its due date (0: from the day after), critical once the time since
  its trigger is more than M times its period (2: "critical at twice the period"); one
  without a trigger (set by hand) or with no period forwards stays a warning. It
  resolves when the awaited event is recorded (met on as_of from that event's date);
- `request_unanswered`, `stale_proceeding`, `long_pending`: warning past N days,
  critical past 2N.

Whatever the proceeding's status: an open deadline and a pending hearing are flagged
even in a proceeding decided or closed (the appeal deadline a judgment starts); only
the proceeding rules need it open.

When the delay began (`Flag.began_on`): the first day the rule's condition held —
"more than N days" after a date D began on D + N + 1; a deadline was missed from the
day after it was due and is near from N days before; a hearing slipped from its first
date + N + 1 (or the day of its last move, if earlier; sine die: that move's day); a
hearing was postponed repeatedly from the day of its Nth move.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from tracker.core import labels
from tracker.core.dates import MONTHS
from tracker.deadlines.enums import Party

Severity = Literal["warning", "critical"]
WARNING: Severity = "warning"
CRITICAL: Severity = "critical"
#: for "did the severity rise?"
RANK = {WARNING: 1, CRITICAL: 2}

#: the proceeding kinds `request_unanswered` watches, as they are named in messages
REQUEST_KINDS = {kind: labels.words(kind) for kind in ("extradition_request", "mla_request")}
#: event kinds that answer a request (event kinds are free words; these are the usual ones)
DECISION_KINDS = frozenset({"decision", "judgment", "dismissal"})
#: an outcome still missing this long after the hearing is critical
OUTCOME_MISSING_CRITICAL_DAYS = 30


# --- thresholds -----------------------------------------------------------------------


@dataclass(frozen=True)
class Thresholds:
    """The README's "Delay flags" defaults; `tracker.config` reads overrides from the env."""

    #: how many postponements of one hearing make a flag
    repeated_postponements: int = 2
    hearing_slipped_days: int = 60
    outcome_missing_days: int = 1
    deadline_near_days: int = 7
    request_unanswered_days: int = 365
    stale_proceeding_days: int = 180
    long_pending_days: int = 730
    #: an authority is overdue this many days after its due date (0: the day after)
    authority_overdue_days: int = 0
    #: ...and critically so past this many times its period, counted from the trigger
    authority_overdue_critical_multiple: int = 2
    #: per proceeding kind, e.g. {"mla_request": 180}
    request_unanswered_days_by_kind: Mapping[str, int] = field(default_factory=dict)
    long_pending_days_by_kind: Mapping[str, int] = field(default_factory=dict)

    def request_unanswered_for(self, kind: str) -> int:
        return self.request_unanswered_days_by_kind.get(kind, self.request_unanswered_days)

    def long_pending_for(self, kind: str) -> int:
        return self.long_pending_days_by_kind.get(kind, self.long_pending_days)


# --- facts, as of the scan's day -------------------------------------------------------


@dataclass(frozen=True)
class ProceedingFacts:
    id: int
    kind: str
    #: pending or suspended on as_of (a proceeding decided later was still open then)
    open: bool = True
    #: first day of the period when known only to the month or year; None: unknown
    opened_on: dt.date | None = None
    opened_precision: str = "day"
    #: the latest event on or before as_of, at its precision
    last_event_on: dt.date | None = None
    last_event_precision: str = "day"
    #: the latest day on or before as_of a hearing was held or set for (UTC)
    last_hearing_on: dt.date | None = None
    #: a hearing is scheduled after as_of
    hearing_ahead: bool = False
    #: the first decision (DECISION_KINDS) on or before as_of
    decided_on: dt.date | None = None


@dataclass(frozen=True)
class HearingFacts:
    id: int
    proceeding_id: int
    #: where the hearing was set for on as_of (UTC); when sine die, where it was last set
    starts_at: dt.datetime
    #: where it was first set for: the from_starts_at of its first postponement
    first_starts_at: dt.datetime
    #: IANA zone of the court, to read the dates as the court does
    timezone: str = "UTC"
    #: postponements decided on or before as_of
    postponements: int = 0
    #: its last postponement (by as_of) gave no new date
    sine_die: bool = False
    #: no outcome (held, cancelled) yet on as_of
    pending: bool = True
    #: the day of its last move by as_of (decided, else recorded); None: never moved
    moved_on: dt.date | None = None
    #: the day of the move that made it repeated (the Nth, N = the threshold)
    repeated_on: dt.date | None = None


@dataclass(frozen=True)
class DeadlineFacts:
    id: int
    proceeding_id: int
    title: str
    due_on: dt.date
    #: neither done nor waived on as_of
    open: bool = True
    #: who must act: our side (client) or the other side (authority)
    owed_by: Party = Party.client
    #: the day of the event the period counts from; None: set by hand
    trigger_on: dt.date | None = None
    #: the day of the event that met an authority's time limit, if any (recorded any
    #: time: the rule reads it as of as_of)
    met_on: dt.date | None = None
    #: the event kinds that meet it, for the message
    met_by: tuple[str, ...] = ()

    def met(self, as_of: dt.date) -> bool:
        """The awaited event had happened by as_of."""
        return self.met_on is not None and self.met_on <= as_of


# --- flags ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Flag:
    rule: str
    severity: Severity
    proceeding_id: int
    message: str
    hearing_id: int | None = None
    deadline_id: int | None = None
    details: Mapping[str, Any] = field(default_factory=dict)
    #: the first day the delay held (module docstring); None: not known
    began_on: dt.date | None = None

    #: one stored row per cause: "repeated_postponement:hearing:12"
    key: str = field(init=False)

    def __post_init__(self) -> None:
        # computed once: the scan looks keys up many times
        if self.hearing_id is not None:
            subject = f"hearing:{self.hearing_id}"
        elif self.deadline_id is not None:
            subject = f"deadline:{self.deadline_id}"
        else:
            subject = f"proceeding:{self.proceeding_id}"
        object.__setattr__(self, "key", f"{self.rule}:{subject}")


def evaluate(
    proceedings: Iterable[ProceedingFacts],
    hearings: Iterable[HearingFacts],
    deadlines: Iterable[DeadlineFacts],
    as_of: dt.date,
    thresholds: Thresholds,
) -> list[Flag]:
    """Every flag as of `as_of`. The proceeding rules look at the proceedings open then;
    the hearing and deadline rules at the pending hearings and open deadlines of every
    proceeding that exists then, whatever its status (a decided one has appeals)."""
    existing = {p.id: p for p in proceedings if exists(p, as_of)}
    found = [
        rule(p, as_of, thresholds) for p in existing.values() if p.open for rule in PROCEEDING_RULES
    ]
    found += [
        rule(h, as_of, thresholds)
        for h in hearings
        if h.pending and h.proceeding_id in existing
        for rule in HEARING_RULES
    ]
    found += [
        (authority_overdue if d.owed_by == Party.authority else deadline_due)(d, as_of, thresholds)
        for d in deadlines
        if d.open and d.proceeding_id in existing
    ]
    return [flag for flag in found if flag is not None]


def exists(p: ProceedingFacts, as_of: dt.date) -> bool:
    """Already opened on as_of (a proceeding opened later does not exist yet)."""
    return p.opened_on is None or p.opened_on <= as_of


def after(day: dt.date, days: int) -> dt.date:
    """The first day "more than `days` days" after `day` holds."""
    return day + dt.timedelta(days=days + 1)


def _ladder(days: int, limit: int) -> Severity | None:
    """Warning past `limit` days, critical past twice that."""
    if days <= limit:
        return None
    return CRITICAL if days > 2 * limit else WARNING


# --- hearings -------------------------------------------------------------------------


def repeated_postponement(h: HearingFacts, as_of: dt.date, t: Thresholds) -> Flag | None:
    if h.postponements < t.repeated_postponements:
        return None
    severity = CRITICAL if h.postponements > t.repeated_postponements else WARNING
    first = local_day(h.first_starts_at, h.timezone)
    if h.sine_die:
        now, slip = "now adjourned sine die", None
    else:
        current = local_day(h.starts_at, h.timezone)
        slip = (current - first).days
        now = f"now {day(current)} ({_days(abs(slip))} {'later' if slip >= 0 else 'earlier'})"
    message = f"Hearing postponed {h.postponements} times; first set for {day(first)}, {now}"
    details = {
        "postponements": h.postponements,
        "first_set_for": first.isoformat(),
        "set_for": None if h.sine_die else local_day(h.starts_at, h.timezone).isoformat(),
        "slip_days": slip,
    }
    began = h.repeated_on or h.moved_on
    return _hearing_flag("repeated_postponement", severity, h, message, details, began)


def hearing_slipped(h: HearingFacts, as_of: dt.date, t: Thresholds) -> Flag | None:
    first = local_day(h.first_starts_at, h.timezone)
    if h.sine_die:
        message = f"Hearing adjourned sine die; it was first set for {day(first)}"
        details = {"first_set_for": first.isoformat(), "sine_die": True}
        return _hearing_flag("hearing_slipped", CRITICAL, h, message, details, h.moved_on)
    current = local_day(h.starts_at, h.timezone)
    slip = (current - first).days
    severity = _ladder(slip, t.hearing_slipped_days)
    if severity is None:
        return None
    message = (
        f"Hearing now set for {day(current)}, {_days(slip)} after the date "
        f"it was first set for ({day(first)})"
    )
    details = {
        "first_set_for": first.isoformat(),
        "set_for": current.isoformat(),
        "slip_days": slip,
        "threshold_days": t.hearing_slipped_days,
    }
    began = after(first, t.hearing_slipped_days)
    if h.moved_on is not None:
        began = min(began, h.moved_on)  # moved before its first date: known from that day
    return _hearing_flag("hearing_slipped", severity, h, message, details, began)


def outcome_missing(h: HearingFacts, as_of: dt.date, t: Thresholds) -> Flag | None:
    if h.sine_die:
        return None  # no date: nothing could have happened to record
    held_on = local_day(h.starts_at, h.timezone)
    late = (as_of - held_on).days
    if late <= t.outcome_missing_days:
        return None
    past = OUTCOME_MISSING_CRITICAL_DAYS if late > OUTCOME_MISSING_CRITICAL_DAYS else None
    severity = CRITICAL if past else WARNING
    past = past or t.outcome_missing_days
    message = (
        f"Hearing of {day(held_on)} passed more than {_days(past)} ago with no outcome recorded"
    )
    details = {"set_for": held_on.isoformat(), "more_than_days": past}
    began = after(held_on, t.outcome_missing_days)
    return _hearing_flag("outcome_missing", severity, h, message, details, began)


def _hearing_flag(
    rule: str,
    severity: Severity,
    h: HearingFacts,
    message: str,
    details: dict[str, Any],
    began_on: dt.date | None,
) -> Flag:
    return Flag(
        rule,
        severity,
        h.proceeding_id,
        message,
        hearing_id=h.id,
        details=details,
        began_on=began_on,
    )


# --- deadlines ------------------------------------------------------------------------


def deadline_due(d: DeadlineFacts, as_of: dt.date, t: Thresholds) -> Flag | None:
    """`deadline_missed` once past, `deadline_near` when due within N days (a deadline
    our side owes; an authority's is `authority_overdue`'s)."""
    left = (d.due_on - as_of).days
    details: dict[str, Any] = {"due_on": d.due_on.isoformat()}
    if left < 0:
        rule, severity, began = "deadline_missed", CRITICAL, d.due_on + dt.timedelta(days=1)
        message = f"Deadline “{d.title}” was due on {day(d.due_on)} and is still open"
    elif left <= t.deadline_near_days:
        # counting down is worth a daily update: the window is short
        rule, severity, details["days_left"] = "deadline_near", WARNING, left
        began = d.due_on - dt.timedelta(days=t.deadline_near_days)
        when = {0: "today", 1: "tomorrow"}.get(left, f"in {_days(left)}")
        message = f"Deadline “{d.title}” is due on {day(d.due_on)} ({when})"
    else:
        return None
    return Flag(
        rule,
        severity,
        d.proceeding_id,
        message,
        deadline_id=d.id,
        details=details,
        began_on=began,
    )


def authority_overdue(d: DeadlineFacts, as_of: dt.date, t: Thresholds) -> Flag | None:
    """An authority's time limit passed more than N days ago and the awaited event
    (a decision, a reply) is not recorded by as_of."""
    began = after(d.due_on, t.authority_overdue_days)
    if as_of < began or d.met(as_of):
        return None
    multiple = t.authority_overdue_critical_multiple
    period = (d.due_on - d.trigger_on).days if d.trigger_on is not None else 0
    # a period counted back, or none at all: no time allowed to multiply, a warning only
    critical = period > 0 and (as_of - d.due_on).days + period > multiple * period
    awaited = " or ".join(labels.in_sentence(kind) for kind in d.met_by) or "awaited event"
    # who owes it, first: the digest's line is the message alone
    message = f"The authority's “{d.title}” was expected by {day(d.due_on)}; no {awaited} recorded"
    details: dict[str, Any] = {
        "due_on": d.due_on.isoformat(),
        "met_by": list(d.met_by),
        "more_than_days": t.authority_overdue_days,
    }
    if d.trigger_on is not None:
        details |= {"trigger_on": d.trigger_on.isoformat(), "period_days": period}
    if critical and d.trigger_on is not None:
        message += f", more than {_times(multiple)} since {day(d.trigger_on)}"
        details["critical_multiple"] = multiple
    return Flag(
        "authority_overdue",
        CRITICAL if critical else WARNING,
        d.proceeding_id,
        message,
        deadline_id=d.id,
        details=details,
        began_on=began,
    )


def _times(multiple: int) -> str:
    """The time allowed, `multiple` times over, in words."""
    return {1: "the time allowed", 2: "twice the time allowed"}.get(
        multiple, f"{multiple:,} times the time allowed"
    )


# --- proceedings ----------------------------------------------------------------------


def request_unanswered(p: ProceedingFacts, as_of: dt.date, t: Thresholds) -> Flag | None:
    if p.kind not in REQUEST_KINDS or p.decided_on is not None or p.opened_on is None:
        return None
    limit = t.request_unanswered_for(p.kind)
    severity = _ladder((as_of - p.opened_on).days, limit)
    if severity is None:
        return None
    past = _past(severity, limit)
    message = (
        f"{REQUEST_KINDS[p.kind]} pending more than {_days(past)} with no decision ({_opened(p)})"
    )
    began = after(p.opened_on, limit)
    return _proceeding_flag("request_unanswered", severity, p, message, past, p.opened_on, began)


def stale_proceeding(p: ProceedingFacts, as_of: dt.date, t: Thresholds) -> Flag | None:
    if p.hearing_ahead:
        return None
    last = _last_activity(p)
    if last is None:
        return None  # nothing dated at all: no way to tell how long it has been quiet
    on, what = last
    severity = _ladder((as_of - on).days, t.stale_proceeding_days)
    if severity is None:
        return None
    past = _past(severity, t.stale_proceeding_days)
    message = (
        f"No event or hearing for more than {_days(past)} (last: {what}) and nothing scheduled"
    )
    began = after(on, t.stale_proceeding_days)
    return _proceeding_flag("stale_proceeding", severity, p, message, past, on, began)


def _last_activity(p: ProceedingFacts) -> tuple[dt.date, str] | None:
    """The latest dated sign of life, with words for it; a tie goes to the most precise."""
    candidates = []
    if p.last_hearing_on is not None:
        candidates.append((p.last_hearing_on, 2, f"hearing on {day(p.last_hearing_on)}"))
    if p.last_event_on is not None:
        text = partial(p.last_event_on, p.last_event_precision, "event on", "event in")
        candidates.append((p.last_event_on, 1, text))
    if p.opened_on is not None:
        candidates.append((p.opened_on, 0, _opened(p)))
    if not candidates:
        return None
    on, _rank, what = max(candidates)
    return on, what


def long_pending(p: ProceedingFacts, as_of: dt.date, t: Thresholds) -> Flag | None:
    if p.opened_on is None:
        return None
    limit = t.long_pending_for(p.kind)
    severity = _ladder((as_of - p.opened_on).days, limit)
    if severity is None:
        return None
    past = _past(severity, limit)
    message = f"Open more than {_days(past)} without a final decision ({_opened(p)})"
    began = after(p.opened_on, limit)
    return _proceeding_flag("long_pending", severity, p, message, past, p.opened_on, began)


def _past(severity: Severity, limit: int) -> int:
    """The bound a flag of this severity has passed: N for a warning, 2N when critical."""
    return 2 * limit if severity == CRITICAL else limit


def _proceeding_flag(
    rule: str,
    severity: Severity,
    p: ProceedingFacts,
    message: str,
    past: int,
    since: dt.date,
    began_on: dt.date,
) -> Flag:
    details = {"since": since.isoformat(), "more_than_days": past}
    return Flag(rule, severity, p.id, message, details=details, began_on=began_on)


def _opened(p: ProceedingFacts) -> str:
    if p.opened_on is None:  # the rules that say it count only proceedings with a date
        return "opening date unknown"
    return partial(p.opened_on, p.opened_precision, "opened on", "opened in")


HEARING_RULES: tuple[Callable[[HearingFacts, dt.date, Thresholds], Flag | None], ...] = (
    repeated_postponement,
    hearing_slipped,
    outcome_missing,
)
PROCEEDING_RULES: tuple[Callable[[ProceedingFacts, dt.date, Thresholds], Flag | None], ...] = (
    request_unanswered,
    stale_proceeding,
    long_pending,
)
#: every rule code, for settings and documentation
CODES = (
    "repeated_postponement",
    "hearing_slipped",
    "outcome_missing",
    "deadline_near",
    "deadline_missed",
    "request_unanswered",
    "stale_proceeding",
    "long_pending",
    "authority_overdue",
)


# --- words ----------------------------------------------------------------------------


def day(value: dt.date) -> str:
    """5 Nov 2024."""
    return f"{value.day} {month(value)}"


def month(value: dt.date) -> str:
    """Nov 2024."""
    return f"{MONTHS[value.month - 1]} {value.year}"


def partial(value: dt.date, precision: str, on: str, within: str) -> str:
    """A date only as precisely as it is known, saying where the count starts."""
    if precision == "year":
        return f"{within} {value.year}, counted from {day(value)}"
    if precision == "month":
        return f"{within} {month(value)}, counted from {day(value)}"
    return f"{on} {day(value)}"


def local_day(instant: dt.datetime, timezone: str) -> dt.date:
    """The calendar day of an instant in the court's zone."""
    return instant.astimezone(zoneinfo.ZoneInfo(timezone)).date()


def _days(count: int) -> str:
    return f"{count:,} day{'' if abs(count) == 1 else 's'}"
