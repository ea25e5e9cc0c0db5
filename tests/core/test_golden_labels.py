"""Golden labels: the same data, settings and seed give the same labels in the same order, release after release.

The digests below were taken from the implementation before the size-ordered K-Means became a scikit-learn
estimator (issue 14, item 7): any refactor of the model must keep every one of them. The data is generated
(seeded), so the test reads no file. A digest is SHA-256 of the internal labels as int64 bytes; the sizes
and the first labels are kept beside it so a failure shows what moved.
"""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd
import pytest

from core.model import FULL_FIT_MAX_ROWS, fit_segmenter
from core.persist import SavedModel, bundle_bytes, load_bundle, load_shipped_model
from core.segmentation import segment_new


def _blobs(rows: int, seed: int) -> np.ndarray:
    """Five blobs of unequal sizes on three features of very different units, plus a skewed spend."""
    rng = np.random.default_rng(seed)
    centres = np.array([(30, 20_000, 0.1), (45, 80_000, 0.5), (60, 40_000, 0.9), (25, 120_000, 0.3),
                        (50, 60_000, 0.2)])
    weights = np.array([0.35, 0.25, 0.2, 0.12, 0.08])
    group = rng.choice(5, size=rows, p=weights)
    X = centres[group] + rng.normal(0, 1, size=(rows, 3)) * np.array([6, 9_000, 0.08])
    spend = rng.lognormal(3 + group * 0.4, 0.8)
    return np.column_stack([X, spend])


def _uniform(rows: int, seed: int) -> np.ndarray:
    """No real groups: where K-Means ends depends on the seed, so a change in the algorithm shows."""
    return np.random.default_rng(seed).uniform(0, 1, size=(rows, 3)) * np.array([1, 1_000, 50])


def _data(kind: str, rows: int, seed: int, width: int) -> np.ndarray:
    return (_blobs(rows, seed) if kind == "blobs" else _uniform(rows, seed))[:, :width]


def _digest(labels: np.ndarray) -> str:
    return hashlib.sha256(np.asarray(labels, dtype=np.int64).tobytes()).hexdigest()[:16]


def _fit_labels(X: np.ndarray, k: int, seed: int, transforms: tuple[str, ...] = ()) -> np.ndarray:
    return np.asarray(fit_segmenter(X, k, seed, transforms).predict(X), dtype=np.int64)


#: (data, rows, data seed, k, model seed, transforms) -> (digest, sizes, first 12 labels)
GOLDEN = {
    ("blobs", 2_000, 1, 4, 0, ()): ("f045576eea371692", [695, 668, 392, 245], [1, 1, 0, 1, 0, 1, 3, 1, 1, 0, 2, 1]),
    ("blobs", 2_000, 2, 6, 42, ()): ("e9fc0f7e02888044", [475, 400, 374, 341, 235, 175],
                                     [2, 3, 4, 3, 1, 1, 3, 3, 2, 1, 0, 3]),
    ("blobs", 3_000, 3, 5, 1, ("none", "none", "none", "log")): ("2b65d33ba9fbf21c", [1067, 665, 610, 338, 320],
                                                                  [0, 0, 3, 1, 0, 4, 1, 0, 2, 0, 1, 1]),
    ("blobs", 500, 4, 3, 2024, ()): ("838e927b52644cb2", [236, 156, 108], [0, 0, 0, 1, 2, 0, 0, 1, 0, 0, 0, 0]),
    ("uniform", 1_500, 1, 5, 0, ()): ("863b65fbdc708a2b", [349, 314, 297, 292, 248],
                                      [2, 1, 1, 0, 2, 1, 0, 0, 4, 0, 1, 4]),
    ("uniform", 1_500, 1, 5, 3, ()): ("8cf01d9ba1372693", [349, 315, 295, 294, 247],
                                      [2, 1, 1, 0, 2, 1, 0, 0, 4, 0, 1, 4]),
    ("uniform", 1_500, 2, 7, 11, ()): ("d22e82a6b8ec3f67", [230, 229, 222, 215, 214, 206, 184],
                                       [5, 0, 6, 3, 1, 0, 6, 0, 1, 3, 0, 4]),
}


@pytest.mark.parametrize("case", list(GOLDEN))
def test_fit_gives_the_golden_labels(case):
    kind, rows, data_seed, k, seed, transforms = case
    X = _data(kind, rows, data_seed, 4 if transforms else 3)
    labels = _fit_labels(X, k, seed, transforms)
    digest, sizes, first = GOLDEN[case]
    assert np.bincount(labels, minlength=k).tolist() == sizes
    assert labels[:12].tolist() == first
    assert _digest(labels) == digest


def test_a_large_fit_gives_the_golden_labels():
    """Above FULL_FIT_MAX_ROWS the starts run on a sample and one Lloyd run refines them on every row."""
    X = _blobs(FULL_FIT_MAX_ROWS + 20_000, 9)[:, :3]
    labels = _fit_labels(X, 5, 3)
    assert np.bincount(labels, minlength=5).tolist() == LARGE[1]
    assert labels[:12].tolist() == LARGE[2]
    assert _digest(labels) == LARGE[0]


LARGE = ("90d74e353a134bb4", [42091, 29442, 23867, 14445, 10155], [3, 0, 2, 2, 2, 3, 3, 3, 0, 1, 1, 0])


def test_a_saved_model_applied_gives_the_golden_labels():
    """Fit through segment_new, save as a JSON bundle, load it, apply it to new customers."""
    X = _blobs(2_000, 5)[:, :3]
    frame = pd.DataFrame(X, columns=["Age", "Income", "Share"])
    seg = segment_new(frame, ["Age", "Income", "Share"], k=4, seed=5)
    pipeline, _ = load_bundle(bundle_bytes(seg.saved_model("generated")))
    new = _blobs(1_000, 6)[:, :3]
    labels = np.asarray(pipeline.predict(new), dtype=np.int64)
    assert _digest(seg.labels) == APPLIED[0] and _digest(labels) == APPLIED[1]


APPLIED = ("a19cff13c3b655b1", "0c26886be86d24ed")


def test_the_shipped_model_gives_the_golden_labels():
    """The shipped model (pickled with a KMeans before SizeOrderedKMeans existed) labels 200,000 seeded
    customers over the whole income/spending range as the KMeans it was pickled with did."""
    pipeline, info = load_shipped_model()
    customers = np.random.default_rng(14).uniform([0, 0], [150, 100], size=(200_000, 2))
    labels = np.asarray(pipeline.predict(customers), dtype=np.int64)
    assert np.bincount(labels).tolist() == [26849, 55097, 56220, 30639, 31195]
    assert _digest(labels) == "f1b7d757f3204da2"
    rebuilt, _ = load_bundle(bundle_bytes(SavedModel(pipeline, info)))
    assert _digest(rebuilt.predict(customers)) == "f1b7d757f3204da2"
