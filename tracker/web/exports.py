"""Tables handed out from a list page: a CSV download, streamed as it is read.

The rows come from one statement read a batch at a time (`hearings.lists.every_row`),
while the response is written: by then the request's session is closed (its teardown
has run), so the body reads from a session of its own, closed after the last line or
when the client goes away.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator

import sqlalchemy.orm as so
from flask import Response

from tracker import web


def download(lines_of: Callable[[so.Session], Iterator[str]], name: str) -> Response:
    """A CSV file to save (not to show), written line by line as `lines_of` reads it."""
    database = web.database()

    def lines() -> Iterator[str]:
        with database.sessionmaker() as session:
            yield from lines_of(session)

    return Response(
        lines(),
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
