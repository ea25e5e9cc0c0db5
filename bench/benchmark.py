"""Benchmark: the seed-style ("naive") approach against core's, from 10^4 to 10^7 customers, step by step.

    .venv/bin/python bench/benchmark.py --sizes 1e4,1e5,1e6,1e7

For each size it writes a customer CSV (``CustomerID``, ``Gender``, ``Age``, ``Annual Income (k$)``,
``Spending Score (1-100)``, ``Tenure (months)``, ``Orders per Year``, ``Avg Basket ($)``: five real
segments, seeded) and, in the same run, times in separate processes (so each one's memory is its own):

* **ours**: ``core.read_table``, ``check_quality``, the k sweep (``prepare_features`` + ``sweep_k``,
  k = 2..10), the fit (``prepare_features`` + ``fit_segmenter``), ``silhouette``, the profile
  (``summary_table``: segment names, means, indices, the Gender mix) and the write (``clustered_table`` + ``write_csv`` to a file);
* **naive**: ``pd.read_csv``; isna/duplicated/describe; StandardScaler + ``KMeans(n_init=10)`` on every
  row for k = 1..10; the same for the chosen k; the exact ``silhouette_score``; a groupby profile;
  ``DataFrame.to_csv``. A step runs only if its time, extrapolated from the largest size where it ran
  (linear; quadratic for the silhouette), stays under ``--naive-limit`` seconds; otherwise it prints
  ``skipped: > N s expected``. Without a naive fit, the naive profile and write use our labels;
* **floor**: pyarrow reading the file and writing it back (``pyarrow.csv``), the least any tool can take.

It prints per size and step: seconds (naive / ours and the ratio) and peak memory (RSS high-water mark
of the step, Linux ``/proc/self/status`` VmHWM reset before each step), then quality: the relative WCSS
difference of our fit against the naive n_init=10 fit on every row, whether the elbow is the same, and
our (sampled) silhouette against the exact one. Then the dashboard's server side (``--dashboard-sizes``,
in a process with one OpenMP thread as under gunicorn): the upload route (Flask test client POST),
``service.get_segmentation`` (with the automatic segment names), the per-customer confidence, the scatter and the histograms (with their
JSON size), the Clusters page through Dash's router, and the clustered CSV download route; with the
peak memory per million rows.

Then (``--rfm-sizes``) order files like a shop's export (:func:`generate_orders`) turned into a customer
table: **ours** (``core.read_table`` + ``core.build_customers``) against pandas' straightforward way
(``read_csv``, ``to_datetime``, one ``groupby``), wall and CPU seconds (the machine may be shared),
peak memory, and the ratio.

Then (``--cli-sizes``) the whole path from a file to a segmented file as a user runs it, each command in
its own interpreter (start-up included), side by side in the same run: the **naive** notebook way
(``pd.read_csv``, an Elbow over k = 1..10 with ``KMeans(n_init=10)`` on every row, the final fit at the
elbow, ``DataFrame.to_csv``: :data:`NAIVE_SCRIPT`), ``segments fit FILE --k auto`` (**auto**), and
``segments sweep FILE`` then ``segments fit FILE --k N`` with the recommended N (**sweep + fit**); wall
and CPU seconds of each, the ratios, and the chosen k's WCSS against ``n_init=10`` on every row.

Speed is measured here, never asserted in the tests. Figures from this machine: docs/performance.md.
"""

from __future__ import annotations

import argparse
import gc
import io
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable, NamedTuple
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FEATURES = ["Age", "Annual Income (k$)", "Spending Score (1-100)", "Tenure (months)", "Orders per Year",
            "Avg Basket ($)"]
STEPS = ("read", "check", "sweep", "fit", "silhouette", "profile", "write")
#: How a naive step's time grows with the rows (the exact silhouette is quadratic).
GROWTH = {"silhouette": 2.0}
#: The size the naive steps are first timed at, unprinted, when every size asked for is larger: without it a run of
#: ``--sizes 1e6`` alone had nothing to extrapolate from and ran the exact silhouette on 10^6 rows (hours).
CALIBRATION_ROWS = 10_000
#: share, then (mean, sd) of income, spending, age, tenure, orders per year, average basket.
SEGMENTS = [
    (0.34, (55, 7), (50, 6), (42, 6), (36, 10), (12, 3), (45, 8)),
    (0.18, (87, 7), (82, 6), (32, 4), (18, 6), (30, 5), (90, 12)),
    (0.18, (88, 7), (17, 6), (45, 6), (60, 12), (6, 2), (60, 10)),
    (0.16, (26, 6), (20, 6), (46, 7), (48, 12), (5, 2), (25, 5)),
    (0.14, (25, 6), (80, 6), (25, 4), (12, 4), (24, 5), (30, 6)),
]


# --- measuring ---------------------------------------------------------------------------------------

def _status(field: str) -> int:
    """A /proc/self/status field in MB (0 where there is no /proc)."""
    try:
        text = Path("/proc/self/status").read_text()
        return int(text.split(field + ":")[1].split()[0]) // 1024
    except (OSError, IndexError, ValueError):
        return 0


def _reset_peak() -> bool:
    """Reset the RSS high-water mark (Linux); False where that is not possible."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def _peak_mb() -> int:
    hwm = _status("VmHWM")
    if hwm:
        return hwm
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024  # Linux kB; never reset


class Steps:
    """Times (wall and the process's CPU) and peak memory of named steps."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.cpu: dict[str, float] = {}
        self.peak_mb: dict[str, int] = {}
        self.before_mb: dict[str, int] = {}

    def run(self, name: str, work: Callable[[], Any]) -> Any:
        _reset_peak()
        self.before_mb[name] = _status("VmRSS")
        start, cpu = time.perf_counter(), time.process_time()
        result = work()
        self.seconds[name] = time.perf_counter() - start
        self.cpu[name] = time.process_time() - cpu
        self.peak_mb[name] = _peak_mb()
        return result


# --- data ----------------------------------------------------------------------------------------------

def generate(rows: int, path: Path, seed: int = 0) -> None:
    """Write ``rows`` customers in five segments to ``path`` (pyarrow: a few seconds at 10^7)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.csv as pa_csv

    rng = np.random.default_rng(seed)
    shares = np.array([s[0] for s in SEGMENTS])
    truth = rng.choice(len(SEGMENTS), size=rows, p=shares / shares.sum())
    values = np.empty((rows, 6))
    for index, segment in enumerate(SEGMENTS):
        members = truth == index
        for j in range(6):
            values[members, j] = rng.normal(segment[j + 1][0], segment[j + 1][1], int(members.sum()))
    whole = lambda column, low, high: pa.array(np.clip(np.round(values[:, column]), low, high).astype(np.int64))  # noqa: E731
    table = pa.table({
        "CustomerID": pa.array(np.arange(1, rows + 1)),
        "Gender": pa.array(np.where(rng.random(rows) < 0.55, "Female", "Male")),
        "Age": whole(2, 18, 90),
        "Annual Income (k$)": whole(0, 10, 250),
        "Spending Score (1-100)": whole(1, 1, 100),
        "Tenure (months)": whole(3, 0, 240),
        "Orders per Year": pa.array(np.clip(np.round(values[:, 4], 1), 0, None)),
        "Avg Basket ($)": pa.array(np.clip(np.round(values[:, 5], 2), 1, None)),
    })
    with open(path, "wb") as out:  # the header as a spreadsheet writes it (pyarrow quotes every name)
        out.write((",".join(table.column_names) + "\n").encode())
        pa_csv.write_csv(table, out, pa_csv.WriteOptions(include_header=False, quoting_style="none"))


def generate_orders(lines: int, path: Path, seed: int = 0) -> None:
    """Write ``lines`` order lines like a shop's export (InvoiceNo, StockCode, Description, Quantity,
    InvoiceDate, UnitPrice, CustomerID, Country; ~100 bytes a line): about 4 lines per invoice and 20 per
    customer, 2% returns with a negative quantity, 1% cancelled invoices (``C`` + number), 2% of the lines
    without a customer, dates over two years with minutes as ``M/D/YYYY HH:MM`` (as Excel exports them)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pa_csv

    rng = np.random.default_rng(seed)
    invoices = max(lines // 4, 1)
    customers = max(lines // 20, 2)
    invoice_of_line = np.sort(rng.integers(0, invoices, lines))
    customer_of_invoice = (rng.pareto(1.2, invoices) * customers / 8).astype(np.int64) % customers
    minutes = np.sort(rng.integers(0, 2 * 365 * 24 * 60, invoices))
    start = np.datetime64("2022-01-01T00:00")
    stamps = pa.array((start + minutes.astype("timedelta64[m]")).astype("datetime64[s]"))
    when = pc.strftime(stamps, format="%m/%d/%Y %H:%M")  # one text per invoice, then per line
    when = pc.replace_substring_regex(when, r"(^|/)0(\d)", r"\1\2")  # M/D/YYYY, as Excel exports it
    number = invoice_of_line + 500_000
    cancelled = rng.random(invoices) < 0.01
    invoice_text = pc.binary_join_element_wise(pa.array(np.where(cancelled[invoice_of_line], "C", "")),
                                               pa.array(number.astype(str)), "")
    quantity = rng.integers(1, 13, lines)
    quantity = np.where((rng.random(lines) < 0.02) | cancelled[invoice_of_line], -quantity, quantity)
    customer = (customer_of_invoice[invoice_of_line] + 12_346).astype(str).astype(object)
    customer[rng.random(lines) < 0.02] = ""
    products = np.array([f"{84000 + i}{'ABCD'[i % 4]}" for i in range(4000)])
    product = rng.integers(0, len(products), lines)
    table = pa.table({
        "InvoiceNo": invoice_text,
        "StockCode": pa.array(products[product]),
        "Description": pa.array(np.array([f"ITEM {i} WHITE HANGING HEART T-LIGHT" for i in range(4000)])[product]),
        "Quantity": pa.array(quantity),
        "InvoiceDate": when.take(pa.array(invoice_of_line)),
        "UnitPrice": pa.array(np.round(rng.gamma(2.0, 2.0, len(products)) + 0.29, 2)[product]),
        "CustomerID": pa.array(customer, pa.string()),
        "Country": pa.array(np.array(["United Kingdom", "Germany", "France", "EIRE", "Spain"])[
            np.minimum(rng.geometric(0.7, lines) - 1, 4)]),
    })
    with open(path, "wb") as out:
        out.write((",".join(table.column_names) + "\n").encode())
        pa_csv.write_csv(table, out, pa_csv.WriteOptions(include_header=False, quoting_style="none"))


# --- the three ways ----------------------------------------------------------------------------------

def run_ours(path: Path, k: int, seed: int, labels_out: Path) -> dict[str, Any]:
    import functools

    import numpy as np

    from core import (check_quality, clustered_table, fit_segmenter, prepare_features, read_table, silhouette,
                      sweep_k, write_csv)
    from core.insight import summary_table
    from core.model import model_space, standardiser
    from core.segmentation import _built

    steps = Steps()
    table = steps.run("read", lambda: read_table(path))
    frame = table.frame
    after_read = _status("VmRSS")
    report = steps.run("check", lambda: check_quality(frame, table.decimal, table.numbers))
    features = report.default_features
    assert features == FEATURES, features

    def sweep() -> Any:  # as `segments fit --k auto` does: the features prepared once, the scaler fitted once
        matrix = prepare_features(frame, features, decimal=table.decimal, numbers=table.numbers)
        scale = standardiser(matrix.X)
        return matrix, scale, sweep_k(matrix.X, 2, 10, seed, scale=scale)

    matrix, scale, result = steps.run("sweep", sweep)
    pipeline = steps.run("fit", lambda: fit_segmenter(matrix.X, k, seed, scaler=scale.scaler))
    kmeans = pipeline[-1]  # the clusterer (core.model.clusterer)
    used_labels = np.asarray(kmeans.labels_, dtype=np.int64)
    score = steps.run("silhouette", lambda: silhouette(matrix.X, used_labels, seed,  # as segment_new does
                                                       scale=functools.partial(model_space, pipeline)))

    def summarise() -> tuple[Any, Any]:
        # the segment names and the statistics they need, as segment_new builds them (core.segmentation._built:
        # computed once and kept by the segmentation, which summary_table then reads), are part of the profile
        seg = _built(matrix, matrix.features, pipeline, used_labels, k, seed, "new", score, list(matrix.notes),
                     frame)
        return seg, summary_table(seg, frame, ["Gender"])

    seg, _ = steps.run("profile", summarise)
    written = steps.run("write", lambda: write_csv(clustered_table(frame, seg), labels_out.with_suffix(".out.csv")))
    labels_out.with_suffix(".out.csv").unlink()
    np.save(labels_out, seg.labels)
    numeric_mb = matrix.X.nbytes / 2**20
    return {
        "seconds": steps.seconds, "cpu": steps.cpu, "peak_mb": steps.peak_mb, "before_mb": steps.before_mb,
        "after_read_mb": after_read,
        "frame_mb": float(frame.memory_usage(deep=True).sum() / 2**20), "numeric_mb": numeric_mb,
        "inertia": float(kmeans.inertia_), "elbow": int(result.elbow),
        "sweep_wcss": result.table["wcss"].tolist(), "silhouette": score, "written_mb": written / 2**20,
    }


def run_naive(path: Path, k: int, seed: int, skip: dict[str, float], labels_in: Path) -> dict[str, Any]:
    import numpy as np
    import pandas as pd
    from sklearn.cluster import KMeans
    from sklearn.metrics import silhouette_score
    from sklearn.preprocessing import StandardScaler

    from core.selection import find_elbow

    steps = Steps()
    out: dict[str, Any] = {"skipped": skip}
    df = steps.run("read", lambda: pd.read_csv(path))
    steps.run("check", lambda: (df.isna().sum(), df.duplicated().sum(), df.describe()))
    scaled = lambda: StandardScaler().fit_transform(df[FEATURES])  # noqa: E731 (in the sweep and the fit, as ours)

    if "sweep" not in skip:
        wcss = steps.run("sweep", lambda: [KMeans(n_clusters=j, n_init=10, random_state=seed).fit(X).inertia_
                                           for X in [scaled()] for j in range(1, 11)])
        out["elbow"] = int(find_elbow(np.arange(1, 11), np.asarray(wcss), 2))
        out["sweep_wcss"] = [float(w) for w in wcss]
    labels = None
    if "fit" not in skip:
        X, kmeans = steps.run("fit", lambda: next((X, KMeans(n_clusters=k, n_init=10, random_state=seed).fit(X))
                                                   for X in [scaled()]))
        labels, out["inertia"] = kmeans.labels_, float(kmeans.inertia_)
        if "silhouette" not in skip:
            out["silhouette"] = float(steps.run("silhouette", lambda: silhouette_score(X, labels)))
    if labels is None:
        labels = np.load(labels_in)  # ours, so the profile and the write still run
        out["labels"] = "ours"
    clustered = df.assign(cluster=labels + 1)
    steps.run("profile", lambda: clustered.groupby("cluster")[FEATURES].agg(["mean", "size"]))

    def write() -> int:
        buffer = io.StringIO()
        clustered.to_csv(buffer, index=False)
        return len(buffer.getvalue().encode("utf-8"))

    steps.run("write", write)
    out.update(seconds=steps.seconds, peak_mb=steps.peak_mb)
    return out


#: The environment variable that hands ``--warm-memory`` to the measuring processes.
WARM_MEMORY_ENV = "SEGMENTS_BENCH_WARM_GB"


def warm_memory(gigabytes: float) -> float | None:
    """Touch ``gigabytes`` of fresh memory and free it; the seconds that took (None for none).

    A virtual machine may give its memory to the guest only when a page is first touched, and take free pages
    back a few seconds after they are freed (free page reporting): a process's first touch of a gigabyte then
    costs seconds of system time that no code of ours spends. Freed just before the timed steps, the pages are
    the guest's again for them.
    """
    if gigabytes <= 0:
        return None
    import numpy as np

    started = time.perf_counter()
    block = np.ones(int(gigabytes * 2**30) // 8)
    del block
    return time.perf_counter() - started


def run_floor(path: Path) -> dict[str, Any]:
    import pyarrow.csv as pa_csv

    steps = Steps()
    table = steps.run("read", lambda: pa_csv.read_csv(path))
    steps.run("write", lambda: pa_csv.write_csv(table, io.BytesIO()))
    return {"seconds": steps.seconds, "cpu": steps.cpu, "peak_mb": steps.peak_mb}


def _dashboard_figures(steps: Steps, service: Any, state: Any, sizes: dict[str, int], seed: int) -> None:
    """The segmentation, confidence, scatter and histograms steps of :func:`run_dashboard`."""
    from dashboard.figures import histogram_figure, scatter_figure

    seg = steps.run("segmentation", lambda: service.get_segmentation(state))  # names included
    borderline = steps.run("confidence", lambda: service.get_confidence(state)["borderline"]
                           .to_numpy(dtype=bool, na_value=False)[seg.scored])

    def scatter() -> None:
        figure, *_ = scatter_figure(seg, FEATURES[1], FEATURES[2], borderline, seed=seed)
        sizes["scatter"] = len(figure.to_json())

    steps.run("scatter", scatter)

    def histograms() -> None:
        sizes["histograms"] = sum(len(histogram_figure(seg, f).to_json()) for f in FEATURES)

    steps.run("histograms", histograms)


def _dashboard_views(steps: Steps, state: Any, sizes: dict[str, int]) -> None:
    """View changes answered from the cache once the Clusters page was built: an axis change, a page of
    the customer table, a sort (its first page, then the next one), each with its answer encoded as Dash
    sends it (the callbacks' own functions, in a request; the time is the server's)."""
    import plotly

    import pages.clusters._shared as clusters_shared
    import pages.clusters.page as clusters
    from dashboard import ids

    def answer(name: str, work: Callable[[], Any]) -> None:
        sizes[name] = len(json.dumps(steps.run(name, work), cls=plotly.utils.PlotlyJSONEncoder))

    clusters_shared.trigger = lambda: ids.Clusters.X  # what Dash's context says when an axis dropdown fires
    query = state.query()
    answer("view: axis change", lambda: clusters.update_view(FEATURES[2], FEATURES[3], [], None, [], query))
    # the same change of the page's address reaches the profile's callback too, which leaves its parts alone
    clusters_shared.trigger = lambda: ids.page_query("clusters")
    moved = state.with_(x=FEATURES[2], y=FEATURES[3]).query()
    answer("view: axis change, the profile's callback",
           lambda: clusters.follow_selection(None, moved, False, clusters_shared.shown_view_of(state)))
    answer("view: table page", lambda: clusters.serve_rows({"startRow": 100, "endRow": 120, "sortModel": []},
                                                           query, None))
    by_income = [{"colId": "c3", "sort": "desc"}]
    answer("view: sort", lambda: clusters.serve_rows({"startRow": 0, "endRow": 20, "sortModel": by_income},
                                                     query, None))
    answer("view: sorted, next page", lambda: clusters.serve_rows(
        {"startRow": 20, "endRow": 40, "sortModel": by_income}, query, None))


def run_dashboard(path: Path, k: int, seed: int, cache_dir: Path, upload_only: bool = False) -> dict[str, Any]:
    from dashboard import service
    from dashboard.app import create_app
    from dashboard.settings import Settings
    from dashboard.state import ViewState

    app = create_app("app", Settings.from_env(cache_dir=cache_dir, redis_url=None, max_upload_mb=4096,
                                              max_rows=50_000_000, secret_key="bench", password=None))
    client = app.server.test_client()
    client.get("/")  # Dash's first-request setup
    # The body as the page sends it (assets/upload.js): the file itself, its name in a header. It is read before
    # the upload is timed (a server receives bytes; reading them is the client's work), and before the baseline:
    # the client's copy is kept to the end, so the growth above the baseline is the server's alone.
    body = path.read_bytes()
    headers = {"X-File-Name": quote(path.name, safe="!~*'()")}  # JavaScript's encodeURIComponent
    baseline = _status("VmRSS")
    steps = Steps()

    def upload() -> Any:
        return client.post("/api/upload", data=body, content_type="application/octet-stream", headers=headers)

    response = steps.run("upload", upload)
    answer = response.get_json()
    assert response.status_code == 200, answer
    state = ViewState(ds=answer["token"], features=tuple(FEATURES), k=k, seed=seed)
    sizes: dict[str, int] = {}
    if upload_only:
        return {"seconds": steps.seconds, "cpu": steps.cpu, "peak_mb": steps.peak_mb, "baseline_mb": baseline,
                "bytes": sizes, "file_mb": path.stat().st_size / 2**20}
    with app.server.test_request_context("/"):
        # the figures' steps in a function of their own: a server's request holds nothing of the last one,
        # so nothing of them is left when the page is measured on its own
        _dashboard_figures(steps, service, state, sizes, seed)
    gc.collect()
    page = steps.run("clusters page", lambda: client.post("/_dash-update-component", data=json.dumps({
        "output": ".._pages_content.children..._pages_store.data..",
        "outputs": [{"id": "_pages_content", "property": "children"},
                    {"id": "_pages_store", "property": "data"}],
        "inputs": [{"id": "_pages_location", "property": "pathname", "value": "/clusters"},
                   {"id": "_pages_location", "property": "search", "value": state.query()}],
        "changedPropIds": ["_pages_location.pathname"], "state": []}), content_type="application/json"))
    assert page.status_code == 200, page.status_code
    sizes["clusters page"] = len(page.data)
    with app.server.test_request_context("/"):
        _dashboard_views(steps, state, sizes)

    def download() -> int:  # the answer is streamed: read every byte of it, as a browser does
        response = client.get("/download/clustered.csv" + state.query(), buffered=False)
        assert response.status_code == 200, response.status_code
        received = sum(len(piece) for piece in response.response)
        response.close()
        return received

    sizes["download"] = steps.run("download", download)
    return {"seconds": steps.seconds, "cpu": steps.cpu, "peak_mb": steps.peak_mb, "baseline_mb": baseline,
            "bytes": sizes,
            "file_mb": path.stat().st_size / 2**20}


# --- the parent ----------------------------------------------------------------------------------------

def run_rfm_ours(path: Path) -> dict[str, Any]:
    """core's order file to customer table: the generic reader, then :func:`core.build_customers`."""
    from core import build_customers, read_table

    steps = Steps()
    cpu = {}
    start = time.process_time()
    table = steps.run("read", lambda: read_table(path))
    cpu["read"] = time.process_time() - start
    after_read = _status("VmRSS")
    start = time.process_time()
    result = steps.run("customers", lambda: build_customers(table.frame, decimal=table.decimal))
    cpu["customers"] = time.process_time() - start
    return {"seconds": steps.seconds, "cpu": cpu, "peak_mb": steps.peak_mb, "after_read_mb": after_read,
            "customers": len(result.table), "monetary": float(result.table["monetary"].sum()),
            "lines": result.lines, "frame_mb": table.frame.memory_usage(deep=False).sum() / 2**20}


def run_rfm_naive(path: Path) -> dict[str, Any]:
    """The straightforward pandas way: read_csv, to_datetime, drop lines without a customer, one groupby."""
    import pandas as pd

    steps = Steps()
    cpu = {}
    start = time.process_time()
    frame = steps.run("read", lambda: pd.read_csv(path, dtype={"CustomerID": str, "InvoiceNo": str}))
    cpu["read"] = time.process_time() - start
    after_read = _status("VmRSS")

    def customers() -> Any:
        lines = frame.dropna(subset=["CustomerID"]).copy()
        lines["InvoiceDate"] = pd.to_datetime(lines["InvoiceDate"], format="%m/%d/%Y %H:%M")
        lines["value"] = lines["Quantity"] * lines["UnitPrice"]
        out = lines.groupby("CustomerID").agg(first=("InvoiceDate", "min"), last=("InvoiceDate", "max"),
                                              frequency=("InvoiceNo", "nunique"), monetary=("value", "sum"))
        as_of = lines["InvoiceDate"].max().normalize() + pd.Timedelta(days=1)
        out["recency_days"] = (as_of - out["last"].dt.normalize()).dt.days
        out["tenure_days"] = (as_of - out["first"].dt.normalize()).dt.days
        return out

    start = time.process_time()
    table = steps.run("customers", customers)
    cpu["customers"] = time.process_time() - start
    # The needed columns, typed: what any tool must hold (customer, date, quantity, price, order).
    needed = (len(frame) * 8 * 4 + frame["CustomerID"].str.len().sum() + len(frame)) / 2**20
    return {"seconds": steps.seconds, "cpu": cpu, "peak_mb": steps.peak_mb, "after_read_mb": after_read,
            "customers": len(table), "monetary": float(table["monetary"].sum()), "needed_mb": float(needed)}


#: The naive notebook way from a file to a segmented file (run as its own interpreter, imports included).
NAIVE_SCRIPT = r"""
import json, sys
import numpy as np
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.preprocessing import StandardScaler
from core.selection import find_elbow  # the Kneedle elbow, so the naive k is not read off a chart by eye

path, out, seed, features = sys.argv[1], sys.argv[2], int(sys.argv[3]), json.loads(sys.argv[4])
df = pd.read_csv(path)
X = StandardScaler().fit_transform(df[features])
wcss = [KMeans(n_clusters=k, n_init=10, random_state=seed).fit(X).inertia_ for k in range(1, 11)]
k = find_elbow(np.arange(1, 11), np.asarray(wcss), 2)
model = KMeans(n_clusters=k, n_init=10, random_state=seed).fit(X)
df["cluster"] = model.labels_ + 1
df.to_csv(out, index=False)
print(json.dumps({"k": int(k), "wcss": [float(w) for w in wcss], "inertia": float(model.inertia_)}))
"""


class Timed(NamedTuple):
    """A command's run: wall seconds, CPU seconds (user and system), system seconds alone, its stdout."""

    wall: float
    cpu: float
    system: float
    stdout: str

    def figures(self) -> dict[str, float]:
        """The seconds, as the results keep them."""
        return {"wall": self.wall, "cpu": self.cpu, "system": self.system}


def _timed(command: list[str], env: dict[str, str | None] | None = None) -> Timed:
    """Run a command in its own process: its wall, CPU and system seconds and its stdout (system seconds apart:
    on this project's virtual machine, memory a process touches first costs system time). ``env`` changes
    this process's environment for it: a name given None is unset (``--cli-threads 0``: OMP_NUM_THREADS, which
    ``--threads`` sets here for the children, unset)."""
    changed = {**os.environ, **{name: value for name, value in (env or {}).items() if value is not None}}
    for name in [name for name, value in (env or {}).items() if value is None]:
        changed.pop(name, None)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, env=changed)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stderr[-3000:]}")
    system = after.ru_stime - before.ru_stime
    return Timed(wall, (after.ru_utime - before.ru_utime) + system, system, done.stdout)


def _our_wcss(out_csv: Path, features: list[str], transforms: list[str]) -> tuple[int, float, Any]:
    """k and the WCSS of a written clustered file's segments, in the model's space (transformed, standardised),
    and that space's matrix."""
    import numpy as np
    import pandas as pd

    from core.transform import apply_transform

    frame = pd.read_csv(out_csv, usecols=[*features, "cluster"])
    X = frame[features].to_numpy(dtype=float)
    for j, kind in enumerate(transforms):
        X[:, j] = apply_transform(kind, X[:, j]) if kind != "none" else X[:, j]
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    labels = frame["cluster"].to_numpy()
    wcss = sum(float(((X[labels == c] - X[labels == c].mean(axis=0)) ** 2).sum()) for c in np.unique(labels))
    return int(np.unique(labels).size), wcss, X


def _segments_command() -> list[str]:
    """``python -m core.cli``, ``core`` byte-compiled first as ``pip install`` compiles an installed package
    (and scikit-learn and pandas, which the naive script imports): with PYTHONDONTWRITEBYTECODE set, as on the
    benchmark's machine, each command would otherwise compile ``core``'s sources again (0.06-0.08 s)."""
    import compileall

    compileall.compile_dir(ROOT / "core", quiet=1)
    return [sys.executable, "-m", "core.cli"]


def run_cli(path: Path, seed: int, threads: int) -> dict[str, Any]:
    """The file-to-segments path as commands: naive script, ``fit --k auto``, ``sweep`` + ``fit --k N``."""
    import re

    env: dict[str, str | None] = {"OMP_NUM_THREADS": str(threads) if threads > 0 else None}
    out = path.with_suffix(".cli-out.csv")
    segments = _segments_command()
    result: dict[str, Any] = {"threads": threads}
    try:
        timed = _timed([sys.executable, "-c", NAIVE_SCRIPT, str(path), str(out), str(seed), json.dumps(FEATURES)],
                       env)
        result["naive"] = {**timed.figures(), **json.loads(timed.stdout.strip().splitlines()[-1])}
        timed = _timed([*segments, "fit", str(path), "--k", "auto", "--seed", str(seed), "--out", str(out)], env)
        result["auto"] = {**timed.figures(), "stdout": timed.stdout}
        text = timed.stdout
        labelled = re.search(r"^features: (.+)$", text, re.M).group(1)
        transforms = [next((t for t in ("signed log", "log") if f.endswith(f"({t})")), "none").replace(" ", "_")
                      for f in labelled.split(", ")]
        k, wcss, X = _our_wcss(out, FEATURES, transforms)
        result["auto"].update(k=k, wcss=wcss, transforms=transforms)
        if any(t != "none" for t in transforms) or k > len(result["naive"]["wcss"]):  # not the naive space
            from sklearn.cluster import KMeans

            reference = float(KMeans(n_clusters=k, n_init=10, random_state=seed).fit(X).inertia_)
        else:
            reference = result["naive"]["wcss"][k - 1]
        result["auto"]["reference_wcss"] = reference
        timed = _timed([*segments, "sweep", str(path), "--seed", str(seed)], env)
        chosen = int(re.search(r"^recommended k: (\d+)", timed.stdout, re.M).group(1))
        result["sweep"] = {**timed.figures(), "k": chosen}
        timed = _timed([*segments, "fit", str(path), "--k", str(chosen), "--seed", str(seed), "--out", str(out)], env)
        k, wcss, _ = _our_wcss(out, FEATURES, transforms)
        result["fit"] = {**timed.figures(), "k": k, "wcss": wcss}
        timed = _timed([sys.executable, str(Path(__file__).resolve()), "--child", "floor", str(path)], env)
        inside = sum(json.loads(timed.stdout.strip().splitlines()[-1])["seconds"].values())
        result["floor"] = {**timed.figures(), "read_write": inside}
    finally:
        out.unlink(missing_ok=True)
    return result


def run_threads(path: Path, seed: int, k: int, repeats: int) -> dict[str, Any]:
    """``segments sweep`` and ``segments fit --k K`` with ``--threads 1`` and ``--threads 2``, taking turns
    (so that a change of the machine's load falls on both), ``repeats`` times each: wall and CPU seconds."""
    out = path.with_suffix(".threads-out.csv")
    segments = _segments_command()
    commands = {"sweep": ["sweep", str(path), "--seed", str(seed)],
                f"fit --k {k}": ["fit", str(path), "--k", str(k), "--seed", str(seed), "--out", str(out)]}
    result: dict[str, Any] = {name: {"1": [], "2": []} for name in commands}
    try:
        for _ in range(repeats):
            for name, command in commands.items():
                for threads in ("1", "2"):
                    result[name][threads].append(_timed([*segments, *command, "--threads", threads]).figures())
    finally:
        out.unlink(missing_ok=True)
    return result


def _print_threads(rows: int, entry: dict[str, Any]) -> None:
    load = " ".join(Path("/proc/loadavg").read_text().split()[:3]) if Path("/proc/loadavg").exists() else "-"
    print(f"\n## threads, {_label(rows)} rows (each command its own process; --threads 1 and 2 taking turns; "
          f"load at the end {load})")
    print(f"{'command':<16} {'threads':>7} {'wall s (each run)':>24} {'cpu s (each run)':>24}")
    for name, runs in entry["threads"].items():
        for threads, measured in runs.items():
            walls = ", ".join(_seconds(m["wall"]) for m in measured)
            cpus = ", ".join(_seconds(m["cpu"]) for m in measured)
            print(f"{name:<16} {threads:>7} {walls:>24} {cpus:>24}")


_CLI_WAYS = ("naive", "auto", "sweep", "fit", "floor")


def _median_run(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The first run of :func:`run_cli` with each way's wall and CPU seconds the median over ``runs`` (the ways
    taking turns: on a machine whose speed drifts by 20% within minutes, a median of turns compares fairly)."""
    median = {**runs[0], **{way: dict(runs[0][way]) for way in _CLI_WAYS}}
    for way in _CLI_WAYS:
        for measure in ("wall", "cpu", "system"):
            median[way][measure] = float(statistics.median(run[way][measure] for run in runs))
    return median


def _print_cli(rows: int, entry: dict[str, Any]) -> None:
    cli = entry["cli"]
    naive, auto, sweep, fit = cli["naive"], cli["auto"], cli["sweep"], cli["fit"]
    print(f"\n## from a file to a segmented file, {_label(rows)} rows ({entry['file_mb']:.0f} MB; each command "
          f"its own process, start-up included; OMP_NUM_THREADS={cli['threads'] or 'unset'}; load at the end "
          f"{' '.join(Path('/proc/loadavg').read_text().split()[:3]) if Path('/proc/loadavg').exists() else '-'})")
    print(f"{'way':<34} {'wall s':>8} {'cpu s':>8} {'of it sys':>9} {'naive/ours wall':>16} {'cpu':>6} "
          f"{'user':>6}")
    print(f"{'naive (pandas, elbow k=1..10, fit)':<34} {_seconds(naive['wall']):>8} {_seconds(naive['cpu']):>8} "
          f"{_seconds(naive['system']):>9}")
    both = {measure: sweep[measure] + fit[measure] for measure in ("wall", "cpu", "system")}
    for name, ours in (("segments fit --k auto", auto), ("segments sweep", sweep),
                       (f"segments fit --k {fit['k']}", fit), ("sweep, then fit --k N", both)):
        user = (naive["cpu"] - naive["system"]) / (ours["cpu"] - ours["system"])
        print(f"{name:<34} {_seconds(ours['wall']):>8} {_seconds(ours['cpu']):>8} {_seconds(ours['system']):>9} "
              f"{naive['wall'] / ours['wall']:>15.1f}x {naive['cpu'] / ours['cpu']:>5.1f}x {user:>5.1f}x")
    runs = entry.get("runs", [])
    if len(runs) > 1:
        for name, ways in (("fit --k auto", ("auto",)), ("sweep, then fit", ("sweep", "fit"))):
            ratios = ", ".join(f"{run['naive']['wall'] / sum(run[w]['wall'] for w in ways):.1f}x" for run in runs)
            print(f"  {name}, each turn (naive/ours wall): {ratios}")
        print(f"  naive, each turn: {', '.join(_seconds(run['naive']['wall']) for run in runs)} s "
              f"(the rows above: medians of {len(runs)} turns)")
    floor = cli["floor"]
    print(f"{'floor: pyarrow read + write':<34} {_seconds(floor['wall']):>8} {_seconds(floor['cpu']):>8} "
          f"{_seconds(floor['system']):>9}   "
          f"(the read and write alone {_seconds(floor['read_write'])} s; fit --k auto = "
          f"{auto['wall'] / floor['wall']:.1f}x the floor's process, {auto['wall'] / floor['read_write']:.1f}x its "
          "read and write)")
    quality = (f"quality: naive elbow k={naive['k']}; --k auto chose k={auto['k']} (transforms: "
               f"{', '.join(auto['transforms'])}); its WCSS vs KMeans(n_init=10) on every row at that k: "
               f"{auto['wcss'] / auto['reference_wcss'] - 1:+.2e} (relative)")
    if fit["k"] == auto["k"]:
        quality += f"; sweep then fit --k {fit['k']}: {fit['wcss'] / auto['reference_wcss'] - 1:+.2e}"
    else:
        quality += f"; sweep then fit chose k={fit['k']}"
    print(quality, flush=True)


def _child(kind: str, args: list[str], env: dict[str, str] | None = None) -> dict[str, Any]:
    """Run one measurement in a fresh interpreter; its last stdout line is the JSON result."""
    command = [sys.executable, str(Path(__file__).resolve()), "--child", kind, *args]
    print(f"  ({kind} {Path(args[0]).name if args else ''}...)", file=sys.stderr, flush=True)
    done = subprocess.run(command, capture_output=True, text=True, env={**os.environ, **(env or {})})
    if done.returncode != 0:
        raise SystemExit(f"{kind} {' '.join(args)} failed:\n{done.stderr[-3000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    if "warm_memory_seconds" in result:
        print(f"  ({kind}: {os.environ[WARM_MEMORY_ENV]} GB of fresh memory touched before the timed steps in "
              f"{result['warm_memory_seconds']:.1f} s)", flush=True)
    return result


def _size(text: str) -> int:
    return int(float(text))


def _label(rows: int) -> str:
    exponent = len(str(rows)) - 1
    return f"10^{exponent}" if rows == 10 ** exponent else f"{rows:,}"


def _seconds(value: float | None) -> str:
    if value is None:
        return "-"
    if value < 1:
        return f"{value:.3f}"
    return f"{value:.2f}" if value < 10 else f"{value:.1f}" if value < 100 else f"{value:.0f}"


def machine() -> dict[str, str]:
    import numpy
    import pandas
    import pyarrow
    import sklearn

    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        memory = f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.1f} GB"
    except (ValueError, OSError):
        memory = "unknown"
    load = " ".join(Path("/proc/loadavg").read_text().split()[:3]) if Path("/proc/loadavg").exists() else "-"
    return {"cpu": model, "cores": str(os.cpu_count()), "memory": memory, "load": load,
            "python": platform.python_version(), "numpy": numpy.__version__, "pandas": pandas.__version__,
            "scikit-learn": sklearn.__version__, "pyarrow": pyarrow.__version__,
            "pyarrow allocator": pyarrow.default_memory_pool().backend_name,
            "NUMPY_MADVISE_HUGEPAGE": os.environ.get("NUMPY_MADVISE_HUGEPAGE", "(unset: huge pages)"),
            "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS", "(unset: every core)")}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1e4,1e5,1e6,1e7", help="rows per file, comma-separated")
    parser.add_argument("--dashboard-sizes", default="1e5,1e6,1e7",
                        help="sizes for the dashboard steps ('' for none)")
    parser.add_argument("--upload-sizes", default="",
                        help="sizes for the dashboard's upload alone (read, check, store; '' for none), e.g. 1e7")
    parser.add_argument("--naive-limit", type=float, default=300.0,
                        help="skip a naive step expected to take longer than this many seconds")
    parser.add_argument("--threads", type=int, default=1,
                        help="OpenMP/BLAS/pyarrow threads per process (default 1, as each gunicorn worker runs; "
                             "0: the libraries' default, every core)")
    parser.add_argument("--rfm-sizes", default="1e5,1e6,1e7",
                        help="order lines per file for the order file -> customer table step ('' for none)")
    parser.add_argument("--cli-sizes", default="1e6",
                        help="sizes for the file-to-segments commands, naive script vs segments ('' for none)")
    parser.add_argument("--cli-repeats", type=int, default=1,
                        help="turns of the --cli-sizes commands (naive, auto, sweep, fit, floor in turn each time); "
                             "the table gives each one's median")
    parser.add_argument("--cli-threads", type=int, default=1,
                        help="OMP_NUM_THREADS for the commands of --cli-sizes (0: unset, every core)")
    parser.add_argument("--thread-sizes", default="",
                        help="sizes for sweep and fit --k K with --threads 1 and 2, taking turns ('' for none)")
    parser.add_argument("--thread-repeats", type=int, default=2, help="runs of each for --thread-sizes")
    parser.add_argument("--k", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--data-dir", type=Path, help="keep the generated files here (default: a temporary folder)")
    parser.add_argument("--json", type=Path, help="also write every figure to this JSON file")
    parser.add_argument("--warm-memory", type=float, default=0.0,
                        help="GB of memory each measuring process touches and frees before its timed steps (0: "
                             "none). On a virtual machine that backs its memory on first touch (this project's: "
                             "~10 s per GB some days), the figures are then the code's, not the machine's")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.child:
        kind, *rest = args.child
        warmed = warm_memory(float(os.environ.get(WARM_MEMORY_ENV, "0") or 0))
        if kind == "generate":
            generate(_size(rest[0]), Path(rest[1]), args.seed)
            result: dict[str, Any] = {}
        elif kind == "ours":
            result = run_ours(Path(rest[0]), args.k, args.seed, Path(rest[1]))
        elif kind == "naive":
            result = run_naive(Path(rest[0]), args.k, args.seed, json.loads(rest[2]), Path(rest[1]))
        elif kind == "floor":
            result = run_floor(Path(rest[0]))
        elif kind == "generate-orders":
            generate_orders(_size(rest[0]), Path(rest[1]), args.seed)
            result = {}
        elif kind == "rfm-ours":
            result = run_rfm_ours(Path(rest[0]))
        elif kind == "rfm-naive":
            result = run_rfm_naive(Path(rest[0]))
        else:
            result = run_dashboard(Path(rest[0]), args.k, args.seed, Path(rest[1]), upload_only=kind == "upload")
        if warmed is not None:
            result["warm_memory_seconds"] = warmed
        print(json.dumps(result))
        return 0

    sizes = sorted({_size(s) for s in args.sizes.split(",") if s.strip()})
    dashboard_sizes = sorted({_size(s) for s in args.dashboard_sizes.split(",") if s.strip()})
    rfm_sizes = sorted({_size(s) for s in args.rfm_sizes.split(",") if s.strip()})
    cli_sizes = sorted({_size(s) for s in args.cli_sizes.split(",") if s.strip()})
    upload_sizes = sorted({_size(s) for s in args.upload_sizes.split(",") if s.strip()})
    thread_sizes = sorted({_size(s) for s in args.thread_sizes.split(",") if s.strip()})
    folder = args.data_dir or Path(tempfile.mkdtemp(prefix="segments-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    threads = {} if args.threads <= 0 else {"OMP_NUM_THREADS": str(args.threads)}
    os.environ.update(threads)  # the children inherit it
    if args.warm_memory > 0:
        os.environ[WARM_MEMORY_ENV] = str(args.warm_memory)
    import core  # noqa: F401 (core.MEMORY_SETTINGS, as the product runs: every child inherits them, the floor too)

    info = machine()
    print("machine: " + ", ".join(f"{k} {v}" for k, v in info.items()), flush=True)
    results: dict[str, Any] = {"machine": info, "sizes": {}, "dashboard": {}, "rfm": {}, "cli": {}, "upload": {},
                               "threads": {}}
    measured: dict[str, tuple[int, float]] = {}  # naive step -> (rows, seconds) where it last ran
    started = time.perf_counter()
    try:
        if sizes and min(sizes) > CALIBRATION_ROWS:
            path = folder / f"customers-{CALIBRATION_ROWS}.csv"
            if not path.exists():
                _child("generate", [str(CALIBRATION_ROWS), str(path)])
            print(f"  (naive steps first timed at {CALIBRATION_ROWS:,} rows, to tell which to skip)", flush=True)
            calibration = _child("naive", [str(path), str(folder / "labels-calibration.npy"), json.dumps({})])
            measured.update({step: (CALIBRATION_ROWS, seconds) for step, seconds in calibration["seconds"].items()})
        for rows in sizes:
            path = folder / f"customers-{rows}.csv"
            if not path.exists():
                _child("generate", [str(rows), str(path)])
            labels = folder / f"labels-{rows}.npy"
            ours = _child("ours", [str(path), str(labels)])
            floor = _child("floor", [str(path)])
            skip = {}
            for step, (seen_rows, seconds) in measured.items():
                expected = seconds * (rows / seen_rows) ** GROWTH.get(step, 1.0)
                if expected > args.naive_limit:
                    skip[step] = expected
            if "fit" in skip and "silhouette" not in skip:  # the exact silhouette needs the naive labels
                seen_rows, seconds = measured.get("silhouette", (rows, 0.0))
                skip["silhouette"] = seconds * (rows / seen_rows) ** GROWTH["silhouette"]
            naive = _child("naive", [str(path), str(labels), json.dumps(skip)])
            for step, seconds in naive["seconds"].items():
                measured[step] = (rows, seconds)
            entry = {"file_mb": path.stat().st_size / 2**20, "ours": ours, "naive": naive, "floor": floor}
            results["sizes"][str(rows)] = entry
            _print_size(rows, entry)
            labels.unlink(missing_ok=True)
        for rows in cli_sizes:
            path = folder / f"customers-{rows}.csv"
            if not path.exists():
                _child("generate", [str(rows), str(path)])
            runs = [run_cli(path, args.seed, args.cli_threads) for _ in range(max(1, args.cli_repeats))]
            entry = {"file_mb": path.stat().st_size / 2**20, "cli": _median_run(runs), "runs": runs}
            results["cli"][str(rows)] = entry
            _print_cli(rows, entry)
        for rows in thread_sizes:
            path = folder / f"customers-{rows}.csv"
            if not path.exists():
                _child("generate", [str(rows), str(path)])
            entry = {"threads": run_threads(path, args.seed, args.k, args.thread_repeats)}
            results["threads"][str(rows)] = entry
            _print_threads(rows, entry)
        for rows in dashboard_sizes:
            path = folder / f"customers-{rows}.csv"
            if not path.exists():
                _child("generate", [str(rows), str(path)])
            cache = Path(tempfile.mkdtemp(prefix="segments-bench-cache-"))
            try:
                entry = _child("dashboard", [str(path), str(cache)], env={"OMP_NUM_THREADS": "1"})  # gunicorn's
            finally:
                shutil.rmtree(cache, ignore_errors=True)
            results["dashboard"][str(rows)] = entry
            _print_dashboard(rows, entry)
        _print_dashboard_memory(results["dashboard"])
        for rows in upload_sizes:
            path = folder / f"customers-{rows}.csv"
            if not path.exists():
                _child("generate", [str(rows), str(path)])
            cache = Path(tempfile.mkdtemp(prefix="segments-bench-cache-"))
            try:
                entry = _child("upload", [str(path), str(cache)], env={"OMP_NUM_THREADS": "1"})
            finally:
                shutil.rmtree(cache, ignore_errors=True)
            results["upload"][str(rows)] = entry
            _print_dashboard(rows, entry)
        for rows in rfm_sizes:
            path = folder / f"orders-{rows}.csv"
            if not path.exists():
                _child("generate-orders", [str(rows), str(path)])
            entry = {"file_mb": path.stat().st_size / 2**20, "ours": _child("rfm-ours", [str(path)]),
                     "naive": _child("rfm-naive", [str(path)])}
            results["rfm"][str(rows)] = entry
            _print_rfm(rows, entry)
    finally:
        if args.data_dir is None:
            shutil.rmtree(folder, ignore_errors=True)
    results["total_seconds"] = time.perf_counter() - started
    print(f"\nwhole run: {results['total_seconds']:.0f} s; machine load (1, 5, 15 min) at the end: "
          f"{' '.join(Path('/proc/loadavg').read_text().split()[:3]) if Path('/proc/loadavg').exists() else '-'}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))
    return 0


def _print_size(rows: int, entry: dict[str, Any]) -> None:
    ours, naive, floor = entry["ours"], entry["naive"], entry["floor"]
    print(f"\n## {_label(rows)} rows ({entry['file_mb']:.0f} MB file; selected numeric data "
          f"{ours['numeric_mb']:.1f} MB; frame of text {ours['frame_mb']:.0f} MB)")
    print(f"{'step':<11} {'naive s':>9} {'ours s':>8} {'ratio':>7} {'naive MB':>9} {'ours MB':>8} {'ours +MB':>9}")
    naive_total, naive_known = 0.0, True
    for step in STEPS:
        mine = ours["seconds"][step]
        if step in naive["seconds"]:
            theirs = naive["seconds"][step]
            shown, ratio = _seconds(theirs), f"{theirs / mine:.1f}x"
            naive_total += theirs
        else:
            expected = naive["skipped"].get(step, 0.0)
            shown, ratio, naive_known = f">{_seconds(expected)}", f">{expected / mine:.0f}x", False
            naive_total += expected
        memory = naive["peak_mb"].get(step)
        beyond = ours["peak_mb"][step] - ours["after_read_mb"] if step != "read" else ours["peak_mb"][step]
        print(f"{step:<11} {shown:>9} {_seconds(mine):>8} {ratio:>7} {memory if memory else '-':>9} "
              f"{ours['peak_mb'][step]:>8} {beyond:>9}")
        if step not in naive["seconds"]:
            print(f"{'':<11} (naive skipped: > {naive['skipped'][step]:.0f} s expected)")
    total = sum(ours["seconds"].values())
    mark = "" if naive_known else ">"
    print(f"{'end to end':<11} {mark + _seconds(naive_total):>9} {_seconds(total):>8} "
          f"{mark}{naive_total / total:.1f}x")
    floor_total = sum(floor["seconds"].values())
    print(f"floor (pyarrow read + write): {_seconds(floor_total)} s; ours end to end = "
          f"{total / floor_total:.1f}x the floor")
    if naive.get("labels") == "ours":
        print("(naive profile and write used our labels: the naive fit was skipped)")
    worst = max(STEPS[1:], key=lambda s: ours["peak_mb"][s])
    beyond = ours["peak_mb"][worst] - ours["after_read_mb"]
    print(f"ours: 'ours +MB' is the step's peak above the process after the read (the frame of text held); "
          f"the most, {beyond} MB in '{worst}', is {beyond / max(ours['numeric_mb'], 1e-9):.1f}x the selected "
          f"numeric data")
    quality = []
    if "inertia" in naive:
        quality.append(f"WCSS ours vs naive {ours['inertia'] / naive['inertia'] - 1:+.1e} (relative)")
    if "elbow" in naive:
        same = "same" if naive["elbow"] == ours["elbow"] else "DIFFERENT"
        curve = max(abs(a / b - 1) for a, b in zip(ours["sweep_wcss"], naive["sweep_wcss"]))
        quality.append(f"elbow ours k={ours['elbow']}, naive k={naive['elbow']} ({same}; sweep WCSS within "
                       f"{100 * curve:.2f}%)")
    else:
        quality.append(f"elbow ours k={ours['elbow']} (naive sweep skipped)")
    if "silhouette" in naive and ours["silhouette"] is not None:
        quality.append(f"silhouette ours {ours['silhouette']:.4f} vs exact {naive['silhouette']:.4f} "
                       f"({ours['silhouette'] - naive['silhouette']:+.4f})")
    elif ours["silhouette"] is not None:
        quality.append(f"silhouette ours {ours['silhouette']:.4f} (exact skipped)")
    print("quality: " + "; ".join(quality), flush=True)


def _print_rfm(rows: int, entry: dict[str, Any]) -> None:
    ours, naive = entry["ours"], entry["naive"]
    print(f"\n## rfm: order file -> customer table, {_label(rows)} order lines ({entry['file_mb']:.0f} MB file; "
          f"the needed columns typed {naive['needed_mb']:.0f} MB; our frame of text {ours['frame_mb']:.0f} MB)")
    print(f"{'step':<11} {'pandas s':>9} {'ours s':>8} {'ratio':>7} {'pandas cpu':>11} {'ours cpu':>9} "
          f"{'pandas MB':>10} {'ours MB':>8} {'ours +MB':>9}")
    for step in ("read", "customers"):
        theirs, mine = naive["seconds"][step], ours["seconds"][step]
        beyond = ours["peak_mb"][step] - (ours["after_read_mb"] if step != "read" else 0)
        print(f"{step:<11} {_seconds(theirs):>9} {_seconds(mine):>8} {theirs / mine:>6.1f}x "
              f"{_seconds(naive['cpu'][step]):>11} {_seconds(ours['cpu'][step]):>9} {naive['peak_mb'][step]:>10} "
              f"{ours['peak_mb'][step]:>8} {beyond:>9}")
    theirs, mine = sum(naive["seconds"].values()), sum(ours["seconds"].values())
    print(f"{'end to end':<11} {_seconds(theirs):>9} {_seconds(mine):>8} {theirs / mine:>6.1f}x "
          f"{_seconds(sum(naive['cpu'].values())):>11} {_seconds(sum(ours['cpu'].values())):>9}")
    beyond = ours["peak_mb"]["customers"] - ours["after_read_mb"]
    print(f"ours: {ours['customers']:,} customers; the customer step's peak above the read frame is {beyond} MB, "
          f"{beyond / max(naive['needed_mb'], 1e-9):.1f}x the needed columns typed; the reader is "
          f"{ours['seconds']['read'] / mine:.0%} of our time")
    print(f"pandas: {naive['customers']:,} customers; net revenue ours {ours['monetary']:,.0f} vs pandas "
          f"{naive['monetary']:,.0f} (ours leaves out the {naive['customers'] - ours['customers']:,} customers who "
          "only returned or cancelled, with their negative totals; pandas keeps them)", flush=True)


def _print_dashboard(rows: int, entry: dict[str, Any]) -> None:
    print(f"\n## dashboard, {_label(rows)} rows ({entry['file_mb']:.0f} MB file; one OpenMP thread)")
    print(f"{'step':<24} {'seconds':>8} {'cpu s':>8} {'peak MB':>8} {'JSON/bytes':>11}")
    for step, seconds in entry["seconds"].items():
        size = entry["bytes"].get(step)
        print(f"{step:<24} {_seconds(seconds):>8} {_seconds(entry['cpu'][step]):>8} {entry['peak_mb'][step]:>8} "
              f"{(f'{size / 2**20:.2f} MB' if size else '-'):>11}")
    print(f"{'total':<24} {_seconds(sum(entry['seconds'].values())):>8} {_seconds(sum(entry['cpu'].values())):>8}",
          flush=True)


def _print_dashboard_memory(entries: dict[str, Any]) -> None:
    if not entries:
        return
    points = sorted((int(rows), max(e["peak_mb"].values()) - e["baseline_mb"], e["file_mb"])
                    for rows, e in entries.items())
    for rows, extra, file_mb in points:
        print(f"dashboard peak above the idle server at {_label(rows)} rows: {extra} MB "
              f"({extra / file_mb:.1f}x the file)")
    if len(points) > 1:
        (r0, m0, f0), (r1, m1, f1) = points[-2], points[-1]
        per_million = (m1 - m0) / (r1 - r0) * 1e6
        fixed = max(m1 - per_million * r1 / 1e6, 0.0)
        print(f"dashboard memory: {per_million:.0f} MB per million rows (slope of the two largest sizes), "
              f"{(m1 - m0) / (f1 - f0):.1f} MB per MB of file, plus ~{fixed:.0f} MB")
        print("largest file one upload can take at a time (the whole dashboard path, this file's 8 columns):")
        for gb in (4, 8, 16, 32, 64):
            rows = max(gb * 1024 * 0.8 - fixed, 0) / per_million  # 20% kept for the server and the OS
            print(f"  {gb:>3} GB of memory: ~{rows:.0f} million rows (~{rows * f1 / (r1 / 1e6) / 1024:.1f} GB of CSV)")


if __name__ == "__main__":
    raise SystemExit(main())
