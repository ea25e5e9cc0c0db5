"""The pipeline step of :mod:`core.transform` (:class:`FeatureTransform`), kept apart because it needs
scikit-learn: the data check and ``segments inspect`` use :mod:`core.transform` without importing it.
``from core.transform import FeatureTransform`` still works (and pickles name it so).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin

from .transform_kinds import TRANSFORMS, apply_transform, invert_transform

__all__ = ["FeatureTransform"]


class FeatureTransform(TransformerMixin, BaseEstimator):
    """A per-column transform, the pipeline's first step (before ``StandardScaler``).

    Parameters
    ----------
    transforms : sequence of str
        One of :data:`TRANSFORMS` per feature, in feature order. Empty means ``none`` for every feature.

    The transforms have no learned parameters; ``fit`` checks the shape only. ``transform`` returns its
    input unchanged (no copy) when every transform is ``none``.
    """

    def __init__(self, transforms: Sequence[str] = ()) -> None:
        self.transforms = transforms

    def _kinds(self, width: int) -> list[str]:
        kinds = list(self.transforms) or ["none"] * width
        if len(kinds) != width:
            raise ValueError(f"{len(kinds)} transforms for {width} features.")
        unknown = [t for t in kinds if t not in TRANSFORMS]
        if unknown:
            raise ValueError(f"Unknown transform {unknown[0]!r}.")
        return kinds

    def fit(self, X: np.ndarray, y: object = None) -> "FeatureTransform":
        """Check the number of columns; learn nothing else."""
        X = np.asarray(X)
        self._kinds(X.shape[1])
        self.n_features_in_ = X.shape[1]
        return self

    def _apply(self, X: np.ndarray, inverse: bool) -> np.ndarray:
        X = np.asarray(X, dtype=float)
        kinds = self._kinds(X.shape[1])
        if all(kind == "none" for kind in kinds):
            return X
        out = np.array(X, dtype=float, copy=True)
        with np.errstate(invalid="ignore", over="ignore"):
            for j, kind in enumerate(kinds):
                if kind != "none":
                    out[:, j] = invert_transform(kind, X[:, j]) if inverse else apply_transform(kind, X[:, j])
        return out

    def transform(self, X: np.ndarray) -> np.ndarray:
        """The transformed columns."""
        return self._apply(X, inverse=False)

    def inverse_transform(self, X: np.ndarray) -> np.ndarray:
        """Back to the original units (for centroids)."""
        return self._apply(X, inverse=True)

    @property
    def active(self) -> bool:
        """Some column is transformed."""
        return any(kind != "none" for kind in self.transforms)


FeatureTransform.__module__ = "core.transform"  # its public home: pickles and reprs name it there
