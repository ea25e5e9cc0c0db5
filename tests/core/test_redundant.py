"""Columns that repeat another (a copy under another name, probabilities adding up to one) are not proposed."""

from __future__ import annotations

import numpy as np
import pandas as pd

from core import check_quality, segment_new
from core.quality import REDUNDANT_CORRELATION


def _text(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.astype(str)


def _customers(rows: int = 5_000, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    age = rng.integers(18, 80, rows)
    income = rng.lognormal(10.5, 0.5, rows).round(2)
    visits = rng.normal(20, 6, rows).round(1)
    churn = rng.uniform(0, 1, rows).round(4)
    return pd.DataFrame({
        "CustomerID": np.arange(1, rows + 1),
        "Age": age,
        "Income": income,
        "Visits": visits,
        "AgeAgain": age,                                  # the same column under another name
        "ChurnProb": churn,
        "StayProb": (1 - churn).round(4),                # a probability and its complement
        "IncomeK": (income / 1000 + rng.normal(0, 0.5, rows)).round(3),  # income in k$, rounded with noise
    })


def test_a_column_that_repeats_an_earlier_one_is_not_proposed() -> None:
    report = check_quality(_text(_customers()))
    assert report.default_features == ["Age", "Income", "Visits", "ChurnProb"]
    assert report.redundant_columns == {"AgeAgain": "Age", "StayProb": "ChurnProb", "IncomeK": "Income"}
    assert report.column("StayProb").correlation is not None and report.column("StayProb").correlation < -0.99
    assert report.column("AgeAgain").use == "repeats another"
    problems = "\n".join(report.problems())
    assert "'AgeAgain' moves with 'Age' (correlation +1.00)" in problems
    assert "'StayProb' moves with 'ChurnProb' (correlation -1.00)" in problems


def test_the_user_can_still_choose_a_repeating_column() -> None:
    frame = _text(_customers(rows=600))
    seg = segment_new(frame, ["Age", "AgeAgain", "Income"], k=3, seed=0)
    assert list(seg.features) == ["Age", "AgeAgain", "Income"]


def test_correlated_but_distinct_columns_stay_proposed() -> None:
    rng = np.random.default_rng(5)
    x = rng.normal(0, 1, 4_000)
    y = 0.9 * x + rng.normal(0, 0.3, 4_000)  # correlation about 0.95 * 0.99: strong, yet its own measure
    r = float(np.corrcoef(x, y)[0, 1])
    assert r < REDUNDANT_CORRELATION
    report = check_quality(_text(pd.DataFrame({"Spend": x.round(4), "Orders": y.round(4)})))
    assert report.default_features == ["Spend", "Orders"]
    assert report.redundant_columns == {}


def test_missing_cells_and_constant_samples_do_not_break_the_check() -> None:
    frame = _text(_customers(rows=300))
    frame.loc[::7, "AgeAgain"] = ""
    frame.loc[::5, "Age"] = "n/a"
    report = check_quality(frame)
    assert report.redundant_columns["AgeAgain"] == "Age"
    assert not any(np.isnan(c.correlation) for c in report.column_reports if c.correlation is not None)


def test_columns_that_differ_only_between_separated_groups_are_both_proposed() -> None:
    # Two groups far apart on both columns: correlated overall (~0.99), independent within each group.
    # Both columns are what tells the segments apart; neither repeats the other.
    rng = np.random.default_rng(3)
    group = np.arange(400) % 2
    spend = np.where(group, 10.0, 50.0) + rng.normal(0, 1, 400)
    visits = np.where(group, 2.0, 9.0) + rng.normal(0, 0.5, 400)
    assert abs(np.corrcoef(spend, visits)[0, 1]) >= REDUNDANT_CORRELATION
    report = check_quality(_text(pd.DataFrame({"Spend": spend.round(2), "Visits": visits.round(2)})))
    assert report.default_features == ["Spend", "Visits"]
