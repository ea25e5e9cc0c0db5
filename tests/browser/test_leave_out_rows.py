"""In Chromium: the Upload page's buttons that leave rows that are no customers out of the table.

A totals row at the end of an export (found from outside) and a description row under the header each get
a panel with a button; pressing it opens the table without those rows under a new link, and says so.
Screenshots before and after go to ``bench-results/screenshots/leave-out/`` (gitignored).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from playwright.sync_api import Page, expect

from core.rfm import build_customers

from dashboard import ids
from tests.core.orders import make_orders, with_net_returners
from tests.core.test_description_row import _customers as _described_customers
from tests.core.test_description_row import _described
from tests.core.test_summary_rows import _customers, _sums, _with

from .flow import expect_dataset, query, upload
from .watch import JOB_TIMEOUT_MS

SCREENSHOTS = Path(__file__).resolve().parents[2] / "bench-results" / "screenshots" / "leave-out"


def _leave_out(page: Page, rows: str, name: str, data: bytes, title: str, button: str, said: str,
               customers: int) -> None:
    page.goto("/upload")
    upload(page, name, data)
    token = expect_dataset(page, name)
    panel = page.locator(".alert", has_text=title)
    expect(panel).to_be_visible()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{rows}-offered.png"), full_page=True)
    panel.get_by_role("button", name=button).click()
    page.wait_for_function("(token) => !location.search.includes(token)", arg=token, timeout=JOB_TIMEOUT_MS)
    new = expect_dataset(page, name)
    assert new != token
    expect(page.get_by_text(said, exact=False)).to_be_visible()
    expect(page.locator(".alert", has_text=title)).to_have_count(0)
    expect(page.get_by_text(f"{customers:,} rows", exact=False).first).to_be_visible()
    page.screenshot(path=str(SCREENSHOTS / f"{rows}-left-out.png"), full_page=True)
    page.go_back()  # the upload as it was keeps its own link and its offer
    expect(page.locator(".alert", has_text=title)).to_be_visible(timeout=JOB_TIMEOUT_MS)
    assert query(page)["ds"] == [token]


def test_a_totals_row_is_left_out_with_its_button(page: Page) -> None:
    customers = _customers(rows=300)
    data = _with(customers, _sums(customers, CustomerID="Total")).to_csv(index=False).encode()
    _leave_out(page, "summary", "export-with-total.csv", data, "The file ends with a totals row",
               "Leave this row out of the table", "left out of the table, as you chose", 300)


def test_a_description_row_is_left_out_with_its_button(page: Page) -> None:
    data = _described(_described_customers()).to_csv(index=False).encode()
    _leave_out(page, "description", "described.csv", data, "The first row describes the columns",
               "Leave this row out of the table", "it was left out of the table, as you chose", 300)


def test_customers_who_returned_as_much_as_they_bought_are_left_out_with_their_button(page: Page) -> None:
    """A customer table that ``segments rfm`` wrote (or the dashboard built) with 3 customers whose returns exceed
    their purchases: found from outside, such customers made a segment of their own at every k from 3."""
    frame, kinds = make_orders(150, seed=11, returns=False)
    table = build_customers(with_net_returners(frame, 3), today=pd.Timestamp("2025-01-01")).to_text_frame()
    _leave_out(page, "net_returns", "rfm-customers.csv", table.to_csv(index=False).encode(),
               "3 customers returned as much as they bought", "Leave these 3 customers out of the table",
               "3 of 153 customers returned as much as they bought or more", len(kinds))
