"""Matter and proceeding pages: search, dossier with its timeline, add forms."""

from __future__ import annotations

from tracker import pages

bp = pages.blueprint("matters", __name__)

BLUEPRINTS = (bp,)
