"""Load the demo dossier shipped in the package, through the operations, as `system:demo`.

Idempotent: a jurisdiction whose code exists, a matter whose key exists and a user
whose email exists are left alone, so a second run changes nothing. Inside a matter,
proceedings refer to each other by their key in the file (`parent`, `origin`); events
and postponements name a source by its key in `sources`; a deadline computed by a rule
names its trigger event by the event's `key`.

The dossier's facts are public; the international remedies are shown by a second,
fictional matter (`demo_remedies.json`), so that no real person's file carries invented
requests.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from tracker.core import resources
from tracker.core.actors import DEMO
from tracker.core.dates import parse_partial
from tracker.deadlines import operations as deadlines
from tracker.deadlines.schemas import NewDeadline
from tracker.hearings import operations as hearings
from tracker.hearings.schemas import NewHearing, Outcome, Postpone
from tracker.jurisdictions import operations as jurisdictions
from tracker.jurisdictions.models import Jurisdiction
from tracker.jurisdictions.schemas import NewJurisdiction
from tracker.matters import events
from tracker.matters import operations as matters
from tracker.matters.models import OPEN_STATUSES, Event, Matter, Proceeding
from tracker.matters.schemas import NewEvent, NewMatter, NewProceeding
from tracker.matters.timeline import is_decision
from tracker.users import operations as users
from tracker.users.models import Role, User
from tracker.users.schemas import NewUser

#: (email, role, name, keys of the matters the user is assigned to)
DEMO_USERS = (
    ("admin@demo.example", Role.admin, "Demo Admin", ()),
    ("coordinator@demo.example", Role.coordinator, "Demo Coordinator", ()),
    ("staff@demo.example", Role.staff, "Demo Staff", ()),
    (
        "lawyer@demo.example",
        Role.lawyer,
        "Demo Lawyer",
        ("jardemalie", "ablyazov", "remedies-illustration"),
    ),
)
DEMO_TIMEZONE = "Europe/Brussels"

#: proceeding fields of the file that are `NewProceeding`'s as they are
PROCEEDING_FIELDS = (
    "jurisdiction",
    "authority",
    "kind",
    "title",
    "reference",
    "client_role",
    "status",
    "opened_on",
    "precision",
    "closed_on",
)
HEARING_FIELDS = ("starts_at", "timezone", "time_known", "location", "title")


@dataclass
class Summary:
    """What a load did: rows created and skipped by kind, and the new users' passwords."""

    created: Counter[str] = field(default_factory=Counter)
    skipped: Counter[str] = field(default_factory=Counter)
    #: email -> one-time password, for the demo users created by this load only
    passwords: dict[str, str] = field(default_factory=dict)


def read_dossier() -> dict[str, Any]:
    """The dossier, with the fictional remedies matter appended."""
    with resources.demo_dossier().open(encoding="utf-8") as handle:
        dossier = json.load(handle)
    with resources.demo_remedies().open(encoding="utf-8") as handle:
        remedies = json.load(handle)
    known = {j["code"] for j in dossier["jurisdictions"]}
    dossier["jurisdictions"] += [j for j in remedies["jurisdictions"] if j["code"] not in known]
    dossier["sources"] |= remedies["sources"]
    dossier["matters"] += remedies["matters"]
    return dossier


def load(
    session: so.Session,
    now: dt.datetime,
    *,
    progress: Callable[[str], None] | None = None,
    dossier: dict[str, Any] | None = None,
) -> Summary:
    """Load the dossier; `progress` is called with each matter's key once it is done."""
    dossier = dossier if dossier is not None else read_dossier()
    summary = Summary()
    # the rules its deadlines name (`db upgrade` stores them too; this is idempotent)
    seeded = deadlines.seed_rules(session, DEMO, now)
    if seeded:
        summary.created["rules"] = seeded
    for item in dossier["jurisdictions"]:
        _load_jurisdiction(session, now, item, summary)
    _load_users(session, now, summary)
    for item in dossier["matters"]:
        if session.scalar(sa.select(Matter.id).where(Matter.key == item["key"])) is not None:
            summary.skipped["matters"] += 1
        else:
            _load_matter(session, now, item, dossier["sources"], summary)
        if progress is not None:
            progress(item["key"])
    return summary


def _load_jurisdiction(
    session: so.Session, now: dt.datetime, item: dict[str, Any], summary: Summary
) -> None:
    if session.scalar(sa.select(Jurisdiction.id).where(Jurisdiction.code == item["code"])):
        summary.skipped["jurisdictions"] += 1
        return
    fields = ("code", "name", "timezone", "holiday_country")
    command = NewJurisdiction.parse({name: item[name] for name in fields if name in item})
    jurisdictions.create_jurisdiction(session, DEMO, now, command)
    summary.created["jurisdictions"] += 1


def _load_users(session: so.Session, now: dt.datetime, summary: Summary) -> None:
    for email, role, name, _keys in DEMO_USERS:
        if session.scalar(sa.select(User.id).where(User.email == email)) is not None:
            summary.skipped["users"] += 1
            continue
        command = NewUser.parse(
            {"email": email, "role": role, "name": name, "timezone": DEMO_TIMEZONE}
        )
        _user, password = users.create_user(session, DEMO, now, command)
        summary.created["users"] += 1
        summary.passwords[email] = password


def _load_matter(
    session: so.Session,
    now: dt.datetime,
    item: dict[str, Any],
    sources: dict[str, str],
    summary: Summary,
) -> None:
    assignees = [email for email, _role, _name, keys in DEMO_USERS if item["key"] in keys]
    command = NewMatter.parse(
        {
            "title": item["title"],
            "subject": item.get("subject"),
            "summary": item.get("summary", ""),
            "assignees": assignees,
        }
    )
    matter = matters.create_matter(session, DEMO, now, command, key=item["key"])
    summary.created["matters"] += 1
    for proceeding, data in _create_proceedings(session, now, matter, item["proceedings"]):
        summary.created["proceedings"] += 1
        keyed: dict[str, int] = {}
        for event in data.get("events", []):
            created = _create_event(session, now, proceeding, event, sources)
            if "key" in event:
                session.flush()  # the id a deadline names it by
                keyed[event["key"]] = created.id
            summary.created["events"] += 1
        for deadline in data.get("deadlines", []):
            _create_deadline(session, now, proceeding, deadline, keyed)
            summary.created["deadlines"] += 1
        for hearing in data.get("hearings", []):
            summary.created["postponements"] += _create_hearing(
                session, now, proceeding, hearing, sources
            )
            summary.created["hearings"] += 1


def _create_proceedings(
    session: so.Session, now: dt.datetime, matter: Matter, items: list[dict[str, Any]]
) -> list[tuple[Proceeding, dict[str, Any]]]:
    """Create the matter's proceedings, each after the ones its `parent`/`origin` name."""
    ids: dict[str, int] = {}
    created: list[tuple[Proceeding, dict[str, Any]]] = []
    waiting = list(items)
    while waiting:
        ready = [p for p in waiting if {p.get("parent"), p.get("origin")} - {None} <= ids.keys()]
        if not ready:
            keys = ", ".join(p["key"] for p in waiting)
            raise ValueError(
                f"matter {matter.key}: proceedings {keys} name a parent or origin that is "
                "not a proceeding of the same matter, or that leads back to themselves"
            )
        for item in ready:
            data = {name: item[name] for name in PROCEEDING_FIELDS if name in item}
            data["matter_id"] = matter.id
            if data.get("status", "pending") not in OPEN_STATUSES:
                data.setdefault("closed_on", _closed_on(item))
            if "parent" in item:
                data["parent_id"] = ids[item["parent"]]
            if "origin" in item:
                data["origin_id"] = ids[item["origin"]]
            proceeding = matters.create_proceeding(session, DEMO, now, NewProceeding.parse(data))
            ids[item["key"]] = proceeding.id
            created.append((proceeding, item))
        waiting = [p for p in waiting if p["key"] not in ids]
    return created


def _closed_on(item: dict[str, Any]) -> str | None:
    """When a proceeding the file does not date the end of ended: its last decision (as
    precisely as the file dates it), else its last event, else its opening."""
    facts = sorted(item.get("events", []), key=lambda e: parse_partial(e["occurred_on"])[0])
    decisions = [e for e in facts if is_decision(e["kind"])]
    last = (decisions or facts or [None])[-1]
    return last["occurred_on"] if last else item.get("opened_on")


def _source(sources: dict[str, str], key: str | None) -> str | None:
    if key is None:
        return None
    if key not in sources:
        raise ValueError(f"unknown source {key!r} (not in the dossier's sources)")
    return sources[key]


def _create_event(
    session: so.Session,
    now: dt.datetime,
    proceeding: Proceeding,
    item: dict[str, Any],
    sources: dict[str, str],
) -> Event:
    data = {name: item[name] for name in ("kind", "occurred_on", "precision", "summary")}
    data["source"] = _source(sources, item.get("source"))
    return events.create_event(session, DEMO, now, proceeding, NewEvent.parse(data))


def _create_deadline(
    session: so.Session,
    now: dt.datetime,
    proceeding: Proceeding,
    item: dict[str, Any],
    events_by_key: dict[str, int],
) -> None:
    """A deadline set by hand as the file gives it, or computed by `rule` from `trigger`."""
    data = {k: v for k, v in item.items() if k != "trigger"}
    if "trigger" in item:
        data["trigger_event_id"] = events_by_key[item["trigger"]]
    deadlines.create_deadline(session, DEMO, now, proceeding, NewDeadline.parse(data))


def _create_hearing(
    session: so.Session,
    now: dt.datetime,
    proceeding: Proceeding,
    item: dict[str, Any],
    sources: dict[str, str],
) -> int:
    """Schedule the hearing, move it as often as it was moved, record its outcome."""
    data = {name: item[name] for name in HEARING_FIELDS if name in item}
    hearing = hearings.schedule_hearing(session, DEMO, now, proceeding, NewHearing.parse(data))
    for move in item.get("postponements", []):
        # A postponement has no source column: the reason cites it.
        reason = move.get("reason", "")
        source = _source(sources, move.get("source"))
        if source:
            reason = f"{reason} (source: {source})" if reason else f"Source: {source}"
        hearings.postpone(
            session,
            DEMO,
            now,
            hearing,
            Postpone.parse(
                {"to": move.get("to"), "reason": reason, "decided_on": move.get("decided_on")}
            ),
        )
    if "outcome" in item:
        hearings.record_outcome(
            session,
            DEMO,
            now,
            hearing,
            Outcome.parse(
                {"result": item["outcome"]["result"], "summary": item["outcome"].get("summary", "")}
            ),
        )
    return len(item.get("postponements", []))
