"""JSON API: delay flags.

`?as_of=` computes the flags for that day; without it, the flags of today are read as
the page lists them, with their stored ids, made current the way a scan would (without
writing): see README, "Delay flags".
"""

from __future__ import annotations

from tracker import web
from tracker.core import clock
from tracker.delays import scan
from tracker.delays.schemas import FlagOut, FlagsQuery, dump
from tracker.web import api

bp = api.blueprint("delays_api")


@bp.get("/flags")
def list_flags(query: FlagsQuery) -> api.Items[FlagOut]:
    """The open delay flags as of ?as_of= (default: today), computed for that day."""
    as_of = query.as_of or clock.today()
    flags = scan.flags_as_of(web.session(), api.actor(), as_of, web.settings().delays)
    return api.Items(
        items=[dump(s.flag, id=s.id, first_seen=s.first_seen, as_of=as_of) for s in flags]
    )
