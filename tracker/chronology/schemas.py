"""What a chronology export takes: the format, which proceedings, a date range, privacy.

Read from the API's query string, the dossier page's form and the command line alike.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Annotated, Any

import pydantic

from tracker.core import limits
from tracker.core.commands import Allowed, Day, Id, Query, refuse


class Format(enum.StrEnum):
    docx = "docx"
    pdf = "pdf"
    md = "md"
    csv = "csv"


class Privacy(enum.StrEnum):
    full = "full"
    #: people's names replaced by initials (references kept)
    pseudonymised = "pseudonymised"


#: what each format is sent as: (media type, file extension)
MEDIA = {
    Format.docx: (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "docx",
    ),
    Format.pdf: ("application/pdf", "pdf"),
    Format.md: ("text/markdown; charset=utf-8", "md"),
    Format.csv: ("text/csv; charset=utf-8", "csv"),
}


class ChronologyQuery(Query):
    """`GET /api/v1/matters/{id}/chronology`: the matter's chronology as a document."""

    format: Annotated[Format, Allowed()] = pydantic.Field(
        Format.docx, description="docx, pdf (needs Pango on the server), md or csv"
    )
    proceedings: list[Id] | None = pydantic.Field(
        None,
        max_length=limits.CHRONOLOGY_PROCEEDINGS,
        description="only these proceedings of the matter, ids separated by commas (default: all)",
        examples=["1,2"],
    )
    from_: Day | None = pydantic.Field(
        None, alias="from", description="leave out what happened before this day"
    )
    to: Day | None = pydantic.Field(None, description="leave out what happened after this day")
    privacy: Annotated[Privacy, Allowed()] = pydantic.Field(
        Privacy.full, description="full, or pseudonymised: people's names as initials"
    )

    model_config = pydantic.ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @pydantic.field_validator("proceedings", mode="before")
    @classmethod
    def _ids(cls, value: Any) -> Any:
        """`1,2`, or the parameter sent once per id: one list of ids."""
        sent = [value] if isinstance(value, str) else value
        if not isinstance(sent, list | tuple):
            return value
        found: list[Any] = []
        for one in sent:
            if isinstance(one, str):
                found += [part.strip() for part in one.split(",") if part.strip()]
            else:
                found.append(one)
        return found or None

    @pydantic.field_validator("to")
    @classmethod
    def _after_from(cls, value: dt.date | None, info: pydantic.ValidationInfo) -> dt.date | None:
        start = info.data.get("from_")
        if value is not None and start is not None and value < start:
            raise refuse(f"to ({value}) is before from ({start})")
        return value
