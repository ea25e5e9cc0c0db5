"""Segmenting a table end to end: features, model, labels, summary and the clustered table.

This is the API the dashboard and the command line call::

    table = read_table(path)
    seg = segment_new(table.frame, ["Age", "Annual Income (k$)"], k=5, seed=0, decimal=table.decimal)
    clustered_table(table.frame, seg)   # every input row and column + "cluster"
    seg.summary()                       # one row per cluster: customers, share, feature means
"""

from __future__ import annotations

import functools
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from .errors import DataError, FeatureError, ModelFeatureError
from .insight.naming import automatic_names
from .model import (DISPLAY_OFFSET, clusterer, display_cluster, fit_segmenter, model_space, model_space_stats,
                    original_centers, transform_of)
from .persist import ModelInfo, SavedModel, sklearn_version, training_statistics
from .prepare import DEFAULT_MISSING, FeatureMatrix, prepare_features
from .quality import ColumnNumbers, number_unit, scale_ticks
from .selection import silhouette
from .stats import (NOT_SCORED, STATS_ROWS_PER_STEP, FeatureStats, feature_columns, flat_table, written_as_duration,
                    written_as_percent)
from .transform import date_source, feature_label

__all__ = [
    "Segmentation",
    "segment_new",
    "segment_with_model",
    "resolve_mapping",
    "propose_mapping",
    "clustered_table",
    "CLUSTER_COLUMN",
    "feature_columns",
    "SEGMENT_COLUMN",
    "NOT_SCORED",
    "FeatureStats",
    "STATS_ROWS_PER_STEP",
]

#: Name of the column added to every clustered output.
CLUSTER_COLUMN = "cluster"
#: Name of the column with each customer's segment name.
SEGMENT_COLUMN = "segment"
#: Longest segment name kept.
MAX_NAME_LENGTH = 60


@dataclass(frozen=True)
class Segmentation:
    """A fitted (or applied) segmentation of a table.

    Attributes
    ----------
    matrix : FeatureMatrix
        The features as used, from the file's columns.
    model_features : tuple[str, ...]
        The model's own names for those features (the same as the columns for a new model).
    pipeline : sklearn.pipeline.Pipeline
        The fitted model: :func:`core.model.build_segmenter`'s pipeline (transforms, StandardScaler,
        SizeOrderedKMeans).
    labels : numpy.ndarray
        Internal cluster label per input row (0 = largest), :data:`NOT_SCORED` for rows left out.
    k : int
    seed : int | None
    source : str
        ``"new"``, ``"pretrained"`` (the shipped model applied) or ``"saved"`` (a model bundle applied).
    silhouette : float | None
        Silhouette of the labelling (sampled above 5,000 rows), None when undefined.
    notes : list[str]
        What was done (rows left out, values filled, mapping used), for the user.
    names : tuple[str, ...]
        One name per cluster, given when the segmentation is built (:func:`segment_new` and
        :func:`segment_with_model` give the automatic names of :func:`core.insight.naming.automatic_names`).
    percent_features : tuple[str, ...]
        The features the file writes as percentages (:func:`core.stats.written_as_percent`: ``24.4%``, read
        as 0.244): tables show their means, and charts their axes, as percentages.
    duration_features : tuple[str, ...]
        The features the file writes as durations (:func:`core.stats.written_as_duration`: ``00:03:25``, read
        as 205 seconds): tables show their means as durations ("3:25").
    scale_features : tuple[tuple[str, tuple[tuple[float, str], ...]], ...]
        ``(feature, ((number, answer), ...))`` for the features the file writes as words of a scale
        (:func:`core.quality.scale_ticks`: "Agree", read as 4): charts tick their axes with the answers.
    unit_features : tuple[tuple[str, str], ...]
        ``(feature, unit)`` for the features the file writes with a unit (:func:`core.quality.number_unit`: "3
        years", read as 3): charts say the unit on their axes.

    Raises
    ------
    ValueError
        ``names`` does not hold one name per cluster.
    """

    matrix: FeatureMatrix
    model_features: tuple[str, ...]
    pipeline: Pipeline
    labels: np.ndarray
    k: int
    seed: int | None
    source: str
    silhouette: float | None
    notes: list[str] = field(default_factory=list)
    names: tuple[str, ...] = ()
    percent_features: tuple[str, ...] = ()
    duration_features: tuple[str, ...] = ()
    scale_features: tuple[tuple[str, tuple[tuple[float, str], ...]], ...] = ()
    unit_features: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        if len(self.names) != self.k:
            raise ValueError(f"A segmentation needs one name per segment: {self.k} segments, "
                             f"{len(self.names)} names.")

    def __setstate__(self, state: dict[str, object]) -> None:
        """Unpickling (the dashboard's cache keeps segmentations for a day): one pickled before names were
        given when a segmentation is built has none unless renamed, so it gets its automatic names here."""
        self.__dict__.update(state)
        if len(self.names) != self.k:
            X, labels = _scored(self.matrix, self.labels)
            names = automatic_names(self.pipeline, X, labels, self.feature_stats, self.matrix.features)
            self.__dict__["names"] = tuple(names)

    def scale_ticks(self, feature: str) -> tuple[tuple[float, str], ...]:
        """The answers a feature written as words of a scale is read from, with their numbers (``()`` for another
        feature): :attr:`scale_features`."""
        return dict(self.scale_features).get(feature, ())

    @property
    def segment_names(self) -> list[str]:
        """One name per cluster, in cluster order: the user's where renamed, else the automatic one."""
        return list(self.names)

    @functools.cached_property
    def feature_stats(self) -> FeatureStats:
        """Per-feature statistics over the scored customers (computed once per object)."""
        X, labels = self.scored_matrix()
        return FeatureStats.of(X, labels, self.k)

    @functools.cached_property
    def model_stats(self) -> FeatureStats:
        """:attr:`feature_stats` in the space the model measures in: of the transformed values for a feature the
        model transforms (a log of spend), else :attr:`feature_stats` itself (computed once per object)."""
        X, labels = self.scored_matrix()
        return model_space_stats(self.pipeline, X, labels, self.feature_stats)

    def scored_matrix(self) -> tuple[np.ndarray, np.ndarray]:
        """(The feature values of the scored customers in original units, their internal labels).

        The matrix itself, not a copy, when every row the model used has a cluster (the usual case).
        """
        return _scored(self.matrix, self.labels)

    def renamed(self, names: dict[int, str]) -> "Segmentation":
        """A copy with some segments renamed (``{internal label: name}``); names must stay unique.

        Raises
        ------
        DataError
            A blank name, or two segments with the same name.
        """
        current = self.segment_names
        for label, name in names.items():
            if 0 <= int(label) < self.k:
                cleaned = " ".join(str(name).split())[:MAX_NAME_LENGTH]
                if not cleaned:
                    raise DataError(f"Segment {display_cluster(int(label))} needs a name.")
                current[int(label)] = cleaned
        repeated = sorted({n for n in current if current.count(n) > 1})
        if repeated:
            raise DataError("Each segment needs its own name; used twice: " + ", ".join(repr(r) for r in repeated))
        copy = replace(self, names=tuple(current))
        if "feature_stats" in self.__dict__:  # same customers and labels: still true
            copy.__dict__["feature_stats"] = self.__dict__["feature_stats"]
        return copy

    @property
    def features(self) -> tuple[str, ...]:
        """The file's columns the segmentation uses."""
        return self.matrix.features

    @property
    def scored(self) -> np.ndarray:
        """Boolean per input row: it has a cluster."""
        return self.labels != NOT_SCORED

    def sizes(self) -> np.ndarray:
        """Customers per cluster, ``(k,)``."""
        return np.bincount(self.labels[self.scored], minlength=self.k)

    def summary(self) -> pd.DataFrame:
        """One row per cluster: ``cluster`` (as shown), ``segment`` (its name), ``customers``, ``share``,
        the mean of each feature (columns named by :func:`core.stats.feature_columns`: the feature's
        name, ``<name> (mean)`` for a feature named like one of the first four).

        Means are in the features' original units, over the values the model used (filled values
        included when a fill strategy was chosen). ``share`` is of the customers that have a cluster.
        """
        stats = self.feature_stats
        return flat_table(self.sizes_frame(), pd.DataFrame(stats.means, columns=list(self.features)))

    def sizes_frame(self) -> pd.DataFrame:
        """One row per internal label (0..k-1): ``cluster`` (as shown), ``segment`` (its name),
        ``customers`` and ``share`` (of the customers that have a cluster, 0..1)."""
        sizes = self.feature_stats.sizes
        total = int(sizes.sum())
        return pd.DataFrame({
            CLUSTER_COLUMN: [display_cluster(c) for c in range(self.k)],
            SEGMENT_COLUMN: self.segment_names,
            "customers": sizes.astype(int),
            "share": sizes / total if total else np.zeros(self.k),
        })

    def restricted(self, rows: np.ndarray) -> "Segmentation":
        """The same segmentation seen through a selection: customers outside ``rows`` count as not scored.

        ``rows`` are input row positions. Summaries and profiles of the result describe the selection.
        """
        keep = np.zeros(self.labels.size, dtype=bool)
        keep[np.asarray(rows, dtype=np.int64)[(rows >= 0) & (rows < self.labels.size)]] = True
        return replace(self, labels=np.where(keep, self.labels, NOT_SCORED), names=tuple(self.segment_names))

    def centroids(self) -> pd.DataFrame:
        """Centroids in the original units: ``cluster`` (as shown) and one column per feature."""
        centers = original_centers(self.pipeline)
        base = {CLUSTER_COLUMN: [display_cluster(c) for c in range(self.k)]}
        columns = feature_columns(self.features, tuple(base))
        return pd.DataFrame({**base, **{column: centers[:, j] for j, column in enumerate(columns)}})

    @property
    def transforms(self) -> tuple[str, ...]:
        """The transform of each feature (``none`` for all when the model has no transform step)."""
        step = transform_of(self.pipeline)
        kinds = tuple(getattr(step, "transforms", ()) or ())
        return kinds if len(kinds) == len(self.features) else ("none",) * len(self.features)

    @property
    def feature_labels(self) -> list[str]:
        """The features as people read them, with their transforms: ``["Spend (log)", "Recency"]``."""
        return [feature_label(f, t) for f, t in zip(self.features, self.transforms)]

    def saved_model(self, trained_on: str, orders: Mapping[str, Any] | None = None) -> SavedModel:
        """This segmentation's model as a :class:`~core.persist.SavedModel` (what a bundle holds; see
        :meth:`model_info` for ``trained_on`` and ``orders``)."""
        return SavedModel(self.pipeline, self.model_info(trained_on, orders))

    def model_info(self, trained_on: str, orders: Mapping[str, Any] | None = None) -> ModelInfo:
        """What a model bundle of this segmentation says about its model: features, k, seed, the segment
        names and the training data's statistics (for the out-of-range check of a later file).

        ``trained_on`` describes the data in words, e.g. ``"customers.csv: 200 rows"``; ``orders``: how the table
        was built from order lines (:attr:`core.io.TableRead.recipe`), kept with the model.
        """
        rows = int(self.matrix.used.sum())
        return ModelInfo(features=list(self.model_features), k=self.k, seed=self.seed,
                         sklearn_version=sklearn_version(), trained_on=trained_on, rows=rows,
                         names=list(self.segment_names),
                         transforms=[] if set(self.transforms) <= {"none"} else list(self.transforms),
                         zero=self.zero_features, orders=dict(orders or {}),
                         **training_statistics(self.matrix.X, list(self.model_features)))

    @property
    def zero_features(self) -> list[str]:
        """The model features whose blank cells were counted as 0, as the user chose (:attr:`FeatureMatrix.zero`)."""
        return [m for m, f in zip(self.model_features, self.features) if f in self.matrix.zero]

    def scaled_used(self) -> np.ndarray:
        """The used rows in standardised units (the model's view)."""
        return model_space(self.pipeline, self.matrix.X)


def _scored(matrix: FeatureMatrix, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(The feature values of the scored customers in original units, their internal labels): the matrix
    itself, not a copy, when every row the model used has a cluster (the usual case)."""
    X = np.asarray(matrix.X, dtype=float)
    used = np.asarray(matrix.used)
    labels_used = labels if used.all() else labels[used]
    keep = labels_used != NOT_SCORED
    if keep.all():
        return X, np.asarray(labels_used, dtype=np.int64)
    return X[keep], np.asarray(labels_used[keep], dtype=np.int64)


def _built(matrix: FeatureMatrix, model_features: tuple[str, ...], pipeline: Pipeline, used_labels: np.ndarray,
           k: int, seed: int | None, source: str, score: float | None, notes: list[str],
           frame: pd.DataFrame) -> Segmentation:
    """A segmentation named when it is made: the statistics its automatic names need are computed once
    and kept, so that copies of it (a cache, other processes) carry them instead of computing them again."""
    labels = _labels_for_all_rows(matrix, used_labels)
    X, scored_labels = _scored(matrix, labels)
    stats = FeatureStats.of(X, scored_labels, k)
    model_stats = model_space_stats(pipeline, X, scored_labels, stats)
    names = automatic_names(pipeline, X, scored_labels, stats, matrix.features, model_stats)
    percents, durations = (tuple(f for f, found in zip(matrix.features, written(frame, matrix.features)) if found)
                           for written in (written_as_percent, written_as_duration))
    scales = tuple((f, ticks) for f in matrix.features if f in frame.columns for ticks in [scale_ticks(frame[f])]
                   if ticks)
    units = tuple((f, unit) for f in matrix.features if f in frame.columns for unit in [number_unit(frame[f])] if unit)
    seg = Segmentation(matrix, model_features, pipeline, labels, k, seed, source, score, notes, tuple(names), percents,
                       durations, scales, units)
    seg.__dict__["feature_stats"] = stats  # cached properties: the same customers and labels
    seg.__dict__["model_stats"] = model_stats
    return seg


def _labels_for_all_rows(matrix: FeatureMatrix, used_labels: np.ndarray) -> np.ndarray:
    labels = np.full(matrix.used.size, NOT_SCORED, dtype=np.int64)
    labels[matrix.used] = used_labels
    return labels


def segment_new(
    frame: pd.DataFrame,
    features: list[str] | tuple[str, ...],
    k: int,
    seed: int = 0,
    missing: str = DEFAULT_MISSING,
    decimal: str = ".",
    transforms: Sequence[str] | Mapping[str, str] | None = None,
    *,
    matrix: FeatureMatrix | None = None,
    numbers: ColumnNumbers | None = None,
    scaler: StandardScaler | None = None,
    unknown: Mapping[str, Sequence[float]] | None = None,
    zero: Collection[str] = (),
) -> Segmentation:
    """Train a new StandardScaler + K-Means model with ``k`` segments and label every row.

    ``transforms`` (one per feature, or ``{feature: transform}``) are applied before the scaler (see
    :mod:`core.transform`); the matrix, summaries and profiles stay in the original units. ``matrix``:
    ``prepare_features`` of the same arguments when the caller has it already (``fit --k auto`` parses the
    columns once for the sweep and the fit). ``numbers``: the table's parsed columns
    (:attr:`core.io.TableRead.numbers`), so the columns the data check parsed are not parsed again.
    ``scaler``: the scaler the sweep that chose k fitted on the same matrix (:attr:`core.model.Standardiser.scaler`),
    not fitted again (:func:`core.model.fit_segmenter`). ``unknown``: ``{column: codes}`` read as missing, and
    ``zero``: columns whose blanks are 0, as the user chose (:func:`core.prepare.prepare_features`; without
    ``matrix``). A model saved from it counts the blanks of those features as 0 wherever it is applied.

    Raises
    ------
    FeatureError, MissingValuesError, NotEnoughRowsError
        With a message for the user.
    """
    if matrix is None:
        matrix = prepare_features(frame, features, missing, decimal, transforms, numbers, unknown, zero)
    pipeline = fit_segmenter(matrix.X, k, seed, matrix.transforms, scaler)
    used_labels = np.asarray(clusterer(pipeline).labels_, dtype=np.int64)
    # the silhouette's sample alone in the model's space (not a standardised copy of every row)
    score = silhouette(matrix.X, used_labels, seed, scale=functools.partial(model_space, pipeline))
    return _built(matrix, matrix.features, pipeline, used_labels, k, seed, "new", score, list(matrix.notes), frame)


def _normalise(name: str) -> str:
    """A name ignoring case, spaces and punctuation ("Annual Income (k$)" is "annualincomek")."""
    return "".join(ch for ch in name.lower() if ch.isalnum())


def _bare(name: str) -> str:
    """:func:`_normalise` without a unit in brackets ("Annual Income (k$)" is "annualincome")."""
    return _normalise(re.sub(r"\([^)]*\)|\[[^\]]*\]", "", name)) or _normalise(name)


def propose_mapping(columns: list[str], model_features: list[str]) -> dict[str, str]:
    """``{model feature: file column}`` for the features a column obviously feeds: the same name; else
    the only column with the same name ignoring case, spaces and punctuation; else (no such column) the
    only one that also ignores a unit in brackets ("AnnualIncome" for "Annual Income (k$)"). Features
    without one such column are left out: the user maps them."""
    proposed: dict[str, str] = {}
    for feature in model_features:
        wanted = date_source(feature) or feature  # a date's days since, an age: fed by the date column
        if wanted in columns:
            proposed[feature] = wanted
            continue
        for key in (_normalise, _bare):
            matches = [c for c in columns if key(c) == key(wanted)]
            if matches:
                if len(matches) == 1:
                    proposed[feature] = matches[0]
                break
    return proposed


def _fed(feature: str, column: str) -> str:
    """The file's feature that feeds a model ``feature`` from ``column``: the column, or, for a feature derived
    from a date column ("Last order (days since)", "Date of Birth (age)"), the same derivation of ``column``."""
    source = date_source(feature)
    return column if source is None else column + feature[len(source):]


def resolve_mapping(
    columns: list[str],
    model_features: list[str],
    mapping: dict[str, str] | None = None,
) -> dict[str, str]:
    """Decide which file column feeds each model feature.

    Parameters
    ----------
    columns : list[str]
        The file's columns.
    model_features : list[str]
        What the model expects.
    mapping : dict[str, str], optional
        ``{file column: model feature}`` chosen by the user; it wins over matching by name.

    Returns
    -------
    dict[str, str]
        ``{model feature: file column}`` for every model feature (for a feature derived from a date column, the
        same derivation of the file's date column: :func:`_fed`). Features the user did not map are matched by
        :func:`propose_mapping`.

    Raises
    ------
    ModelFeatureError
        A model feature has no column, or the mapping names unknown columns or features.
    """
    mapping = dict(mapping or {})
    unknown_columns = [c for c in mapping if c not in columns]
    if unknown_columns:
        raise ModelFeatureError("The mapping names columns the file does not have: "
                                + ", ".join(repr(c) for c in unknown_columns) + ".", [])
    unknown_features = [f for f in mapping.values() if f not in model_features]
    if unknown_features:
        raise ModelFeatureError("The mapping names features the model does not use: "
                                + ", ".join(repr(f) for f in unknown_features)
                                + ". The model expects " + ", ".join(repr(f) for f in model_features) + ".", [])
    chosen = {feature: column for column, feature in mapping.items()}
    if len(chosen) != len(mapping):
        raise ModelFeatureError("Each model feature can be fed by only one column.", [])
    proposed = propose_mapping(columns, model_features)
    missing: list[str] = []
    for feature in model_features:
        if feature in chosen:
            continue
        if feature in proposed:
            chosen[feature] = proposed[feature]
        else:
            missing.append(feature)
    if missing:
        raise ModelFeatureError(
            "The model needs " + ", ".join(repr(m) for m in missing) + ", which this file lacks. Choose the "
            "column of your file that holds " + ("each of them" if len(missing) > 1 else "it")
            + ", or train a new model.", missing)
    used = list(chosen.values())
    repeated = sorted({c for c in used if used.count(c) > 1})
    if repeated:
        raise ModelFeatureError("A column can feed only one model feature; repeated: "
                                + ", ".join(repr(r) for r in repeated) + ".", [])
    return {feature: _fed(feature, column) for feature, column in chosen.items()}


def segment_with_model(
    frame: pd.DataFrame,
    model: SavedModel,
    mapping: dict[str, str] | None = None,
    missing: str = DEFAULT_MISSING,
    decimal: str = ".",
    numbers: ColumnNumbers | None = None,
    unknown: Mapping[str, Sequence[float]] | None = None,
    source: str = "pretrained",
) -> Segmentation:
    """Apply a saved model to a table, after checking the table has every feature the model needs.

    Parameters
    ----------
    model : SavedModel
        The model as loaded (:func:`core.persist.load_bundle`, :func:`core.persist.load_model_file`).
    mapping : dict[str, str], optional
        ``{file column: model feature}`` for columns named differently from the model's features.
    numbers : ColumnNumbers, optional
        The table's parsed columns (:attr:`core.io.TableRead.numbers`): the columns the data check parsed
        are not parsed again (ignored unless they belong to this very frame and decimal mark).
    unknown : dict, optional
        ``{file column: codes}`` read as missing (:func:`core.prepare.prepare_features`), e.g. the table's
        :attr:`core.quality.QualityReport.unknown_codes`.
    source : str
        The segmentation's :attr:`Segmentation.source`: ``"pretrained"`` for the shipped model, ``"saved"`` for a
        model bundle (found from outside: reports and the command line called a saved model the pre-trained one).

    The blanks of the features the model was trained to count as 0 (:attr:`core.persist.ModelInfo.zero`) are
    counted as 0 here too.

    Raises
    ------
    ModelFeatureError
        The file lacks a feature (named in the message), or a mapped column is not numeric.
    """
    pipeline, info = model
    chosen = resolve_mapping([str(c) for c in frame.columns], info.features, mapping)
    columns = [chosen[f] for f in info.features]
    try:
        matrix = prepare_features(frame, columns, missing, decimal, list(info.transforms) or None, numbers,
                                  unknown, {chosen[f] for f in info.zero})
    except FeatureError as exc:
        raise ModelFeatureError(f"The model cannot be applied: {exc}", []) from None
    notes = list(matrix.notes)
    renamed = [f"'{c}' is used as '{f}'" for f, c in zip(info.features, columns) if f != c]
    if renamed:
        notes.insert(0, "Column mapping: " + "; ".join(renamed) + ".")
    used_labels = np.asarray(pipeline.predict(matrix.X), dtype=np.int64) if matrix.X.shape[0] else \
        np.empty(0, dtype=np.int64)
    score = silhouette(matrix.X, used_labels, 0, scale=functools.partial(model_space, pipeline)) \
        if matrix.X.shape[0] else None
    return _built(matrix, tuple(info.features), pipeline, used_labels, info.k, info.seed, source, score, notes,
                  frame)


def clustered_table(frame: pd.DataFrame, segmentation: Segmentation,
                    extra: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every input row and column, unchanged, plus ``cluster`` and ``segment`` (empty for rows left out).

    Parameters
    ----------
    extra : pandas.DataFrame, optional
        More columns to add after ``segment``, one row per input row (for example the per-customer
        confidence of :func:`core.insight.confidence`).

    Columns the file already has keep their names; an added column whose name is taken gets a
    numeric suffix (``cluster_1``).
    """
    out = frame.copy()

    def free(name: str) -> str:
        candidate, suffix = name, 1
        while candidate in out.columns:
            candidate = f"{name}_{suffix}"
            suffix += 1
        return candidate

    shown = pd.array(np.where(segmentation.scored, segmentation.labels + DISPLAY_OFFSET, 0), dtype="Int64")
    shown[~segmentation.scored] = pd.NA
    out[free(CLUSTER_COLUMN)] = shown
    # A categorical column: one small code per customer instead of ten million strings (a tenth of the
    # memory); written, shown and exported as the names (see core.export for the formula escaping).
    names = segmentation.segment_names + [""]
    codes = np.where(segmentation.scored, segmentation.labels, len(names) - 1)
    out[free(SEGMENT_COLUMN)] = pd.Categorical.from_codes(codes.astype(np.min_scalar_type(len(names))), names)
    if extra is not None:
        for column in extra.columns:
            out[free(str(column))] = extra[column].to_numpy()
    return out
