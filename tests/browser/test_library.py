"""The saved library in the browser: save a segmentation, restart the server with its cache deleted, open
the saved link, apply the segmentation to next month's export and see who moved.

Runs its own gunicorn (2 workers) twice on one library (SQLite in a private DATA_DIR): the shared
browser-suite server cannot be restarted.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from playwright.sync_api import Page, expect

from dashboard import ids

from tests.support import gunicorn_server

from .flow import DEMO_FEATURES, csv_bytes, customers_frame, download, expect_clusters, expect_dataset, \
    expect_fit, read_csv_text, set_k, upload, wait_for_query
from .watch import JOB_TIMEOUT_MS

pytestmark = pytest.mark.browser

ARTEFACTS = Path(__file__).resolve().parents[2] / "bench-results" / "screenshots"


def next_month(first: pd.DataFrame) -> pd.DataFrame:
    """The same customers a month later: 30 gone, 20 new, a third with a new spending score."""
    rng = np.random.default_rng(11)
    later = first.iloc[30:].reset_index(drop=True).copy()
    spend = later["Spending Score (1-100)"].astype(int).to_numpy().copy()
    moved = rng.random(len(later)) < 0.33
    spend[moved] = np.clip(100 - spend[moved], 1, 100)
    later["Spending Score (1-100)"] = spend.astype(str)
    fresh = customers_frame(20, seed=99)
    fresh["CustomerID"] = [f"new-{i}" for i in range(20)]
    return pd.concat([later, fresh], ignore_index=True)


def test_save_restart_open_apply_and_see_who_moved(page: Page, tmp_path: Path) -> None:
    env = {"DATA_DIR": str(tmp_path / "data")}
    march = customers_frame(300, seed=7)
    with gunicorn_server(tmp_path / "before", workers=2, env=env) as web:
        page.goto(web.url + "/upload")
        upload(page, "march.csv", csv_bytes(march))
        expect_dataset(page, "march.csv")
        page.click(f"#{ids.Upload.NEXT}")
        set_k(page, 4)  # the user's choice (the recommendation would be proposed otherwise)
        expect_fit(page, "New model with k=4")
        page.click(f"#{ids.Model.NEXT}")
        before = expect_clusters(page, 4, DEMO_FEATURES)
        page.click(f"#{ids.Clusters.NEXT}")
        page.fill(f"#{ids.Downloads.SAVE_NAME}", "March segments")
        page.fill(f"#{ids.Downloads.SAVE_NOTE}", "for the Q2 deck")
        page.click(f"#{ids.Downloads.SAVE}")
        saved_link = page.locator(".segments-saved-link")
        expect(saved_link).to_be_visible(timeout=JOB_TIMEOUT_MS)
        library_href = saved_link.get_attribute("href")
        link = page.url.replace(web.url, "").replace("/downloads", "/clusters")  # the link shared in a deck
        _, clustered_before = download(page, f"#{ids.Downloads.CLUSTERED}")
        page.goto("about:blank")  # the tab is closed before the server stops (no request meets a dead server)
    shutil.rmtree(tmp_path / "before" / "cache")  # a new server, an empty cache: only the library remains

    with gunicorn_server(tmp_path / "after", workers=2, env=env) as web:
        page.goto(web.url + link)
        assert expect_clusters(page, 4, DEMO_FEATURES) == before
        page.click(f"#{ids.Clusters.NEXT}")
        _, clustered_after = download(page, f"#{ids.Downloads.CLUSTERED}")
        assert clustered_after == clustered_before

        page.goto(web.url + "/library")
        row = page.locator(".segments-saved-row", has_text="March segments")
        expect(row).to_contain_text("march.csv")
        expect(row).to_contain_text("300")
        row.locator(".segments-saved-name").click()
        expect(page.locator(f"#{ids.Library.SNAPSHOTS} tbody tr")).to_have_count(1)
        april = next_month(march)
        upload(page, "april.csv", csv_bytes(april), via=f"#{ids.Library.DROPZONE}")
        expect(page.locator(".segments-apply")).to_contain_text("Apply to april.csv", timeout=JOB_TIMEOUT_MS)
        page.click(f"#{ids.Library.APPLY}")
        expect(page.locator(f"#{ids.Library.SNAPSHOTS} tbody tr")).to_have_count(2, timeout=JOB_TIMEOUT_MS)
        expect(page.locator(".segments-migration-summary")).to_contain_text("matched on \u201cCustomerID\u201d")
        expect(page.locator(f"#{ids.Library.SANKEY} .main-svg").first).to_be_visible(timeout=JOB_TIMEOUT_MS)
        expect(page.locator(f"#{ids.Library.TREND} .main-svg").first).to_be_visible()
        matrix = page.locator(".segments-migration-matrix")
        expect(matrix).to_contain_text("new / not scored")
        expect(matrix).to_contain_text("gone / not scored")
        summary = page.locator(".segments-migration-summary").inner_text()
        assert f"{len(march) + 20:,} customers" in summary, summary
        # found from outside at 1,366 px: with four segments' names the snapshots' table and the matrix ran
        # off the side ("4 · Very low spen", "gone / n")
        page.set_viewport_size({"width": 1366, "height": 900})
        for table in (".segments-snapshots", ".segments-migration-matrix"):
            box = page.locator(table).locator("xpath=..")  # the table's own sideways-scrolling box
            overflow = box.evaluate("box => box.scrollWidth - box.clientWidth")
            assert overflow <= 1, f"{table} scrolls sideways by {overflow}px at 1,366 px"
        assert page.evaluate("() => document.scrollingElement.scrollWidth - window.innerWidth") <= 0
        ARTEFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTEFACTS / "library-migration.png"), full_page=True)

        # the movers download: exactly the customers the two files say went from segment 1 elsewhere
        name, data = download(page, f"#{ids.Library.MOVERS}")
        movers = read_csv_text(data)
        assert name.endswith(".csv") and len(movers) > 0
        assert set(movers.columns[:2]) == {"from segment", "to segment"}
        assert set(movers["CustomerID"]) <= set(april["CustomerID"]) | set(march["CustomerID"])
        assert library_href and library_href.startswith("/library?saved=")

        # found from outside: a month whose ids a spreadsheet rewrote (here padded with zeros, as a CRM may) was
        # all gone and new without a word; the page says so, and its switch matches the ids loosely
        may = april.assign(CustomerID=april["CustomerID"].map(lambda i: i.zfill(8) if i.isdigit() else i))
        upload(page, "may.csv", csv_bytes(may), via=f"#{ids.Library.DROPZONE}")
        expect(page.locator(".segments-apply")).to_contain_text("Apply to may.csv", timeout=JOB_TIMEOUT_MS)
        page.click(f"#{ids.Library.APPLY}")
        expect(page.locator(f"#{ids.Library.SNAPSHOTS} tbody tr")).to_have_count(3, timeout=JOB_TIMEOUT_MS)
        warning = page.locator(f"#{ids.Library.ID_WARNING}")
        expect(warning).to_contain_text("leading zeros", timeout=JOB_TIMEOUT_MS)
        expect(warning).to_contain_text("in april.csv is '000000")
        page.screenshot(path=str(ARTEFACTS / "library-ids-warning.png"), full_page=True)
        page.locator(f"#{ids.Library.LOOSE_IDS} input").check()
        expect(page.locator(".segments-migration-summary")).to_contain_text("(ignoring leading zeros",
                                                                           timeout=JOB_TIMEOUT_MS)
        expect(warning).to_have_count(0)
        wait_for_query(page, loose="1", id="CustomerID")  # the address bar keeps the choice: a link to share
        summary = page.locator(".segments-migration-summary").inner_text()
        assert f"{len(april):,} customers" in summary and " 0 stayed" not in summary, summary
        expect(page.locator(f"#{ids.Library.MOVERS}")).to_have_attribute("href", re.compile("loose=1"))
        _, data = download(page, f"#{ids.Library.MOVERS}")
        assert set(read_csv_text(data)["CustomerID"]) <= set(may["CustomerID"]) | set(april["CustomerID"])

        # found from outside: a month exported by a colleague in German named the id column otherwise; who moved
        # had no column to match customers on. The column holding the same ids is taken, and said
        june = may.rename(columns={"CustomerID": "Kunden-Nr"})
        upload(page, "june.csv", csv_bytes(june), via=f"#{ids.Library.DROPZONE}")
        expect(page.locator(".segments-apply")).to_contain_text("Apply to june.csv", timeout=JOB_TIMEOUT_MS)
        page.click(f"#{ids.Library.APPLY}")
        expect(page.locator(f"#{ids.Library.SNAPSHOTS} tbody tr")).to_have_count(4, timeout=JOB_TIMEOUT_MS)
        expect(page.locator(".segments-migration-summary")).to_contain_text(
            "matched on \u201cCustomerID\u201d (\u201cKunden-Nr\u201d in june.csv)", timeout=JOB_TIMEOUT_MS)
        expect(page.locator(f"#{ids.Library.ID_COLUMN}")).to_contain_text("CustomerID (Kunden-Nr in june.csv)")
        summary = page.locator(".segments-migration-summary").inner_text()
        assert f"{len(june):,} customers" in summary and f"{len(june):,} stayed" in summary, summary
        page.screenshot(path=str(ARTEFACTS / "library-renamed-id.png"), full_page=True)

        # rename and delete from the list (Delete asks first)
        page.goto(web.url + "/library")
        row = page.locator(".segments-saved-row", has_text="march.csv")
        row.locator("input").fill("March segments (final)")
        row.get_by_role("button", name="Rename").click()
        expect(page.locator(f"#{ids.Library.STATUS}")).to_contain_text("Renamed")
        expect(page.locator(".segments-saved-name")).to_have_text("March segments (final)")
        expect(page.locator(".segments-saved-row")).to_contain_text("3")  # three snapshots
        page.screenshot(path=str(ARTEFACTS / "library-list.png"), full_page=True)
        page.once("dialog", lambda dialog: dialog.accept())
        page.locator(".segments-saved-row").get_by_role("button", name="Delete").click()
        expect(page.locator(f"#{ids.Library.STATUS}")).to_contain_text("Deleted")
        expect(page.locator(".segments-saved-row")).to_have_count(0)
        expect(page.locator(f"#{ids.Library.LIST}")).to_contain_text("Nothing is saved yet")
