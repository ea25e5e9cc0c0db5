"""The Clusters page's cross-table of RFM groups by segment (dashboard/rfm_groups.py), on a customer table
built from an order file, and the clustered download that carries that table."""

from __future__ import annotations

import io
import json

import pandas as pd

from dashboard import ids, service
from dashboard.state import ViewState
from tests.fixtures import demo_bytes, route, upload
from tests.dashboard.test_orders import _orders_token, _pages, _roles  # noqa: F401  (the pages fixture)
from core.rfm import RFM_GROUPS
from dashboard.rfm_groups import rfm_groups_card
from tests.dashboard import test_orders


def _text(node) -> str:
    if isinstance(node, (str, int, float)):
        return str(node)
    if isinstance(node, list):
        return "".join(_text(n) for n in node)
    return _text(getattr(node, "children", "") or "")


def _cells(card) -> list[list[str]]:
    """The card's table as rows of cell texts, the header first."""
    table = card.children.children[2]
    head, body = table.children
    rows = [[_text(th).strip() for th in head.children.children]]
    rows += [[_text(td).strip() for td in tr.children] for tr in body.children]
    return rows


def test_clusters_page_cross_tables_rfm_groups_and_download_carries_the_table(client, request_context):
    token, kinds = _orders_token(client)
    values, role_ids = _roles(customer="CustomerID", date="InvoiceDate", order="InvoiceNo", quantity="Quantity",
                              price="UnitPrice")
    href, _ = test_orders.orders_page.build_customer_table(1, values, role_ids, None, ViewState(ds=token).query())
    customers = ViewState.from_search(href.split("?", 1)[1]).ds
    _, payload = route(client, "/clusters", f"?ds={customers}&k=3")
    text = json.dumps(payload)
    assert "RFM groups in each segment" in text and ids.RfmGroups.TABLE in text
    seg = service.get_segmentation(ViewState(ds=customers, k=3))
    dataset = service.get_dataset(customers)
    expected = pd.crosstab(seg.labels, dataset.frame["rfm_group"])
    shown = _cells(rfm_groups_card(dataset, seg))
    header, *groups, totals = shown
    assert header[0] == "RFM group"
    for label in range(3):
        assert header[label + 1] == f"{label + 1}{seg.segment_names[label]}"
    wanted = [str(g) for g in RFM_GROUPS if g in set(expected.columns)]
    assert [row[0] for row in groups] == wanted  # best group first, groups nobody has left out
    for row in groups:
        counts = [int(c.split()[0].replace(",", "")) if c != "–" else 0 for c in row[1:]]
        assert counts == [int(expected.loc[label, row[0]]) for label in range(3)], row
    assert totals == ["Customers"] + [f"{int(n):,}" for n in expected.sum(axis=1)]
    response = client.get(f"/download/clustered.csv?ds={customers}&k=3")
    table = pd.read_csv(io.BytesIO(response.data), dtype=str, keep_default_na=False)
    assert sorted(table["CustomerID"]) == sorted(kinds)
    assert {"recency_days", "rfm_group", "cluster", "segment"} <= set(table.columns)
    # an ordinary customer file: no cross-table
    demo = upload(client, demo_bytes()).get_json()["token"]
    _, payload = route(client, "/clusters", f"?ds={demo}&k=3")
    assert "RFM groups in each segment" not in json.dumps(payload)
