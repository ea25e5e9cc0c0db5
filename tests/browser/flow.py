"""Steps of the user's flow, as a person does them in the browser, shared by the browser tests."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import numpy as np
import pandas as pd
from playwright.sync_api import Locator, Page, Request, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from dashboard import ids

from .watch import JOB_TIMEOUT_MS

#: The pre-trained model's features (models/kmeans_model.json).
MODEL_INCOME, MODEL_SPENDING = "Annual Income (k$)", "Spending Score (1-100)"
#: The features the data check proposes for the demo data (and for ``customers_frame``).
DEMO_FEATURES = ["Age", MODEL_INCOME, MODEL_SPENDING]


# --- test data -------------------------------------------------------------------------------------


def customers_frame(rows: int = 300, seed: int = 7, blank_ages: tuple[int, ...] = (),
                    blank_spending: tuple[int, ...] = (), income: str = MODEL_INCOME,
                    spending: str = MODEL_SPENDING) -> pd.DataFrame:
    """Mall-style customers as text cells (blank where asked): CustomerID, Gender, Age, income, spending."""
    rng = np.random.default_rng(seed)
    centres = np.array([[25, 80], [85, 15], [85, 85], [25, 20], [55, 50]])
    group = rng.integers(0, len(centres), rows)
    points = centres[group] + rng.normal(0, 7, (rows, 2))
    frame = pd.DataFrame({
        "CustomerID": [str(i) for i in range(1, rows + 1)],
        "Gender": rng.choice(["Female", "Male"], rows),
        "Age": [str(a) for a in rng.integers(18, 70, rows)],
        income: [str(int(v)) for v in np.clip(points[:, 0], 10, 140).round()],
        spending: [str(int(v)) for v in np.clip(points[:, 1], 1, 100).round()],
    })
    frame.loc[list(blank_ages), "Age"] = ""
    frame.loc[list(blank_spending), spending] = ""
    return frame


def csv_bytes(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False).encode("utf-8")


def read_csv_text(data: bytes) -> pd.DataFrame:
    """A CSV as text cells, blanks as "" (so the comparison with the input is exact)."""
    return pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False)


# --- address bar -----------------------------------------------------------------------------------


def query(page: Page) -> dict[str, list[str]]:
    """The address bar's query parameters."""
    return parse_qs(urlsplit(page.url).query)


def wait_for_query(page: Page, **expected: str | list[str]) -> None:
    """Wait until the address bar carries these parameters (the shell rewrites it with replaceState)."""
    wanted = {k: v if isinstance(v, list) else [v] for k, v in expected.items()}
    page.wait_for_function(
        """(wanted) => {
            const params = new URLSearchParams(window.location.search);
            return Object.entries(wanted).every(([k, v]) => JSON.stringify(params.getAll(k)) === JSON.stringify(v));
        }""", arg=wanted, timeout=JOB_TIMEOUT_MS)


# --- step 1: upload ----------------------------------------------------------------------------------


def upload(page: Page, name: str, data: bytes | Path, via: str = f"#{ids.Upload.BROWSE}") -> None:
    """Choose a file with the page's file chooser (``via`` is the button or the drop zone).

    ``data`` is the file's bytes (sent to the browser as ``name``) or a path on disk: Playwright then
    hands the browser only the path (a local Chromium reads the file itself), the way to upload files
    of hundreds of MB, which as bytes would crash Playwright's driver.
    """
    with page.expect_file_chooser() as chooser:
        page.click(via)
    if isinstance(data, Path):
        assert data.name == name, (name, data)
        chooser.value.set_files(data)
    else:
        chooser.value.set_files({"name": name, "mimeType": "text/csv", "buffer": data})


def upload_raw(page: Page, name: str, data: bytes | Path, via: str = f"#{ids.Upload.BROWSE}") -> Request:
    """:func:`upload`, checking what the browser sent: the file itself as the body, typed
    ``application/octet-stream``, its name percent-encoded in ``X-File-Name`` (not a multipart form: the
    server would have to scan it, issue 15); returns the request."""
    with page.expect_request(lambda r: r.method == "POST" and urlsplit(r.url).path == "/api/upload") as sent:
        upload(page, name, data, via)
    request = sent.value
    headers = request.all_headers()
    assert headers["content-type"] == "application/octet-stream", headers
    assert unquote(headers["x-file-name"], errors="strict") == name, headers
    own = urlsplit(page.url)  # the page's own origin, which the server's Origin check accepts
    assert headers.get("origin") == f"{own.scheme}://{own.netloc}", headers
    # The body is the file and nothing else (a form would add its boundaries). Chromium does not hand a body read
    # from a file to Playwright, so its bytes are checked by what the page then shows of the dataset.
    size = data.stat().st_size if isinstance(data, Path) else len(data)
    assert int(headers["content-length"]) == size, headers
    return request


def expect_dataset(page: Page, name: str) -> str:
    """Wait for the opened file's check; returns the dataset token from the address bar."""
    expect(page.locator(".segments-file-name")).to_have_text(name, timeout=JOB_TIMEOUT_MS)
    expect(page.locator(f"#{ids.Upload.NEXT}")).to_be_visible()
    token = query(page)["ds"][0]
    assert len(token) >= 32
    return token


def open_demo(page: Page) -> str:
    page.goto("/upload")
    page.click(f"#{ids.Upload.DEMO}")
    return expect_dataset(page, "demo_customers.csv")


# --- step 2: model -----------------------------------------------------------------------------------


def fit_result(page: Page) -> Locator:
    return page.locator(f"#{ids.Model.FIT_RESULT} .segments-fit-result")


def train(page: Page) -> None:
    """Press the model page's one Train (or Apply) button: nothing is fitted before. The k sweep's
    proposal is waited for first, so the k trained is the same on every run."""
    _wait_for_proposal(page)
    page.locator(f"#{ids.Model.TRAIN}").click()


def expect_fit(page: Page, text: str) -> None:
    """Press Train (or Apply) and wait for the fit job's result to say ``text`` (e.g. "New model with k=4")."""
    train(page)
    expect(fit_result(page)).to_contain_text(text, timeout=JOB_TIMEOUT_MS)
    silhouette = page.locator(".segments-model-silhouette").inner_text()
    assert -1 <= float(silhouette) <= 1, silhouette


def _wait_for_proposal(page: Page) -> None:
    """For a new model, wait for the k sweep's recommendation and its proposal (the slider moves to the
    recommended k unless a k was chosen), so what follows does not race with it."""
    expect(page.locator(f"#{ids.Model.TRAIN}")).to_be_visible()  # the page is drawn
    if page.locator(f"#{ids.Model.SWEEP_CARD}").is_visible():
        expect(page.locator(f"#{ids.Model.K_NOTE}")).to_contain_text("recommendation", timeout=JOB_TIMEOUT_MS)


def set_k(page: Page, k: int) -> None:
    """Type k into the number box beside the slider (Dash 4's slider commits it when it loses focus)."""
    _wait_for_proposal(page)
    box = page.locator(f"#{ids.Model.K} input[type=number]")
    box.fill(str(k))
    box.press("Tab")
    expect(page.locator(f"#{ids.Model.K} [role=slider]")).to_have_attribute("aria-valuenow", str(k))


def set_seed(page: Page, seed: int) -> None:
    box = page.locator(f"#{ids.Model.SEED}")
    box.fill(str(seed))
    box.press("Tab")


def expect_sweep_graphs(page: Page) -> None:
    """The Elbow and Silhouette charts of the background k sweep are drawn."""
    for graph in (f"#{ids.Model.ELBOW_GRAPH}", f"#{ids.Model.SILHOUETTE_GRAPH}"):
        expect(page.locator(f"{graph} .main-svg").first).to_be_visible(timeout=JOB_TIMEOUT_MS)
    expect(page.locator(f"#{ids.Model.USE_K}")).to_have_text(re.compile(r"Use k=\d+"))


def map_id(feature: str) -> str:
    """The selector of the pre-trained mapping dropdown of a model feature (a pattern-matching id,
    which Dash writes as JSON with sorted keys)."""
    return "[id='" + json.dumps({"feature": feature, "type": ids.Model.MAP}, separators=(",", ":"), sort_keys=True) + "']"


def choose(page: Page, dropdown: str, option: str) -> None:
    """Open a Dash 4 dropdown (its trigger button has the component's id) and pick an option by label."""
    page.locator(dropdown).click()
    page.get_by_role("option", name=option, exact=True).click()
    expect(page.locator(dropdown)).to_contain_text(option)


# --- step 3 and 4: clusters, downloads -----------------------------------------------------------------


def expect_clusters(page: Page, k: int, features: list[str]) -> list[dict[str, str]]:
    """Scatter, one histogram per feature, the k-row summary and the first page of the grid.

    Returns the summary table as ``{header: cell text}`` rows (cluster 1 first).
    """
    expect(page.locator(f"#{ids.Clusters.SCATTER} .main-svg").first).to_be_visible(timeout=JOB_TIMEOUT_MS)
    expect(page.locator(f"#{ids.Clusters.HISTOGRAMS} .js-plotly-plot")).to_have_count(len(features), timeout=JOB_TIMEOUT_MS)
    expect(page.locator(".segments-summary tbody tr")).to_have_count(k)
    for feature in features:
        expect(page.locator(".segments-summary thead")).to_contain_text(feature)
    expect(page.locator(f"#{ids.Clusters.GRID} .ag-row").first).to_be_visible(timeout=JOB_TIMEOUT_MS)
    rows = summary_rows(page)
    for number, row in enumerate(rows, start=1):
        first = next(iter(row.values()))
        assert re.match(rf"^(Cluster )?{number}\b", first), first
    return rows


def summary_rows(page: Page) -> list[dict[str, str]]:
    """The summary table's rows as ``{header: cell text}``."""
    rows = page.locator(".segments-summary").evaluate("""table => {
        const headers = [...table.querySelectorAll("thead th")].map(th => th.innerText.trim());
        return [...table.querySelectorAll("tbody tr")].map(tr =>
            [...tr.querySelectorAll("td")].map((td, i) => [headers[i] || `column ${i}`, td.innerText.trim()]));
    }""")
    return [dict(row) for row in rows]


def customers_per_cluster(rows: list[dict[str, str]]) -> list[int]:
    """The "Customers" column of the summary table, as numbers."""
    return [int(row["Customers"].replace(",", "")) for row in rows]


def download_file(page: Page, link: str) -> tuple[str, Path]:
    """Click a download link; returns the suggested file name and where the browser saved the file
    (deleted with the browser context): a large download need not be read into memory.

    The click waits until the link is shown and Dash updates nothing on the page (:func:`settled`): Dash may
    still be rendering the page the link is on (on a busy machine a click during that render was once lost:
    no request reached the server)."""
    expect(page.locator(link)).to_be_visible(timeout=JOB_TIMEOUT_MS)
    settled(page)
    # A click that brings no download in a minute is taken for lost and clicked once more: in a CI run on a busy
    # machine the 10^6 customers' Downloads page had no download in 120 s and its server no request for it, where
    # alone the whole test passes in 40 s. (Chromium reports no request event for a download, so a lost click
    # and a slow answer cannot be told apart; a server that is too slow still fails the test, a minute later.)
    for attempt in range(2):
        try:
            with page.expect_download(timeout=LOST_CLICK_MS if attempt == 0 else JOB_TIMEOUT_MS) as info:
                page.click(link)
            break
        except PlaywrightTimeoutError:
            if attempt:
                raise
            print(f"the click on {link} brought no download in {LOST_CLICK_MS / 1000:.0f} s: clicked again")
            settled(page)
    return info.value.suggested_filename, info.value.path()


#: How long a click on a download link may take to bring its download before it counts as lost.
LOST_CLICK_MS = 60_000


def bundle_chooser(page: Page, token: str) -> Locator:
    """Open the Model page to apply a saved model to dataset ``token``; returns its bundle file input once the
    page has written its settings into the address and settled. A file set before then could go to an input
    the page was about to draw again (seen once in CI: the pickle's refusal never came)."""
    page.goto(f"/model?ds={token}&mode=saved")
    expect(page).to_have_url(re.compile(r"[?&]feature="), timeout=JOB_TIMEOUT_MS)
    settled(page)
    return page.locator(f"#{ids.Model.BUNDLE_UPLOAD} input[type=file]")


def settled(page: Page) -> None:
    """Wait until Dash updates no component of the page: it marks each with ``data-dash-is-loading`` while a
    callback that writes to it runs. Not the network's idleness, which a background job started on another
    page may keep from coming: Dash polls for its answer until it ends (in a CI run on a busy machine, the
    Downloads page of 10^6 customers waited 120 s for an idle network, in vain)."""
    page.wait_for_function("() => !document.querySelector('[data-dash-is-loading]')", timeout=JOB_TIMEOUT_MS)


def download(page: Page, link: str) -> tuple[str, bytes]:
    """Click a download link; returns the suggested file name and the bytes."""
    name, path = download_file(page, link)
    return name, path.read_bytes()


def check_clustered(data: bytes, original: pd.DataFrame, k: int, left_out: set[int] = frozenset()) -> pd.DataFrame:
    """The clustered CSV is the input (every row and column, unchanged, in order) followed by an
    integer ``cluster`` in 1..k, empty exactly for the rows in ``left_out`` (positions). Columns the
    app adds after ``cluster`` (such as a segment name) are allowed."""
    table = read_csv_text(data)
    width = len(original.columns)
    assert list(table.columns[:width + 1]) == [*original.columns, "cluster"], list(table.columns)
    assert len(table) == len(original)
    pd.testing.assert_frame_equal(table.iloc[:, :width], original.reset_index(drop=True))
    blank = table["cluster"] == ""
    assert set(np.flatnonzero(blank.to_numpy())) == set(left_out)
    clusters = table.loc[~blank, "cluster"].astype(int)
    assert set(clusters) == set(range(1, k + 1))
    return table


def check_summary(data: bytes, k: int, features: list[str], customers: int) -> pd.DataFrame:
    """The summary CSV: one row per cluster (1..k) with customers, share and the mean of each feature."""
    summary = pd.read_csv(io.BytesIO(data))
    missing = {"cluster", "customers", "share", *features} - set(summary.columns)
    assert not missing, f"the summary lacks {missing}: {list(summary.columns)}"
    assert summary["cluster"].tolist() == list(range(1, k + 1))
    assert summary["customers"].sum() == customers
    assert abs(summary["share"].sum() - 1) <= 0.5e-4 * k + 1e-9  # shares are rounded to 4 decimals (issue 12)
    assert summary[features].notna().all().all()
    return summary


def sideways_overflow(element: Locator) -> int:
    """How far ``element``, or any box around it up to the page, scrolls sideways (px)."""
    return element.evaluate("""element => {
        let widest = 0;
        for (let node = element; node; node = node.parentElement) {
            widest = Math.max(widest, node.scrollWidth - node.clientWidth);
        }
        return widest;
    }""")
