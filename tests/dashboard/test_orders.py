"""The dashboard's path from an order file to segments: the upload page's offer, the build callback, the
customer table as a dataset."""

from __future__ import annotations

import importlib
import json

import numpy as np
import pandas as pd
import plotly.utils
import pytest

from dashboard import ids, service
from dashboard.state import ViewState
from tests.core.orders import make_orders
from tests.fixtures import demo_bytes, route, upload


@pytest.fixture(autouse=True, scope="module")
def _pages(app):
    global orders_page
    orders_page = importlib.import_module("pages._orders")


def _orders_token(client, customers: int = 150) -> tuple[str, dict[str, str]]:
    frame, kinds = make_orders(customers, seed=11)
    response = upload(client, frame.to_csv(index=False).encode(), "orders.csv")
    return response.get_json()["token"], kinds


def _roles(**chosen: str | None) -> tuple[list[str | None], list[dict[str, str]]]:
    roles = [role for role, _, _ in orders_page.ROLES]
    return [chosen.get(r) for r in roles], [{"type": ids.Orders.ROLE, "role": r} for r in roles]


def test_upload_page_offers_the_customer_table_for_orders_only(client):
    token, kinds = _orders_token(client)
    _, payload = route(client, "/upload", f"?ds={token}")
    text = json.dumps(payload)
    assert "This looks like a file of orders" in text and "Build the customer table" in text
    assert f"about {len(kinds):,} customers" in text
    last = service.get_dataset(token).frame["InvoiceDate"].max()[:10]
    assert (pd.Timestamp(last) + pd.Timedelta(days=1)).date().isoformat() in text  # the as-of date shown
    assert '"value": "CustomerID"' in text and '"value": "InvoiceNo"' in text
    demo = upload(client, demo_bytes()).get_json()["token"]
    _, payload = route(client, "/upload", f"?ds={demo}")
    assert "This looks like a file of orders" not in json.dumps(payload)


def test_build_stores_the_customer_table_and_opens_it(client, request_context):
    token, kinds = _orders_token(client)
    values, role_ids = _roles(customer="CustomerID", date="InvoiceDate", order="InvoiceNo", quantity="Quantity",
                              price="UnitPrice")
    href, status = orders_page.build_customer_table(1, values, role_ids, None, ViewState(ds=token).query())
    assert status is None and href.startswith("/upload?ds=")
    customers = service.get_dataset(ViewState.from_search(href.split("?", 1)[1]).ds)
    assert customers.report.rows == len(kinds) and customers.name == "orders-customers.csv"
    assert customers.report.default_features == ["recency_days", "frequency", "monetary", "average_order_value",
                                                 "tenure_days"]
    assert any("cancelled orders" in w for w in customers.table.warnings)
    _, payload = route(client, "/upload", "?" + href.split("?", 1)[1])
    text = json.dumps(payload)
    assert "Customer table built from order lines" in text and "This looks like a file of orders" not in text


def test_build_explains_bad_choices(client, request_context):
    token, _ = _orders_token(client, 40)
    query = ViewState(ds=token).query()
    cases = [
        (_roles(customer="CustomerID", date=None, amount="Quantity"), "Choose the column for: Order date"),
        (_roles(customer="CustomerID", date="InvoiceDate", quantity="Quantity"), "or both the quantity"),
        (_roles(customer="CustomerID", date="CustomerID", amount="Quantity"), "chosen twice"),
        (_roles(customer="CustomerID", date="InvoiceNo", amount="Quantity"), "does not hold dates"),
    ]
    for (values, role_ids), message in cases:
        href, status = orders_page.build_customer_table(1, values, role_ids, None, query)
        assert href is orders_page.dash.no_update and message in json.dumps(status.to_plotly_json(), default=str), message
    values, role_ids = _roles(customer="CustomerID", date="InvoiceDate", quantity="Quantity", price="UnitPrice")
    _, status = orders_page.build_customer_table(1, values, role_ids, "2001-01-01", query)
    assert "is before the last order" in json.dumps(status.to_plotly_json(), default=str)


def test_the_order_panel_offers_the_status_column_and_the_build_leaves_refunds_out(client, request_context):
    frame, kinds = make_orders(150, seed=11)
    frame["Order Status"] = np.where(np.arange(len(frame)) % 10 == 0, "Refunded", "Completed")
    token = upload(client, frame.to_csv(index=False).encode(), "orders.csv").get_json()["token"]
    _, payload = route(client, "/upload", f"?ds={token}")
    text = json.dumps(payload)
    assert "Order status (refunded, cancelled: left out)" in text and '"value": "Order Status"' in text
    values, role_ids = _roles(customer="CustomerID", date="InvoiceDate", order="InvoiceNo", quantity="Quantity",
                              price="UnitPrice", status="Order Status")
    href, status = orders_page.build_customer_table(1, values, role_ids, None, ViewState(ds=token).query())
    assert status is None
    customers = service.get_dataset(ViewState.from_search(href.split("?", 1)[1]).ds)
    assert any("marked 'Refunded'" in w and "not purchases" in w for w in customers.table.warnings)
    values, role_ids = _roles(customer="CustomerID", date="InvoiceDate", order="InvoiceNo", quantity="Quantity",
                              price="UnitPrice")  # no status chosen: every line counts
    href, _ = orders_page.build_customer_table(1, values, role_ids, None, ViewState(ds=token).query())
    every = service.get_dataset(ViewState.from_search(href.split("?", 1)[1]).ds)
    assert not any("not purchases" in w for w in every.table.warnings)



def test_the_orders_panel_offers_a_refund_column_and_the_build_nets_it(client, request_context):
    """A shop export's refund column (found from outside: WooCommerce's 'Order Refund Amount') is recognised on
    the panel, can be changed there, and nets against the customers' spend when the table is built."""
    rows = ["Order ID,Customer,Order Date,Order Refund Amount,Order Total Amount"]
    rows += [f"{i},c{i % 40},2024-{1 + i % 12:02d}-{1 + i % 28:02d},{'10.00' if i % 10 == 0 else ''},50.00"
             for i in range(1, 401)]
    token = upload(client, ("\n".join(rows) + "\n").encode(), "shop.csv").get_json()["token"]
    _, payload = route(client, "/upload", f"?ds={token}")
    text = json.dumps(payload)
    assert "Amount refunded (nets against the line)" in text and '"value": "Order Refund Amount"' in text
    for refund, spend in (("Order Refund Amount", 500.0 - 10 * 10), (None, 500.0)):
        values, role_ids = _roles(customer="Customer", date="Order Date", order="Order ID",
                                  amount="Order Total Amount", refund=refund)
        href, status = orders_page.build_customer_table(1, values, role_ids, None, ViewState(ds=token).query())
        assert status is None
        customers = service.get_dataset(ViewState.from_search(href.split("?", 1)[1]).ds)
        frame = customers.frame.set_index("customer_id")
        assert float(frame.loc["c0", "monetary"]) == spend  # c0's ten orders, each refunded 10.00


def test_build_over_a_window_of_months_counts_those_months_only(client, request_context):
    """Tables built from exports months apart measure the same span when built over a window (found from
    outside: all-time totals only grow, so a saved segmentation applied to a later export moved customers
    whose habits had not changed)."""
    token, kinds = _orders_token(client)
    text = json.dumps(orders_page.orders_panel(service.get_dataset(token)), cls=plotly.utils.PlotlyJSONEncoder)
    assert "Count orders and spending over" in text and "the last 12 months" in text
    values, role_ids = _roles(customer="CustomerID", date="InvoiceDate", order="InvoiceNo", quantity="Quantity",
                              price="UnitPrice")
    href, status = orders_page.build_customer_table(1, values, role_ids, None, ViewState(ds=token).query(), 12)
    assert status is None
    customers = service.get_dataset(ViewState.from_search(href.split("?", 1)[1]).ds)
    assert customers.report.rows == len(kinds)
    assert {"frequency_12m", "monetary_12m", "average_order_value_12m"} <= set(customers.frame.columns)
    assert "recency_days" in customers.report.default_features and "frequency_12m" in customers.report.default_features
    assert any(w.startswith("Frequency, monetary value and average order value count the orders of the 12 months")
               for w in customers.table.warnings)
    every, _ = orders_page.build_customer_table(1, values, role_ids, None, ViewState(ds=token).query(), 0)
    assert "frequency" in service.get_dataset(ViewState.from_search(every.split("?", 1)[1]).ds).frame.columns


def test_the_orders_panel_offers_the_currency_counted_and_the_build_counts_it(client, request_context):
    """An export in several currencies (found from outside: ¥15,000 and €25 were added up as 15,025 of monetary
    value): the panel recognises the currency column and offers the currency counted, each with its lines, the most
    common first; the build counts the chosen one, and says what it left out. Another column chosen as the currency
    updates the choice, hidden when it writes one currency."""
    rows = ["Order ID,Customer,Order Date,Currency,Total,Region"]
    currency = lambda i: "EUR" if i // 40 % 5 < 3 else "GBP" if i // 40 % 5 == 3 else "JPY"  # noqa: E731
    rows += [f"{i},c{i % 40},2024-{1 + i % 12:02d}-{1 + i % 28:02d},{currency(i)},"
             f"{'15000' if currency(i) == 'JPY' else '50.00'},EU" for i in range(1, 401)]
    token = upload(client, ("\n".join(rows) + "\n").encode(), "shop.csv").get_json()["token"]
    text = json.dumps(orders_page.orders_panel(service.get_dataset(token)), cls=plotly.utils.PlotlyJSONEncoder)
    assert '"value": "Currency"' in text and "The lines are in several currencies: count" in text
    eur = sum(currency(i) == "EUR" for i in range(1, 401))
    assert f"EUR only ({eur} lines)" in text and "every currency, added up as written (no conversion)" in text
    query = ViewState(ds=token).query()
    options, value, style = orders_page.currency_choices("Currency", query)
    assert [o["value"] for o in options] == ["EUR", "GBP", "JPY", "all"] and value == "EUR" and style is None
    assert orders_page.currency_choices("Region", query) == ([], None, {"display": "none"})
    for chosen, spend in (("EUR", 6 * 50.0), ("JPY", 2 * 15000.0), ("all", 6 * 50.0 + 2 * 50.0 + 2 * 15000.0)):
        values, role_ids = _roles(customer="Customer", date="Order Date", order="Order ID", amount="Total",
                                  currency="Currency")
        href, status = orders_page.build_customer_table(1, values, role_ids, None, query, 0, chosen)
        assert status is None, status
        customers = service.get_dataset(ViewState.from_search(href.split("?", 1)[1]).ds)
        assert float(customers.frame.set_index("customer_id").loc["c1", "monetary"]) == spend  # 10 orders
    assert any(w.startswith("The order lines are in 3 currencies") for w in customers.table.warnings)
