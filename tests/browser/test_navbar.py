"""The navbar on a phone folds its links behind a menu button and stays one row; on a desktop the links show
without it. Screenshots go to ``bench-results/screenshots/navbar/`` (gitignored) for a person to look at.

Before: on a 390 px phone the navbar stacked its five links under the brand, about 256 px tall, with no way
to fold them away.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from dashboard import ids

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(__file__).resolve().parents[2] / "bench-results" / "screenshots" / "navbar"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1400, "height": 900}
#: One row of a Bootstrap navbar is about 56-70 px; five stacked links made it about 256 px.
ONE_ROW_PX = 90


def _navbar_height(page: Page) -> float:
    box = page.locator("nav.navbar").first.bounding_box()
    assert box is not None
    return box["height"]


def _shoot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def test_phone_navbar_is_one_row_until_the_menu_button_opens_it(new_context) -> None:
    page = new_context(viewport=PHONE).new_page()
    page.goto("/")
    expect(page.locator(f"#{ids.Shell.BRAND}")).to_be_visible()
    assert _navbar_height(page) < ONE_ROW_PX, f"the navbar is {_navbar_height(page):.0f}px tall on a phone"
    toggler = page.locator(f"#{ids.Shell.NAV_TOGGLER}")
    expect(toggler).to_be_visible()
    expect(toggler).to_have_attribute("aria-label", "Menu")
    expect(toggler).to_have_attribute("aria-expanded", "false")
    expect(toggler).to_have_attribute("aria-controls", ids.Shell.NAV_COLLAPSE)
    links = page.locator(f"#{ids.Shell.NAV}")
    expect(links).to_be_hidden()
    _shoot(page, "phone-folded")

    toggler.click()
    expect(links).to_be_visible()
    expect(toggler).to_have_attribute("aria-expanded", "true")
    page.wait_for_function("""(id) => {
        const menu = document.getElementById(id);
        return menu.classList.contains("show") && !menu.classList.contains("collapsing");
    }""", arg=ids.Shell.NAV_COLLAPSE)  # the opening animation has run
    assert _navbar_height(page) > ONE_ROW_PX  # unfolded: the links stack under the brand
    _shoot(page, "phone-open")
    links.get_by_role("link", name="Upload").click()
    page.wait_for_url("**/upload")
    expect(page.get_by_text("Drag and drop a customer file here", exact=True)).to_be_visible()
    # the page changed: the menu folds away again
    expect(links).to_be_hidden()
    expect(toggler).to_have_attribute("aria-expanded", "false")
    assert _navbar_height(page) < ONE_ROW_PX

    # the keyboard opens it too (a real button)
    toggler.focus()
    page.keyboard.press("Enter")
    expect(links).to_be_visible()
    # the link of the page already open folds it away too (the address does not change)
    links.get_by_role("link", name="Upload").click()
    expect(links).to_be_hidden()
    expect(toggler).to_have_attribute("aria-expanded", "false")


def test_desktop_navbar_shows_its_links_without_a_menu_button(new_context) -> None:
    page = new_context(viewport=DESKTOP).new_page()
    page.goto("/")
    expect(page.locator(f"#{ids.Shell.NAV_TOGGLER}")).to_be_hidden()
    links = page.locator(f"#{ids.Shell.NAV}")
    expect(links).to_be_visible()
    for name in ("Upload", "Model", "Clusters", "Downloads", "Library"):
        expect(links.get_by_role("link", name=name)).to_be_visible()
    assert _navbar_height(page) < ONE_ROW_PX
    _shoot(page, "desktop")
    links.get_by_role("link", name="Library").click()
    page.wait_for_url("**/library")
