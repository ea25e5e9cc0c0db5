"""core.demo: the generated demo data, its built-in segments, and the shipped CSV."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.metrics import adjusted_rand_score

from core.demo import DEMO_FEATURES, DEMO_PATH, DEMO_ROWS, DEMO_SEGMENTS, generate_demo
from core.insight import recommend_k
from core.insight.naming import segment_names
from core.io import read_table
from core.model import standardiser
from core.options import SWEEP_K_MAX, SWEEP_K_MIN
from core.prepare import prepare_features
from core.quality import check_quality
from core.segmentation import segment_new
from core.selection import sweep_k


def test_columns_and_size():
    frame, truth = generate_demo()
    assert list(frame.columns) == ["CustomerID", "Gender", "Age", "Annual Income (k$)", "Spending Score (1-100)"]
    assert len(frame) == DEMO_ROWS == len(truth)
    assert frame["CustomerID"].tolist() == list(range(1, DEMO_ROWS + 1))
    assert set(frame["Gender"]) == {"Female", "Male"}
    assert set(np.unique(truth)) == set(range(len(DEMO_SEGMENTS)))
    shares = np.bincount(truth) / len(truth)
    np.testing.assert_allclose(shares, [s[1] for s in DEMO_SEGMENTS], atol=0.05)


def test_generate_demo_is_reproducible_and_seeded():
    a, ta = generate_demo()
    b, tb = generate_demo()
    pd.testing.assert_frame_equal(a, b)
    np.testing.assert_array_equal(ta, tb)
    c, _ = generate_demo(seed=1)
    assert not a.equals(c)
    small, small_truth = generate_demo(rows=50, seed=3)
    assert len(small) == 50 == len(small_truth)


def test_shipped_csv_equals_generated_data():
    frame, _ = generate_demo()
    expected = frame.to_csv(index=False, lineterminator="\n").encode("utf-8")
    assert DEMO_PATH.read_bytes() == expected
    table = read_table(DEMO_PATH)
    assert list(table.frame.columns) == list(frame.columns)
    assert table.frame.to_dict("list") == frame.astype(str).to_dict("list")


def test_built_in_segments_recovered_with_k5(demo):
    frame, truth = demo
    report = check_quality(frame)
    assert report.default_features == DEMO_FEATURES  # CustomerID left out as ID-like, Gender is text
    seg = segment_new(frame, DEMO_FEATURES, k=5, seed=0)
    assert seg.scored.all()
    assert adjusted_rand_score(truth, seg.labels) >= 0.9
    # the largest built-in segment is cluster 0
    majority = np.bincount(seg.labels[truth == 0]).argmax()
    assert majority == 0


def test_demo_sweep_recommends_its_built_in_segments_clearly(demo):
    """A first-time user's first recommendation: the demo's sweep (as the model page and ``segments sweep`` run
    it) gives the number of segments the demo was generated with, every measure agreeing, well inside the
    range, stable under resampling; the fit at that k recovers the built-in segments, and their names differ.

    Before: the elbow said k=4 and Calinski-Harabasz k=6 (each segment's age spread almost as wide as the
    whole file's, so K-Means gained from cutting a segment by age)."""
    frame, truth = demo
    matrix = prepare_features(frame, DEMO_FEATURES)
    sweep = sweep_k(matrix.X, SWEEP_K_MIN, SWEEP_K_MAX, seed=0, scale=standardiser(matrix.X, matrix.transforms))
    advice = recommend_k(sweep, sweep.rows)
    assert advice.k == len(DEMO_SEGMENTS)
    assert not advice.at_edge and advice.k < sweep.k_max
    assert advice.votes == dict.fromkeys(["elbow", "silhouette", "calinski_harabasz", "davies_bouldin"], advice.k)
    assert advice.reason.startswith("All four measures agree")
    assert not advice.warnings
    table = sweep.full_table().set_index("k")
    assert table.loc[advice.k, "stability"] >= 0.95
    seg = segment_new(frame, DEMO_FEATURES, k=advice.k, seed=0)
    assert adjusted_rand_score(truth, seg.labels) > 0.9
    names = segment_names(seg)
    assert len(set(names)) == advice.k, names
