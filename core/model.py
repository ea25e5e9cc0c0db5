"""The segmentation model: ``make_pipeline(<transform>, StandardScaler(), SizeOrderedKMeans(k))``.

**The estimator.** :class:`SizeOrderedKMeans` is a scikit-learn clusterer (``BaseEstimator``,
``ClusterMixin``: parameters in ``__init__``, learned attributes ending in ``_``, ``fit`` returns
``self``) that runs scikit-learn's ``KMeans`` and numbers the clusters by size. A saved model is rebuilt
from its centres with :meth:`SizeOrderedKMeans.from_centers`; nothing sets a private attribute.

**Transforms.** When some feature is transformed (a log of a skewed spend column, see
:mod:`core.transform`), the pipeline starts with a :class:`core.transform.FeatureTransform` step;
``StandardScaler`` stays the step right before the clusterer. Without transforms the pipeline is
exactly ``StandardScaler`` + ``SizeOrderedKMeans``. :func:`model_space` gives the values K-Means sees for
either shape; :func:`clusterer`, :func:`scaler_of` and :func:`transform_of` find the steps.

**Cluster numbering rule.** K-Means numbers its clusters in an arbitrary order. Core renumbers them
so that cluster 0 is the **largest** segment, cluster 1 the next largest, and so on; clusters of equal
size are ordered by their scaled centroid coordinates (smallest first). The estimator's
``cluster_centers_`` are in that order, so ``pipeline.predict`` returns the same numbers. People see
these numbers plus one ("Cluster 1" is the largest); see :func:`display_cluster`.

**Reproducibility.** With the same data, features, k and seed the result is identical on every run
and machine: the seed drives k-means++ and any sampling, and every other choice is deterministic.

**Size.** Up to :data:`FULL_FIT_MAX_ROWS` rows, K-Means runs with ``n_init=10`` on all rows. Beyond,
the ten k-means++ starts run on a seeded sample of that many rows and one full-data Lloyd run refines
the best of them (measured to reach the same WCSS as ``n_init=10`` on all rows; see docs/performance.md).
"""

from __future__ import annotations

import copy
import warnings
from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
from sklearn.base import BaseEstimator, ClusterMixin
from sklearn.cluster import KMeans
from sklearn.cluster._kmeans import _kmeans_single_lloyd
from sklearn.exceptions import ConvergenceWarning
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils._openmp_helpers import _openmp_effective_n_threads
from sklearn.utils.validation import check_is_fitted, validate_data

from .errors import NotEnoughRowsError
from .stats import FeatureStats
from .transform_step import FeatureTransform

__all__ = [
    "SizeOrderedKMeans",
    "build_segmenter",
    "fit_scaler",
    "fit_segmenter",
    "size_order",
    "clusterer",
    "scaler_of",
    "transform_of",
    "scaled_centers",
    "model_space",
    "standardised",
    "standardiser",
    "Standardiser",
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


#: Rows labelled per step by :meth:`SizeOrderedKMeans.predict` (a block of ``rows x k`` distances).
PREDICT_ROWS_PER_STEP = 65_536


class SizeOrderedKMeans(ClusterMixin, BaseEstimator):
    """K-Means (scikit-learn's, k-means++ starts) whose clusters are numbered by size: 0 is the largest.

    Up to ``full_fit_max_rows`` rows, ``KMeans(n_clusters, n_init, random_state)`` runs on every row.
    Beyond, the ``n_init`` starts run on a seeded sample of that many rows and one Lloyd run from the best
    of them refines the centres on every row (measured to reach the same WCSS as ``n_init`` starts on all
    rows; see docs/performance.md). Clusters of equal size are ordered by their centroid coordinates.

    Parameters
    ----------
    n_clusters : int
        Number of segments.
    n_init : int
        K-Means restarts; the best (lowest WCSS) is kept.
    random_state : int or None
        Seed of k-means++ and of the sample; the same seed gives the same labels in the same order.
    full_fit_max_rows : int
        Above this many rows the starts run on a sample of this many.
    copy_x : bool
        False lets K-Means centre ``X`` in place (and restore it, up to rounding) instead of copying it:
        a pipeline passes it the scaler's output, which nothing else reads.

    Attributes
    ----------
    cluster_centers_ : numpy.ndarray
        ``(n_clusters, n_features)``, largest cluster first.
    labels_ : numpy.ndarray
        The cluster of each training row (absent in a model rebuilt by :meth:`from_centers`).
    inertia_ : float
        Sum of squared distances of the training rows to their centre (NaN when rebuilt from centres).
    n_iter_ : int
        Lloyd iterations of the kept run (0 when rebuilt from centres).
    n_features_in_ : int
    """

    def __init__(self, n_clusters: int = 8, *, n_init: int = N_INIT, random_state: int | None = None,
                 full_fit_max_rows: int = FULL_FIT_MAX_ROWS, copy_x: bool = True) -> None:
        self.n_clusters = n_clusters
        self.n_init = n_init
        self.random_state = random_state
        self.full_fit_max_rows = full_fit_max_rows
        self.copy_x = copy_x

    def fit(self, X: np.ndarray, y: object = None) -> "SizeOrderedKMeans":
        """Fit K-Means on ``X`` and number its clusters by size.

        Raises
        ------
        NotEnoughRowsError
            Fewer (distinct) rows than ``n_clusters``.
        """
        X = validate_data(self, X, dtype=np.float64, copy=False)
        k = int(self.n_clusters)
        check_rows_for_k(X, k)
        rows = X.shape[0]
        if rows <= self.full_fit_max_rows:
            kmeans = KMeans(n_clusters=k, n_init=self.n_init, random_state=self.random_state,
                            copy_x=self.copy_x).fit(X)
        else:
            rng = np.random.default_rng(self.random_state)
            sample = np.sort(rng.choice(rows, size=self.full_fit_max_rows, replace=False))
            start = KMeans(n_clusters=k, n_init=self.n_init, random_state=self.random_state).fit(X[sample])
            # tol=0: Lloyd runs until no customer changes segment; any other tolerance makes scikit-learn
            # compute the data's variance with a temporary the size of the data (and from the sample's
            # centres this takes 2-4 rounds, faster than that variance: 1.4 s against 2.7 s at 10^7 rows,
            # the same WCSS to 10 digits).
            kmeans = _lloyd_from(X, start.cluster_centers_, self.copy_x)
        order = size_order(kmeans.cluster_centers_, kmeans.labels_, k)
        new_number = np.empty(k, dtype=np.int64)
        new_number[order] = np.arange(k)
        self.cluster_centers_ = np.ascontiguousarray(kmeans.cluster_centers_[order])
        self.labels_ = new_number[kmeans.labels_].astype(kmeans.labels_.dtype)
        self.inertia_ = float(kmeans.inertia_)
        self.n_iter_ = int(kmeans.n_iter_)
        return self

    def predict(self, X: np.ndarray) -> np.ndarray:
        """The nearest centre of each row (the first on a tie), as K-Means assigns them."""
        check_is_fitted(self, "cluster_centers_")
        X = validate_data(self, X, dtype=np.float64, reset=False)
        centers = self.cluster_centers_
        squared = np.einsum("ij,ij->i", centers, centers)
        labels = np.empty(X.shape[0], dtype=np.int32)
        for start in range(0, X.shape[0], PREDICT_ROWS_PER_STEP):
            # |x - c|^2 less |x|^2 (the same for every centre of a row): |c|^2 - 2 x.c, as K-Means computes it
            part = X[start:start + PREDICT_ROWS_PER_STEP] @ centers.T
            part *= -2.0
            part += squared
            labels[start:start + PREDICT_ROWS_PER_STEP] = np.argmin(part, axis=1)
        return labels

    @classmethod
    def from_centers(cls, centers: np.ndarray, **params: object) -> "SizeOrderedKMeans":
        """A fitted estimator from saved centres (already numbered by size), for a saved model.

        ``params`` are the other parameters (``random_state``, ...); ``n_clusters`` is the number of centres.

        Raises
        ------
        ValueError
            ``centers`` is not a non-empty 2-D array of finite numbers.
        """
        centers = np.array(centers, dtype=np.float64, order="C")
        if centers.ndim != 2 or not centers.size or not np.isfinite(centers).all():
            raise ValueError(f"Centres must be a non-empty 2-D array of finite numbers; got shape {centers.shape}.")
        model = cls(n_clusters=centers.shape[0], **params)  # type: ignore[arg-type]
        model.cluster_centers_ = centers
        model.n_features_in_ = centers.shape[1]
        model.inertia_ = float("nan")
        model.n_iter_ = 0
        return model


#: Rows per step of :func:`fit_scaler` (its temporaries stay a slice of the data).
SCALER_ROWS_PER_STEP = 65_536


def fit_scaler(X: np.ndarray, scaler: StandardScaler | None = None) -> StandardScaler:
    """``scaler.fit(X)`` (a new ``StandardScaler()`` by default): the same learned attributes, to the last
    bit, without scikit-learn's temporaries the size of ``X`` (its missing-value mask as floats, ``X`` less
    the mean, its square: 1.4 GB and 1.6 s CPU at 10^7 rows of 6 features; here 0.6 s and a slice).

    The sums run in scikit-learn's order (``numpy.sum(axis=0)`` adds row after row: the running sum is
    carried from one slice of :data:`SCALER_ROWS_PER_STEP` rows to the next) and the formulas are those
    of its ``partial_fit`` on a first batch (``_incremental_mean_and_var``, then ``scale_`` 1 for a
    constant feature). Anything else (missing or infinite values, another dtype or layout, non-default
    parameters) is left to scikit-learn's own ``fit``.
    """
    scaler = StandardScaler() if scaler is None else scaler
    X = np.asarray(X)
    plain = scaler.get_params() == StandardScaler().get_params() and not hasattr(scaler, "n_samples_seen_")
    if not (plain and X.dtype == np.float64 and X.ndim == 2 and X.shape[0] and X.shape[1]
            and X.flags.c_contiguous):
        return scaler.fit(X)
    new_sum = X.sum(axis=0)
    if not np.isfinite(new_sum).all():  # a missing or infinite value (or a sum beyond float64)
        return scaler.fit(X)
    rows, width = X.shape
    count = rows - np.zeros(width)  # n_samples less the missing values, as floats
    mean = new_sum / count
    updated_mean = (np.zeros(width) + new_sum) / count  # the running mean, from 0 (0.0 where the sum is -0.0)
    correction, squares = np.zeros(width), np.zeros(width)
    for start in range(0, rows, SCALER_ROWS_PER_STEP):
        centred = X[start:start + SCALER_ROWS_PER_STEP] - mean
        squared = np.square(centred)
        if start:  # carry the running sums: the next slice's first row is added to them, then the others
            centred[0] += correction
            squared[0] += squares
        correction, squares = centred.sum(axis=0), squared.sum(axis=0)
    var = (squares - correction ** 2 / count) / count
    seen = count[0]
    eps = np.finfo(np.float64).eps
    constant = var <= seen * eps * var + (seen * updated_mean * eps) ** 2  # a constant feature: scale 1
    scale = np.sqrt(var)
    scale[constant] = 1.0
    scaler.n_features_in_ = width
    scaler.n_samples_seen_ = seen
    scaler.mean_ = updated_mean
    scaler.var_ = var
    scaler.scale_ = scale
    return scaler


class _LloydRun(NamedTuple):
    """What :func:`_lloyd_from` finds: K-Means' fitted attributes."""

    labels_: np.ndarray
    inertia_: float
    cluster_centers_: np.ndarray
    n_iter_: int


def _lloyd_from(X: np.ndarray, centers: np.ndarray, copy_x: bool) -> _LloydRun:
    """``KMeans(n_clusters=len(centers), init=centers, n_init=1, tol=0, copy_x=copy_x).fit(X)``'s
    ``labels_``, ``inertia_``, ``cluster_centers_`` and ``n_iter_`` for a float64, C-ordered ``X``: the
    same steps around scikit-learn's own Lloyd run (``_kmeans_single_lloyd``, scikit-learn pinned in
    pyproject.toml; tests/core/test_fast_paths.py compares the two), less the count of distinct labels
    ``KMeans.fit`` makes through a Python set of every label (0.74 s at 10^7 rows) for a warning, given
    here from the label counts."""
    if copy_x:
        X = X.copy()
    mean = X.mean(axis=0)
    X -= mean  # KMeans centres the data (and the starting centres) before its Lloyd run
    init = np.array(centers, dtype=X.dtype, order="C", copy=True)
    init -= mean
    labels, inertia, found, n_iter = _kmeans_single_lloyd(
        X, np.ones(X.shape[0], dtype=X.dtype), init, max_iter=KMeans().max_iter, verbose=False, tol=0,
        n_threads=_openmp_effective_n_threads())
    if not copy_x:
        X += mean
    found += mean
    distinct = int(np.count_nonzero(np.bincount(labels, minlength=init.shape[0])))
    if distinct < init.shape[0]:
        warnings.warn(f"Number of distinct clusters ({distinct}) found smaller than n_clusters ({init.shape[0]}). "
                      "Possibly due to duplicate points in X.", ConvergenceWarning, stacklevel=3)
    return _LloydRun(labels, inertia, found, n_iter)


def build_segmenter(k: int, seed: int = 0, n_init: int = N_INIT, transforms: Sequence[str] = ()) -> Pipeline:
    """An unfitted ``make_pipeline(<transform>, StandardScaler(), SizeOrderedKMeans(k))`` with a fixed seed
    (the transform step only when some feature is transformed)."""
    step = FeatureTransform(tuple(transforms))
    front = [step] if step.active else []
    # copy_x=False: the clusterer gets the scaler's output, a copy nothing else reads, and centres it in
    # place instead of copying it again (the fit's peak memory is one scaled copy of the data, not two)
    return make_pipeline(*front, StandardScaler(),
                         SizeOrderedKMeans(k, n_init=n_init, random_state=seed, full_fit_max_rows=FULL_FIT_MAX_ROWS,
                                           copy_x=False))


def standardised(X: np.ndarray, transforms: Sequence[str] = ()) -> np.ndarray:
    """``X`` transformed (see :mod:`core.transform`) and standardised, as a new model would see it (for sweeps)."""
    return np.asarray(StandardScaler().fit_transform(FeatureTransform(tuple(transforms)).fit(X).transform(X)))


class Standardiser(NamedTuple):
    """The standardisation of :func:`standardised` learned from every row of some ``X``, as a function of some
    rows (:func:`standardiser`); its fitted ``scaler`` can stand for the one a model on the same rows would fit
    (:func:`fit_segmenter`'s ``scaler``)."""

    step: FeatureTransform
    scaler: StandardScaler

    def __call__(self, rows: np.ndarray) -> np.ndarray:
        return np.asarray(self.scaler.transform(self.step.transform(rows)))


def standardiser(X: np.ndarray, transforms: Sequence[str] = ()) -> Standardiser:
    """The standardisation of :func:`standardised`, learned from every row of ``X``, as a function of some
    rows: ``standardiser(X, t)(X[rows])`` equals ``standardised(X, t)[rows]`` without standardising the
    other rows (a sweep uses a sample of them: at 10^7 rows, no standardised copy of the data)."""
    step = FeatureTransform(tuple(transforms)).fit(X)
    return Standardiser(step, fit_scaler(step.transform(X)))


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


def fit_segmenter(X: np.ndarray, k: int, seed: int = 0, transforms: Sequence[str] = (),
                  scaler: StandardScaler | None = None) -> Pipeline:
    """Fit :func:`build_segmenter` on ``X`` (original units): clusters numbered by size.

    Parameters
    ----------
    X : numpy.ndarray
        ``(rows, features)`` without missing values.
    k : int
        Number of segments.
    seed : int
        Random seed for k-means++ and sampling.
    transforms : sequence of str
        One :data:`core.transform.TRANSFORMS` per feature (empty: none), applied before the scaler.
    scaler : StandardScaler, optional
        Already fitted on these very rows after these transforms (:attr:`Standardiser.scaler` of the sweep
        that chose k, as ``fit --k auto`` has it): a copy stands in the model for fitting another, with the
        same learned attributes (0.6-0.9 s at 10^7 rows). A scaler of other rows is refused.

    Returns
    -------
    sklearn.pipeline.Pipeline
        Fitted; ``predict`` returns the renumbered clusters, :func:`clusterer` its ``labels_``.

    Raises
    ------
    NotEnoughRowsError
        Fewer (distinct) rows than ``k``.
    """
    check_rows_for_k(X, k)
    pipeline = build_segmenter(k, seed, transforms=transforms)
    # the steps fitted in turn, as Pipeline.fit does, the scaler by fit_scaler (the same attributes)
    values = X
    for _, step in pipeline.steps[:-2]:
        values = step.fit(values).transform(values)
    if scaler is None:
        fitted = fit_scaler(values, pipeline[-2])
    else:
        if getattr(scaler, "n_samples_seen_", None) != values.shape[0] or scaler.n_features_in_ != values.shape[1]:
            raise ValueError("The scaler given to fit_segmenter was fitted on other rows.")
        fitted = copy.deepcopy(scaler)
        pipeline.steps[-2] = (pipeline.steps[-2][0], fitted)
    pipeline[-1].fit(_standardise(fitted, values))
    return pipeline


def _standardise(scaler: StandardScaler, X: np.ndarray) -> np.ndarray:
    """``scaler.transform(X)`` (a copy less ``mean_``, divided by ``scale_``) for a float64 matrix whose
    scaler :func:`fit_scaler` fitted (so it holds no infinite value): the same numbers without the copy's
    and the finiteness check's passes over the data."""
    if X.dtype != np.float64 or X.ndim != 2 or scaler.mean_ is None or scaler.scale_ is None:
        return np.asarray(scaler.transform(X))
    scaled = np.subtract(X, scaler.mean_)
    scaled /= scaler.scale_
    return scaled


def size_order(centers: np.ndarray, labels: np.ndarray, k: int) -> np.ndarray:
    """The size order of K-Means clusters: ``order[i]`` is the cluster numbered ``i`` (0 = the largest;
    clusters of equal size by their centroid coordinates, smallest first)."""
    sizes = np.bincount(labels, minlength=k)
    # np.lexsort sorts by the last key first: size (descending), then centroid coordinates.
    keys = [centers[:, j] for j in reversed(range(centers.shape[1]))] + [-sizes]
    return np.lexsort(keys)


def clusterer(pipeline: Pipeline) -> SizeOrderedKMeans:
    """The pipeline's clusterer (its last step)."""
    return pipeline[-1]


def scaler_of(pipeline: Pipeline) -> StandardScaler:
    """The pipeline's ``StandardScaler`` (the step before the clusterer)."""
    return pipeline[-2]


def transform_of(pipeline: Pipeline) -> FeatureTransform | None:
    """The pipeline's transform step, or None when no feature is transformed."""
    first = pipeline[0]
    return first if isinstance(first, FeatureTransform) else None


def model_space_stats(pipeline: Pipeline, X: np.ndarray, labels: np.ndarray, stats: FeatureStats) -> FeatureStats:
    """The statistics of the scored customers ``X`` (original units) labelled ``labels`` in the space the model
    measures in: of the transformed values when the model transforms a feature (a log of spend), else ``stats``
    (theirs in original units) itself. How far apart the segments are, as the model sees it (the segment names'
    z-scores, the features' strength)."""
    step = transform_of(pipeline)
    if step is not None and getattr(step, "active", False):
        return FeatureStats.of(step.transform(X), labels, int(stats.sizes.size))
    return stats


def scaled_centers(pipeline: Pipeline) -> np.ndarray:
    """Centroids in standardised units, ``(k, features)``."""
    return np.asarray(clusterer(pipeline).cluster_centers_)


def original_centers(pipeline: Pipeline) -> np.ndarray:
    """Centroids in the features' original units, ``(k, features)``."""
    return np.asarray(pipeline[:-1].inverse_transform(scaled_centers(pipeline)))


def display_cluster(label: int) -> int:
    """The number people see for an internal cluster label: ``label + 1`` (Cluster 1 is the largest)."""
    return int(label) + DISPLAY_OFFSET
