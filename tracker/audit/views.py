"""The audit log page, and the page of its hash chain.

Admins and coordinators read the log. Staff do not: the log spans every user's account
changes (roles, sign-ins, tokens, feeds) as well as every matter, which is
administration; lawyers do not either (other matters). Admins alone check the chain.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import sqlalchemy as sa
from flask import render_template, request, url_for

from tracker import web
from tracker.audit import chain, operations
from tracker.audit.forms import AuditFilters
from tracker.models import Base
from tracker.users import access
from tracker.users.models import User
from tracker.web import display, pages

bp = pages.blueprint("audit", __name__)

BLUEPRINTS = (bp,)

#: the pages of the records that have one
PAGES = {
    "matters": "/matters/{}",
    "proceedings": "/proceedings/{}",
    "hearings": "/hearings/{}",
    "deadlines": "/deadlines/{}",
    "delay_flags": "/flags/{}",
    "notifications": "/outbox/{}",
}

#: names of records whose table name does not just lose its "s"
SINGULAR = {
    "authorities": "Authority",
    "notifications": "Mail",
    "matter_assignees": "Assignment",
    "api_tokens": "API token",
    "user_sessions": "Session",
}

#: bookkeeping that every record has: left out of the change shown
HIDDEN = frozenset({"id", "version", "created_at", "updated_at"})

EMPTY = "—"


@bp.before_request
def _readers_only() -> None:
    access.require_role(pages.actor(), *access.AUDIT_READERS, doing="read the audit log")


@bp.get("/audit")
def index():
    """List the audit log, newest first, filtered by matter, user, kind of record, action."""
    session = web.session()
    users = session.execute(sa.select(User.id, User.email, User.name).order_by(User.email)).all()
    entities = sorted(table.name for table in Base.metadata.sorted_tables)
    filters = AuditFilters(request.args, users, entities)
    filters.validate()
    found = operations.entries(
        session,
        matter=filters.value("matter"),
        actor_id=filters.actor_value(),
        entity=filters.value("entity"),
        action=filters.value("action"),
        before=filters.value("before"),
    )
    return render_template(
        "audit/index.html",
        filters=filters,
        found=found,
        older=_url(before=found.next_before) if found.next_before else None,
        newest=_url(before=None),
        page_of=page_of,
        record_name=record_name,
        changes=changes,
        checks_chain=access.has_role(pages.actor(), *access.ADMINS),
    )


@bp.get("/audit/chain")
def chain_state():
    """The chain's head as last written. Walking the chain takes seconds per 100,000
    entries: it is a button, not part of loading the page."""
    _chain_checkers_only()
    return _chain_page(None)


@bp.post("/audit/chain")
def walk_chain():
    """Walk the chain from its start now, and show what was found."""
    _chain_checkers_only()
    return _chain_page(operations.verify(web.session()))


def _chain_checkers_only() -> None:
    access.require_role(pages.actor(), *access.ADMINS, doing="check the audit log's chain")


def _chain_page(report: chain.Report | None):
    return render_template(
        "audit/chain.html",
        head=operations.head(web.session()),
        report=report,
        entry_url=_entry_url,
    )


def _entry_url(entry_id: int) -> str:
    """The audit page with this entry at its top."""
    return url_for("audit.index", before=entry_id + 1, _anchor=f"entry-{entry_id}")


def page_of(entity: str, entity_id: int | None) -> str | None:
    """The path of a record's page, if it has one (an attempt may name no record)."""
    pattern = PAGES.get(entity)
    return pattern.format(entity_id) if pattern and entity_id is not None else None


def record_name(entity: str) -> str:
    """What one row of a table is called: proceedings -> Proceeding."""
    return SINGULAR.get(entity) or display.words(entity).removesuffix("s")


def changes(
    before: dict[str, Any] | None, after: dict[str, Any] | None
) -> list[tuple[str, str | None, str | None]]:
    """(field, old, new) for each field an entry names; old is None for a new record."""
    before, after = before or {}, after or {}
    names = [*after, *(name for name in before if name not in after)]
    names = [name for name in names if name not in HIDDEN]
    return [
        (
            display.words(name),
            readable(before.get(name)) if before else None,
            readable(after.get(name)) if name in after else None,
        )
        for name in names
    ]


def readable(value: Any) -> str:
    """A stored JSON value as a person reads it: times in the reader's zone, lists joined."""
    if value is None or value == "":
        return EMPTY
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(readable(item) for item in value) or EMPTY
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    if isinstance(value, str):
        return _moment(value) or value
    return str(value)


def _moment(text: str) -> str | None:
    """An ISO date or instant as the display filters write it; None if it is not one."""
    if not 10 <= len(text) <= 32 or not text[:4].isdigit() or text[4:5] != "-":
        return None
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    if len(text) == 10:
        return display.day(value.date())
    if value.tzinfo is None:
        return None
    return display.for_reader(value)


def _url(**changed: Any) -> str:
    args: dict[str, Any] = {k: v for k, v in request.args.items() if k not in changed}
    args.update({k: v for k, v in changed.items() if v is not None})
    return url_for("audit.index", **args)
