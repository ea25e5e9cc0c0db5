"""The benchmark runs each command-line way with the environment it says it uses."""

from __future__ import annotations

import sys

import pytest

from bench import benchmark


def test_cli_threads_0_runs_the_commands_with_omp_num_threads_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    """``--cli-threads 0`` says "unset, every core", but the benchmark sets OMP_NUM_THREADS for its children
    (``--threads``, 1 by default): the commands ran on one thread while the table said unset."""
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    probe = [sys.executable, "-c", "import os; print(os.environ.get('OMP_NUM_THREADS', 'unset'))"]
    assert benchmark._timed(probe, {"OMP_NUM_THREADS": None}).stdout.strip() == "unset"
    assert benchmark._timed(probe, {"OMP_NUM_THREADS": "2"}).stdout.strip() == "2"
    assert benchmark._timed(probe).stdout.strip() == "1"
