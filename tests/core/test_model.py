"""core.model: known answers against scikit-learn run directly, size-ordered renumbering, reproducibility."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.cluster import KMeans
from sklearn.metrics import adjusted_rand_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

import core.model as model_module
from core.errors import NotEnoughRowsError
from core.model import (
    SizeOrderedKMeans,
    build_segmenter,
    check_rows_for_k,
    clusterer,
    display_cluster,
    fit_segmenter,
    original_centers,
    scaled_centers,
    scaler_of,
    size_order,
    transform_of,
)
from core.prepare import prepare_features
from core.segmentation import segment_new


def _mixed_scale_data(seed: int = 3) -> np.ndarray:
    """Four blobs of different sizes, on features with very different units (so scaling matters)."""
    rng = np.random.default_rng(seed)
    sizes = [90, 55, 35, 20]
    centers = [(30, 20_000, 0.1), (45, 80_000, 0.5), (60, 40_000, 0.9), (25, 120_000, 0.3)]
    spreads = (4, 6_000, 0.05)
    X = np.vstack([rng.normal(c, spreads, size=(n, 3)) for n, c in zip(sizes, centers)])
    return X[rng.permutation(len(X))]


def _overlapping_data(seed: int = 5) -> np.ndarray:
    """No real clusters at all: where K-Means ends up depends entirely on the algorithm and seed."""
    rng = np.random.default_rng(seed)
    return rng.uniform(0, 1, size=(240, 2)) * [1, 1000]


def _direct(X: np.ndarray, k: int, seed: int) -> Pipeline:
    return Pipeline([("scaler", StandardScaler()),
                     ("kmeans", KMeans(n_clusters=k, n_init=10, random_state=seed))]).fit(X)


@pytest.mark.parametrize("data,k,seed", [
    (_mixed_scale_data(), 4, 0),
    (_mixed_scale_data(), 4, 11),
    (_mixed_scale_data(), 6, 2),
    (_overlapping_data(), 3, 0),
    (_overlapping_data(), 5, 42),
])
def test_known_answer_against_sklearn(data, k, seed):
    ours = fit_segmenter(data, k, seed)
    ref = _direct(data, k, seed)
    our_labels = clusterer(ours).labels_
    ref_labels = clusterer(ref).labels_

    # identical partition
    assert adjusted_rand_score(ref_labels, our_labels) == 1.0
    # ... renumbered by size: ours = rank of the reference cluster's size (largest first)
    ref_sizes = np.bincount(ref_labels, minlength=k)
    mapping = {}
    for r, o in zip(ref_labels, our_labels):
        assert mapping.setdefault(r, o) == o  # one-to-one
    order = [r for r, _ in sorted(mapping.items(), key=lambda item: item[1])]
    assert sorted(order) == list(range(k))
    assert list(ref_sizes[order]) == sorted(ref_sizes, reverse=True)
    # same WCSS
    ours_inertia = clusterer(ours).inertia_
    ref_inertia = clusterer(ref).inertia_
    assert abs(ours_inertia - ref_inertia) <= 1e-9 * ref_inertia
    # the same centroids, in the new order; the scaler is the same
    np.testing.assert_allclose(scaled_centers(ours), clusterer(ref).cluster_centers_[order],
                               rtol=0, atol=1e-12)
    np.testing.assert_allclose(scaler_of(ours).mean_, scaler_of(ref).mean_)
    # predict gives the renumbered labels (the estimator itself was renumbered)
    np.testing.assert_array_equal(ours.predict(data), our_labels)


def test_known_answer_through_segment_new(blobs):
    frame, _ = blobs([60, 30, 10], [(0, 0), (6, 0), (0, 6)], seed=8)
    seg = segment_new(frame, ["f0", "f1"], k=3, seed=4)
    X = prepare_features(frame, ["f0", "f1"]).X
    ref = _direct(X, 3, 4)
    assert adjusted_rand_score(clusterer(ref).labels_, seg.labels) == 1.0
    assert clusterer(seg.pipeline).inertia_ == pytest.approx(
        clusterer(ref).inertia_, rel=1e-9)
    np.testing.assert_array_equal(np.bincount(seg.labels), [60, 30, 10])


def test_cluster_zero_is_the_largest():
    X = _mixed_scale_data()
    for k in (2, 3, 4, 5):
        labels = clusterer(fit_segmenter(X, k, 0)).labels_
        sizes = np.bincount(labels, minlength=k)
        assert sizes[0] == sizes.max()
        assert list(sizes) == sorted(sizes, reverse=True)


def test_reproducible_labels_in_identical_order():
    X = _overlapping_data()
    first = fit_segmenter(X, 4, 7)
    second = fit_segmenter(X.copy(), 4, 7)
    np.testing.assert_array_equal(clusterer(first).labels_, clusterer(second).labels_)
    np.testing.assert_array_equal(scaled_centers(first), scaled_centers(second))
    assert clusterer(first).inertia_ == clusterer(second).inertia_


def test_equal_sizes_ordered_by_centroid_coordinates():
    # four clusters of exactly 10 identical points each: sizes tie, so the scaled centroids decide
    corners = [(5.0, 5.0), (0.0, 5.0), (5.0, 0.0), (0.0, 0.0)]
    X = np.repeat(np.array(corners), 10, axis=0)
    pipe = fit_segmenter(X, 4, 0)
    centers = original_centers(pipe)
    np.testing.assert_allclose(centers, [(0, 0), (0, 5), (5, 0), (5, 5)], atol=1e-9)
    assert np.bincount(clusterer(pipe).labels_).tolist() == [10, 10, 10, 10]


def test_size_order_directly():
    X = np.array([[0.0], [0.1], [10.0], [10.1], [10.2], [20.0], [20.1], [20.2], [20.3]])
    kmeans = KMeans(n_clusters=3, n_init=1, init=np.array([[0.0], [10.0], [20.0]])).fit(X)
    assert np.bincount(kmeans.labels_).tolist() == [2, 3, 4]
    assert size_order(kmeans.cluster_centers_, kmeans.labels_, 3).tolist() == [2, 1, 0]
    ours = SizeOrderedKMeans(3, n_init=1, random_state=0).fit(X)
    assert ours.labels_.tolist() == [2, 2, 1, 1, 1, 0, 0, 0, 0]
    np.testing.assert_allclose(ours.cluster_centers_[:, 0], [20.15, 10.1, 0.05])
    assert ours.predict(np.array([[0.05], [20.0]])).tolist() == [2, 0]
    assert ours.fit_predict(X).tolist() == ours.labels_.tolist()  # ClusterMixin


def test_a_model_rebuilt_from_its_centres_predicts_as_the_fitted_one():
    X = _mixed_scale_data()
    fitted = fit_segmenter(X, 4, 0)
    rebuilt = SizeOrderedKMeans.from_centers(clusterer(fitted).cluster_centers_, random_state=0)
    scaled = fitted[:-1].transform(X)
    assert rebuilt.n_clusters == 4 and rebuilt.n_features_in_ == 3 and not hasattr(rebuilt, "labels_")
    np.testing.assert_array_equal(rebuilt.predict(scaled), clusterer(fitted).predict(scaled))
    np.testing.assert_array_equal(rebuilt.predict(scaled), clusterer(fitted).labels_)
    with pytest.raises(ValueError):
        rebuilt.predict(scaled[:, :2])  # the wrong number of features
    with pytest.raises(ValueError):
        SizeOrderedKMeans.from_centers(np.array([np.nan, 1.0]))


def test_size_ordered_kmeans_follows_scikit_learn_conventions():
    """Every check of scikit-learn's check_estimator passes. The one scikit-learn skips by itself
    (check_array_api_input, without SCIPY_ARRAY_API set) does not apply: the model runs on numpy only."""
    from sklearn.utils.estimator_checks import check_estimator

    results = check_estimator(SizeOrderedKMeans(n_clusters=3, random_state=0), on_fail=None)
    failed = {r["check_name"]: r["exception"] for r in results if r["status"] == "failed"}
    assert failed == {}, failed
    assert {r["check_name"] for r in results if r["status"] != "passed"} <= {"check_array_api_input"}
    assert sum(r["status"] == "passed" for r in results) >= 40


def test_original_centers_are_cluster_means():
    X = _mixed_scale_data()
    pipe = fit_segmenter(X, 4, 0)
    labels = clusterer(pipe).labels_
    means = np.vstack([X[labels == c].mean(axis=0) for c in range(4)])
    np.testing.assert_allclose(original_centers(pipe), means, rtol=1e-6)


def test_sampled_fit_above_full_fit_limit(monkeypatch):
    X = _mixed_scale_data()
    monkeypatch.setattr(model_module, "FULL_FIT_MAX_ROWS", 80)
    pipe = fit_segmenter(X, 4, 0)
    again = fit_segmenter(X, 4, 0)
    labels = clusterer(pipe).labels_
    assert labels.shape == (X.shape[0],)
    np.testing.assert_array_equal(labels, clusterer(again).labels_)
    ref = _direct(X, 4, 0)
    assert adjusted_rand_score(clusterer(ref).labels_, labels) == 1.0
    assert clusterer(pipe).inertia_ == pytest.approx(clusterer(ref).inertia_, rel=1e-6)
    sizes = np.bincount(labels)
    assert list(sizes) == sorted(sizes, reverse=True)


def test_not_enough_rows():
    X = np.arange(6, dtype=float).reshape(3, 2)
    with pytest.raises(NotEnoughRowsError, match="at least 4 customers"):
        fit_segmenter(X, 4, 0)
    with pytest.raises(NotEnoughRowsError, match="at least 1"):
        check_rows_for_k(X, 0)
    duplicates = np.array([[1.0, 2.0]] * 5 + [[3.0, 4.0]] * 5)
    with pytest.raises(NotEnoughRowsError, match="2 distinct combinations"):
        fit_segmenter(duplicates, 3, 0)
    check_rows_for_k(duplicates, 2)


def test_build_segmenter_and_display_numbers():
    pipe = build_segmenter(3, seed=9)
    assert [type(step) for _, step in pipe.steps] == [StandardScaler, SizeOrderedKMeans]
    assert clusterer(pipe).n_clusters == 3
    assert clusterer(pipe).random_state == 9
    assert clusterer(pipe).n_init == 10
    assert transform_of(pipe) is None and transform_of(build_segmenter(2, transforms=("log",))) is not None
    assert display_cluster(0) == 1 and display_cluster(np.int64(4)) == 5
