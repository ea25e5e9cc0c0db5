"""Background jobs on a real Celery worker over a real redis-server (BACKGROUND_JOBS=celery).

The web tier (gunicorn, 2 workers) then keeps no state of its own: datasets and results in Redis,
sweeps and fits on the Celery worker. Driven in headless Chromium like a user would.
"""

from __future__ import annotations


import pytest
from playwright.sync_api import expect

from dashboard import ids

from tests.support import celery_stack, gunicorn_server

from .flow import train
from .watch import JOB_TIMEOUT_MS

pytestmark = [pytest.mark.redis, pytest.mark.browser]


def test_sweep_and_fit_run_on_celery(tmp_path, browser, browser_errors):
    with celery_stack(tmp_path, "celery-test-key") as stack:
        with gunicorn_server(tmp_path / "web", workers=2, env=stack.env) as web:
            context = browser_errors.watch_context(browser.new_context(base_url=web.url))
            page = browser_errors.watch(context.new_page())
            page.goto("/upload?demo=1")
            expect(page.locator(".segments-file-name")).to_be_visible(timeout=30_000)
            page.click(f"#{ids.Upload.NEXT}")
            expect(page.locator(f"#{ids.Model.ELBOW_GRAPH}")).to_be_visible(timeout=JOB_TIMEOUT_MS)
            expect(page.locator(f"#{ids.Model.SWEEP_GRAPHS}")).to_contain_text("Use k=5", timeout=JOB_TIMEOUT_MS)
            train(page)  # nothing is fitted before the Train button
            expect(page.locator(".segments-model-silhouette")).to_be_visible(timeout=JOB_TIMEOUT_MS)
            context.close()
        assert stack.log.read_text().count("succeeded") >= 2  # the sweep and the fit ran on the worker
