"""The outbox page: queued, sent and failed mail."""

from __future__ import annotations

from tracker import pages

bp = pages.blueprint("outbox", __name__)

BLUEPRINTS = (bp,)
