"""Saving a segmentation to the library, applying it to a new snapshot, and who moved between snapshots.

The glue between the view state (:mod:`dashboard.service`, the cache), the durable library
(:mod:`dashboard.library`) and core's clustering and migration (:mod:`core.migration`). Pages and
routes call these; they never talk to the database themselves.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from core import SavedModel, SegmentsError, bundle_bytes, load_bundle, segment_with_model
from core.export import CsvDialect
from core.io import recipe_of
from core.insight import out_of_range
from core.migration import NONE, IdOverlap, Migration, id_candidates, id_overlap, migration_table, positions_of
from core.model import DISPLAY_OFFSET
from core.rfm import OrderRebuild, OrderRecipe, rebuild_for_model
from core.segmentation import Segmentation

from . import library, service
from .state import ViewState

__all__ = ["save_current", "delete_saved", "apply_snapshot", "SnapshotMigration", "migration_between", "id_columns",
           "shown_labels", "segment_label", "open_href", "order_lines"]


def shown_labels(seg: Segmentation) -> np.ndarray:
    """Each input row's cluster as people see it (1 = largest), 0 for customers left out."""
    return np.where(seg.scored, seg.labels + DISPLAY_OFFSET, 0).astype(np.int64)


def open_href(saved: library.SavedSummary | library.SavedSegmentation, path: str = "/clusters") -> str:
    """The link that opens a saved segmentation (its settings and its never-expiring dataset token)."""
    summary = saved.summary if isinstance(saved, library.SavedSegmentation) else saved
    return path + summary.query


def save_current(state: ViewState, name: str, note: str = "") -> str:
    """Save the state's segmentation (data set, settings, names, model bundle) in the library; its id.

    The data set keeps its token, so links to it made before the save keep working for good.
    """
    dataset = service.get_dataset(state.ds)
    state = service.resolve_state(state, dataset)
    seg = service.get_segmentation(state)
    scored = int(seg.scored.sum())
    settings = {
        "query": state.with_(x=None, y=None).query(),
        "features": list(seg.features), "model_features": list(seg.model_features),
        "transforms": list(seg.transforms), "k": seg.k,
        "seed": seg.seed, "missing": state.missing, "codes": state.codes, "mode": state.mode,
        "zero": seg.zero_features,
        "mapping": state.mapping_dict,
        "names": list(seg.segment_names),
    }
    bundle = bundle_bytes(seg.saved_model(f"{dataset.name}: {scored:,} customers", recipe_of(dataset.table)))
    uploaded = service.uploaded_bundle(state.model) if state.mode == "saved" and state.model else None
    return library.save(name, note, dataset.token, dataset.name, dataset.table, shown_labels(seg), seg.k, settings,
                        bundle, model_token=state.model if uploaded else None, model_bundle=uploaded)


def delete_saved(saved_id: str) -> None:
    """Delete a saved segmentation and its stored data, in the library and in the cache: its links stop
    working at once (a data set another saved segmentation still uses stays)."""
    for token in library.delete_saved(saved_id):
        service.forget_dataset(token)


def apply_snapshot(saved_id: str, dataset_token: str, mapping: dict[str, str]) -> int:
    """Apply a saved segmentation's model to another data set (next month's export) and keep the result
    as its newest snapshot; returns the snapshot's id.

    ``mapping`` is ``{model feature: file column}``. A file of order lines applied to a segmentation of customers
    built from orders is built into its customer table first (:func:`order_lines`), kept as its own data set, and
    the model applied to that. The saved missing-value rule is used, and the saved
    reading of codes for "unknown" (the new file's own codes, read as missing unless the segmentation kept
    them); the saved segment names come with the model. The out-of-range check's warning is kept with the snapshot.

    Raises
    ------
    ModelFeatureError
        The file lacks a feature the model needs, or a mapped column is not numeric.
    """
    saved = library.get_saved(saved_id)
    dataset = service.get_dataset(dataset_token)
    model = load_bundle(saved.bundle)
    info = model.info
    rebuild = order_lines(saved, dataset, model)
    if rebuild is not None:  # next month's order lines: their customer table, built as the saved one was
        dataset = service.store_customer_table(dataset, rebuild.columns, None, rebuild.window_months,
                                               rebuild.currency)
        mapping = {}
    by_column = {column: feature for feature, column in mapping.items() if column}
    seg = segment_with_model(dataset.frame, model, by_column, str(saved.settings.get("missing", "drop")),
                             dataset.table.decimal, dataset.table.numbers,
                             service.unknown_for(dataset, str(saved.settings.get("codes", "unknown"))), source="saved")
    warning = ""
    if seg.matrix.X.shape[0]:
        warning = out_of_range(seg.matrix.X, info, list(seg.model_features), "saved model").warning or ""
    used = {feature: column for feature, column in zip(info.features, seg.features)}
    return library.add_snapshot(saved_id, dataset.token, dataset.name, dataset.table, shown_labels(seg), seg.k,
                                used, warning)


def order_lines(saved: library.SavedSegmentation, dataset: service.Dataset,
                model: SavedModel | None = None) -> OrderRebuild | None:
    """How an uploaded file of order lines is built into a customer table when the saved segmentation was trained
    on one built from such lines (:func:`core.rfm.rebuild_for_model`): :func:`apply_snapshot` builds it first, with
    the saved table's columns and currency, over the same window, as of the day after its last order. None
    otherwise (a customer table, or a file that is no order lines). Found from outside: next month's order export
    dropped on a segmentation of customers built from orders asked which of its columns were recency and
    frequency; then its columns were recognised anew, not those chosen on the order card. ``model``: the saved
    bundle, when the caller has loaded it already."""
    model = model or load_bundle(saved.bundle)
    return rebuild_for_model(dataset.frame, [str(f) for f in saved.settings.get("model_features", [])],
                             OrderRecipe.from_json(model.info.orders))


def id_columns(saved: library.SavedSegmentation, first: library.Snapshot,
               second: library.Snapshot) -> list[tuple[str, str]]:
    """The columns to match the snapshots' customers on, as ``(name in the first, name in the second)``: those both
    have, and an id the second names otherwise (:func:`core.migration.id_candidates`); ID-like ones first (the
    likely customer id)."""
    old = service.get_dataset(first.dataset_token)
    new = service.get_dataset(second.dataset_token)
    return id_candidates(old.frame, new.frame, {c.name for c in old.report.column_reports if c.id_like},
                         {c.name for c in new.report.column_reports if c.id_like})


def segment_label(cluster: str, names: list[str]) -> str:
    """``"2 · Loyal"`` for cluster ``"2"``; the empty segment is not named here (callers say new/gone)."""
    if cluster == NONE:
        return NONE
    try:
        number = int(cluster)
    except ValueError:
        return cluster
    return f"{number} · {names[number - 1]}" if 1 <= number <= len(names) else cluster


@dataclass(frozen=True)
class SnapshotMigration:
    """Who moved between two snapshots of a saved segmentation."""

    saved: library.SavedSegmentation
    first: library.Snapshot
    second: library.Snapshot
    id_column: str
    moves: Migration
    overlap: IdOverlap
    loose: bool = False
    new_id_column: str = ""
    candidates: tuple[tuple[str, str], ...] = ()  # every id column the two could be matched on (id_columns)

    @property
    def warning(self) -> str | None:
        """What to know before reading the counts: few ids in common, and whether a loose match would help."""
        return self.overlap.warning(self.first.label, self.second.label, self.id_column, self.loose)

    def dialect(self, which: str) -> CsvDialect:
        """How the movers' CSV is written: in the dialect of the snapshot its rows come from (``which``, as in
        :meth:`rows`): a German export's semicolons come back."""
        shot = self.second if which == "new" else self.first
        return service.get_dataset(shot.dataset_token).table.dialect

    def rows(self, which: str, cluster_from: str, cluster_to: str) -> pd.DataFrame:
        """The movers' rows (``which``: the new snapshot's rows, or the old one's for customers gone), with
        ``from segment`` and ``to segment`` columns first."""
        ids = self.moves.movers(cluster_from, cluster_to)
        shot = self.second if which == "new" else self.first
        frame = service.get_dataset(shot.dataset_token).frame
        id_column = (self.new_id_column or self.id_column) if which == "new" else self.id_column
        chosen = frame.iloc[positions_of(ids, frame[id_column], self.loose)]
        names = self.saved.names
        out = chosen.reset_index(drop=True)
        columns = {str(c) for c in out.columns}

        def free(name: str) -> str:  # a file that has a "from segment" column keeps it
            while name in columns:
                name = f"{name} (moved)"
            columns.add(name)
            return name

        out.insert(0, free("to segment"), segment_label(cluster_to, names) or "(gone)", allow_duplicates=False)
        out.insert(0, free("from segment"), segment_label(cluster_from, names) or "(new)", allow_duplicates=False)
        return out


def _snapshot(saved: library.SavedSegmentation, snapshot_id: int | None, default: int) -> library.Snapshot:
    for shot in saved.snapshots:
        if shot.id == snapshot_id:
            return shot
    return saved.snapshots[default]


def migration_between(saved_id: str, first_id: int | None = None, second_id: int | None = None,
                      id_column: str | None = None, loose: bool = False) -> SnapshotMigration:
    """The migration between two snapshots (default: the last two) on ``id_column`` (default: the first
    ID-like column both have), its ids matched as written or, with ``loose``, loosely
    (:func:`core.migration.match_keys`).

    Raises
    ------
    SegmentsError
        Fewer than two snapshots, no common column, or repeated / empty ids (named in the message).
    """
    saved = library.get_saved(saved_id)
    if len(saved.snapshots) < 2:
        raise SegmentsError("Apply this segmentation to a second snapshot to see who moved.")
    first = _snapshot(saved, first_id, -2)
    second = _snapshot(saved, second_id, -1)
    candidates = id_columns(saved, first, second)
    if not candidates:
        raise SegmentsError(f"{first.label} and {second.label} have no column in common to match customers on.")
    pairs = dict(candidates)
    column = id_column if id_column in pairs else candidates[0][0]
    new_column = pairs[column]
    old_frame = service.get_dataset(first.dataset_token).frame
    new_frame = service.get_dataset(second.dataset_token).frame
    old_labels = library.snapshot_labels(saved.id, first.id)
    new_labels = library.snapshot_labels(saved.id, second.id)

    def as_text(labels: np.ndarray) -> pd.Series:
        return pd.Series(np.where(labels > 0, labels.astype(str), NONE), dtype=object)

    moves = migration_table(old_frame[column], as_text(old_labels), new_frame[new_column], as_text(new_labels),
                            old_label=first.label, new_label=second.label, id_name=column, loose=loose)
    return SnapshotMigration(saved, first, second, column, moves, id_overlap(old_frame[column], new_frame[new_column]),
                             loose, new_column, tuple(candidates))


def check_segmentation(state: ViewState) -> Segmentation:
    """The state's segmentation (raises the usual SegmentsError when there is none to save)."""
    if not state.ds:
        raise SegmentsError("Open a customer file and choose a model first.")
    return service.get_segmentation(service.resolve_state(state, service.get_dataset(state.ds)))
