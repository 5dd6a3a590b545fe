"""Deadline pages: the open ones, one deadline (mark it, override its date), adding one."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from flask import flash, jsonify, redirect, render_template, request, url_for

from tracker import web
from tracker.core import clock, errors, labels
from tracker.core.limits import MAX_ID
from tracker.deadlines import checks, lists, operations, queries
from tracker.deadlines.forms import DueForm, HandForm, RuleForm, StatusForm
from tracker.deadlines.models import Deadline
from tracker.hearings import lists as hearing_lists
from tracker.matters import operations as matters
from tracker.matters import queries as matter_queries
from tracker.matters.models import Proceeding
from tracker.notifications import invitations
from tracker.web import display, exports, pages

bp = pages.blueprint("deadlines", __name__)

BLUEPRINTS = (bp,)

#: what the buttons of the status form say they did
MARKED = {"done": "marked done", "waived": "waived", "open": "reopened"}


@bp.get("/deadlines")
def index():
    """List the open deadlines, the earliest due first, a page at a time, or all of them
    as CSV (`format=csv`)."""
    session, today = web.session(), clock.today()
    filters = lists.DeadlineFilters(request.args, matter_queries.countries(session))
    valid = filters.validate()
    first, last = filters.day_range()
    found = lists.listing(
        pages.actor(),
        today,
        due=filters.value("due"),
        country=filters.value("country") or None,
        first=first,
        last=last,
    )
    if valid and filters.csv():
        return exports.download(
            lambda reader: lists.csv_lines(hearing_lists.every_row(reader, found)),
            exports.filename("deadlines", first, last, filters.value("due"), today),
        )
    page = render_template(
        "deadlines/index.html",
        filters=filters,
        found=hearing_lists.page_of(session, found, request.args.get("page", 1, type=int)),
        today=today,
        week=today + lists.WEEK,
    )
    return page, (200 if valid else 422)


@bp.get("/deadlines/<int:deadline_id>")
def show(deadline_id: int):
    """Show a deadline, how its date was reached, and what can be done with it."""
    deadline = queries.deadline_page(web.session(), pages.actor(), deadline_id)
    return _page(deadline)


@bp.post("/deadlines/<int:deadline_id>/status")
def mark(deadline_id: int):
    """Mark a deadline done or waived, or reopen it."""
    return _edit(
        deadline_id,
        StatusForm(prefix="mark"),
        "mark_form",
        lambda form, _deadline: f"The deadline is {MARKED[form.status.data]}.",
    )


@bp.post("/deadlines/<int:deadline_id>/due")
def override(deadline_id: int):
    """Set a deadline's due date by hand (its computed date is kept beside it)."""
    return _edit(
        deadline_id,
        DueForm(prefix="due"),
        "due_form",
        lambda _form, deadline: f"The deadline is now due {display.day(deadline.due_on)}.",
        warn=_due_warnings,
    )


def _due_warnings(form: DueForm, deadline: Deadline) -> list[str]:
    """A date other than the computed one: later than the rule's, or a court's day off?"""
    if form.due_on.data == deadline.computed_due_on:
        return []  # back to the rule's own date
    return _unconfirmed(
        form,
        lambda day: checks.hand_set(
            web.session(), deadline.proceeding.jurisdiction_id, day, deadline.computed_due_on
        ),
    )


def _unconfirmed(form: HandForm | DueForm, check: Callable[[dt.date], list[str]]) -> list[str]:
    """The warnings about the form's date that the user has not yet confirmed; the form
    then carries the date as confirmed, for a second submission to save it."""
    if not form.validate_on_submit():
        return []  # the errors are shown as the form is submitted
    day = form.due_on.data
    if form.confirmed.data == day.isoformat():
        return []
    found = check(day)
    if found:
        form.confirmed.data = day.isoformat()
    return found


def _edit(
    deadline_id: int,
    form: StatusForm | DueForm,
    name: str,
    done: Callable[[StatusForm | DueForm, Deadline], str],
    warn: Callable[..., list[str]] | None = None,
):
    """Apply one of the deadline page's forms; a form drawn from an older version is refused.

    `name` is the form's argument of `_page`, where it is shown again (with the current
    version, for a deliberate resubmission) when refused.
    """
    session, actor = web.session(), pages.actor()
    deadline = queries.deadline_page(session, actor, deadline_id)
    if form.stated_version() != deadline.version:
        form.version.data = str(deadline.version)
        return _page(deadline, **{name: form}, conflict=True, status=409)
    warnings = warn(form, deadline) if warn is not None else []
    if warnings:
        return _page(deadline, **{name: form}, warnings=warnings)  # nothing saved yet
    saved = pages.submit(
        form,
        lambda: invitations.deadlines_changing(
            session,
            [deadline],
            web.settings(),
            lambda: operations.update_deadline(
                session, actor, clock.now(), deadline, form.command()
            ),
        ),
    )
    if saved is None:
        return _page(deadline, **{name: form}, status=pages.form_status(form))
    flash(done(form, deadline))
    return redirect(url_for("deadlines.show", deadline_id=deadline.id))


@bp.route("/proceedings/<int:proceeding_id>/deadlines/new", methods=["GET", "POST"])
def new(proceeding_id: int):
    """Add a deadline by hand, or with a rule: preview the date and its steps, then save."""
    proceeding = matters.get_proceeding(web.session(), pages.actor(), proceeding_id)
    posted = _posted()
    hand = HandForm(prefix="hand", formdata=request.form if posted == "hand" else None)
    by_rule = _rule_form(proceeding, formdata=request.form if posted == "rule" else None)
    if posted is None:
        # the proceeding page links an event to the rules it triggers: ?rule=&trigger_event_id=
        by_rule.rule.data = request.args.get("rule", "")
        by_rule.trigger_event.data = request.args.get("trigger_event_id", "")
        return _new_page(proceeding, hand, by_rule)
    if posted == "rule" and by_rule.preview.data:
        shown = _preview(proceeding, by_rule)
        status = 200 if shown is not None else pages.form_status(by_rule)
        return _new_page(proceeding, hand, by_rule, preview=shown, status=status)
    form = by_rule if posted == "rule" else hand
    if form is hand:
        warnings = _unconfirmed(
            hand,
            lambda day: checks.hand_set(web.session(), proceeding.jurisdiction_id, day),
        )
        if warnings:  # shown with a button to save anyway; nothing saved yet
            return _new_page(proceeding, hand, by_rule, warnings=warnings)
    deadline = pages.submit(form, lambda: _create(proceeding, form))
    if deadline is None:
        return _new_page(proceeding, hand, by_rule, status=pages.form_status(form))
    flash("The deadline is added.")
    return redirect(url_for("deadlines.show", deadline_id=deadline.id))


@bp.get("/proceedings/<int:proceeding_id>/deadlines/preview")
def preview(proceeding_id: int):
    """Compute a deadline without storing it, as JSON for the page's live preview."""
    session, actor = web.session(), pages.actor()
    proceeding = matters.get_proceeding(session, actor, proceeding_id)
    event_id = request.args.get("event", "")
    if not (event_id.isascii() and event_id.isdigit() and 0 < int(event_id) <= MAX_ID):
        return _json_error(errors.Invalid("choose an event", field="trigger_event"))
    try:
        shown = queries.preview(
            session, actor, proceeding, request.args.get("rule", ""), int(event_id)
        )
    except errors.TrackerError as exc:
        return _json_error(_renamed(exc))
    return jsonify(
        {
            "rule": shown.rule.code,
            "title": shown.rule.title,
            "due_on": shown.computation.due_on.isoformat(),
            "due": display.day(shown.computation.due_on),
            "steps": list(shown.computation.steps),
            "note": _kind_note(shown),
        }
    )


# --- helpers ------------------------------------------------------------------------------


def _page(
    deadline: Deadline,
    *,
    mark_form: StatusForm | None = None,
    due_form: DueForm | None = None,
    conflict: bool = False,
    warnings: list[str] | None = None,
    status: int = 200,
):
    version = str(deadline.version)
    return render_template(
        "deadlines/show.html",
        deadline=deadline,
        steps=[line for line in deadline.explanation.splitlines() if line.strip()],
        mark_form=mark_form or StatusForm(prefix="mark", formdata=None, version=version),
        due_form=due_form
        or DueForm(prefix="due", formdata=None, version=version, due_on=deadline.due_on),
        conflict=conflict,
        warnings=warnings or [],
        change=queries.last_change(web.session(), deadline) if conflict else None,
        days_left=(deadline.due_on - clock.today()).days,
    ), status


def _posted() -> str | None:
    """Which of the two forms of the new-deadline page was sent, if any."""
    if request.method != "POST":
        return None
    return "rule" if any(key.startswith("rule-") for key in request.form) else "hand"


def _rule_form(proceeding: Proceeding, formdata) -> RuleForm:
    session = web.session()
    return RuleForm(
        prefix="rule",
        formdata=formdata,
        groups=queries.rule_groups(session, proceeding),
        events=queries.trigger_events(session, proceeding),
    )


def _new_page(
    proceeding: Proceeding,
    hand: HandForm,
    by_rule: RuleForm,
    *,
    preview=None,
    warnings: list[str] | None = None,
    status: int = 200,
):
    page = render_template(
        "deadlines/new.html",
        proceeding=proceeding,
        hand=hand,
        warnings=warnings or [],
        by_rule=by_rule,
        preview=preview,
        kind_note=_kind_note(preview) if preview else None,
    )
    return page, status


def _preview(proceeding: Proceeding, form: RuleForm) -> queries.Preview | None:
    """The computed deadline, or None with the refusal next to its field."""
    if not form.validate_on_submit():
        return None
    try:
        return queries.preview(
            web.session(), pages.actor(), proceeding, form.rule.data, form.event_id()
        )
    except errors.TrackerError as exc:
        pages.refused(form, exc)
        return None


def _create(proceeding: Proceeding, form: HandForm | RuleForm) -> Deadline:
    return operations.create_deadline(
        web.session(), pages.actor(), clock.now(), proceeding, form.command()
    )


def _renamed(exc: errors.TrackerError) -> errors.TrackerError:
    """The refusal naming the field as the rule form calls it (the live preview's JSON)."""
    exc.field = RuleForm.renamed.get(exc.field or "", exc.field)
    return exc


def _kind_note(shown: queries.Preview) -> str | None:
    if not shown.kind_differs:
        return None
    return (
        f"This rule counts from a {labels.in_sentence(shown.rule.trigger_kind)}; "
        f"the event is a {labels.in_sentence(shown.event.kind)}."
    )


def _json_error(exc: errors.TrackerError):
    response = jsonify(exc.as_dict())
    response.status_code = exc.status
    return response
