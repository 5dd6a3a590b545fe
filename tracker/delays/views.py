"""The delay flags page: filter and acknowledge."""

from __future__ import annotations

from tracker import pages

bp = pages.blueprint("flags", __name__)

BLUEPRINTS = (bp,)
