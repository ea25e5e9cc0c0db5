"""Load test: many simulated users doing the whole flow at once against gunicorn + Redis.

    python bench/load_test.py --users 50 --seconds 60

Starts a private ``redis-server`` and ``gunicorn app:server`` with 4 workers (both on free
127.0.0.1 ports), then runs ``--users`` threads until ``--seconds`` have passed, each repeating:

1. **upload** its own customer file (its customer IDs carry the user's number) as the page sends it:
   the raw body, its name percent-encoded in ``X-File-Name``,
2. **fit**: open the Clusters page through Dash's router (segments a new k-means model),
3. **view**: change the scatter's axes (a callback answered from the cache),
4. **download** the clustered CSV and check every row is its own (no other user's data).

It prints, per step, the count, errors and latency percentiles, and exits non-zero on any error or
any answer with another user's data. Figures from this machine are in docs/performance.md.
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

import numpy as np
import pandas as pd
import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.support import encode_uri_component, gunicorn_server, start_redis, stop  # noqa: E402

STEPS = ("upload", "fit", "view", "download")


def customer_file(user: int, rows: int, seed: int) -> bytes:
    """A user's own file: IDs ``U<user>-<n>`` and three numeric columns with some structure."""
    rng = np.random.default_rng(seed)
    centers = rng.uniform(10, 90, size=(4, 3))
    members = rng.integers(0, 4, rows)
    values = centers[members] + rng.normal(0, 6, size=(rows, 3))
    frame = pd.DataFrame({"CustomerID": [f"U{user}-{i}" for i in range(rows)],
                          "Age": values[:, 0].round(0), "Income": values[:, 1].round(1),
                          "Score": values[:, 2].round(0)})
    return frame.to_csv(index=False).encode()


def router_body(pathname: str, search: str) -> dict:
    """The request Dash's Pages router makes for a page."""
    return {
        "output": ".._pages_content.children..._pages_store.data..",
        "outputs": [{"id": "_pages_content", "property": "children"}, {"id": "_pages_store", "property": "data"}],
        "inputs": [{"id": "_pages_location", "property": "pathname", "value": pathname},
                   {"id": "_pages_location", "property": "search", "value": search}],
        "changedPropIds": ["_pages_location.pathname"], "state": [],
    }


def scatter_body(query: str) -> dict:
    """The request the Clusters page makes when the axes change (``pages.clusters.page.update_view``)."""
    from dashboard import ids

    page_query = ids.page_query("clusters")
    outputs = [{"id": ids.Clusters.SCATTER, "property": "figure"},
               {"id": ids.Clusters.SCATTER_NOTE, "property": "children"},
               {"id": page_query, "property": "data"},
               {"id": ids.Clusters.RENAME_STATUS, "property": "children"},
               {"id": ids.Clusters.NEXT, "property": "href"},
               {"id": ids.Clusters.X, "property": "value"},
               {"id": ids.Clusters.Y, "property": "value"}]
    key = lambda item: json.dumps(item["id"], separators=(",", ":"), sort_keys=True) \
        if isinstance(item["id"], dict) else item["id"]  # noqa: E731 (how Dash names an output in "output")
    return {
        "output": ".." + "...".join(f"{key(o)}.{o['property']}" for o in outputs) + "..",
        "outputs": outputs,
        "inputs": [{"id": ids.Clusters.X, "property": "value", "value": "Income"},
                   {"id": ids.Clusters.Y, "property": "value", "value": "Score"},
                   [],  # the segment-name boxes (none changed)
                   {"id": ids.Clusters.CLEAR_SELECTION, "property": "n_clicks", "value": None}],
        "state": [[], {"id": page_query, "property": "data", "value": query}],
        "changedPropIds": [f"{ids.Clusters.X}.value"],
    }


class Results:
    """Latencies and failures per step, shared by the user threads."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latency: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, list[str]] = defaultdict(list)
        self.foreign = 0
        self.flows = 0

    def record(self, step: str, seconds: float, error: str | None = None) -> None:
        with self.lock:
            self.latency[step].append(seconds)
            if error:
                self.errors[step].append(error)


def user_loop(url: str, user: int, rows: int, deadline: float, results: Results) -> None:
    session = requests.Session()
    iteration = 0
    while time.monotonic() < deadline:
        content = customer_file(user, rows, seed=user * 1000 + iteration)
        iteration += 1

        started = time.monotonic()
        # as the page sends it (assets/upload.js): the file itself is the body, its name percent-encoded in a header
        response = session.post(url + "/api/upload", data=content, timeout=120,
                                headers={"Content-Type": "application/octet-stream",
                                         "X-File-Name": encode_uri_component(f"user{user} export.csv")})
        ok = response.status_code == 200 and "token" in response.json()
        results.record("upload", time.monotonic() - started, None if ok else f"{response.status_code}")
        if not ok:
            continue
        token = response.json()["token"]
        query = f"?ds={token}&k=4&seed={user}"

        started = time.monotonic()
        response = session.post(url + "/_dash-update-component", json=router_body("/clusters", query), timeout=120)
        ok = response.status_code == 200 and "clusters-profile" in response.text
        results.record("fit", time.monotonic() - started, None if ok else f"{response.status_code}")

        started = time.monotonic()
        response = session.post(url + "/_dash-update-component", json=scatter_body(query), timeout=120)
        ok = response.status_code == 200 and "clusters-scatter" in response.text
        results.record("view", time.monotonic() - started, None if ok else f"{response.status_code}")

        started = time.monotonic()
        response = session.get(url + f"/download/clustered.csv{query}", timeout=120)
        error = None
        if response.status_code != 200:
            error = f"{response.status_code}"
        else:
            frame = pd.read_csv(io.BytesIO(response.content), dtype=str)
            mine = frame["CustomerID"].str.startswith(f"U{user}-").all() and len(frame) == rows
            if not mine:
                with results.lock:
                    results.foreign += 1
                error = "another user's data"
        results.record("download", time.monotonic() - started, error)
        with results.lock:
            results.flows += 1


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(values, q)) if values else float("nan")


def run(users: int, seconds: float, rows: int, workers: int = 4) -> Results:
    """Start Redis and gunicorn, drive the users, stop everything; returns the results."""
    results = Results()
    with tempfile.TemporaryDirectory() as tmp:
        redis_server = start_redis(Path(tmp) / "redis")
        try:
            with gunicorn_server(Path(tmp) / "web", workers=workers,
                                 env={"REDIS_URL": redis_server.url}) as web:
                deadline = time.monotonic() + seconds
                threads = [threading.Thread(target=user_loop, args=(web.url, u, rows, deadline, results))
                           for u in range(users)]
                for thread in threads:
                    thread.start()
                for thread in threads:
                    thread.join(timeout=seconds + 300)
        finally:
            stop(redis_server.process)
    return results


def report(results: Results, users: int, seconds: float) -> str:
    lines = [f"{users} users for {seconds:.0f} s: {results.flows} complete flows, "
             f"{sum(len(e) for e in results.errors.values())} errors, {results.foreign} answers with another "
             "user's data", "", "| step | requests | errors | median s | p95 s | max s |", "|---|---|---|---|---|---|"]
    for step in STEPS:
        values = results.latency.get(step, [])
        lines.append(f"| {step} | {len(values)} | {len(results.errors.get(step, []))} | "
                     f"{statistics.median(values) if values else float('nan'):.3f} | {percentile(values, 95):.3f} | "
                     f"{max(values) if values else float('nan'):.3f} |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--rows", type=int, default=500)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()
    results = run(args.users, args.seconds, args.rows, args.workers)
    print(report(results, args.users, args.seconds))
    failed = any(results.errors.values()) or results.foreign or not results.flows
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
