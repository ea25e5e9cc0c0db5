"""Hardening, second round (issue 13, item 14) in a real browser: Celery mode, Redis stopped while a fit
runs. The page must say the data store is not answering (not "cancelled"), with no 5xx answer."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from playwright.sync_api import expect

from tests.support import ROOT, gunicorn_server, start_redis, stop

from .flow import expect_dataset, upload
from .watch import JOB_TIMEOUT_MS

pytestmark = [pytest.mark.redis, pytest.mark.browser]


def _customers(rows: int) -> bytes:
    rng = np.random.default_rng(5)
    frame = pd.DataFrame({"Age": rng.integers(18, 80, rows), "Income": rng.gamma(3, 20, rows).round(1),
                          "Score": rng.integers(1, 100, rows), "Visits": rng.poisson(6, rows)})
    return frame.to_csv(index=False).encode()


def test_redis_stopped_during_a_fit_is_named_on_the_page(tmp_path: Path, browser) -> None:
    redis_server = start_redis(tmp_path / "redis")
    env = {"REDIS_URL": redis_server.url, "BACKGROUND_JOBS": "celery", "SECRET_KEY": "store-down-key",
           "CACHE_DIR": str(tmp_path / "worker-cache")}
    celery = shutil.which("celery", path=str(Path(sys.executable).parent)) or "celery"
    log_path = tmp_path / "celery.log"
    with open(log_path, "wb") as log:
        worker = subprocess.Popen([celery, "-A", "app:celery_app", "worker", "--concurrency=1", "--loglevel=INFO",
                                   "--without-mingle", "--without-gossip"], cwd=ROOT, env={**os.environ, **env},
                                  stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 180
        while b"ready." not in log_path.read_bytes():
            assert worker.poll() is None and time.monotonic() < deadline, log_path.read_text()
            time.sleep(0.3)
        with gunicorn_server(tmp_path / "web", workers=2, env=env) as web:
            # (not watched by browser_errors: the polls that meet the stopped store rightly answer 503)
            context = browser.new_context(base_url=web.url)
            context.set_default_timeout(JOB_TIMEOUT_MS)
            page = context.new_page()
            failures: list[tuple[int, str]] = []
            page.on("response", lambda r: failures.append((r.status, r.url)) if r.status >= 500 else None)
            uncaught: list[str] = []
            page.on("pageerror", lambda error: uncaught.append(error.message))
            page.goto("/upload")
            upload(page, "customers.csv", _customers(200_000))
            token = expect_dataset(page, "customers.csv")
            page.goto(f"/model?ds={token}&k=12&seed=4")
            expect(page.locator("#model-train")).to_be_visible()
            page.locator("#model-train").click()  # nothing is fitted before the Train button
            expect(page.locator("#model-fit-status")).to_be_visible(timeout=JOB_TIMEOUT_MS)
            stop(redis_server.process)
            watch = page.locator("#model-fit-watch")
            expect(watch).to_be_visible(timeout=JOB_TIMEOUT_MS)
            expect(watch).to_contain_text("data store is not answering")
            expect(watch).not_to_contain_text("cancelled")
            assert failures and all(status == 503 for status, _ in failures), [s for s, _ in failures]  # never a 500
            assert not uncaught, uncaught
            context.close()
    finally:
        stop(worker)
        stop(redis_server.process)
