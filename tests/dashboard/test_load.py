"""50 simulated users doing the whole flow at once (gunicorn, 4 workers, real Redis): no errors, no mix-ups.

The full figures come from ``python bench/load_test.py`` (docs/performance.md); this keeps the run short.
"""

from __future__ import annotations

import pytest

from bench.load_test import STEPS, report, run

pytestmark = [pytest.mark.load, pytest.mark.redis, pytest.mark.slow]


def test_fifty_users_at_once():
    results = run(users=50, seconds=8, rows=300)
    print(report(results, 50, 8))
    assert results.flows >= 50
    assert results.foreign == 0
    assert not any(results.errors.values()), dict(results.errors)
    assert all(results.latency[step] for step in STEPS)
