"""core.selection: the k sweep (WCSS, silhouette, elbow), sampling thresholds, too-few-rows errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.cluster import KMeans
from sklearn.metrics import silhouette_score
from sklearn.preprocessing import StandardScaler

import core.selection as selection
from core import silhouette_fast
from core.errors import NotEnoughRowsError
from core.selection import find_elbow, silhouette, sweep_k


def _four_blobs(n_per: int = 40, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centers = [(0, 0), (6, 0), (0, 6), (6, 6)]
    X = np.vstack([rng.normal(c, 0.5, size=(n_per, 2)) for c in centers])
    return StandardScaler().fit_transform(X)


@pytest.fixture(scope="module")
def swept():
    X = _four_blobs()
    return X, sweep_k(X, k_min=2, k_max=8, seed=0)


def test_sweep_table(swept):
    X, result = swept
    table = result.table
    assert list(table.columns) == ["k", "wcss", "silhouette"]
    assert table["k"].tolist() == list(range(1, 9))
    assert pd.api.types.is_integer_dtype(table["k"])
    assert np.isnan(table.loc[0, "silhouette"])
    assert table["silhouette"].iloc[1:].notna().all()
    assert ((table["silhouette"].iloc[1:] > -1) & (table["silhouette"].iloc[1:] <= 1)).all()
    assert (result.k_min, result.k_max, result.sample_rows) == (2, 8, None)
    shown = result.shown()
    assert shown["k"].tolist() == list(range(2, 9))


def test_wcss_decreasing_and_known_values(swept):
    X, result = swept
    wcss = result.table["wcss"].to_numpy()
    assert (np.diff(wcss) < 0).all()
    # k = 1: total sum of squares of standardised data = rows * features
    assert wcss[0] == pytest.approx(X.shape[0] * X.shape[1])
    ref = KMeans(n_clusters=4, n_init=10, random_state=0).fit(X)
    assert wcss[3] == pytest.approx(ref.inertia_, rel=1e-9)
    assert result.table.loc[3, "silhouette"] == pytest.approx(silhouette_score(X, ref.labels_), rel=1e-9)


def test_elbow_and_best_silhouette_find_the_four_blobs(swept):
    _, result = swept
    assert result.elbow == 4
    assert result.best_silhouette == 4


def test_find_elbow_on_a_clear_knee():
    ks = np.arange(1, 11)
    wcss = np.array([1000, 420, 150, 120, 100, 90, 82, 76, 71, 67], dtype=float)
    assert find_elbow(ks, wcss) == 3
    # a knee at 5
    wcss5 = np.array([1000, 800, 600, 400, 200, 180, 165, 152, 141, 131], dtype=float)
    assert find_elbow(ks, wcss5) == 5
    # never below k_min and never the last k
    assert find_elbow(ks, wcss, k_min=6) == 6
    assert find_elbow(ks, np.linspace(100, 10, 10)) in range(2, 10)


def test_find_elbow_edge_cases():
    assert find_elbow(np.array([1, 2]), np.array([10.0, 5.0])) == 2
    assert find_elbow(np.array([]), np.array([]), k_min=3) == 3
    assert find_elbow(np.array([1, 2, 3, 4]), np.array([5.0, 5.0, 5.0, 5.0])) in (2, 3)


def test_silhouette_sampled_above_threshold(monkeypatch):
    X = _four_blobs(n_per=50)  # 200 rows
    labels = KMeans(n_clusters=3, n_init=10, random_state=0).fit(X).labels_
    full = silhouette_score(X, labels)
    assert silhouette(X, labels, seed=0) == pytest.approx(full)

    calls = []
    real = silhouette_fast.silhouette_score

    def spy(X_, labels_, **kwargs):
        calls.append(kwargs)
        return real(X_, labels_, **kwargs)

    monkeypatch.setattr(selection, "SILHOUETTE_SAMPLE", 60)
    monkeypatch.setattr(silhouette_fast, "silhouette_score", spy)
    sampled = silhouette(X, labels, seed=3)
    assert calls[-1] == {"sample_size": 60, "random_state": 3}
    assert sampled == pytest.approx(silhouette_score(X, labels, sample_size=60, random_state=3))
    assert sampled != pytest.approx(full, abs=1e-12)
    assert silhouette(X, labels, seed=3) == sampled  # seeded: reproducible
    # at the threshold exactly, no sampling
    monkeypatch.setattr(selection, "SILHOUETTE_SAMPLE", 200)
    silhouette(X, labels, seed=3)
    assert calls[-1]["sample_size"] is None


def test_sweep_uses_the_silhouette_sample(monkeypatch):
    X = _four_blobs(n_per=30)
    sizes = []
    real = silhouette_fast.silhouette_score

    def spy(X_, labels_, **kwargs):
        sizes.append(kwargs["sample_size"])
        return real(X_, labels_, **kwargs)

    monkeypatch.setattr(selection, "SILHOUETTE_SAMPLE", 50)
    monkeypatch.setattr(silhouette_fast, "silhouette_score", spy)
    sweep_k(X, 2, 4, seed=0)
    assert sizes == [50, 50, 50]


def test_silhouette_undefined():
    X = _four_blobs(n_per=5)
    assert silhouette(X, np.zeros(len(X), dtype=int)) is None
    assert silhouette(X, np.arange(len(X))) is None


def test_sweep_on_a_sample_above_the_row_limit(monkeypatch):
    X = _four_blobs(n_per=50)  # 200 rows
    monkeypatch.setattr(selection, "SWEEP_MAX_ROWS", 100)
    result = sweep_k(X, 2, 6, seed=1)
    assert result.sample_rows == 100
    wcss = result.table["wcss"].to_numpy()
    assert (np.diff(wcss) < 0).all()
    # scaled back to the full data: close to the full k=1 total sum of squares (200 rows * 2 features)
    assert wcss[0] == pytest.approx(400, rel=0.2)
    assert result.elbow == 4
    again = sweep_k(X, 2, 6, seed=1)
    pd.testing.assert_frame_equal(result.table, again.table)


def test_progress_callback():
    X = _four_blobs(n_per=10)
    calls = []
    sweep_k(X, 2, 5, seed=0, progress=lambda done, total: calls.append((done, total)))
    assert calls == [(1, 5), (2, 5), (3, 5), (4, 5), (5, 5)]


def test_k_max_lowered_to_distinct_rows():
    X = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [1.0, 1.0]])
    result = sweep_k(X, 2, 10)
    assert result.k_max == 3
    assert result.table["k"].tolist() == [1, 2, 3]


@pytest.mark.parametrize("X,k_min,k_max,match", [
    (np.array([[0.0], [1.0]]), 2, 5, "at least 3 different customers"),
    (np.array([[0.0], [1.0], [1.0], [0.0]]), 2, 5, "at least 3 different customers"),
    (np.arange(10.0).reshape(5, 2), 5, 8, "at least 6 different customers"),
    (np.arange(20.0).reshape(10, 2), 1, 5, "at least 2"),
    (np.arange(20.0).reshape(10, 2), 5, 4, "range is empty"),
])
def test_not_enough_rows(X, k_min, k_max, match):
    with pytest.raises(NotEnoughRowsError, match=match):
        sweep_k(X, k_min, k_max)


def test_the_sweep_records_the_customers_its_features_came_from():
    """recommend_k weighs segment sizes against these rows, in the CLI and the dashboard alike (a sample
    above SWEEP_MAX_ROWS does not change them)."""
    from core.options import SWEEP_K_MAX, SWEEP_K_MIN
    from core.selection import sweep_k

    X = np.random.default_rng(0).normal(size=(300, 2))
    result = sweep_k(X)
    assert result.rows == 300 and (result.k_min, result.k_max) == (SWEEP_K_MIN, SWEEP_K_MAX)
