"""The import page (coordinators and admins): upload spreadsheets, read the report."""

from __future__ import annotations

from flask import Response, render_template

from tracker import web
from tracker.core import clock, errors, limits
from tracker.imports import operations
from tracker.imports.columns import SHEETS
from tracker.imports.forms import ImportForm
from tracker.imports.sheets import Upload
from tracker.imports.template import workbook
from tracker.web import pages

bp = pages.blueprint("imports", __name__)

BLUEPRINTS = (bp,)
#: the body an upload may send: the files and the form around them
UPLOAD_BYTES = limits.IMPORT_BYTES + 64 * 1024


@bp.before_request
def _importers_only() -> None:
    pages.require(*operations.IMPORTERS, doing="import records")


@bp.get("/import")
def index():
    return _page(ImportForm())


@bp.post("/import")
def upload():
    """Check the files and write them if every row is valid (unless only checking)."""
    form = ImportForm()
    if not form.validate_on_submit():
        return _page(form), 422
    uploads = [
        Upload(f.filename or "upload", f.read(limits.IMPORT_BYTES + 1)) for f in form.files.data
    ]
    session = web.session()
    try:
        batch = operations.read(uploads)
        report = operations.run(
            session, pages.actor(), clock.now(), batch, dry_run=form.dry_run.data
        )
    except errors.Invalid as exc:  # a file that cannot be read: nothing was looked at
        form.files.errors = [exc.message]
        return _page(form), 422
    session.commit()
    return _page(form, report), 200 if report.valid else 422


@bp.get("/import/template.xlsx")
def template() -> Response:
    response = Response(
        workbook(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response.headers["Content-Disposition"] = 'attachment; filename="tracker-import.xlsx"'
    return response


def _page(form: ImportForm, report: operations.Report | None = None) -> str:
    return render_template(
        "imports/index.html",
        form=form,
        report=report,
        sheets=SHEETS,
        file_limit=limits.IMPORT_BYTES,
    )
