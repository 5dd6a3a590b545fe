"""JSON API: the delay statistics (README, "Delay statistics")."""

from __future__ import annotations

from tracker import web
from tracker.reports import queries
from tracker.reports.schemas import DelaysOut, DelaysQuery
from tracker.web import api

bp = api.blueprint("reports_api")


@bp.get("/reports/delays")
def delays(query: DelaysQuery) -> DelaysOut:
    """Delay statistics (CEPEJ, CourTools) per country and/or kind over a period."""
    return queries.delays(web.session(), api.actor(), query).answer
