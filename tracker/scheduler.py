"""The job registry and its runner: every periodic job of the tracker, in one table.

Jobs sweep and mark (Indico's tasks, Caseflow's jobs): each asks a query for what is
due, does it, and commits, as the explicit actor `system:scheduler`. They are
idempotent — the delay scan upserts, alerts are queued under dedup keys, the outbox
claims rows with a lease — so a job that runs late, twice, or in two `tracker
scheduler` processes on one PostgreSQL database never sends a mail twice: the outbox,
not the scheduler, guarantees it.

APScheduler 3 with a MemoryJobStore: the jobs are defined here in code, not stored.
`coalesce` folds runs missed while the process was busy or asleep into one, and
`max_instances=1` keeps a job from overlapping itself. The misfire grace time is
generous (10 minutes) because every job is a sweep: running a few minutes late is
harmless, while skipping a run would delay reminders until the next one.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler

from tracker.calendar import operations as feeds
from tracker.config import Settings
from tracker.core import clock
from tracker.core.actors import SCHEDULER, SystemActor
from tracker.core.db import Database
from tracker.delays import scan
from tracker.notifications import alerts, outbox, senders
from tracker.users import sessions

log = logging.getLogger(__name__)

MISFIRE_GRACE = 600


@dataclass(frozen=True)
class Context:
    """What a job gets: the database, the settings, the time it runs at, and who it is."""

    database: Database
    settings: Settings
    now: dt.datetime
    #: the actor a job passes to any operation that writes dossier data (audited)
    actor: SystemActor = SCHEDULER


@dataclass(frozen=True)
class Job:
    name: str
    run: Callable[[Context], Any]
    #: APScheduler trigger arguments, e.g. {"trigger": "interval", "minutes": 1}
    trigger: dict[str, Any]
    description: str
    #: also run as soon as the scheduler starts (the scan: pages show the flags at once)
    at_start: bool = False


def scan_delays(context: Context) -> Any:
    with context.database.unit_of_work() as session:
        return scan.run(session, context.now, context.now.date(), context.settings.delays)


def hearing_reminders(context: Context) -> Any:
    with context.database.unit_of_work() as session:
        return alerts.hearing_reminders(session, context.now, context.settings)


def deadline_reminders(context: Context) -> Any:
    with context.database.unit_of_work() as session:
        return alerts.deadline_reminders(session, context.now, context.settings)


def delay_alerts(context: Context) -> Any:
    """Outcome prompts to staff and each coordinator's digest, once the hour has come."""
    with context.database.unit_of_work() as session:
        prompts = alerts.outcome_prompts(session, context.now, context.settings)
    with context.database.unit_of_work() as session:
        return [prompts, alerts.digests(session, context.now, context.settings)]


def prune_feed_log(context: Context) -> Any:
    with context.database.unit_of_work() as session:
        return f"{feeds.prune_fetches(session, context.now)} old feed fetches forgotten"


def prune_sessions(context: Context) -> Any:
    """Delete the sessions that ended by themselves (they open nothing already)."""
    lifetimes = sessions.Lifetimes(
        idle=context.settings.session_idle, absolute=context.settings.session_lifetime
    )
    with context.database.unit_of_work() as session:
        return f"{sessions.purge(session, context.now, lifetimes)} ended sessions deleted"


def send_mail(context: Context) -> Any:
    # not context.now: a run reads the clock for each claim and result, however long it is
    sender = senders.sender_for(context.settings)
    return outbox.send_due(context.database, sender, context.settings)


JOBS: tuple[Job, ...] = (
    Job(
        "scan",
        scan_delays,
        {"trigger": "cron", "minute": 0},
        "run the delay rules and store the flags (at start, then hourly)",
        at_start=True,
    ),
    Job(
        "hearing-reminders",
        hearing_reminders,
        {"trigger": "interval", "minutes": 10},
        "queue the reminders due before hearings",
    ),
    Job(
        "deadline-reminders",
        deadline_reminders,
        {"trigger": "interval", "minutes": 30},
        "queue the reminders due before deadlines",
    ),
    Job(
        "delay-alerts",
        delay_alerts,
        {"trigger": "cron", "minute": 5},
        "queue outcome prompts and the daily digests of new and escalated flags",
    ),
    Job(
        "prune-feed-log",
        prune_feed_log,
        {"trigger": "cron", "hour": 3, "minute": 30},
        "forget feed fetches older than 90 days",
    ),
    Job(
        "prune-sessions",
        prune_sessions,
        {"trigger": "cron", "minute": 20},
        "delete the sessions that ended by themselves (idle or too old)",
    ),
    Job("outbox", send_mail, {"trigger": "interval", "minutes": 1}, "send the mail that is due"),
)


def run(job: Job, database: Database, settings: Settings) -> Any:
    """Run one job now; an error is logged, never raised into the scheduler's thread."""
    context = Context(database, settings, clock.now())
    log.info("job %s starts as %s", job.name, context.actor.label)
    try:
        result = job.run(context)
    except Exception:
        log.exception("job %s failed", job.name)
        return None
    log.info("job %s: %s", job.name, result)
    return result


def build(database: Database, settings: Settings, *, blocking: bool = False) -> BaseScheduler:
    """A scheduler with every job of the registry, not yet started."""
    kind = BlockingScheduler if blocking else BackgroundScheduler
    scheduler = kind(
        jobstores={"default": MemoryJobStore()},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": MISFIRE_GRACE},
        timezone=dt.UTC,
    )
    for job in JOBS:
        # the scheduler's own clock, not tracker.core.clock: a frozen test clock may be
        # hours behind, and a first run older than the misfire grace would be skipped
        start = {"next_run_time": dt.datetime.now(dt.UTC)} if job.at_start else {}
        scheduler.add_job(
            run,
            args=(job, database, settings),
            id=job.name,
            name=job.description,
            **job.trigger,
            **start,
        )
    return scheduler
