"""CSV as a spreadsheet opens it: one writer for every table the tracker hands out.

A cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return is a formula to
Excel and LibreOffice (OWASP "CSV injection"): a summary typed by anyone could run
when a coordinator opens the file. Such a cell is written with a leading apostrophe,
which the spreadsheet shows as text. Numbers and dates are written as themselves.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

#: the first characters that make a cell a formula
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(value: Any) -> str:
    """One value as the text of a cell: None is empty, dates are ISO, text is defused."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float | dt.date):
        return value.isoformat() if isinstance(value, dt.date) else str(value)
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def lines(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterator[str]:
    """The header then each row, one CSV line at a time (CRLF, as RFC 4180 says)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for values in itertools.chain([header], ([cell(v) for v in row] for row in rows)):
        writer.writerow(values)
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()


def text(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """The whole CSV at once."""
    return "".join(lines(header, rows))
