"""Background jobs on a real Celery worker over a real redis-server (BACKGROUND_JOBS=celery).

The web tier (gunicorn, 2 workers) then keeps no state of its own: datasets and results in Redis,
sweeps and fits on the Celery worker. Driven in headless Chromium like a user would.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.support import ROOT, gunicorn_server, start_redis, stop

from .flow import train
from .watch import JOB_TIMEOUT_MS

pytestmark = [pytest.mark.redis, pytest.mark.browser]


def test_sweep_and_fit_run_on_celery(tmp_path, browser, browser_errors):
    redis_server = start_redis(tmp_path / "redis")
    env = {"REDIS_URL": redis_server.url, "BACKGROUND_JOBS": "celery", "SECRET_KEY": "celery-test-key",
           "CACHE_DIR": str(tmp_path / "worker-cache")}
    celery = shutil.which("celery", path=str(Path(sys.executable).parent)) or "celery"
    log_path = tmp_path / "celery.log"
    with open(log_path, "wb") as log:
        worker = subprocess.Popen([celery, "-A", "app:celery_app", "worker", "--concurrency=1", "--loglevel=INFO",
                                   "--without-mingle", "--without-gossip"], cwd=ROOT, env={**os.environ, **env},
                                  stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 180  # a condition, not a pause: generous for a busy machine
        while b"ready." not in log_path.read_bytes():
            assert worker.poll() is None and time.monotonic() < deadline, log_path.read_text()
            time.sleep(0.3)
        with gunicorn_server(tmp_path / "web", workers=2, env=env) as web:
            context = browser_errors.watch_context(browser.new_context(base_url=web.url))
            page = browser_errors.watch(context.new_page())
            page.goto("/upload?demo=1")
            expect(page.locator(".segments-file-name")).to_be_visible(timeout=30_000)
            page.click("#upload-next")
            expect(page.locator("#model-elbow-graph")).to_be_visible(timeout=JOB_TIMEOUT_MS)
            expect(page.locator("#model-sweep-graphs")).to_contain_text("Use k=5", timeout=JOB_TIMEOUT_MS)
            train(page)  # nothing is fitted before the Train button
            expect(page.locator(".segments-model-silhouette")).to_be_visible(timeout=JOB_TIMEOUT_MS)
            context.close()
        assert log_path.read_text().count("succeeded") >= 2  # the sweep and the fit ran on the worker
    finally:
        stop(worker)
        stop(redis_server.process)
