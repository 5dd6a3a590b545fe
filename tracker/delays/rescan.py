"""Re-scan after a write: the flags of the proceedings a unit of work touched are made
current in the same transaction, just before it commits (README, "Delay flags").

`watch(session, thresholds)` notes, at each flush, the proceedings whose proceeding,
events, hearings, postponements or deadlines were added, changed or deleted; when the
session commits, `tracker.delays.scan.run` scans those proceedings only (as of today)
and stores their flags. Pages then never lag behind the data, and the scheduled scan
finds nothing left to do for them.

Alerts are not decided here: the digest tells each coordinator of every open flag not
yet told to them at its severity (`FlagAlert`), whichever scan stored it, so a flag
stored by a write is still alerted once, by the next digest.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from tracker.core import clock
from tracker.deadlines.models import Deadline
from tracker.delays import rules, scan
from tracker.hearings.models import Hearing, Postponement
from tracker.matters.models import Event, Proceeding

log = logging.getLogger(__name__)

#: session.info keys: the proceedings and hearings touched since the last re-scan
PROCEEDINGS = "rescan_proceedings"
HEARINGS = "rescan_hearings"


def watch(
    session: so.Session,
    thresholds: rules.Thresholds,
    now: Callable[[], dt.datetime] = clock.now,
) -> None:
    """Re-scan what this session's writes touched whenever it commits (once per session)."""
    if PROCEEDINGS in session.info:
        return
    session.info[PROCEEDINGS], session.info[HEARINGS] = set(), set()
    sa.event.listen(session, "after_flush", _note)
    sa.event.listen(session, "before_commit", lambda s: _rescan(s, thresholds, now()))
    sa.event.listen(session, "after_soft_rollback", _forget)


def _note(session: so.Session, _context: Any) -> None:
    """Called after each flush, while new, dirty and deleted still list what it wrote."""
    proceedings, hearings = session.info[PROCEEDINGS], session.info[HEARINGS]
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Proceeding):
            proceedings.add(obj.id)
        elif isinstance(obj, Event | Hearing | Deadline):
            proceedings.add(obj.proceeding_id)
        elif isinstance(obj, Postponement):
            hearings.add(obj.hearing_id)  # its proceeding is looked up once, at commit


def _forget(session: so.Session, _transaction: Any) -> None:
    session.info[PROCEEDINGS].clear()
    session.info[HEARINGS].clear()


def _rescan(session: so.Session, thresholds: rules.Thresholds, now: dt.datetime) -> None:
    session.flush()  # the last changes are noted too
    proceedings, hearings = set(session.info[PROCEEDINGS]), set(session.info[HEARINGS])
    _forget(session, None)
    if hearings:
        proceedings |= set(
            session.scalars(sa.select(Hearing.proceeding_id).where(Hearing.id.in_(hearings)))
        )
    proceedings.discard(None)
    if not proceedings:
        return
    result = scan.run(session, now, now.date(), thresholds, proceeding_ids=proceedings)
    log.debug("re-scan of proceedings %s: %s", sorted(proceedings), result.summary())
