"""Stability: re-fit the model on resampled customers and say whether the segments hold.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.pipeline import Pipeline

from ..agreement import adjusted_rand, contingency
from ..errors import NotEnoughRowsError
from ..model import check_rows_for_k, display_cluster, fit_segmenter, transform_of
from ..selection import on_one_thread, one_thread
from ..text import join_words

__all__ = ["Stability", "Refits", "refit", "compared_rows", "stability", "stability_verdict", "STABILITY_MAX_ROWS", "STABILITY_COMPARE_ROWS",
           "STABILITY_LEVELS", "SEGMENT_UNSTABLE"]

#: Each stability re-fit trains on a bootstrap sample of at most this many customers.
STABILITY_MAX_ROWS = 20_000
#: Above this many customers the stability check compares the segments of a seeded sample of this many
#: (labelling every customer ten times was the check's whole cost at 10^6-10^7; see docs/performance.md).
STABILITY_COMPARE_ROWS = 100_000
#: (lowest mean adjusted Rand index, verdict) from the best level down; below the last: unstable.
STABILITY_LEVELS: tuple[tuple[float, str], ...] = (
    (0.9, "Very stable: re-fitting on resampled customers gives nearly the same segments."),
    (0.75, "Stable: the segments mostly hold when the customers are resampled."),
    (0.6, "Somewhat stable: the main segments hold, but a fair number of customers switch segments "
          "between re-fits; read the smaller differences with care."),
)
_UNSTABLE = ("Unstable: the segments change a lot when the customers are resampled, so they are not a "
             "reliable split of this data; try another k.")
#: A segment whose mean Jaccard overlap with itself across re-fits is below this is named in the verdict.
SEGMENT_UNSTABLE = 0.6


@dataclass(frozen=True)
class Stability:
    """How much the segments change when the model is re-fitted on resampled customers.

    Attributes
    ----------
    overall : float
        Mean adjusted Rand index between the reference labels and each re-fit's labels of the compared
        customers (1 = identical segments, about 0 = no more alike than chance).
    per_segment : pandas.DataFrame
        ``cluster`` (as shown) and ``jaccard``: the mean Jaccard overlap of each reference segment with
        its best-matching segment in each re-fit (1 = always the same customers).
    verdict : str
        The result in plain words (see :data:`STABILITY_LEVELS`).
    runs : int
        Re-fits that ran.
    sample_rows : int
        Customers each re-fit was trained on.
    run_scores : tuple[float, ...]
        The adjusted Rand index of each re-fit.
    compared_rows, rows : int
        Customers whose segments were compared (a seeded sample of :data:`STABILITY_COMPARE_ROWS` above
        that many), out of ``rows``; 0 for results made before these were recorded.
    """

    overall: float
    per_segment: pd.DataFrame
    verdict: str
    runs: int
    sample_rows: int
    run_scores: tuple[float, ...]
    compared_rows: int = 0
    rows: int = 0

    @property
    def sample_note(self) -> str:
        """How many customers the check used, in words (the command line, the page and the report show it)."""
        text = f"each re-fit trained on a resample of {self.sample_rows:,} customers"
        if 0 < self.compared_rows < self.rows:
            return text + (f"; segments compared on a seeded sample of {self.compared_rows:,} of the "
                           f"{self.rows:,} customers")
        return text + (f"; segments compared on all {self.rows:,} customers" if self.rows else "")


def _transforms_of(pipeline: Pipeline) -> tuple[str, ...]:
    """The per-feature transforms of a fitted model (empty when it has no transform step)."""
    step = transform_of(pipeline)
    return tuple(getattr(step, "transforms", ()) or ())


def stability_verdict(overall: float, per_segment: np.ndarray | None = None) -> str:
    """The verdict for a mean adjusted Rand index, naming the segments below :data:`SEGMENT_UNSTABLE`.

    ``per_segment`` holds the mean Jaccard overlap per internal cluster (0 = Cluster 1).
    """
    text = _UNSTABLE
    for threshold, words in STABILITY_LEVELS:
        if overall >= threshold:
            text = words
            break
    if per_segment is not None and overall >= STABILITY_LEVELS[-1][0]:
        weak = [(c, v) for c, v in enumerate(np.asarray(per_segment, dtype=float))
                if np.isfinite(v) and v < SEGMENT_UNSTABLE]
        if weak:
            listed = join_words([f"Cluster {display_cluster(c)} (overlap {v:.2f})" for c, v in weak])
            text += f" Least reliable: {listed}; {'it changes' if len(weak) == 1 else 'they change'} most " \
                    f"between re-fits."
    return text


@dataclass(frozen=True)
class Refits:
    """The re-fits of a stability check, before they are compared with the model (:func:`refit`).

    They depend on the customers, k, the seed, the number of runs and the transforms, not on the model
    they are compared with: a caller may run them beside the model's own fit (the ``segments fit``
    command does, on a second core) and hand them to :func:`stability`.

    Attributes
    ----------
    k, seed, runs : int
        What they were made with.
    transforms : tuple of str
        The features' transforms each re-fit applied.
    labels : tuple
        Per re-fit, its labels of the compared customers (:func:`compared_rows`), or None for a re-fit
        skipped because its resample had fewer distinct customers than k.
    sample_rows : int
        Customers each re-fit was trained on.
    """

    k: int
    seed: int
    runs: int
    transforms: tuple[str, ...]
    labels: tuple[np.ndarray | None, ...]
    sample_rows: int


def compared_rows(X: np.ndarray, seed: int = 0) -> np.ndarray:
    """The customers whose segments a stability check compares: every row of ``X``, or above
    :data:`STABILITY_COMPARE_ROWS` rows a seeded sample of that many (its own generator, so the re-fits'
    resamples stay those of every size)."""
    rows = X.shape[0]
    if rows <= STABILITY_COMPARE_ROWS:
        return X
    pick = np.random.default_rng([seed, STABILITY_COMPARE_ROWS])
    return X[np.sort(pick.choice(rows, STABILITY_COMPARE_ROWS, replace=False))]


def refit(
    X: np.ndarray,
    k: int,
    seed: int = 0,
    runs: int = 10,
    *,
    transforms: tuple[str, ...] = (),
    threads: int = 1,
    progress: Callable[[int, int], None] | None = None,
    compared: np.ndarray | None = None,
) -> Refits:
    """The re-fits of :func:`stability`: ``runs`` fits of :func:`core.model.fit_segmenter` (seeds
    ``seed + 1 .. seed + runs``), each on a seeded bootstrap sample of ``min(rows, STABILITY_MAX_ROWS)``
    customers, and each re-fit's labels of the compared customers (:func:`compared_rows`).

    ``threads`` re-fits run at a time, each K-Means on one OpenMP thread (as the sweep fits its k's: on
    20,000 customers a fit's own threads gain little); the result is the same for any number.
    ``progress(done, runs)`` is called after each re-fit, in order. ``compared``: :func:`compared_rows` of
    ``X`` and ``seed`` when the caller already has them (not drawn again).

    Raises
    ------
    ValueError
        ``runs`` below 1.
    """
    X = np.asarray(X, dtype=float)
    if runs < 1:
        raise ValueError("runs must be at least 1.")
    rows = X.shape[0]
    compared = compared_rows(X, seed) if compared is None else compared
    size = min(rows, STABILITY_MAX_ROWS)
    rng = np.random.default_rng(seed)
    samples = [rng.integers(0, rows, size=size) for _ in range(runs)]  # drawn in turn: the same for any threads

    def one(run: int) -> np.ndarray | None:
        """The re-fit's labels of the compared customers (None: too few distinct customers to re-fit)."""
        try:
            model = fit_segmenter(X[samples[run]], k, seed + 1 + run, transforms)
        except NotEnoughRowsError:
            return None  # the sample has fewer distinct customers than k: skip this re-fit
        return np.asarray(model.predict(compared), dtype=np.int64)

    labels: list[np.ndarray | None] = []
    with one_thread(), ThreadPoolExecutor(max(1, threads)) as pool:
        for done, found in enumerate(pool.map(on_one_thread(one), range(runs)), start=1):
            labels.append(found)
            if progress is not None:
                progress(done, runs)
    return Refits(k, seed, runs, tuple(transforms), tuple(labels), size)


def stability(
    X: np.ndarray,
    k: int,
    seed: int = 0,
    runs: int = 10,
    progress: Callable[[int, int], None] | None = None,
    *,
    reference: Pipeline | None = None,
    transforms: tuple[str, ...] = (),
    threads: int = 1,
    refits: Refits | None = None,
) -> Stability:
    """Re-fit the model on bootstrap samples and measure how much the segments change.

    The reference is ``fit_segmenter(X, k, seed)`` (or ``reference``, e.g. the segmentation's own
    pipeline, to skip that fit). Each of ``runs`` re-fits (:func:`refit`) trains
    :func:`core.model.fit_segmenter` on a seeded bootstrap sample (drawn with replacement) of
    ``min(rows, STABILITY_MAX_ROWS)`` customers and labels every customer, or above
    :data:`STABILITY_COMPARE_ROWS` customers a seeded sample of that many (the same sample for every
    re-fit; :attr:`Stability.sample_note` says so); its labels are compared with the reference's.

    Parameters
    ----------
    X : numpy.ndarray
        ``(rows, features)`` in original units, no missing values (the rows the model used).
    k : int
        Number of segments.
    seed : int
        Seed of the reference fit and of the samples; the same seed gives the same result.
    runs : int
        Number of re-fits.
    progress : callable, optional
        ``progress(done, total)`` after the reference fit (when fitted here) and after each re-fit.
    reference : sklearn.pipeline.Pipeline, optional
        An already fitted model of ``X`` to compare with; its transforms (if any) are used by every re-fit.
    transforms : tuple of str
        The features' transforms when no ``reference`` is given.
    threads : int
        Re-fits run at a time (each on one thread); the same result for any number.
    refits : Refits, optional
        The re-fits, already made by :func:`refit` with the same ``X``, ``k``, ``seed``, ``runs`` and the
        reference's transforms (the same result as making them here).

    Raises
    ------
    NotEnoughRowsError
        Fewer (distinct) customers than ``k``, or no re-fit could be trained.
    ValueError
        ``runs`` below 1, or ``refits`` made with other settings.
    """
    X = np.asarray(X, dtype=float)
    if runs < 1:
        raise ValueError("runs must be at least 1.")
    check_rows_for_k(X, k)
    total = runs + (1 if reference is None else 0)
    done = 0
    if reference is None:
        reference = fit_segmenter(X, k, seed, transforms)
        done += 1
        if progress is not None:
            progress(done, total)
    transforms_used = _transforms_of(reference)
    compared = compared_rows(X, seed)
    if refits is None:
        offset = done
        refits = refit(X, k, seed, runs, transforms=transforms_used, threads=threads, compared=compared,
                       progress=None if progress is None else lambda d, _: progress(offset + d, total))
    elif (refits.k, refits.seed, refits.runs, refits.transforms) != (k, seed, runs, transforms_used):
        raise ValueError(f"The re-fits were made with k={refits.k}, seed={refits.seed}, runs={refits.runs} and "
                         f"transforms {refits.transforms}, not those of this check.")
    ref = np.asarray(reference.predict(compared), dtype=np.int64)
    scores: list[float] = []
    jaccards: list[np.ndarray] = []
    ref_sizes = np.bincount(ref, minlength=k).astype(float)
    for labels in refits.labels:
        if labels is None:
            continue
        both = contingency(ref, labels, k)
        scores.append(adjusted_rand(both))
        both = both.astype(float)
        union = ref_sizes[:, None] + both.sum(axis=0)[None, :] - both
        with np.errstate(invalid="ignore", divide="ignore"):
            overlap = np.where(union > 0, both / np.where(union > 0, union, 1), 0.0)
        best = overlap.max(axis=1)
        best[ref_sizes == 0] = np.nan
        jaccards.append(best)
    if not scores:
        raise NotEnoughRowsError(f"The stability check could not re-fit {k} segments: the resampled "
                                 f"customers had too few different values. Choose fewer segments.")
    overall = float(np.mean(scores))
    per = np.nanmean(np.vstack(jaccards), axis=0) if not np.all(ref_sizes == 0) else np.full(k, np.nan)
    per_segment = pd.DataFrame({"cluster": [display_cluster(c) for c in range(k)], "jaccard": per})
    return Stability(overall, per_segment, stability_verdict(overall, per), len(scores), refits.sample_rows,
                     tuple(scores), int(compared.shape[0]), X.shape[0])
