"""Tables handed out from a list page: a CSV download, streamed as it is read.

The rows come from one statement read a batch at a time (`hearings.lists.every_row`);
the request's context stays open while the response is written, so that the session
the rows are read from is still there, and is closed after the last line.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from flask import Response, stream_with_context


def download(lines: Iterator[str], name: str) -> Response:
    """A CSV file to save (not to show), written line by line."""
    return Response(
        stream_with_context(lines),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def filename(
    what: str, first: dt.date | None, last: dt.date | None, kind: str, today: dt.date
) -> str:
    """hearings-2026-12-07-to-2026-12-13.csv; without a range of days, what the list is
    of and when it was taken (deadlines-overdue-2026-12-05.csv)."""
    if first is not None and last is not None:
        return f"{what}-{first.isoformat()}-to-{last.isoformat()}.csv"
    if first is not None:
        return f"{what}-from-{first.isoformat()}.csv"
    if last is not None:
        return f"{what}-to-{last.isoformat()}.csv"
    return f"{what}-{kind}-{today.isoformat()}.csv"
