"""Hearing pages: the outcome form, adding hearings."""

from __future__ import annotations

from tracker import pages

bp = pages.blueprint("hearings", __name__)

BLUEPRINTS = (bp,)
