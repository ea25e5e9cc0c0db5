"""Clusters: ``/clusters?ds=<token>&...&x=<feature|pca>&y=<feature|pca>&name=N:NAME`` (plus the model's parameters).

The segments, named and renamable: a profile table (size, share, mean and index of each feature,
the mix of text columns such as Gender) and the features that separate them most; the customers in a
scatter coloured by segment with the centroids, customers near a border drawn as open circles (axes
chosen among the features, or the 2-D PCA projection of all of them, drawn with the model's own labels
and centroids); the stability of the segmentation (a background job); the distribution of every
feature per segment; and the clustered data set in a paged, sortable table fed from the server.

Lasso or box-select customers in the scatter, or pick a segment in the profile table, and the
profile, histograms and table follow the selection; the selection downloads as CSV.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import dash
import dash_ag_grid as dag
import dash_bootstrap_components as dbc
import numpy as np
import pandas as pd
from dash import ALL, Input, Output, State, callback, ctx, dcc, html

from core import Segmentation, SegmentsError, clustered_table, display_cluster, parse_numeric
from core.insight import Profile, profile
from core.segmentation import MAX_NAME_LENGTH
from core.text import percent
from dashboard import ids, service
from dashboard.components import (SegmentedView, chart, error_alert, job_options, job_status, next_button,
                                  page_header, page_query_store, segmented_view_or_page)
from dashboard.figures import (SCATTER_POINTS, cluster_color, histogram_figure, inside_selection,
                               scatter_coordinates, scatter_figure)
from dashboard.jobs import time_limit
from dashboard.rfm_groups import rfm_groups_card
from dashboard.state import PCA, ViewState, distinct_axes
from dashboard.terms import term
from dashboard.titles import page_description, page_title

dash.register_page(__name__, path="/clusters", name="Clusters", order=3, title=page_title("Clusters"),
                   description=page_description("See the customer segments."))

PAGE = "clusters"
GRID_COLUMNS = 60
PAGE_SIZE = 20
#: The most rows one request of the table may ask for (the grid asks for PAGE_SIZE).
MAX_BLOCK_ROWS = 100
_HIDE = {"display": "none"}


def _axis_options(seg: Segmentation) -> list[dict[str, str]]:
    options = [{"label": f, "value": f} for f in seg.features]
    if len(seg.features) > 2:
        options.append({"label": "2-D projection of all features (PCA)", "value": PCA})
    return options


def _selected_rows(selection: dict[str, Any] | None) -> np.ndarray | None:
    """The input rows of the current selection (kept on the server), or None when nothing is selected."""
    if not selection or not selection.get("token"):
        return None
    try:
        return service.get_selection(selection["token"])
    except SegmentsError:
        return None


def _segment_profile(dataset: service.Dataset, seg: Segmentation) -> Profile:
    """The profile of ``seg``'s customers (sizes, means, indices, text-column mixes, drivers): computed once
    per render, for the table and the drivers alike."""
    # A coded column (a region as 1, 2, 3) describes segments by its mix unless it is chosen as a feature.
    describing = [c for c in dataset.report.describing_columns if c not in seg.features]
    return profile(seg, dataset.frame, describing, seg.segment_names)


def _profile_table(prof: Profile, selecting: bool) -> html.Div:
    """Segments as rows: name (editable, wide enough for a whole name), size, share, then each feature's
    mean and index, the feature that separates the segments most first and every cell shaded by its
    index (a heat map); the mix of text columns in a table of its own below.

    With the features in the model's order and the mixes beside them, six or more features made the
    table scroll sideways, hid the strongest driver and cut the names in their boxes (issue 12).
    """
    strength = dict(zip(prof.drivers["feature"].astype(str), prof.drivers["eta_squared"]))
    features = [str(f) for f in prof.drivers.sort_values("rank")["feature"]] if len(strength) else prof.features
    head = html.Thead(html.Tr(
        [html.Th("Segment"), html.Th("Customers"), html.Th("Share")]
        + [html.Th([f, html.Br(), html.Small(f"strength {strength[f]:.2f}" if f in strength else "",
                                             className="text-muted fw-normal")], className="segments-feature")
           for f in features]))
    rows = []
    for label, row in prof.sizes.iterrows():
        label = int(label)
        rows.append(html.Tr(
            [html.Td(html.Div([
                html.Span(f"{display_cluster(label)}", className="segments-swatch text-white small text-center",
                          style={"background": cluster_color(label), "width": "1.6rem"}),
                dbc.Input(id={"type": ids.Clusters.RENAME, "cluster": label}, value=row["segment"], debounce=True,
                          size="sm", maxLength=MAX_NAME_LENGTH, className="segments-rename",
                          placeholder=f"Name of segment {display_cluster(label)}"),
                dbc.Button("Select", id={"type": ids.Clusters.SELECT_SEGMENT, "cluster": label},
                           size="sm", color="secondary", outline=True, title="Select this segment's customers",
                           className="ms-auto"),
            ], className="d-flex align-items-center gap-1"))]
            + [html.Td(f"{int(row['customers']):,}"), html.Td(percent(row['share']))]
            + [_index_cell(prof.means.at[label, f], prof.indices.at[label, f]) for f in features]))
    caption = ("Profile of the selected customers. " if selecting else "") + \
        "Each cell: the segment's mean, and its index against the average customer (average = 100), shaded " \
        "blue above the average and orange below. The features that separate the segments most come first."
    return html.Div([
        dbc.Table([head, html.Tbody(rows)], hover=True, responsive=True, size="sm",
                  className="segments-table segments-summary segments-profile align-middle"),
        html.P(caption + " Rename a segment by typing in its name; the name follows into every chart, "
               "link and download.", className="small text-muted"),
        _mix_table(prof),
    ])


def _index_cell(mean: float, index: float) -> html.Td:
    """A feature's mean in a segment over its index, shaded by how far the index is from 100: blue above,
    orange below, stronger the further (twice or half the average is the strongest). The shades stay
    light, so the dark text keeps its contrast."""
    if pd.isna(mean):
        return html.Td("")
    style: dict[str, str] = {}
    text: list[Any] = [f"{mean:,.2f}"]
    if not pd.isna(index):
        text += [html.Br(), html.Small(f"index {index:.0f}")]
        strength = float(np.clip(np.log2(max(float(index), 1e-9) / 100), -1, 1))
        rgb = "13, 110, 253" if strength > 0 else "253, 126, 20"
        style = {"backgroundColor": f"rgba({rgb}, {0.32 * abs(strength):.3f})"}
    return html.Td(text, style=style, className="segments-index")


def _mix_table(prof: Any) -> Any:
    """The mix of each text column (Gender, Region...) per segment: shares of the segment's customers."""
    if prof.mixes.shape[1] == 0:
        return None
    head = html.Thead(html.Tr([html.Th("Segment")] + [html.Th(f"{column}: {value}")
                                                      for column, value in prof.mixes.columns]))
    body = html.Tbody([
        html.Tr([html.Td([html.Span(f"{display_cluster(int(label))}", className="segments-swatch text-white small "
                                    "text-center", style={"background": cluster_color(int(label)), "width": "1.6rem"}),
                          str(name)], className="segments-mix-name")]
                + [html.Td("" if pd.isna(share) else f"{share:.0%}") for share in prof.mixes.loc[label]])
        for label, name in prof.sizes["segment"].items()])
    return html.Div([
        html.H6("Who is in each segment", className="mt-2"),
        # a narrow screen scrolls the table sideways in its box: focusable, so a keyboard can scroll it too
        html.Div(dbc.Table([head, body], hover=True, size="sm", className="segments-table segments-mix align-middle"),
                 className="table-responsive", tabIndex="0", role="region",
                 **{"aria-label": "Table: who is in each segment"}),
    ])


def _drivers(prof: Profile) -> html.P:
    parts = [f"{row['feature']} ({row['eta_squared']:.2f})" for _, row in prof.drivers.iterrows()]
    return html.P(["What separates the segments most, strongest first, with its ", *term("η²", "clusters-eta-squared"),
                   " from 0 to 1: ", html.Strong(", ".join(parts))], className="mb-0 segments-drivers")


def _grid(dataset: service.Dataset) -> list[Any]:
    """The paged customer table, and over it a note that says its rows are on their way (see
    :data:`GRID_LOADING`): the infinite row model draws an empty grid until the first page arrives."""
    columns = [str(c) for c in dataset.frame.columns[:GRID_COLUMNS]]
    column_defs = [{"field": "cluster", "headerName": "cluster", "pinned": "left", "width": 100},
                   {"field": "segment", "headerName": "segment", "pinned": "left", "width": 220}]
    column_defs += [{"field": f"c{i}", "headerName": name} for i, name in enumerate(columns)]
    grid = dag.AgGrid(
        id=ids.Clusters.GRID,
        rowModelType="infinite",
        columnDefs=column_defs,
        defaultColDef={"sortable": True, "resizable": True, "minWidth": 110},
        dashGridOptions={"pagination": True, "paginationPageSize": PAGE_SIZE, "cacheBlockSize": PAGE_SIZE,
                         "paginationPageSizeSelector": False, "maxBlocksInCache": 20,
                         # read-only cells: Tab moves past the table (headers sort, pages turn) instead of
                         # through every cell of every row, which held keyboard users inside the grid
                         "suppressCellFocus": True},
        style={"height": "680px"},
    )
    status = html.Div([html.Span(className="spinner-border spinner-border-sm me-2", **{"aria-hidden": "true"}), GRID_LOADING],
                      id=ids.Clusters.GRID_STATUS, role="status", className="segments-grid-status")
    return [status, grid]


#: What the note over the customer table says until the table's first rows arrive.
GRID_LOADING = "Loading customers\u2026"
#: ... and, in place of the rows, when there are none to show.
GRID_EMPTY = "No customers to show here."


def _histograms(seg: Segmentation, rows: np.ndarray | None) -> list[Any]:
    selected = None
    if rows is not None:
        chosen = np.zeros(seg.labels.size, dtype=bool)
        chosen[rows] = True
        selected = chosen[seg.scored]
    return [dbc.Col(chart(ids.Clusters.histogram(i), histogram_figure(seg, f, selected)), md=6)
            for i, f in enumerate(seg.features)]


def _trigger() -> Any:
    """The id of the input that fired the running callback (tests replace this)."""
    return ctx.triggered_id


def _stability_key(state: ViewState) -> str:
    return state.with_(x=None, y=None, names=()).query()


def _segments_and_borderline(state: ViewState) -> tuple[Segmentation, np.ndarray]:
    """The (resolved) state's segmentation, named, and which of its scored customers are borderline."""
    seg = service.get_segmentation(state)
    borderline = service.get_confidence(state)["borderline"].to_numpy(dtype=bool, na_value=False)[seg.scored]
    return seg, borderline


def layout(**query: Any) -> html.Div:
    """The segmentation of the view state, drawn."""
    state = ViewState.from_query(query)
    header = page_header("Your customer segments", "Each colour is a segment; crosses mark the centroids. "
                                                  "Segment 1 is the largest.")
    view = segmented_view_or_page(PAGE, state, header, _segments_and_borderline, "No segments to show yet")
    if not isinstance(view, SegmentedView):
        return view
    dataset, state, (seg, borderline) = view
    prof = _segment_profile(dataset, seg)
    options = _axis_options(seg)
    figure, drawn = scatter_figure(seg, state.x or seg.features[0], state.y or seg.features[0], borderline,
                                   seed=state.seed)  # resolved: two different axes
    stability_status = job_status(ids.Clusters.STABILITY_STATUS, ids.Clusters.STABILITY_PROGRESS,
                                  ids.Clusters.STABILITY_CANCEL)
    return html.Div([
        page_query_store(PAGE, state),
        dcc.Store(id=ids.Clusters.SELECTION),
        dcc.Store(id=ids.Clusters.STABILITY_KEY, data=_stability_key(state)),
        header,
        html.Div([html.P(n, className="small text-muted mb-1") for n in seg.notes], id=ids.Clusters.MESSAGE),
        dbc.Card(dbc.CardBody([
            html.H5("Segment profiles", className="card-title"),
            html.Div(id=ids.Clusters.RENAME_STATUS),
            html.Div(_profile_table(prof, False), id=ids.Clusters.PROFILE),
            html.Div(_drivers(prof), id=ids.Clusters.DRIVERS),
        ]), className="mb-3"),
        rfm_groups_card(dataset, seg),
        dbc.Card(dbc.CardBody([
            dbc.Row([
                dbc.Col([dbc.Label("Horizontal axis", html_for=ids.Clusters.X),
                         dcc.Dropdown(id=ids.Clusters.X, options=options, value=state.x, clearable=False)], md=6),
                dbc.Col([dbc.Label("Vertical axis", html_for=ids.Clusters.Y),
                         dcc.Dropdown(id=ids.Clusters.Y, options=options, value=state.y, clearable=False)], md=6),
            ], className="mb-2"),
            chart(ids.Clusters.SCATTER, figure),
            html.P(_scatter_note(seg, drawn, int(borderline.sum())), id=ids.Clusters.SCATTER_NOTE,
                   className="small text-muted"),
            html.Div([
                html.Div(id=ids.Clusters.SELECTION_INFO),
                dbc.Button("Clear the selection", id=ids.Clusters.CLEAR_SELECTION, color="secondary", size="sm",
                           outline=True),
            ], id=ids.Clusters.SELECTION_BOX, style=_HIDE),
        ]), className="mb-3"),
        dbc.Card(dbc.CardBody([
            html.H5("How stable are these segments?", className="card-title"),
            stability_status,
            html.Div(id=ids.Clusters.STABILITY),
        ]), className="mb-3"),
        dbc.Card(dbc.CardBody([html.H5("Distribution of each feature by segment", className="card-title"),
                               dbc.Row(_histograms(seg, None), id=ids.Clusters.HISTOGRAMS)]), className="mb-3"),
        dbc.Card(dbc.CardBody([html.H5("The clustered customers", className="card-title"),
                               html.P("Click a column header to sort. Customers left out of the model have an "
                                      "empty cluster.", className="small text-muted"),
                               html.Div(_grid(dataset), id=ids.Clusters.GRID_BOX,
                                        className="segments-grid-box")]), className="mb-3"),
        next_button("Next: download the results →", state.href("/downloads"), ids.Clusters.NEXT),
    ])


def _scatter_note(seg: Segmentation, drawn: int, borderline: int) -> str:
    total = int(seg.scored.sum())
    left_out = int(seg.labels.size - total)
    parts = [f"Showing {drawn:,} of {total:,} segmented customers"
             + (" (a random sample keeps the chart fast; the tables, and a box or lasso, take everyone)."
                 if drawn < total else ".")]
    if borderline:
        parts.append(f"{borderline:,} customers sit near a segment border (open circles).")
    if left_out:
        parts.append(f"{left_out:,} customers with missing values are not in the model.")
    parts.append("Lasso or box-select customers to study them.")
    return " ".join(parts)


@callback(
    Output(ids.Clusters.SCATTER, "figure"),
    Output(ids.Clusters.SCATTER_NOTE, "children"),
    Output(ids.page_query(PAGE), "data"),
    Output(ids.Clusters.RENAME_STATUS, "children"),
    Output(ids.Clusters.NEXT, "href"),
    Output(ids.Clusters.X, "value"),
    Output(ids.Clusters.Y, "value"),
    Input(ids.Clusters.X, "value"),
    Input(ids.Clusters.Y, "value"),
    Input({"type": ids.Clusters.RENAME, "cluster": ALL}, "value"),
    Input(ids.Clusters.CLEAR_SELECTION, "n_clicks"),
    State({"type": ids.Clusters.RENAME, "cluster": ALL}, "id"),
    State(ids.page_query(PAGE), "data"),
    prevent_initial_call=True,
)
def update_view(x: str | None, y: str | None, names: list[str | None], _clear: int | None,
                name_ids: list[dict[str, int]], query: str | None) -> tuple[Any, ...]:
    """Redraw the scatter for new axes or segment names (the segmentation comes from the cache), and to
    take a box or lasso off the chart when the selection is cleared.

    Nothing is sent when nothing changed: the profile table is drawn again with every selection, which
    recreates the rename inputs and runs this callback; a redrawn chart would drop the box or lasso the
    user just drew, and with it the selection.

    The axes are always two different features (or the projection): picking for one axis the feature the
    other shows swaps them, and the dropdowns follow."""
    state = ViewState.from_search(query)
    unchanged = (dash.no_update,) * 7
    try:
        base = service.get_segmentation(state.with_(names=()))
        borderline = service.get_confidence(state)["borderline"].to_numpy(dtype=bool, na_value=False)[base.scored]
    except SegmentsError as exc:
        return (dash.no_update, str(exc), *unchanged[2:])
    status: Any = None
    renames = {int(item["cluster"]): (name or "") for item, name in zip(name_ids, names)}
    try:
        seg = base.renamed(renames) if renames else base
    except SegmentsError as exc:
        seg = service.get_segmentation(state)
        status = dbc.Alert(str(exc), color="warning", className="py-1 small")
    automatic = base.segment_names
    chosen = tuple((display_cluster(label), name) for label, name in enumerate(seg.segment_names)
                   if name != automatic[label])
    asked = (x, y)
    x, y = distinct_axes([option["value"] for option in _axis_options(seg)], x, y, previous=(state.x, state.y))
    state = state.with_(x=x, y=y, names=chosen if status is None else state.names)
    if status is None and state.query() == query and _trigger() != ids.Clusters.CLEAR_SELECTION:
        return unchanged
    figure, drawn = scatter_figure(seg, x, y, borderline, seed=state.seed)
    return (figure, _scatter_note(seg, drawn, int(borderline.sum())), state.query(), status,
            state.href("/downloads"), x if x != asked[0] else dash.no_update, y if y != asked[1] else dash.no_update)


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
    trigger = _trigger()
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
    Input(ids.Clusters.SELECTION, "data"),
    Input(ids.page_query(PAGE), "data"),
    prevent_initial_call=True,
)
def follow_selection(selection: dict[str, Any] | None, query: str | None) -> tuple[Any, ...]:
    """Profile, histograms and table for the selected customers (or everyone), with the current names."""
    state = ViewState.from_search(query)
    try:
        dataset = service.get_dataset(state.ds)
        seg = service.get_segmentation(state)
    except SegmentsError as exc:
        return error_alert(exc), dash.no_update, dash.no_update, dash.no_update, dash.no_update
    rows = _selected_rows(selection)
    grid = _grid(dataset) if _trigger() == ids.Clusters.SELECTION else dash.no_update
    if rows is None and (selection or {}).get("empty"):
        # Plotly dims every point when a box or lasso holds none: say so, and offer the way back.
        info = dbc.Alert("No customers inside that shape. Draw another box or lasso, or clear the selection to "
                         "see every customer again.", color="warning", className="py-2 mb-2 segments-selection-empty")
        return _profile_table(_segment_profile(dataset, seg), False), _histograms(seg, None), info, grid, \
            {"display": "block"}
    if rows is None:
        return _profile_table(_segment_profile(dataset, seg), False), _histograms(seg, None), None, grid, _HIDE
    info = dbc.Alert([
        html.Strong(f"{len(rows):,} customers selected"), f" (from {selection.get('how', 'the chart')}). "
        "The profile, histograms and table below show only them. ",
        html.A("Download the selection (CSV)", href=f"/download/selection.csv{state.query()}&sel={selection['token']}",
               id=ids.Clusters.SELECTION_DOWNLOAD, className="alert-link", download=""),
    ], color="info", className="py-2 mb-2 segments-selection")
    return (_profile_table(_segment_profile(dataset, seg.restricted(rows)), True), _histograms(seg, rows), info, grid,
            {"display": "block"})


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
        measured = ViewState.from_search(_stability_key(state))
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


@callback(
    Output(ids.Clusters.GRID, "getRowsResponse"),
    Output(ids.Clusters.GRID_STATUS, "children"),
    Output(ids.Clusters.GRID_STATUS, "hidden"),
    Input(ids.Clusters.GRID, "getRowsRequest"),
    State(ids.page_query(PAGE), "data"),
    State(ids.Clusters.SELECTION, "data"),
    prevent_initial_call=True,
)
def answer_rows(request: dict[str, Any] | None, query: str | None,
                selection: dict[str, Any] | None = None) -> tuple[Any, Any, Any]:
    """The table's rows (:func:`serve_rows`), and its note: hidden as the rows arrive, in words when there
    are none. (The note answers with the rows: AG Grid clears ``getRowsResponse`` as soon as it has read
    it, so a callback listening to it sees nothing; and AG Grid's own loading overlay, tried first, could
    not be hidden again from a callback.)"""
    response = serve_rows(request, query, selection)
    if not isinstance(response, dict):
        return response, dash.no_update, dash.no_update
    if response["rowCount"]:
        return response, None, True
    return response, GRID_EMPTY, False


def serve_rows(request: dict[str, Any] | None, query: str | None, selection: dict[str, Any] | None = None) -> Any:
    """One block of the clustered data set (or of the selection), sorted as asked, for the paged table."""
    if not isinstance(request, dict):
        return dash.no_update
    try:  # (a crafted request may send anything: at most one page of rows, from a whole-number start)
        start = max(int(request.get("startRow") or 0), 0)
        end = min(int(request.get("endRow") or start + PAGE_SIZE), start + MAX_BLOCK_ROWS)
    except (TypeError, ValueError):
        return dash.no_update
    sort_model = request.get("sortModel")
    sort_model = [item for item in sort_model if isinstance(item, dict)] if isinstance(sort_model, list) else []
    state = ViewState.from_search(query)
    try:
        dataset = service.get_dataset(state.ds)
        seg = service.get_segmentation(state)
    except SegmentsError:
        return {"rowData": [], "rowCount": 0}
    frame = dataset.frame.iloc[:, :GRID_COLUMNS]
    cluster = clustered_table(frame.iloc[:, :0], seg)  # just the cluster and segment columns
    rows = _selected_rows(selection)
    if rows is not None:
        frame, cluster = frame.iloc[rows], cluster.iloc[rows]
    sorting = tuple((str(item.get("colId", "")), str(item.get("sort", ""))) for item in sort_model)
    key = (service.result_spec(service.resolve_state(state, dataset), dataset), state.names,
           (selection or {}).get("token") if rows is not None else None, sorting)
    order = _remembered_order(key, lambda: _sort_order(frame, cluster, dataset, sort_model)) if sorting \
        else np.arange(len(frame))
    end = min(end, len(frame))
    out = []
    for position in order[start:end]:
        row: dict[str, Any] = {f"c{i}": frame.iat[position, i] for i in range(frame.shape[1])}
        value = cluster.iat[position, 0]
        row["cluster"] = None if pd.isna(value) else int(value)
        row["segment"] = cluster.iat[position, 1]
        out.append(row)
    return {"rowData": out, "rowCount": len(frame)}


#: Sort orders kept per process: the table asks for one 20-row page at a time, and sorting 2 million rows
#: for each page took 1.3 s. Keyed by dataset, segmentation, names, selection and sort model; the few
#: most recent are kept (4 bytes per customer each).
_ORDERS: OrderedDict[tuple[Any, ...], np.ndarray] = OrderedDict()
_ORDERS_KEPT = 4
_ORDERS_LOCK = threading.Lock()


def _remembered_order(key: tuple[Any, ...], compute: Callable[[], np.ndarray]) -> np.ndarray:
    """The row order for ``key``, computed once per process while it is among the most recent."""
    with _ORDERS_LOCK:
        order = _ORDERS.get(key)
        if order is not None:
            _ORDERS.move_to_end(key)
            return order
    order = compute()
    order = order.astype(np.int32) if order.size < 2**31 else order
    with _ORDERS_LOCK:
        _ORDERS[key] = order
        while len(_ORDERS) > _ORDERS_KEPT:
            _ORDERS.popitem(last=False)
    return order


def _sort_order(frame: pd.DataFrame, cluster: pd.DataFrame, dataset: service.Dataset,
                sort_model: list[dict[str, str]]) -> np.ndarray:
    """Row order for AG Grid's sort model: numbers sort as numbers, text as text, blanks last."""
    order = np.arange(len(frame))
    numeric = set(dataset.report.numeric_columns)
    for item in reversed(sort_model):
        field = item.get("colId", "")
        descending = item.get("sort") == "desc"
        if field == "cluster":
            keys = cluster.iloc[:, 0].to_numpy(dtype="float64", na_value=np.nan)
        elif field == "segment":  # categorical: each name's rank in text order, per customer (no strings)
            names = cluster.iloc[:, 1].cat
            keys = np.argsort(np.argsort(names.categories.astype(str), kind="stable"))[names.codes.to_numpy()]
            keys = keys.astype("float64")
        elif field.startswith("c") and field[1:].isdigit() and int(field[1:]) < frame.shape[1]:
            column = frame.iloc[:, int(field[1:])]
            if str(frame.columns[int(field[1:])]) in numeric:
                keys, _ = parse_numeric(column, dataset.table.decimal)
            else:
                keys = column.to_numpy(dtype=object)
        else:
            continue
        current = keys[order]
        if current.dtype == object:
            current = np.argsort(np.argsort(current.astype(str), kind="stable"), kind="stable").astype("float64")
        blanks = np.isnan(current)
        values = np.where(blanks, np.inf, -current if descending else current)
        order = order[np.argsort(values, kind="stable")]
    return order
