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


def _arrow_uses_the_system_allocator() -> None:
    """Have pyarrow allocate with the C library's ``malloc`` rather than its default, mimalloc, unless
    ``ARROW_DEFAULT_MEMORY_POOL`` names another.

    On virtual machines that back a guest's memory only when it is first touched (as this project's
    machines do), mimalloc's way of taking memory from the system and handing it back cost the 10^7-row
    upload ~20 s of system time, against ~4 s in all with ``malloc`` (docs/performance.md, issue 15,
    session 18). The variable is set before pyarrow is imported (pyarrow reads it once, at import), and is
    inherited by the processes this one starts (gunicorn's workers, background jobs); when pyarrow is
    already imported its pool is switched directly.
    """
    choice = os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")
    arrow = sys.modules.get("pyarrow")
    if arrow is not None and choice == "system" and arrow.default_memory_pool().backend_name != "system":
        arrow.set_memory_pool(arrow.system_memory_pool())


_arrow_uses_the_system_allocator()

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
