"""JSON API: jurisdictions."""

from __future__ import annotations

from tracker import web
from tracker.core import clock
from tracker.jurisdictions import operations
from tracker.jurisdictions.schemas import (
    JurisdictionOut,
    JurisdictionsQuery,
    NewJurisdiction,
    dump,
)
from tracker.web import api

bp = api.blueprint("jurisdictions_api")


@bp.get("/jurisdictions")
def list_jurisdictions(query: JurisdictionsQuery) -> api.Items[JurisdictionOut]:
    """List every jurisdiction by code."""
    rows = operations.list_jurisdictions(web.session())
    return api.Items(items=[dump(j) for j in rows])


@bp.post("/jurisdictions")
def create_jurisdiction(body: NewJurisdiction) -> api.Created[JurisdictionOut]:
    """Add a jurisdiction (admins)."""
    jurisdiction = operations.create_jurisdiction(web.session(), api.actor(), clock.now(), body)
    api.commit()
    return api.Created(dump(jurisdiction))
