"""The Upload page offers to leave out, of a customer table built from orders, the customers who returned as much as
they bought, and never leaves them out unasked."""

from __future__ import annotations

import importlib
import json

import dash
import numpy as np
import pandas as pd
from plotly.utils import PlotlyJSONEncoder

from core.rfm import build_customers

from dashboard import service
from dashboard.state import ViewState
from tests.core.orders import make_orders, with_net_returners
from tests.fixtures import upload

TITLE = "3 customers returned as much as they bought"


def _text(component) -> str:
    return json.dumps(component, cls=PlotlyJSONEncoder)


def test_the_upload_page_offers_to_leave_them_out_of_a_built_table(client, request_context):
    """Found from outside (an app's 2,999 customers, 11 with monetary 0 or less: a segment of 0.4% at every k from
    3, k=2 unstable): the built table's page now says why they matter and offers to leave them out."""
    upload_page = importlib.import_module("pages.upload")
    orders_page = importlib.import_module("pages._orders")
    frame, kinds = make_orders(150, seed=11, returns=False)
    token = upload(client, with_net_returners(frame, 3).to_csv(index=False).encode(), "orders.csv").get_json()["token"]
    roles = [role for role, _, _ in orders_page.ROLES]
    chosen = {"customer": "CustomerID", "date": "InvoiceDate", "order": "InvoiceNo", "quantity": "Quantity",
              "price": "UnitPrice"}
    href, status = orders_page.build_customer_table(1, [chosen.get(r) for r in roles],
                                                    [{"type": "orders-role", "role": r} for r in roles], None,
                                                    ViewState(ds=token).query())
    assert status is None
    built = ViewState.from_search(href.split("?", 1)[1]).ds
    shown = _text(upload_page.layout(ds=built))
    assert TITLE in shown and "segments-net-returns" in shown and "Leave these 3 customers out of the table" in shown
    assert "on spending they sit far from every other customer" in shown

    href, status = upload_page.leave_out("net_returns", ViewState(ds=built, missing="median").query())
    assert status is None
    new = ViewState.from_search(href.split("?", 1)[1])
    assert new.ds != built and new.missing == "median"
    trimmed = service.get_dataset(new.ds)
    assert trimmed.report.rows == len(kinds) and not trimmed.frame["CustomerID"].str.startswith("990").any()
    assert (f"3 of {len(kinds) + 3} customers returned as much as they bought or more (monetary 0 or less); they were "
            "left out of the table, as you chose.") in trimmed.table.warnings
    assert "segments-net-returns" not in _text(upload_page.layout(ds=new.ds))  # the offer is gone
    assert service.get_dataset(built).report.rows == len(kinds) + 3  # the table as built keeps its own link


def test_a_table_without_them_gets_no_offer_and_the_callback_refuses(client, request_context):
    upload_page = importlib.import_module("pages.upload")
    token = upload(client, make_orders(150, seed=11)[0].to_csv(index=False).encode()).get_json()["token"]
    assert "returned as much as they bought" not in _text(upload_page.layout(ds=token))
    href, status = upload_page.leave_out("net_returns", ViewState(ds=token).query())
    assert href is dash.no_update and "No customer of this table returned as much as they bought" in _text(status)


def test_no_offer_when_spending_is_not_logged(client, request_context):
    """On a linear scale a customer who returned everything is just a low spender (found from outside: one customer
    at -5 among 5,942 whose spending was not skewed was offered to be left out)."""
    upload_page = importlib.import_module("pages.upload")
    table = build_customers(with_net_returners(make_orders(150, seed=11, returns=False)[0], 1),
                            today=pd.Timestamp("2025-01-01")).to_text_frame()
    table["monetary"] = np.where(table["monetary"].astype(float) <= 0, "-5.0",
                                 np.linspace(300, 700, len(table)).round(2).astype(str))
    table["average_order_value"] = np.linspace(40, 60, len(table)).round(2).astype(str)
    token = upload(client, table.to_csv(index=False).encode(), "flat-customers.csv").get_json()["token"]
    assert service.get_dataset(token).report.proposed_transforms["monetary"] == "none"
    assert "segments-net-returns" not in _text(upload_page.layout(ds=token))
