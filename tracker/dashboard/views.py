"""The dashboard page."""

from __future__ import annotations

from types import SimpleNamespace

from flask import render_template, request

from tracker import web
from tracker.core import clock, errors
from tracker.core.dates import in_zone
from tracker.core.limits import AGENDA_WEEK
from tracker.dashboard import agenda as agendas
from tracker.dashboard import queries
from tracker.dashboard.forms import EVERY_LAWYER, AgendaFilters
from tracker.users import access
from tracker.web import pages

bp = pages.blueprint("dashboard", __name__)

BLUEPRINTS = (bp,)


@bp.get("/")
def index():
    """Show what needs attention: coming hearings, open deadlines, flags, missing outcomes."""
    panels = queries.dashboard(web.session(), pages.actor(), clock.now())
    return render_template(
        "dashboard/index.html",
        hearings=panels.hearings,
        deadlines=panels.deadlines,
        flags=panels.flags,
        awaiting=panels.awaiting,
        today=clock.today(),
        subject_path=queries.subject_path,
    )


@bp.get("/agenda")
def agenda():
    """A few days' hearings and deadlines, day by day, per lawyer: a page to print.

    A lawyer sees their own agenda (another's is refused); coordinators, staff and
    admins pick a lawyer or all of them.
    """
    session, actor = web.session(), pages.actor()
    everyone = access.sees_all_matters(actor)
    asked = request.args.get("lawyer", "")
    if not everyone and asked not in ("", str(actor.id)):
        raise errors.Forbidden("a lawyer sees their own agenda only")
    people = agendas.lawyers(session) if everyone else [_self(actor)]
    filters = AgendaFilters(request.args, people, everyone=everyone)
    valid = filters.validate()
    first, last = filters.span(in_zone(clock.now(), actor.timezone).date(), AGENDA_WEEK)
    whose = filters.value("lawyer") or (EVERY_LAWYER if everyone else str(actor.id))
    lawyer = None if whose == EVERY_LAWYER else int(whose)
    page = render_template(
        "dashboard/agenda.html",
        filters=filters,
        first=first,
        last=last,
        whose=whose,
        agendas=agendas.agendas(session, actor, first, last, lawyer),
        today=clock.today(),
    )
    return page, (200 if valid else 422)


def _self(actor) -> SimpleNamespace:
    """The signed-in lawyer as a row of `agenda.lawyers`."""
    return SimpleNamespace(id=actor.id, name=actor.name, email=actor.email)
