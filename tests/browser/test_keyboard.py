"""Keyboard only: the upload, model and download steps done with Tab, Enter and the arrow keys, no mouse.

Each control is reached by pressing Tab from the top of the page (never focused by a script), so a
control that is missing from the tab order fails here.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from dashboard import ids

from .flow import _wait_for_proposal, fit_result, read_csv_text
from .watch import JOB_TIMEOUT_MS

pytestmark = pytest.mark.browser

#: More than any page has controls before the one a test goes to.
MAX_TABS = 150


def tab_to(page: Page, selector: str) -> None:
    """Press Tab until the focused element is ``selector`` (fails if Tab never reaches it)."""
    target = page.locator(selector).first
    expect(target).to_be_visible(timeout=JOB_TIMEOUT_MS)
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if target.evaluate("element => element === document.activeElement || element.contains(document.activeElement)"):
            return
    raise AssertionError(f"{selector} cannot be reached with the Tab key")


def test_upload_model_and_download_with_the_keyboard_alone(page: Page) -> None:
    page.goto("/upload")
    tab_to(page, f"#{ids.Upload.DEMO}")
    page.keyboard.press("Enter")
    expect(page.locator(".segments-file-name")).to_have_text("demo_customers.csv", timeout=JOB_TIMEOUT_MS)

    tab_to(page, f"#{ids.Upload.NEXT}")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/model\?"), timeout=JOB_TIMEOUT_MS)
    _wait_for_proposal(page)

    # a feature box is reachable and Space unticks and ticks it again
    first = page.locator(f"#{ids.Model.FEATURES} input[type=checkbox]").first
    tab_to(page, f"#{ids.Model.FEATURES} input[type=checkbox]")
    expect(first).to_be_checked()
    page.keyboard.press("Space")
    expect(first).not_to_be_checked()
    page.keyboard.press("Space")
    expect(first).to_be_checked()
    _wait_for_proposal(page)

    # the k slider moves with the arrow keys
    tab_to(page, f"#{ids.Model.K} [role=slider]")
    thumb = page.locator(f"#{ids.Model.K} [role=slider]")
    before = int(thumb.get_attribute("aria-valuenow"))
    page.keyboard.press("ArrowRight")
    expect(thumb).to_have_attribute("aria-valuenow", str(before + 1))

    page.keyboard.press("Escape")
    page.locator("body").focus()
    # the address follows the slider through a server round trip: reload only once it holds the new k
    expect(page).to_have_url(re.compile(rf"[?&]k={before + 1}(&|$)"), timeout=JOB_TIMEOUT_MS)
    page.goto(page.url)  # from the top again, with the chosen k in the address
    _wait_for_proposal(page)
    tab_to(page, f"#{ids.Model.TRAIN}")
    page.keyboard.press("Enter")
    expect(fit_result(page)).to_contain_text(f"New model with k={before + 1},", timeout=JOB_TIMEOUT_MS)

    tab_to(page, f"#{ids.Model.NEXT}")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/clusters\?"), timeout=JOB_TIMEOUT_MS)
    tab_to(page, f"#{ids.Clusters.NEXT}")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/downloads\?"), timeout=JOB_TIMEOUT_MS)

    tab_to(page, f"#{ids.Downloads.CLUSTERED}")
    with page.expect_download(timeout=JOB_TIMEOUT_MS) as info:
        page.keyboard.press("Enter")
    clustered = read_csv_text(info.value.path().read_bytes())
    assert len(clustered) == 500 and set(clustered["cluster"]) == {str(k) for k in range(1, before + 2)}
