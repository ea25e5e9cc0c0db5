"""In Chromium: the Upload page reads another sheet of a workbook.

Found from outside: a workbook whose customers were on a sheet other than its largest one could not be
segmented from the dashboard (the note said to save the sheet as a file of its own). A workbook of several
sheets now gets a "Sheet read" choice; choosing another sheet opens it under a new link, and the first
reading keeps its own. Screenshots go to ``bench-results/screenshots/sheets/`` (gitignored).
"""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect

from dashboard import ids
from tests.dashboard.test_upload_raw import workbook_of_three_sheets

from .flow import expect_dataset, query, upload
from .watch import JOB_TIMEOUT_MS

SCREENSHOTS = Path(__file__).resolve().parents[2] / "bench-results" / "screenshots" / "sheets"


def test_another_sheet_of_a_workbook_is_read_from_the_page(page: Page) -> None:
    page.goto("/upload")
    upload(page, "report.xlsx", workbook_of_three_sheets())
    token = expect_dataset(page, "report.xlsx")
    expect(page.get_by_text("400 rows × 3 columns")).to_be_visible()
    picker = page.locator(f"#{ids.Upload.SHEET}")
    expect(picker).to_contain_text("Customers 2026")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "first-read.png"), full_page=True)
    picker.click()
    page.get_by_role("option", name="Customers 2025").click()
    page.wait_for_function("(token) => !location.search.includes(token)", arg=token, timeout=JOB_TIMEOUT_MS)
    new = expect_dataset(page, "report.xlsx")
    assert new != token
    expect(page.get_by_text("120 rows × 4 columns")).to_be_visible()
    expect(page.get_by_text("'Customers 2025' was read (as asked)", exact=False)).to_be_visible()
    expect(page.locator(f"#{ids.Upload.SHEET}")).to_contain_text("Customers 2025")
    page.screenshot(path=str(SCREENSHOTS / "other-sheet.png"), full_page=True)
    page.go_back()  # the first reading keeps its own link
    expect(page.get_by_text("400 rows × 3 columns")).to_be_visible(timeout=JOB_TIMEOUT_MS)
    assert query(page)["ds"] == [token]
