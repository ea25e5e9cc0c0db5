"""An order file in a real browser: upload, build the customer table, fit, and the Clusters page's
cross-table of RFM groups by segment (a screenshot of it is saved in $BROWSER_ARTIFACTS, else the
test's temporary folder), and one of the upload page's offer."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pandas as pd
import pytest
from playwright.sync_api import Page, expect

from dashboard import ids

from tests.core.orders import a_month_later, make_orders, net_and_gross_orders

from .flow import choose, csv_bytes, expect_dataset, expect_fit, fit_result, set_k, upload, wait_for_query
from .watch import JOB_TIMEOUT_MS
from tests.support import id_selector

pytestmark = pytest.mark.browser

FEATURES = "recency_days, frequency, monetary, average_order_value, tenure_days"
#: Screenshots for a person to look at (gitignored).
SCREENSHOTS = Path(__file__).resolve().parents[2] / "bench-results" / "screenshots" / "orders"


def _role(role: str) -> str:
    return id_selector({"type": ids.Orders.ROLE, "role": role})


def test_orders_to_customer_table_to_clusters(page: Page, tmp_path: Path) -> None:
    orders, kinds = make_orders(240, seed=12)
    page.goto("/upload")
    upload(page, "orders.csv", csv_bytes(orders))
    expect_dataset(page, "orders.csv")
    card = page.locator(".segments-orders")
    expect(card).to_contain_text(f"about {len(kinds):,} customers")
    expect(page.locator(_role("customer"))).to_contain_text("CustomerID")
    expect(page.locator(_role("order"))).to_contain_text("InvoiceNo")
    expect(page.locator(_role("quantity"))).to_contain_text("Quantity")
    last = pd.to_datetime(orders["InvoiceDate"]).max().normalize()
    as_of = (last + pd.Timedelta(days=1)).date().isoformat()
    expect(page.locator(f"#{ids.Orders.AS_OF}")).to_have_value(as_of)
    folder = Path(os.environ.get("BROWSER_ARTIFACTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    card.scroll_into_view_if_needed()
    card.screenshot(path=str(folder / "orders-offer.png"))

    page.click(f"#{ids.Orders.BUILD}")
    expect_dataset(page, "orders-customers.csv")
    expect(page.locator(".segments-format")).to_have_text("Customer table built from order lines")
    expect(page.locator("body")).to_contain_text(
        f"-> {len(kinds):,} customers; as of {as_of} (the day after the last order)")
    expect(page.locator(".segments-orders")).to_have_count(0)

    page.click(f"#{ids.Upload.NEXT}")
    expect_fit(page, f"seed 0: {len(kinds):,} customers segmented on recency_days")  # the recommended k
    features = re.sub(r" \(\w+\)", "", fit_result(page).inner_text().split("segmented on ", 1)[1].split(".")[0])
    assert features == FEATURES  # (their transforms aside) the scores and purchase dates are not features
    set_k(page, 3)
    wait_for_query(page, k="3")
    expect_fit(page, "New model with k=3")
    page.click(f"#{ids.Model.NEXT}")
    expect(page).to_have_title(re.compile(r"Clusters · Customer Segments$"), timeout=JOB_TIMEOUT_MS)
    table = page.locator(f"#{ids.RfmGroups.TABLE}")
    expect(table.locator("thead th")).to_have_count(4, timeout=JOB_TIMEOUT_MS)  # the groups, then 3 segments
    expect(table.locator("tbody")).to_contain_text("Champions")
    totals = table.locator("tbody tr").last.locator("th").all_inner_texts()
    assert totals[0] == "Customers" and sum(int(c.replace(",", "")) for c in totals[1:]) == len(kinds)
    page.locator(f"#{ids.RfmGroups.CARD}").scroll_into_view_if_needed()
    page.screenshot(path=str(folder / "orders-rfm-groups.png"), full_page=False)


def test_order_lines_taken_to_the_model_page_are_said_to_be_no_customers(page: Page) -> None:
    """Found from outside: order lines taken past the Upload page's offer had their lines' amounts proposed as
    features on the Model page, and their lines segmented as customers. The page says so, and its link leads back to
    the offer."""
    orders, kinds = make_orders(150, seed=9)
    page.goto("/upload")
    upload(page, "orders.csv", csv_bytes(orders))
    expect_dataset(page, "orders.csv")
    page.click(f"#{ids.Upload.NEXT}")
    alert = page.locator(".segments-order-lines-alert")
    expect(alert).to_contain_text(f"orders.csv holds order lines, one per purchase: {len(orders):,} lines of "
                                  f"{len(kinds):,} customers", timeout=JOB_TIMEOUT_MS)
    expect(page.locator(f"#{ids.Model.FEATURES}")).to_be_visible()
    alert.scroll_into_view_if_needed()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "model-order-lines.png"), full_page=True)
    alert.get_by_role("link", name="Build the customer table").click()
    expect(page.locator(".segments-orders")).to_contain_text(f"about {len(kinds):,} customers",
                                                             timeout=JOB_TIMEOUT_MS)
    page.click(f"#{ids.Orders.BUILD}")
    expect_dataset(page, "orders-customers.csv")
    page.click(f"#{ids.Upload.NEXT}")
    expect_fit(page, f"{len(kinds):,} customers segmented on recency_days")
    expect(page.locator(".segments-order-lines-alert")).to_have_count(0)


def test_orders_over_the_last_12_months(page: Page) -> None:
    """The window of months chosen on the offer reaches the built table: its columns are named for it, and the
    Model page trains on them (found from outside: all-time totals only grow, so exports months apart moved
    customers whose habits had not changed)."""
    orders, kinds = make_orders(200, seed=14)
    page.goto("/upload")
    upload(page, "orders.csv", csv_bytes(orders))
    expect_dataset(page, "orders.csv")
    expect(page.locator(f"#{ids.Orders.WINDOW}")).to_contain_text("every order")
    choose(page, f"#{ids.Orders.WINDOW}", "the last 12 months")
    card = page.locator(".segments-orders")
    card.scroll_into_view_if_needed()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    card.screenshot(path=str(SCREENSHOTS / "orders-window.png"))
    page.click(f"#{ids.Orders.BUILD}")
    expect_dataset(page, "orders-customers.csv")
    expect(page.locator("body")).to_contain_text("count the orders of the 12 months from")
    page.screenshot(path=str(SCREENSHOTS / "orders-window-built.png"), full_page=True)
    page.click(f"#{ids.Upload.NEXT}")
    expect_fit(page, f"{len(kinds):,} customers segmented on recency_days (log), frequency_12m (log), monetary_12m")


def test_orders_in_several_currencies_count_the_one_chosen(page: Page) -> None:
    """An export in EUR, GBP and JPY: the offer shows which currency is counted (the most lines' by default);
    choosing JPY and building says which lines were left out, and the table holds the JPY customers only."""
    rows = ["Order ID,Customer,Order Date,Currency,Total"]
    currency = lambda i: "EUR" if i % 7 < 4 else "GBP" if i % 7 < 6 else "JPY"  # noqa: E731
    rows += [f"{i},c{i % 60},2024-{1 + i % 12:02d}-{1 + i % 28:02d},{currency(i)},"
             f"{15000 + i if currency(i) == 'JPY' else 50 + i % 9}.00" for i in range(1, 601)]
    page.goto("/upload")
    upload(page, "shop.csv", ("\n".join(rows) + "\n").encode())
    expect_dataset(page, "shop.csv")
    expect(page.locator(_role("currency"))).to_contain_text("Currency")
    eur = sum(currency(i) == "EUR" for i in range(1, 601))
    expect(page.locator(f"#{ids.Orders.CURRENCY}")).to_contain_text(f"EUR only ({eur} lines)")
    jpy = sum(currency(i) == "JPY" for i in range(1, 601))
    choose(page, f"#{ids.Orders.CURRENCY}", f"JPY only ({jpy} lines)")
    card = page.locator(".segments-orders")
    card.scroll_into_view_if_needed()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    card.screenshot(path=str(SCREENSHOTS / "orders-currency.png"))
    page.click(f"#{ids.Orders.BUILD}")
    expect_dataset(page, "shop-customers.csv")
    expect(page.locator("body")).to_contain_text(f"Only the order lines in JPY are counted: {600 - jpy:,} lines in "
                                                 "other currencies in 'Currency'")
    customers = len({i % 60 for i in range(1, 601) if currency(i) == "JPY"})
    expect(page.locator(".segments-file-name").locator("..")).to_contain_text(f"{customers:,} rows")
    page.screenshot(path=str(SCREENSHOTS / "orders-currency-built.png"), full_page=True)


def test_next_months_orders_dropped_on_a_saved_segmentation_show_who_moved(page: Page) -> None:
    """Found from outside: next month's order export dropped on a saved segmentation of customers built from orders
    asked which of its columns were recency_days, frequency and monetary; then it was built from the columns
    recognised in it, not those chosen on the order card (here the net amount, not the "Total" its name finds, and
    the euro lines, not the dollars of most lines). It is built into its customer table as the saved one was and
    segmented by the saved model; who moved follows."""
    march = net_and_gross_orders()
    euro = march.loc[march["Currency"] == "EUR", "CustomerID"].nunique()
    page.goto("/upload")
    upload(page, "march.csv", csv_bytes(march))
    expect_dataset(page, "march.csv")
    expect(page.locator(_role("amount"))).to_contain_text("Total")
    choose(page, _role("amount"), "Net")
    choose(page, f"#{ids.Orders.CURRENCY}", f"EUR only ({int((march['Currency'] == 'EUR').sum()):,} lines)")
    page.click(f"#{ids.Orders.BUILD}")
    expect_dataset(page, "march-customers.csv")
    page.click(f"#{ids.Upload.NEXT}")
    set_k(page, 3)
    expect_fit(page, "New model with k=3")
    page.click(f"#{ids.Model.NEXT}")
    expect(page).to_have_title(re.compile(r"Clusters · Customer Segments$"), timeout=JOB_TIMEOUT_MS)
    page.click(f"#{ids.Clusters.NEXT}")
    page.fill(f"#{ids.Downloads.SAVE_NAME}", "RFM segments")
    page.click(f"#{ids.Downloads.SAVE}")
    saved_link = page.locator(".segments-saved-link")
    expect(saved_link).to_be_visible(timeout=JOB_TIMEOUT_MS)
    page.goto(saved_link.get_attribute("href"))

    upload(page, "april.csv", csv_bytes(a_month_later(march)), via=f"#{ids.Library.DROPZONE}")
    apply = page.locator(".segments-apply")
    expect(apply).to_contain_text("april.csv holds order lines", timeout=JOB_TIMEOUT_MS)
    expect(apply).to_contain_text("in the columns the saved table was built from")
    expect(apply).to_contain_text("amount: 'Net';")
    expect(apply).to_contain_text("counting every order in EUR")
    expect(apply.locator(".Select, .dash-dropdown")).to_have_count(0)  # no columns to map
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    apply.screenshot(path=str(SCREENSHOTS / "library-orders-apply.png"))
    page.click(f"#{ids.Library.APPLY}")
    expect(page.locator(f"#{ids.Library.SNAPSHOTS} tbody tr")).to_have_count(2, timeout=JOB_TIMEOUT_MS)
    expect(page.locator(f"#{ids.Library.SNAPSHOTS}")).to_contain_text("april-customers.csv")
    summary = page.locator(".segments-migration-summary")
    expect(summary).to_contain_text(f"{euro:,} customers matched on \u201cCustomerID\u201d",
                                    timeout=JOB_TIMEOUT_MS)
    page.screenshot(path=str(SCREENSHOTS / "library-orders-moved.png"), full_page=True)
