"""The outbox page: queued, sent and failed mail."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for

from tracker import web
from tracker.core import clock, errors
from tracker.notifications import deliveries, outbox
from tracker.notifications.forms import OutboxFilters, ResendForm
from tracker.notifications.models import Notification, NotificationStatus
from tracker.users import access
from tracker.web import display, pages

bp = pages.blueprint("outbox", __name__)

BLUEPRINTS = (bp,)


@bp.before_request
def _readers_only() -> None:
    """Who may read the outbox; resending is refused by `outbox.resend` itself."""
    access.require_role(pages.actor(), *access.OUTBOX_READERS, doing="see the outbox")


@bp.get("/outbox")
def index():
    """List the mail, newest first, filtered by status, recipient, subject and day queued."""
    filters = OutboxFilters(request.args)
    filters.validate()
    zone = display.reader_zone()
    found = outbox.page(
        web.session(),
        status=filters.status_value(),
        recipient=filters.value("recipient"),
        subject=filters.value("subject"),
        created_from=filters.instant("created_from", zone),
        created_before=filters.instant("created_to", zone, next_day=True),
        before=filters.value("before"),
    )
    return render_template(
        "outbox/index.html",
        filters=filters,
        found=found,
        older=_older_url(found.next_before) if found.next_before else None,
        newest=url_for("outbox.index", **_args_without("before")),
        here=request.full_path.rstrip("?"),
    )


@bp.get("/outbox/<int:notification_id>")
def show(notification_id: int):
    """Show one mail, with its text, its errors and a resend form if it failed."""
    mail = _get(notification_id)
    return _mail_page(mail, ResendForm(formdata=None))


@bp.post("/outbox/<int:notification_id>/resend")
def resend(notification_id: int):
    """Queue a failed mail again (one whose delivery is unknown only once checked)."""
    mail = _get(notification_id)
    form = ResendForm()
    if mail.status is NotificationStatus.unknown and not form.checked.data:
        form.checked.errors = [
            "This mail may have been delivered: check with the provider first, "
            "or the recipient may get it twice."
        ]
        return _mail_page(mail, form, status=422)
    saved = pages.submit(
        form,
        lambda: outbox.resend(web.session(), mail.id, clock.now(), actor=pages.actor()),
    )
    if saved is None:
        mail = _get(notification_id)
        return _mail_page(mail, form, status=409 if form.form_errors else 422)
    flash(f"Mail {notification_id} to {saved.to_address} is queued again.")
    return redirect(pages.safe_next(request.args.get("next"), url_for("outbox.index")))


def _get(notification_id: int) -> Notification:
    mail = web.session().get(Notification, notification_id)
    if mail is None:
        raise errors.NotFound(f"there is no mail {notification_id} in the outbox")
    return mail


def _mail_page(mail: Notification, form: ResendForm, status: int = 200):
    events = deliveries.of_mail(web.session(), mail.id)
    return render_template("outbox/mail.html", mail=mail, form=form, events=events), status


def _args_without(*names: str) -> dict[str, Any]:
    return {k: v for k, v in request.args.items() if k not in names}


def _older_url(before: int) -> str:
    return url_for("outbox.index", **_args_without("before"), before=before)
