"""The delay flags page: filter and acknowledge."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for

from tracker import web
from tracker.core import clock
from tracker.delays import operations, rescan
from tracker.delays.forms import AcknowledgeForm, FlagFilters
from tracker.jurisdictions.models import Jurisdiction
from tracker.matters.models import Proceeding
from tracker.users.models import User
from tracker.web import pages

bp = pages.blueprint("flags", __name__)

BLUEPRINTS = (bp,)


@bp.before_app_request
def _rescan_on_commit() -> None:
    """A write (page or API) re-scans the proceedings it touched as it commits: the flags
    pages and the dashboard never wait for the hourly scan."""
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        rescan.watch(web.session(), web.settings().delays)


@bp.get("/flags")
def index():
    """List the open delay flags, filtered by rule, country and acknowledgement."""
    session = web.session()
    countries = session.execute(
        sa.select(Jurisdiction.code, Jurisdiction.name).order_by(Jurisdiction.code)
    ).all()
    filters = FlagFilters(request.args, countries)
    filters.validate()
    found = operations.open_flags(
        session,
        pages.actor(),
        rule=filters.value("rule"),
        country=filters.value("country"),
        acknowledged=filters.acknowledged_value,
        page=filters.page_value,
    )
    return render_template(
        "flags/index.html",
        filters=filters,
        found=found,
        here=request.full_path.rstrip("?"),
        page_url=_page_url,
    )


@bp.get("/flags/<int:flag_id>")
def show(flag_id: int):
    """Show one flag, with its acknowledgement or the form to acknowledge it."""
    flag = operations.get_flag(web.session(), pages.actor(), flag_id)
    form = AcknowledgeForm(formdata=None, version=flag.version, next=request.args.get("next"))
    return _flag_page(flag, form)


@bp.post("/flags/<int:flag_id>/acknowledge")
def acknowledge(flag_id: int):
    """Acknowledge an open flag with a note."""
    session, me = web.session(), pages.actor()
    flag = operations.get_flag(session, me, flag_id)
    form = AcknowledgeForm()
    saved = pages.submit(
        form,
        lambda: operations.acknowledge(session, me, clock.now(), flag, form.command()),
    )
    if saved is not None:
        flash("The flag is acknowledged.")
        return redirect(pages.safe_next(form.next.data, url_for("flags.index")))
    # show the flag as it is now, never the copy the form was made from
    flag = operations.get_flag(session, me, flag_id)
    conflict = bool(form.version.errors) or bool(form.form_errors)
    if conflict:
        form.version.data = flag.version  # a second try saves over what they have now seen
    return _flag_page(flag, form, status=409 if conflict else pages.form_status(form))


def _flag_page(flag, form: AcknowledgeForm, status: int = 200):
    session = web.session()
    proceeding = session.get(Proceeding, flag.proceeding_id)
    by = session.get(User, flag.acknowledged_by_id) if flag.acknowledged_by_id else None
    return render_template(
        "flags/flag.html",
        flag=flag,
        proceeding=proceeding,
        acknowledged_by=by,
        form=form,
        back=pages.safe_next(form.next.data, url_for("flags.index")),
    ), status


def _page_url(page: int) -> str:
    args: dict[str, Any] = request.args.to_dict()
    args["page"] = page
    return url_for("flags.index", **args)
