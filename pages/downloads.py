"""Downloads: ``/downloads?ds=<token>&...`` (the model page's parameters).

The clustered data set (every input row and column plus ``cluster``) and the cluster summary, as CSV
with spreadsheet formulas escaped. Links point at the plain routes in ``dashboard/routes.py``, so a
large file streams from the server instead of travelling through a callback.
"""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import html

from core import SegmentsError
from dashboard import ids, service
from dashboard.components import error_alert, load_or_panel, page_header, page_query_store
from dashboard.titles import page_description, page_title
from dashboard.state import ViewState

dash.register_page(__name__, path="/downloads", name="Downloads", order=4, title=page_title("Downloads"),
                   description=page_description("Download the segmented customers and the segment summary."))

PAGE = "downloads"


def _card(title: str, text: str, href: str, element_id: str) -> dbc.Col:
    return dbc.Col(dbc.Card(dbc.CardBody([
        html.H5(title, className="card-title"),
        html.P(text, className="card-text"),
        html.A("Download CSV", href=href, id=element_id, download="", className="btn btn-primary"),
    ]), className="h-100"), md=6, className="mb-3")


def layout(**query: Any) -> html.Div:
    """The two download links for the view state's segmentation."""
    state = ViewState.from_query(query)
    header = page_header("Download the results", "Take the segments to your CRM or campaign tool.")
    dataset, panel = load_or_panel(state)
    if dataset is None:
        return html.Div([page_query_store(PAGE, state), header, panel])
    state = service.resolve_state(state, dataset)
    try:
        seg = service.get_segmentation(state)
    except SegmentsError as exc:
        return html.Div([page_query_store(PAGE, state), header, error_alert(exc, "No segments to download yet"),
                         dbc.Button("Back to the model", href=state.href("/model"), color="primary")],
                        id=ids.Downloads.MESSAGE)
    scored = int(seg.scored.sum())
    rows, columns = dataset.report.rows, dataset.report.columns
    query_string = state.query()
    return html.Div([
        page_query_store(PAGE, state),
        header,
        dbc.Row([
            _card("Clustered customers",
                  f"All {rows:,} rows and {columns:,} columns of {dataset.name}, unchanged, plus a 'cluster' column "
                  f"({scored:,} segmented" + (f", {rows - scored:,} left out with an empty cluster)." if rows > scored
                                              else ")."),
                  "/download/clustered.csv" + query_string, ids.Downloads.CLUSTERED),
            _card("Segment summary",
                  f"One row per segment ({seg.k}): customers, share and the mean of "
                  f"{', '.join(seg.features)}.",
                  "/download/summary.csv" + query_string, ids.Downloads.SUMMARY),
        ]),
        html.P("Text cells that a spreadsheet would run as a formula (starting with =, +, -, @) are prefixed "
               "with an apostrophe.", className="small text-muted"),
    ])
