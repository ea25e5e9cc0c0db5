"""Does a pre-trained model fit these customers? The file's values against the model's training data.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..persist import ModelInfo
from ..text import percent

__all__ = ["RangeCheck", "out_of_range", "OUTSIDE_SHARE_WARN", "SHIFT_SD_WARN"]

#: Warn when more than this share of a feature's values lie outside the training range.
OUTSIDE_SHARE_WARN = 0.10
#: Warn when a feature's mean moved more than this many training standard deviations.
SHIFT_SD_WARN = 1.0


@dataclass(frozen=True)
class RangeCheck:
    """How a file's customers compare with a pre-trained model's training data.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per feature: ``feature``, ``below`` / ``above`` / ``outside`` (share of rows under the
        training minimum, over the maximum, either), ``mean`` (this file), ``train_mean``,
        ``train_min``, ``train_max``, ``shift_sd`` ((mean - train mean) / train standard deviation,
        signed: positive means this file's customers are higher; NaN when unknown).
    warning : str | None
        Set when the model probably does not fit these customers (see :data:`OUTSIDE_SHARE_WARN`,
        :data:`SHIFT_SD_WARN`).
    """

    table: pd.DataFrame
    warning: str | None


def _stat(stats: dict[str, float], feature: str, fallback: str | None) -> float:
    if feature in stats:
        return float(stats[feature])
    if fallback is not None and fallback in stats:
        return float(stats[fallback])
    return float("nan")


def out_of_range(X: np.ndarray, info: ModelInfo, features: Sequence[str],
                 model: str = "pre-trained model") -> RangeCheck:
    """Compare a file's feature values with the training data of the model applied to it.

    Parameters
    ----------
    X : numpy.ndarray
        ``(rows, features)`` in original units: the rows the model scored, columns in the model's order.
    info : ModelInfo
        The model's description with its training means, standard deviations, minima and maxima.
    features : sequence of str
        A name per column of ``X``. Training statistics are looked up by this name, or else by the
        model's feature in the same position; a feature without statistics is not checked.
    model : str
        The model in the warning's words (``saved model``: a saved segmentation's, applied to next month's file).

    Returns
    -------
    RangeCheck
        With a warning when any feature has more than :data:`OUTSIDE_SHARE_WARN` of its rows outside
        the training range or its mean more than :data:`SHIFT_SD_WARN` training SD away.
    """
    X = np.asarray(X, dtype=float)
    features = [str(f) for f in features]
    if X.ndim != 2 or X.shape[1] != len(features):
        raise ValueError(f"X must have one column per feature ({len(features)}); got shape {X.shape}.")
    rows = X.shape[0]
    records = []
    for j, feature in enumerate(features):
        model_name = info.features[j] if j < len(info.features) else None
        lo, hi = _stat(info.mins, feature, model_name), _stat(info.maxs, feature, model_name)
        mu, sd = _stat(info.means, feature, model_name), _stat(info.stds, feature, model_name)
        values = X[:, j]
        below = float(np.mean(values < lo)) if rows and np.isfinite(lo) else float("nan")
        above = float(np.mean(values > hi)) if rows and np.isfinite(hi) else float("nan")
        mean = float(values.mean()) if rows else float("nan")
        if not (np.isfinite(mean) and np.isfinite(mu) and np.isfinite(sd)):
            shift = float("nan")
        elif sd > 0:
            shift = (mean - mu) / sd
        else:
            shift = 0.0 if mean == mu else float(np.sign(mean - mu) * np.inf)
        records.append({"feature": feature, "below": below, "above": above, "outside": below + above,
                        "mean": mean, "train_mean": mu, "train_min": lo, "train_max": hi, "shift_sd": shift})
    table = pd.DataFrame.from_records(records, columns=["feature", "below", "above", "outside", "mean",
                                                        "train_mean", "train_min", "train_max", "shift_sd"])
    issues: list[tuple[float, str]] = []  # (how far over its threshold, words)
    for row in table.itertuples(index=False):
        if np.isfinite(row.outside) and row.outside > OUTSIDE_SHARE_WARN:
            issues.append((row.outside / OUTSIDE_SHARE_WARN,
                           f"{percent(row.outside, short=True)} of the '{row.feature}' values lie outside the training "
                           f"range ({row.train_min:g} to {row.train_max:g})"))
        if not np.isnan(row.shift_sd) and abs(row.shift_sd) > SHIFT_SD_WARN:
            amount = "far" if np.isinf(row.shift_sd) else f"{abs(row.shift_sd):.1f} standard deviations"
            way = "higher" if row.shift_sd > 0 else "lower"
            issues.append((min(abs(row.shift_sd), 1e9) / SHIFT_SD_WARN,
                           f"the average '{row.feature}' is {amount} {way} than in the training data"))
    warning = None
    if issues:
        listed = [text for _, text in sorted(issues, key=lambda item: -item[0])[:3]]
        if len(issues) > len(listed):
            listed.append(f"{len(issues) - len(listed)} more difference{'s' if len(issues) > 4 else ''}")
        details = "; ".join(listed)
        trained = f" ({info.trained_on})" if info.trained_on else ""
        warning = (f"The {model} probably does not fit these customers: they differ from the "
                   f"customers it was trained on{trained}. {details[0].upper()}{details[1:]}. Its segments "
                   "may describe them poorly; consider training a new model on this file.")
        from ..rfm import growing_totals_note  # (the order reader's names of measures; imported only to warn)

        warning += growing_totals_note(info.features, table.loc[table["above"] > OUTSIDE_SHARE_WARN, "feature"])
    return RangeCheck(table, warning)
