"""The application factory."""

from __future__ import annotations

from flask import Flask
from flask.json.provider import DefaultJSONProvider
from werkzeug.middleware.proxy_fix import ProxyFix

from tracker import config, web
from tracker.core import resources
from tracker.core.db import Database
from tracker.web import registry


class _Json(DefaultJSONProvider):
    sort_keys = False  # keep fields in the order the answer models give


def create_app(settings: config.Settings | None = None, database: Database | None = None) -> Flask:
    settings = settings or config.load()
    app = Flask(
        __name__,
        template_folder=str(resources.templates_dir()),
        instance_path=str(settings.instance),
    )
    app.config.update(
        SECRET_KEY=settings.secret_key,
        MAX_CONTENT_LENGTH=settings.max_body,
        TRACKER_SETTINGS=settings,
    )
    app.json = _Json(app)
    app.extensions[web.EXTENSION] = database or Database(settings.database_url)
    app.teardown_appcontext(web.close_session)
    app.before_request(registry.body_limit)  # first: the hooks after it read the body
    app.before_request(web.refuse_nul)
    registry.init_app(app)
    if settings.proxies:
        # the client's address (for the sign-in limit) and https (for Secure cookies)
        # as the reverse proxy saw them
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]  # Flask's way to add middleware
            app.wsgi_app, x_for=settings.proxies, x_proto=settings.proxies, x_host=settings.proxies
        )
    return app
