"""Matter and proceeding pages: search, dossier with its timeline, add and edit forms."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request
from markupsafe import Markup
from wtforms.fields.choices import SelectChoice

from tracker import web
from tracker.core import clock
from tracker.core.dates import format_partial
from tracker.core.errors import TrackerError
from tracker.matters import events, forms, operations, queries, timeline
from tracker.matters.models import Event, Matter, Proceeding
from tracker.notifications import invitations
from tracker.web import pages

bp = pages.blueprint("matters", __name__)

BLUEPRINTS = (bp,)


# --- matters ------------------------------------------------------------------------------


@bp.get("/matters")
def index():
    """List the matters the reader may see, searched by name, country, kind and status."""
    session = web.session()
    form = forms.SearchForm(request.args)
    form.country.choices = [
        SelectChoice("", "Any country"),
        *(SelectChoice(code, name) for code, name in queries.countries(session)),
    ]
    valid = form.validate()
    search = queries.Search(
        text=(form.q.data or "").strip() if valid else "",
        country=form.country.data or "" if valid else "",
        kind=form.kind.data or "" if valid else "",
        status=form.status.data or "" if valid else "",
        page=(form.page.data or 1) if valid else 1,
    )
    found = queries.search_matters(session, pages.actor(), search, clock.now())
    return render_template(
        "matters/index.html",
        form=form,
        found=found,
        filters={k: v for k, v in request.args.items() if k != "page" and v},
        may_create=operations.may_create_matters(pages.actor()),
    ), (200 if valid else 422)


@bp.route("/matters/new", methods=["GET", "POST"])
def new_matter():
    """Open a client's dossier (the operation says who may; the page is not shown to
    those it would refuse)."""
    session, me = web.session(), pages.actor()
    operations.require_matter_creator(me)  # before naming any other matter
    form = forms.MatterForm()
    form.assignees.choices = _people(session)
    duplicates = []
    if form.is_submitted() and not form.confirm_duplicate.data:
        duplicates = operations.possible_duplicates(session, me, form.subject.data)
    if duplicates and form.validate_on_submit():  # ask first: the client may have a dossier
        return render_template("matters/matter_form.html", form=form, duplicates=duplicates)
    matter = pages.submit(
        form, lambda: operations.create_matter(session, me, clock.now(), form.command())
    )
    if matter is not None:
        flash(f"Matter “{matter.title}” opened.")
        return redirect(f"/matters/{matter.id}")
    return render_template(
        "matters/matter_form.html", form=form, duplicates=duplicates
    ), pages.form_status(form)


@bp.get("/matters/<int:matter_id>")
def show(matter_id: int):
    """Show a matter's dossier: facts, proceedings, timeline picture and chronology."""
    session, me = web.session(), pages.actor()
    matter = queries.dossier_matter(session, me, matter_id)
    entries = timeline.entries(session, matter)
    about = queries.dossier(session, me, matter)
    proceedings = [e.row for e in entries if e.type == "proceeding"]
    picture = timeline.picture(matter.title, entries, clock.today()) if proceedings else None
    return render_template(
        "matters/show.html",
        matter=matter,
        entries=entries,
        proceedings=sorted(proceedings, key=lambda p: (p.jurisdiction.code, _opened(p), p.id)),
        by_id={p.id: p for p in proceedings},
        about=about,
        # svg.render escapes every text and attribute it writes
        picture=Markup(picture) if picture else None,  # noqa: S704
    )


@bp.route("/matters/<int:matter_id>/edit", methods=["GET", "POST"])
def edit_matter(matter_id: int):
    """Edit a matter's title, summary and assignees; a stale form never overwrites."""
    session, me = web.session(), pages.actor()
    matter = operations.get_matter(session, me, matter_id)
    form = forms.MatterEditForm(data=_matter_values(matter))
    form.assignees.choices = _people(session)
    saved = pages.submit(
        form, lambda: operations.update_matter(session, me, clock.now(), matter, form.changes())
    )
    if saved is not None:
        flash("Matter saved.")
        return redirect(f"/matters/{matter.id}")
    sent, stale = form, _stale(form)
    if stale:  # the form shows what is stored now; what they sent is in the conflict box
        matter = operations.get_matter(session, me, matter_id)
        form = forms.MatterEditForm(formdata=None, data=_matter_values(matter))
        form.assignees.choices = _people(session)
    return render_template(
        "matters/matter_form.html", form=form, matter=matter, stale=stale, sent=sent
    ), (409 if stale else pages.form_status(form))


# --- proceedings --------------------------------------------------------------------------


@bp.route("/matters/<int:matter_id>/proceedings/new", methods=["GET", "POST"])
def new_proceeding(matter_id: int):
    """Open a proceeding in a matter."""
    session, me = web.session(), pages.actor()
    matter = operations.get_matter(session, me, matter_id)
    form = forms.ProceedingForm()
    _proceeding_choices(form, matter)
    proceeding = pages.submit(
        form,
        lambda: operations.create_proceeding(session, me, clock.now(), form.command(matter.id)),
    )
    if proceeding is not None:
        flash(f"Proceeding “{proceeding.title}” opened.")
        return redirect(f"/proceedings/{proceeding.id}")
    return _proceeding_form(form, matter)


@bp.get("/proceedings/<int:proceeding_id>")
def proceeding(proceeding_id: int):
    """Show a proceeding: hearings with their postponements, events, deadlines and flags."""
    session, me = web.session(), pages.actor()
    found = operations.get_proceeding(session, me, proceeding_id)
    page = queries.proceeding_page(session, me, found)
    return render_template(
        "matters/proceeding.html",
        p=found,
        page=page,
        ledger=queries.ledger,
        triggers={d.trigger_event_id for d in found.deadlines if d.trigger_event_id},
    )


@bp.route("/proceedings/<int:proceeding_id>/edit", methods=["GET", "POST"])
def edit_proceeding(proceeding_id: int):
    """Edit a proceeding; a stale form shows the conflict and never overwrites."""
    session, me = web.session(), pages.actor()
    found = operations.get_proceeding(session, me, proceeding_id)
    form = forms.ProceedingEditForm(data=_stored(found))
    _proceeding_choices(form, found.matter, editing=found)
    saved = pages.submit(
        form,
        lambda: operations.update_proceeding(session, me, clock.now(), found, form.changes()),
    )
    if saved is not None:
        flash("Proceeding saved.")
        return redirect(f"/proceedings/{found.id}")
    sent, stale = form, _stale(form)
    if stale:
        found = operations.get_proceeding(session, me, proceeding_id)
        form = forms.ProceedingEditForm(formdata=None, data=_stored(found))
        _proceeding_choices(form, found.matter, editing=found)
    return _proceeding_form(form, found.matter, editing=found, stale=stale, sent=sent)


@bp.route("/proceedings/<int:proceeding_id>/events/new", methods=["GET", "POST"])
def new_event(proceeding_id: int):
    """Record a dated fact in a proceeding."""
    session, me = web.session(), pages.actor()
    found = operations.get_proceeding(session, me, proceeding_id)
    form = forms.EventForm()
    event = pages.submit(
        form, lambda: events.create_event(session, me, clock.now(), found, form.command())
    )
    if event is not None:
        flash("Event recorded.")
        return redirect(f"/proceedings/{found.id}#event-{event.id}")
    kinds = sorted(set(forms.COMMON_EVENT_KINDS) | set(queries.event_kinds(session)))
    return render_template(
        "matters/event_form.html", form=form, p=found, kinds=kinds
    ), pages.form_status(form)


@bp.route("/events/<int:event_id>/edit", methods=["GET", "POST"])
def edit_event(event_id: int):
    """Correct an event; a new date is saved once the page has listed the computed
    deadlines it moves and the reader has confirmed."""
    session, me = web.session(), pages.actor()
    event = operations.get_event(session, me, event_id)
    form = forms.EventEditForm(data=_event_values(event))
    moves = _moves(form, event) if form.is_submitted() and not form.confirmed else None
    if moves:  # confirming saves the date previewed, not one changed on the way
        form.confirm.data = form.preview_key
        return _event_page(form, event, moves=moves, status=200)
    saved = pages.submit(
        form,
        lambda: invitations.event_changing(
            session,
            event,
            web.settings(),
            lambda: events.update_event(session, me, clock.now(), event, form.changes()),
        ),
    )
    if saved is not None:
        flash("Event saved.")
        return redirect(f"/proceedings/{event.proceeding_id}#event-{event.id}")
    sent, stale = form, _stale(form)
    if stale:
        event = operations.get_event(session, me, event_id)
        form = forms.EventEditForm(formdata=None, data=_event_values(event))
    status = 409 if stale or not event.standing else pages.form_status(form)
    return _event_page(form, event, stale=stale, sent=sent, status=status)


def _moves(form: forms.EventEditForm, event: Event) -> list[Any] | None:
    """The deadlines the correction sent would move; None if it is refused (saving it
    then says why, beside the field)."""
    if not form.validate():
        return None
    try:
        return events.preview_update(web.session(), clock.now(), event, form.changes())
    except TrackerError:
        return None


def _event_values(event: Event) -> dict[str, Any]:
    return {
        "version": event.version,
        "kind": event.kind,
        "occurred_on": format_partial(event.occurred_on, event.precision),
        "summary": event.summary,
        "source": event.source or "",
    }


def _event_page(form: Any, event: Event, *, status: int, **context: Any):
    session = web.session()
    kinds = sorted(set(forms.COMMON_EVENT_KINDS) | set(queries.event_kinds(session)))
    return render_template(
        "matters/event_form.html",
        form=form,
        p=event.proceeding,
        event=event,
        kinds=kinds,
        **context,
    ), status


@bp.route("/events/<int:event_id>/withdraw", methods=["GET", "POST"])
def withdraw_event(event_id: int):
    """Withdraw an event recorded by mistake, once the page has listed the open deadlines
    it triggered (they are waived) and the reader has said why."""
    session, me = web.session(), pages.actor()
    event = operations.get_event(session, me, event_id)
    form = forms.EventWithdrawForm(data={"version": event.version})
    saved = pages.submit(
        form,
        lambda: invitations.event_changing(
            session,
            event,
            web.settings(),
            lambda: events.withdraw_event(session, me, clock.now(), event, form.command()),
        ),
    )
    if saved is not None:
        flash("Event withdrawn; the open deadlines it triggered are waived.")
        return redirect(f"/proceedings/{event.proceeding_id}#event-{event.id}")
    status = 409 if _stale(form) or not event.standing else pages.form_status(form)
    return render_template(
        "matters/event_withdraw.html",
        form=form,
        p=event.proceeding,
        event=event,
        waived=events.preview_withdrawal(session, event) if event.standing else [],
    ), status


# --- helpers ------------------------------------------------------------------------------


def _people(session) -> list[SelectChoice]:
    return [
        SelectChoice(user.email, f"{user.name} <{user.email}> · {user.role.value}")
        if user.name
        else SelectChoice(user.email, f"{user.email} · {user.role.value}")
        for user in queries.assignable_users(session)
    ]


def _matter_values(matter: Matter) -> dict[str, Any]:
    return {
        "version": matter.version,
        "title": matter.title,
        "summary": matter.summary,
        "assignees": sorted(user.email for user in matter.assignees),
    }


def _opened(proceeding: Proceeding) -> str:
    return proceeding.opened_on.isoformat() if proceeding.opened_on else "9999"


def _stale(form: Any) -> bool:
    return bool(getattr(form, "version", None) is not None and form.version.errors)


def _proceeding_choices(form: Any, matter: Matter, editing: Proceeding | None = None) -> None:
    session = web.session()
    form.jurisdiction.choices = [SelectChoice("", "")] + [
        SelectChoice(code, f"{code} · {name}") for code, name in queries.countries(session)
    ]
    siblings = [
        SelectChoice(str(p.id), f"{p.jurisdiction.code} · {p.title}")
        for p in operations.list_proceedings(session, pages.actor(), matter.id)
        if editing is None or p.id != editing.id
    ]
    form.parent_id.choices = [SelectChoice("", "None"), *siblings]
    origins = list(siblings)
    if (
        editing is not None
        and editing.origin_id
        and editing.origin_id not in {int(choice.value) for choice in siblings}
    ):
        origins.append(SelectChoice(str(editing.origin_id), f"Proceeding no. {editing.origin_id}"))
    form.origin_id.choices = [SelectChoice("", "None"), *origins]


def _stored(proceeding: Proceeding) -> dict[str, Any]:
    """A proceeding's values as the edit form shows them."""
    return {
        "version": proceeding.version,
        "title": proceeding.title,
        "jurisdiction": proceeding.jurisdiction.code,
        "authority": proceeding.authority.name if proceeding.authority else "",
        "kind": proceeding.kind.value,
        "reference": proceeding.reference or "",
        "client_role": proceeding.client_role.value,
        "status": proceeding.status.value,
        "opened_on": format_partial(proceeding.opened_on, proceeding.opened_precision) or "",
        "closed_on": format_partial(proceeding.closed_on, proceeding.closed_precision) or "",
        "parent_id": str(proceeding.parent_id or ""),
        "origin_id": str(proceeding.origin_id or ""),
    }


def _proceeding_form(form: Any, matter: Matter, **context: Any):
    stale = context.get("stale", False)
    return render_template(
        "matters/proceeding_form.html",
        form=form,
        matter=matter,
        authorities=queries.authority_names(web.session()),
        **context,
    ), (409 if stale else pages.form_status(form))
