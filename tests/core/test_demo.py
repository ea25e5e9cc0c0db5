"""core.demo: the generated demo data, its built-in segments, and the shipped CSV."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.metrics import adjusted_rand_score

from core.demo import DEMO_FEATURES, DEMO_PATH, DEMO_ROWS, DEMO_SEGMENTS, generate_demo
from core.io import read_table
from core.quality import check_quality
from core.segmentation import segment_new


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
