"""A skewed customer file in the browser: the proposed logs, a changed transform in the link, the per-k table."""

from __future__ import annotations

import json
from pathlib import Path

from playwright.sync_api import Page, expect

from dashboard import ids

from tests.core.test_real_data import skewed_customers

from .flow import choose, csv_bytes, expect_dataset, expect_fit, expect_sweep_graphs, query, upload, wait_for_query
from .watch import JOB_TIMEOUT_MS

ARTEFACTS = Path(__file__).resolve().parents[2] / "bench-results" / "screenshots"


def transform_id(feature: str) -> str:
    """The selector of a feature's transform dropdown (a pattern-matching id, JSON with sorted keys)."""
    return "[id='" + json.dumps({"feature": feature, "type": ids.Model.TRANSFORM}, separators=(",", ":"),
                                sort_keys=True) + "']"


def test_skewed_spend_gets_a_log_the_user_can_turn_off(page: Page) -> None:
    frame, _ = skewed_customers(rows=2000, seed=4)
    page.goto("/upload")
    upload(page, "orders.csv", csv_bytes(frame))
    expect_dataset(page, "orders.csv")
    expect(page.locator(".segments-quality")).to_contain_text("log")
    page.click(f"#{ids.Upload.NEXT}")
    expect_fit(page, "customers segmented on Spend (log), Orders (log), Basket (log), Recency")
    assert query(page)["feature"] == ["Spend", "Orders", "Basket", "Recency"]
    assert query(page)["transform"] == ["Spend=log", "Orders=log", "Basket=log"]
    expect(page.locator(f"#{ids.Model.TRANSFORMS}")).to_contain_text("strongly right-skewed")
    expect_sweep_graphs(page)
    table = page.locator(f"#{ids.Model.K_TABLE}")
    expect(table).to_contain_text("stability", timeout=JOB_TIMEOUT_MS)
    expect(table.locator("tbody tr")).to_have_count(9)
    expect(page.locator(f"#{ids.Model.USE_K}")).to_have_text("Use k=4")
    expect(table).to_contain_text("4 ✓")
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTEFACTS / "model-transforms.png"), full_page=True)

    choose(page, transform_id("Spend"), "none")
    wait_for_query(page, transform=["Spend=none", "Orders=log", "Basket=log"])
    expect_fit(page, "customers segmented on Spend, Orders (log), Basket (log), Recency")
    # a colleague opening the link sees the same choice
    page.goto(page.url)
    expect(page.locator(transform_id("Spend"))).to_contain_text("none", timeout=JOB_TIMEOUT_MS)
    expect_fit(page, "segmented on Spend, Orders (log)")


def test_each_features_name_is_whole_on_one_line_above_its_transform(page: Page) -> None:
    """A bank export's snake_case names ("household_debt_to_equity_ratio") were broken mid-word beside their
    dropdowns in the narrow Features card ("household_debt_t" / "o_equity_ratio")."""
    frame, _ = skewed_customers(rows=600, seed=4)
    names = {"Spend": "household_debt_to_equity_ratio", "Orders": "number_transactions_12_months",
             "Basket": "average_basket_value_in_euros", "Recency": "days_since_last_order"}
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto("/upload")
    upload(page, "bank.csv", csv_bytes(frame.rename(columns=names)))
    expect_dataset(page, "bank.csv")
    page.click(f"#{ids.Upload.NEXT}")
    expect_fit(page, "customers segmented on household_debt_to_equity_ratio (log)")
    section = page.locator(f"#{ids.Model.TRANSFORMS}")
    for name in names.values():
        label = section.get_by_text(name, exact=True)
        expect(label).to_be_visible()
        lines = label.evaluate("e => Math.round(e.getBoundingClientRect().height / parseFloat(getComputedStyle(e).lineHeight))")
        assert lines == 1, (name, lines)
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    section.screenshot(path=str(ARTEFACTS / "model-transform-names.png"))
