"""Files the app cannot take: the upload box says why, specifically, and nothing is opened."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from dashboard import ids

from tests.support import Server

from .flow import csv_bytes, customers_frame, query, upload
from .watch import BrowserErrors

pytestmark = pytest.mark.browser

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"


def test_unreadable_and_empty_files_are_explained(page: Page, browser_errors: BrowserErrors) -> None:
    # The server answers 400 with the reason; Chromium logs every 4xx answer as a console error.
    browser_errors.allow(r"Failed to load resource: the server responded with a status of 400")
    page.goto("/upload")
    status = page.locator(f"#{ids.Upload.STATUS}")
    expect(status).to_be_hidden()

    upload(page, "x.csv", PNG)
    expect(status).to_be_visible()
    expect(status).to_contain_text("x.csv")
    expect(status).to_contain_text("is a PNG image, not a CSV or Excel file.")
    expect(status).to_have_class(re.compile(r"\balert-danger\b"))

    upload(page, "empty.csv", b"", via=f"#{ids.Upload.DROPZONE}")
    expect(status).to_have_text("\u201cempty.csv\u201d is empty.")

    # Nothing was opened.
    assert "ds" not in query(page)
    expect(page.locator(".segments-file-name")).to_have_count(0)
    expect(page.locator(f"#{ids.Upload.NEXT}")).to_have_count(0)


def test_oversized_file_is_refused_with_the_limit(page: Page, small_upload_server: Server) -> None:
    page.goto(small_upload_server.url + "/upload")
    expect(page.locator(f"#{ids.Upload.DROPZONE}")).to_have_attribute("data-max-mb", "1")
    expect(page.locator(".segments-limit")).to_contain_text("up to 1 MB")
    frame = customers_frame(300)
    big = csv_bytes(frame) * 200  # about 1.6 MB of a valid CSV
    size = f"{len(big) / 1048576:.1f}"
    assert float(size) > 1

    seen = len(small_upload_server.log())  # the server is shared with other tests: only this test's lines count
    upload(page, "big export.csv", big)
    status = page.locator(f"#{ids.Upload.STATUS}")
    expect(status).to_have_text(f"\u201cbig export.csv\u201d is {size} MB, larger than the 1 MB limit. "
                                "Upload a smaller export.")
    assert "ds" not in query(page)
    assert "/api/upload" not in small_upload_server.log()[seen:]  # refused before anything was sent

    # The server refuses it as well when the browser's check is bypassed.
    response = page.request.post(small_upload_server.url + "/api/upload",
                                 multipart={"file": {"name": "big.csv", "mimeType": "text/csv", "buffer": big}})
    assert response.status == 413
    assert "larger than the 1 MB limit" in response.json()["error"]
