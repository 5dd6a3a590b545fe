"""The pages' toolkit: a blueprint whose pages need a signed-in user, the signed-in actor,
forms submitted in one unit of work, and the error pages.

Each domain package has its own `views.py` with its pages and `forms.py`; the registry
(`tracker.web.registry`) wires them in.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable
from typing import Any, ClassVar
from urllib.parse import urlsplit

from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import LoginManager, current_user
from flask_wtf import FlaskForm
from flask_wtf.csrf import CSRFError, CSRFProtect
from wtforms import Form, SelectField, StringField, ValidationError
from wtforms.fields.choices import SelectChoice as C
from wtforms.validators import DataRequired, Length

from tracker import web
from tracker.core import dates, errors
from tracker.core.commands import Command, text_limit
from tracker.core.limits import MAX_ID

login_manager = LoginManager()
csrf = CSRFProtect()


def blueprint(name: str, import_name: str, **options: Any) -> Blueprint:
    """A blueprint of pages that all need a signed-in user."""
    bp = Blueprint(name, import_name, **options)
    bp.before_request(_require_login)
    bp.before_request(_check_ids)
    return bp


def _require_login():
    if not current_user.is_authenticated:
        return redirect(url_for("users.login", next=request.full_path.rstrip("?")))
    return None


def _check_ids() -> None:
    for value in (request.view_args or {}).values():
        if isinstance(value, int) and value > MAX_ID:
            raise errors.NotFound(f"there is no record with id {value}")


def actor() -> Any:
    """The signed-in user, who is the actor of every change made from a page."""
    return current_user.user


def require(*roles: Any, doing: str) -> None:
    """403 unless the signed-in user has one of these roles."""
    if actor().role not in roles:
        raise errors.Forbidden(f"your role ({actor().role}) may not {doing}")


def safe_next(target: str | None, default: str = "/") -> str:
    """A local path to go to after signing in; anything else goes to `default`."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    return target


def form_lives_on(bp: Blueprint, rule: str, page: str, *, keep: bool = True) -> None:
    """Answer a GET of a form's POST-only address (typed, bookmarked, or a page reloaded
    after a refused form) with a redirect to the page where that form is, instead of 405.
    The page's endpoint takes the address's own arguments (unless `keep` is false)."""
    name = "get_" + "".join(c if c.isalnum() else "_" for c in rule.strip("/"))

    def to_the_form(**args: Any):
        return redirect(url_for(page, **(args if keep else {})))

    bp.add_url_rule(rule, name, to_the_form, methods=["GET"])


# --- forms ----------------------------------------------------------------------------


class CommandForm(FlaskForm):
    """A form that a page turns into a typed command (`tracker.core.commands`).

    The command checks the values (one length limit, one date range, one message per
    rule); a refusal naming a command field is shown beside the form field that holds
    it: the same name, or the one `renamed` gives.
    """

    #: command field -> form field, where the form calls it otherwise
    renamed: ClassVar[dict[str, str]] = {}

    def field_for(self, name: str) -> str:
        return self.renamed.get(name, name)


def checks(command: type[Command], name: str) -> list[Any]:
    """A form field's validators for a command's text field: required and the length,
    read from the command (where they are declared once), said in the form's words."""
    limit = text_limit(command, name)
    required = [DataRequired()] if limit.required else []
    return [*required, Length(max=limit.max_length)]


def refused(form: FlaskForm, exc: errors.TrackerError) -> None:
    """Show an operation's refusal next to the field it names, or above the form."""
    if exc.status == 429:
        form.too_many_attempts = True  # answered 429 (`form_status`)
    name = (exc.field or "").split(".")[0]
    if isinstance(form, CommandForm):
        name = form.field_for(name)
    field = getattr(form, name, None) if name else None
    if field is not None and hasattr(field, "errors"):
        field.errors = (
            [*field.errors, exc.message] if isinstance(field.errors, list) else [exc.message]
        )
    else:
        form.form_errors.append(exc.message)


def submit(form: FlaskForm, save: Callable[[], Any]) -> Any:
    """Validate `form` and run `save` in the request's unit of work.

    Returns what `save` returned, committed; or None when the form is invalid or the
    operation refused it, with the errors on the form and nothing written. An operation
    that refuses the actor (403) is answered with the error page.
    """
    if not form.validate_on_submit():
        return None
    session = web.session()
    try:
        result = save()
        session.flush()
    except errors.Forbidden:
        session.rollback()
        raise  # a refusal of the actor, not of what the form says: the 403 page
    except errors.TrackerError as exc:
        session.rollback()
        refused(form, exc)
        return None
    session.commit()
    return result


def form_status(form: FlaskForm) -> int:
    """200 for a form shown afresh, 422 for one sent back with errors (429 for a guess
    refused by a rate limit)."""
    if getattr(form, "too_many_attempts", False):
        return 429
    return 422 if form.is_submitted() else 200


# --- errors ---------------------------------------------------------------------------

TITLES = {
    400: "This request could not be understood",
    401: "Please sign in",
    403: "Not allowed",
    404: "Not found",
    405: "Not allowed here",
    409: "Someone else changed this",
    413: "Too large",
    422: "Please check what you entered",
    429: "Too many attempts",
    500: "Something went wrong on our side",
}


def error_page(status: int, message: str):
    """A friendly page for a failed request; safe to render even when the database is down."""
    title = TITLES.get(status, "Something went wrong")
    try:
        return render_template(
            "errors/error.html", status=status, title=title, message=message
        ), status
    except Exception:
        return f"<h1>{status} {title}</h1><p>{message}</p>", status


def on_csrf(exc: CSRFError):
    web.session().rollback()
    return error_page(
        400,
        "The form had expired or did not come from this site, so nothing was saved. "
        f"Go back, reload the page and try again. ({exc.description})",
    )


def on_500(_exc: Exception):
    with contextlib.suppress(Exception):  # the session may be what failed
        web.session().rollback()
    return error_page(
        500, "Nothing was saved. Try again in a moment; if it keeps happening, tell an admin."
    )


def security_headers(response):
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if response.mimetype == "text/html":
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; "
            "script-src 'self'; object-src 'none'; frame-ancestors 'none'; form-action 'self'",
        )
    return response


# --- list filters ---------------------------------------------------------------------


class ListFilters(Form):
    """Filters read from the query string (a GET form: no CSRF token).

    A refused value is shown next to its field and the list drawn without it.
    """

    country = SelectField("Country", choices=[C("", "Any country")], default="")

    def __init__(self, formdata, countries: list[tuple[str, str]]):
        super().__init__(formdata)
        self.country.choices = [C("", "Any country")] + [
            C(code, f"{code} · {name}") for code, name in countries
        ]

    def value(self, name: str):
        """A filter's value; its default when empty or refused."""
        field = self[name]
        return field.default if field.errors or field.data in (None, "") else field.data

    def shown(self) -> dict[str, str]:
        """The accepted filters that differ from their default, for the pager's links."""
        return {
            name: str(self.value(name))
            for name in self._fields
            if self.value(name) != self[name].default
        }


class DayField(StringField):
    """A day in a query string (YYYY-MM-DD, 1900-01-01 to 2199-12-31); `data` is a date."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.raw = (valuelist[0] if valuelist else "").strip()
        self.data = None
        if self.raw:
            try:
                self.data = dates.parse_date(self.raw)
            except ValueError as exc:
                raise ValueError(f"{self.name}: {exc}.") from None

    def _value(self) -> str:
        return getattr(self, "raw", None) or (self.data.isoformat() if self.data else "")


FORMAT_CHOICES = [C("html", "Page"), C("csv", "CSV")]


class RangeFilters(ListFilters):
    """A list's filters with a range of days (`from`, `to`: inclusive) and a `format`.

    `from` is a Python keyword: the field is added to the class under that name below.
    """

    to = DayField("To", render_kw={"type": "date", "placeholder": "YYYY-MM-DD"})
    format = SelectField("Format", choices=FORMAT_CHOICES, default="html")

    def validate_to(self, field: DayField) -> None:
        first = self["from"]
        if field.data and first.data and not first.errors and field.data < first.data:
            raise ValidationError(
                f"to: {field.data.isoformat()} is before from ({first.data.isoformat()})."
            )

    def day_range(self) -> tuple[dt.date | None, dt.date | None]:
        """The accepted `from` and `to` (None when not given or refused)."""
        return self.value("from"), self.value("to")

    def csv(self) -> bool:
        return self.value("format") == "csv"

    def shown(self) -> dict[str, str]:
        """As ListFilters.shown, but never the format: the pager's links are pages."""
        return {k: v for k, v in super().shown().items() if k != "format"}


setattr(
    RangeFilters, "from", DayField("From", render_kw={"type": "date", "placeholder": "YYYY-MM-DD"})
)
