"""The transforms themselves: their names and the functions that apply and undo them (numpy only).

Apart from :mod:`core.transform` so that the pipeline step (:mod:`core.transform_step`, which needs
scikit-learn) can use them without importing :mod:`core.transform`, which imports the step on first use.
"""

from __future__ import annotations

import numpy as np

__all__ = ["TRANSFORMS", "apply_transform", "invert_transform"]

#: The transforms a feature can have.
TRANSFORMS: tuple[str, ...] = ("none", "log", "signed_log")


def apply_transform(transform: str, x: np.ndarray) -> np.ndarray:
    """The transformed values (a new array; ``none`` returns ``x`` itself)."""
    if transform == "log":
        return np.log1p(x)
    if transform == "signed_log":
        return np.sign(x) * np.log1p(np.abs(x))
    return x


def invert_transform(transform: str, y: np.ndarray) -> np.ndarray:
    """The values before :func:`apply_transform` (a new array; ``none`` returns ``y`` itself)."""
    if transform == "log":
        return np.expm1(y)
    if transform == "signed_log":
        return np.sign(y) * np.expm1(np.abs(y))
    return y
