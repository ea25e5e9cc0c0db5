"""The upload page's offer for order files: build the customer table (recency, frequency, monetary).

When the open dataset looks like a transactions file (:func:`core.looks_like_orders`: a customer, a date
and an amount column, many rows per customer), the upload page shows this panel: the column chosen for
each part (dropdowns, to change them), the as-of date recency is measured to (the day after the last
order unless changed) and a button. The button builds the customer table (:func:`core.build_customers`),
keeps it as a new dataset like an upload (:func:`dashboard.service.store_customer_table`) and opens it on
the upload page; the model, clusters and downloads pages then run on it, and the downloads carry it.

A private module of pages/upload.py (Dash does not register ``_`` modules as pages): the layout piece
and the callback that owns its output live together here.
"""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import ALL, Input, Output, State, callback, dcc, html

from core import OrderColumns, SegmentsError, looks_like_orders
from core.rfm import ALL_CURRENCIES, currencies, last_order
from dashboard import ids, service
from dashboard.components import error_alert
from dashboard.state import ViewState

__all__ = ["orders_panel", "build_customer_table", "currency_choices"]

PAGE = "upload"
#: The spans orders and spending can be counted over (months; 0: every order), for tables built from exports
#: months apart to measure the same span (:func:`core.build_customers`' ``window_months``).
WINDOWS = ((0, "every order"), (3, "the last 3 months"), (6, "the last 6 months"), (12, "the last 12 months"),
           (24, "the last 24 months"))

#: (role, label, may be left empty), in the order shown.
ROLES = (
    ("customer", "Customer id", False),
    ("date", "Order date", False),
    ("order", "Order number (optional)", True),
    ("amount", "Amount of the line", True),
    ("quantity", "Quantity (with unit price)", True),
    ("price", "Unit price (with quantity)", True),
    ("status", "Order status (refunded, cancelled: left out)", True),
    ("refund", "Amount refunded (nets against the line)", True),
    ("currency", "Currency of the amounts", True),
)


def _currency_options(dataset: service.Dataset, column: str | None) -> tuple[list[dict[str, str]], str | None]:
    """The choices of the currency counted (each with its lines; then every currency, added up as written) and the
    default, the currency of the most lines; none when the column writes one currency or none."""
    if not column or column not in dataset.frame.columns:
        return [], None
    kinds = currencies(dataset.frame, column)
    if len(kinds) < 2:
        return [], None
    options = [{"label": f"{code} only ({lines:,} lines)", "value": code} for code, lines in kinds]
    options.append({"label": "every currency, added up as written (no conversion)", "value": ALL_CURRENCIES})
    return options, kinds[0][0]


def orders_panel(dataset: service.Dataset) -> dbc.Card | None:
    """The offer to build a customer table, or None when the dataset does not look like order lines."""
    if dataset.table.file_format == service.CUSTOMER_TABLE_FORMAT:
        return None
    columns = looks_like_orders(dataset.frame)
    if columns is None:
        return None
    last = last_order(dataset.frame, columns.date)
    as_of = (last.normalize() + pd.Timedelta(days=1)).date().isoformat() if last is not None else None
    customers = int(dataset.frame[columns.customer].nunique())
    options = [{"label": str(c), "value": str(c)} for c in dataset.frame.columns]
    pickers = [
        dbc.Col([
            dbc.Label(label, html_for=f"orders-role-{role}", className="small mb-0"),
            dcc.Dropdown(id={"type": ids.Orders.ROLE, "role": role}, options=options,
                         value=getattr(columns, role), clearable=optional,
                         placeholder="(none)" if optional else "Choose a column"),
        ], md=4, className="mb-2")
        for role, label, optional in ROLES
    ]
    return dbc.Card(dbc.CardBody([
        html.H5("This looks like a file of orders", className="card-title"),
        html.P([f"{len(dataset.frame):,} order lines for about {customers:,} customers. Segments are found "
                "among customers, so build the customer table first: one row per customer with recency "
                "(days since the last purchase), frequency (orders), monetary value (total spent), the RFM "
                "scores and the usual RFM groups. Returns, cancellations and amounts refunded in part net against "
                "purchases; orders whose status says refunded or cancelled are left out; every line left out is "
                "reported."]),
        html.P("The columns used (recognised from their names; change any that is wrong). The amount of a "
               "line is the amount column, or quantity × unit price when no amount is chosen.",
               className="small text-muted mb-2"),
        dbc.Row(pickers),
        dbc.Row([
            dbc.Col([
                dbc.Label("Measure recency to (as-of date)", html_for=ids.Orders.AS_OF, className="small mb-0"),
                dbc.Input(id=ids.Orders.AS_OF, type="date", value=as_of),
                html.Div("Default: the day after the last order" + (f", which is on {last.date()}"
                                                                   if last is not None else ""),
                         className="small text-muted"),
            ], md=4),
            dbc.Col([
                dbc.Label("Count orders and spending over", html_for=ids.Orders.WINDOW, className="small mb-0"),
                dcc.Dropdown(id=ids.Orders.WINDOW, options=[{"label": label, "value": months}
                                                            for months, label in WINDOWS],
                             value=0, clearable=False, searchable=False),
                html.Div("A window of months lets tables built from exports months apart measure the same span "
                         "(all-time totals only grow), so a saved segmentation shows who moved.",
                         className="small text-muted"),
            ], md=4),
            dbc.Col(dbc.Button("Build the customer table", id=ids.Orders.BUILD, color="primary",
                               className="mt-3"), md=4),
        ], className="align-items-start"),
        _currency_row(*_currency_options(dataset, columns.currency)),
        dcc.Loading(html.Div(id=ids.Orders.STATUS, className="mt-2"), type="dot"),
    ]), className="mb-3 border-primary segments-orders")


def _currency_row(options: list[dict[str, str]], value: str | None) -> html.Div:
    """The choice of the currency counted, shown when the currency column writes several."""
    return html.Div([
        dbc.Label("The lines are in several currencies: count", html_for=ids.Orders.CURRENCY, className="small mb-0"),
        dcc.Dropdown(id=ids.Orders.CURRENCY, options=options, value=value, clearable=False, searchable=False),
        html.Div("Amounts in different currencies cannot be added up without conversion: the other currencies' "
                 "lines are left out, and said.", className="small text-muted"),
    ], id=ids.Orders.CURRENCY_ROW, className="mt-2", style=None if options else {"display": "none"})


@callback(
    Output(ids.Orders.CURRENCY, "options"),
    Output(ids.Orders.CURRENCY, "value"),
    Output(ids.Orders.CURRENCY_ROW, "style"),
    Input({"type": ids.Orders.ROLE, "role": "currency"}, "value"),
    State(ids.page_query(PAGE), "data"),
    prevent_initial_call=True,
)
def currency_choices(column: str | None, query: str | None) -> tuple[Any, Any, Any]:
    """The currencies of the column chosen as the currency (the choice is hidden when it writes one or none)."""
    try:
        dataset = service.get_dataset(ViewState.from_search(query).ds)
    except SegmentsError:
        return dash.no_update, dash.no_update, dash.no_update
    options, value = _currency_options(dataset, column)
    return options, value, None if options else {"display": "none"}


@callback(
    Output(ids.Shell.REDIRECT, "href", allow_duplicate=True),
    Output(ids.Orders.STATUS, "children"),
    Input(ids.Orders.BUILD, "n_clicks"),
    State({"type": ids.Orders.ROLE, "role": ALL}, "value"),
    State({"type": ids.Orders.ROLE, "role": ALL}, "id"),
    State(ids.Orders.AS_OF, "value"),
    State(ids.page_query(PAGE), "data"),
    State(ids.Orders.WINDOW, "value"),
    State(ids.Orders.CURRENCY, "value"),
    prevent_initial_call=True,
)
def build_customer_table(n_clicks: int | None, values: list[str | None], role_ids: list[dict[str, str]],
                         as_of: str | None, query: str | None, window: int | None = 0,
                         currency: str | None = None) -> tuple[Any, Any]:
    """Build the customer table from the chosen columns, keep it as a new dataset and open it."""
    if not n_clicks:
        return dash.no_update, dash.no_update
    state = ViewState.from_search(query)
    chosen = {i["role"]: (v or None) for i, v in zip(role_ids, values)}
    try:
        dataset = service.get_dataset(state.ds)
        missing = [label for role, label, optional in ROLES if not optional and not chosen.get(role)]
        if missing:
            raise SegmentsError(f"Choose the column for: {', '.join(missing)}.")
        if chosen.get("amount") and (chosen.get("quantity") or chosen.get("price")):
            raise SegmentsError("Choose either the amount column, or the quantity and unit price columns, not both.")
        if not chosen.get("amount") and not (chosen.get("quantity") and chosen.get("price")):
            raise SegmentsError("Choose the amount column, or both the quantity and the unit price columns.")
        picked = [c for c in chosen.values() if c]
        if len(set(picked)) < len(picked):
            raise SegmentsError("Each part needs its own column: one column is chosen twice.")
        columns = OrderColumns(chosen["customer"], chosen["date"], chosen.get("amount"),  # type: ignore[arg-type]
                               chosen.get("quantity"), chosen.get("price"), chosen.get("order"),
                               status=chosen.get("status"), refund=chosen.get("refund"),
                               currency=chosen.get("currency"))
        months = int(window) if window in {m for m, _ in WINDOWS} else 0
        customers = service.store_customer_table(dataset, columns, as_of, months or None, currency or None)
    except SegmentsError as exc:
        return dash.no_update, error_alert(exc, "The customer table could not be built")
    return ViewState(ds=customers.token, missing=state.missing).href("/upload"), None
