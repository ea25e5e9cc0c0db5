"""A million customers through the browser (scale issue #6, item 3): a 10^6-row, 10-column CSV of
about 100 MB is uploaded from the page's file chooser, with its progress shown, then modelled,
shown on the Clusters page and downloaded, while the memory of the gunicorn workers, of their job
processes and of Chromium's renderer is watched.

The file goes to the browser by path: Playwright then passes only the path to the local Chromium,
which reads the file itself (as bytes, 100 MB would crash Playwright's driver).
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import psutil
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import pytest
from playwright.sync_api import Page, expect
from sklearn.metrics import adjusted_rand_score

from dashboard import ids
from dashboard.routes import MEMORY_PER_FILE_BYTE
from tests.support import Server

from .flow import (customers_per_cluster, download_file, expect_clusters, expect_dataset, expect_fit, set_k, upload_raw,
                   wait_for_query)

pytestmark = pytest.mark.browser

ROWS = 1_000_000
SEGMENTS = 5
MB = 1024 ** 2
#: The numeric columns: (lowest value, span, decimals written). Money to the cent, computed scores and
#: rates with more digits, as CRM exports write them: about 98 bytes a row.
NUMERIC = {
    "Annual Income ($)": (15_000, 220_000, 2),
    "Spending Score": (1, 98, 6),
    "Tenure (months)": (1, 119, 5),
    "Orders per Year": (1, 59, 6),
    "Avg Basket ($)": (5, 895, 4),
    "Lifetime Value ($)": (1_000, 98_000, 2),
    "Return Rate": (0, 0.4, 7),
    "Days Since Last Order": (0, 365, 5),
}
#: The five segments' centres, as shares of each column's span (one row per segment): far apart on
#: the chosen features, so a correct fit finds them again.
CENTRES = np.array([
    [0.15, 0.80, 0.20, 0.70, 0.30, 0.25, 0.60, 0.40],
    [0.80, 0.20, 0.75, 0.25, 0.70, 0.85, 0.20, 0.15],
    [0.75, 0.80, 0.40, 0.80, 0.80, 0.60, 0.40, 0.80],
    [0.20, 0.25, 0.60, 0.20, 0.20, 0.40, 0.80, 0.60],
    [0.50, 0.50, 0.30, 0.50, 0.55, 0.50, 0.10, 0.30],
])
#: The features the test picks on the model page (the other numeric columns are unticked).
FEATURES = ["Annual Income ($)", "Spending Score", "Orders per Year", "Avg Basket ($)"]
REGIONS = ["North", "South", "East", "West", "Central", "North-East", "South-West", "Overseas"]

#: A worker (or one of its job processes) may grow by at most this much above its size before the
#: upload, per byte of CSV: the need the upload route estimates before it accepts a file
#: (docs/performance.md, "Largest file per server, and the upload check": 21x measured at 10^6 rows of
#: an 8-column file, ~600 MB per million rows). Above it, that check would let files through that the
#: server cannot hold.
SERVER_GROWTH_PER_FILE_BYTE = MEMORY_PER_FILE_BYTE
#: Chromium's renderer (the page): the file is streamed from disk by the network service, never read
#: into the page, and the page gets 20,000 scatter points and one grid page at any size.
RENDERER_LIMIT = 1024 * MB
#: Slower than this on the 2-core machine of docs/performance.md means something got much worse.
UPLOAD_TIMEOUT_MS = 90_000


# --- the file ---------------------------------------------------------------------------------------


def _fixed(values: np.ndarray, decimals: int) -> pa.Array:
    """Non-negative numbers written with exactly ``decimals`` decimals ("120958.10")."""
    scaled = np.round(values * 10 ** decimals).astype(np.int64)
    whole = pa.array(scaled // 10 ** decimals).cast(pa.string())
    fraction = pc.utf8_lpad(pa.array(scaled % 10 ** decimals).cast(pa.string()), decimals, "0")
    return pc.binary_join_element_wise(whole, fraction, ".")


def write_customers(path: Path, rows: int = ROWS, seed: int = 6) -> np.ndarray:
    """Write the customer CSV (CustomerID, Region, the ``NUMERIC`` columns); returns each row's segment."""
    rng = np.random.default_rng(seed)
    segment = rng.integers(0, len(CENTRES), rows)
    shares = np.clip(CENTRES[segment] + rng.normal(0, 0.04, (rows, len(NUMERIC))), 0, 1)
    numbers = pa.array(np.arange(1, rows + 1)).cast(pa.string())
    columns = {
        "CustomerID": pc.binary_join_element_wise("CUST-", pc.utf8_lpad(numbers, 8, "0"), ""),
        "Region": pa.array(np.array(REGIONS)[rng.integers(0, len(REGIONS), rows)]),
    }
    for (name, (low, span, decimals)), share in zip(NUMERIC.items(), shares.T):
        columns[name] = _fixed(low + share * span, decimals)
    with open(path, "wb") as out:
        out.write((",".join(columns) + "\n").encode())  # pyarrow would quote every name
        pa_csv.write_csv(pa.table(columns), out, pa_csv.WriteOptions(include_header=False, quoting_style="none"))
    return segment


def read_as_text(path: Path, text_columns: list[str]) -> pa.Table:
    """A CSV read by pyarrow, ``text_columns`` kept as written (the others typed by pyarrow)."""
    return pa_csv.read_csv(path, convert_options=pa_csv.ConvertOptions(
        column_types={name: pa.string() for name in text_columns}, strings_can_be_null=False))


# --- memory ------------------------------------------------------------------------------------------


def _status_bytes(pid: int, field_name: str) -> int | None:
    """A ``kB`` line of ``/proc/<pid>/status`` in bytes (Linux), or None."""
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    found = re.search(rf"^{field_name}:\s+(\d+) kB", text, re.MULTILINE)
    return int(found.group(1)) * 1024 if found else None


def _reset_high_water_mark(pid: int) -> bool:
    """Restart the kernel's peak-RSS count of a process (Linux >= 4.0: ``5`` > ``clear_refs``)."""
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")
    except OSError:
        return False
    return True


@dataclass
class Watched:
    """One process's resident memory while the watch ran (bytes)."""

    group: str
    pid: int
    start: int
    peak: int
    #: The kernel's high-water mark counts only from the watch's start (reset, or a process started later).
    exact: bool


@dataclass
class MemoryWatch:
    """Peak resident memory (RSS) of groups of processes, found again and sampled every ``interval`` s.

    Each group is a function listing its processes now (new ones, such as job processes, are picked up
    as they appear). On Linux the kernel's high-water mark (``VmHWM``) is read too, so a peak between
    two samples is not missed: it is reset for the processes already running when the watch starts.
    """

    groups: dict[str, Callable[[], list[psutil.Process]]]
    interval: float = 0.05
    seen: dict[int, Watched] = field(default_factory=dict)
    #: (step, the highest peak of each group so far) at the end of each step of the test.
    steps: list[tuple[str, dict[str, int]]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _stop: threading.Event = field(default_factory=threading.Event)
    _error: BaseException | None = None

    def _sample(self, first: bool = False) -> None:
        for group, find in self.groups.items():
            for process in find():
                with self._lock, suppress(psutil.NoSuchProcess, psutil.AccessDenied):
                    rss = process.memory_info().rss
                    watched = self.seen.get(process.pid)
                    if watched is None:
                        exact = _reset_high_water_mark(process.pid) if first else True
                        watched = self.seen[process.pid] = Watched(group, process.pid, rss, rss, exact)
                    high = _status_bytes(process.pid, "VmHWM") if watched.exact else None
                    watched.peak = max(watched.peak, rss, high or 0)

    def _run(self) -> None:
        try:
            while not self._stop.wait(self.interval):
                self._sample()
        except BaseException as exc:  # handed to the test
            self._error = exc

    @contextmanager
    def running(self) -> Iterator[MemoryWatch]:
        self._sample(first=True)
        thread = threading.Thread(target=self._run, name="memory watch", daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self._stop.set()
            thread.join()
            self._sample()
        if self._error is not None:
            raise self._error

    def of(self, group: str) -> list[Watched]:
        with self._lock:
            return [w for w in self.seen.values() if w.group == group]

    def step(self, name: str) -> None:
        """Note the peaks so far, at the end of the test's step ``name``."""
        self._sample()
        self.steps.append((name, {group: max((w.peak for w in self.of(group)), default=0) for group in self.groups}))

    def report(self) -> str:
        """One line per group: its processes, their size at the start and the highest peak."""
        lines = []
        for group in self.groups:
            watched = self.of(group)
            if watched:
                top = max(watched, key=lambda w: w.peak)
                lines.append(f"  {group}: {len(watched)} process(es), {min(w.start for w in watched) / MB:,.0f}-"
                             f"{max(w.start for w in watched) / MB:,.0f} MB when first seen, highest peak "
                             f"{top.peak / MB:,.0f} MB (pid {top.pid}{'' if top.exact else ', sampled only'})")
        for group in ("worker", "renderer"):
            lines.append(f"  {group} peak so far after each step: "
                         + ", ".join(f"{name} {peaks.get(group, 0) / MB:,.0f} MB" for name, peaks in self.steps))
        return "\n".join(lines)


def gunicorn_workers(server: Server) -> list[psutil.Process]:
    return psutil.Process(server.process.pid).children()


def job_processes(server: Server) -> list[psutil.Process]:
    """The background jobs (k sweep, fit) the workers fork."""
    jobs: list[psutil.Process] = []
    for worker in gunicorn_workers(server):
        with suppress(psutil.NoSuchProcess):
            jobs += worker.children(recursive=True)
    return jobs


def _chromium(renderer: bool) -> list[psutil.Process]:
    """Chromium's renderer processes (or its other processes: browser, GPU, network service...). The
    browser is started by Playwright's driver, a child of this process, so they are all among this
    process's descendants."""
    found = []
    for process in psutil.Process().children(recursive=True):
        with suppress(psutil.NoSuchProcess, psutil.AccessDenied):
            command = process.cmdline()
            if command and "chrom" in Path(command[0]).name and ("--type=renderer" in command) == renderer:
                found.append(process)
    return found


# --- the upload's progress bar --------------------------------------------------------------------

#: Reports every change of the progress bar (label, aria-valuenow, shown) to ``recordUploadProgress``,
#: on every page of the tab: installed before the page's own scripts, it survives the redirect.
PROGRESS_OBSERVER = """
(() => {
    let last = null;
    const report = () => {
        const bar = document.getElementById("%s");
        if (!bar) { return; }
        const valued = bar.hasAttribute("aria-valuenow") ? bar : bar.querySelector("[aria-valuenow]");
        const state = {label: bar.textContent.trim(), now: valued ? valued.getAttribute("aria-valuenow") : null,
                       shown: bar.style.display !== "none"};
        const key = JSON.stringify(state);
        if (key !== last) { last = key; window.recordUploadProgress(state); }
    };
    new MutationObserver(report).observe(document, {subtree: true, childList: true, attributes: true,
                                                    characterData: true});
})();
""" % ids.Upload.PROGRESS


def check_progress(states: list[dict[str, Any]]) -> list[int]:
    """The bar was shown with "Uploading N%" labels matching its value, rising, some of them between
    0 and 100 (real progress, not only the start); returns the percentages seen."""
    uploading = [s for s in states if s["shown"] and s["label"].startswith("Uploading")]
    assert uploading, f"the progress bar never said 'Uploading N%': {states}"
    percents = []
    for state in uploading:
        found = re.fullmatch(r"Uploading (\d+)%", state["label"])
        assert found, state
        assert state["now"] == found.group(1), state  # the bar's value is the label's
        percents.append(int(found.group(1)))
    assert percents == sorted(percents), percents
    assert any(0 < p < 100 for p in percents), f"no progress between 0% and 100% was shown: {percents}"
    return percents


def check_memory(watch: MemoryWatch, size: int) -> None:
    """Every server process grew by less than the upload check assumes for a file of ``size`` bytes;
    the renderer stayed below ``RENDERER_LIMIT``."""
    limit = SERVER_GROWTH_PER_FILE_BYTE * size
    idle = max(w.start for w in watch.of("worker"))  # a job process is forked from a worker
    growth = {w.pid: w.peak - (w.start if w.group == "worker" else idle) for w in watch.of("worker") + watch.of("job")}
    print(f"  largest growth of a server process: {max(growth.values()) / MB:,.0f} MB (limit {limit / MB:,.0f} MB)")
    for pid, grown in growth.items():
        assert grown < limit, (
            f"{watch.seen[pid].group} {pid} grew by {grown / MB:,.0f} MB, more than the {limit / MB:,.0f} MB "
            f"({SERVER_GROWTH_PER_FILE_BYTE} bytes per byte of the {size / MB:.0f} MB file) the upload check "
            f"assumes:\n{watch.report()}")
    for watched in watch.of("renderer"):
        assert watched.peak < RENDERER_LIMIT, f"Chromium's renderer reached {watched.peak / MB:,.0f} MB"


def check_clustered_file(path: Path, source: Path, truth: np.ndarray, sizes: list[int]) -> None:
    """The clustered CSV: every row and column of the file, unchanged and in order, then ``cluster``:
    as many customers per cluster as the page showed, and the file's own segments found again."""
    text_columns = ["CustomerID", "Region", *NUMERIC]
    clustered = read_as_text(path, text_columns)
    assert clustered.num_rows == ROWS
    assert clustered.column_names[:len(text_columns) + 1] == [*text_columns, "cluster"]
    assert clustered.select(text_columns).equals(read_as_text(source, text_columns))
    labels = clustered.column("cluster").to_numpy()
    assert np.bincount(labels, minlength=SEGMENTS + 1)[1:].tolist() == sizes
    agreement = adjusted_rand_score(truth, labels)
    assert agreement > 0.99, agreement


# --- the test ------------------------------------------------------------------------------------


def test_a_million_customers_upload_fit_and_download(page: Page, app_server: Server, tmp_path: Path) -> None:
    started = time.monotonic()
    source = tmp_path / "crm customers.csv"
    truth = write_customers(source)
    size = source.stat().st_size
    assert 90 * MB < size < 110 * MB, size
    written = time.monotonic() - started

    crashes: list[str] = []
    page.on("crash", lambda crashed: crashes.append(crashed.url))
    progress: list[dict[str, Any]] = []
    page.expose_function("recordUploadProgress", lambda state: progress.append(state))
    page.add_init_script(PROGRESS_OBSERVER)
    page.goto("/upload")
    workers_before = {w.pid for w in gunicorn_workers(app_server)}
    assert len(workers_before) >= 2, workers_before
    watch = MemoryWatch({"worker": lambda: gunicorn_workers(app_server),
                         "job": lambda: job_processes(app_server),
                         "renderer": lambda: _chromium(renderer=True),
                         "chromium (other)": lambda: _chromium(renderer=False)})
    with watch.running():
        assert watch.of("renderer"), "no Chromium renderer process found"

        upload_started = time.monotonic()
        upload_raw(page, source.name, source)  # the file itself is the body: no form for the server to scan
        expect(page.locator(".segments-file-name")).to_have_text(source.name, timeout=UPLOAD_TIMEOUT_MS)
        expect_dataset(page, source.name)
        upload_seconds = time.monotonic() - upload_started
        expect(page.locator(".segments-file-name + p")).to_contain_text(f"{ROWS:,} rows × 10 columns")
        percents = check_progress(progress)
        watch.step("upload")

        # The features and k, as a person picks them.
        page.click(f"#{ids.Upload.NEXT}")
        for name in NUMERIC:
            box = page.locator(f"#{ids.Model.FEATURES} input[value='{name}']")
            box.set_checked(name in FEATURES)
        set_k(page, SEGMENTS)
        wait_for_query(page, k=str(SEGMENTS), feature=FEATURES)
        expect_fit(page, f"New model with k={SEGMENTS}, seed 0: {ROWS:,} customers segmented on {', '.join(FEATURES)}.")
        fitted_seconds = time.monotonic() - upload_started
        watch.step("fit")

        page.click(f"#{ids.Model.NEXT}")
        sizes = customers_per_cluster(expect_clusters(page, SEGMENTS, FEATURES))
        assert sum(sizes) == ROWS
        expect(page.locator(f"#{ids.Clusters.SCATTER_NOTE}")).to_contain_text(f"of {ROWS:,} segmented customers")
        watch.step("clusters")

        page.click(f"#{ids.Clusters.NEXT}")
        name, clustered_path = download_file(page, f"#{ids.Downloads.CLUSTERED}")
        done_seconds = time.monotonic() - upload_started
        watch.step("download")

    print(f"\n{ROWS:,} rows, {size / MB:.1f} MB written in {written:.1f} s; from the file's choice: data check shown "
          f"at {upload_seconds:.1f} s, model fitted at {fitted_seconds:.1f} s, clustered CSV downloaded at "
          f"{done_seconds:.1f} s; progress labels seen: {percents}\n{watch.report()}")
    assert not crashes, f"the page crashed: {crashes}"
    assert {w.pid for w in gunicorn_workers(app_server)} == workers_before, (
        "a gunicorn worker died (killed for its memory, or timed out) and was replaced:\n"
        + "\n".join(app_server.log().splitlines()[-20:]))
    check_memory(watch, size)

    assert name == "crm_customers-segments.csv"
    check_clustered_file(clustered_path, source, truth, sizes)
    source.unlink()  # 100 MB less in pytest's kept temporary folders
