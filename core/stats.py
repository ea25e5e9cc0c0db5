"""Per-segment statistics and the one rule that names their columns in flat tables.

The lowest layer under :mod:`core.segmentation` and :mod:`core.insight`: both read :class:`FeatureStats`
and flatten per-segment frames with :func:`flat_table`, so a feature's mean column is named the same way
in ``Segmentation.summary()``, ``segments fit --summary``, the downloads and the report. Imports numpy and
pandas only.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = [
    "FeatureStats",
    "NOT_SCORED",
    "YEARS",
    "year_like",
    "written_as_percent",
    "STATS_ROWS_PER_STEP",
    "ZERO_MEAN",
    "SIZE_COLUMNS",
    "feature_columns",
    "index_column",
    "mix_column",
    "flat_table",
    "SPREAD_MAX_VALUES",
    "SPREAD_WIDTH",
    "spread_step",
    "spread_around",
]

#: Internal label of rows left out of the model (shown as an empty cell).
NOT_SCORED = -1
#: Rows per step where statistics run over every customer: temporaries stay a slice of the matrix.
STATS_ROWS_PER_STEP = 262_144
#: An overall mean within this fraction of the feature's largest absolute value counts as 0 (no index).
ZERO_MEAN = 1e-9
#: A feature whose spread (standard deviation) is under this fraction of its mean is measured far from zero (a
#: year: 2008 and 2024 are both "index 100" of 2015): no index.
FAR_FROM_ZERO = 0.05
#: The range of a year's values (a year of birth, the year a customer joined): see :func:`year_like`.
YEARS = (1800.0, 2200.0)
#: The columns of a per-segment sizes frame, in order: the number shown, the name, customers, share.
SIZE_COLUMNS: tuple[str, ...] = ("cluster", "segment", "customers", "share")


@dataclass(frozen=True)
class FeatureStats:
    """Statistics of each feature over the scored customers, in the features' original units.

    Attributes
    ----------
    sizes : numpy.ndarray
        Customers per cluster, ``(k,)``.
    means : numpy.ndarray
        Each cluster's mean of each feature, ``(k, features)``; NaN for a cluster with no customers.
    overall : numpy.ndarray
        Mean of each feature over every scored customer, ``(features,)``; NaN when there are none.
    spread : numpy.ndarray
        Standard deviation (population) of each feature over the scored customers.
    largest : numpy.ndarray
        Largest absolute value of each feature.
    within : numpy.ndarray
        Sum of squared differences from the own cluster's mean, per feature.
    total : numpy.ndarray
        Sum of squared differences from the overall mean, per feature.
    """

    sizes: np.ndarray
    means: np.ndarray
    overall: np.ndarray
    spread: np.ndarray
    largest: np.ndarray
    within: np.ndarray
    total: np.ndarray

    @property
    def customers(self) -> int:
        """Scored customers."""
        return int(self.sizes.sum())

    @classmethod
    def of(cls, X: np.ndarray, labels: np.ndarray, k: int) -> "FeatureStats":
        """The statistics of the rows of ``X`` labelled ``labels`` (internal labels ``0..k-1``).

        Works through :data:`STATS_ROWS_PER_STEP` rows at a time and never copies ``X`` whole.
        """
        n, width = X.shape
        sizes = np.bincount(labels, minlength=k)
        sums = np.zeros((k, width))
        for j in range(width):
            sums[:, j] = np.bincount(labels, weights=X[:, j], minlength=k)
        with np.errstate(invalid="ignore", divide="ignore"):
            means = sums / sizes[:, None]
        overall = X.mean(axis=0) if n else np.full(width, np.nan)
        filled = np.nan_to_num(means)
        largest, within, total = np.zeros(width), np.zeros(width), np.zeros(width)
        for start in range(0, n, STATS_ROWS_PER_STEP):
            part, part_labels = X[start:start + STATS_ROWS_PER_STEP], labels[start:start + STATS_ROWS_PER_STEP]
            np.maximum(largest, _largest_absolute(part), out=largest)
            # the same operations in the same order as np.square(part - m).sum(axis=0), in one temporary
            centred = filled[part_labels]
            np.subtract(part, centred, out=centred)
            within += np.square(centred, out=centred).sum(axis=0)
            np.subtract(part, overall, out=centred)
            total += np.square(centred, out=centred).sum(axis=0)
        spread = np.sqrt(total / n) if n else np.full(width, np.nan)
        return cls(sizes, means, overall, spread, largest, within, total)

    def indices(self) -> np.ndarray:
        """``(k, features)``: each cluster's mean / the overall mean * 100 (average = 100); NaN when the cluster
        is empty, and for a feature an index says nothing of: an index needs values measured from a true zero,
        like income or visits, so NaN for a feature whose overall mean is 0 (within :data:`ZERO_MEAN` of its
        largest absolute value) or some cluster's mean is negative, and so the overall mean may be (a balance
        with overdrafts: "index -144" said nothing). A few negative values (returns in a net spend) leave the
        index. No index either for a feature measured far from zero, whose spread is under :data:`FAR_FROM_ZERO`
        of its mean (found from outside: the year customers joined read "index 100" in every segment)."""
        with np.errstate(invalid="ignore", divide="ignore"):
            zero = ~np.isfinite(self.overall) | (np.abs(self.overall) <= ZERO_MEAN * self.largest)
            zero |= (np.where(np.isnan(self.means), 0.0, self.means) < 0).any(axis=0)  # (the overall mean too)
            zero |= self.spread < FAR_FROM_ZERO * np.abs(self.overall)
            return np.where(zero[None, :], np.nan, self.means / np.where(zero, 1.0, self.overall)[None, :] * 100)


def year_like(overall: np.ndarray | float, spread: np.ndarray | float) -> np.ndarray:
    """Whether a feature reads as a year, from its mean and spread over the customers: a mean within
    :data:`YEARS`, measured far from zero (a spread under :data:`FAR_FROM_ZERO` of the mean, so it has no
    index). Its means are written without a thousands separator ("1987.78", not "1,987.78")."""
    with np.errstate(invalid="ignore"):
        overall, spread = np.asarray(overall, dtype=float), np.asarray(spread, dtype=float)
        return (overall >= YEARS[0]) & (overall <= YEARS[1]) & (spread < FAR_FROM_ZERO * overall)


#: Filled cells of a column looked at by :func:`written_as_percent`, and the share of them that must end in "%".
PERCENT_SAMPLE, PERCENT_SHARE = 200, 0.9


def written_as_percent(frame: pd.DataFrame, features: Sequence[str]) -> np.ndarray:
    """Per feature, whether the file writes it as a percentage (``45.2%``: nearly every one of its first
    :data:`PERCENT_SAMPLE` filled cells ends in %). The data check reads "45.2%" as 0.452, as a spreadsheet holds
    it; tables show such a feature's means as percentages ("30.8%", :func:`core.text.mean_text`), not "0.31".
    Found from outside: an e-mail platform's open rates and discounts, written 24.4% and 19%, were profiled as
    0.23 and 0.31. A feature that is no column of ``frame`` (a date's days since) is not."""
    return _written_as(frame, features, lambda cells: float(cells.str.endswith("%").mean()) >= PERCENT_SHARE)


def written_as_duration(frame: pd.DataFrame, features: Sequence[str]) -> np.ndarray:
    """Per feature, whether the file writes it as durations (``00:03:25``, ``45:10``: :func:`core.quality.
    is_duration_text`), which the data check reads as seconds; tables show such a feature's means as durations
    ("2:54", :func:`core.text.mean_text`), not "174.44"."""
    from .quality import is_duration_text

    return _written_as(frame, features, is_duration_text)


def _written_as(frame: pd.DataFrame, features: Sequence[str], test: Callable[[pd.Series], bool]) -> np.ndarray:
    """Per feature, ``test`` of the first :data:`PERCENT_SAMPLE` filled cells of its column (stripped); False for a
    feature that is no column of ``frame``."""
    found = np.zeros(len(features), dtype=bool)
    for j, feature in enumerate(features):
        if feature not in frame.columns:
            continue
        cells = frame[feature].head(5 * PERCENT_SAMPLE).dropna().astype(str).str.strip()
        cells = cells[cells != ""].head(PERCENT_SAMPLE)
        found[j] = bool(cells.size) and bool(test(cells))
    return found


def _largest_absolute(part: np.ndarray) -> np.ndarray:
    """``np.abs(part).max(axis=0)`` of a C-ordered ``(rows, features)`` block, 3x faster: with few features
    numpy's reduction over rows runs a loop a row long per row; viewed as 16 rows to a line, it runs one
    16 times longer (a maximum is the same in any order)."""
    rows, width = part.shape
    if rows % 16 or not part.flags.c_contiguous:
        return np.abs(part).max(axis=0)
    return np.abs(part.reshape(rows // 16, 16 * width)).max(axis=0).reshape(16, width).max(axis=0)


def feature_columns(features: Sequence[str], taken: Sequence[str] = SIZE_COLUMNS) -> list[str]:
    """Flat column names for per-feature means: the feature's own name, unless a column before it has
    it (a feature called ``cluster`` gets ``cluster (mean)``)."""
    return [f"{name} (mean)" if name in taken else str(name) for name in features]


def index_column(feature: str) -> str:
    """The flat column name of a feature's index: ``<feature> index``."""
    return f"{feature} index"


def mix_column(column: str, value: str) -> str:
    """The flat column name of one value of a text column's mix: ``<column>: <value>``."""
    return f"{column}: {value}"


def flat_table(sizes: pd.DataFrame, means: pd.DataFrame, indices: pd.DataFrame | None = None,
               mixes: pd.DataFrame | None = None) -> pd.DataFrame:
    """Typed per-segment frames as one flat table (for a CSV, a sheet or a printout).

    Columns, in this order: :data:`SIZE_COLUMNS`; one per feature named by :func:`feature_columns`
    (its mean); then, when ``indices`` are given, ``<feature> index``; then, when ``mixes`` are given
    (columns a ``(column, value)`` MultiIndex), ``<column>: <value>``. The rows keep the frames' order;
    the index becomes 0..k-1.
    """
    base = sizes.loc[:, list(SIZE_COLUMNS)]
    parts = [base, means.set_axis(feature_columns([str(c) for c in means.columns]), axis=1)]
    if indices is not None:
        parts.append(indices.set_axis([index_column(str(c)) for c in indices.columns], axis=1))
    if mixes is not None and mixes.shape[1]:
        parts.append(mixes.set_axis([mix_column(str(c), str(v)) for c, v in mixes.columns], axis=1))
    return pd.concat(parts, axis=1).reset_index(drop=True)


#: A scatter's axis whose drawn customers hold at most this many different whole numbers (a rating of 1 to 5, a
#: count of children) is spread: ...
SPREAD_MAX_VALUES = 12
#: ... each point moved by up to this share of the step between two values, either way, so that the customers on
#: one value show as a patch rather than one dot (the dashboard's scatter and the report's). Found from outside: a
#: survey's 4,000 respondents, answers of 1 to 5 and 0 to 10, were drawn as 40 dots, each hiding up to 300.
SPREAD_WIDTH = 0.3


def spread_step(values: np.ndarray) -> float | None:
    """The step between the few whole numbers of a scatter axis's drawn values (:data:`SPREAD_MAX_VALUES` at
    most), or None when they are not such numbers (and the axis is drawn as it is)."""
    values = np.asarray(values, dtype=float)
    if values.size == 0 or not np.all(np.isfinite(values)):
        return None
    distinct = np.unique(values)
    if not 2 <= distinct.size <= SPREAD_MAX_VALUES or not np.array_equal(distinct, np.round(distinct)):
        return None
    return float(np.diff(distinct).min())


def spread_around(values: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, float | None]:
    """A scatter axis's drawn values, each moved by up to :data:`SPREAD_WIDTH` of a step either way when they are
    a few whole numbers (:func:`spread_step`), and that step; else the values as they are and None."""
    step = spread_step(values)
    if step is None:
        return values, None
    return np.asarray(values, dtype=float) + rng.uniform(-SPREAD_WIDTH * step, SPREAD_WIDTH * step, len(values)), step
