"""No index for a feature with negative values (found from outside: a balance showed "index -144").

An index (segment mean / overall mean x 100) reads as "twice the average" only for values measured from a
true zero (income, visits). A balance with overdrafts has none: a segment of mean -151.98 against an average
of 106 was "index -144", one of 369.90 "index 349". Such a feature has no index; the profile says how far
the segment is from the average instead.
"""

from __future__ import annotations

import pickle

import numpy as np
import pandas as pd

from core import segment_new
from core.insight import profile
from core.stats import FeatureStats


def _frame(rows: int = 900, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    group = rng.integers(0, 3, rows)
    return pd.DataFrame({
        "Income": [f"{v:.2f}" for v in rng.normal(30 + 20 * group, 4)],
        "Balance": [f"{v:.2f}" for v in rng.normal(np.array([-150.0, 100.0, 350.0])[group], 40)],
    })


def test_a_feature_with_negative_values_has_no_index_and_one_without_keeps_it() -> None:
    frame = _frame()
    seg = segment_new(frame, ["Income", "Balance"], k=3, seed=0)
    prof = profile(seg, frame, [])
    income = frame["Income"].astype(float)
    expected = income.groupby(seg.labels).mean() / income.mean() * 100
    np.testing.assert_allclose(prof.indices["Income"].to_numpy(), expected.to_numpy())
    assert prof.indices["Balance"].isna().all()
    balance = frame["Balance"].astype(float)
    assert np.isclose(prof.overall["Balance"], balance.mean())
    assert np.isclose(prof.spread["Balance"], balance.std(ddof=0))
    assert prof.flat()["Balance index"].isna().all()  # the summary download: no index either


def test_statistics_kept_before_the_smallest_values_were_still_give_indices() -> None:
    """A segmentation cached by an earlier version has statistics without ``smallest``: its indices are what
    they were (only the overall mean of 0 rule applies), not an error."""
    X = np.array([[1.0, -2.0], [3.0, 4.0], [5.0, 6.0], [7.0, 8.0]])
    stats = FeatureStats.of(X, np.array([0, 0, 1, 1]), 2)
    np.testing.assert_array_equal(stats.smallest, [1.0, -2.0])
    assert np.isnan(stats.indices()[:, 1]).all() and np.isfinite(stats.indices()[:, 0]).all()
    old = pickle.loads(pickle.dumps(stats))
    del old.__dict__["smallest"]  # as unpickled from before the field existed
    assert old.smallest is None
    np.testing.assert_allclose(old.indices(), stats.means / stats.overall * 100)
