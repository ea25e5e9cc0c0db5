"""Choosing k: the Elbow method (WCSS), the Silhouette score and two more indices over a range of k.

* **WCSS** (within-cluster sum of squares, K-Means' ``inertia_``) on standardised features, for
  k = 1 .. k_max. Up to :data:`SWEEP_MAX_ROWS` rows every row is used; beyond, a seeded sample of that
  many rows, with WCSS scaled by ``rows / sample`` so it stays comparable with a full fit.
* **The elbow** is found with the Kneedle rule: after scaling k and WCSS to [0, 1], the k whose point
  lies farthest below the straight line from the first to the last point.
* **Silhouette** (from -1 to 1, higher is better separated), for k >= 2. Its cost grows with the
  square of the rows, so above :data:`SILHOUETTE_SAMPLE` rows it is computed on a seeded sample of that
  size (measured within 0.01 of the exact score; see docs/performance.md).
* **More indices** (:attr:`SweepResult.indices`), on the same (possibly sampled) rows and the same fits:
  the **Calinski-Harabasz** index (between- over within-cluster dispersion, higher is better), the
  **Davies-Bouldin** index (average similarity of each cluster with its closest one, lower is better;
  both NaN at k=1) and the **smallest share** (share of rows in the smallest cluster, 1 at k=1).
  :func:`core.insight.recommend_k` combines them into one recommendation.
* **Usefulness and stability per k** (also in :attr:`SweepResult.indices`): the **largest share** (share
  of rows in the largest cluster) and the **stability**: on a seeded sample of at most
  :data:`STABILITY_SAMPLE` of the sweep's rows, K-Means is re-fitted :data:`STABILITY_RUNS` times on
  bootstrap resamples (:data:`STABILITY_N_INIT` starts each) and each re-fit's labels of the sample are
  compared with the sweep's own fit by the adjusted Rand index; the mean is the stability (1 = the same
  segments every time; NaN at k=1). It is a cheap estimate of what :func:`core.insight.stability` measures
  on the chosen model, and lower rather than higher (fewer rows, fewer starts), so a k it calls stable is
  not called unstable later.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from contextlib import AbstractContextManager
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeVar

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.metrics import calinski_harabasz_score, davies_bouldin_score
from threadpoolctl import ThreadpoolController

from . import silhouette_fast
from .agreement import adjusted_rand, contingency
from .errors import NotEnoughRowsError
from .model import N_INIT
from .options import SWEEP_K_MAX, SWEEP_K_MIN

__all__ = ["SweepResult", "sweep_k", "sample_shares", "find_elbow", "silhouette", "SWEEP_MAX_ROWS", "SILHOUETTE_SAMPLE",
           "INDEX_COLUMNS", "on_one_thread", "one_thread", "at_most_threads", "STABILITY_SAMPLE", "STABILITY_RUNS", "STABILITY_N_INIT"]

#: Rows beyond which the k sweep runs on a seeded sample.
SWEEP_MAX_ROWS = 10_000
#: Rows beyond which the silhouette is computed on a seeded sample of this size.
SILHOUETTE_SAMPLE = 5_000

#: Columns of :attr:`SweepResult.indices`.
INDEX_COLUMNS: tuple[str, ...] = ("k", "calinski_harabasz", "davies_bouldin", "smallest_share", "largest_share",
                                  "stability")
#: Rows of the sweep's data the per-k stability is measured on.
STABILITY_SAMPLE = 2_000
#: Bootstrap re-fits per k for the per-k stability.
STABILITY_RUNS = 5
#: K-Means starts per re-fit of the per-k stability.
STABILITY_N_INIT = 3

Progress = Callable[[int, int], None]
T = TypeVar("T")
R = TypeVar("R")
#: Standardises some rows of a feature matrix (``rows x features`` in, the same shape out), as learned from all.
Scale = Callable[[np.ndarray], np.ndarray]


def _empty_indices() -> pd.DataFrame:
    return pd.DataFrame({name: pd.Series(dtype="int64" if name == "k" else "float64")
                         for name in INDEX_COLUMNS})


def _with_index_columns(indices: pd.DataFrame) -> pd.DataFrame:
    """``indices`` with every :data:`INDEX_COLUMNS` column (NaN for those a cached, older result lacks)."""
    missing = [c for c in INDEX_COLUMNS if c not in indices.columns]
    if not missing:
        return indices
    out = indices.copy()
    for column in missing:
        out[column] = np.nan
    return out


@dataclass(frozen=True)
class SweepResult:
    """WCSS, silhouette and the other indices for each k, and the elbow.

    Attributes
    ----------
    table : pandas.DataFrame
        Columns ``k``, ``wcss``, ``silhouette`` (NaN at k=1), one row per k from 1 to k_max.
    elbow : int
        The k at the elbow of the WCSS curve.
    k_min, k_max : int
        The range asked for (the table also holds k=1 for the elbow).
    sample_rows : int | None
        Rows of the seeded sample the sweep ran on, or None if it used every row.
    indices : pandas.DataFrame
        Columns ``k``, ``calinski_harabasz``, ``davies_bouldin`` (both NaN at k=1) and
        ``smallest_share``, one row per k like :attr:`table` (kept apart so :attr:`table` keeps its
        columns; :meth:`full_table` joins the two). Empty for a result built without them.
    rows : int | None
        The customers the sweep's features came from (every row the model uses, before any sample): what
        :func:`core.insight.recommend_k` weighs the segment sizes against, in the CLI and the dashboard alike.
    data_limit : int | None
        When the data lowered the range asked (k_max is then the number of different customers minus one),
        that k; None when the range is as asked. The recommendation then does not ask for more segments.
    """

    table: pd.DataFrame
    elbow: int
    k_min: int
    k_max: int
    sample_rows: int | None
    indices: pd.DataFrame = field(default_factory=_empty_indices)
    rows: int | None = None
    data_limit: int | None = None

    @property
    def best_silhouette(self) -> int:
        """The k (in k_min..k_max) with the highest silhouette."""
        rows = self.table[(self.table["k"] >= self.k_min) & self.table["silhouette"].notna()]
        return int(rows.loc[rows["silhouette"].idxmax(), "k"])

    def shown(self) -> pd.DataFrame:
        """The table restricted to k_min..k_max (what people are shown)."""
        return self.table[self.table["k"] >= self.k_min].reset_index(drop=True)

    def full_table(self) -> pd.DataFrame:
        """:attr:`table` with the :attr:`indices` columns, one row per k from 1 to k_max.

        The index columns are NaN for every k when the result was built without them.
        """
        indices = getattr(self, "indices", None)  # results cached before the indices existed lack them
        if indices is None or indices.empty:
            indices = _empty_indices()
        indices = _with_index_columns(indices)
        full = self.table.merge(indices, on="k", how="left")
        full["k"] = full["k"].astype(int)
        return full


def silhouette(X_scaled: np.ndarray, labels: np.ndarray, seed: int = 0, *, scale: Scale | None = None) -> float | None:
    """Silhouette score of a labelling, on a seeded sample above :data:`SILHOUETTE_SAMPLE` rows.

    Returns None when it is undefined (a single cluster, or every row its own cluster). With ``scale``,
    ``X_scaled`` is in the model's input units and ``scale`` standardises rows of it (e.g.
    ``functools.partial(core.model.model_space, pipeline)``): only the sampled rows are scaled, and the
    value is the one of ``silhouette(scale(X), labels, seed)``.
    """
    if scale is None:
        return _silhouette(X_scaled, labels, seed)
    n_labels = _count_labels(labels)
    if n_labels < 2 or n_labels >= X_scaled.shape[0]:
        return None
    keep = silhouette_fast.sample_rows(X_scaled.shape[0], _silhouette_sample(X_scaled.shape[0]), seed)
    if keep is None:
        return _silhouette(scale(X_scaled), labels, seed)
    return silhouette_fast.silhouettes(scale(X_scaled[keep]), [np.asarray(labels)[keep]], None, seed)[0]


def _silhouette(X_scaled: np.ndarray, labels: np.ndarray, seed: int | None,
                batch: silhouette_fast.Batch | None = None) -> float | None:
    n_labels = _count_labels(labels)
    if n_labels < 2 or n_labels >= X_scaled.shape[0]:
        return None
    sample = _silhouette_sample(X_scaled.shape[0])
    value = silhouette_fast.silhouette_score(X_scaled, labels, sample_size=sample, random_state=seed,
                              **({"batch": batch} if batch is not None else {}))
    return None if value != value else float(value)


def _silhouette_sample(rows: int) -> int | None:
    return SILHOUETTE_SAMPLE if rows > SILHOUETTE_SAMPLE else None


def _count_labels(labels: np.ndarray) -> int:
    """Distinct labels; cluster numbers are counted with bincount (np.unique sorts: 0.5 s at 10^7 rows)."""
    labels = np.asarray(labels)
    if labels.dtype.kind in "iu" and labels.size and 0 <= labels.min() and labels.max() < 1 << 20:
        return int(np.count_nonzero(np.bincount(labels)))
    return int(np.unique(labels).size)


def find_elbow(ks: np.ndarray, wcss: np.ndarray, k_min: int = 2) -> int:
    """The Kneedle elbow of a decreasing WCSS curve, restricted to k >= ``k_min``.

    Parameters
    ----------
    ks : numpy.ndarray
        Increasing k values.
    wcss : numpy.ndarray
        WCSS for each k.
    k_min : int
        The smallest k that may be returned.
    """
    ks = np.asarray(ks, dtype=float)
    wcss = np.asarray(wcss, dtype=float)
    if ks.size < 3:
        return int(max(ks[-1], k_min)) if ks.size else k_min
    x = (ks - ks[0]) / (ks[-1] - ks[0])
    span = wcss[0] - wcss[-1]
    y = (wcss - wcss[-1]) / span if span > 0 else np.zeros_like(wcss)
    # Distance below the chord from (0, 1) to (1, 0): the chord is y = 1 - x.
    gap = (1 - x) - y
    allowed = ks >= k_min
    allowed[-1] = False if allowed.sum() > 1 else allowed[-1]
    gap = np.where(allowed, gap, -np.inf)
    return int(ks[int(np.argmax(gap))])


def sweep_k(
    X_scaled: np.ndarray,
    k_min: int = SWEEP_K_MIN,
    k_max: int = SWEEP_K_MAX,
    seed: int = 0,
    progress: Progress | None = None,
    threads: int = 1,
    *,
    scale: Scale | None = None,
) -> SweepResult:
    """WCSS, silhouette, Calinski-Harabasz, Davies-Bouldin and smallest share for k = 1 .. k_max.

    Every index is computed on the same rows (the seeded sample above :data:`SWEEP_MAX_ROWS` rows)
    and the same K-Means fit for each k; the silhouette is sampled further above
    :data:`SILHOUETTE_SAMPLE` rows.

    Parameters
    ----------
    X_scaled : numpy.ndarray
        Standardised features, no missing values; or, with ``scale``, the features in original units.
    k_min, k_max : int
        The range of k to compare (k_max is lowered to the number of distinct rows minus one).
    seed : int
        Seed for K-Means and the samples.
    progress : callable, optional
        Called as ``progress(done, total)`` after each k.
    threads : int
        How many k are fitted at a time, each on one OpenMP thread (on these few rows a fit's own threads
        cost more than they save; separate k's run side by side). The same answers for any number.
    scale : callable, optional
        Standardises rows of ``X_scaled`` (:func:`core.model.standardiser`): only the rows the sweep uses
        are standardised, with the same answers as ``sweep_k(scale(X))`` (at 10^7 rows, no standardised copy
        of the data).

    Raises
    ------
    NotEnoughRowsError
        Fewer than 3 distinct rows, or k_min above what the data allows.
    """
    if k_min < 2:
        raise NotEnoughRowsError("The smallest k to compare must be at least 2.")
    if k_max < k_min:
        raise NotEnoughRowsError(f"The k range is empty: the largest k ({k_max}) is below the smallest ({k_min}).")
    data, sample_rows = _sweep_rows(X_scaled, seed, scale)
    distinct = int(np.unique(data, axis=0).shape[0])
    top = min(k_max, distinct - 1)
    if top < k_min:
        raise NotEnoughRowsError(
            f"Comparing k from {k_min} needs at least {k_min + 1} different customers; "
            f"the data has {distinct:,}.")
    scale_up = X_scaled.shape[0] / data.shape[0]
    records: list[dict[str, float]] = []
    extra: list[dict[str, float]] = []
    labelings: list[np.ndarray] = []
    ks = list(range(1, top + 1))
    # One OpenMP (and BLAS) thread per fit: on these few rows the threads' start-up and waiting cost more
    # than they save, and far more when other processes share the cores (measured 6x slower on 2 busy
    # cores). Several k's are fitted at a time instead when ``threads`` > 1.
    with one_thread(), ThreadPoolExecutor(max(1, threads)) as pool:
        for done, (k, (wcss, labels, indices)) in enumerate(
                zip(ks, pool.map(on_one_thread(lambda k: _fit_k(data, k, seed)), ks)), start=1):
            if labels is not None:
                labelings.append(labels)
            records.append({"k": k, "wcss": wcss * scale_up, "silhouette": float("nan")})  # silhouettes below
            extra.append({"k": k, **indices})
            if progress is not None and done < len(ks):
                progress(done, len(ks))
    batch = silhouette_fast.Batch(labelings)
    for record, labels in zip(records[1:], labelings):
        value = _silhouette(data, labels, seed, batch)
        record["silhouette"] = float("nan") if value is None else value
    if progress is not None:
        progress(len(ks), len(ks))
    table = pd.DataFrame.from_records(records)
    table["k"] = table["k"].astype(int)
    index_table = pd.DataFrame.from_records(extra, columns=list(INDEX_COLUMNS))
    index_table["k"] = index_table["k"].astype(int)
    elbow = find_elbow(table["k"].to_numpy(), table["wcss"].to_numpy(), k_min)
    return SweepResult(table, elbow, k_min, top, sample_rows, index_table, int(X_scaled.shape[0]),
                       top if top < k_max else None)


def sample_shares(X_scaled: np.ndarray, k: int, seed: int = 0, *, scale: Scale | None = None) -> tuple[float, float]:
    """The smallest and largest segment's share of the sweep's fit at ``k`` (:func:`sweep_k` of the same
    arguments; ``smallest_share`` and ``largest_share`` of its :attr:`SweepResult.indices`), from that one fit.

    One K-Means on the sweep's rows (at most :data:`SWEEP_MAX_ROWS`), whatever the number of customers: a
    fit with a chosen k can tell whether its segment sizes differ from the sweep's without the sweep's other
    k and their re-fits (:func:`core.insight.split_may_differ`).
    """
    data, _ = _sweep_rows(X_scaled, seed, scale)
    with one_thread():  # as each k of the sweep is fitted (the same labels)
        labels = _kmeans(data, k, seed).labels_
    indices = _indices(data, labels, k)
    return indices["smallest_share"], indices["largest_share"]


def _sweep_rows(X_scaled: np.ndarray, seed: int, scale: Scale | None) -> tuple[np.ndarray, int | None]:
    """The rows the sweep fits (a seeded sample above :data:`SWEEP_MAX_ROWS`, standardised by ``scale``) and
    the sample's size (None: every row)."""
    rows = X_scaled.shape[0]
    sample_rows = None
    data = X_scaled
    if rows > SWEEP_MAX_ROWS:
        rng = np.random.default_rng(seed)
        data = X_scaled[np.sort(rng.choice(rows, size=SWEEP_MAX_ROWS, replace=False))]
        sample_rows = SWEEP_MAX_ROWS
    if scale is not None:
        data = np.asarray(scale(data))
    return data, sample_rows


def _kmeans(data: np.ndarray, k: int, seed: int) -> KMeans:
    """The sweep's K-Means fit at ``k``."""
    return KMeans(n_clusters=k, n_init=N_INIT, random_state=seed).fit(data)


def on_one_thread(function: Callable[[T], R]) -> Callable[[T], R]:
    """``function`` with OpenMP and BLAS limited to one thread while it runs, in the thread that runs it.

    For work handed to a thread pool: OpenMP keeps its number of threads per thread, so a limit set by
    the thread that starts the pool does not reach its workers, whose K-Means would run on every core
    (``--threads 1`` on an unset OMP_NUM_THREADS ran each fit of the sweep on two; tested).
    """

    def limited(item: T) -> R:
        with one_thread():
            return function(item)

    return limited


def one_thread() -> AbstractContextManager[Any]:
    """A context with OpenMP and BLAS limited to one thread (in the thread that enters it, for OpenMP), through
    threadpoolctl's one controller of this process (``threadpool_limits`` makes a new one each time)."""
    return at_most_threads(1)


def at_most_threads(count: int) -> AbstractContextManager[Any]:
    """A context with OpenMP and BLAS limited to ``count`` threads (at least one), as :func:`one_thread`."""
    return _controller().limit(limits=max(1, int(count)))


@functools.cache
def _controller() -> ThreadpoolController:
    """threadpoolctl's view of the loaded thread pools (scikit-learn's OpenMP is loaded with this module), made
    once: making it scans the process's libraries (~17 ms); a limit through it costs ~0.03 ms."""
    return ThreadpoolController()


def _fit_k(data: np.ndarray, k: int, seed: int) -> tuple[float, np.ndarray | None, dict[str, float]]:
    """One k of the sweep: the WCSS, the labels (None at k=1) and the indices of its K-Means fit."""
    if k == 1:
        return float(((data - data.mean(axis=0)) ** 2).sum()), None, {
            "calinski_harabasz": float("nan"), "davies_bouldin": float("nan"), "smallest_share": 1.0,
            "largest_share": 1.0, "stability": float("nan")}
    kmeans = _kmeans(data, k, seed)
    indices = _indices(data, kmeans.labels_, k)
    indices["stability"] = _stability_of_k(data, kmeans, k, seed)
    return float(kmeans.inertia_), kmeans.labels_, indices


def _indices(data: np.ndarray, labels: np.ndarray, k: int) -> dict[str, float]:
    """Calinski-Harabasz, Davies-Bouldin and the smallest cluster's share of one labelling."""
    sizes = np.bincount(labels, minlength=k)
    n_labels = int(np.count_nonzero(sizes))
    defined = 2 <= n_labels < data.shape[0]
    return {
        "calinski_harabasz": float(calinski_harabasz_score(data, labels)) if defined else float("nan"),
        "davies_bouldin": float(davies_bouldin_score(data, labels)) if defined else float("nan"),
        "smallest_share": float(sizes.min() / data.shape[0]),
        "largest_share": float(sizes.max() / data.shape[0]),
    }


def _stability_of_k(data: np.ndarray, kmeans: KMeans, k: int, seed: int) -> float:
    """Mean adjusted Rand index between ``kmeans``' labels of a seeded sample and re-fits on its bootstrap
    resamples (see the module's notes); NaN when no re-fit could run."""
    rows = data.shape[0]
    rng = np.random.default_rng(seed + 7919 * k)
    sample = data if rows <= STABILITY_SAMPLE else data[np.sort(rng.choice(rows, STABILITY_SAMPLE, replace=False))]
    reference = kmeans.predict(sample)
    scores = []
    for run in range(STABILITY_RUNS):
        boot = sample[rng.integers(0, sample.shape[0], sample.shape[0])]
        if np.unique(boot[:1_000], axis=0).shape[0] < k and np.unique(boot, axis=0).shape[0] < k:
            continue
        refit = KMeans(n_clusters=k, n_init=STABILITY_N_INIT, random_state=seed + 1 + run).fit(boot)
        scores.append(adjusted_rand(contingency(reference, refit.predict(sample), k)))
    return float(np.mean(scores)) if scores else float("nan")
