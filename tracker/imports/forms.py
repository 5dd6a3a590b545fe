"""The import page's form: the files, and whether to check them only."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileRequired
from wtforms import BooleanField, MultipleFileField


class ImportForm(FlaskForm):
    files = MultipleFileField(
        "Files",
        validators=[FileRequired("choose the files to import")],
        render_kw={"accept": ".csv,.xlsx"},
    )
    dry_run = BooleanField("Check only: report what would be written, write nothing")
