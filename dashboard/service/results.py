"""Results computed from a dataset: segmentations, per-customer confidence, stability and k sweeps.

Each is kept in the store under the dataset's token and a digest of a :class:`ResultSpec`, the frozen
record of exactly what was computed (features, transforms, k, seed, missing-value rule, model, column
mapping), never of how the URL happened to spell it: axes and segment names, which change no result,
are not part of it, and two links that resolve to the same settings share one result.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from core import FeatureMatrix, Segmentation, SweepResult, bundle_bytes, prepare_features, resolve_mapping, segment_new, \
    segment_with_model, sweep_k
from core.errors import FeatureError, SegmentsError
from core.io import recipe_of
from core.insight import Settled, Stability, confidence, settle_split, stability
from core.model import standardiser
from core.prepare import shown_notes
from core.quality import QualityReport
from core.transform import date_source
from core.options import SWEEP_K_MAX, SWEEP_K_MIN

from ..state import PCA, ViewState, distinct_axes
from . import store
from .datasets import Dataset, applied_model, get_dataset

__all__ = ["ResultSpec", "result_spec", "resolve_state", "resolve_transforms", "transforms_for",
           "resolve_mapping_for", "unknown_for", "get_segmentation", "has_segmentation", "get_confidence", "get_stability",
           "get_sweep", "settled_split", "model_bundle", "segmentation_notes"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ResultSpec:
    """What a result is computed from, and so what it is kept under.

    ``model`` is None for a new model, ``"pretrained"`` for the shipped one and ``"saved:<token>"`` for an
    uploaded bundle; an applied model brings its own features, transforms and k, so for it ``features``,
    ``transforms`` are empty, ``k`` is None and ``seed`` 0, and ``mapping`` (file column, model feature)
    says which columns it reads. A k sweep has ``k`` None too (it tries a range of k).
    """

    dataset: str
    features: tuple[str, ...] = ()
    transforms: tuple[tuple[str, str], ...] = ()
    missing: str = "drop"
    k: int | None = None
    seed: int = 0
    model: str | None = None
    mapping: tuple[tuple[str, str], ...] = ()
    codes: str = "unknown"
    zero: tuple[str, ...] = ()

    def key(self, kind: str) -> str:
        """The store key of the result of ``kind`` (``seg``, ``conf``, ``stab``, ``sweep``) for this spec."""
        digest = hashlib.sha256(repr(self).encode("utf-8")).hexdigest()[:32]
        return f"{kind}:{self.dataset}:{digest}"


def result_spec(state: ViewState, dataset: Dataset) -> ResultSpec:
    """The spec of the segmentation a resolved state asks for."""
    if state.applies_model:
        model = "pretrained" if state.mode == "pretrained" else f"saved:{state.model}"
        return ResultSpec(dataset.token, missing=state.missing, model=model, mapping=tuple(sorted(state.mapping)),
                          codes=state.codes)
    return ResultSpec(dataset.token, state.features, tuple(sorted(state.transforms)), state.missing, state.k,
                      state.seed, codes=state.codes, zero=zero_in(state))


def resolve_state(state: ViewState, dataset: Dataset) -> ViewState:
    """Fill in what the URL left to defaults: features from the data check; axes the URL names are made two
    different features of the model (axes it does not name stay unset: the Clusters page opens on the two
    features that separate the segments most, which only a segmentation says).

    Features the file does not have as numeric columns are dropped from the state.
    """
    zero = tuple(z for z in state.zero if dataset.report.zero_blank_problem(z) is None)
    report = dataset.report.with_zero_blanks(zero)
    numeric = set(report.numeric_columns) | set(report.derived_features)
    dates = set(report.date_columns)  # (a link from before ages names a birth date's days since)
    features = tuple(f for f in state.features if f in numeric or date_source(f) in dates) \
        or tuple(report.default_features)
    if state.applies_model:
        try:
            chosen = resolve_mapping_for(dataset, state)
            features = tuple(chosen[f] for f in applied_model(state).info.features)
        except SegmentsError:
            pass
    x, y = (distinct_axes(list(features) + ([PCA] if len(features) > 2 else []), state.x, state.y)
            if state.x or state.y else (None, None))
    state = state.with_(zero=zero)
    return state.with_(features=features, x=x, y=y, transforms=resolve_transforms(dataset, state, features))


def resolve_transforms(dataset: Dataset, state: ViewState, features: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """Each feature's transform (the link's choice, else the data check's proposal), keeping only those a link
    must carry: the transformed features and the proposals the user turned off."""
    proposed = report_for(dataset, state).proposed_transforms_for(features, keep_codes=state.codes == "keep")
    chosen = {**proposed, **{f: t for f, t in state.transform_dict.items() if f in proposed}}
    return tuple((f, t) for f, t in chosen.items() if t != "none" or proposed[f] != "none")


def transforms_for(state: ViewState) -> dict[str, str]:
    """``{feature: transform}`` of a resolved state's features (``none`` where the state names none)."""
    given = state.transform_dict
    return {f: given.get(f, "none") for f in state.features}


def report_for(dataset: Dataset, state: ViewState) -> QualityReport:
    """The data set's check as the state reads it: the blanks of its ``zero`` columns counted as 0
    (:meth:`core.quality.QualityReport.with_zero_blanks`), so those columns are proposed and transformed as
    columns without gaps."""
    return dataset.report.with_zero_blanks(state.zero)


def zero_in(state: ViewState) -> tuple[str, ...]:
    """The columns of a new model's features whose blanks the state counts as 0 (sorted: a cache key's part)."""
    return tuple(sorted(set(state.zero) & set(state.features)))


def unknown_for(dataset: Dataset, codes: str) -> dict[str, tuple[float, ...]]:
    """The codes for "unknown" a model reads as missing: the data check's, none when ``codes`` (a view state's,
    or a saved segmentation's setting) keeps them."""
    return {} if codes == "keep" else dataset.report.unknown_codes


def resolve_mapping_for(dataset: Dataset, state: ViewState) -> dict[str, str]:
    """``{applied model feature: file column}`` for the state's mapping (ModelFeatureError if incomplete)."""
    info = applied_model(state).info
    return resolve_mapping([str(c) for c in dataset.frame.columns], info.features, state.mapping_dict)


def _resolved(state: ViewState) -> tuple[Dataset, ViewState, ResultSpec]:
    dataset = get_dataset(state.ds)
    resolved = resolve_state(state, dataset)
    return dataset, resolved, result_spec(resolved, dataset)


def has_segmentation(state: ViewState, kind: str = "seg") -> bool:
    """Whether the state's segmentation (``kind="stab"``: its stability) was computed already and is still
    on the server: the model page shows it without the user asking to train again."""
    try:
        _, _, spec = _resolved(state)
    except SegmentsError:
        return False
    return store.holds(spec.key(kind))


def get_segmentation(state: ViewState, matrix: FeatureMatrix | None = None) -> Segmentation:
    """The segmentation a (resolved or not) state asks for, computed once and then kept, named as the state
    says.

    ``matrix``: the prepared features of the same features, transforms and missing-value rule, when the
    caller has them already (the model page's k+1 comparison reuses the fitted model's instead of parsing
    every customer's columns again); only a new model uses it.

    Raises
    ------
    DatasetGone, StoreUnavailable, core.SegmentsError
        With a message for the user.
    """
    dataset, state, spec = _resolved(state)

    def compute() -> Segmentation:
        if state.applies_model:
            return segment_with_model(dataset.frame, applied_model(state), state.mapping_dict, state.missing,
                                      dataset.table.decimal, dataset.table.numbers, unknown_for(dataset, state.codes),
                                      source=state.mode)
        if not state.features:
            raise _no_features(dataset)
        return segment_new(dataset.frame, list(state.features), state.k, state.seed, state.missing,
                           dataset.table.decimal, transforms_for(state), matrix=matrix,
                           numbers=dataset.table.numbers, unknown=unknown_for(dataset, state.codes),
                           zero=zero_in(state))

    seg = store.memoized(spec.key("seg"), compute)
    if state.names:
        try:
            seg = seg.renamed(state.renames)
        except SegmentsError:
            log.info("ignoring invalid segment names in a link")
    return seg


def segmentation_notes(state: ViewState, seg: Segmentation) -> list[str]:
    """The notes of the state's segmentation as the pages show them (a description row said once, totals rows
    kept as customers, each pointing at the Upload page's button to leave them out)."""
    dataset, _, _ = _resolved(state)
    return shown_notes(seg.notes, dataset.report, dataset.frame,
                       "the Upload page can leave it out of the table as well",
                       "the Upload page can leave {} out of the table")


def _no_features(dataset: Dataset) -> FeatureError:
    """The error of a model or sweep on no feature (a state has none only when the data check proposes none:
    :func:`resolve_state`): why, and which dates can be chosen instead (found from outside: a helpdesk's user
    export of ids and dates was told to "choose at least one numeric column", its dates offered beside)."""
    return FeatureError(dataset.report.why_no_features())


def get_confidence(state: ViewState) -> pd.DataFrame:
    """Per-customer distance, margin, silhouette and borderline flag for the state's segmentation (kept)."""
    _, _, spec = _resolved(state)
    return store.memoized(spec.key("conf"), lambda: confidence(get_segmentation(state)))


def get_stability(state: ViewState, progress: Callable[[int, int], None] | None = None) -> Stability:
    """How reproducible the state's segmentation is under resampling (kept)."""
    _, _, spec = _resolved(state)

    def compute() -> Stability:
        seg = get_segmentation(state)
        return stability(seg.matrix.X, seg.k, seg.seed or 0, progress=progress, reference=seg.pipeline)

    return store.memoized(spec.key("stab"), compute)


def get_sweep(state: ViewState, progress: Callable[[int, int], None] | None = None) -> SweepResult:
    """The four guides for k = :data:`core.options.SWEEP_K_MIN` .. :data:`~core.options.SWEEP_K_MAX` on the
    state's features (kept per features, transforms, missing-value rule and seed)."""
    dataset, state, _ = _resolved(state)

    def compute() -> SweepResult:
        if not state.features:
            raise _no_features(dataset)
        matrix = prepare_features(dataset.frame, list(state.features), state.missing, dataset.table.decimal,
                                  transforms_for(state), dataset.table.numbers, unknown_for(dataset, state.codes),
                                  zero_in(state))
        return sweep_k(matrix.X, SWEEP_K_MIN, SWEEP_K_MAX, state.seed, progress,
                       scale=standardiser(matrix.X, matrix.transforms))

    return store.memoized(_sweep_spec(dataset, state).key("sweep"), compute)


def _sweep_spec(dataset: Dataset, state: ViewState) -> ResultSpec:
    """What a resolved state's k sweep is kept under: its segmentation's spec without a k."""
    return ResultSpec(dataset.token, state.features, tuple(sorted(state.transforms)), state.missing, None,
                      state.seed, codes=state.codes, zero=zero_in(state))


def settled_split(state: ViewState, seg: Segmentation, only_held: bool = False) -> Settled[Segmentation] | None:
    """A new model's segment sizes on every customer held to the k sweep's (:func:`core.insight.settle_split`:
    the k to try instead when they broke the rule of the recommendation that the sweep's sample kept, its model
    fitted and kept, so choosing it costs nothing more). None for an applied model, or before the page's sweep
    has run (a fit never waits for a sweep).

    ``only_held``: fit nothing (a page opening): the next recommendation is checked only when its model was
    fitted already, else named unchecked.
    """
    if seg.source != "new":
        return None
    try:
        dataset, resolved, _ = _resolved(state)
    except SegmentsError:
        return None
    if not store.holds(_sweep_spec(dataset, resolved).key("sweep")):
        return None
    sweep = get_sweep(state)

    def fit(k: int) -> Segmentation | None:
        other = state.with_(k=k, names=())  # (names given to this k's segments name none of another k's)
        if only_held and not has_segmentation(other):
            return None
        return get_segmentation(other, matrix=seg.matrix)  # only k differs: the columns are parsed once

    return settle_split(sweep, sweep.rows or int(seg.scored.sum()), seg.k, seg, Segmentation.sizes, fit)


def model_bundle(state: ViewState, name: str) -> bytes:
    """The state's segmentation as a model bundle another file can be scored with (with how its customer table was
    built from order lines, when it was: :attr:`core.persist.ModelInfo.orders`)."""
    seg = get_segmentation(state)
    return bundle_bytes(seg.saved_model(f"{name}: {int(seg.matrix.used.sum()):,} customers",
                                        recipe_of(get_dataset(state.ds).table)))
