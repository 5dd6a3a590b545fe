"""The delay statistics page: a table, its charts, a CSV download and a printable view."""

from __future__ import annotations

from typing import Any

from flask import Response, render_template, request, url_for

from tracker import web
from tracker.core import errors, spreadsheet
from tracker.reports import charts, queries
from tracker.reports.schemas import DelaysQuery, DelayStats, GroupBy
from tracker.web import pages

bp = pages.blueprint("reports", __name__)

BLUEPRINTS = (bp,)

FORMATS = ("html", "csv")
#: the charts drawn, one per measure: (field, heading)
MEASURES = (
    ("incoming", "Incoming (opened in the period)"),
    ("resolved", "Resolved (closed in the period)"),
    ("pending_end", "Pending at the period's end"),
    ("clearance_rate", "Clearance rate (resolved / incoming)"),
    ("disposition_time_days", "Disposition time (days)"),
    ("age_pending_median_days", "Age of pending cases, median (days)"),
    ("age_pending_p90_days", "Age of pending cases, 90th percentile (days)"),
    ("hearing_dates_mean", "Hearing date certainty: dates set per hearing held (mean)"),
    ("postponements", "Postponements in the period"),
    ("median_slip_days", "Slip of postponed hearings, median (days)"),
    ("requests_waiting_median_days", "Extradition and MLA requests waiting, median (days)"),
    ("authority_overdue", "Authority deadlines overdue at the period's end"),
)


@bp.get("/reports/delays")
def delays():
    """The delay statistics of a period, per country and/or kind; `?format=csv` downloads."""
    sent = request.args.to_dict()
    wanted = sent.pop("format", "html")
    try:
        if wanted not in FORMATS:
            raise errors.Invalid(f"format: {wanted!r} is not one of html, csv", field="format")
        query = DelaysQuery.read(sent)
    except errors.Invalid as exc:
        return render_template(
            "reports/delays.html", error=exc.message, sent=sent, group_bys=GroupBy
        ), 422
    sent |= {"from": query.from_.isoformat(), "to": query.to.isoformat()}  # the defaults shown
    report = queries.delays(web.session(), pages.actor(), query)
    if wanted == "csv":
        return _csv(report.answer)
    return render_template(
        "reports/delays.html",
        error=None,
        sent=sent,
        group_bys=GroupBy,
        report=report.answer,
        label=_label,
        charts=_charts(report),
        csv_url=url_for("reports.delays", **(sent | {"format": "csv"})),
    )


def _label(item: DelayStats) -> str:
    parts = [part for part in (item.jurisdiction, item.kind) if part]
    return " · ".join(part.replace("_", " ") for part in parts) or "all"


def _value(item: DelayStats, name: str) -> Any:
    if name == "hearing_dates_mean":
        return item.hearing_date_certainty.mean
    return getattr(item, name)


def _charts(report: queries.Report) -> dict[str, Any]:
    items = report.answer.items
    measures = [
        (
            heading,
            charts.bars(
                f"chart-{name.replace('_', '-')}",
                heading,
                [(_label(item), _value(item, name)) for item in items],
            ),
        )
        for name, heading in MEASURES
    ]
    years = sorted({year for counts in report.per_year.values() for year in counts})
    span = list(range(years[0], years[-1] + 1)) if years else [report.answer.from_.year]
    groups = [
        (_label(item), report.per_year.get((item.jurisdiction, item.kind), {})) for item in items
    ]
    small = charts.per_year(
        "chart-postponements-per-year", "Postponements per year, per group", groups, span
    )
    return {"measures": measures, "per_year": small}


def _csv(answer: Any) -> Response:
    name = f"delays-{answer.from_.isoformat()}-{answer.to.isoformat()}.csv"
    return Response(
        spreadsheet.text(queries.COLUMNS, queries.table(answer)),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
