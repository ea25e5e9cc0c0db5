"""No index for a feature whose segments average below zero (found from outside: a balance, "index -144").

An index (segment mean / overall mean x 100) reads as "twice the average" only for values measured from a
true zero (income, visits). A balance with overdrafts has none: a segment of mean -151.98 against an average
of 106 was "index -144", one of 369.90 "index 349". Such a feature has no index; the profile says how far
the segment is from the average instead.
"""

from __future__ import annotations

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


def test_a_balance_has_no_index_and_an_income_keeps_it() -> None:
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


def test_a_net_spend_with_a_few_returns_keeps_its_index() -> None:
    """Net spend below zero for a few customers (returns beyond purchases, as an order file's customer table
    has them): every segment's mean is positive, so the index still says "twice the average"."""
    X = np.array([[-5.0, 1.0], [30.0, 2.0], [40.0, 3.0], [200.0, 4.0], [260.0, 5.0], [300.0, 6.0]])
    stats = FeatureStats.of(X, np.array([0, 0, 0, 1, 1, 1]), 2)
    np.testing.assert_allclose(stats.indices(), stats.means / stats.overall * 100)
    balance = FeatureStats.of(X - [100.0, 0.0], np.array([0, 0, 0, 1, 1, 1]), 2)  # a segment's mean below 0
    assert np.isnan(balance.indices()[:, 0]).all() and np.isfinite(balance.indices()[:, 1]).all()


def test_a_year_has_no_index_and_still_names_its_segments() -> None:
    """Found from outside (a German customer export's "Kunde seit", the year a customer joined): every segment
    read "index 100" (2008 and 2024 are both about 100% of 2015), and the segment names, which rank features by
    how far their index is from 100, put the year last however much the segments differed in it. A feature
    measured far from zero (spread under a twentieth of its mean) has no index; names rank it by its spread."""
    from core.insight import segment_names

    rng = np.random.default_rng(5)
    rows = 900
    group = rng.integers(0, 3, rows)
    frame = pd.DataFrame({
        "Member since": [str(v) for v in np.array([2008, 2016, 2024])[group] + rng.integers(-1, 2, rows)],
        "Spend": [f"{v:.2f}" for v in rng.normal(100, 30, rows) + 10 * group],
    })
    seg = segment_new(frame, ["Member since", "Spend"], k=3, seed=0)
    prof = profile(seg, frame, [])
    assert prof.indices["Member since"].isna().all()
    assert np.isfinite(prof.indices["Spend"]).all()
    names = segment_names(seg)  # the year tells the segments apart: it comes first in their names
    assert sum(name.startswith(("Much longer-standing", "Longer-standing")) for name in names) == 1, names
    assert sum(name.startswith(("Much newer", "Newer")) for name in names) == 1, names
