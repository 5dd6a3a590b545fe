"""The chronology as a document: what every writer (DOCX, HTML/PDF, Markdown, CSV) reads.

Pure values: no database, no web. The builder (`queries.build`) fills them in, with
names already pseudonymised when asked; writers only lay them out.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from tracker.core.dates import FULL_MONTHS, Precision


@dataclass(frozen=True)
class Note:
    """A numbered source (an endnote): a citation, or a link kept as a link."""

    number: int
    text: str
    #: the address when the source is a link (http or https)
    url: str | None = None


@dataclass(frozen=True)
class Item:
    """One dated line of a proceeding: a hearing, a postponement, an event, a decision."""

    #: first day of the period the date stands for (sorting, the date range)
    date: dt.date
    precision: Precision
    #: hearing, postponement, event or decision
    type: str
    text: str
    #: the number of its source note, if it has one
    note: int | None = None

    @property
    def written(self) -> str:
        """The date as precisely as it is known: "15 April 2024", "November 2016", "2016"."""
        return in_words(self.date, self.precision)


@dataclass(frozen=True)
class Section:
    """One proceeding: who, where, since when; its links, dated items and delays."""

    proceeding_id: int
    #: the proceeding's title, and "Country: title"
    title: str
    heading: str
    country: str
    authority: str
    reference: str
    role: str
    #: the kind of proceeding in words: "Extradition request"
    kind: str
    #: "opened November 2016 – pending", "opened 2016 – closed 3 March 2021"
    period: str
    #: the cross-border links in words ("requested by Kazakhstan in connection with …")
    links: tuple[str, ...]
    items: tuple[Item, ...]
    #: the delays paragraph; empty when there is nothing to say
    delays: str


@dataclass(frozen=True)
class Chronology:
    title: str
    client: str
    #: the period covered, in words
    period: str
    #: the day the document was made
    made_on: dt.date
    pseudonymised: bool
    sections: tuple[Section, ...]
    notes: tuple[Note, ...]

    @property
    def subtitle(self) -> str:
        return f"Chronology of proceedings, {self.period}"


def in_words(value: dt.date, precision: Precision | str = Precision.day) -> str:
    """A date in words, only as precisely as it is known (English names, no locale)."""
    precision = Precision(precision)
    if precision is Precision.year:
        return str(value.year)
    month = FULL_MONTHS[value.month - 1]
    if precision is Precision.month:
        return f"{month} {value.year}"
    return f"{value.day} {month} {value.year}"


def period_end(value: dt.date, precision: Precision | str) -> dt.date:
    """The last day of the period a date known to the month or year stands for."""
    precision = Precision(precision)
    if precision is Precision.year:
        return dt.date(value.year, 12, 31)
    if precision is Precision.month:
        following = dt.date(value.year + value.month // 12, value.month % 12 + 1, 1)
        return following - dt.timedelta(days=1)
    return value


#: what XML 1.0 cannot hold at all (control characters but tab and line breaks, lone
#: surrogates, U+FFFE/F): the records may hold them (only NUL is refused), a file may not
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(text: str) -> str:
    """`text` without the characters XML cannot carry (invisible in any case)."""
    return _NOT_XML.sub("", text) if not text.isprintable() else text
