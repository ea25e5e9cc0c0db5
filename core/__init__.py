"""Customer Segments' core: a framework-free library for segmenting customer files with K-Means.

Read a file (:func:`read_table`), turn an order file into customers (:func:`build_customers`), check it (:func:`check_quality`), segment it with a new model
(:func:`segment_new`) or a saved one (:func:`segment_with_model`), choose k (:func:`sweep_k`), and
write the results (:func:`clustered_table`, :func:`to_csv_bytes`). Errors about the user's input are
:class:`SegmentsError` subclasses with messages written for marketing analysts.

This package imports numpy, pandas, pyarrow, scikit-learn and joblib only: never Dash or Flask. Each name
below is imported from its module on first use (PEP 562), so ``import core`` (and ``segments --help``)
loads none of them until they are needed; ``from core import X`` works as before.
"""

from __future__ import annotations

import importlib
import os
import sys
from typing import Any


#: How the libraries take memory from the system, unless the environment already says: pyarrow with the C
#: library's ``malloc`` rather than its default, mimalloc, and numpy without asking for transparent huge pages.
MEMORY_SETTINGS: dict[str, str] = {"ARROW_DEFAULT_MEMORY_POOL": "system", "NUMPY_MADVISE_HUGEPAGE": "0"}


def _memory_settings() -> None:
    """Apply :data:`MEMORY_SETTINGS` to this process and the processes it starts (gunicorn's workers,
    background jobs), for each variable the environment does not already set.

    On virtual machines that back a guest's memory only when it is first touched (as this project's
    machines do), mimalloc's way of taking memory and handing it back made the 10^7-row upload ~24 s, against
    4.4-8.4 s with ``malloc``; numpy's huge pages made ``segments sweep`` of 10^7 rows 10.4-10.6 s, against
    6.4-6.6 s without, nearly all of the difference system time (the kernel did not compact memory: each
    2 MB page is simply slow to get on first touch there; docs/performance.md, issue 15, session 18). Both
    libraries read their variable once, at import: one imported before this package (the web app imports
    numpy through plotly) is switched directly.
    """
    for name, value in MEMORY_SETTINGS.items():
        os.environ.setdefault(name, value)
    arrow = sys.modules.get("pyarrow")
    if (arrow is not None and os.environ["ARROW_DEFAULT_MEMORY_POOL"] == "system"
            and arrow.default_memory_pool().backend_name != "system"):
        arrow.set_memory_pool(arrow.system_memory_pool())
    if "numpy" in sys.modules and os.environ["NUMPY_MADVISE_HUGEPAGE"] == "0":
        # numpy's own switch for what the variable sets at import, named in its release notes since 1.20 (looked
        # up, not called blindly: a numpy without it must not stop this package from importing)
        inner = getattr(sys.modules["numpy"], "_core", None)
        switch = getattr(getattr(inner, "multiarray", None), "_set_madvise_hugepage", None)
        if switch is not None:
            switch(False)


_memory_settings()

#: Each public name and the module of this package that defines it.
_WHERE: dict[str, str] = {
    **dict.fromkeys(("DEMO_FEATURES", "DEMO_PATH", "generate_demo"), "demo"),
    **dict.fromkeys(("DataError", "FeatureError", "MissingValuesError", "ModelError", "ModelFeatureError",
                     "NotEnoughRowsError", "OrdersError", "ReadError", "SegmentsError", "UnsafeModelError"),
                    "errors"),
    **dict.fromkeys(("escape_formula", "escape_formulas", "iter_csv", "to_csv_bytes", "write_csv"), "export"),
    **dict.fromkeys(("TableRead", "read_table"), "io"),
    **dict.fromkeys(("SizeOrderedKMeans", "build_segmenter", "display_cluster", "fit_segmenter"), "model"),
    **dict.fromkeys(("DEFAULT_MODEL_PATH", "ModelInfo", "SavedModel", "bundle_bytes", "load_bundle",
                     "load_model_file", "load_shipped_model"), "persist"),
    **dict.fromkeys(("DEFAULT_MISSING", "MISSING_STRATEGIES"), "options"),
    **dict.fromkeys(("FeatureMatrix", "prepare_features"), "prepare"),
    **dict.fromkeys(("ColumnReport", "QualityReport", "check_quality", "parse_numeric"), "quality"),
    **dict.fromkeys(("CLUSTER_COLUMN", "Segmentation", "clustered_table", "resolve_mapping", "segment_new",
                     "segment_with_model"), "segmentation"),
    **dict.fromkeys(("CustomerTable", "OrderColumns", "build_customers", "looks_like_orders"), "rfm"),
    **dict.fromkeys(("SweepResult", "find_elbow", "silhouette", "sweep_k"), "selection"),
}

__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    """Import a public name's module on first use and keep the name here."""
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_WHERE))
