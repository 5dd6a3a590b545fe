"""JSON API: the caller's own account and notification settings."""

from __future__ import annotations

from tracker import web
from tracker.core import clock
from tracker.users import operations
from tracker.users.schemas import MeOut, SettingsChanges, dump
from tracker.web import api

bp = api.blueprint("users_api")


@bp.get("/me")
def me() -> MeOut:
    """The caller's account and settings."""
    return dump(api.actor())


@bp.patch("/me")
def update_me(body: SettingsChanges) -> MeOut:
    """Change the caller's name, time zone or notification settings."""
    actor = api.actor()
    operations.update_settings(web.session(), actor, clock.now(), actor, body)
    api.commit()
    return dump(actor)
