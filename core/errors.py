"""Core's exception types.

Every error core raises on bad input is a :class:`SegmentsError` whose message is written for a
marketing analyst: it says what is wrong with *their* file or settings and what to do about it.
The dashboard shows ``str(error)`` in an alert; the command line prints ``error: <message>``.
"""

from __future__ import annotations

__all__ = [
    "SegmentsError",
    "ReadError",
    "DataError",
    "MissingValuesError",
    "NotEnoughRowsError",
    "FeatureError",
    "OrdersError",
    "ModelError",
    "ModelFeatureError",
    "UnsafeModelError",
]


class SegmentsError(Exception):
    """Base class of every error core raises about the user's input."""


class ReadError(SegmentsError):
    """The file could not be read as a table (empty, binary, wrong format, malformed)."""


class DataError(SegmentsError):
    """The table was read but cannot be segmented as asked."""


class MissingValuesError(DataError):
    """Missing values were found and the chosen strategy is ``error``.

    Attributes
    ----------
    counts : dict[str, int]
        Number of missing (or unusable) cells per affected column.
    """

    def __init__(self, message: str, counts: dict[str, int]):
        super().__init__(message)
        self.counts = counts


class NotEnoughRowsError(DataError):
    """Fewer usable customers than the number of segments asked for."""


class FeatureError(DataError):
    """A chosen column does not exist or is not numeric."""


class OrdersError(DataError):
    """An order (transactions) file cannot be turned into a customer table (:mod:`core.rfm`)."""


class ModelError(SegmentsError):
    """A saved model could not be read or used."""


class ModelFeatureError(ModelError):
    """The file lacks (or has unusable) columns that the model expects.

    Attributes
    ----------
    missing : list[str]
        The model features that no column of the file provides.
    """

    def __init__(self, message: str, missing: list[str]):
        super().__init__(message)
        self.missing = missing


class UnsafeModelError(ModelError):
    """A model file in a format that can run code when loaded (pickle, joblib) was refused."""
