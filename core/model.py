"""The segmentation model: ``StandardScaler`` + ``KMeans`` as one scikit-learn pipeline.

**Transforms.** When some feature is transformed (a log of a skewed spend column, see
:mod:`core.transform`), the pipeline starts with a ``"transform"`` step
(:class:`core.transform.FeatureTransform`); ``StandardScaler`` stays the step right before K-Means.
Without transforms the pipeline is exactly ``StandardScaler`` + ``KMeans``, as before.
:func:`model_space` gives the values K-Means sees for either shape.

**Cluster numbering rule.** K-Means numbers its clusters in an arbitrary order. Core renumbers them
so that cluster 0 is the **largest** segment, cluster 1 the next largest, and so on; clusters of equal
size are ordered by their scaled centroid coordinates (smallest first). The renumbering is applied to
the fitted estimator itself (its ``cluster_centers_`` are reordered), so ``pipeline.predict`` returns
the same numbers. People see these numbers plus one ("Cluster 1" is the largest); see
:func:`display_cluster`.

**Reproducibility.** With the same data, features, k and seed the result is identical on every run
and machine: the seed drives k-means++ and any sampling, and every other choice is deterministic.

**Size.** Up to :data:`FULL_FIT_MAX_ROWS` rows, K-Means runs with ``n_init=10`` on all rows. Beyond,
the ten k-means++ starts run on a seeded sample of that many rows and one full-data Lloyd run refines
the best of them (measured to reach the same WCSS as ``n_init=10`` on all rows; see docs/performance.md).
"""

from __future__ import annotations

import numpy as np
from sklearn.cluster import KMeans
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from .errors import NotEnoughRowsError
from .transform import FeatureTransform

__all__ = [
    "build_segmenter",
    "fit_segmenter",
    "relabel_by_size",
    "scaled_centers",
    "model_space",
    "standardised",
    "original_centers",
    "display_cluster",
    "check_rows_for_k",
    "FULL_FIT_MAX_ROWS",
    "DISPLAY_OFFSET",
    "N_INIT",
]

#: Above this many rows, the k-means++ starts run on a seeded sample of this size.
FULL_FIT_MAX_ROWS = 100_000
#: Added to internal labels for the numbers people see (cluster 1 is the largest).
DISPLAY_OFFSET = 1
#: K-Means restarts; the best (lowest WCSS) is kept.
N_INIT = 10


def build_segmenter(k: int, seed: int = 0, n_init: int = N_INIT, transforms: tuple[str, ...] = ()) -> Pipeline:
    """An unfitted ``StandardScaler`` + ``KMeans(k)`` pipeline with a fixed seed (after the transforms, if any)."""
    return Pipeline(_front(transforms) + [
        ("scaler", StandardScaler()),
        ("kmeans", KMeans(n_clusters=k, n_init=n_init, random_state=seed)),
    ])


def _front(transforms: tuple[str, ...] | list[str]) -> list[tuple[str, FeatureTransform]]:
    """The transform step, when some feature is transformed (none otherwise: the classic two steps)."""
    step = FeatureTransform(tuple(transforms))
    return [("transform", step)] if step.active else []


def standardised(X: np.ndarray, transforms: tuple[str, ...] = ()) -> np.ndarray:
    """``X`` transformed (see :mod:`core.transform`) and standardised, as a new model would see it (for sweeps)."""
    return np.asarray(StandardScaler().fit_transform(FeatureTransform(tuple(transforms)).fit(X).transform(X)))


def model_space(pipeline: Pipeline, X: np.ndarray) -> np.ndarray:
    """``X`` (original units) as K-Means sees it: transformed (if the model transforms) and standardised."""
    return np.asarray(pipeline[:-1].transform(X))


def check_rows_for_k(X: np.ndarray, k: int) -> None:
    """Raise :class:`NotEnoughRowsError` unless ``X`` has at least ``k`` distinct rows."""
    if k < 1:
        raise NotEnoughRowsError("The number of segments must be at least 1.")
    rows = int(X.shape[0])
    if rows < k:
        raise NotEnoughRowsError(
            f"{k} segments need at least {k} customers with usable values, but only {rows:,} "
            f"{'is' if rows == 1 else 'are'} available. Choose fewer segments or fix the missing values.")
    distinct = int(np.unique(X[:1_000], axis=0).shape[0])  # almost always enough: sorting 1,000 rows is instant
    if distinct < k and rows > 1_000:
        distinct = int(np.unique(X[: min(rows, 200_000)], axis=0).shape[0])
    if distinct < k:
        raise NotEnoughRowsError(
            f"{k} segments need at least {k} different customers, but the chosen columns take only "
            f"{distinct:,} distinct combination{'s' if distinct != 1 else ''} of values. Choose fewer segments.")


def fit_segmenter(X: np.ndarray, k: int, seed: int = 0, transforms: tuple[str, ...] = ()) -> Pipeline:
    """Fit the scaler and K-Means on ``X`` (original units) and renumber clusters by size.

    Parameters
    ----------
    X : numpy.ndarray
        ``(rows, features)`` without missing values.
    k : int
        Number of segments.
    seed : int
        Random seed for k-means++ and sampling.
    transforms : tuple of str
        One :data:`core.transform.TRANSFORMS` per feature (empty: none), applied before the scaler.

    Returns
    -------
    sklearn.pipeline.Pipeline
        Fitted; ``predict`` returns the renumbered clusters.

    Raises
    ------
    NotEnoughRowsError
        Fewer (distinct) rows than ``k``.
    """
    check_rows_for_k(X, k)
    front = _front(transforms)
    if front:
        X = front[0][1].fit(X).transform(X)
    scaler = StandardScaler().fit(X)
    scaled = scaler.transform(X)
    rows = scaled.shape[0]
    if rows <= FULL_FIT_MAX_ROWS:
        kmeans = KMeans(n_clusters=k, n_init=N_INIT, random_state=seed).fit(scaled)
    else:
        rng = np.random.default_rng(seed)
        sample = np.sort(rng.choice(rows, size=FULL_FIT_MAX_ROWS, replace=False))
        start = KMeans(n_clusters=k, n_init=N_INIT, random_state=seed).fit(scaled[sample])
        # copy_x=False: K-Means centres our own scaled copy in place (and restores it) instead of copying it
        # again, so the fit's peak memory is one scaled copy of the data, not two. tol=0: Lloyd runs until
        # no customer changes segment; any other tolerance makes scikit-learn compute the data's variance
        # with a temporary the size of the data (and from the sample's centres this takes 2-4 rounds,
        # faster than that variance: 1.4 s against 2.7 s at 10^7 rows, the same WCSS to 10 digits).
        kmeans = KMeans(n_clusters=k, init=start.cluster_centers_, n_init=1, random_state=seed,
                        copy_x=False, tol=0.0).fit(scaled)
        kmeans.set_params(copy_x=True, tol=KMeans().tol)  # the fitted model as any other (for refits, bundles)
    relabel_by_size(kmeans)
    return Pipeline(front + [("scaler", scaler), ("kmeans", kmeans)])


def relabel_by_size(kmeans: KMeans) -> np.ndarray:
    """Renumber a fitted KMeans in place: largest cluster 0; ties by centroid coordinates.

    Returns
    -------
    numpy.ndarray
        ``order``: the new cluster ``i`` was the old cluster ``order[i]``.
    """
    centers = kmeans.cluster_centers_
    k = centers.shape[0]
    sizes = np.bincount(kmeans.labels_, minlength=k)
    # np.lexsort sorts by the last key first: size (descending), then centroid coordinates.
    keys = [centers[:, j] for j in reversed(range(centers.shape[1]))] + [-sizes]
    order = np.lexsort(keys)
    new_number = np.empty(k, dtype=np.int64)
    new_number[order] = np.arange(k)
    kmeans.cluster_centers_ = np.ascontiguousarray(centers[order])
    kmeans.labels_ = new_number[kmeans.labels_].astype(kmeans.labels_.dtype)
    return order


def scaled_centers(pipeline: Pipeline) -> np.ndarray:
    """Centroids in standardised units, ``(k, features)``."""
    return np.asarray(pipeline.named_steps["kmeans"].cluster_centers_)


def original_centers(pipeline: Pipeline) -> np.ndarray:
    """Centroids in the features' original units, ``(k, features)``."""
    return np.asarray(pipeline[:-1].inverse_transform(scaled_centers(pipeline)))


def display_cluster(label: int) -> int:
    """The number people see for an internal cluster label: ``label + 1`` (Cluster 1 is the largest)."""
    return int(label) + DISPLAY_OFFSET
