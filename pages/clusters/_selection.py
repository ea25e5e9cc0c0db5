"""Customers picked in the scatter (box, lasso) or by segment, kept on the server; the profile, histograms
and table follow the selection."""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
import numpy as np
from dash import ALL, Input, Output, State, callback, html

from core import Segmentation, SegmentsError, display_cluster
from core.text import counted
from dashboard import ids, service
from dashboard.components import error_alert
from dashboard.figures import SCATTER_POINTS, inside_selection, scatter_coordinates
from dashboard.state import ViewState

from . import _shared
from ._profile import histograms, profile_table, segment_profile
from ._shared import HIDE, PAGE, selected_rows, shown_view_of
from ._table import customer_grid


@callback(
    Output(ids.Clusters.SELECTION, "data"),
    Input(ids.Clusters.SCATTER, "selectedData"),
    Input({"type": ids.Clusters.SELECT_SEGMENT, "cluster": ALL}, "n_clicks"),
    Input(ids.Clusters.CLEAR_SELECTION, "n_clicks"),
    State(ids.page_query(PAGE), "data"),
    prevent_initial_call=True,
)
def select_customers(selected: dict[str, Any] | None, _segment_clicks: list[int | None], _clear: int | None,
                     query: str | None) -> Any:
    """Keep the customers picked in the scatter (lasso, box) or by segment on the server."""
    trigger = _shared.trigger()
    if trigger == ids.Clusters.CLEAR_SELECTION or trigger is None:
        return None
    state = ViewState.from_search(query)
    try:
        seg = service.get_segmentation(state)
    except SegmentsError:
        return None
    if isinstance(trigger, dict):
        cluster = trigger.get("cluster")
        if not any(_segment_clicks) or type(cluster) is not int or not 0 <= cluster < seg.k:  # (crafted ids)
            return dash.no_update
        rows = np.flatnonzero(seg.labels == cluster)
        how = f"segment {display_cluster(cluster)}"
    else:
        selected = selected if isinstance(selected, dict) else {}
        rows = _rows_in_gesture(seg, state, selected)
        how = "the chart"
        if rows.size == 0:
            # a shape around no customers (Plotly then dims them all) needs a word; a chart redrawn
            # without its shape (the selection was cleared) reports no points and no shape
            drew = bool(selected.get("range") or selected.get("lassoPoints"))
            return {"empty": True} if drew else None
    try:
        token = service.put_selection(rows)
    except SegmentsError:
        return None
    return {"token": token, "count": int(rows.size), "how": how}


def _rows_in_gesture(seg: Segmentation, state: ViewState, selected: dict[str, Any]) -> np.ndarray:
    """The input rows of the customers a box or lasso took: the points the chart reports (their
    ``customdata``), and, when the chart draws only a sample, every customer inside the shape."""
    points = selected.get("points")
    points = points if isinstance(points, list) else []
    rows = np.array([p["customdata"] for p in points
                     if isinstance(p, dict) and type(p.get("customdata")) is int], dtype=np.int64)
    scored = np.flatnonzero(seg.scored)
    if scored.size > SCATTER_POINTS and state.x and state.y:
        xs, ys, *_ = scatter_coordinates(seg, state.x, state.y, seed=state.seed)
        inside = inside_selection(xs, ys, selected)
        if inside is not None:
            rows = np.concatenate([rows, scored[inside]])
    rows = np.unique(rows)
    return rows[(rows >= 0) & (rows < seg.labels.size)]


@callback(
    Output(ids.Clusters.PROFILE, "children"),
    Output(ids.Clusters.HISTOGRAMS, "children"),
    Output(ids.Clusters.SELECTION_INFO, "children"),
    Output(ids.Clusters.GRID_BOX, "children"),
    Output(ids.Clusters.SELECTION_BOX, "style"),
    Output(ids.Clusters.SHOWN_VIEW, "data"),
    Input(ids.Clusters.SELECTION, "data"),
    Input(ids.page_query(PAGE), "data"),
    Input(ids.Clusters.EVERY_HISTOGRAM, "data"),
    State(ids.Clusters.SHOWN_VIEW, "data"),
    prevent_initial_call=True,
)
def follow_selection(selection: dict[str, Any] | None, query: str | None, every: bool | None = False,
                     shown: str | None = None) -> tuple[Any, ...]:
    """Profile, histograms and table for the selected customers (or everyone), with the current names; every
    feature's histogram once asked (:data:`ids.Clusters.MORE_HISTOGRAMS`). A change of the page's state that
    they do not show (the scatter's axes) changes nothing."""
    state = ViewState.from_search(query)
    view = shown_view_of(state)
    fired = _shared.triggers()
    if view == shown and fired and all(one == ids.page_query(PAGE) for one in fired):
        return (dash.no_update,) * 6
    return (*_followed(selection, state, bool(every)), view)


def _followed(selection: dict[str, Any] | None, state: ViewState, every: bool) -> tuple[Any, ...]:
    """:func:`follow_selection`'s five parts: profile, histograms, selection note, table, selection box style."""
    try:
        dataset = service.get_dataset(state.ds)
        seg = service.get_segmentation(state)
    except SegmentsError as exc:
        return error_alert(exc), dash.no_update, dash.no_update, dash.no_update, dash.no_update
    rows = selected_rows(selection)
    grid = customer_grid(dataset, seg.segment_names) if _shared.trigger() == ids.Clusters.SELECTION else dash.no_update
    if rows is None and (selection or {}).get("empty"):
        # Plotly dims every point when a box or lasso holds none: say so, and offer the way back.
        info = dbc.Alert("No customers inside that shape. Draw another box or lasso, or clear the selection to "
                         "see every customer again.", color="warning", className="py-2 mb-2 segments-selection-empty")
        return profile_table(segment_profile(dataset, seg), False), histograms(seg, None, every), info, grid, \
            {"display": "block"}
    if rows is None:
        return profile_table(segment_profile(dataset, seg), False), histograms(seg, None, every), None, grid, HIDE
    info = dbc.Alert([
        html.Strong(f"{counted(len(rows), 'customer')} selected"), f" (from {selection.get('how', 'the chart')}). "
        "The profile, histograms and table below show only them. ",
        html.A("Download the selection (CSV)", href=f"/download/selection.csv{state.query()}&sel={selection['token']}",
               id=ids.Clusters.SELECTION_DOWNLOAD, className="alert-link", download=""),
    ], color="info", className="py-2 mb-2 segments-selection")
    return (profile_table(segment_profile(dataset, seg.restricted(rows)), True), histograms(seg, rows, every), info,
            grid, {"display": "block"})


@callback(
    Output(ids.Clusters.EVERY_HISTOGRAM, "data"),
    Input(ids.Clusters.MORE_HISTOGRAMS, "n_clicks"),
    prevent_initial_call=True,
)
def show_every_histogram(clicks: int | None) -> bool:
    """The button under the first distributions: draw every feature's (:func:`follow_selection` draws them)."""
    return bool(clicks) or dash.no_update

