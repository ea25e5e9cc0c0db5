"""Every page loads in a real browser without a console error or an uncaught error, with and
without a tracking parameter (links in newsletters carry ``utm_source``), and unknown addresses
get the friendly not-found page. The ``browser_errors`` fixture does the error check."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from dashboard import ids

pytestmark = pytest.mark.browser

NO_DATA = "No customer file is open yet."
#: (address, page title ending, a text the page shows)
PAGES = [
    ("/", "Customer Segments", "Start with the demo data"),
    ("/upload", "Upload · Customer Segments", "Drag and drop a customer file here"),
    ("/model", "Model · Customer Segments", NO_DATA),
    ("/clusters", "Clusters · Customer Segments", NO_DATA),
    ("/downloads", "Downloads · Customer Segments", NO_DATA),
    ("/no/such/page", "Page not found · Customer Segments", "Page not found"),
]


@pytest.mark.parametrize("suffix", ["", "?utm_source=newsletter"], ids=["plain", "utm"])
@pytest.mark.parametrize(("path", "title", "text"), PAGES, ids=[p[0] for p in PAGES])
def test_page_loads_without_errors(page: Page, path: str, title: str, text: str, suffix: str) -> None:
    response = page.goto(path + suffix)
    assert response is not None and response.ok
    expect(page.get_by_text(text, exact=True).first).to_be_visible()
    expect(page).to_have_title(re.compile(re.escape(title) + "$"))
    expect(page.locator(f"#{ids.Shell.NAV}")).to_be_visible()
    page.wait_for_load_state("networkidle")  # let every callback of the page answer
