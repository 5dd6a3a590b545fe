"""JSON API: a matter's chronology as a document (DOCX, PDF, Markdown or CSV)."""

from __future__ import annotations

from flask import Response

from tracker import web
from tracker.chronology import operations
from tracker.chronology.schemas import MEDIA, ChronologyQuery
from tracker.core import clock
from tracker.web import api

bp = api.blueprint("chronology_api")


@bp.get("/matters/<int:matter_id>/chronology")
@api.answers_file(
    api.FileAnswer(
        "The chronology as a file (an attachment), in the format asked",
        tuple(media for media, _extension in MEDIA.values()),
        unavailable="A PDF was asked and the server lacks Pango (the message says what to install)",
    )
)
def matter_chronology(matter_id: int, query: ChronologyQuery) -> Response:
    """The matter's chronology as a file to paste into a letter: one section per
    proceeding in order of opening, dated items, delays, sources as numbered notes.
    `format` docx, pdf, md or csv; `proceedings` (ids, comma-separated), `from`/`to`
    (a date range) and `privacy` (`pseudonymised`: people's names as initials) choose
    what it holds. A PDF needs Pango on the server: without it, 503 saying what to install."""
    found = operations.export(web.session(), api.actor(), matter_id, query, clock.today())
    return attachment(found)


def attachment(found: operations.Export) -> Response:
    response = Response(found.body, 200, content_type=found.media_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{found.filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response
