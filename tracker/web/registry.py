"""The one place that knows every domain's entry points: their blueprints, the pages'
navigation, and who an API token or a session cookie belongs to."""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, g, request, url_for
from flask_login import current_user

from tracker.admin import views as admin
from tracker.audit import views as audit
from tracker.calendar import api as feeds_api
from tracker.calendar import views as calendar
from tracker.chronology import api as chronology_api
from tracker.chronology import views as chronology
from tracker.dashboard import views as dashboard
from tracker.deadlines import api as deadlines_api
from tracker.deadlines import views as deadlines
from tracker.delays import api as delays_api
from tracker.delays import views as delays
from tracker.hearings import api as hearings_api
from tracker.hearings import views as hearings
from tracker.imports import views as imports
from tracker.jurisdictions import api as jurisdictions_api
from tracker.matters import api as matters_api
from tracker.matters import views as matters
from tracker.notifications import views as notifications
from tracker.notifications import webhook as notification_events
from tracker.reports import api as reports_api
from tracker.reports import views as reports
from tracker.users import api as users_api
from tracker.users import operations as users
from tracker.users import views as account
from tracker.users.models import Role
from tracker.web import api, display, errors, openapi, pages

API = (
    jurisdictions_api,
    matters_api,
    hearings_api,
    deadlines_api,
    users_api,
    delays_api,
    feeds_api,
    reports_api,
    chronology_api,
)
#: endpoints that other services post to, with no session: each checks its own signature
WEBHOOKS = (notification_events,)
PAGES = (
    account,
    dashboard,
    matters,
    chronology,
    hearings,
    deadlines,
    delays,
    reports,
    calendar,
    notifications,
    imports,
    audit,
    admin,
)

#: the navigation: (endpoint, label, roles that see it; None: everyone)
NAV: list[tuple[str, str, frozenset[Role] | None]] = [
    ("dashboard.index", "Dashboard", None),
    ("matters.index", "Matters", None),
    ("hearings.index", "Hearings", None),
    ("deadlines.index", "Deadlines", None),
    ("flags.index", "Flags", None),
    ("reports.delays", "Reports", None),
    ("feeds.index", "Feeds", None),
    ("outbox.index", "Outbox", frozenset({Role.admin, Role.coordinator})),
    ("imports.index", "Import", frozenset({Role.admin, Role.coordinator})),
    ("audit.index", "Audit", frozenset({Role.admin, Role.coordinator})),
    ("admin.index", "Admin", frozenset({Role.admin})),
]


def init_app(app: Flask) -> None:
    """Register every endpoint and page, with the sign-in, CSRF and error handling."""
    app.extensions[api.TOKEN_USER] = users.user_for_token
    for module in API:
        app.register_blueprint(module.bp)
    openapi.init_app(app)  # after the API: the document describes every endpoint registered
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
    pages.login_manager.init_app(app)
    pages.login_manager.login_view = "users.login"
    pages.login_manager.login_message = "Please sign in to see this page."
    pages.login_manager.session_protection = "basic"
    pages.csrf.init_app(app)
    for module in API:  # the JSON API signs in with tokens, not cookies
        pages.csrf.exempt(module.bp)
    for module in WEBHOOKS:  # posted by a provider, which signs what it posts
        app.register_blueprint(module.bp)
        pages.csrf.exempt(module.bp)
    for module in PAGES:
        for bp in module.BLUEPRINTS:
            app.register_blueprint(bp)
    app.before_request(_second_factor_first)
    errors.init_app(app)
    app.context_processor(_context)
    app.after_request(pages.security_headers)
    display.init_app(app)


#: pages that take files larger than a form's body may be: their own limit
UPLOADS = {"imports.upload": imports.UPLOAD_BYTES}


def body_limit() -> None:
    """Raise the body's limit for an upload page: the first hook of every request, as
    the next ones (NUL check, CSRF) read the body."""
    limit = UPLOADS.get(request.endpoint or "")
    if limit is not None:
        request.max_content_length = limit


#: endpoints that a bearer secret opens (an API token, a feed's address): the second
#: factor is not theirs to ask for, even from a browser signed in
BEARER = frozenset({"calendar.feed", "healthz"})


def _second_factor_first() -> Any:
    """A user who must add a second factor and has none opens no page but the security
    page (and signing in and out) until they add one; the JSON API, the webhooks and
    the feeds are not concerned."""
    machines = {module.bp.name for module in API + WEBHOOKS}
    if request.blueprint in machines or request.endpoint in BEARER:
        return None
    return account.enrolment_first()


def _context() -> dict[str, Any]:
    """What every template gets: the signed-in user and the navigation they may use."""
    me = current_user.user if current_user.is_authenticated else None
    nav = []
    if me is not None:
        for endpoint, label, roles in NAV:
            if (roles is None or me.role in roles) and endpoint in _endpoints():
                nav.append((url_for(endpoint), label, request.endpoint == endpoint))
    return {"me": me, "nav": nav, "Role": Role}


def _endpoints() -> set[str]:
    if "endpoints" not in g:
        g.endpoints = {rule.endpoint for rule in current_app.url_map.iter_rules()}
    return g.endpoints
