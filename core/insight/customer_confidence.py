"""Confidence per customer: how clearly each customer belongs to their segment (borderline customers).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from sklearn.metrics import silhouette_samples

from ..model import scaled_centers
from ..stats import NOT_SCORED

if TYPE_CHECKING:  # for the type checker only: never imported at run time (core.segmentation imports this package)
    from ..segmentation import Segmentation

__all__ = ["confidence", "for_export", "EXPORT_DECIMALS", "EXACT_SILHOUETTE_MAX_ROWS", "BORDERLINE_MARGIN",
           "BORDERLINE_SILHOUETTE"]

#: Up to this many scored customers the per-customer silhouette is exact.
EXACT_SILHOUETTE_MAX_ROWS = 5_000
#: Borderline when the second-nearest centre is less than this fraction farther than the own centre.
BORDERLINE_MARGIN = 0.25
#: Borderline when the customer's silhouette is below this.
BORDERLINE_SILHOUETTE = 0.1
#: Decimals of distance, margin and silhouette in every file written for people (the command line's outputs and
#: the dashboard's downloads alike): 0.4873, not 0.48733907218447474.
EXPORT_DECIMALS = 4
_TINY_DISTANCE = 1e-12
_CHUNK_ROWS = 100_000


def confidence(seg: Segmentation) -> pd.DataFrame:
    """How clearly each customer belongs to their segment.

    Returns
    -------
    pandas.DataFrame
        One row per input row, in the same order (a default 0..n-1 index); NaN (``<NA>`` for
        ``borderline``) for rows without a segment. Columns:

        ``distance``
            To the own segment's centre, in standardised units.
        ``margin``
            Distance to the second-nearest centre minus ``distance`` (NaN with one segment).
        ``silhouette``
            The customer's silhouette (-1..1): exact up to :data:`EXACT_SILHOUETTE_MAX_ROWS` scored
            customers, above that the simplified silhouette ``(b - a) / max(a, b)`` with ``a`` the
            distance to the own centre and ``b`` to the nearest other centre.
        ``borderline``
            ``margin < BORDERLINE_MARGIN * distance`` (the next centre is less than 25% farther
            away) or ``silhouette < BORDERLINE_SILHOUETTE`` (0.1).
    """
    labels_all = np.asarray(seg.labels)
    n_all = labels_all.size
    X, labels = seg.scored_matrix()
    scaler = seg.pipeline[:-1]  # the transforms (if any) and the scaler: the space K-Means measures in
    centers = scaled_centers(seg.pipeline)
    k = centers.shape[0]
    own = np.full(labels.size, np.nan)
    second = np.full(labels.size, np.nan)
    squared_centers = np.square(centers).sum(axis=1)
    for start in range(0, labels.size, _CHUNK_ROWS):
        part = slice(start, start + _CHUNK_ROWS)
        scaled = scaler.transform(X[part])
        # squared distances as |x|^2 - 2 x.c + |c|^2: one matrix product per step, no (rows, k, features) block
        dist = np.square(scaled).sum(axis=1)[:, None] - 2.0 * (scaled @ centers.T) + squared_centers
        np.sqrt(np.maximum(dist, 0.0, out=dist), out=dist)
        index = np.arange(dist.shape[0])
        own[part] = dist[index, labels[part]]
        if k > 1:
            dist[index, labels[part]] = np.inf
            second[part] = dist.min(axis=1)
    margin = second - own
    sil = np.full(labels.size, np.nan)
    if k > 1 and labels.size:
        if labels.size <= EXACT_SILHOUETTE_MAX_ROWS and 2 <= np.unique(labels).size <= labels.size - 1:
            sil = np.asarray(silhouette_samples(scaler.transform(X), labels), dtype=float)
        else:
            top = np.maximum(own, second)
            with np.errstate(invalid="ignore", divide="ignore"):
                sil = np.where(top > 0, (second - own) / np.where(top > 0, top, 1), 0.0)
    with np.errstate(invalid="ignore"):
        border = (margin < BORDERLINE_MARGIN * np.maximum(own, _TINY_DISTANCE)) \
            | (sil < BORDERLINE_SILHOUETTE)
    if labels.size == n_all:  # every row has a segment: the arrays are the columns
        columns = {"distance": own, "margin": margin, "silhouette": sil}
        flag = pd.arrays.BooleanArray(border, np.zeros(n_all, dtype=bool))
    else:
        rows = np.flatnonzero(labels_all != NOT_SCORED)
        columns = {}
        for name, values in (("distance", own), ("margin", margin), ("silhouette", sil)):
            columns[name] = np.full(n_all, np.nan)
            columns[name][rows] = values
        flag = pd.arrays.BooleanArray(np.zeros(n_all, dtype=bool), np.ones(n_all, dtype=bool))
        flag[rows] = border
    out = pd.DataFrame(columns, copy=False)
    out["borderline"] = flag
    return out


def for_export(table: pd.DataFrame) -> pd.DataFrame:
    """:func:`confidence`'s table as files give it: distance, margin and silhouette rounded to
    :data:`EXPORT_DECIMALS` (the borderline flag, decided on the exact values, unchanged)."""
    out = table.copy()
    for column in ("distance", "margin", "silhouette"):
        out[column] = out[column].round(EXPORT_DECIMALS)
    return out
