"""The audit log page."""

from __future__ import annotations

from tracker import pages

bp = pages.blueprint("audit", __name__)

BLUEPRINTS = (bp,)
