"""Training (or applying) the model when the user presses Train (a background job), and what the result
says: the silhouette, the segments, the range check of an applied model and the comparison with
another model."""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
import dash
from dash import ALL, Input, Output, State, callback, ctx, html

from core import SegmentsError, display_cluster
from core.insight import compare_labels, out_of_range
from dashboard import ids, service
from dashboard.components import error_alert, frame_table, job_options
from dashboard.jobs import time_limit
from dashboard.terms import in_words, plain, term
from dashboard.state import K_MAX, ViewState

from ._shared import PAGE, job_seconds, watch_job
from ._state import control_dependencies, folded_state


@callback(
    Output(ids.Model.FIT_RESULT, "children"),
    Output(ids.Model.FIT_DONE, "data"),
    Input(ids.Model.TRAIN, "n_clicks"),
    Input(ids.Model.FIT_RETRY, "n_clicks"),
    State(ids.page_query(PAGE), "data"),
    *control_dependencies(State),
    prevent_initial_call=True,
    **job_options(ids.Model.FIT_STATUS, ids.Model.FIT_CANCEL),
)
def fit_model(train: int | None, retry: int | None, query: str | None, *controls: Any) -> tuple[Any, Any]:
    """Fit (or apply) the chosen model when the user presses Train (or Apply), and say how good it is
    (a background job).

    Also returns ``{"query": the settings it answered, "shown": whether a result is shown}``, so
    :func:`watch_fit` can tell a job that never finished and :func:`hint_training` what is out of date.
    The controls are read as they are when Train is pressed (``controls``, as for :func:`update_state`),
    not from the link, which may not have caught up with the last change yet.
    """
    state = ViewState.from_search(query)
    if controls and controls[1] is not None:  # the mode is always set on the page
        state = folded_state(state, *controls)
        query = state.query()
    if not state.ds or not (train or retry):
        return None, {"query": query, "shown": False}
    try:
        with time_limit(job_seconds()):
            seg = service.get_segmentation(state)
    except SegmentsError as exc:
        title = "The model cannot be applied" if state.applies_model else "The model could not be trained"
        return error_alert(exc, title), {"query": query, "shown": False}
    return _fit_summary(state, seg), {"query": query, "shown": True}


@callback(
    Output(ids.Model.TRAIN_HINT, "children"),
    Input(ids.page_query(PAGE), "data"),
    Input(ids.Model.FIT_DONE, "data"),
)
def hint_training(query: str | None, done: dict[str, Any] | None) -> str:
    """Say when pressing Train is what the page waits for: nothing trained yet, or the settings changed."""
    state = ViewState.from_search(query)
    verb = "Apply" if state.applies_model else "Train"
    if not isinstance(done, dict) or not done.get("shown"):
        return (f"Press {verb} when the settings suit you: nothing is fitted until then." if state.applies_model
                else f"Press {verb} when the features and k suit you: nothing is fitted until then.")
    if done.get("query") != query:
        return f"The settings changed since the result below: press {verb} again to see their segments."
    return ""


@callback(
    Output(ids.Model.FIT_WATCH, "style"),
    Output(ids.retry_reason(ids.Model.FIT_WATCH), "children"),
    Input(ids.Model.FIT_STATUS, "style"),
    State(ids.Model.FIT_DONE, "data"),
    State(ids.page_query(PAGE), "data"),
    prevent_initial_call=True,
)
def watch_fit(status: dict[str, str] | None, done: dict[str, Any] | None, query: str | None) -> tuple[Any, Any]:
    """When a fit stops without an answer (cancelled, its process died, the data store failed), say why
    and offer to try again."""
    return watch_job(status, done.get("query") if isinstance(done, dict) else None, query, "The model")


def fitted_summary(state: ViewState) -> html.Div | None:
    """The summary of the state's model when it was fitted already (its comparison only if that is
    fitted too: a page opens without fitting anything), else None."""
    if not service.has_segmentation(state):
        return None
    try:
        return _fit_summary(state, service.get_segmentation(state), compare_only_fitted=True)
    except SegmentsError:
        return None


def _fit_summary(state: ViewState, seg: Any, compare_only_fitted: bool = False) -> html.Div:
    """What the fitted (or applied) model is and how good it is."""
    sizes = seg.sizes()
    quality = "n/a" if seg.silhouette is None else f"{seg.silhouette:.3f}"
    extra: list[Any] = [_split_warning(state, seg, compare_only_fitted)]
    if seg.source != "new":
        extra.append(_range_check(state, seg))
    extra.append(_comparison(state, seg, compare_only_fitted))
    what = {"pretrained": "Pre-trained model applied", "saved": "Saved model applied"}.get(
        seg.source, f"New model with k={seg.k}, seed {seg.seed}")
    return html.Div([
        html.P([html.Strong(what), f": {int(sizes.sum()):,} customers segmented on {', '.join(seg.feature_labels)}."]),
        html.P([*term("silhouette", "model-fit-silhouette", "Separation score"), " of this model: ",
                html.Strong(quality, className="segments-model-silhouette"),
                " (from -1 to 1; above 0.5 is a clear structure, below 0.25 a weak one)."]),
        html.P("Segments: " + ", ".join(f"{display_cluster(i)} · {name} ({int(n):,})"
                                        for i, (name, n) in enumerate(zip(seg.segment_names, sizes))),
               className="small text-muted"),
        *[html.P(note, className="small text-muted mb-1") for note in service.segmentation_notes(state, seg)],
        *extra,
    ], className="segments-fit-result")


def _split_warning(state: ViewState, seg: Any, only_held: bool) -> Any:
    """A warning when the model on every customer split them otherwise than the k sweep's sample at its k, against
    the rule that made a k the recommendation (:func:`core.insight.settle_split`), with the k that holds and a
    button that puts it on the slider (its model is fitted already). Found from outside: a Stripe export of 40,000
    customers was recommended k=2 with segments of 39% to 61%, and the model trained at k=2 put 97.5% in one.
    ``only_held``: a page opening, which fits nothing."""
    try:
        settled = service.settled_split(state, seg, only_held)
    except SegmentsError:
        return None
    said = settled.said(chosen=True) if settled is not None else None
    if settled is None or said is None:
        return None
    button = [] if settled.instead is None else [
        " ", dbc.Button(f"Use k={settled.instead}", id={"type": ids.Model.USE_SPLIT_K, "k": settled.instead},
                        size="sm", color="warning", outline=True)]
    return dbc.Alert([*in_words(said, "model-split-said"), *button], color="warning",
                     className="py-2 small", id=ids.Model.SPLIT_WARNING)


@callback(
    Output(ids.Model.K, "value", allow_duplicate=True),
    Input({"type": ids.Model.USE_SPLIT_K, "k": ALL}, "n_clicks"),
    prevent_initial_call=True,
)
def use_split_k(clicks: list[int | None]) -> Any:
    """Put the k the split warning names on the slider (Train then shows its model, fitted already)."""
    chosen = ctx.triggered_id
    if not any(clicks or []) or not isinstance(chosen, dict):
        return dash.no_update
    return int(chosen["k"])


def _range_check(state: ViewState, seg: Any) -> Any:
    """How the file's customers compare with the applied model's training customers."""
    try:
        info = service.applied_model(state).info
    except SegmentsError:
        return None
    check = out_of_range(seg.matrix.X, info, list(seg.model_features))
    shift = f"mean shift (in {plain('training SDs')})"
    table = check.table[["feature", "outside", "shift_sd"]].rename(
        columns={"outside": "outside training range", "shift_sd": shift})
    return html.Div([
        dbc.Alert(check.warning, color="warning", className="py-2 small") if check.warning else
        html.P("This file's customers look like the model's training customers.", className="small text-success"),
        frame_table(table, "segments-range", {"outside training range": ".1%", shift: "+.2f"}),
        html.P(["Mean shift: how far this file's average is from the training customers', in ",
                *term("training SDs", "model-range-sd"), "."], className="small text-muted"),
    ], className="segments-range-check")


def _comparison(state: ViewState, seg: Any, only_fitted: bool = False) -> Any:
    """A cross-table of this segmentation against another: pre-trained vs new, or k vs k+1 (``only_fitted``:
    only when that other one is fitted already)."""
    try:
        if state.applies_model:
            # the same columns as the applied model, never the features ticked for a new model
            other_state = state.with_(mode="new", features=tuple(seg.features), k=seg.k, mapping=(), model=None,
                                      transforms=())
            names = ("Applied model", f"New model, k={seg.k}")
            same_features = None
        else:
            other_state = state.with_(k=min(seg.k + 1, K_MAX))
            names = (f"k={seg.k}", f"k={other_state.k}")
            same_features = seg.matrix  # only k differs: the customers' columns are parsed once for both
        if only_fitted and not service.has_segmentation(other_state):
            return None
        other = service.get_segmentation(other_state, matrix=same_features)
        comparison = compare_labels(seg.labels, other.labels, *names)
    except SegmentsError:
        return None
    table = comparison.table.copy()
    table.insert(0, f"{names[0]} (rows) · {names[1]} (columns)", table.index.astype(str))
    return html.Details([
        html.Summary(f"Compare with {names[1].lower()}: {plain('adjusted Rand index')} {comparison.adjusted_rand:.2f}"),
        # (the term's tooltip is outside the summary: a focusable element inside it would be nested in a control)
        html.P([*term("adjusted Rand index", "model-compare-rand", "Agreement"), " 1 = the same segments, 0 = no "
                "more alike than chance. ", *in_words(comparison.summary, "model-compare-summary")],
               className="small text-muted mb-1"),
        frame_table(table.reset_index(drop=True), "segments-compare"),
    ], className="mt-2 segments-comparison")
