"""Every clustered customer in a paged, sortable table fed from the server, a block of rows at a time."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import dash
import dash_ag_grid as dag
import numpy as np
import pandas as pd
from dash import Input, Output, State, callback, html

from core import SegmentsError, clustered_table, parse_numeric
from core.text import short_label
from dashboard import ids, service
from dashboard.state import ViewState

from ._shared import PAGE, selected_rows


GRID_COLUMNS = 60

PAGE_SIZE = 20

#: The most rows one request of the table may ask for (the grid asks for PAGE_SIZE).
MAX_BLOCK_ROWS = 100


#: The segment column's width in pixels: at least this, ...
SEGMENT_MIN_WIDTH = 220
#: ... and at most this (a longer name shows whole in the cell's tooltip).
SEGMENT_MAX_WIDTH = 440


def segment_width(names: list[str]) -> int:
    """The segment column's width for these names: the longest whole, at AG Grid's 14 px font (8 px a character
    leaves room for the widest letters) with the cell's padding, within :data:`SEGMENT_MIN_WIDTH` and
    :data:`SEGMENT_MAX_WIDTH`. Found from outside: two segments named "High orders · High spending · Older" and
    "... · Younger" read alike in a 220 px column, the word that told them apart cut."""
    longest = max((len(name) for name in names), default=0)
    return int(min(max(SEGMENT_MIN_WIDTH, 40 + 8 * longest), SEGMENT_MAX_WIDTH))


def customer_grid(dataset: service.Dataset, names: list[str]) -> list[Any]:
    """The paged customer table (its segment column as wide as the longest of ``names``), and over it a note
    that says its rows are on their way (see :data:`GRID_LOADING`): the infinite row model draws an empty grid
    until the first page arrives."""
    columns = [str(c) for c in dataset.frame.columns[:GRID_COLUMNS]]
    column_defs = [{"field": "cluster", "headerName": "cluster", "pinned": "left", "width": 100},
                   {"field": "segment", "headerName": "segment", "pinned": "left", "width": segment_width(names),
                    "tooltipField": "segment"}]
    # a long name shortened in its header, whole in the header's tooltip (the downloads keep it whole)
    column_defs += [{"field": f"c{i}", "headerName": short_label(name),
                     **({"headerTooltip": name} if short_label(name) != name else {})} for i, name in enumerate(columns)]
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


def grid_caption(dataset: service.Dataset) -> str:
    """What the customer table's caption says: how to sort, what an empty cluster means, and, for a file wider
    than :data:`GRID_COLUMNS`, which columns it shows (a CRM export of 91 columns lost 31 without a word)."""
    text = "Click a column header to sort. Customers left out of the model have an empty cluster."
    columns = int(dataset.frame.shape[1])
    if columns > GRID_COLUMNS:
        text += (f" The file's first {GRID_COLUMNS} of its {columns} columns are shown here; the downloads have "
                 "every column.")
    return text


#: What the note over the customer table says until the table's first rows arrive.
GRID_LOADING = "Loading customers\u2026"

#: ... and, in place of the rows, when there are none to show.
GRID_EMPTY = "No customers to show here."


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
    rows = selected_rows(selection)
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
