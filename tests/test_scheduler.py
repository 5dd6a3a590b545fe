"""The job registry: every job is registered safely and runs against a real database."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
import sqlalchemy as sa
from pages import make_user

from tracker import scheduler
from tracker.core import clock
from tracker.models import UserSession
from tracker.users import sessions

UTC = dt.UTC


def test_every_job_is_registered_with_no_overlap_and_coalesced_runs(settings, database):
    built = scheduler.build(database, settings)
    built.start(paused=True)  # job defaults are applied when the scheduler starts
    try:
        jobs = {job.id: job for job in built.get_jobs()}
    finally:
        built.shutdown(wait=False)

    assert set(jobs) == {job.name for job in scheduler.JOBS}
    for job in jobs.values():
        assert job.coalesce is True
        assert job.max_instances == 1
        assert job.misfire_grace_time == scheduler.MISFIRE_GRACE


def test_the_scan_runs_as_soon_as_the_scheduler_starts_then_on_the_hour(settings, database):
    before = dt.datetime.now(UTC)
    built = scheduler.build(database, settings)
    built.start(paused=True)
    try:
        jobs = {job.id: job for job in built.get_jobs()}
    finally:
        built.shutdown(wait=False)

    # due at once: the pages list the flags right after `make run`, not within the hour
    assert jobs["scan"].next_run_time <= dt.datetime.now(UTC)
    assert jobs["scan"].next_run_time >= before - dt.timedelta(seconds=1)
    assert jobs["scan"].trigger.get_next_fire_time(None, before).minute == 0
    # the others keep their own times
    assert jobs["delay-alerts"].next_run_time.minute == 5


def test_the_scheduler_starts_and_stops(settings, database):
    built = scheduler.build(database, settings)

    built.start()
    try:
        assert built.running
    finally:
        built.shutdown(wait=False)


@pytest.mark.parametrize("job", scheduler.JOBS, ids=lambda job: job.name)
def test_each_job_runs_on_an_empty_database(job, settings, database):
    with clock.frozen(dt.datetime(2026, 11, 22, 9, tzinfo=UTC)):
        result = scheduler.run(job, database, settings)

    assert result is not None  # a failure would be logged and give None


def test_a_failing_job_is_logged_not_raised(settings, database, caplog):
    def broken(_context):
        raise RuntimeError("the disk is full")

    job = scheduler.Job("broken", broken, {"trigger": "interval", "minutes": 1}, "fails")

    with caplog.at_level(logging.ERROR, logger="tracker.scheduler"):
        assert scheduler.run(job, database, settings) is None

    assert "job broken failed" in caplog.text
    assert "the disk is full" in caplog.text


def test_ended_sessions_are_pruned_and_live_ones_kept(settings, database, frozen_now):
    users = [make_user(database) for _ in range(3)]
    lifetimes = sessions.Lifetimes(idle=settings.session_idle, absolute=settings.session_lifetime)
    with database.unit_of_work() as session:
        starts = [frozen_now - dt.timedelta(hours=13), frozen_now - dt.timedelta(hours=3)]
        for user, start in zip(users, [*starts, frozen_now], strict=True):
            sessions.start(session, session.merge(user), start, lifetimes)

    job = next(job for job in scheduler.JOBS if job.name == "prune-sessions")
    result = scheduler.run(job, database, settings)

    assert result == "2 ended sessions deleted"  # too old; idle for 3 hours
    with database.sessionmaker() as session:
        left = session.scalars(sa.select(UserSession.user_id)).all()
    assert left == [users[2].id]
