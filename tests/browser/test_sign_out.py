"""With DASHBOARD_PASSWORD set, a person signs in through the form and signs out from the navbar, in Chromium
against gunicorn (2 workers): the session ends on the server and the sign-in page shows. Screenshots of the
navbar go to ``bench-results/screenshots/`` (gitignored). On a phone, Sign out is in the menu the navbar's menu
button unfolds."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from dashboard import ids
from tests.support import Server, gunicorn_server

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery staple"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "bench-results" / "screenshots"


@pytest.fixture(scope="module")
def guarded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with gunicorn_server(tmp_path_factory.mktemp("guarded-browser"), workers=2,
                         env={"DASHBOARD_PASSWORD": PASSWORD}) as server:
        yield server


@pytest.mark.parametrize("width", [1400, 390], ids=["desktop", "phone"])
def test_sign_in_then_sign_out_from_the_navbar(new_context, guarded: Server, width: int) -> None:
    page = new_context(viewport={"width": width, "height": 800}).new_page()
    page.goto(guarded.url + "/upload")
    expect(page).to_have_url(f"{guarded.url}/login?next=%2Fupload")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")  # the browser's own form POST (its Origin header is checked)
    expect(page).to_have_url(f"{guarded.url}/upload")
    sign_out = page.locator(f"#{ids.Shell.SIGN_OUT} button")
    expect(sign_out).to_have_text("Sign out")
    toggler = page.locator(f"#{ids.Shell.NAV_TOGGLER}")
    if width < 768:  # a phone: the links, Sign out among them, are folded behind the menu button
        expect(sign_out).to_be_hidden()
        toggler.click()
    else:
        expect(toggler).to_be_hidden()
    expect(sign_out).to_be_visible()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.locator("nav").first.screenshot(path=str(SCREENSHOTS / f"navbar-sign-out-{width}.png"))
    sign_out.click()
    expect(page).to_have_url(f"{guarded.url}/login")
    expect(page.locator("#password")).to_be_visible()
    page.goto(guarded.url + "/upload")  # the session is over: back to the sign-in page
    expect(page).to_have_url(f"{guarded.url}/login?next=%2Fupload")
