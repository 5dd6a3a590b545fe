"""Correct or withdraw a postponement recorded by mistake.

The row is never deleted: a withdrawn move stays in the ledger, marked with who, when
and why, and every reader leaves it out. The moves form a chain (each starts where the
one before it ended), so a change to one move is planned first — the move, the next
standing move's start, the hearing — then applied, or only shown (the confirm step).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy.orm as so

from tracker.audit import operations as audit
from tracker.audit.edits import check_version
from tracker.core.actors import Actor
from tracker.core.db import snapshot
from tracker.core.errors import Conflict, Invalid, NotFound
from tracker.hearings import ledger
from tracker.hearings.models import Hearing, HearingStatus, Postponement
from tracker.hearings.operations import check_decided_on, court_today
from tracker.hearings.schemas import PostponementChanges, Withdrawal
from tracker.users import access


@dataclass
class Plan:
    """The changes one correction makes: to the move, the next standing move, the hearing."""

    move: dict[str, Any] = field(default_factory=dict)
    following: Postponement | None = None
    next_move: dict[str, Any] = field(default_factory=dict)
    hearing: dict[str, Any] = field(default_factory=dict)


def get_postponement(session: so.Session, actor: Actor, postponement_id: int) -> Postponement:
    move = session.get(Postponement, postponement_id)
    if move is None or not access.may_see_matter(session, actor, move.hearing.proceeding.matter_id):
        raise NotFound(f"no postponement {postponement_id}")
    return move


# --- planning -----------------------------------------------------------------------------


def _standing(move: Postponement) -> tuple[list[Postponement], int]:
    if not move.standing:
        raise Conflict(
            f"postponement {move.id} was withdrawn on {move.withdrawn_at:%Y-%m-%d}: "
            "it can no longer be changed"
        )
    moves = move.hearing.moves
    return moves, moves.index(move)


def _check_open(hearing: Hearing) -> None:
    """The date of a held or cancelled hearing is what happened: no move that set it changes."""
    if hearing.status in (HearingStatus.held, HearingStatus.cancelled):
        raise Conflict(
            f"hearing {hearing.id} is {hearing.status}: the move that set its date "
            "cannot change now",
            field="status",
        )


def plan_withdrawal(move: Postponement, actor: Actor, now: dt.datetime, reason: str) -> Plan:
    """Withdraw `move`: the latest puts the hearing back where it was moved from; a
    middle one makes the next standing move start where the withdrawn one started."""
    hearing = move.hearing
    moves, at = _standing(move)
    plan = Plan(
        move={"withdrawn_at": now, "withdrawn_by_id": actor.id, "withdrawal_reason": reason}
    )
    if at + 1 < len(moves):
        plan.following = moves[at + 1]
        plan.next_move = {
            "from_starts_at": move.from_starts_at,
            "from_time_known": move.from_time_known,
        }
        return plan
    _check_open(hearing)
    before = moves[at - 1] if at > 0 else None
    sine_die = before is not None and before.to_starts_at is None
    plan.hearing = {
        "starts_at": move.from_starts_at,
        "status": HearingStatus.postponed if sine_die else HearingStatus.scheduled,
    }
    if move.from_time_known is not None:
        plan.hearing["time_known"] = move.from_time_known
    return plan


def plan_correction(move: Postponement, command: PostponementChanges, today: dt.date) -> Plan:
    """Correct `move`'s fields; a new `to` moves the hearing (latest move) or the next
    standing move's start (a middle one)."""
    hearing = move.hearing
    moves, at = _standing(move)
    values = command.changes()
    if "decided_on" in values:
        check_decided_on(values["decided_on"], today)
    plan = Plan(move={k: values[k] for k in ("reason", "decided_on") if k in values})
    if "to" not in values and "time_known" not in values:
        return plan
    to = move.to_starts_at
    if "to" in values:
        to = values["to"].instant(hearing.timezone, "to") if values["to"] is not None else None
    if to is not None and to == move.from_starts_at:
        raise Invalid(
            "to: that is the date it was moved from; withdraw the postponement instead",
            field="to",
        )
    known = values.get("time_known")
    if known is None:
        known = move.to_time_known if move.to_time_known is not None else hearing.time_known
    plan.move |= {"to_starts_at": to, "to_time_known": known if to is not None else None}
    if at + 1 < len(moves):
        if to is None:
            raise Invalid(
                "to: only the latest postponement can leave the hearing without a date",
                field="to",
            )
        plan.following = moves[at + 1]
        plan.next_move = {"from_starts_at": to, "from_time_known": known}
        return plan
    _check_open(hearing)
    if to is None:
        plan.hearing = {"starts_at": move.from_starts_at, "status": HearingStatus.postponed}
    else:
        plan.hearing = {"starts_at": to, "status": HearingStatus.scheduled, "time_known": known}
    return plan


# --- what a plan moves (the confirm step) -------------------------------------------------


@dataclass(frozen=True)
class Effect:
    before: ledger.Tally
    after: ledger.Tally


def effect(move: Postponement, plan: Plan) -> Effect:
    """The hearing's count, slip and date before and after the plan, nothing written."""
    hearing = move.hearing

    def tally(planned: bool) -> ledger.Tally:
        spans = []
        for m in hearing.moves:
            change = plan.move if m is move else plan.next_move if m is plan.following else {}
            change = change if planned else {}
            if change.get("withdrawn_at") is not None:
                continue
            spans.append(
                (
                    change.get("from_starts_at", m.from_starts_at),
                    change.get("to_starts_at", m.to_starts_at),
                )
            )
        state = plan.hearing if planned else {}
        status = state.get("status", hearing.status)
        starts_at = state.get("starts_at", hearing.starts_at)
        return ledger.tally(spans, starts_at, status is HearingStatus.postponed, hearing.timezone)

    return Effect(tally(False), tally(True))


# --- applying -----------------------------------------------------------------------------


def withdraw_postponement(
    session: so.Session, actor: Actor, now: dt.datetime, move: Postponement, command: Withdrawal
) -> Postponement:
    """Withdraw a postponement recorded by mistake (kept, marked, counted for nothing)."""
    check_version(move.hearing, command.version)
    plan = plan_withdrawal(move, actor, now, command.reason)
    _apply(session, actor, now, move, plan, "withdraw_postponement")
    return move


def correct_postponement(
    session: so.Session,
    actor: Actor,
    now: dt.datetime,
    move: Postponement,
    command: PostponementChanges,
) -> Postponement:
    """Correct a postponement's date, reason or day decided; the hearing follows."""
    check_version(move.hearing, command.version)
    plan = plan_correction(move, command, court_today(move.hearing, now))
    _apply(session, actor, now, move, plan, "correct_postponement")
    return move


def _apply(
    session: so.Session,
    actor: Actor,
    now: dt.datetime,
    move: Postponement,
    plan: Plan,
    action: str,
) -> None:
    hearing = move.hearing
    before = {"hearing": snapshot(hearing), "postponement": snapshot(move)}
    if plan.following is not None:
        before["next_postponement"] = snapshot(plan.following)
    for name, value in plan.move.items():
        setattr(move, name, value)
    for name, value in plan.next_move.items():
        setattr(plan.following, name, value)
    for name, value in plan.hearing.items():
        setattr(hearing, name, value)
    # every change to the ledger is one a calendar must show (SEQUENCE) and bumps the version
    hearing.sequence += 1
    hearing.updated_at = now
    session.flush()
    old: dict[str, Any] = {}
    new: dict[str, Any] = {"postponement_id": move.id}
    for key, row in (
        ("hearing", hearing),
        ("postponement", move),
        ("next_postponement", plan.following),
    ):
        if row is None:
            continue
        was, now_is = audit.diff(before[key], snapshot(row))
        if key == "hearing":
            old |= was
            new |= now_is
        elif now_is:
            old[key] = was
            new[key] = {"id": row.id, **now_is}
    audit.record(
        session,
        actor,
        now,
        action,
        hearing,
        matter_id=hearing.proceeding.matter_id,
        before=old,
        after=new,
    )
