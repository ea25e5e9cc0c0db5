"""Comparing two segmentations of the same customers: a cross-table and the adjusted Rand index.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.metrics import adjusted_rand_score

from ..model import DISPLAY_OFFSET
from ..stats import NOT_SCORED

__all__ = ["Comparison", "compare_labels"]

@dataclass(frozen=True)
class Comparison:
    """Two segmentations of the same customers side by side.

    Attributes
    ----------
    table : pandas.DataFrame
        Customers per pair of clusters: rows are ``name_a``'s clusters, columns ``name_b``'s (numbers
        as shown; the index and columns are named after the segmentations).
    adjusted_rand : float
        Adjusted Rand index of the two labellings (1 = the same segments, about 0 = unrelated; NaN
        with no customer in both).
    rows : int
        Customers compared (those with a segment in both).
    name_a, name_b : str
    summary : str
        The agreement in words.
    """

    table: pd.DataFrame
    adjusted_rand: float
    rows: int
    name_a: str
    name_b: str
    summary: str


def compare_labels(a: np.ndarray, b: np.ndarray, name_a: str, name_b: str) -> Comparison:
    """Cross-tabulate two labellings (internal labels, -1 = no segment) of the same customers.

    Rows where either labelling is -1 are left out.

    Raises
    ------
    ValueError
        The labellings have different lengths.
    """
    a = np.asarray(a).ravel()
    b = np.asarray(b).ravel()
    if a.shape != b.shape:
        raise ValueError(f"Both segmentations must label the same customers: {a.size:,} and {b.size:,} "
                         "labels.")
    keep = (a != NOT_SCORED) & (b != NOT_SCORED)
    shown_a = pd.Series(a[keep].astype(np.int64) + DISPLAY_OFFSET, name=name_a)
    shown_b = pd.Series(b[keep].astype(np.int64) + DISPLAY_OFFSET, name=name_b)
    table = pd.crosstab(shown_a, shown_b)
    rows = int(keep.sum())
    ari = float(adjusted_rand_score(shown_a, shown_b)) if rows else float("nan")
    if not rows:
        summary = f"No customer has a segment in both {name_a} and {name_b}."
    elif ari >= 0.9:
        summary = f"{name_a} and {name_b} give nearly the same segments (adjusted Rand {ari:.2f})."
    elif ari >= 0.6:
        summary = f"{name_a} and {name_b} largely agree (adjusted Rand {ari:.2f})."
    elif ari >= 0.3:
        summary = f"{name_a} and {name_b} partly agree (adjusted Rand {ari:.2f})."
    else:
        summary = f"{name_a} and {name_b} split the customers very differently (adjusted Rand {ari:.2f})."
    return Comparison(table, ari, rows, name_a, name_b, summary)
