"""Long file and segmentation names on a phone. Found from outside: a saved segmentation's page scrolled sideways by
273 px at 390 px wide, its subtitle holding the export's name (telco_customer_churn_export_2024_12_01_final_version_
for_marketing_team.csv), one word longer than the screen."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from core import DEMO_PATH
from dashboard import ids

from .flow import expect_dataset, upload
from .watch import JOB_TIMEOUT_MS

pytestmark = pytest.mark.browser

NAME = "telco_customer_churn_export_2024_12_01_final_version_for_marketing_team.csv"
#: Screenshots for a person to look at (gitignored).
SCREENSHOTS = Path(__file__).resolve().parents[2] / "bench-results" / "screenshots" / "long-names"


def _sideways(page: Page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


def test_long_names_wrap_on_a_phone(page: Page) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/upload")
    upload(page, NAME, Path(DEMO_PATH).read_bytes())
    token = expect_dataset(page, NAME)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for name, address, ready in (("upload", f"/upload?ds={token}", ".segments-file-name"),
                                 ("model", f"/model?ds={token}", f"#{ids.Model.FEATURES}"),
                                 ("clusters", f"/clusters?ds={token}&k=5", ".segments-summary"),
                                 ("downloads", f"/downloads?ds={token}&k=5", f"#{ids.Downloads.CLUSTERED}")):
        page.goto(address)
        expect(page.locator(ready).first).to_be_visible(timeout=JOB_TIMEOUT_MS)
        assert _sideways(page) <= 1, f"{name} scrolls sideways by {_sideways(page)}px"
    page.fill(f"#{ids.Downloads.SAVE_NAME}", "Quarterly review of the marketing team's customers by their charges")
    page.click(f"#{ids.Downloads.SAVE}")
    saved = page.locator(".segments-saved-link")
    expect(saved).to_be_visible(timeout=JOB_TIMEOUT_MS)
    page.goto(saved.get_attribute("href"))
    expect(page.locator(f"#{ids.Library.SNAPSHOTS}")).to_contain_text(NAME[:20], timeout=JOB_TIMEOUT_MS)
    page.screenshot(path=str(SCREENSHOTS / "saved-phone.png"), full_page=True)
    assert _sideways(page) <= 1, f"the saved segmentation's page scrolls sideways by {_sideways(page)}px"
    page.goto("/library")
    row = page.locator(".segments-saved-row", has_text="Quarterly review")
    expect(row).to_be_visible(timeout=JOB_TIMEOUT_MS)
    assert _sideways(page) <= 1, f"the library's list scrolls sideways by {_sideways(page)}px"
    # the name wraps in its cell: the link to the segmentation is on the screen whole, not cut at its edge (the
    # row's other cells and its buttons follow in the table's own sideways-scrolling box)
    link = row.locator(".segments-saved-name").bounding_box()
    assert link["x"] + link["width"] <= 390, link
    # ... and on a phone the row is its name (the data set under it) and its actions, every button on the screen
    expect(row).to_contain_text(f"{NAME} · 500 customers · k=5")
    for action in ("Open", "Rename", "Delete"):
        box = row.locator(".btn", has_text=action).bounding_box()
        assert box["x"] + box["width"] <= 390, (action, box)
    page.screenshot(path=str(SCREENSHOTS / "library-phone.png"), full_page=True)
