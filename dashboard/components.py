"""Small layout builders shared by the pages. Every text they show is escaped by Dash (no raw HTML)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, NamedTuple, TypeVar

import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, dcc, html

from core import SegmentsError
from core.text import clip, short_label

from . import ids, service
from .state import ViewState

__all__ = ["chart", "GRAPH_CONFIG", "job_status", "job_options", "retry_alert", "retry_reason", "retry_style", "error_alert",
           "gone_panel", "frame_table", "page_header", "page_query_store", "load_or_panel", "SegmentedView",
           "segmented_view_or_page", "next_button", "no_data_panel", "dropzone_data"]

T = TypeVar("T")


def column_label(name: str, suffix: str = "") -> str | html.Span:
    """A column's name (and ``suffix``) as a label shows it: whole when short, else shortened
    (:func:`core.text.short_label`) with the whole name in a tooltip. The data, downloads and links keep
    the whole name."""
    short = short_label(name)
    return name + suffix if short == name else html.Span(short + suffix, title=name)


def column_options(names: list[str]) -> list[dict[str, str]]:
    """Dropdown options for columns: a long name shortened in the list, whole in its tooltip."""
    return [{"label": short_label(name), "value": name, "title": name} for name in names]


def page_header(title: str, lead: str) -> html.Div:
    """A page's title and one-line explanation."""
    return html.Div([html.H2(title, className="h3 mb-1"), html.P(lead, className="text-muted mb-3")])


def page_query_store(page: str, state: ViewState) -> dcc.Store:
    """The Store that holds a page's view state as a query string (read by the shell)."""
    return dcc.Store(id=ids.page_query(page), data=state.query())


def error_alert(error: Exception | str, title: str = "That did not work") -> dbc.Alert:
    """A red alert with a heading and the error's message."""
    return dbc.Alert([html.H5(title, className="alert-heading"), html.P(str(error), className="mb-0")],
                     color="danger", className="segments-error")


def gone_panel(error: Exception) -> dbc.Alert:
    """What a page shows for an unknown or expired dataset token (or a failing store)."""
    stale = isinstance(error, service.DatasetGone)
    return dbc.Alert([
        html.H5("This data is no longer on the server" if stale else "The data store is not answering",
                className="alert-heading"),
        html.P(str(error)),
        dbc.Button("Upload a file", href="/upload", color="primary", size="sm"),
    ], color="warning", className="segments-gone")


def no_data_panel() -> dbc.Alert:
    """What a step shows before any data was opened."""
    return dbc.Alert([
        html.P("No customer file is open yet.", className="mb-2"),
        dbc.Button("Upload a file or open the demo data", href="/upload", color="primary", size="sm"),
    ], color="info")


def load_or_panel(state: ViewState) -> tuple[service.Dataset | None, Any]:
    """The state's dataset, or ``(None, panel)`` telling the user why there is none."""
    if not state.ds:
        return None, no_data_panel()
    try:
        return service.get_dataset(state.ds), None
    except SegmentsError as exc:
        return None, gone_panel(exc)


class SegmentedView(NamedTuple, Generic[T]):
    """What a page showing the view state's segmentation is built from (see :func:`segmented_view_or_page`)."""

    dataset: service.Dataset
    state: ViewState  #: resolved: the features and axes the URL left out are filled in
    result: T  #: what the page's ``fetch`` returned (the segmentation, and what else it needs)


def segmented_view_or_page(page: str, state: ViewState, header: Any, fetch: Callable[[ViewState], T],
                           failure_title: str, message_id: str | None = None) -> SegmentedView[T] | html.Div:
    """The dataset, resolved state and ``fetch(state)`` a segmentation page is built from, or the page to
    show instead (its query Store and ``header`` first, as on the page itself).

    Instead: the no-data or "data gone / store not answering" panel of :func:`load_or_panel`; or, when
    ``fetch`` raises a :class:`core.SegmentsError` (bad input, data gone, store down), an alert headed
    ``failure_title`` with the error's message and a button back to the model page, in a Div with
    ``message_id`` when given.
    """
    dataset, panel = load_or_panel(state)
    if dataset is None:
        return html.Div([page_query_store(page, state), header, panel])
    state = service.resolve_state(state, dataset)
    try:
        return SegmentedView(dataset, state, fetch(state))
    except SegmentsError as exc:
        back = dbc.Button("Back to the model", href=state.href("/model"), color="primary")
        # only pass an id when there is one: an explicit id=None would be sent to the browser as a prop
        return html.Div([page_query_store(page, state), header, error_alert(exc, failure_title), back],
                        **({"id": message_id} if message_id else {}))


def frame_table(frame: pd.DataFrame, className: str = "", formats: dict[str, str] | None = None,
                names: tuple[str, ...] = ()) -> html.Div:
    """A compact Bootstrap table of a small frame; ``formats`` maps columns to format specs. The headers, and
    the cells of the ``names`` columns (columns that hold column names), are shown as :func:`column_label`
    shows a name: a long one shortened, whole in its tooltip."""
    formats = formats or {}

    def cell(column: str, value: Any) -> str | html.Span:
        if pd.isna(value) if not isinstance(value, (list, tuple)) else False:
            return ""
        if column in names:
            return column_label(str(value))
        spec = formats.get(column)
        return format(value, spec) if spec else _cell_text(str(value))

    head = html.Thead(html.Tr([html.Th(column_label(str(c))) for c in frame.columns]))
    body = html.Tbody([
        html.Tr([html.Td(cell(str(c), v)) for c, v in zip(frame.columns, row)])
        for row in frame.itertuples(index=False, name=None)
    ])
    table = dbc.Table([head, body], bordered=False, hover=True, size="sm", striped=True,
                      className=f"segments-table {className}".strip())
    # A wide table scrolls sideways in its own box: focusable, so keyboard users can scroll it too.
    return html.Div(table, className="table-responsive", tabIndex="0", role="region",
                    **{"aria-label": f"Table: {', '.join(str(c) for c in frame.columns[:4])}"
                                     + (" …" if len(frame.columns) > 4 else "")})


#: Characters of a table cell shown before it is cut (the whole text in its tooltip, up to :data:`CELL_TIP_CHARS`).
CELL_CHARS = 32
CELL_TIP_CHARS = 1_000


def _cell_text(text: str) -> str | html.Span:
    """A cell's text as a compact table shows it: whole when short; else its start, an ellipsis, and the text in
    a tooltip. Found from outside: an export's notes of a few thousand characters pushed every later column of
    the Upload page's first rows out of sight."""
    shown = clip(text, CELL_CHARS)
    return text if shown == text else html.Span(shown, title=clip(text, CELL_TIP_CHARS))


def dropzone_data(max_upload_bytes: int, max_upload_mb: int, progress: str, status: str,
                  next_href: str) -> dict[str, str]:
    """The ``data-`` attributes assets/upload.js reads from a drop zone (class ``segments-dropzone``): the size
    limit, the ids of its progress bar, its message and the shell's redirect (the script spells no id of its
    own), and the address the new dataset token is appended to."""
    return {"data-max-bytes": str(max_upload_bytes), "data-max-mb": str(max_upload_mb), "data-progress": progress,
            "data-status": status, "data-redirect": ids.Shell.REDIRECT, "data-next": next_href}


def next_button(label: str, href: str, element_id: str) -> dbc.Button:
    """The button that moves the user to the next step."""
    return dbc.Button(label, href=href, id=element_id, color="primary", className="mt-3")


#: Plotly's own toolbar (zoom, pan, lasso, PNG) without the logo; the PNG is at twice the size.
GRAPH_CONFIG: dict[str, Any] = {"displaylogo": False, "toImageButtonOptions": {"format": "png", "scale": 2}}


def chart(graph_id: str, figure: Any) -> html.Div:
    """A graph with "PNG" and "SVG" buttons that save it as ``<graph id>.png|svg`` (see the shell)."""
    buttons = [
        dbc.Button(fmt.upper(), id={"type": ids.Shell.CHART_EXPORT, "graph": graph_id, "format": fmt},
                   title=f"Save this chart as {fmt.upper()}", color="link", size="sm", className="py-0 px-1")
        for fmt in ("png", "svg")
    ]
    return html.Div([
        dcc.Graph(id=graph_id, figure=figure, config=GRAPH_CONFIG),
        html.Div([html.Span("Save as ", className="small text-muted"), *buttons], className="text-end segments-export"),
    ])


_SHOWN, _HIDDEN = {"display": "block"}, {"display": "none"}
#: A job's status row while the job runs (set by Dash through :func:`job_options`, read by :func:`retry_style`).
_RUNNING = {"display": "flex"}


def job_status(status_id: str, progress_id: str, cancel_id: str, label: str = "") -> html.Div:
    """A background job's progress bar and Cancel button, hidden until the job runs."""
    return html.Div([
        dbc.Progress(id=progress_id, value=100 if label else 0, max=100 if label else 1, label=label, striped=True,
                     animated=True, style={"height": "1.2rem"}, className="flex-grow-1 me-2"),
        dbc.Button("Cancel", id=cancel_id, size="sm", color="secondary", outline=True),
    # No Bootstrap "d-flex" here: it is `display: flex !important` and beat the inline `display: none` that
    # hides the row when the job ends, so the bar and its Cancel stayed on screen for good.
    ], id=status_id, className="segments-job-status align-items-center mb-2", style=_HIDDEN)


def job_options(status_id: str, cancel_id: str, progress_id: str | None = None) -> dict[str, Any]:
    """The keyword arguments that make a callback a background job shown by :func:`job_status`: the
    status row visible while it runs, its Cancel button, and (with ``progress_id``) its progress bar fed
    by ``set_progress((done, total))``."""
    options: dict[str, Any] = {
        "background": True,
        "running": [(Output(status_id, "style"), _RUNNING, _HIDDEN)],
        "cancel": [Input(cancel_id, "n_clicks")],
    }
    if progress_id is not None:
        options["progress"] = [Output(progress_id, "value"), Output(progress_id, "max")]
    return options


def retry_reason(what: str) -> str:
    """Why a background job stopped without an answer: the data store's trouble when it has one (Redis
    stopped mid-job, the cache disk full: the job could not store its result), else cancelled or a
    stopped process."""
    problem = service.store_problem()
    if problem:
        return f"{what} was not finished: {problem} "
    return f"{what} was not finished: it was cancelled, or a server process stopped while it ran. "


def retry_alert(watch_id: str, retry_id: str, what: str) -> dbc.Alert:
    """Shown when a background job stopped without an answer (see :func:`retry_style`); its first sentence
    (id :func:`ids.retry_reason`) is :func:`retry_reason`'s, set when it is shown."""
    return dbc.Alert([
        html.Span(f"{what} was not finished: it was cancelled, or a server process stopped while it ran. ",
                  id=ids.retry_reason(watch_id)),
        dbc.Button("Try again", id=retry_id, color="warning", size="sm", className="ms-2"),
    ], id=watch_id, color="warning", className="py-2 segments-retry", style=_HIDDEN)


def retry_style(status: dict[str, str] | None, done: str | None, expected: str | None) -> dict[str, str]:
    """Show the retry alert when a job is no longer running but did not answer for the current settings.

    ``done`` is what the job's last answer was for (it writes it beside its result); ``expected`` what
    the page now asks for. A job whose process died never writes it.
    """
    running = (status or {}).get("display") == _RUNNING["display"]
    return _SHOWN if not running and done != expected else _HIDDEN
