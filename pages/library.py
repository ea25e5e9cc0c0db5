"""The saved library: ``/library`` and ``/library?saved=<id>[&upload=<dataset token>]``.

* ``/library`` lists every saved segmentation (name, data set, customers, k, when it was saved, how
  many snapshots) with Open, Rename and Delete.
* ``/library?saved=<id>`` shows one: its snapshots, a drop zone to apply it to a new snapshot (next
  month's export), and, with two snapshots or more, who moved: the from x to matrix (new and gone
  customers included), a Sankey diagram, segment sizes across every snapshot, and the movers between
  any two segments as a CSV download. ``first``, ``second`` and ``id`` pick the snapshots and the
  customer id column, ``loose=1`` matches the ids loosely (:func:`core.migration.match_keys`: a warning
  proposes it when few ids match as written but many would, as after a spreadsheet dropped their zeros).
* ``&upload=<token>`` (set by the drop zone once the file is on the server) asks how the new file's
  columns feed the saved model's features, then applies it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

import dash
import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, callback, ctx, dcc, html

from core import SegmentsError, resolve_mapping
from core.text import join_words
from core.migration import CUSTOMERS, FROM, LOOSE_MATCH, NONE, TO
from core.rfm import OrderRebuild, built_from_orders
from dashboard import ids, library, service, snapshots
from dashboard.components import chart, dropzone_data, error_alert, frame_table, gone_panel, page_header
from dashboard.figures import sankey_figure, trend_figure
from dashboard.state import TOKEN_PATTERN

dash.register_page(__name__, path="/library", name="Library", order=5, title="Saved segmentations · Customer Segments",
                   description="Saved segmentations, their snapshots and how customers move between segments.")

NEW, GONE = "new", "gone"  # the movers pickers' values for the empty segment
PAGE = "library"


def _when(moment: Any) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment is not None else ""


def _first(value: Any) -> str | None:
    if isinstance(value, (list, tuple)):
        value = value[0] if value else None
    return str(value) if value not in (None, "") else None


def _int(value: Any) -> int | None:
    text = _first(value)
    return int(text) if text is not None and text.isdigit() else None


def detail_href(saved_id: str) -> str:
    """The address of a saved segmentation's page."""
    return "/library" + detail_query(saved_id)


def detail_query(saved_id: str, *, upload: str | None = None, first: int | None = None, second: int | None = None,
                 id_column: str | None = None, loose: bool = False) -> str:
    """The query string of a saved segmentation's page: the snapshots compared, the id column and how ids are
    matched, kept in the address bar (the page's query Store) so that a link shared shows the same view."""
    params = {"saved": saved_id, "upload": upload, "first": first, "second": second, "id": id_column,
              "loose": 1 if loose else None}
    return "?" + urlencode({k: v for k, v in params.items() if v not in (None, "")})


# ---------------------------------------------------------------------------------------------- the list

def _list_body() -> Any:
    try:
        items = library.list_saved()
    except SegmentsError as exc:
        return error_alert(exc, "The library could not be read")
    if not items:
        return dbc.Alert(["Nothing is saved yet. Segment a file, then use ", html.Strong("Save this segmentation"),
                          " on the Downloads page: it stays here until you delete it."], color="info")
    # on a phone the name and the actions (the data set under the name): the other columns from medium screens on
    wide = "d-none d-md-table-cell"
    head = html.Thead(html.Tr([html.Th("Name"), *[html.Th(t, className=wide) for t in ("Data set", "Customers", "k",
                                                                                     "Saved", "Snapshots")],
                               html.Th("")]))
    rows = []
    for item in items:
        key = {"saved": item.id}
        rows.append(html.Tr([
            html.Td([html.A(item.name, href=detail_href(item.id), className="fw-semibold segments-saved-name"),
                     html.Div(item.note, className="small text-muted") if item.note else None,
                     html.Div(f"{item.dataset_name} · {item.customers:,} customers · k={item.k}",
                              className="small text-muted d-md-none")],
                    className="segments-wrap"),
            html.Td(item.dataset_name, className=f"segments-wrap {wide}"), html.Td(f"{item.customers:,}", className=wide),
            html.Td(str(item.k), className=wide), html.Td(_when(item.created_at), className=wide),
            html.Td(str(item.snapshots), className=wide),
            html.Td(html.Div([
                dbc.Button("Open", href=snapshots.open_href(item), id={"type": ids.Library.OPEN, **key},
                           size="sm", color="primary", className="me-2"),
                # (a label around the box, its text for screen readers only: found in CI, axe's "form elements must
                # have labels" on a list with a row)
                html.Label([html.Span(f"New name for {item.name}", className="visually-hidden"),
                            dbc.Input(id={"type": ids.Library.RENAME_INPUT, **key}, value=item.name, size="sm",
                                      maxLength=library.MAX_NAME, style={"maxWidth": "12rem"})],
                           className="mb-0 me-1 position-relative"),  # (the hidden text stays in the table's box)
                dbc.Button("Rename", id={"type": ids.Library.RENAME, **key}, size="sm", color="secondary",
                           outline=True, className="me-2"),
                dcc.ConfirmDialogProvider(
                    dbc.Button("Delete", size="sm", color="danger", outline=True),
                    id={"type": ids.Library.DELETE, **key},
                    message=f"Delete the saved segmentation \u201c{item.name}\u201d and its stored data for good?"),
            ], className="d-flex flex-wrap align-items-center row-gap-1")),
        ], className="segments-saved-row"))
    return dbc.Table([head, html.Tbody(rows)], hover=True, responsive=True, size="sm", className="segments-table")


def _list_page() -> html.Div:
    return html.Div([
        page_header("Saved segmentations", "Saved segmentations stay until you delete them; their links never "
                                           "expire. Open one, or apply it to a new snapshot to see who moved."),
        dbc.Alert(id=ids.Library.STATUS, is_open=False, className="py-2"),
        html.Div(_list_body(), id=ids.Library.LIST),
    ])


def _triggered_id() -> str | None:
    trigger = ctx.triggered_id
    return str(trigger["saved"]) if isinstance(trigger, dict) and "saved" in trigger else None


@callback(
    Output(ids.Library.LIST, "children"),
    Output(ids.Library.STATUS, "children"),
    Output(ids.Library.STATUS, "is_open"),
    Output(ids.Library.STATUS, "color"),
    Input({"type": ids.Library.RENAME, "saved": ALL}, "n_clicks"),
    State({"type": ids.Library.RENAME_INPUT, "saved": ALL}, "value"),
    prevent_initial_call=True,
)
def rename_saved(clicks: list[int | None], names: list[str | None]) -> tuple[Any, Any, bool, str]:
    """Rename the saved segmentation whose Rename button was clicked."""
    saved_id = _triggered_id()
    if saved_id is None or not any(clicks):
        return dash.no_update, dash.no_update, dash.no_update, dash.no_update
    values = {str(item["id"]["saved"]): item.get("value") for item in ctx.states_list[0]}
    try:
        library.rename(saved_id, str(values.get(saved_id) or ""))
    except SegmentsError as exc:
        return dash.no_update, str(exc), True, "danger"
    return _list_body(), f"Renamed to \u201c{' '.join(str(values.get(saved_id)).split())}\u201d.", True, "success"


@callback(
    Output(ids.Library.LIST, "children", allow_duplicate=True),
    Output(ids.Library.STATUS, "children", allow_duplicate=True),
    Output(ids.Library.STATUS, "is_open", allow_duplicate=True),
    Output(ids.Library.STATUS, "color", allow_duplicate=True),
    Input({"type": ids.Library.DELETE, "saved": ALL}, "submit_n_clicks"),
    prevent_initial_call=True,
)
def delete_saved(clicks: list[int | None]) -> tuple[Any, Any, bool, str]:
    """Delete the saved segmentation (and its stored data) whose Delete was confirmed."""
    saved_id = _triggered_id()
    if saved_id is None or not any(clicks):
        return dash.no_update, dash.no_update, dash.no_update, dash.no_update
    try:
        snapshots.delete_saved(saved_id)
    except SegmentsError as exc:
        return dash.no_update, str(exc), True, "danger"
    return _list_body(), "Deleted, with its stored data.", True, "success"


# ------------------------------------------------------------------------------------------ one saved

def _segment_option(cluster: str, names: list[str], empty: str) -> dict[str, str]:
    return {"label": snapshots.segment_label(cluster, names) or empty, "value": cluster or (NEW if empty.startswith(
        "new") else GONE)}


def _snapshot_table(saved: library.SavedSegmentation) -> Any:
    names = saved.names
    head = html.Thead(html.Tr([html.Th("#"), html.Th("File"), html.Th("Customers"), html.Th("Added"),
                               *[html.Th(f"{j + 1} · {n}") for j, n in enumerate(names)]]))
    rows = [html.Tr([html.Td(str(i + 1)), html.Td(shot.label, className="segments-wrap"), html.Td(f"{shot.customers:,}"),
                     html.Td(_when(shot.created_at)), *[html.Td(f"{v:,}") for v in shot.sizes]])
            for i, shot in enumerate(saved.snapshots)]
    warnings = [dbc.Alert(f"Snapshot {i + 1} ({shot.label}): {shot.warning}", color="warning", className="py-2")
                for i, shot in enumerate(saved.snapshots) if shot.warning]
    return html.Div([dbc.Table([head, html.Tbody(rows)], size="sm", hover=True, responsive=True,
                               className="segments-table segments-snapshots"), *warnings], id=ids.Library.SNAPSHOTS)


def _dropzone(saved: library.SavedSegmentation) -> html.Div:
    settings = service.settings()
    features = [str(f) for f in saved.settings.get("model_features", [])]
    how = (" is applied to its customers (order lines are built into a customer table first, as this "
           "segmentation's were)" if built_from_orders(features) else " is applied to it as it is")
    return html.Div([
        html.Div([
            html.Div("Drop next month's export here, or click to browse", className="fw-semibold"),
            html.Div(f"The saved model ({', '.join(features)}){how}; CSV or Excel, up to "
                     f"{settings.max_upload_mb} MB.", className="small text-muted"),
        ], id=ids.Library.DROPZONE, className="segments-dropzone",
            **dropzone_data(settings.max_upload_bytes, settings.max_upload_mb, ids.Library.PROGRESS,
                           ids.Library.UPLOAD_STATUS, detail_href(saved.id) + "&upload=")),
        dbc.Progress(id=ids.Library.PROGRESS, value=0, label="", striped=True, animated=True, className="mt-2",
                     style={"display": "none", "height": "1.4rem"}),
        dbc.Alert(id=ids.Library.UPLOAD_STATUS, is_open=False, color="danger", className="mt-2"),
    ])


def _zero_said(saved: library.SavedSegmentation) -> str:
    """That the saved model counts some features' blanks as 0 (as chosen when it was trained), or ""."""
    zero = [str(f) for f in saved.settings.get("zero", [])]
    return f" It counts the blank cells of {join_words(zero)} as 0, as chosen when it was saved." if zero else ""


def _apply_panel(saved: library.SavedSegmentation, token: str) -> Any:
    """How the uploaded file's columns feed the saved model, and the Apply button."""
    try:
        dataset = service.get_dataset(token)
    except SegmentsError as exc:
        return gone_panel(exc)
    features = [str(f) for f in saved.settings.get("model_features", [])]
    columns = [str(c) for c in dataset.frame.columns]
    orders = snapshots.order_lines(saved, dataset)
    if orders is not None:
        return _apply_card(saved, dataset, [_orders_said(dataset, orders)],
                           "Build its customer table, apply and keep as a new snapshot")
    try:
        guess = resolve_mapping(columns, features)
    except SegmentsError:  # partly matched: guess each feature on its own
        guess = {}
        for feature in features:
            try:
                guess.update(resolve_mapping(columns, [feature]))
            except SegmentsError:
                pass
    numeric = dataset.report.numeric_columns or columns
    rows = [dbc.Row([
        dbc.Label(f"Model feature \u201c{feature}\u201d comes from", width=5),
        dbc.Col(dcc.Dropdown(id={"type": ids.Library.MAP, "feature": feature}, options=numeric,
                             value=guess.get(feature), clearable=False, placeholder="choose a column"), width=7),
    ], className="mb-2") for feature in features]
    return _apply_card(saved, dataset, rows, "Apply and keep as a new snapshot")


def _orders_said(dataset: service.Dataset, orders: OrderRebuild) -> Any:
    """What happens to a file of order lines applied to a segmentation of customers built from orders."""
    return html.P(orders.describe(dataset.name) + " The saved model is applied to it. To choose other columns or "
                  "another date, build the table on the Upload page and drop its clustered download here.",
                  className="small segments-apply-orders")


def _apply_card(saved: library.SavedSegmentation, dataset: service.Dataset, body: list[Any], action: str) -> Any:
    return dbc.Card(dbc.CardBody([
        html.H5(f"Apply to {dataset.name}", className="card-title"),
        html.P(f"{dataset.report.rows:,} rows × {dataset.report.columns:,} columns. The saved model and its "
               f"missing-value rule ({saved.settings.get('missing', 'drop')}) are applied unchanged: the "
               "segments are the saved ones, not a new clustering." + _zero_said(saved), className="small"),
        *body,
        dbc.Button(action, id=ids.Library.APPLY, color="primary", className="mt-2 me-2"),
        dbc.Button("Choose another file", href=detail_href(saved.id), color="secondary", outline=True,
                   className="mt-2"),
        html.Div(id=ids.Library.APPLY_STATUS, className="mt-2"),
    ]), className="mb-3 segments-apply")


def _pair_options(pairs: Sequence[tuple[str, str]], later: str) -> list[dict[str, str]]:
    """The customer id picker's choices, each ``(name in the earlier snapshot, name in the later one)``; an id the
    ``later`` snapshot names otherwise is said beside it ("CustomerID (Kunde in april.csv)")."""
    return [{"label": old if new == old else f"{old} ({new} in {later})", "value": old} for old, new in pairs]


def _id_options(saved: library.SavedSegmentation, first: int | None, second: int | None) -> list[dict[str, str]]:
    """The customer id picker's choices for two snapshots (the last two by default)."""
    shots = {s.id: s for s in saved.snapshots}
    earlier, later = shots.get(first, saved.snapshots[-2]), shots.get(second, saved.snapshots[-1])  # type: ignore[arg-type]
    try:
        pairs = snapshots.id_columns(saved, earlier, later)
    except SegmentsError:
        pairs = []
    return _pair_options(pairs, later.label)


def _migration_controls(saved: library.SavedSegmentation, first: int | None, second: int | None,
                        id_column: str | None, loose: bool) -> Any:
    shots = saved.snapshots
    options = [{"label": f"{i + 1}. {s.label}", "value": s.id} for i, s in enumerate(shots)]
    first = first if first in {s.id for s in shots} else shots[-2].id
    second = second if second in {s.id for s in shots} else shots[-1].id
    id_options = _id_options(saved, first, second)
    columns = [option["value"] for option in id_options]
    return dbc.Row([
        dbc.Col([dbc.Label("From snapshot"), dcc.Dropdown(id=ids.Library.FIRST, options=options, value=first,
                                                          clearable=False)], md=4),
        dbc.Col([dbc.Label("To snapshot"), dcc.Dropdown(id=ids.Library.SECOND, options=options, value=second,
                                                        clearable=False)], md=4),
        dbc.Col([dbc.Label("Customer id column"), dcc.Dropdown(id=ids.Library.ID_COLUMN, options=id_options,
                                                               value=id_column if id_column in columns else
                                                               (columns[0] if columns else None),
                                                               clearable=False),
                 dbc.Checklist(id=ids.Library.LOOSE_IDS, options=[{"label": f"Match ids {LOOSE_MATCH}",
                                                                   "value": "loose"}],
                               value=["loose"] if loose else [], switch=True, className="small mt-1")], md=4),
    ], className="mb-3")


def migration_view(saved_id: str, first: int | None, second: int | None, id_column: str | None,
                   loose: bool = False) -> Any:
    """The matrix, Sankey, trend and movers picker for two snapshots (or the message saying why not), with a
    warning first when few customers' ids are in both."""
    try:
        result = snapshots.migration_between(saved_id, first, second, id_column, loose)
    except SegmentsError as exc:
        return error_alert(exc, _NO_MIGRATION)
    return _migration_body(result)


#: The title of the message saying why who moved cannot be shown.
_NO_MIGRATION = "Who moved cannot be shown"


def _migration_body(result: snapshots.SnapshotMigration) -> Any:
    """:func:`migration_view` of a migration found."""
    saved, moves = result.saved, result.moves
    names = saved.names
    matrix = moves.matrix()
    shown = matrix.copy()
    shown.index = [snapshots.segment_label(c, names) or "new / not scored" for c in matrix.index]
    shown.columns = [snapshots.segment_label(c, names) or "gone / not scored" for c in matrix.columns]
    shown["total"] = shown.sum(axis=1)
    shown.loc["total"] = shown.sum(axis=0)
    table = shown.reset_index().rename(columns={"index": f"from {result.first.label} \u2193 / to "
                                                         f"{result.second.label} \u2192"})
    counts = moves.counts()
    tally = moves.tally()
    labels = [f"{i + 1}. {s.label}" for i, s in enumerate(saved.snapshots)]
    froms = [_segment_option(c, names, "new / not scored") for c in matrix.index]
    tos = [_segment_option(c, names, "gone / not scored") for c in matrix.columns]
    moved = counts[(counts[FROM] != counts[TO])].sort_values(CUSTOMERS, ascending=False)
    start = moved.iloc[0] if len(moved) else counts.iloc[0]
    pick_from = start[FROM] or NEW
    pick_to = start[TO] or GONE
    link_text, link_href = _movers_link(result, pick_from, pick_to)
    warning = result.warning
    return html.Div([
        dbc.Alert(warning, color="warning", className="py-2 small", id=ids.Library.ID_WARNING) if warning else None,
        html.P(f"{moves.customers:,} customers matched on \u201c{result.id_column}\u201d"
               + (f" (\u201c{result.new_id_column}\u201d in {result.second.label})"
                  if result.new_id_column not in ("", result.id_column) else "")
               + f"{f' ({LOOSE_MATCH})' if result.loose else ''}: {tally.stayed:,} stayed, "
               f"{tally.moved:,} moved to another segment, {tally.new:,} new (or not scored before), {tally.gone:,} "
               f"gone (or not scored now){tally.neither_text()}.", className="segments-migration-summary"),
        frame_table(table, "segments-migration-matrix", {c: "," for c in table.columns[1:]}),
        chart(ids.Library.SANKEY, sankey_figure(counts, names, labels[saved.snapshots.index(result.first)],
                                                labels[saved.snapshots.index(result.second)])),
        chart(ids.Library.TREND, trend_figure(labels, [s.sizes for s in saved.snapshots], names)),
        html.H5("Download the movers", className="mt-3"),
        dbc.Row([
            dbc.Col([dbc.Label("who were in"), dcc.Dropdown(id=ids.Library.MOVERS_FROM, options=froms,
                                                            value=pick_from, clearable=False)], md=4),
            dbc.Col([dbc.Label("and are now in"), dcc.Dropdown(id=ids.Library.MOVERS_TO, options=tos,
                                                               value=pick_to, clearable=False)], md=4),
            dbc.Col(html.A(link_text, href=link_href, id=ids.Library.MOVERS, download="",
                           className="btn btn-primary btn-sm mt-4"), md=4),
        ]),
    ], id=ids.Library.MATRIX)


def movers_href(saved_id: str, first: int, second: int, id_column: str, old: str, new: str,
                loose: bool = False) -> str:
    """The CSV download of the customers who went from segment ``old`` to ``new`` (route in routes.py)."""
    return "/saved/movers.csv?" + urlencode({"saved": saved_id, "first": first, "second": second, "id": id_column,
                                             "from": old, "to": new, **({"loose": 1} if loose else {})})


def _movers_link(result: snapshots.SnapshotMigration, old: str, new: str) -> tuple[str, str]:
    count = len(result.moves.movers(NONE if old == NEW else old, NONE if new == GONE else new))
    return (f"Download {'this customer' if count == 1 else f'these {count:,} customers'} (CSV)",
            movers_href(result.saved.id, result.first.id, result.second.id, result.id_column, old, new, result.loose))


def _detail_page(saved_id: str, upload: str | None, first: int | None, second: int | None,
                 id_column: str | None, loose: bool) -> html.Div:
    try:
        saved = library.get_saved(saved_id)
    except SegmentsError as exc:
        return html.Div([page_header("Saved segmentation", ""), error_alert(exc, "Not in the library"),
                         dbc.Button("The library", href="/library", color="primary")])
    summary = saved.summary
    parts: list[Any] = [
        dcc.Store(id=ids.Library.DETAIL, data={"saved": saved.id, "upload": upload}),
        dcc.Store(id=ids.page_query(PAGE), data=detail_query(saved.id, upload=upload, first=first, second=second,
                                                              id_column=id_column, loose=loose)),
        page_header(summary.name, f"{summary.dataset_name} · {summary.customers:,} customers · {summary.k} segments "
                                  f"· saved {_when(summary.created_at)}"),
        html.P(summary.note, className="segments-saved-note") if summary.note else None,
        html.Div([dbc.Button("Open the segments", href=snapshots.open_href(saved), color="primary",
                             className="me-2", id=ids.Library.OPEN),
                  dbc.Button("All saved segmentations", href="/library", color="secondary", outline=True)],
                 className="mb-3"),
        html.H4("Snapshots", className="h5"),
        _snapshot_table(saved),
        html.H4("Apply to a new snapshot", className="h5 mt-3"),
        _apply_panel(saved, upload) if upload else _dropzone(saved),
    ]
    if len(saved.snapshots) >= 2:
        parts += [html.H4("Who moved", className="h5 mt-4"),
                  _migration_controls(saved, first, second, id_column, loose),
                  html.Div(migration_view(saved.id, first, second, id_column, loose), id=ids.Library.MIGRATION)]
    return html.Div(parts)


def layout(saved: Any = None, upload: Any = None, first: Any = None, second: Any = None, id: Any = None,  # noqa: A002
           loose: Any = None, **_ignored: Any) -> html.Div:
    """The list, or one saved segmentation when ``saved`` is given."""
    saved_id = _first(saved)
    if not saved_id:
        return _list_page()
    token = _first(upload)
    return _detail_page(saved_id, token if token and TOKEN_PATTERN.match(token) else None, _int(first),
                        _int(second), _first(id), _first(loose) == "1")


@callback(
    Output(ids.Library.APPLY_STATUS, "children"),
    Output(ids.Shell.REDIRECT, "href", allow_duplicate=True),
    Input(ids.Library.APPLY, "n_clicks"),
    State(ids.Library.DETAIL, "data"),
    State({"type": ids.Library.MAP, "feature": ALL}, "value"),
    prevent_initial_call=True,
)
def apply_to_snapshot(clicks: int | None, detail: dict[str, str] | None, columns: list[str | None]) -> tuple[Any, Any]:
    """Apply the saved model to the uploaded file, keep the snapshot, and show who moved."""
    if not clicks or not detail or not detail.get("upload"):
        return dash.no_update, dash.no_update
    features = [str(item["id"]["feature"]) for item in ctx.states_list[1]]
    chosen = {feature: column for feature, column in zip(features, columns)}
    unmapped = [f for f, c in chosen.items() if not c]
    if unmapped:
        return error_alert("Choose a column for " + ", ".join(f"\u201c{f}\u201d" for f in unmapped) + ".",
                           "A feature has no column"), dash.no_update
    try:
        snapshots.apply_snapshot(detail["saved"], detail["upload"], chosen)  # type: ignore[arg-type]
    except SegmentsError as exc:
        return error_alert(exc, "The saved model could not be applied"), dash.no_update
    return dash.no_update, detail_href(detail["saved"])


@callback(
    Output(ids.Library.MIGRATION, "children"),
    Output(ids.page_query(PAGE), "data"),
    Output(ids.Library.ID_COLUMN, "options"),
    Input(ids.Library.FIRST, "value"),
    Input(ids.Library.SECOND, "value"),
    Input(ids.Library.ID_COLUMN, "value"),
    Input(ids.Library.LOOSE_IDS, "value"),
    State(ids.Library.DETAIL, "data"),
    prevent_initial_call=True,
)
def update_migration(first: int | None, second: int | None, id_column: str | None, loose: list[str] | None,
                     detail: dict[str, str] | None) -> tuple[Any, Any, Any]:
    """Show who moved between the chosen snapshots on the chosen id column, ids matched as chosen, keep the
    choice in the address bar (found from outside: a shared link opened on the last two snapshots, exact ids), and
    offer the id columns of the chosen snapshots (an id one of them names otherwise: found from outside)."""
    if not detail:
        return dash.no_update, dash.no_update, dash.no_update
    query = detail_query(detail["saved"], upload=detail.get("upload"), first=first, second=second,
                         id_column=id_column, loose=bool(loose))
    try:  # the snapshots are read once: the view and the id picker's choices come from one migration
        result = snapshots.migration_between(detail["saved"], first, second, id_column, bool(loose))
    except SegmentsError as exc:
        try:
            id_options: Any = _id_options(library.get_saved(detail["saved"]), first, second)
        except SegmentsError:
            id_options = dash.no_update
        return error_alert(exc, _NO_MIGRATION), query, id_options
    return _migration_body(result), query, _pair_options(result.candidates, result.second.label)


@callback(
    Output(ids.Library.MOVERS, "children"),
    Output(ids.Library.MOVERS, "href"),
    Input(ids.Library.MOVERS_FROM, "value"),
    Input(ids.Library.MOVERS_TO, "value"),
    State(ids.Library.FIRST, "value"),
    State(ids.Library.SECOND, "value"),
    State(ids.Library.ID_COLUMN, "value"),
    State(ids.Library.LOOSE_IDS, "value"),
    State(ids.Library.DETAIL, "data"),
    prevent_initial_call=True,
)
def update_movers(old: str | None, new: str | None, first: int | None, second: int | None, id_column: str | None,
                  loose: list[str] | None, detail: dict[str, str] | None) -> tuple[Any, Any]:
    """Point the movers download at the chosen pair of segments, saying how many customers it holds."""
    if not detail or old is None or new is None:
        return dash.no_update, dash.no_update
    try:
        result = snapshots.migration_between(detail["saved"], first, second, id_column, bool(loose))
    except SegmentsError as exc:
        return str(exc), dash.no_update
    return _movers_link(result, old, new)
