"""The pages' plumbing: sign-in, CSRF, forms, error pages, and what every template gets.

Each domain package has its own `views.py` with its pages (a blueprint made by
`blueprint()`, so every page needs a login) and `forms.py`; this module wires them
in, like `api.py` does for the JSON endpoints.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, Flask, g, redirect, render_template, request, url_for
from flask_login import LoginManager, UserMixin, current_user
from flask_wtf import FlaskForm
from flask_wtf.csrf import CSRFError, CSRFProtect

from tracker.core import display, errors, web
from tracker.users.models import Role, User

login_manager = LoginManager()
csrf = CSRFProtect()


class SignedIn(UserMixin):
    """Flask-Login's view of a user; the model itself stays free of web code."""

    def __init__(self, user: User):
        self.user = user

    def get_id(self) -> str:
        from tracker.users.login import session_id

        return session_id(self.user)

    @property
    def is_active(self) -> bool:
        return self.user.active


@login_manager.user_loader
def _load_user(value: str) -> SignedIn | None:
    from tracker.users.login import user_for_session

    user = user_for_session(web.session(), value)
    return SignedIn(user) if user is not None else None


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
    from tracker.api import MAX_ID

    for value in (request.view_args or {}).values():
        if isinstance(value, int) and value > MAX_ID:
            raise errors.NotFound(f"there is no record with id {value}")


def actor() -> User:
    """The signed-in user, who is the actor of every change made from a page."""
    return current_user.user


def require(*roles: Role, doing: str) -> None:
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


# --- forms ----------------------------------------------------------------------------


def refused(form: FlaskForm, exc: errors.TrackerError) -> None:
    """Show an operation's refusal next to the field it names, or above the form."""
    field = getattr(form, (exc.field or "").split(".")[0], None) if exc.field else None
    if field is not None and hasattr(field, "errors"):
        field.errors = (
            [*field.errors, exc.message] if isinstance(field.errors, list) else [exc.message]
        )
    else:
        form.form_errors.append(exc.message)


def submit(form: FlaskForm, save: Callable[[], Any]) -> Any:
    """Validate `form` and run `save` in the request's unit of work.

    Returns what `save` returned, committed; or None when the form is invalid or the
    operation refused it, with the errors on the form and nothing written.
    """
    if not form.validate_on_submit():
        return None
    session = web.session()
    try:
        result = save()
        session.flush()
    except errors.TrackerError as exc:
        session.rollback()
        refused(form, exc)
        return None
    session.commit()
    return result


def form_status(form: FlaskForm) -> int:
    """200 for a form shown afresh, 422 for one sent back with errors."""
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


def _on_csrf(exc: CSRFError):
    web.session().rollback()
    return error_page(
        400,
        "The form had expired or did not come from this site, so nothing was saved. "
        f"Go back, reload the page and try again. ({exc.description})",
    )


def _on_500(_exc: Exception):
    with contextlib.suppress(Exception):  # the session may be what failed
        web.session().rollback()
    return error_page(
        500, "Nothing was saved. Try again in a moment; if it keeps happening, tell an admin."
    )


# --- templates ------------------------------------------------------------------------

#: the navigation: (endpoint, label, roles that see it; None: everyone)
NAV: list[tuple[str, str, frozenset[Role] | None]] = [
    ("dashboard.index", "Dashboard", None),
    ("matters.index", "Matters", None),
    ("hearings.index", "Hearings", None),
    ("deadlines.index", "Deadlines", None),
    ("flags.index", "Flags", None),
    ("feeds.index", "Feeds", None),
    ("outbox.index", "Outbox", frozenset({Role.admin, Role.coordinator})),
    ("audit.index", "Audit", frozenset({Role.admin, Role.coordinator})),
    ("admin.index", "Admin", frozenset({Role.admin})),
]


def _context() -> dict[str, Any]:
    me = current_user.user if current_user.is_authenticated else None
    nav = []
    if me is not None:
        for endpoint, label, roles in NAV:
            if (roles is None or me.role in roles) and endpoint in _endpoints():
                nav.append((url_for(endpoint), label, request.endpoint == endpoint))
    return {"me": me, "nav": nav, "Role": Role}


def _endpoints() -> set[str]:
    from flask import current_app

    if "endpoints" not in g:
        g.endpoints = {rule.endpoint for rule in current_app.url_map.iter_rules()}
    return g.endpoints


def _security_headers(response):
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


def init_app(app: Flask) -> None:
    from tracker.admin import views as admin
    from tracker.audit import views as audit
    from tracker.calendar import views as calendar
    from tracker.dashboard import views as dashboard
    from tracker.deadlines import views as deadlines
    from tracker.delays import views as delays
    from tracker.hearings import views as hearings
    from tracker.matters import views as matters
    from tracker.notifications import views as notifications
    from tracker.users import views as users

    secure = app.config["TRACKER_SETTINGS"].base_url.startswith("https://")
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=secure,
        SESSION_COOKIE_NAME="tracker_session",
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SECURE=secure,
        # a form left open during a long hearing still saves: the token lives as long
        # as the session
        WTF_CSRF_TIME_LIMIT=None,
    )
    login_manager.init_app(app)
    login_manager.login_view = "users.login"
    login_manager.login_message = "Please sign in to see this page."
    login_manager.session_protection = "basic"
    csrf.init_app(app)
    for bp in app.blueprints.values():  # the JSON API signs in with tokens, not cookies
        if bp.url_prefix == "/api/v1":
            csrf.exempt(bp)
    for module in (
        users,
        dashboard,
        matters,
        hearings,
        deadlines,
        delays,
        calendar,
        notifications,
        audit,
        admin,
    ):
        for bp in module.BLUEPRINTS:
            app.register_blueprint(bp)
    app.register_error_handler(CSRFError, _on_csrf)
    app.register_error_handler(500, _on_500)
    app.context_processor(_context)
    app.after_request(_security_headers)
    display.init_app(app)
