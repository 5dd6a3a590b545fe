"""JSON API: the caller's own account and notification settings."""

from __future__ import annotations

from typing import Any

from flask import jsonify

from tracker import web
from tracker.core import clock
from tracker.users import operations, preferences
from tracker.users.models import User
from tracker.web import api

bp = api.blueprint("users_api")


class MePatch(api.Body):
    version: int
    name: str | None = None
    timezone: str | None = None
    preferences: dict[str, Any] | None = None


def dump(user: User) -> dict:
    return {
        "id": user.id,
        "email": user.email,
        "name": user.name,
        "role": user.role.value,
        "timezone": user.timezone,
        "preferences": preferences.load(user.preferences).as_json(),
        "version": user.version,
    }


@bp.get("/me")
def me():
    """The caller's account and settings."""
    return jsonify(dump(api.actor()))


@bp.patch("/me")
def update_me():
    """Change the caller's name, time zone or notification settings."""
    patch = api.body(MePatch)
    changes = {k: getattr(patch, k) for k in patch.model_fields_set if k != "version"}
    user = operations.update_settings(
        web.session(),
        api.actor(),
        clock.now(),
        api.actor(),
        version=patch.version,
        changes=changes,
    )
    api.commit()
    return jsonify(dump(user))
