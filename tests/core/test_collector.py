"""The cycle collector held off for a bulk job: back on when the last job ends, even
one that fails, and left off if it was off before."""

from __future__ import annotations

import gc
import threading

import pytest

from tracker.core import collector


@pytest.fixture(autouse=True)
def collector_on():
    gc.enable()
    yield
    gc.enable()


def test_held_off_for_the_job_and_back_after():
    with collector.held_off():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_back_on_after_a_job_that_fails():
    with pytest.raises(RuntimeError), collector.held_off():
        raise RuntimeError("the job failed")
    assert gc.isenabled()


def test_left_off_if_it_was_off():
    gc.disable()
    with collector.held_off():
        pass
    assert not gc.isenabled()


def test_two_jobs_at_once_hold_it_off_until_the_last_ends():
    first_in, first_out = threading.Event(), threading.Event()

    def first() -> None:
        with collector.held_off():
            first_in.set()
            first_out.wait(timeout=10)

    thread = threading.Thread(target=first)
    thread.start()
    assert first_in.wait(timeout=10)
    with collector.held_off():
        first_out.set()
        thread.join(timeout=10)
        assert not gc.isenabled()  # the first ended, this one still holds it
    assert gc.isenabled()
