"""Deadline pages: add (with the rule preview), mark done or waived."""

from __future__ import annotations

from tracker import pages

bp = pages.blueprint("deadlines", __name__)

BLUEPRINTS = (bp,)
