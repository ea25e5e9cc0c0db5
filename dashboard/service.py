"""Server-side state: datasets, segmentations and sweeps in flask-caching, keyed by unguessable tokens.

Keys are ``<kind>:<dataset token>:<sha256 of the settings>``; the browser only ever holds the token
and the settings (in the URL). Values are written by this server only (the cache must be private:
every flask-caching backend unpickles what it stores). Entries expire after ``CACHE_TIMEOUT``.

Pages and routes call the functions here; they call :mod:`core` for all clustering.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import itertools
import logging
import secrets
import shutil
import sys
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, TypeVar

import numpy as np
import pandas as pd
from flask_caching import Cache

from core import (
    ModelInfo,
    SavedModel,
    bundle_bytes,
    load_bundle,
    QualityReport,
    Segmentation,
    SweepResult,
    OrderColumns,
    TableRead,
    build_customers,
    check_quality,
    load_shipped_model,
    prepare_features,
    read_table,
    resolve_mapping,
    segment_new,
    segment_with_model,
    sweep_k,
)
from core.errors import DataError, FeatureError, SegmentsError
from core.quality import without_first_row
from core.model import standardised
from core.insight import Stability, confidence, stability

from . import library
from .settings import Settings
from .state import PCA, ViewState, distinct_axes

__all__ = [
    "DISK_FULL_MESSAGE",
    "store_problem",
    "cache",
    "Dataset",
    "DatasetGone",
    "StoreUnavailable",
    "new_token",
    "store_table",
    "get_dataset",
    "store_customer_table",
    "store_without_description_row",
    "resolve_state",
    "resolve_mapping_for",
    "get_segmentation",
    "has_segmentation",
    "get_sweep",
    "get_confidence",
    "put_selection",
    "get_selection",
    "get_stability",
    "pretrained_model",
    "applied_model",
    "store_bundle",
    "model_bundle",
    "ModelGone",
    "entry_bytes",
    "configure_local",
]

log = logging.getLogger(__name__)
cache = Cache()
T = TypeVar("T")


class DatasetGone(SegmentsError):
    """The token is unknown or its data expired."""

    def __init__(self) -> None:
        super().__init__("This data is no longer on the server (links keep data for a limited time). "
                         "Upload the file again to continue.")


class StoreUnavailable(SegmentsError):
    """The cache backend (Redis or the cache folder) failed."""

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or "The server's data store is not answering right now. Your data is not lost "
                                    "if it was stored before; try again in a moment.")


DISK_FULL_MESSAGE = ("The server's storage for uploaded data is full, so this could not be saved. Nothing you stored "
              "before is lost; try again later, or ask your administrator to free space in CACHE_DIR.")


@dataclass(frozen=True)
class Dataset:
    """An uploaded table and its data check."""

    token: str
    name: str
    table: TableRead
    report: QualityReport

    @property
    def frame(self):  # type: ignore[no-untyped-def]
        """The table's text cells."""
        return self.table.frame


def settings() -> Settings:
    """The running app's settings (background jobs run outside a request, so through the cache's app)."""
    return cache.app.config["SEGMENTS_SETTINGS"]  # type: ignore[no-any-return, union-attr]


def new_token() -> str:
    """A dataset token: 192 random bits, URL-safe."""
    return secrets.token_urlsafe(24)


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


class _Recent:
    """A small per-process memory of recently used entries, in front of the shared cache.

    Entries never change once written (a key names a token and the exact settings), so a copy kept
    here is never stale; it is only used while the shared cache still holds the key, so an evicted
    or expired dataset reads as gone on every worker alike. It saves unpickling a large frame on
    every request (a table page, an axis change).

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


_recent = _Recent(size=6, budget=1024 * 1024 * 1024)


def configure_local(settings: Settings) -> None:
    """Size this process's memory of recent entries from the settings (the app factory calls it)."""
    _recent.budget = settings.local_cache_bytes


def _get(key: str) -> Any:
    try:
        local = _recent.get(key)
        if local is not None and cache.has(key):
            return local
        value = cache.get(key)
    except Exception:  # the backend failed (Redis down, disk error): say so, never crash
        log.warning("cache read failed for a %s entry", key.split(":", 1)[0], exc_info=True)
        raise StoreUnavailable() from None
    if value is not None:
        _recent.put(key, value)
    return value


def _set(key: str, value: Any) -> None:
    try:
        ok = cache.set(key, value)
    except Exception:
        log.warning("cache write failed for a %s entry", key.split(":", 1)[0], exc_info=True)
        raise StoreUnavailable() from None
    if ok is False:
        log.warning("cache write refused for a %s entry", key.split(":", 1)[0])
        raise StoreUnavailable(DISK_FULL_MESSAGE if _disk_nearly_full() else None)
    _recent.put(key, value)


def store_problem() -> str | None:
    """What is wrong with the data store right now, in words for the user (Redis or the broker not
    answering, the cache disk full), or None when it answers and has room."""
    try:
        cache.set("health:probe", "ok", timeout=60)
        answering = cache.get("health:probe") == "ok"
    except Exception:
        answering = False
    if _disk_nearly_full():
        return DISK_FULL_MESSAGE
    return None if answering else str(StoreUnavailable())


def _disk_nearly_full() -> bool:
    """Whether the file cache's disk has (almost) no room left."""
    current = settings()
    if current.redis_url:
        return False
    try:
        return shutil.disk_usage(current.cache_dir / "data").free < 16 * 1024 * 1024
    except OSError:
        return False


def forget_dataset(token: str) -> None:
    """Drop a data set from the cache (its saved copy was deleted: the link must stop working now)."""
    try:
        cache.delete(f"ds:{token}")
    except Exception:
        log.warning("could not drop a deleted data set from the cache", exc_info=True)


def forget_local() -> None:
    """Drop this process's copies (tests use it to simulate another worker)."""
    _recent.clear()


def store_table(table: TableRead, name: str) -> Dataset:
    """Check a table and keep it on the server under a new token."""
    dataset = Dataset(new_token(), name, table, check_quality(table.frame, table.decimal))
    _set(f"ds:{dataset.token}", dataset)
    return dataset


def read_and_store(source: Any, name: str, max_rows: int | None, max_columns: int | None,
                   max_cells: int | None = None) -> Dataset:
    """Read a file (bytes or path), check it and store it. Raises core's ReadError on bad files."""
    table = read_table(source, name, max_rows=max_rows, max_columns=max_columns, max_cells=max_cells)
    return store_table(table, name)


#: What the table's notes say once the user left out a description row.
DESCRIPTION_ROW_LEFT_OUT = "The first row under the header described the columns; it was left out of the table, as you chose."


def store_without_description_row(dataset: Dataset) -> Dataset:
    """Keep a copy of a dataset without its first row, which the data check found to describe the columns
    (:attr:`core.QualityReport.description_row`), under a new token; the original stays as it was.
    Raises :class:`core.DataError` when the data check found no such row (nothing is ever left out unasked)."""
    if not dataset.report.description_row:
        raise DataError("The first row under the header holds a customer, not descriptions of the columns: "
                        "nothing was left out.")
    table = replace(dataset.table, frame=without_first_row(dataset.frame),
                    warnings=[*dataset.table.warnings, DESCRIPTION_ROW_LEFT_OUT])
    return store_table(table, dataset.name)


#: TableRead.file_format of a customer table built from an order file (no file of its own).
CUSTOMER_TABLE_FORMAT = "customer table"


def store_customer_table(orders: Dataset, columns: OrderColumns, as_of: str | None) -> Dataset:
    """Build the customer table (:func:`core.build_customers`) of an order file and keep it as a new dataset,
    like an upload: the model, clusters and downloads pages then run on it. Its table's warnings carry what
    the build found (returns, lines left out...). Raises core's OrdersError/FeatureError with the reason."""
    result = build_customers(orders.frame, columns, as_of=as_of or None, decimal=orders.table.decimal)
    table = TableRead(result.to_text_frame(), CUSTOMER_TABLE_FORMAT, None, None, ".", list(result.notes))
    stem = orders.name.rsplit(".", 1)[0] if "." in orders.name else orders.name
    return store_table(table, f"{stem}-customers.csv")


def get_dataset(token: str | None) -> Dataset:
    """The dataset behind a token; :class:`DatasetGone` if unknown or expired."""
    if not token:
        raise DatasetGone()
    dataset = _get(f"ds:{token}")
    if not isinstance(dataset, Dataset) or dataset.token != token:
        dataset = _from_library(token)
    return dataset


def _from_library(token: str) -> Dataset:
    """A saved data set the cache no longer holds, read back from the library and cached again under its
    own token: a saved segmentation's links never expire. DatasetGone when the library has none."""
    try:
        found = library.load_table(token)
    except library.LibraryUnavailable:
        raise
    except SegmentsError:
        found = None
    if found is None:
        raise DatasetGone()
    name, table = found
    dataset = Dataset(token, name, table, check_quality(table.frame, table.decimal))
    try:
        _set(f"ds:{token}", dataset)
    except StoreUnavailable:
        log.warning("a saved data set was read from the library but could not be cached")
    return dataset


def resolve_state(state: ViewState, dataset: Dataset) -> ViewState:
    """Fill in what the URL left to defaults: features from the data check, axes from the features.

    Features the file does not have as numeric columns are dropped from the state.
    """
    numeric = set(dataset.report.numeric_columns) | set(dataset.report.derived_features)
    features = tuple(f for f in state.features if f in numeric) or tuple(dataset.report.default_features)
    if state.applies_model:
        try:
            chosen = resolve_mapping_for(dataset, state)
            features = tuple(chosen[f] for f in applied_model(state)[1].features)
        except SegmentsError:
            pass
    x, y = distinct_axes(list(features) + ([PCA] if len(features) > 2 else []), state.x, state.y)
    return state.with_(features=features, x=x, y=y, transforms=resolve_transforms(dataset, state, features))


def resolve_transforms(dataset: Dataset, state: ViewState, features: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """Each feature's transform (the link's choice, else the data check's proposal), keeping only those a link
    must carry: the transformed features and the proposals the user turned off."""
    proposed = dataset.report.proposed_transforms_for(features)
    chosen = {**proposed, **{f: t for f, t in state.transform_dict.items() if f in proposed}}
    return tuple((f, t) for f, t in chosen.items() if t != "none" or proposed[f] != "none")


def transforms_for(state: ViewState) -> dict[str, str]:
    """``{feature: transform}`` of a resolved state's features (``none`` where the state names none)."""
    given = state.transform_dict
    return {f: given.get(f, "none") for f in state.features}


def resolve_mapping_for(dataset: Dataset, state: ViewState) -> dict[str, str]:
    """``{applied model feature: file column}`` for the state's mapping (ModelFeatureError if incomplete)."""
    _, info = applied_model(state)
    return resolve_mapping([str(c) for c in dataset.frame.columns], info.features, state.mapping_dict)


class ModelGone(SegmentsError):
    """The uploaded model bundle is unknown or expired."""

    def __init__(self) -> None:
        super().__init__("The saved model for this link is no longer on the server, or none was uploaded. "
                         "Upload the model bundle (.json) again.")


def store_bundle(raw: bytes) -> tuple[str, ModelInfo]:
    """Check an uploaded model bundle (never unpickled: JSON numbers only) and keep it under a new token.

    Raises
    ------
    UnsafeModelError
        A pickle or joblib file.
    ModelError
        Anything that is not a valid bundle.
    """
    _, info = load_bundle(raw)
    token = new_token()
    _set(f"model:{token}", raw)
    return token, info


def uploaded_bundle(token: str) -> bytes | None:
    """The model bundle uploaded under ``token`` as it was (None when unknown or expired)."""
    raw = _get(f"model:{token}")
    return raw if isinstance(raw, bytes) else None


def applied_model(state: ViewState) -> SavedModel:
    """The model a state applies: the shipped one, or an uploaded bundle. ModelGone if the bundle expired."""
    if state.mode == "saved":
        raw = _get(f"model:{state.model}") if state.model else None
        if not isinstance(raw, bytes) and state.model:
            raw = library.find_model(state.model)  # a saved segmentation's model outlives the cache
        if not isinstance(raw, bytes):
            raise ModelGone()
        return load_bundle(raw)
    return pretrained_model()


def model_bundle(state: ViewState, name: str) -> bytes:
    """The state's segmentation as a model bundle another file can be scored with."""
    seg = get_segmentation(state)
    return bundle_bytes(seg.pipeline, seg.model_info(f"{name}: {int(seg.matrix.used.sum()):,} customers"))


def _key(kind: str, token: str, settings: str) -> str:
    return f"{kind}:{token}:{hashlib.sha256(settings.encode('utf-8')).hexdigest()[:32]}"


def _memoized(key: str, compute: Callable[[], T]) -> T:
    found = _get(key)
    if found is not None:
        return found  # type: ignore[no-any-return]
    value = compute()
    try:
        _set(key, value)
    except StoreUnavailable:
        log.warning("result computed but not cached")
    return value


def has_segmentation(state: ViewState, kind: str = "seg") -> bool:
    """Whether the state's segmentation (``kind="stab"``: its stability) was computed already and is still
    on the server: the model page shows it without the user asking to train again."""
    try:
        dataset = get_dataset(state.ds)
        state = resolve_state(state, dataset)
        key = _key(kind, dataset.token, state.cache_key())
        return _recent.get(key) is not None or bool(cache.has(key))
    except SegmentsError:
        return False
    except Exception:  # the store failed: the page then offers to train
        log.warning("cache check failed", exc_info=True)
        return False


def get_segmentation(state: ViewState) -> Segmentation:
    """The segmentation a (resolved or not) state asks for, computed once and then cached.

    Raises
    ------
    DatasetGone, StoreUnavailable, core.SegmentsError
        With a message for the user.
    """
    dataset = get_dataset(state.ds)
    state = resolve_state(state, dataset)
    token = dataset.token

    def compute() -> Segmentation:
        if state.applies_model:
            return segment_with_model(dataset.frame, applied_model(state), state.mapping_dict, state.missing,
                                      dataset.table.decimal)
        if not state.features:
            raise FeatureError(dataset.report.why_no_features())
        return segment_new(dataset.frame, list(state.features), state.k, state.seed, state.missing,
                           dataset.table.decimal, transforms_for(state))

    seg = _memoized(_key("seg", token, state.cache_key()), compute)
    if state.names:
        try:
            seg = seg.renamed(state.renames)
        except SegmentsError:
            log.info("ignoring invalid segment names in a link")
    return seg


def put_selection(rows: np.ndarray) -> str:
    """Keep a selection of input rows on the server; returns its token."""
    token = new_token()
    _set(f"sel:{token}", np.asarray(rows, dtype=np.int64))
    return token


def get_selection(token: str) -> np.ndarray:
    """The input rows of a kept selection (DatasetGone when unknown or expired)."""
    rows = _get(f"sel:{token}") if token else None
    if not isinstance(rows, np.ndarray):
        raise DatasetGone()
    return rows


def get_confidence(state: ViewState) -> pd.DataFrame:
    """Per-customer distance, margin, silhouette and borderline flag for the state's segmentation (cached)."""
    dataset = get_dataset(state.ds)
    resolved = resolve_state(state, dataset)
    return _memoized(_key("conf", dataset.token, resolved.cache_key()), lambda: confidence(get_segmentation(state)))


def get_stability(state: ViewState, progress: Callable[[int, int], None] | None = None) -> Stability:
    """How reproducible the state's segmentation is under resampling (cached)."""
    dataset = get_dataset(state.ds)
    resolved = resolve_state(state, dataset)

    def compute() -> Stability:
        seg = get_segmentation(state)
        return stability(seg.matrix.X, seg.k, seg.seed or 0, progress=progress, reference=seg.pipeline)

    return _memoized(_key("stab", dataset.token, resolved.cache_key()), compute)


def get_sweep(state: ViewState, progress: Callable[[int, int], None] | None = None) -> SweepResult:
    """WCSS and silhouette for k = 2..10 on the state's features (cached per features, missing, seed)."""
    dataset = get_dataset(state.ds)
    state = resolve_state(state, dataset)

    def compute() -> SweepResult:
        matrix = prepare_features(dataset.frame, list(state.features), state.missing, dataset.table.decimal,
                                  transforms_for(state))
        return sweep_k(standardised(matrix.X, matrix.transforms), 2, 10, state.seed, progress)

    settings = f"{state.features!r}|{state.missing}|{state.seed}" + (f"|{state.transforms!r}" if state.transforms else "")
    return _memoized(_key("sweep", dataset.token, settings), compute)


@functools.lru_cache(maxsize=1)
def pretrained_model() -> SavedModel:
    """The shipped pre-trained model (loaded once per process; only ever from the project's models/)."""
    return load_shipped_model()

