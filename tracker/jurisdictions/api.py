"""JSON API: jurisdictions."""

from __future__ import annotations

import sqlalchemy as sa

from tracker import web
from tracker.core import clock
from tracker.jurisdictions import operations
from tracker.jurisdictions.models import Jurisdiction
from tracker.users import access
from tracker.users.models import Role
from tracker.web import api

bp = api.blueprint("jurisdictions_api")


class JurisdictionIn(api.Body):
    code: str
    name: str
    timezone: str
    holiday_country: str | None = None


def dump(jurisdiction: Jurisdiction) -> dict:
    return {
        "id": jurisdiction.id,
        "code": jurisdiction.code,
        "name": jurisdiction.name,
        "timezone": jurisdiction.timezone,
        "holiday_country": jurisdiction.holiday_country,
        "version": jurisdiction.version,
    }


@bp.get("/jurisdictions")
def list_jurisdictions():
    """List every jurisdiction by code."""
    rows = web.session().scalars(sa.select(Jurisdiction).order_by(Jurisdiction.code))
    return api.items([dump(j) for j in rows])


@bp.post("/jurisdictions")
def create_jurisdiction():
    """Add a jurisdiction (admins)."""
    access.require_role(api.actor(), Role.admin, doing="add jurisdictions")
    data = api.body(JurisdictionIn)
    jurisdiction = operations.create_jurisdiction(
        web.session(), api.actor(), clock.now(), **data.model_dump()
    )
    api.commit()
    return api.created(dump(jurisdiction))
