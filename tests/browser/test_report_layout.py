"""The HTML report (``segments fit --report``, the Downloads page's report) read on a phone: found from outside, the
report of a telecom's churn export scrolled sideways by 163 px at 390 px wide (its drivers and stability tables had
no scrolling box of their own, and a long file name stretched the Data table)."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from playwright.sync_api import Page, expect

from core.cli import main

pytestmark = pytest.mark.browser

#: Screenshots for a person to look at (gitignored).
SCREENSHOTS = Path(__file__).resolve().parents[2] / "bench-results" / "screenshots" / "report"


def _churn_export(path: Path) -> None:
    """A telecom's customers: tenure, charges, and services as text columns (mixes per segment)."""
    rng = np.random.default_rng(8)
    n = 1_500
    tenure = rng.integers(0, 72, n)
    monthly = np.round(rng.uniform(18, 118, n), 2)
    pd.DataFrame({
        "customerID": [f"{rng.integers(1000, 9999)}-{''.join(rng.choice(list('ABCDEFGHIJ'), 5))}" for _ in range(n)],
        "InternetService": rng.choice(["Fiber optic", "DSL", "No"], n),
        "StreamingMovies": rng.choice(["Yes", "No", "No internet service"], n),
        "PaymentMethod": rng.choice(["Electronic check", "Mailed check", "Bank transfer (automatic)"], n),
        "tenure": tenure, "MonthlyCharges": monthly, "TotalCharges": np.round(monthly * np.maximum(tenure, 1), 2),
    }).to_csv(path, index=False)


@pytest.mark.parametrize("width", [390, 1280])
def test_the_report_reads_on_a_phone_without_scrolling_sideways(page: Page, tmp_path: Path, width: int) -> None:
    source = tmp_path / "telco_customer_churn_export_2024_12_01.csv"
    _churn_export(source)
    report = tmp_path / "report.html"
    out, err = io.StringIO(), io.StringIO()
    assert main(["fit", str(source), "--k", "4", "--out", str(tmp_path / "out.csv"), "--report", str(report)],
                out=out, err=err) == 0, err.getvalue()
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(report.as_uri())
    expect(page.locator("section#data")).to_contain_text(source.name)
    expect(page.locator("table.drivers").first).to_be_visible()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"report-{width}.png"), full_page=True)
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 1, f"the report scrolls sideways by {overflow}px at {width}px wide"
    # a wide table scrolls in its own box, which stays inside its section
    boxes = page.evaluate("""() => [...document.querySelectorAll('table')].map(t => {
        const box = t.closest('.scroll'), section = t.closest('section').getBoundingClientRect();
        const edge = (box || t).getBoundingClientRect().right;
        return [t.className, Math.round(edge - section.right)]; })""")
    assert all(past <= 1 for _, past in boxes), boxes
