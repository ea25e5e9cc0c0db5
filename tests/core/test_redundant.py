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


def test_a_wide_file_is_checked_without_comparing_every_pair_of_columns(monkeypatch) -> None:
    """A 4-row CSV of 5,000 columns held the data check for minutes (12.5 million column pairs, each
    compared row by row): only pairs whose correlation may reach the bar are compared exactly."""
    import core.quality as quality

    rng = np.random.default_rng(11)
    rows, width = 60, 600
    frame = pd.DataFrame(rng.normal(50, 10, (rows, width)).round(3), columns=[f"m{i}" for i in range(width)])
    frame["m600"] = frame["m7"]                       # one true repeat among them
    frame.iloc[3, 20] = np.nan                         # and a column with a gap (an empty cell, not text)
    calls = []
    exact = quality._repeats
    monkeypatch.setattr(quality, "_repeats", lambda a, b: calls.append(1) or exact(a, b))
    report = check_quality(_text(frame))
    assert report.redundant_columns == {"m600": "m7"}
    assert report.column_reports[20].missing == 1
    assert len(calls) < 3 * width, len(calls)   # about one per column, not width**2 / 2 (180,000)


def test_the_screen_marks_what_comparing_every_pair_marks() -> None:
    """Screened or not, the same columns are marked, with gaps, constant samples and negative repeats."""
    rng = np.random.default_rng(5)
    rows = 3_000
    base = rng.normal(0, 1, (rows, 6))
    frame = pd.DataFrame(base.round(4), columns=[f"c{i}" for i in range(6)])
    frame["neg"] = (-2 * frame["c1"] + 0.001 * rng.normal(0, 1, rows)).round(4)
    frame["gappy"] = frame["c2"].where(rng.uniform(0, 1, rows) > 0.1).round(4)
    frame["rare"] = np.where(np.arange(rows) % 997 == 5, 10.0, 0.0) + rng.normal(0, 1e-3, rows).round(4)
    frame["rare2"] = frame["rare"]
    assert check_quality(_text(frame)).redundant_columns == {"neg": "c1", "gappy": "c2", "rare2": "rare"}


def test_a_wide_file_whose_every_column_has_gaps_is_screened_too(monkeypatch) -> None:
    """The screen compared a column with a gap among its rows exactly with every other column: a 5,000-row
    file of 500 columns, each with a few blank cells (a survey-like export), held the data check for 12 s
    (125,000 exact comparisons), and 5,000 such columns for hours. The screen now measures each pair on the
    rows where both are present."""
    import core.quality as quality

    rng = np.random.default_rng(12)
    rows, width = 2_000, 200
    values = rng.normal(50, 10, (rows, width)).round(3)
    values[rng.uniform(0, 1, (rows, width)) < 0.05] = np.nan    # 5% gaps in every column
    frame = pd.DataFrame(values, columns=[f"m{i}" for i in range(width)])
    repeat = frame["m7"].to_numpy() * 2 + 1
    repeat[rng.uniform(0, 1, rows) < 0.05] = np.nan             # a repeat of m7 with gaps of its own
    frame["again"] = repeat.round(3)
    calls = []
    exact = quality._repeats
    monkeypatch.setattr(quality, "_repeats", lambda a, b: calls.append(1) or exact(a, b))
    report = check_quality(_text(frame).replace("nan", ""))
    assert report.column_reports[0].missing > 0
    assert report.redundant_columns == {"again": "m7"}
    assert len(calls) < 3 * width, len(calls)   # about one per column, not width**2 / 2 (20,000)
