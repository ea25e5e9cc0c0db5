"""Accessibility: axe-core on every page with a file of 10,000 customers open, full-page screenshots at a
desktop and a phone width, and the upload, model and download steps done with the keyboard alone.

axe-core comes with ``axe-playwright-python`` (its ``axe.min.js``, injected by Playwright's evaluate, which
the page's Content-Security-Policy does not apply to). A serious or critical violation fails the test with
the rule, the help text and the first offending elements. Screenshots go to
``bench-results/screenshots/pages/`` (gitignored) for a person to look at.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from dashboard import ids

from .flow import csv_bytes, customers_frame, expect_dataset, upload
from .watch import JOB_TIMEOUT_MS

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(__file__).resolve().parents[2] / "bench-results" / "screenshots" / "pages"
#: Widths a person uses: a laptop, a phone.
VIEWPORTS = {"desktop": {"width": 1400, "height": 900}, "phone": {"width": 390, "height": 844}}
#: What each page shows once it is ready (a selector).
READY = {
    "upload": ".segments-file-name",
    "model": f"#{ids.Model.K_TABLE}",  # the k sweep's table: shown once the sweep's job has finished
    "clusters": f"#{ids.Clusters.SCATTER} .main-svg",
    "downloads": f"#{ids.Downloads.CLUSTERED}",
    "library": f"#{ids.Library.LIST}",
    "home": f"#{ids.Shell.BRAND}",  # the navbar (its links are folded behind the menu button on a phone)
}
SERIOUS = {"serious", "critical"}
#: The charts' titles, axis titles, legend entries and notes that reach past their chart's edge (Plotly
#: clips them there: a phone showed "Annual Income (k$): share of each segment's custo" and legend
#: entries cut mid-number).
CUT_CHART_TEXT = """() => [...document.querySelectorAll('.js-plotly-plot')].flatMap(plot => {
    const edge = plot.getBoundingClientRect();
    return [...plot.querySelectorAll('.gtitle, .g-xtitle text, .g-ytitle text, .legendtext, .legendtitletext, '
                                     + '.annotation-text')]
        .filter(text => {
            const box = text.getBoundingClientRect();
            return box.width > 0 && (box.right > edge.right + 1 || box.left < edge.left - 1);
        })
        .map(text => text.textContent);
})"""


@pytest.fixture(scope="module")
def ten_thousand(browser, base_url) -> str:
    """A dataset of 10,000 customers uploaded through the page; its token."""
    context = browser.new_context(base_url=base_url)
    page = context.new_page()
    page.goto("/upload")
    upload(page, "ten_thousand.csv", csv_bytes(customers_frame(10_000, seed=11)))
    token = expect_dataset(page, "ten_thousand.csv")
    # a saved segmentation, so that the library's list has a row (found in CI: its rename box had no label, seen only
    # when another test had saved one first)
    page.goto(f"/downloads?ds={token}&k=5")
    page.fill(f"#{ids.Downloads.SAVE_NAME}", "Accessibility check")
    page.click(f"#{ids.Downloads.SAVE}")
    expect(page.locator(".segments-saved-link")).to_be_visible(timeout=JOB_TIMEOUT_MS)
    context.close()
    return token


def _address(name: str, token: str) -> str:
    return {"upload": f"/upload?ds={token}", "model": f"/model?ds={token}",
            "clusters": f"/clusters?ds={token}&k=5", "downloads": f"/downloads?ds={token}&k=5",
            "library": "/library", "home": "/"}[name]


def _violations(page: Page) -> list[str]:
    results = Axe().run(page)
    found = []
    for violation in results.response["violations"]:
        if violation.get("impact") in SERIOUS:
            targets = [" ".join(map(str, node.get("target", []))) + " " + "; ".join(
                check.get("message", "") for check in node.get("any", [])[:1]) for node in violation["nodes"][:3]]
            found.append(f"{violation['id']} ({violation['impact']}): {violation['help']} -> {targets}")
    return found


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
@pytest.mark.parametrize("name", list(READY))
def test_every_page_has_no_serious_accessibility_violation(new_context, base_url, ten_thousand, name, viewport):
    context = new_context(viewport=VIEWPORTS[viewport])
    page = context.new_page()
    page.goto(_address(name, ten_thousand))
    expect(page.locator(READY[name]).first).to_be_visible(timeout=JOB_TIMEOUT_MS)
    page.wait_for_load_state("networkidle")
    expect(page.locator(".progress:visible")).to_have_count(0, timeout=JOB_TIMEOUT_MS)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}-{viewport}.png"), full_page=True)
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 1, f"{name} at {viewport} width scrolls sideways by {overflow}px"
    if name == "model":  # the per-k table fits a phone: its headers wrap ("separation score" was cut off)
        hidden = page.locator(f"#{ids.Model.K_TABLE} .table-responsive").evaluate(
            "box => box.scrollWidth - box.clientWidth")
        assert hidden <= 1, f"the per-k table at {viewport} width hides {hidden}px to the side"
    cut = page.evaluate(CUT_CHART_TEXT)
    assert not cut, f"{name} at {viewport} width: chart text runs past its chart's edge: {cut}"
    found = _violations(page)
    assert not found, f"{name} at {viewport} width:\n" + "\n".join(found)
