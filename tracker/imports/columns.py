"""The column sets of an import: one sheet (or CSV file) per kind of record.

Pure data: the reader checks headers against it, the template and the README are
written from it. Kinds are listed in the order an import writes them, each after the
records it names.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    name: str
    meaning: str
    example: str = ""
    required: bool = False


#: how a row names its proceeding: the key a proceeding is found by
_PROCEEDING = (
    Column("jurisdiction", "the proceeding's jurisdiction (its code)", "UA", required=True),
    Column("reference", "the proceeding's reference (case number)", "170000131000012", True),
)

SHEETS: dict[str, tuple[Column, ...]] = {
    "matters": (
        Column(
            "number",
            "your number for the dossier: the key a later import finds it by",
            "2019-014",
            required=True,
        ),
        Column("title", "the dossier's title", "Extradition of A. Doe", required=True),
        Column("subject", "the client", "Anna Doe"),
        Column("summary", "what the dossier is about"),
        Column("assignees", "users working on it: their emails, separated by ;", "lawyer@ngo.org"),
    ),
    "proceedings": (
        Column(
            "matter",
            "the number of its matter (in this file or already imported)",
            "2019-014",
            True,
        ),
        *_PROCEEDING,
        Column(
            "kind",
            "criminal_case, trial, appeal, extradition_request…",
            "extradition_request",
            True,
        ),
        Column("title", "what the proceeding is", "Extradition request", required=True),
        Column("client_role", "accused, requested_person, victim…", "requested_person", True),
        Column("authority", "the court or office (created on first mention)", "Prosecutor General"),
        Column("status", "pending (default), suspended, decided, closed, withdrawn", "pending"),
        Column("opened_on", "when it opened: YYYY, YYYY-MM or YYYY-MM-DD", "2016-11"),
        Column("closed_on", "when it ended (required unless pending or suspended)"),
        Column(
            "parent_reference", "the proceeding of the same matter this one appeals or continues"
        ),
        Column("parent_jurisdiction", "the parent's jurisdiction, if not this row's"),
        Column(
            "origin_reference", "the proceeding (any matter) this one is based on or requested by"
        ),
        Column("origin_jurisdiction", "the origin's jurisdiction, if not this row's", "KZ"),
    ),
    "events": (
        *_PROCEEDING,
        Column(
            "kind", "a word: request_received, judgment, arrest, filing…", "request_received", True
        ),
        Column("occurred_on", "YYYY, YYYY-MM or YYYY-MM-DD", "2016-11-05", required=True),
        Column("summary", "what happened"),
        Column("source", "where it is documented (a link or a citation)"),
    ),
    "deadlines": (
        *_PROCEEDING,
        Column("title", "what must be done (by hand: with due_on)", "File the appeal"),
        Column("due_on", "YYYY-MM-DD (by hand)", "2024-05-02"),
        Column("explanation", "why that day (by hand)"),
        Column("owed_by", "client or authority (by hand; default client)"),
        Column("rule", "a deadline rule's code: the tracker computes the day", "ua-appeal"),
        Column("trigger_kind", "the kind of the event the rule counts from", "judgment"),
        Column("trigger_on", "that event's date", "2024-04-22"),
        Column("status", "open (default), done or waived", "open"),
    ),
    "hearings": (
        *_PROCEEDING,
        Column(
            "first_starts_at",
            "when the hearing was first set for, on the court's clock: with the proceeding, "
            "its key (YYYY-MM-DDTHH:MM, or YYYY-MM-DD when the time is not known)",
            "2024-04-15T10:00",
            required=True,
        ),
        Column(
            "starts_at",
            "the date this row sets: the hearing's first row repeats first_starts_at, each "
            "further row is a postponement to this date (empty: sine die)",
            "2024-04-15T10:00",
        ),
        Column("timezone", "the court's zone (default: the jurisdiction's)", "Europe/Kyiv"),
        Column("location", "court and room"),
        Column("title", "what the hearing is (default: Hearing)"),
        Column("reason", "why it was moved to this date (postponement rows)"),
        Column("decided_on", "when the move was decided (postponement rows)"),
        Column("outcome", "held, adjourned, decided or cancelled (one row of the hearing)"),
        Column("outcome_summary", "what happened"),
    ),
}

KINDS = tuple(SHEETS)


def kind_named(name: str) -> str | None:
    """The kind a file or sheet name names ("Proceedings 2019.csv" → proceedings)."""
    folded = name.casefold()
    return next((kind for kind in KINDS if kind in folded), None)
