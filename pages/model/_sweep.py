"""The k sweep (a background job): the four guides per k, the per-k table and the recommended k, proposed
on the slider unless the user chose a k."""

from __future__ import annotations

import logging
from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, html

from core import SegmentsError
from core.insight import recommend_k
from dashboard import ids, service
from dashboard.components import chart, error_alert, frame_table, job_options, retry_style
from dashboard.jobs import time_limit
from dashboard.figures import elbow_figure, index_figure, silhouette_figure
from dashboard.terms import in_words, plain
from dashboard.state import K_MAX, K_MIN, ViewState

from ._shared import PAGE, job_seconds, watch_job

log = logging.getLogger(__name__)


def _k_table(sweep: Any, recommended: int) -> Any:
    """Per k: stability under resampling, smallest and largest segment's share, silhouette."""
    full = sweep.full_table()
    shown = full[(full["k"] >= sweep.k_min) & (full["k"] <= sweep.k_max)][
        ["k", "stability", "smallest_share", "largest_share", "silhouette"]].copy()
    shown["k"] = [f"{k} ✓" if k == recommended else str(k) for k in shown["k"]]
    score = plain("silhouette")
    shown.columns = ["k", "stability", "smallest", "largest", score]
    return html.Div([
        frame_table(shown.reset_index(drop=True), "segments-k-table",
                    {"stability": ".2f", "smallest": ".1%", "largest": ".1%", score: ".3f"}),
        html.P("Stability: how alike the segments stay when the customers are resampled (1 = identical; below "
               "0.75 a k is set aside while a stable one exists). Smallest / largest: the share of customers "
               "in the smallest and largest segment.", className="small text-muted"),
    ], id=ids.Model.K_TABLE)


@callback(
    Output(ids.Model.SWEEP_GRAPHS, "children"),
    Output(ids.Model.SWEEP_BEST, "data"),
    Output(ids.Model.SWEEP_DONE, "data"),
    Input(ids.Model.SWEEP_KEY, "data"),
    Input(ids.Model.SWEEP_RETRY, "n_clicks"),
    **job_options(ids.Model.SWEEP_STATUS, ids.Model.SWEEP_CANCEL, ids.Model.SWEEP_PROGRESS),
)
def run_sweep(set_progress: Any, sweep_key: str | None, _retry: int | None = None) -> tuple[Any, Any, Any]:
    """The four guides for each k of the sweep's range and the recommended k (a background job with progress)."""
    state = ViewState.from_search(sweep_key)
    if not state.ds:
        return None, None, sweep_key
    try:
        with time_limit(job_seconds()):
            sweep = service.get_sweep(state, lambda done, total: set_progress((done, total)))
    except SegmentsError as exc:
        return error_alert(exc, "The k sweep could not run"), None, sweep_key
    advice = recommend_k(sweep, sweep.rows)  # the customers the model uses, as the command line counts them
    sample = (f" The sweep ran on a seeded sample of {sweep.sample_rows:,} customers." if sweep.sample_rows else "")
    return html.Div([
        html.P([html.Strong(f"Recommended: k={advice.k}. "), *in_words(advice.reason, "model-advice"), sample, " ",
                dbc.Button(f"Use k={advice.k}", id=ids.Model.USE_K, size="sm", color="success", outline=True)],
               className="segments-advice"),
        *[dbc.Alert(in_words(w, f"model-warning-{i}"), color="warning", className="py-1 small mb-1")
          for i, w in enumerate(advice.warnings)],
        dbc.Row([
            dbc.Col(dbc.Row([
                dbc.Col(chart(ids.Model.ELBOW_GRAPH, elbow_figure(sweep)), md=6),
                dbc.Col(chart(ids.Model.SILHOUETTE_GRAPH, silhouette_figure(sweep)), md=6),
                dbc.Col(chart(ids.Model.CALINSKI_GRAPH, index_figure(sweep, "calinski_harabasz", "Calinski-Harabasz",
                                                                   higher_is_better=True)), md=6),
                dbc.Col(chart(ids.Model.DAVIES_GRAPH, index_figure(sweep, "davies_bouldin", "Davies-Bouldin",
                                                                 higher_is_better=False)), md=6),
            ]), xl=8),
            # beside the guides from 1,200 px (at 992-1,199 px its third of the row was 285 px: it scrolled sideways)
            dbc.Col(_k_table(sweep, advice.k), xl=4),
        ]),
    ]), advice.k, sweep_key


def _k_note(k: int | None, best: int) -> str:
    if k == best:
        return f"k={best} is the recommendation (see below)."
    return f"Your choice: k={k}. The recommendation is k={best} (see below)."


@callback(
    Output(ids.Model.K, "value", allow_duplicate=True),
    Output(ids.Model.K_NOTE, "children", allow_duplicate=True),
    Output(ids.page_query(PAGE), "data", allow_duplicate=True),
    Output(ids.Model.NEXT, "href", allow_duplicate=True),
    Input(ids.Model.SWEEP_BEST, "data"),
    State(ids.Model.K_CHOSEN, "data"),
    State(ids.Model.K, "value"),
    State(ids.page_query(PAGE), "data"),
    prevent_initial_call=True,
)
def propose_k(best: int | None, chosen: bool | None, k: int | None, query: str | None) -> tuple[Any, ...]:
    """The recommended k becomes the proposed value once known, unless the user chose a k already (or
    the link carried one). A moved slider gets its note from :func:`note_k_choice`.

    The link takes the proposed k here too: Dash (4.4) did not always run :func:`update_state` for a
    slider value set by another callback, and the link then kept the old k."""
    if not isinstance(best, int):
        return dash.no_update, dash.no_update, dash.no_update, dash.no_update
    proposed = min(max(best, K_MIN), K_MAX)
    if not chosen and proposed != k:
        state = ViewState.from_search(query).with_(k=proposed)
        return proposed, dash.no_update, state.query(), state.href("/clusters")
    return dash.no_update, _k_note(k, best), dash.no_update, dash.no_update


@callback(
    Output(ids.Model.K_NOTE, "children"),
    Output(ids.Model.K_CHOSEN, "data"),
    Input(ids.Model.K, "value"),
    State(ids.Model.SWEEP_BEST, "data"),
    prevent_initial_call=True,
)
def note_k_choice(k: int | None, best: int | None) -> tuple[Any, Any]:
    """Say how the slider's k relates to the recommendation; a k other than it is the user's own from then
    on (later sweeps no longer move the slider)."""
    if not isinstance(best, int):
        return "", True
    return _k_note(k, best), (True if k != best else dash.no_update)


@callback(
    Output(ids.Model.K, "value"),
    Output(ids.Model.MODE, "value"),
    Input(ids.Model.USE_K, "n_clicks"),
    State(ids.Model.SWEEP_BEST, "data"),
    prevent_initial_call=True,
)
def use_recommended_k(n_clicks: int | None, best: int | None) -> tuple[Any, Any]:
    """Set the slider to the recommended k (and switch to a new model)."""
    if not n_clicks or not best:
        return dash.no_update, dash.no_update
    return int(best), "new"


@callback(
    Output(ids.Model.SWEEP_WATCH, "style"),
    Output(ids.retry_reason(ids.Model.SWEEP_WATCH), "children"),
    Output(ids.Model.SWEEP_RETRY, "n_clicks"),
    Output(ids.Model.SWEEP_RETRIED, "data"),
    Input(ids.Model.SWEEP_STATUS, "style"),
    State(ids.Model.SWEEP_DONE, "data"),
    State(ids.Model.SWEEP_KEY, "data"),
    State(ids.Model.SWEEP_RETRIED, "data"),
    State(ids.Model.SWEEP_RETRY, "n_clicks"),
    prevent_initial_call=True,
)
def watch_sweep(status: dict[str, str] | None, done: str | None, key: str | None, retried: str | None,
                retries: int | None) -> tuple[Any, Any, Any, Any]:
    """When the k sweep stops without an answer, start it once more by itself: the page started it, not the
    user, and a second run answers. When that one stops too (or the user cancelled it), say why and offer to
    try again.

    Found in CI (about one run in four): the sweep's job was gone at its first poll, without an answer or
    an error, and the page said "not finished" until the user pressed Try again. The cause, found in session
    15, was a job that answered and ended between Dash's two looks (:meth:`dashboard.jobs._OwnResults.get_result`
    now looks again); the restart stays for a job that really dies (the system out of memory), and the server
    logs each such job (:class:`dashboard.jobs.JobManager`) and each restart here."""
    if key and retried != key and retry_style(status, done, key).get("display") != "none":
        log.warning("The k sweep stopped without an answer; it is started once more")
        return dash.no_update, dash.no_update, (retries or 0) + 1, key
    style, reason = watch_job(status, done, key, "The k sweep")
    return style, reason, dash.no_update, dash.no_update


@callback(
    Output(ids.Model.SWEEP_RETRIED, "data", allow_duplicate=True),
    Input(ids.Model.SWEEP_CANCEL, "n_clicks"),
    State(ids.Model.SWEEP_KEY, "data"),
    prevent_initial_call=True,
)
def no_restart_after_cancel(_clicks: int | None, key: str | None) -> str | None:
    """A k sweep the user cancelled is not started again by itself (:func:`watch_sweep`)."""
    return key
