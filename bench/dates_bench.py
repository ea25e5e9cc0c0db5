"""How long reading a customer file's date column takes: each distinct text once against every cell.

::

    .venv/bin/python bench/dates_bench.py --sizes 1e4,1e5,1e6 [--repeat 3]

For each size, a customer file's last visits (``11/30/2024``: a few hundred distinct days) and last orders with a
time (``2024-11-30 13:45:10``: nearly every cell different) are read with ``core.transform.read_dates`` (each
distinct text once, when they repeat) and cell by cell as it read them before (``_read_written_dates``, the baseline),
in the same process; then the data check of a Square customers export of that size, whose "Last Visit" it proposes
as the recency (``core.quality.check_quality``: the dates of the column it proposes are read whole). Prints the
median of ``--repeat`` runs of each and the ratio.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from core.quality import check_quality  # noqa: E402
from core.transform import _read_written_dates, read_dates  # noqa: E402
from tests.fixtures import square_customers  # noqa: E402


def timed(function: Callable[[], Any], repeat: int) -> float:
    """The median seconds of ``repeat`` runs."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def columns(rows: int, seed: int = 0) -> dict[str, tuple[pd.Series, str]]:
    """The two date columns of ``rows`` customers, with their formats."""
    rng = np.random.default_rng(seed)
    moments = pd.Timestamp("2024-11-30") - pd.to_timedelta(rng.integers(0, 700 * 86_400, rows), unit="s")
    return {"last visit (days)": (pd.Series(moments.strftime("%m/%d/%Y"), dtype="str"), "%m/%d/%Y"),
            "last order (times)": (pd.Series(moments.strftime("%Y-%m-%d %H:%M:%S"), dtype="str"), "%Y-%m-%d %H:%M:%S")}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1e4,1e5,1e6")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    print(f"{'rows':>9} {'column':<20} {'distinct':>9} {'distinct s':>11} {'every cell s':>13} {'ratio':>6}")
    for size in [int(float(s)) for s in args.sizes.split(",") if s]:
        for name, (texts, fmt) in columns(size).items():
            once = timed(lambda: read_dates(texts, fmt), args.repeat)
            every = timed(lambda: _read_written_dates(texts, fmt), args.repeat)
            print(f"{size:>9,} {name:<20} {texts.nunique():>9,} {once:>11.3f} {every:>13.3f} {every / once:>5.1f}x",
                  flush=True)
        frame = square_customers(size)
        check = timed(lambda: check_quality(frame), args.repeat)
        print(f"{size:>9,} {'data check (Square)':<20} {'':>9} {check:>11.3f}", flush=True)


if __name__ == "__main__":
    main()
