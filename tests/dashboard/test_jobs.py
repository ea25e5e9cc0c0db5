"""The background-job time limit."""

from __future__ import annotations

import threading
import time

import pytest

from dashboard.jobs import JobTimeout, time_limit


def test_a_job_past_its_limit_is_stopped_with_a_message():
    started = time.monotonic()
    with pytest.raises(JobTimeout, match="1-second limit"):
        with time_limit(1):
            while True:  # a busy loop, like a long computation
                sum(range(1000))
    assert time.monotonic() - started < 30  # stopped (not run on); the bound allows for a busy machine


def test_a_quick_job_is_untouched():
    with time_limit(5):
        value = sum(range(10))
    assert value == 45


def test_outside_the_main_thread_the_limit_is_not_enforced():
    results = []

    def work():
        with time_limit(1):
            results.append("ran")

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    assert results == ["ran"]
