"""The dossier page's export: the chronology form's download (`/matters/<id>/chronology`)."""

from __future__ import annotations

from typing import Any

import pydantic
from flask import Response, request

from tracker import web
from tracker.chronology import operations
from tracker.chronology.html_writer import PANGO
from tracker.chronology.schemas import ChronologyQuery
from tracker.core import clock, commands
from tracker.web import pages

bp = pages.blueprint("chronology", __name__)

BLUEPRINTS = (bp,)


@bp.get("/matters/<int:matter_id>/chronology")
def download(matter_id: int) -> Response:
    """The chronology as the form asked; a field left empty is not a filter."""
    values: dict[str, Any] = {}
    for name in request.args:
        sent = [value for value in request.args.getlist(name) if value.strip()]
        if sent:
            values[name] = sent if name == "proceedings" else sent[0]
    try:
        options = ChronologyQuery.model_validate(values)
    except pydantic.ValidationError as exc:
        raise commands.refusal(exc) from None
    found = operations.export(web.session(), pages.actor(), matter_id, options, clock.today())
    response = Response(found.body, 200, content_type=found.media_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{found.filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.app_context_processor
def _export_form() -> dict[str, Any]:
    """What the dossier page's export form offers; whether a PDF can be made is asked
    only when the form is drawn."""
    return {"chronology_pdf_missing": lambda: None if operations.pdf_available() else PANGO}
