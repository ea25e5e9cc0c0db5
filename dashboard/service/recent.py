"""The per-worker memory of recent cache entries, and how big an entry is.

A worker keeps the few datasets and results it used last as Python objects, so a request does not
unpickle a large frame from the shared cache again. Entries never change once written (a key names a
token and exactly what was computed), so a kept copy is never stale; :mod:`.store` only uses it while
the shared cache still holds the key, so an evicted or expired entry reads as gone on every worker alike.
"""

from __future__ import annotations

import dataclasses
import itertools
import sys
import threading
from collections import OrderedDict
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["Recent", "entry_bytes", "SMALL_ENTRY_BYTES"]

#: What :func:`entry_bytes` counts for anything it does not look into (a number, a short string, a class).
SMALL_ENTRY_BYTES = 256
#: How many items of a list or an object column :func:`entry_bytes` measures (the rest are assumed alike).
_SAMPLED_ITEMS = 64
#: How deep :func:`entry_bytes` looks into objects (a Segmentation's K-Means labels are 5 levels down).
_SIZED_DEPTH = 6


def entry_bytes(value: Any) -> int:
    """About how much memory a cache entry holds, in bytes, in time that does not grow with its rows.

    Numpy arrays count their ``nbytes`` (an array that is a view counts the array it views, once,
    however many views an entry holds: ``matrix.X`` is often ``matrix.values``); a pandas frame or
    series counts ``memory_usage(deep=False)``, which for pyarrow-backed columns (pandas 3's ``str``)
    is their whole Arrow data, and for object columns (Python objects, which ``deep=True`` would
    visit one by one) adds the size of the first :data:`_SAMPLED_ITEMS` values times the rows.
    Dataclasses and other objects (a Dataset, a Segmentation and its scikit-learn pipeline) count
    their attributes, lists and dicts their items (the first :data:`_SAMPLED_ITEMS`, scaled to all),
    down to :data:`_SIZED_DEPTH` levels; strings and bytes their length; anything else
    :data:`SMALL_ENTRY_BYTES`. Meant for budgeting memory, not for accounting: it is an estimate.
    """
    return _sized(value, set(), 0)


def _sized(value: Any, seen: set[int], depth: int) -> int:
    if isinstance(value, np.ndarray):
        root = value
        while isinstance(root.base, np.ndarray):
            root = root.base
        if id(root) in seen:
            return 0
        seen.add(id(root))
        return int(root.nbytes) + (_sampled_bytes(root.flat, root.size) if root.dtype == object else 0)
    if isinstance(value, (pd.DataFrame, pd.Series)):
        if id(value) in seen:
            return 0
        seen.add(id(value))
        return _frame_bytes(value.to_frame() if isinstance(value, pd.Series) else value)
    if isinstance(value, (str, bytes, bytearray)):
        return len(value) + SMALL_ENTRY_BYTES
    if depth >= _SIZED_DEPTH or isinstance(value, type) or id(value) in seen:
        return SMALL_ENTRY_BYTES
    seen.add(id(value))
    if isinstance(value, dict):
        parts: list[Any] = list(value.values())
    elif isinstance(value, (list, tuple, set, frozenset)):
        parts = list(value)
    elif hasattr(value, "__dict__"):
        parts = list(vars(value).values())  # also a frozen dataclass's cached properties
    elif dataclasses.is_dataclass(value):
        parts = [getattr(value, f.name) for f in dataclasses.fields(value)]
    else:
        return SMALL_ENTRY_BYTES
    measured = sum(_sized(part, seen, depth + 1) for part in parts[:_SAMPLED_ITEMS])
    scale = len(parts) / _SAMPLED_ITEMS if len(parts) > _SAMPLED_ITEMS else 1
    return SMALL_ENTRY_BYTES + int(measured * scale)


def _frame_bytes(frame: pd.DataFrame) -> int:
    """A frame's :func:`entry_bytes`: O(columns), never a pass over every cell."""
    total = int(frame.memory_usage(index=True, deep=False).sum())
    for position, dtype in enumerate(frame.dtypes):
        python_objects = dtype == object or (isinstance(dtype, pd.StringDtype) and dtype.storage == "python")
        if python_objects:
            column = frame.iloc[:_SAMPLED_ITEMS, position]
            total += _sampled_bytes(column, len(frame))
    return total


def _sampled_bytes(values: Any, count: int) -> int:
    """``count`` times the mean ``sys.getsizeof`` of the first :data:`_SAMPLED_ITEMS` of ``values``."""
    sample = list(itertools.islice(values, _SAMPLED_ITEMS))
    if not sample:
        return 0
    return int(sum(sys.getsizeof(v) for v in sample) / len(sample) * count)


class Recent:
    """A small per-process memory of recently used entries, in front of the shared cache.

    It keeps at most ``size`` entries and, beyond the ``keep`` most recent ones, no more than about
    ``budget`` bytes (:func:`entry_bytes`): the least recently used go first. The ``keep`` most recent
    always stay, whatever their size: a request uses a dataset and its segmentation together, and
    dropping them would make every request unpickle a large frame again.
    """

    def __init__(self, size: int, budget: int, keep: int = 2) -> None:
        self.size = size
        self.budget = budget
        self.keep = keep
        self.items: OrderedDict[str, tuple[Any, int]] = OrderedDict()
        self.total = 0  # the sum of the kept entries' sizes
        self.lock = threading.Lock()

    def get(self, key: str) -> Any:
        with self.lock:
            if key in self.items:
                self.items.move_to_end(key)
                return self.items[key][0]
        return None

    def put(self, key: str, value: Any) -> None:
        nbytes = entry_bytes(value)  # outside the lock: entries never change, and other threads need not wait
        with self.lock:
            _, previous = self.items.pop(key, (None, 0))
            self.items[key] = (value, nbytes)
            self.total += nbytes - previous
            while len(self.items) > self.keep and (len(self.items) > self.size or self.total > self.budget):
                _, (_, dropped) = self.items.popitem(last=False)
                self.total -= dropped

    def clear(self) -> None:
        with self.lock:
            self.items.clear()
            self.total = 0
