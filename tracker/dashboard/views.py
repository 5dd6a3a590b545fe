"""The dashboard page."""

from __future__ import annotations

from tracker import pages

bp = pages.blueprint("dashboard", __name__)

BLUEPRINTS = (bp,)
