"""Hardening, second round (issue 13, items 5 and 13) in a real browser: every hostile model bundle of the
corpus (tests/hardening/corpus.py: k = 120,000, 600 features, absurd or infinite scales, NaN centres, deep
nesting, a 5,000-digit number) offered on the model page's "Apply a saved model" upload gets its specific
message, with no 5xx answer or console error, and the page still applies a good bundle afterwards."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import Page, expect

from dashboard import ids

from tests.hardening.corpus import HOSTILE_BUNDLES

from .flow import bundle_chooser, download, open_demo
from .watch import JOB_TIMEOUT_MS

pytestmark = pytest.mark.browser


def test_hostile_bundles_are_refused_on_the_model_page(page: Page) -> None:
    token = open_demo(page)
    page.goto(f"/downloads?ds={token}&k=3")
    _, good = download(page, f"#{ids.Downloads.MODEL}")
    chooser = bundle_chooser(page, token)
    status = page.locator(f"#{ids.Model.BUNDLE_STATUS}")
    for name, (make, message) in HOSTILE_BUNDLES.items():
        bundle = make(json.loads(good)).encode()
        chooser.set_input_files({"name": f"{name}.json", "mimeType": "application/json", "buffer": bundle})
        expect(status).to_contain_text(f"{name}.json was not loaded", timeout=JOB_TIMEOUT_MS)  # this file's
        expect(status).to_contain_text(message)
    chooser.set_input_files({"name": "good.json", "mimeType": "application/json", "buffer": good})
    expect(page.locator(".segments-bundle-ok")).to_contain_text("3 segments", timeout=JOB_TIMEOUT_MS)
