"""RFC 5545 content lines, written by hand: escaping, folding, dates and offsets.

Pure functions with no database and no Flask. A feed of thousands of events is
written here as plain strings (icalendar's object model is ten times slower), so
each function takes care of one rule of the RFC and the tests check the result
with two independent parsers.
"""

from __future__ import annotations

import datetime as dt
import re

CRLF = "\r\n"

#: RFC 5545 §3.1: a line SHOULD NOT be longer than 75 octets, excluding the line break
LINE_OCTETS = 75

#: TEXT may hold no control characters but HTAB (§3.3.11); CR is dropped, LF is escaped
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def text(value: str) -> str:
    """Escape a TEXT value: backslash, semicolon, comma and newline (§3.3.11)."""
    if not value.isprintable():  # line breaks, tabs or control characters
        value = value.replace("\r\n", "\n").replace("\r", "\n")
        if _CONTROL.search(value):
            value = _CONTROL.sub("", value)
    # str.replace four times is several times faster than str.translate here
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return value.replace("\n", "\\n")


def fold(line: str) -> str:
    """Fold one content line at 75 octets, never inside a UTF-8 sequence (§3.1)."""
    if len(line) <= LINE_OCTETS and (line.isascii() or len(line.encode()) <= LINE_OCTETS):
        return line
    return _fold(line.encode()).decode()


def _fold(line: bytes) -> bytes:
    parts: list[bytes] = []
    start, limit = 0, LINE_OCTETS
    while len(line) - start > limit:
        end = start + limit
        while line[end] & 0xC0 == 0x80:  # a continuation byte: cut before its lead byte
            end -= 1
        parts.append(line[start:end])
        start, limit = end, LINE_OCTETS - 1  # the leading space counts
    parts.append(line[start:])
    return b"\r\n ".join(parts)


def prop(name: str, value: str, params: str = "") -> str:
    """One content line, not folded yet (`join` folds); `value` is in iCalendar form."""
    return f"{name}{params}:{value}"


def param(value: str) -> str:
    """A parameter value, always quoted (§3.2): a name may hold `,` `;` or `:`. A quoted
    value cannot hold DQUOTE or control characters, so those become `'` and nothing."""
    return (
        '"' + _CONTROL.sub("", value.replace("\r", "").replace("\n", " ")).replace('"', "'") + '"'
    )


def text_prop(name: str, value: str) -> str:
    return f"{name}:{text(value)}"


def utc(instant: dt.datetime) -> str:
    """A DATE-TIME in UTC form: 20261201T080000Z (f-strings: strftime is slow)."""
    if instant.utcoffset():
        instant = instant.astimezone(dt.UTC)
    return (
        f"{instant.year:04d}{instant.month:02d}{instant.day:02d}"
        f"T{instant.hour:02d}{instant.minute:02d}{instant.second:02d}Z"
    )


def local(wall: dt.datetime) -> str:
    """A DATE-TIME in local form (no zone): 20261201T090000."""
    return (
        f"{wall.year:04d}{wall.month:02d}{wall.day:02d}"
        f"T{wall.hour:02d}{wall.minute:02d}{wall.second:02d}"
    )


def date(day: dt.date) -> str:
    return f"{day.year:04d}{day.month:02d}{day.day:02d}"


def offset(delta: dt.timedelta) -> str:
    """A UTC-OFFSET: +0100, -0500, +053730 when the offset has seconds."""
    seconds = int(delta.total_seconds())
    sign = "-" if seconds < 0 else "+"
    hours, rest = divmod(abs(seconds), 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{sign}{hours:02d}{minutes:02d}" + (f"{seconds:02d}" if seconds else "")


def join(lines: list[str]) -> bytes:
    """The calendar's bytes: UTF-8, CRLF after every line, long lines folded.

    Folding once, over the whole text, is what keeps a large feed fast: a Python
    call per line would cost more than writing the line.
    """
    data = (CRLF.join(lines) + CRLF).encode()
    rows = data.split(b"\r\n")
    return b"\r\n".join(row if len(row) <= LINE_OCTETS else _fold(row) for row in rows)
