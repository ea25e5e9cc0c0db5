"""Customer Segments' core: a framework-free library for segmenting customer files with K-Means.

Read a file (:func:`read_table`), turn an order file into customers (:func:`build_customers`), check it (:func:`check_quality`), segment it with a new model
(:func:`segment_new`) or a saved one (:func:`segment_with_model`), choose k (:func:`sweep_k`), and
write the results (:func:`clustered_table`, :func:`to_csv_bytes`). Errors about the user's input are
:class:`SegmentsError` subclasses with messages written for marketing analysts.

This package imports numpy, pandas, scikit-learn and joblib only: never Dash or Flask.
"""

from .demo import DEMO_FEATURES, DEMO_PATH, generate_demo
from .errors import (
    DataError,
    FeatureError,
    MissingValuesError,
    ModelError,
    ModelFeatureError,
    NotEnoughRowsError,
    OrdersError,
    ReadError,
    SegmentsError,
    UnsafeModelError,
)
from .export import escape_formula, escape_formulas, iter_csv, to_csv_bytes, write_csv
from .io import TableRead, read_table
from .model import build_segmenter, display_cluster, fit_segmenter
from .persist import (
    DEFAULT_MODEL_PATH,
    ModelInfo,
    bundle_bytes,
    load_bundle,
    load_model_file,
    load_shipped_model,
)
from .prepare import DEFAULT_MISSING, MISSING_STRATEGIES, FeatureMatrix, prepare_features
from .quality import ColumnReport, QualityReport, check_quality, parse_numeric
from .segmentation import (
    CLUSTER_COLUMN,
    Segmentation,
    clustered_table,
    resolve_mapping,
    segment_new,
    segment_with_model,
)
from .rfm import CustomerTable, OrderColumns, build_customers, looks_like_orders
from .selection import SweepResult, find_elbow, silhouette, sweep_k

__all__ = [
    "CLUSTER_COLUMN", "ColumnReport", "DEFAULT_MISSING", "DEFAULT_MODEL_PATH", "DEMO_FEATURES", "DEMO_PATH",
    "DataError", "FeatureError", "FeatureMatrix", "MISSING_STRATEGIES", "MissingValuesError", "ModelError",
    "ModelFeatureError", "ModelInfo", "OrdersError", "OrderColumns", "CustomerTable", "build_customers",
    "looks_like_orders", "NotEnoughRowsError", "QualityReport", "ReadError", "Segmentation",
    "SegmentsError", "SweepResult", "TableRead", "UnsafeModelError", "build_segmenter", "bundle_bytes",
    "check_quality", "clustered_table", "display_cluster", "escape_formula", "escape_formulas", "find_elbow",
    "fit_segmenter", "generate_demo", "load_bundle", "load_model_file", "load_shipped_model", "parse_numeric",
    "prepare_features", "read_table", "resolve_mapping", "segment_new", "segment_with_model", "silhouette",
    "sweep_k", "to_csv_bytes", "iter_csv", "write_csv",
]
