"""The admin pages: users, jurisdictions, deadline rules."""

from __future__ import annotations

from tracker import pages

bp = pages.blueprint("admin", __name__, url_prefix="/admin")

BLUEPRINTS = (bp,)
