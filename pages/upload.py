"""Upload: ``/upload?ds=<token>&missing=drop|mean|median`` (plus the other view parameters, kept as they are).

``/upload?demo=1`` opens the shipped demo data under a new token.

Drag-and-drop or browse for a CSV, ``.xlsx``, ``.xls`` or ``.ods`` file (streamed to ``POST /api/upload`` by
``assets/upload.js``, with a progress bar and the size limit checked in the browser first), or open
the demo data. With a dataset open, the page shows the file's shape and format, core's data check and,
when chosen columns have gaps, the choice of how to handle them.
"""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, callback, dcc, html

from core import DEMO_PATH, QualityReport, SegmentsError
from core.quality import codes_text, rows_with_gaps
from core.rfm import net_return_rows, net_returns_apart, net_returns_text
from core.text import counted, join_words, percent
from dashboard import ids, service
from dashboard.components import (column_label, dropzone_data, error_alert, frame_table, gone_panel, next_button,
                                  page_header, page_query_store)
from dashboard.settings import Settings
from dashboard.titles import page_description, page_title
from dashboard.state import MISSING_CHOICES, ViewState

from pages._orders import orders_panel

dash.register_page(__name__, path="/upload", name="Upload", order=1, title=page_title("Upload"),
                   description=page_description("Upload a customer file and check its data quality."))

PAGE = "upload"
DEMO_NAME = "demo_customers.csv"
PREVIEW_ROWS = 10
SHOWN_COLUMNS = 40
MISSING_OPTIONS = [
    {"label": "Leave those customers out of the model (they keep an empty cluster in downloads)", "value": "drop"},
    {"label": "Fill each gap with the column's mean", "value": "mean"},
    {"label": "Fill each gap with the column's median", "value": "median"},
]


def _dropzone(settings: Settings) -> html.Div:
    return html.Div([
        html.Div([
            html.Div("Drag and drop a customer file here", className="fw-semibold fs-5"),
            html.Div([
                "or ",
                html.Button("browse your computer", id=ids.Upload.BROWSE, className="btn btn-link p-0 align-baseline",
                            type="button"),
            ]),
            html.Div("CSV (any separator or encoding), Excel (.xlsx, .xls) or OpenDocument (.ods), also zipped or "
                     "gzipped · "
                     f"up to {settings.max_upload_mb} MB", className="small text-muted mt-1 segments-limit"),
        ], id=ids.Upload.DROPZONE, className="segments-dropzone",
            **dropzone_data(settings.max_upload_bytes, settings.max_upload_mb, ids.Upload.PROGRESS, ids.Upload.STATUS,
                           "/upload?ds=")),
        dbc.Progress(id=ids.Upload.PROGRESS, value=0, label="", striped=True, animated=True,
                     className="mt-2", style={"display": "none", "height": "1.4rem"}),
        dbc.Alert(id=ids.Upload.STATUS, is_open=False, color="danger", className="mt-2 segments-upload-status"),
        html.Div([
            html.Span("No file at hand? ", className="text-muted"),
            dbc.Button("Open the demo data", id=ids.Upload.DEMO, color="dark", outline=True, size="sm"),
            html.Span(" (500 generated customers with five built-in segments)", className="text-muted small"),
        ], className="mt-3"),
    ])


def _format_line(dataset: service.Dataset) -> str:
    table = dataset.table
    if table.file_format == service.CUSTOMER_TABLE_FORMAT:
        return "Customer table built from order lines"
    if table.workbook_kind:
        return table.workbook_kind
    decimal = "decimal comma" if table.decimal == "," else "decimal point"
    return f"CSV · {table.encoding} · {table.separator_name}-separated · {decimal}"


#: A share of customers left out that the Upload page says in bold.
MANY_LEFT_OUT = 0.2


def _left_out(dataset: service.Dataset, state: ViewState) -> Any:
    """How many customers have a gap in the proposed features (a missing cell, one that is not a number, a code
    for unknown read as such): those a model leaves out unless the gaps are filled. Found from outside: a survey's
    5% of "Don't know" in each of 15 questions left out 54% of the respondents, and only the fit said so."""
    report = service.report_for(dataset, state)
    table = dataset.table
    gaps = rows_with_gaps(dataset.frame, report.default_features, table.decimal, table.numbers,
                          service.unknown_for(dataset, state.codes), state.zero)
    if not gaps:
        return "With the proposed features, no customer has a gap: the gaps are in other columns."
    rows = report.rows
    said = (f"With the proposed features, {gaps:,} of {rows:,} customers ({percent(gaps / rows)}) have a gap: "
            f"leaving them out segments the other {rows - gaps:,}; filling the gaps keeps every customer.")
    return html.Strong(said) if gaps > MANY_LEFT_OUT * rows else said


def _missing_panel(dataset: service.Dataset, state: ViewState) -> dbc.Alert:
    report = dataset.report
    affected = [c for c in report.column_reports if c.is_feature_candidate and (c.unusable or c.unknown_codes)]
    if not affected:
        return dbc.Alert("No missing values in the numeric columns: every customer can be segmented.",
                         color="success", className="segments-missing-ok")
    listed = [html.Li(f"{c.name}: " + ", ".join(part for part in (
        f"{c.missing:,} missing ({percent(c.missing_share)})" if c.missing else "",
        f"{c.not_numbers:,} not a number (e.g. {', '.join(repr(e) for e in c.examples)})" if c.not_numbers else "",
        f"{c.unknown:,} hold {codes_text(c.unknown_codes)}, a code for unknown ({percent(c.unknown / c.rows)})"
        if c.unknown_codes else "") if part)) for c in affected]
    coded = [c for c in affected if c.unknown_codes]
    codes_choice = dbc.Switch(
        id=ids.Upload.CODES, value=state.codes != "keep", className="mt-2" + ("" if coded else " d-none"),
        label="Read " + join_words([f"{codes_text(c.unknown_codes)} in {c.name}" for c in coded[:4]])
              + (" and the other codes" if len(coded) > 4 else "") + " as unknown (missing)")
    return dbc.Alert([
        html.H5("Missing values found", className="alert-heading"),
        html.P("These numeric columns have gaps. Nothing is dropped or filled without your say:"),
        html.Ul(listed),
        html.P(_left_out(dataset, state), id=ids.Upload.LEFT_OUT, className="mb-1"),
        _zero_choice(report, state),
        codes_choice,
        dbc.RadioItems(id=ids.Upload.MISSING, options=MISSING_OPTIONS, value=state.missing, className="mt-2"),
    ], color="warning", className="segments-missing-alert")


def _zero_choice(report: QualityReport, state: ViewState) -> html.Div:
    """The columns whose blank cells can be counted as 0, ticked as the link says (none unless chosen): those the
    data check proposes first, said why (a total or a count with no 0 in it, where a blank most likely means none;
    found from outside: a HubSpot export's "Total Revenue", empty for the 88% who never bought)."""
    columns = report.zero_blank_columns
    proposed = set(report.zero_blank_proposed)
    options = [{"label": column_label(name, f" ({percent(report.column(name).missing_share, short=True)} "
                                            f"{report.column(name).blank_cells}"
                                            + ("; no 0 in it: a blank likely means none)" if name in proposed else ")")),
                "value": name} for name in columns]
    every = dbc.Button(f"Tick the {len(proposed)} proposed", id=ids.Upload.ZERO_PROPOSED, color="link", size="sm",
                       className="p-0 ms-2 align-baseline" + ("" if len(proposed) > 1 else " d-none"))
    return html.Div([
        html.P(["Count the blanks as 0 (a total or a count left empty for customers who did nothing):", every],
               className="mb-1 mt-2 fw-semibold"),
        dbc.Checklist(id=ids.Upload.ZERO, options=options, value=[z for z in state.zero if z in columns]),
    ], className="" if columns else "d-none")


@callback(
    Output(ids.Upload.ZERO, "value"),
    Input(ids.Upload.ZERO_PROPOSED, "n_clicks"),
    State(ids.Upload.ZERO, "value"),
    State(ids.page_query(PAGE), "data"),
    prevent_initial_call=True,
)
def tick_proposed_zeros(clicks: int | None, ticked: list[str] | None, query: str | None) -> Any:
    """Tick every column whose blanks the data check proposes to count as 0 (a loyalty export's spend and visits
    per category: 40 boxes), beside those ticked already."""
    if not clicks:
        return dash.no_update
    try:
        report = service.get_dataset(ViewState.from_search(query).ds).report
    except SegmentsError:
        return dash.no_update
    return list(dict.fromkeys([*(ticked or []), *report.zero_blank_proposed]))


def _description_row_panel(report: QualityReport) -> dbc.Alert | None:
    """The choice to leave out a first row that describes the columns (units, explanations) instead of a customer."""
    if not report.description_row:
        return None
    shown = report.description_row_text(limit=60)
    return _leave_out_panel("description", "The first row describes the columns", [
        "Under the header, the file has a row of text where numbers belong (", shown, "): it reads like a second "
        "header line, not a customer. As it is, it stays in every download and is left out of the model like a "
        "row with gaps."], "Leave this row out of the table", "segments-description-row")


def _summary_rows_panel(report: QualityReport) -> dbc.Alert | None:
    """The choice to leave out totals or averages rows at the end of the file (they are no customers)."""
    if not report.summary_rows:
        return None
    several = len(report.summary_rows) > 1
    return _leave_out_panel("summary", f"The file ends with {'totals rows' if several else 'a totals row'}", [
        f"{report.summary_rows_text(first_word=True)}: {'they total' if several else 'it totals'} or "
        f"{'average' if several else 'averages'} "
        f"the customers rather than being one. As it is, {'they count' if several else 'it counts'} as "
        f"{'customers' if several else 'a customer'} in the model and in a segment's means (unless "
        f"{'they have' if several else 'it has'} gaps in the chosen columns), and {'stay' if several else 'stays'} "
        "in every download."], f"Leave {'these rows' if several else 'this row'} out of the table",
        "segments-summary-rows")


def _net_returns_panel(dataset: service.Dataset) -> dbc.Alert | None:
    """The choice to leave out, of a customer table built from orders, the customers who returned as much as they
    bought (:func:`core.rfm.net_return_rows`), when the proposed transforms set them apart
    (:func:`core.rfm.net_returns_apart`). Found from outside: 11 of an app's 2,999 customers made a segment of 0.4%
    at every k from 3, and k=2 was unstable."""
    positions = net_return_rows(dataset.frame, dataset.table.decimal, dataset.table.numbers)
    if not positions or not net_returns_apart(dataset.report.proposed_transforms):
        return None
    several = len(positions) > 1
    customers = counted(len(positions), "customer")
    return _leave_out_panel("net_returns", f"{customers} returned as much as they bought", [
        f"{net_returns_text(len(positions), dataset.report.rows)}. As it is, {'they stay' if several else 'it stays'} "
        "in the model and in every download."],
        f"Leave {'these' if several else 'this'} {customers} out of the table", "segments-net-returns")


def _leave_out_panel(rows: str, title: str, body: list[Any], button: str, class_name: str) -> dbc.Alert:
    """A panel offering to leave rows out of the table (:func:`leave_out_rows`): rows that are no customers, or
    customers who would make a segment of their own."""
    return dbc.Alert([
        html.H5(title, className="alert-heading"),
        html.P(body),
        dbc.Button(button, id=ids.leave_out_rows(rows), color="primary", size="sm"),
        html.Span(" The file as uploaded stays available under its own link.", className="small text-muted"),
    ], color="info", className=class_name)


def _sheet_picker(dataset: service.Dataset) -> html.Div | None:
    """A choice of the workbook's sheet to read, when it has several and is still kept (:func:`read_sheet`).
    Found from outside: a workbook whose customers were on its second-largest sheet could not be segmented
    from the dashboard (the note said to save the sheet as a file of its own)."""
    sheets = getattr(dataset.table, "sheets", ())  # (a data set cached before tables said their sheets has none)
    if len(sheets) < 2 or not getattr(dataset, "workbook", None):
        return None
    return html.Div([
        dbc.Label("Sheet read", html_for=ids.Upload.SHEET, className="small me-2 mb-0"),
        dcc.Dropdown(id=ids.Upload.SHEET, options=list(sheets), value=dataset.table.sheet, clearable=False,
                     searchable=False, className="segments-sheet"),
        html.Div(id=ids.Upload.SHEET_STATUS),
    ], className="mt-2 d-flex align-items-center flex-wrap gap-2")


def _dataset_panel(dataset: service.Dataset, state: ViewState) -> html.Div:
    report = dataset.report
    columns = report.to_frame().head(SHOWN_COLUMNS * 5)
    preview = dataset.frame.iloc[:PREVIEW_ROWS, :SHOWN_COLUMNS]
    more = report.columns - preview.shape[1]
    findings = report.problems()
    return html.Div([
        dbc.Card(dbc.CardBody([
            html.H4(dataset.name, className="card-title h5 segments-file-name"),
            html.P([html.Strong(f"{report.rows:,} rows × {report.columns:,} columns"), " · ",
                    html.Span(_format_line(dataset), className="segments-format")], className="mb-1"),
            *[html.P(w, className="small text-muted mb-0") for w in dataset.table.warnings],
            _sheet_picker(dataset),
        ]), className="mb-3"),
        orders_panel(dataset),
        _description_row_panel(report),
        _summary_rows_panel(report),
        _net_returns_panel(dataset),
        html.Div(id=ids.Upload.LEAVE_OUT_STATUS),
        _missing_panel(dataset, state),
        html.H5("What the data check found", className="mt-3"),
        html.Ul([html.Li(f) for f in findings] or [html.Li("No problems found.")], className="segments-findings"),
        frame_table(columns.assign(**{"missing share": columns["missing share"].map(percent)}), "segments-quality",
                    formats={"missing": ",", "not a number": ",", "distinct values": ","}, names=("column",)),
        html.H5("First rows", className="mt-3"),
        frame_table(preview, "segments-preview"),
        html.P(f"… and {more:,} more columns" if more > 0 else "", className="small text-muted"),
        next_button("Next: choose the model →", state.href("/model"), ids.Upload.NEXT),
    ])


def layout(**query: Any) -> html.Div:
    """The upload widget, and the open dataset's check when ``ds`` is given."""
    state = ViewState.from_query(query)
    body: Any = None
    if not state.ds and query.get("demo") in ("1", "true", "yes"):
        # ?demo=1: open the demo data straight away (the Quick start's link); the URL then carries its token.
        try:
            state = state.with_(ds=service.read_and_store(DEMO_PATH, DEMO_NAME, None, None).token)
        except SegmentsError as exc:
            body = error_alert(exc)
    if state.ds:
        try:
            body = _dataset_panel(service.get_dataset(state.ds), state)
        except SegmentsError as exc:
            body = gone_panel(exc)
    return html.Div([
        page_query_store(PAGE, state),
        page_header("Upload customers", "Bring a customer export (CSV or Excel). Nothing leaves this server."),
        _dropzone(service.settings()),
        html.Hr(),
        html.Div(body, id=ids.Upload.RESULT),
    ])


@callback(
    Output(ids.Shell.REDIRECT, "href"),
    Output(ids.Upload.STATUS, "children", allow_duplicate=True),
    Output(ids.Upload.STATUS, "is_open", allow_duplicate=True),
    Input(ids.Upload.DEMO, "n_clicks"),
    prevent_initial_call=True,
)
def open_demo(n_clicks: int | None) -> tuple[Any, Any, bool]:
    """Store the shipped demo data under a new token and open it."""
    if not n_clicks:
        return dash.no_update, dash.no_update, False
    try:
        dataset = service.read_and_store(DEMO_PATH, DEMO_NAME, None, None)
    except SegmentsError as exc:
        return dash.no_update, error_alert(exc), True
    return ViewState(ds=dataset.token).href("/upload"), dash.no_update, False


@callback(
    Output(ids.page_query(PAGE), "data"),
    Output(ids.Upload.NEXT, "href"),
    Output(ids.Upload.LEFT_OUT, "children"),
    Input(ids.Upload.MISSING, "value"),
    Input(ids.Upload.CODES, "value"),
    Input(ids.Upload.ZERO, "value"),
    State(ids.page_query(PAGE), "data"),
    prevent_initial_call=True,
)
def choose_missing(missing: str | None, unknown: bool | None, zero: list[str] | None,
                   query: str | None) -> tuple[str, str, Any]:
    """Keep the chosen missing-value strategy, whether codes for "unknown" count as missing and the columns whose
    blanks count as 0 in the view state; say again how many customers have a gap (the codes and the 0s change it)."""
    state = ViewState.from_search(query).with_(missing=missing if missing in MISSING_CHOICES else "drop",
                                               codes="keep" if unknown is False else "unknown",
                                               zero=tuple(str(z) for z in zero or ()))
    try:
        left_out = _left_out(service.get_dataset(state.ds), state)
    except SegmentsError:
        left_out = dash.no_update
    return state.query(), state.href("/model"), left_out


@callback(
    Output(ids.Shell.REDIRECT, "href", allow_duplicate=True),
    Output(ids.Upload.LEAVE_OUT_STATUS, "children"),
    Input(ids.leave_out_rows(ALL), "n_clicks"),
    State(ids.page_query(PAGE), "data"),
    prevent_initial_call=True,
)
def leave_out_rows(clicks: list[int | None], query: str | None) -> tuple[Any, Any]:
    """Keep the table without the rows whose button was pressed (a description row, totals rows) as a new
    dataset, and open it."""
    pressed = dash.ctx.triggered_id
    if not any(clicks) or not isinstance(pressed, dict):
        return dash.no_update, dash.no_update
    return leave_out(str(pressed.get("rows")), query)


@callback(
    Output(ids.Shell.REDIRECT, "href", allow_duplicate=True),
    Output(ids.Upload.SHEET_STATUS, "children"),
    Input(ids.Upload.SHEET, "value"),
    State(ids.page_query(PAGE), "data"),
    prevent_initial_call=True,
)
def read_sheet(sheet: str | None, query: str | None) -> tuple[Any, Any]:
    """Read the chosen sheet of the open data set's workbook as a new data set, and open it."""
    state = ViewState.from_search(query)
    try:
        dataset = service.get_dataset(state.ds)
        if not sheet or sheet == dataset.table.sheet:
            return dash.no_update, None
        dataset = service.read_sheet(dataset, sheet)
    except SegmentsError as exc:
        return dash.no_update, error_alert(exc, f"The sheet '{sheet}' could not be read")
    return ViewState(ds=dataset.token, missing=state.missing).href("/upload"), None


def leave_out(rows: str, query: str | None) -> tuple[Any, Any]:
    """:func:`leave_out_rows` for one kind of rows (``"description"``, ``"summary"`` or ``"net_returns"``,
    :func:`dashboard.service.store_without_rows`): the new dataset's address, or the reason nothing was left
    out."""
    state = ViewState.from_search(query)
    try:
        dataset = service.store_without_rows(service.get_dataset(state.ds), rows)
    except SegmentsError as exc:
        return dash.no_update, error_alert(exc, "The rows could not be left out")
    # (the same columns: the choices made on them still hold)
    return ViewState(ds=dataset.token, missing=state.missing, codes=state.codes, zero=state.zero).href("/upload"), None
