"""core.prepare: missing-value strategies drop / mean / median / error; never a zero fill."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from core.errors import DataError, FeatureError, MissingValuesError
from core.prepare import DEFAULT_MISSING, MISSING_STRATEGIES, prepare_features
from core.segmentation import clustered_table, segment_new

# Gaps: B row 1 blank, B row 4 whitespace, C row 2 "NA", C row 5 "n/k" (not a number). No zeros anywhere.
FRAME = pd.DataFrame({
    "Name": ["a", "b", "c", "d", "e", "f", "g", "h"],
    "A": ["10", "20", "30", "40", "50", "60", "70", "80"],
    "B": ["5", "", "7", "9", "  ", "11", "13", "100"],
    "C": ["1.5", "2.5", "NA", "4.5", "5.5", "n/k", "7.5", "8.5"],
})
FEATURES = ["A", "B", "C"]
B_PRESENT = np.array([5, 7, 9, 11, 13, 100], dtype=float)
C_PRESENT = np.array([1.5, 2.5, 4.5, 5.5, 7.5, 8.5])


def test_strategies():
    assert MISSING_STRATEGIES == ("drop", "mean", "median", "error")
    assert DEFAULT_MISSING == "drop"


def test_values_keep_nan_for_gaps():
    m = prepare_features(FRAME, FEATURES, "drop")
    assert m.features == ("A", "B", "C")
    assert m.values.shape == (8, 3)
    assert np.isnan(m.values).sum() == 4
    assert np.isnan(m.values[[1, 4], 1]).all() and np.isnan(m.values[[2, 5], 2]).all()
    assert m.gaps == {"B": 2, "C": 2}


def test_drop_leaves_rows_out_and_says_how_many():
    m = prepare_features(FRAME, FEATURES, "drop")
    assert m.missing == "drop"
    assert m.used.tolist() == [True, False, False, True, False, False, True, True]
    assert m.rows_left_out == 4
    np.testing.assert_array_equal(m.X, [[10, 5, 1.5], [40, 9, 4.5], [70, 13, 7.5], [80, 100, 8.5]])
    assert not np.isnan(m.X).any()
    assert any("4 of 8 rows" in n and "left out" in n for n in m.notes)
    assert any("'C': 1 cell is not a number" in n for n in m.notes)
    assert m.fill_values == {}
    assert "4 of 8 rows have a missing value in a chosen column and are left out of the model; they stay in the " \
           "downloads with an empty cluster." in m.notes


def test_one_row_left_out_is_one_row():
    """Found from outside (the shared bank churners file, its description row): "1 of 10,128 rows have a missing
    value in a chosen column and are left out of the model; they stay in the downloads"."""
    m = prepare_features(FRAME, ["A", "B"], "drop")
    assert m.rows_left_out == 2
    m = prepare_features(FRAME.drop(index=4), ["A", "B"], "drop")
    assert "1 of 7 rows has a missing value in a chosen column and is left out of the model; it stays in the " \
           "downloads with an empty cluster." in m.notes


@pytest.mark.parametrize("strategy,b_fill,c_fill", [
    ("mean", B_PRESENT.mean(), C_PRESENT.mean()),
    ("median", np.median(B_PRESENT), np.median(C_PRESENT)),
])
def test_mean_and_median_fill(strategy, b_fill, c_fill):
    m = prepare_features(FRAME, FEATURES, strategy)
    assert m.used.all() and m.rows_left_out == 0
    assert m.X.shape == (8, 3)
    assert m.X[1, 1] == pytest.approx(b_fill) and m.X[4, 1] == pytest.approx(b_fill)
    assert m.X[2, 2] == pytest.approx(c_fill) and m.X[5, 2] == pytest.approx(c_fill)
    assert m.fill_values == pytest.approx({"B": b_fill, "C": c_fill})
    # untouched cells keep their values; filled ones are never zero
    gaps = np.isnan(m.values)
    np.testing.assert_array_equal(m.X[~gaps], m.values[~gaps])
    assert (m.X[gaps] != 0).all()
    assert not (m.X == 0).any()
    assert any(f"filled with the {strategy}" in n and "'B'" in n for n in m.notes)


def test_mean_and_median_differ_here():
    # guards the test above: a swapped implementation would fail it
    assert B_PRESENT.mean() != np.median(B_PRESENT)


def test_error_lists_columns_and_counts():
    with pytest.raises(MissingValuesError) as info:
        prepare_features(FRAME, FEATURES, "error")
    assert info.value.counts == {"B": 2, "C": 2}
    assert "'B' (2)" in str(info.value) and "'C' (2)" in str(info.value)
    assert "'A'" not in str(info.value)
    assert isinstance(info.value, DataError)


def test_error_strategy_without_gaps_is_fine():
    m = prepare_features(FRAME, ["A"], "error")
    assert m.used.all() and m.notes == [] and m.gaps == {}
    np.testing.assert_array_equal(m.X[:, 0], np.arange(10, 90, 10))


@pytest.mark.parametrize("strategy", MISSING_STRATEGIES[:3])
def test_never_zero_filled_when_a_column_is_mostly_missing(strategy):
    frame = pd.DataFrame({"x": ["", "", "", "4", "6", "8"], "y": ["1", "2", "3", "4", "5", "6"]})
    m = prepare_features(frame, ["x", "y"], strategy)
    assert not (m.X == 0).any()
    assert not (np.nan_to_num(m.values, nan=1.0) == 0).any()


def test_decimal_comma():
    frame = pd.DataFrame({"s": ["3,5", "", "4,5"]})
    m = prepare_features(frame, ["s"], "mean", decimal=",")
    np.testing.assert_allclose(m.X[:, 0], [3.5, 4.0, 4.5])


@pytest.mark.parametrize("features,strategy,match", [
    (["A", "Nope"], "drop", "no column 'Nope'"),
    ([], "drop", "at least one"),
    (["A", "A"], "drop", "repeated: 'A'"),
    (["Name"], "drop", "'Name' is not a numeric column"),
    (["A"], "zero", "Unknown missing-value strategy 'zero'"),
])
def test_feature_errors(features, strategy, match):
    with pytest.raises(FeatureError, match=match):
        prepare_features(FRAME, features, strategy)


def test_rows_left_out_keep_an_empty_cluster():
    rng = np.random.default_rng(1)
    n = 40
    frame = pd.DataFrame({
        "ID": [f"{i:03d}" for i in range(n)],
        "x": [f"{v:.3f}" for v in np.r_[rng.normal(0, 1, n // 2), rng.normal(8, 1, n // 2)]],
        "y": [f"{v:.3f}" for v in rng.normal(0, 1, n)],
    })
    frame.loc[[3, 17, 30], "y"] = ["", "NA", "oops"]
    seg = segment_new(frame, ["x", "y"], k=2, seed=0, missing="drop")
    out = clustered_table(frame, seg)
    assert len(out) == n
    assert list(out.columns) == ["ID", "x", "y", "cluster", "segment"]
    pd.testing.assert_frame_equal(out[["ID", "x", "y"]], frame)
    assert out["cluster"].isna().tolist() == [i in (3, 17, 30) for i in range(n)]
    assert set(out["cluster"].dropna()) == {1, 2}
    assert seg.scored.sum() == n - 3
    assert any("3 of 40 rows" in note for note in seg.notes)
