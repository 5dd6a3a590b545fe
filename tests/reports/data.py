"""A small data set whose delay statistics are computed by hand in the tests.

Two countries: BE (Europe/Brussels) and US (America/New_York). Rows are written
directly (a proceeding's `closed_on`, a hearing held, a flag resolved on a given day
are history the API does not let one invent).

    BE  p1  criminal_case  opened 2023-06-01             open        hearings h1-h7
        p2  criminal_case  opened 2024-03-10             closed 2024-09-30
        p3  trial          opened 2022 (year only)       closed 2024-02-29
        p4  extradition    opened 2024-11-01             open
        p5  appeal         opened 2025-02-01             open
        p6  criminal_case  opened on an unknown day      open
        p7  trial          opened 2020-01-01             closed 2023-12-31
        p8  criminal_case  opened 2024-12-31             closed 2025-01-15
    US  p9  mla_request    opened 2023-01-01             closed 2025-06-01  hearings h8, h9
        p10 criminal_case  opened 2024-01 (month only)   open
"""

from __future__ import annotations

import datetime as dt
import itertools
import zoneinfo
from typing import Any

from tracker.core.dates import Precision
from tracker.delays.enums import Severity
from tracker.delays.models import DelayFlag
from tracker.hearings.enums import HearingStatus
from tracker.hearings.models import Hearing, Postponement
from tracker.jurisdictions.models import Jurisdiction
from tracker.matters.enums import ClientRole, ProceedingKind, ProceedingStatus
from tracker.matters.models import Matter, Proceeding

BRUSSELS = "Europe/Brussels"
NEW_YORK = "America/New_York"
RECORDED = dt.datetime(2025, 2, 1, tzinfo=dt.UTC)


def at(text: str, zone: str) -> dt.datetime:
    """A court-local wall time as the UTC instant stored."""
    local = dt.datetime.fromisoformat(text).replace(tzinfo=zoneinfo.ZoneInfo(zone))
    return local.astimezone(dt.UTC)


_more = itertools.count(1)


def build_more(session: Any) -> dict[str, int]:
    """The same set again, in two more countries (with the same zones)."""
    n = next(_more)
    return build(session, (f"B{n}", f"U{n}"))


def build(session: Any, codes: tuple[str, str] = ("BE", "US")) -> dict[str, int]:
    """Write the data set; returns the ids by name (p1…, h1…, "matter", "other_matter")."""
    be = Jurisdiction(code=codes[0], name="Belgium", timezone=BRUSSELS)
    us = Jurisdiction(code=codes[1], name="United States", timezone=NEW_YORK)
    first = Matter(title="First client")
    second = Matter(title="Second client")
    session.add_all([be, us, first, second])
    session.flush()
    ids: dict[str, int] = {"matter": first.id, "other_matter": second.id}
    rows = {
        "p1": (first, be, "criminal_case", "2023-06-01", None, None),
        "p2": (first, be, "criminal_case", "2024-03-10", None, "2024-09-30"),
        "p3": (first, be, "trial", "2022-01-01", Precision.year, "2024-02-29"),
        "p4": (first, be, "extradition_request", "2024-11-01", None, None),
        "p5": (first, be, "appeal", "2025-02-01", None, None),
        "p6": (first, be, "criminal_case", None, None, None),
        "p7": (first, be, "trial", "2020-01-01", None, "2023-12-31"),
        "p8": (first, be, "criminal_case", "2024-12-31", None, "2025-01-15"),
        "p9": (second, us, "mla_request", "2023-01-01", None, "2025-06-01"),
        "p10": (second, us, "criminal_case", "2024-01-01", Precision.month, None),
    }
    for name, (matter, country, kind, opened, precision, closed) in rows.items():
        row = Proceeding(
            matter_id=matter.id,
            jurisdiction_id=country.id,
            kind=ProceedingKind(kind),
            title=name,
            client_role=ClientRole.accused,
            status=ProceedingStatus.decided if closed else ProceedingStatus.pending,
            opened_on=dt.date.fromisoformat(opened) if opened else None,
            opened_precision=precision or Precision.day,
            closed_on=dt.date.fromisoformat(closed) if closed else None,
        )
        session.add(row)
        session.flush()
        ids[name] = row.id
    _hearings(session, ids)
    _flags(session, ids)
    session.flush()
    return ids


def _hearing(session: Any, ids: dict[str, int], name: str, on: str, **fields: Any) -> Hearing:
    proceeding, zone = ("p9", NEW_YORK) if name in ("h8", "h9") else ("p1", BRUSSELS)
    row = Hearing(
        proceeding_id=ids[proceeding],
        starts_at=at(on, zone),
        timezone=zone,
        status=fields.pop("status", HearingStatus.held),
        **fields,
    )
    session.add(row)
    session.flush()
    ids[name] = row.id
    return row


def _move(
    session: Any,
    hearing: Hearing,
    start: str,
    end: str,
    decided: str | None = None,
    withdrawn: bool = False,
) -> None:
    session.add(
        Postponement(
            hearing_id=hearing.id,
            from_starts_at=at(start, hearing.timezone),
            to_starts_at=at(end, hearing.timezone),
            decided_on=dt.date.fromisoformat(decided) if decided else None,
            recorded_at=RECORDED,
            withdrawn_at=RECORDED if withdrawn else None,
        )
    )
    session.flush()


def _hearings(session: Any, ids: dict[str, int]) -> None:
    _hearing(session, ids, "h1", "2024-05-10T09:00")  # held, never moved: 1 date
    h2 = _hearing(session, ids, "h2", "2024-06-20T09:00")  # 3 dates, slip 66 days
    _move(session, h2, "2024-04-15T09:00", "2024-06-18T09:00")  # dated 15 Apr (its day)
    _move(session, h2, "2024-06-18T09:00", "2024-06-20T09:00", decided="2024-06-18")
    # all day on 1 Jan 2024: stored at local midnight, 31 Dec 2023 23:00 UTC
    h3 = _hearing(session, ids, "h3", "2024-01-01T00:00", time_known=False)
    _move(session, h3, "2023-10-01T09:00", "2023-11-20T09:00", withdrawn=True)  # left out
    _move(session, h3, "2023-11-20T09:00", "2024-01-01T00:00", decided="2023-11-01")
    h4 = _hearing(session, ids, "h4", "2025-01-01T10:00")  # held after the period
    _move(session, h4, "2024-12-20T10:00", "2025-01-01T10:00")  # dated 20 Dec 2024
    h5 = _hearing(session, ids, "h5", "2024-03-01T09:00", status=HearingStatus.scheduled)
    _move(session, h5, "2024-03-10T09:00", "2024-03-01T09:00")  # brought forward: not counted
    h6 = _hearing(session, ids, "h6", "2024-08-01T09:00")  # 5 dates ("4+"), slip 488
    _move(session, h6, "2023-04-01T09:00", "2023-06-01T09:00", decided="2023-05-01")
    _move(session, h6, "2023-06-01T09:00", "2024-02-15T09:00", decided="2023-06-01")
    _move(session, h6, "2024-02-15T09:00", "2024-07-15T09:00", decided="2024-02-01")
    _move(session, h6, "2024-07-15T09:00", "2024-08-01T09:00", decided="2024-07-01")
    _hearing(session, ids, "h7", "2024-12-31T23:30")  # 22:30 UTC: in the period
    h8 = _hearing(session, ids, "h8", "2024-03-05T09:00")  # 2 dates, slip 33 (29 Feb)
    _move(session, h8, "2024-02-01T09:00", "2024-03-05T09:00", decided="2024-01-20")
    _hearing(session, ids, "h9", "2024-12-31T20:00")  # 1 Jan 2025 01:00 UTC: in the period


def _flags(session: Any, ids: dict[str, int]) -> None:
    def flag(key: str, proceeding: str, began: str | None, resolved: str | None, **more):
        session.add(
            DelayFlag(
                key=key,
                rule=more.get("rule", "authority_overdue"),
                severity=Severity.warning,
                proceeding_id=ids[proceeding],
                message=key,
                details={},
                began_on=dt.date.fromisoformat(began) if began else None,
                first_seen=dt.date.fromisoformat(more.get("seen", began or "2024-01-01")),
                last_seen=dt.date(2025, 1, 1),
                resolved_at=dt.datetime.fromisoformat(resolved) if resolved else None,
            )
        )

    key = f"{ids['p1']}:"  # keys are unique across data sets
    flag(key + "f1", "p1", "2024-06-01", None)  # open
    flag(key + "f2", "p4", "2024-10-01", "2024-12-31T12:00:00+00:00")  # resolved in the period
    flag(key + "f3", "p1", "2024-10-01", "2025-01-01T00:00:00+00:00")  # resolved after it
    flag(key + "f4", "p1", "2025-01-02", None)  # begins after it
    flag(key + "f5", "p9", "2024-05-01", None, rule="deadline_due")  # another rule
    flag(key + "f6", "p10", None, None, seen="2024-12-31")  # no day of its own: first seen
