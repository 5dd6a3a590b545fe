"""The dashboard page."""

from __future__ import annotations

from flask import render_template

from tracker import web
from tracker.core import clock
from tracker.dashboard import queries
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
