"""Hardening, second round (issue 13, item 14) in a real browser: Celery mode, Redis stopped while a fit
runs. The page must say the data store is not answering (not "cancelled"), with no 5xx answer."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from playwright.sync_api import expect

from dashboard import ids

from tests.support import celery_stack, gunicorn_server, stop

from .flow import expect_dataset, upload
from .watch import JOB_TIMEOUT_MS

pytestmark = [pytest.mark.redis, pytest.mark.browser]


def _customers(rows: int) -> bytes:
    rng = np.random.default_rng(5)
    frame = pd.DataFrame({"Age": rng.integers(18, 80, rows), "Income": rng.gamma(3, 20, rows).round(1),
                          "Score": rng.integers(1, 100, rows), "Visits": rng.poisson(6, rows)})
    return frame.to_csv(index=False).encode()


def test_redis_stopped_during_a_fit_is_named_on_the_page(tmp_path: Path, browser) -> None:
    with celery_stack(tmp_path, "store-down-key") as stack:
        with gunicorn_server(tmp_path / "web", workers=2, env=stack.env) as web:
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
            expect(page.locator(f"#{ids.Model.TRAIN}")).to_be_visible()
            page.locator(f"#{ids.Model.TRAIN}").click()  # nothing is fitted before the Train button
            expect(page.locator(f"#{ids.Model.FIT_STATUS}")).to_be_visible(timeout=JOB_TIMEOUT_MS)
            stop(stack.redis.process)
            watch = page.locator(f"#{ids.Model.FIT_WATCH}")
            expect(watch).to_be_visible(timeout=JOB_TIMEOUT_MS)
            expect(watch).to_contain_text("data store is not answering")
            expect(watch).not_to_contain_text("cancelled")
            assert failures and all(status == 503 for status, _ in failures), [s for s, _ in failures]  # never a 500
            assert not uncaught, uncaught
            context.close()
