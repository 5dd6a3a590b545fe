"""Hearing pages: the list, one hearing with its ledger and outcome form, scheduling one."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy.orm as so
from flask import flash, redirect, render_template, request, url_for

from tracker import web
from tracker.core import clock
from tracker.core.dates import in_zone
from tracker.core.errors import TrackerError
from tracker.hearings import corrections, imports, lists, operations
from tracker.hearings import ledger as hearing_ledger
from tracker.hearings.forms import (
    HearingCorrectionForm,
    HearingFilters,
    HearingForm,
    InvitationForm,
    OutcomeForm,
    PostponementCorrectionForm,
    WithdrawalForm,
    possible_actions,
)
from tracker.hearings.models import Hearing, HearingStatus, Postponement
from tracker.matters import operations as matters
from tracker.matters import queries as matter_queries
from tracker.notifications import invitations
from tracker.users.models import User
from tracker.web import display, exports, pages

bp = pages.blueprint("hearings", __name__)

BLUEPRINTS = (bp,)


@bp.get("/hearings")
def index():
    """List the coming hearings, those awaiting an outcome, or those on a range of days,
    a page at a time, or all of them as CSV (`format=csv`)."""
    session, actor = web.session(), pages.actor()
    filters = HearingFilters(request.args, matter_queries.countries(session))
    valid = filters.validate()
    show, days = filters.value("show"), filters.value("days")
    span = lists.window(show, days, *filters.day_range(), clock.today())
    found = lists.listing(
        session,
        actor,
        clock.now(),
        show=show,
        days=days,
        country=filters.value("country") or None,
        span=span,
    )
    if valid and filters.csv():
        return exports.download(
            lambda reader: lists.csv_lines(lists.every_row(reader, found)),
            exports.filename("hearings", *(span or (None, None)), show, clock.today()),
        )
    page = render_template(
        "hearings/index.html",
        filters=filters,
        found=lists.page_of(session, found, request.args.get("page", 1, type=int)),
        span=span,
    )
    return page, (200 if valid else 422)


@bp.get("/hearings/<int:hearing_id>")
def show(hearing_id: int):
    """Show a hearing, its postponement ledger and the outcome form."""
    hearing = operations.hearing_page(web.session(), pages.actor(), hearing_id)
    form = OutcomeForm(formdata=None, zone=hearing.timezone, version=str(hearing.version))
    return _page(hearing, form)


@bp.post("/hearings/<int:hearing_id>/outcome")
def outcome(hearing_id: int):
    """Record what happened at a hearing; a form older than the hearing saves nothing."""
    session, actor = web.session(), pages.actor()
    hearing = operations.hearing_page(session, actor, hearing_id)
    form = OutcomeForm(zone=hearing.timezone)
    if form.stated_version() != hearing.version:
        form.version.data = str(hearing.version)  # resubmitting is now a deliberate choice
        return _page(hearing, form, conflict=True, status=409)
    saved = pages.submit(
        form,
        lambda: invitations.changing(
            session, hearing, web.settings(), lambda: _record(session, actor, hearing, form)
        ),
    )
    if saved is not None:
        flash(f"Saved: {_said(hearing)}")
        return redirect(url_for("hearings.show", hearing_id=hearing.id))
    return _page(hearing, form, status=pages.form_status(form))


@bp.route("/proceedings/<int:proceeding_id>/hearings/new", methods=["GET", "POST"])
def new(proceeding_id: int):
    """Schedule a hearing in a proceeding, at a local time in the court's zone."""
    session, actor = web.session(), pages.actor()
    proceeding = matters.get_proceeding(session, actor, proceeding_id)
    form = HearingForm(zone=proceeding.jurisdiction.timezone)
    hearing = pages.submit(
        form,
        lambda: operations.schedule_hearing(
            session, actor, clock.now(), proceeding, form.command()
        ),
    )
    if hearing is not None:
        flash("The hearing is scheduled.")
        return redirect(url_for("hearings.show", hearing_id=hearing.id))
    page = render_template("hearings/new.html", proceeding=proceeding, form=form)
    return page, pages.form_status(form)


@bp.route("/proceedings/<int:proceeding_id>/hearings/import", methods=["GET", "POST"])
def import_invitation(proceeding_id: int):
    """Import a court's invitation (.ics) into a proceeding and show what each event did.
    Shown, not redirected: importing the same file again changes nothing."""
    session, actor = web.session(), pages.actor()
    proceeding = matters.get_proceeding(session, actor, proceeding_id)
    form = InvitationForm()
    report = pages.submit(
        form,
        lambda: imports.import_invitation(
            session,
            actor,
            clock.now(),
            proceeding,
            form.upload(),
            web.settings(),
            dry_run=form.dry_run.data,
        ),
    )
    page = render_template("hearings/import.html", proceeding=proceeding, form=form, report=report)
    return page, 200 if report is not None else pages.form_status(form)


@bp.route("/hearings/<int:hearing_id>/edit", methods=["GET", "POST"])
def edit(hearing_id: int):
    """Correct a hearing's details (a mistyped time, the place...): not a postponement."""
    session, actor = web.session(), pages.actor()
    hearing = operations.hearing_page(session, actor, hearing_id)
    if request.method == "GET":
        return _edit_page(hearing, HearingCorrectionForm.of(hearing))
    form = HearingCorrectionForm(zone=hearing.timezone)
    if form.stated_version() != hearing.version:
        form.version.data = str(hearing.version)
        return _edit_page(hearing, form, conflict=True, status=409)
    saved = pages.submit(
        form,
        lambda: invitations.changing(
            session,
            hearing,
            web.settings(),
            lambda: operations.update_hearing(session, actor, clock.now(), hearing, form.changes()),
        ),
    )
    if saved is not None:
        flash("The hearing's details are corrected.")
        return redirect(url_for("hearings.show", hearing_id=hearing.id))
    return _edit_page(hearing, form, status=pages.form_status(form))


@bp.route("/postponements/<int:postponement_id>/correct", methods=["GET", "POST"])
def correct_postponement(postponement_id: int):
    """Correct a postponement recorded wrongly: shown with what it moves, then saved."""
    return _ledger_change(postponement_id, "correct")


@bp.route("/postponements/<int:postponement_id>/withdraw", methods=["GET", "POST"])
def withdraw_postponement(postponement_id: int):
    """Withdraw a postponement recorded by mistake: shown with what it moves, then saved."""
    return _ledger_change(postponement_id, "withdraw")


# --- helpers ------------------------------------------------------------------------------


def _edit_page(hearing: Hearing, form: HearingCorrectionForm, *, conflict=False, status=200):
    page = render_template(
        "hearings/edit.html",
        hearing=hearing,
        form=form,
        conflict=conflict,
        change=operations.last_change(web.session(), hearing) if conflict else None,
    )
    return page, status


def _ledger_change(postponement_id: int, kind: str):
    """The correct/withdraw flow: the form, then what it moves (confirm), then saved."""
    session, actor = web.session(), pages.actor()
    move = corrections.get_postponement(session, actor, postponement_id)
    hearing = operations.hearing_page(session, actor, move.hearing_id)
    form_class = WithdrawalForm if kind == "withdraw" else PostponementCorrectionForm
    if request.method == "GET":
        form = (
            WithdrawalForm(formdata=None, version=str(hearing.version))
            if kind == "withdraw"
            else PostponementCorrectionForm.of(move, hearing)
        )
        return _change_page(kind, hearing, move, form)
    form = form_class()
    if form.stated_version() != hearing.version:
        form.version.data, form.confirmed.data = str(hearing.version), ""
        return _change_page(kind, hearing, move, form, conflict=True, status=409)
    if not form.is_confirmed():
        effect = _preview(kind, form, move, actor)
        if effect is None:
            return _change_page(kind, hearing, move, form, status=422)
        form.confirmed.data = "1"
        return _change_page(kind, hearing, move, form, effect=effect)
    saved = pages.submit(
        form,
        lambda: invitations.changing(
            session, hearing, web.settings(), lambda: _save(kind, session, actor, move, form)
        ),
    )
    if saved is not None:
        flash(
            "The postponement is withdrawn."
            if kind == "withdraw"
            else "The postponement is corrected."
        )
        return redirect(url_for("hearings.show", hearing_id=hearing.id) + "#ledger")
    form.confirmed.data = ""
    return _change_page(kind, hearing, move, form, status=pages.form_status(form))


def _preview(kind: str, form: Any, move: Postponement, actor: User) -> Any:
    """What the change would move, nothing written; None when the form or the plan is refused."""
    if not form.validate_on_submit():
        return None
    try:
        command = form.command()
        if kind == "withdraw":
            plan = corrections.plan_withdrawal(move, actor, clock.now(), command.reason)
        else:
            today = operations.court_today(move.hearing, clock.now())
            plan = corrections.plan_correction(move, command, today)
    except TrackerError as exc:
        pages.refused(form, exc)
        return None
    return corrections.effect(move, plan)


def _save(kind: str, session: so.Session, actor: User, move: Postponement, form: Any) -> Any:
    if kind == "withdraw":
        return corrections.withdraw_postponement(session, actor, clock.now(), move, form.command())
    return corrections.correct_postponement(session, actor, clock.now(), move, form.command())


def _change_page(kind, hearing, move, form, *, effect=None, conflict=False, status=200):
    page = render_template(
        "hearings/ledger_change.html",
        kind=kind,
        hearing=hearing,
        move=move,
        form=form,
        effect=effect,
        conflict=conflict,
        change=operations.last_change(web.session(), hearing) if conflict else None,
        moment=lambda instant, known=None: moment(instant, hearing, known),
    )
    return page, status


def _page(hearing: Hearing, form: OutcomeForm, *, conflict: bool = False, status: int = 200):
    # offered: what can be done now; a form sent with another choice still gets the
    # operation's reason for refusing it, next to the choices
    form.action.choices = possible_actions(hearing.status.value, hearing.starts_at > clock.now())
    return render_template(
        "hearings/show.html",
        hearing=hearing,
        form=form,
        conflict=conflict,
        change=operations.last_change(web.session(), hearing) if conflict else None,
        ledger=ledger(hearing),
        moment=lambda instant, known=None: moment(instant, hearing, known),
    ), status


def _record(session: so.Session, actor: User, hearing: Hearing, form: OutcomeForm) -> Any:
    """Map the form's choice onto `postpone` or `record_outcome`."""
    if form.moved():
        return operations.postpone(
            session, actor, clock.now(), hearing, form.postponement(hearing.timezone)
        )
    return operations.record_outcome(session, actor, clock.now(), hearing, form.outcome())


def _said(hearing: Hearing) -> str:
    if hearing.status is HearingStatus.postponed:
        return "the hearing is postponed sine die."
    if hearing.status is HearingStatus.scheduled:
        return "the hearing is now set for " + _when(hearing.starts_at, hearing) + "."
    return f"the hearing is recorded as {hearing.outcome or hearing.status}."


def _when(instant: dt.datetime, hearing: Hearing) -> str:
    return display.at(instant, hearing.timezone, time_known=hearing.time_known)


def ledger(hearing: Hearing) -> dict[str, Any]:
    """The facts of a hearing's moves: first date, number of moves, how far it slipped."""
    moved = hearing_ledger.ledger(hearing)
    first = moment(moved.first, hearing, moved.first_time_known)
    return {"first": first, "moves": moved.count, "slip_days": moved.slip_days}


def moment(instant: dt.datetime | None, hearing: Hearing, time_known: bool | None = None) -> str:
    """A past or present date of the hearing, in the court's zone.

    `time_known` None: a move recorded before moves kept that flag. A date whose time
    was not known is stored at local midnight, so there a midnight reads as the day.
    """
    if instant is None:
        return ""
    if time_known is None:
        if instant == hearing.starts_at:
            time_known = hearing.time_known
        else:
            time_known = in_zone(instant, hearing.timezone).time() != dt.time(0, 0)
    return display.at(instant, hearing.timezone, time_known=time_known)
