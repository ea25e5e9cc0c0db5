"""The transforms themselves: their names and the functions that apply and undo them (numpy only).

Apart from :mod:`core.transform` so that the pipeline step (:mod:`core.transform_step`, which needs
scikit-learn) can use them without importing :mod:`core.transform`, which imports the step on first use.
"""

from __future__ import annotations

import numpy as np

__all__ = ["TRANSFORMS", "LOG_SCALES", "apply_transform", "invert_transform", "log_ticks", "log_axis_ticks"]

#: The transforms a feature can have.
TRANSFORMS: tuple[str, ...] = ("none", "log", "signed_log")
#: The transforms whose features charts draw on their own (log) scale, ticked in the feature's units.
LOG_SCALES: tuple[str, ...] = ("log", "signed_log")


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


def log_ticks(low: float, high: float, transform: str, most: int = 8) -> list[float]:
    """Round values of the feature's own units (0, 1, 2, 5, 10, 20, 50, ... and their negatives) between the
    scaled positions ``low`` and ``high``, for an axis drawn on the scale of ``transform``; at most ``most``
    (1, 10, 100 ... when 1-2-5 would be too many)."""
    start, stop = float(invert_transform(transform, np.array([low]))[0]), \
        float(invert_transform(transform, np.array([high]))[0])
    reach = max(abs(start), abs(stop), 1.0)
    for steps in ((1, 2, 5), (1, 3), (1,)):
        magnitudes = [m * 10.0 ** e for e in range(0, int(np.ceil(np.log10(reach))) + 1) for m in steps]
        ticks = sorted({0.0, *magnitudes, *(-m for m in magnitudes)})
        ticks = [t for t in ticks if start <= t <= stop]
        if len(ticks) <= most:
            return ticks
    return ticks[:: int(np.ceil(len(ticks) / most))]


def log_axis_ticks(low: float, high: float, transform: str) -> list[tuple[float, str]]:
    """An axis drawn on the scale of ``transform`` between the scaled positions ``low`` and ``high``: each tick's
    position on that scale and its label in the feature's own units (:func:`log_ticks`; ``1,000``)."""
    ticks = log_ticks(low, high, transform)
    positions = apply_transform(transform, np.asarray(ticks, dtype=float))
    return [(float(at), f"{value:,.10g}") for at, value in zip(positions, ticks)]
