"""Downloads: ``/downloads?ds=<token>&...`` (the model page's parameters).

The clustered data set (every input row and column plus ``cluster``, ``segment`` and confidence) and
the segment summary as CSV or Excel, one CSV per segment in a zip, the one-page HTML report and the
model bundle; spreadsheet formulas escaped everywhere. Links point at the plain routes in
``dashboard/routes.py``, so a large file streams from the server instead of travelling through a callback.
"""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, html

from core import SegmentsError
from dashboard import ids, library, service, snapshots
from dashboard.components import SegmentedView, error_alert, page_header, page_query_store, segmented_view_or_page
from dashboard.titles import page_description, page_title
from dashboard.state import ViewState

dash.register_page(__name__, path="/downloads", name="Downloads", order=4, title=page_title("Downloads"),
                   description=page_description("Download the segmented customers and the segment summary."))

PAGE = "downloads"


def _card(title: str, text: str, links: list[tuple[str, str, str]]) -> dbc.Col:
    """A download card; ``links`` are (label, href, element id)."""
    return dbc.Col(dbc.Card(dbc.CardBody([
        html.H5(title, className="card-title"),
        html.P(text, className="card-text"),
        html.Div([html.A(label, href=href, id=element_id, download="", className="btn btn-primary btn-sm me-2")
                  for label, href, element_id in links]),
    ]), className="h-100"), md=6, lg=4, className="mb-3")


def layout(**query: Any) -> html.Div:
    """Every download of the view state's segmentation (seven links in five cards: the clustered customers and
    the summary as CSV and Excel, a zip of one CSV per segment, the report, the model bundle), then the card
    that saves it in the library."""
    state = ViewState.from_query(query)
    header = page_header("Download the results", "Take the segments to your CRM or campaign tool.")
    view = segmented_view_or_page(PAGE, state, header, service.get_segmentation, "No segments to download yet",
                                  message_id=ids.Downloads.MESSAGE)
    if not isinstance(view, SegmentedView):
        return view
    dataset, state, seg = view
    scored = int(seg.scored.sum())
    rows, columns = dataset.report.rows, dataset.report.columns
    query_string = state.query()

    def href(name: str) -> str:
        return f"/download/{name}{query_string}"

    left_out = f", {rows - scored:,} left out with an empty cluster" if rows > scored else ""
    return html.Div([
        page_query_store(PAGE, state),
        header,
        dbc.Row([
            _card("Clustered customers",
                  f"All {rows:,} rows and {columns:,} columns of {dataset.name}, unchanged, plus cluster, segment "
                  f"and how clearly each customer belongs to it ({scored:,} segmented{left_out}).",
                  [("CSV", href("clustered.csv"), ids.Downloads.CLUSTERED),
                   ("Excel", href("clustered.xlsx"), ids.Downloads.CLUSTERED_XLSX)]),
            _card("Segment summary",
                  f"One row per segment ({seg.k}): name, customers, share, the mean and index of "
                  f"{', '.join(seg.features)}, and the mix of text columns.",
                  [("CSV", href("summary.csv"), ids.Downloads.SUMMARY),
                   ("Excel", href("summary.xlsx"), ids.Downloads.SUMMARY_XLSX)]),
            _card("One file per segment",
                  "A zip with one CSV per segment, named after it, ready for a campaign tool.",
                  [("Zip of CSVs", href("segments.zip"), ids.Downloads.ZIP)]),
            _card("One-page report",
                  "The data, the settings, why this k, the segment profiles, key charts and the stability "
                  "verdict, in one HTML file to attach to an email.",
                  [("HTML report", href("report.html"), ids.Downloads.REPORT)]),
            _card("The model",
                  "The trained model as a JSON bundle (numbers only, safe to share): apply it to another file "
                  "on the Model page to get the same segments.",
                  [("Model bundle", href("model.json"), ids.Downloads.MODEL)]),
        ]),
        html.P("Text cells that a spreadsheet would run as a formula (starting with =, +, -, @) are prefixed "
               "with an apostrophe.", className="small text-muted"),
        _save_card(f"{dataset.name} · {seg.k} segments"),
    ])


def _save_card(default_name: str) -> dbc.Card:
    """Save the segmentation in the library: it then outlives the cache, and can be applied to new snapshots."""
    return dbc.Card(dbc.CardBody([
        html.H5("Save this segmentation", className="card-title"),
        html.P("Keep the data, the settings, the segment names and the model in the library: the link never "
               "expires while it is saved, and next month's export can be scored with the same segments to see "
               "who moved.", className="card-text small"),
        dbc.Row([
            dbc.Col(dbc.Input(id=ids.Downloads.SAVE_NAME, value=default_name, maxLength=library.MAX_NAME,
                              placeholder="Name"), md=5),
            dbc.Col(dbc.Input(id=ids.Downloads.SAVE_NOTE, value="", maxLength=library.MAX_NOTE,
                              placeholder="Note (optional)"), md=5),
            dbc.Col(dbc.Button("Save", id=ids.Downloads.SAVE, color="success"), md=2),
        ], className="g-2"),
        html.Div(id=ids.Downloads.SAVE_STATUS, className="mt-2"),
    ]), className="mt-2 segments-save")


@callback(
    Output(ids.Downloads.SAVE_STATUS, "children"),
    Output(ids.Downloads.SAVE, "disabled"),
    Input(ids.Downloads.SAVE, "n_clicks"),
    State(ids.Downloads.SAVE_NAME, "value"),
    State(ids.Downloads.SAVE_NOTE, "value"),
    State(ids.page_query(PAGE), "data"),
    prevent_initial_call=True,
)
def save_segmentation(clicks: int | None, name: str | None, note: str | None, query: str | None) -> tuple[Any, bool]:
    """Save the page's segmentation in the library and link to it (once: the button is then disabled)."""
    if not clicks:
        return dash.no_update, False
    try:
        saved_id = snapshots.save_current(ViewState.from_search(query), name or "", note or "")
    except SegmentsError as exc:
        return error_alert(exc, "Not saved"), False
    return dbc.Alert(["Saved. ", html.A("See it in the library", href=f"/library?saved={saved_id}",
                                        className="alert-link segments-saved-link"),
                      " (apply it to next month's export there)."], color="success", className="py-2 mb-0"), True
