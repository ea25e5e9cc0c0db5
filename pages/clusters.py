"""Clusters: ``/clusters?ds=<token>&...&x=<feature|pca>&y=<feature|pca>`` (the model page's parameters too).

The customers in a scatter coloured by cluster with the centroids (axes chosen among the features,
or the 2-D PCA projection of all features, drawn with the model's own labels and centroids), the
distribution of every feature per cluster, the summary table, and the clustered data set in a paged,
sortable table fed from the server.
"""

from __future__ import annotations

from typing import Any

import dash
import dash_ag_grid as dag
import dash_bootstrap_components as dbc
import numpy as np
import pandas as pd
from dash import Input, Output, State, callback, dcc, html

from core import Segmentation, SegmentsError, clustered_table, display_cluster, parse_numeric
from dashboard import ids, service
from dashboard.components import chart, error_alert, load_or_panel, next_button, page_header, page_query_store
from dashboard.figures import SCATTER_POINTS, cluster_color, histogram_figure, scatter_figure
from dashboard.titles import page_description, page_title
from dashboard.state import PCA, ViewState

dash.register_page(__name__, path="/clusters", name="Clusters", order=3, title=page_title("Clusters"),
                   description=page_description("See the customer segments."))

PAGE = "clusters"
GRID_COLUMNS = 60
PAGE_SIZE = 20


def _axis_options(seg: Segmentation) -> list[dict[str, str]]:
    options = [{"label": f, "value": f} for f in seg.features]
    if len(seg.features) > 2:
        options.append({"label": "2-D projection of all features (PCA)", "value": PCA})
    return options


def _summary_table(seg: Segmentation) -> dbc.Table:
    summary = seg.summary()
    head = html.Thead(html.Tr([html.Th("Segment"), html.Th("Customers"), html.Th("Share")]
                              + [html.Th(f"Mean {f}") for f in seg.features]))
    rows = []
    for label, row in summary.iterrows():
        rows.append(html.Tr(
            [html.Td([html.Span(className="segments-swatch", style={"background": cluster_color(int(label))}),
                      f"{display_cluster(int(label))} · {row['segment']}"]),
             html.Td(f"{int(row['customers']):,}"), html.Td(f"{row['share']:.1%}")]
            + [html.Td(f"{row[f]:,.2f}") for f in seg.features]))
    return dbc.Table([head, html.Tbody(rows)], hover=True, responsive=True, size="sm", striped=True,
                     className="segments-table segments-summary")


def _grid(dataset: service.Dataset, seg: Segmentation) -> dag.AgGrid:
    columns = [str(c) for c in dataset.frame.columns[:GRID_COLUMNS]]
    column_defs = [{"field": "cluster", "headerName": "cluster", "pinned": "left", "width": 100},
                   {"field": "segment", "headerName": "segment", "pinned": "left", "width": 220}]
    column_defs += [{"field": f"c{i}", "headerName": name} for i, name in enumerate(columns)]
    return dag.AgGrid(
        id=ids.Clusters.GRID,
        rowModelType="infinite",
        columnDefs=column_defs,
        defaultColDef={"sortable": True, "resizable": True, "minWidth": 110},
        dashGridOptions={"pagination": True, "paginationPageSize": PAGE_SIZE, "cacheBlockSize": PAGE_SIZE,
                         "paginationPageSizeSelector": False, "maxBlocksInCache": 20},
        style={"height": "680px"},
    )


def layout(**query: Any) -> html.Div:
    """The segmentation of the view state, drawn."""
    state = ViewState.from_query(query)
    header = page_header("Your customer segments", "Each colour is a segment; crosses mark the centroids. "
                                                  "Cluster 1 is the largest segment.")
    dataset, panel = load_or_panel(state)
    if dataset is None:
        return html.Div([page_query_store(PAGE, state), header, panel])
    state = service.resolve_state(state, dataset)
    try:
        seg = service.get_segmentation(state)
    except SegmentsError as exc:
        return html.Div([page_query_store(PAGE, state), header, error_alert(exc, "No segments to show yet"),
                         dbc.Button("Back to the model", href=state.href("/model"), color="primary")])
    options = _axis_options(seg)
    figure, drawn = scatter_figure(seg, state.x or seg.features[0], state.y or seg.features[0], seed=state.seed)
    histograms = [dbc.Col(chart(f"clusters-histogram-{i}", histogram_figure(seg, f)), md=6)
                  for i, f in enumerate(seg.features)]
    left_out = int((~seg.scored).sum())
    return html.Div([
        page_query_store(PAGE, state),
        header,
        html.Div(id=ids.Clusters.MESSAGE, children=[
            html.P(n, className="small text-muted mb-1") for n in seg.notes]),
        dbc.Card(dbc.CardBody([
            dbc.Row([
                dbc.Col([dbc.Label("Horizontal axis", html_for=ids.Clusters.X),
                         dcc.Dropdown(id=ids.Clusters.X, options=options, value=state.x, clearable=False)], md=6),
                dbc.Col([dbc.Label("Vertical axis", html_for=ids.Clusters.Y),
                         dcc.Dropdown(id=ids.Clusters.Y, options=options, value=state.y, clearable=False)], md=6),
            ], className="mb-2"),
            chart(ids.Clusters.SCATTER, figure),
            html.P(_scatter_note(seg, drawn, left_out), id=ids.Clusters.SCATTER_NOTE, className="small text-muted"),
        ]), className="mb-3"),
        dbc.Card(dbc.CardBody([html.H5("Segment summary", className="card-title"), _summary_table(seg)]),
                 className="mb-3"),
        dbc.Card(dbc.CardBody([html.H5("Distribution of each feature by segment", className="card-title"),
                               dbc.Row(histograms, id=ids.Clusters.HISTOGRAMS)]), className="mb-3"),
        dbc.Card(dbc.CardBody([html.H5("The clustered customers", className="card-title"),
                               html.P("Click a column header to sort. Customers left out of the model have an "
                                      "empty cluster.", className="small text-muted"),
                               _grid(dataset, seg)]), className="mb-3"),
        next_button("Next: download the results →", state.href("/downloads"), "clusters-next"),
    ])


def _scatter_note(seg: Segmentation, drawn: int, left_out: int) -> str:
    total = int(seg.scored.sum())
    parts = [f"Showing {drawn:,} of {total:,} segmented customers"
             + (" (a random sample keeps the chart fast; the summary uses everyone)." if drawn < total else ".")]
    if left_out:
        parts.append(f"{left_out:,} customers with missing values are not in the model.")
    return " ".join(parts)


@callback(
    Output(ids.Clusters.SCATTER, "figure"),
    Output(ids.Clusters.SCATTER_NOTE, "children"),
    Output(ids.page_query(PAGE), "data"),
    Input(ids.Clusters.X, "value"),
    Input(ids.Clusters.Y, "value"),
    State(ids.page_query(PAGE), "data"),
    prevent_initial_call=True,
)
def update_scatter(x: str | None, y: str | None, query: str | None) -> tuple[Any, Any, Any]:
    """Redraw the scatter for new axes (the segmentation comes from the cache)."""
    state = ViewState.from_search(query).with_(x=x, y=y)
    try:
        seg = service.get_segmentation(state)
    except SegmentsError as exc:
        return dash.no_update, str(exc), dash.no_update
    x = x if x in seg.features or x == PCA else seg.features[0]
    y = y if y in seg.features or y == PCA else seg.features[0]
    figure, drawn = scatter_figure(seg, x, y, seed=state.seed)
    return figure, _scatter_note(seg, drawn, int((~seg.scored).sum())), state.with_(x=x, y=y).query()


@callback(
    Output(ids.Clusters.GRID, "getRowsResponse"),
    Input(ids.Clusters.GRID, "getRowsRequest"),
    State(ids.page_query(PAGE), "data"),
    prevent_initial_call=True,
)
def serve_rows(request: dict[str, Any] | None, query: str | None) -> Any:
    """One block of the clustered data set, sorted as asked, for the paged table."""
    if not request:
        return dash.no_update
    state = ViewState.from_search(query)
    try:
        dataset = service.get_dataset(state.ds)
        seg = service.get_segmentation(state)
    except SegmentsError:
        return {"rowData": [], "rowCount": 0}
    frame = dataset.frame.iloc[:, :GRID_COLUMNS]
    cluster = clustered_table(frame.iloc[:, :0], seg)  # just the cluster and segment columns
    order = _sort_order(frame, cluster, dataset, request.get("sortModel") or [])
    start = max(int(request.get("startRow", 0)), 0)
    end = min(int(request.get("endRow", start + PAGE_SIZE)), len(frame))
    rows = []
    for position in order[start:end]:
        row: dict[str, Any] = {f"c{i}": frame.iat[position, i] for i in range(frame.shape[1])}
        value = cluster.iat[position, 0]
        row["cluster"] = None if pd.isna(value) else int(value)
        row["segment"] = cluster.iat[position, 1]
        rows.append(row)
    return {"rowData": rows, "rowCount": len(frame)}


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
        elif field == "segment":
            keys = cluster.iloc[:, 1].to_numpy(dtype=object)
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
