"""How long saving to and opening from the saved library take, at 10^4 to 10^6 customers.

::

    .venv/bin/python bench/library_bench.py --sizes 1e4,1e5,1e6 [--postgres] [--repeat 3]

For each size a customer table of text cells (as ``core.read_table`` gives it: an id, a gender and six
numeric columns) is saved with :func:`dashboard.library.save` (Parquet + one row per table) and opened
with :func:`dashboard.library.load_table` plus the data check the server runs when a saved data set
comes back into the cache (``check_quality``): what "save" and "open after the cache forgot it" cost a
user. SQLite always (a fresh file in a temporary DATA_DIR); PostgreSQL too with ``--postgres`` (a
private server started the way the tests start one). Prints the median of ``--repeat`` runs, the
stored size and the Parquet size; ``--json`` prints every figure as JSON.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from core import check_quality  # noqa: E402
from core.io import TableRead, table_to_parquet  # noqa: E402
from dashboard import library  # noqa: E402
from dashboard.settings import database_url  # noqa: E402


def customers(rows: int, seed: int = 0) -> TableRead:
    """A customer table of text cells with five segments' worth of structure."""
    rng = np.random.default_rng(seed)
    group = rng.integers(0, 5, rows)
    centres = rng.normal(50, 20, (5, 6))
    values = centres[group] + rng.normal(0, 5, (rows, 6))
    frame = pd.DataFrame({
        "CustomerID": [f"C{i:08d}" for i in range(rows)],
        "Gender": rng.choice(["Female", "Male"], rows),
        **{name: np.round(values[:, j], 1).astype(str) for j, name in enumerate(
            ["Age", "Annual Income (k$)", "Spending Score (1-100)", "Tenure (months)", "Orders per Year",
             "Avg Basket ($)"])},
    }).astype(str)
    frame.columns = pd.Index(list(frame.columns), dtype=object)
    return TableRead(frame, "csv", "utf-8", ",", ".", [])


def measure(url: str, data_dir: Path, rows: int, repeat: int) -> dict[str, float]:
    library.configure(url, data_dir)
    table = customers(rows)
    labels = np.random.default_rng(1).integers(1, 6, rows)
    settings = {"query": "?k=5", "k": 5, "names": [f"S{i}" for i in range(5)], "model_features": [], "mapping": {}}
    saves, opens, reads = [], [], []
    for _ in range(repeat):
        token = library.secrets.token_urlsafe(24)
        start = time.perf_counter()
        saved_id = library.save("bench", "", token, "bench.csv", table, labels, 5, settings, b"{}")
        saves.append(time.perf_counter() - start)
        start = time.perf_counter()
        _, back = library.load_table(token)
        reads.append(time.perf_counter() - start)
        check_quality(back.frame, back.decimal)
        opens.append(time.perf_counter() - start)
        assert back.frame.shape == table.frame.shape
        library.delete_saved(saved_id)
    parquet = len(table_to_parquet(table))
    return {"rows": rows, "save_s": statistics.median(saves), "open_s": statistics.median(opens),
            "read_s": statistics.median(reads),
            "parquet_mb": parquet / 1e6, "csv_mb": len(table.frame.to_csv(index=False).encode()) / 1e6}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1e4,1e5,1e6")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--postgres", action="store_true", help="also measure a private PostgreSQL server")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    sizes = [int(float(s)) for s in args.sizes.split(",")]
    results = []
    folder = Path(tempfile.mkdtemp(prefix="library-bench-"))
    backends = [("sqlite", database_url("", folder))]
    server = None
    if args.postgres:
        from tests.support import start_postgres

        server = start_postgres()
        backends.append(("postgresql", database_url(server.url, folder)))
    try:
        for name, url in backends:
            for rows in sizes:
                figures = measure(url, folder, rows, args.repeat)
                results.append({"database": name, **figures})
                print(f"{name:<10} {rows:>10,} rows: save {figures['save_s']:6.2f} s, open {figures['open_s']:6.2f} s"
                      f" (of which read back {figures['read_s']:5.2f} s)"
                      f" (Parquet {figures['parquet_mb']:.1f} MB for a {figures['csv_mb']:.1f} MB CSV)", flush=True)
    finally:
        for engine in list(library._engines.values()):
            engine.dispose()
        if server is not None:
            server.stop()
    if args.json:
        print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
