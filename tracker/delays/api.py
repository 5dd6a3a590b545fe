"""JSON API: delay flags."""

from __future__ import annotations

from tracker import web
from tracker.core import clock
from tracker.delays import scan
from tracker.web import api

bp = api.blueprint("delays_api")


@bp.get("/flags")
def list_flags():
    """The open delay flags as of ?as_of= (default: today), computed for that day."""
    as_of = api.query_date("as_of") or clock.today()
    flags = scan.flags_as_of(web.session(), api.actor(), as_of, web.settings().delays)
    return api.items([stored.as_dict() for stored in flags])
