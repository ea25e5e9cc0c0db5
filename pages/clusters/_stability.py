"""How stable the segments are under resampling (a background job), named with the current segment names."""

from __future__ import annotations

from typing import Any

import dash
from dash import Input, Output, callback, html

from core import SegmentsError
from dashboard import ids, service
from dashboard.components import error_alert, job_options
from dashboard.jobs import time_limit
from dashboard.state import ViewState
from dashboard.terms import term

from ._shared import PAGE, stability_key_of


@callback(
    Output(ids.Clusters.STABILITY, "children"),
    Input(ids.Clusters.STABILITY_KEY, "data"),
    **job_options(ids.Clusters.STABILITY_STATUS, ids.Clusters.STABILITY_CANCEL, ids.Clusters.STABILITY_PROGRESS),
)
def check_stability(set_progress: Any, key: str | None) -> Any:
    """Re-fit on resampled customers and say how much the segments hold (a background job)."""
    state = ViewState.from_search(key)
    if not state.ds:
        return None
    try:
        with time_limit(service.settings().job_timeout):
            result = service.get_stability(state, lambda done, total: set_progress((done, total)))
            names = service.get_segmentation(state).segment_names
    except SegmentsError as exc:
        return error_alert(exc, "Stability could not be measured")
    return _stability_text(result, names)


@callback(
    Output(ids.Clusters.STABILITY, "children", allow_duplicate=True),
    Input(ids.page_query(PAGE), "data"),
    prevent_initial_call=True,
)
def rename_stability(query: str | None) -> Any:
    """The stability text with the segments' current names (a rename does not run the job again)."""
    state = ViewState.from_search(query)
    try:
        measured = ViewState.from_search(stability_key_of(state))
        if not state.ds or not service.has_segmentation(measured, "stab"):
            return dash.no_update
        return _stability_text(service.get_stability(measured), service.get_segmentation(state).segment_names)
    except SegmentsError:
        return dash.no_update


def _stability_text(result: Any, names: list[str]) -> html.Div:
    per_segment = ", ".join(f"{number} · {name}: {jaccard:.2f}" for number, name, jaccard in
                            zip(result.per_segment["cluster"], names, result.per_segment["jaccard"]))
    return html.Div([
        html.P([html.Strong(result.verdict)], className="mb-1 segments-stability-verdict"),
        html.P(["Mean ", *term("adjusted Rand index", "clusters-stability-rand"),
                f" between {result.runs} re-fits on resampled customers: {result.overall:.2f} "
                f"(1 = identical segments every time; {result.sample_note})."], className="small mb-1"),
        html.P(["Per segment (", *term("Jaccard", "clusters-stability-jaccard"),
                f" with its best match, 1 = always the same customers): {per_segment}."],
               className="small text-muted mb-0"),
    ])
