"""How long the Excel download of the clustered customers takes: core.xlsx_writer_fast against openpyxl.

::

    .venv/bin/python bench/xlsx_bench.py --sizes 1e4,1e5,3e5 [--baseline-limit 100000] [--repeat 3]

For each size, a clustered table of the shape the Downloads page gives (a text id, an e-mail, a country, four
numeric columns as text, the cluster, its name and the four confidence columns: 13 columns) is written with
``core.deliver.to_xlsx_bytes`` (the fast writer) and, up to ``--baseline-limit`` rows, with openpyxl the way
``to_xlsx_bytes`` wrote it before (pandas' ExcelWriter): the baseline, in the same process. Prints the median of
``--repeat`` runs of each, the ratio, and the file sizes.
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from core.deliver import _with_numbers, to_xlsx_bytes  # noqa: E402
from core.export import escape_formulas  # noqa: E402

NUMERIC = ["orders", "spend", "avg_order_value", "age"]


def clustered(rows: int, seed: int = 0) -> pd.DataFrame:
    """A clustered download's table of ``rows`` customers."""
    rng = np.random.default_rng(seed)
    spend = np.round(rng.lognormal(4, 1, rows), 2)
    orders = rng.integers(1, 30, rows)
    return pd.DataFrame({
        "customer_id": [f"C{i:07d}" for i in range(rows)], "email": [f"user{i}@example.com" for i in range(rows)],
        "country": rng.choice(["US", "UK", "DE", "FR"], rows), "orders": orders.astype(str),
        "spend": spend.astype(str), "avg_order_value": np.round(spend / orders, 2).astype(str),
        "age": np.where(rng.random(rows) < 0.05, "", rng.integers(18, 80, rows).astype(str)),
        "cluster": rng.integers(1, 5, rows), "segment": pd.Categorical(rng.choice(["High spend", "Low spend"], rows)),
        "distance": rng.random(rows).round(4), "margin": rng.random(rows).round(4),
        "silhouette": (rng.random(rows) * 2 - 1).round(4), "borderline": rng.random(rows) < 0.1,
    })


def openpyxl_bytes(frame: pd.DataFrame) -> bytes:
    """The workbook as openpyxl wrote it before (the baseline)."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        escape_formulas(_with_numbers(frame, NUMERIC, ".")).to_excel(writer, sheet_name="Customers", index=False)
    return buffer.getvalue()


def timed(function, repeat: int) -> tuple[float, int]:
    """The median seconds of ``repeat`` runs and the bytes written."""
    times, size = [], 0
    for _ in range(repeat):
        start = time.perf_counter()
        size = len(function())
        times.append(time.perf_counter() - start)
    return statistics.median(times), size


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1e4,1e5,3e5")
    parser.add_argument("--baseline-limit", type=float, default=1e5)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    print(f"{'rows':>9} {'cells':>10} {'fast s':>8} {'MB':>6} {'openpyxl s':>11} {'MB':>6} {'ratio':>6}")
    for size in [int(float(s)) for s in args.sizes.split(",") if s]:
        frame = clustered(size)
        fast, fast_bytes = timed(lambda: to_xlsx_bytes({"Customers": frame}, NUMERIC), args.repeat)
        line = f"{size:>9,} {frame.size:>10,} {fast:>8.2f} {fast_bytes / 1e6:>6.1f}"
        if size <= args.baseline_limit:
            slow, slow_bytes = timed(lambda: openpyxl_bytes(frame), args.repeat)
            line += f" {slow:>11.2f} {slow_bytes / 1e6:>6.1f} {slow / fast:>5.1f}x"
        print(line, flush=True)


if __name__ == "__main__":
    main()
