"""Saving and loading models, safely.

Two formats:

* **The shipped pre-trained model**: ``models/kmeans_model.pkl`` (a joblib dump of the fitted
  pipeline) with ``models/kmeans_model.json`` beside it (features, k, scikit-learn version, training
  data description, training means, spreads and ranges, and the pickle's SHA-256). joblib files can
  run code when loaded, so :func:`load_model_file` only opens one that lies in the project's own
  ``models/`` folder and whose digest matches its metadata. A pickle or joblib file from anywhere
  else is refused with :class:`UnsafeModelError`.
* **A model bundle** (``.json``): plain numbers and names (scaler means and scales, centroids,
  features, training statistics). Loading it cannot execute anything, so it is what people exchange
  (``segments fit --save-model``, the dashboard's model download).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import sklearn
from sklearn.cluster import KMeans
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler

from .errors import ModelError, UnsafeModelError
from .options import MAX_MODEL_K
from .model import SizeOrderedKMeans, clusterer, scaler_of
from .transform_kinds import TRANSFORMS
from .transform_step import FeatureTransform

__all__ = [
    "ModelInfo",
    "SavedModel",
    "MODELS_DIR",
    "DEFAULT_MODEL_PATH",
    "save_shipped_model",
    "load_model_file",
    "load_shipped_model",
    "bundle_bytes",
    "load_bundle",
    "training_statistics",
    "BUNDLE_FORMAT",
    "MAX_BUNDLE_BYTES",
    "MAX_MODEL_K",
    "MAX_MODEL_FEATURES",
]

MODELS_DIR = Path(__file__).resolve().parent.parent / "models"
DEFAULT_MODEL_PATH = MODELS_DIR / "kmeans_model.pkl"
BUNDLE_FORMAT = "customer-segments-model"
MAX_BUNDLE_BYTES = 2 * 1024 * 1024
#: The most features a model bundle may have (the dashboard reads at most 500 columns); the most segments
#: is :data:`core.options.MAX_MODEL_K`.
MAX_MODEL_FEATURES = 500
#: The range a bundle's scaler scales and means, and its centres (in standard deviations), must lie in:
#: a scale of 1e-308 turns every customer into infinity.
_SCALE_RANGE = (1e-100, 1e100)
_MEAN_LIMIT = 1e100
_CENTRE_LIMIT = 1e6
_PICKLE_SUFFIXES = {".pkl", ".pickle", ".joblib", ".sav", ".pck"}


@dataclass(frozen=True)
class ModelInfo:
    """What a saved model expects and how it was trained.

    Attributes
    ----------
    features : list[str]
        The columns the model expects, in order.
    k : int
        Number of segments.
    seed : int | None
        The seed it was trained with.
    sklearn_version : str
        scikit-learn version at training time.
    trained_on : str
        A description of the training data.
    rows : int
        Training rows.
    means, stds, mins, maxs : dict[str, float]
        Training statistics per feature, in original units.
    names : list[str]
        Segment names, one per cluster (may be empty).
    sha256 : str
        Digest of the pickle file (shipped model only).
    transforms : list[str]
        One :data:`core.transform.TRANSFORMS` per feature, applied before the scaler; empty (bundles
        saved before transforms existed, or a model without any) means ``none`` for every feature.
    zero : list[str]
        Features whose blank cells the model counts as 0, as the user chose when training it (a total revenue left
        empty for customers who never bought); empty in bundles saved before this existed.
    orders : dict
        How the customer table it was trained on was built from order lines (:meth:`core.rfm.OrderRecipe.to_json`:
        the column of each role, the currency counted), so that next month's order lines are built the same way;
        empty for a model of another table, and in bundles saved before this existed.
    """

    features: list[str]
    k: int
    seed: int | None
    sklearn_version: str
    trained_on: str
    rows: int
    means: dict[str, float]
    stds: dict[str, float]
    mins: dict[str, float]
    maxs: dict[str, float]
    names: list[str] = field(default_factory=list)
    sha256: str = ""
    transforms: list[str] = field(default_factory=list)
    zero: list[str] = field(default_factory=list)
    orders: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "ModelInfo":
        """Build from :meth:`to_json` output, checking the fields' types."""
        try:
            features = [str(f) for f in data["features"]]
            stats = {key: {str(n): float(v) for n, v in dict(data[key]).items()} for key in
                     ("means", "stds", "mins", "maxs")}
            return cls(
                features=features, k=int(data["k"]),
                seed=None if data.get("seed") is None else int(data["seed"]),
                sklearn_version=str(data.get("sklearn_version", "")),
                trained_on=str(data.get("trained_on", "")), rows=int(data.get("rows", 0)),
                names=[str(n) for n in data.get("names", [])], sha256=str(data.get("sha256", "")),
                transforms=_transforms(data.get("transforms") or [], len(features)),
                zero=[str(z) for z in data.get("zero") or [] if str(z) in features],
                orders=_orders(data.get("orders")),
                **stats,
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ModelError(f"The model's description is incomplete or damaged ({exc}).") from None


def _orders(value: Any) -> dict[str, Any]:
    """A bundle's :attr:`ModelInfo.orders`, read as :class:`core.rfm.OrderRecipe` reads it (a damaged one raises
    ModelError), written back the same way."""
    if not value:
        return {}
    from .rfm import OrderRecipe  # (the order reader, only for a model of customers built from orders)

    recipe = OrderRecipe.from_json(value)
    return recipe.to_json() if recipe is not None else {}


def _transforms(values: Any, width: int) -> list[str]:
    """A model's per-feature transforms, checked (ValueError when they do not fit its features)."""
    kinds = [str(v) for v in list(values)]
    if kinds and len(kinds) != width:
        raise ValueError(f"{len(kinds)} transforms for {width} features")
    unknown = [t for t in kinds if t not in TRANSFORMS]
    if unknown:
        raise ValueError(f"unknown transform {unknown[0]!r}")
    return kinds


def training_statistics(X: np.ndarray, features: list[str]) -> dict[str, dict[str, float]]:
    """Means, standard deviations, minima and maxima of the training data, per feature."""
    return {
        "means": {f: float(v) for f, v in zip(features, X.mean(axis=0))},
        "stds": {f: float(v) for f, v in zip(features, X.std(axis=0))},
        "mins": {f: float(v) for f, v in zip(features, X.min(axis=0))},
        "maxs": {f: float(v) for f, v in zip(features, X.max(axis=0))},
    }


class SavedModel(NamedTuple):
    """A saved model as loaded: the fitted pipeline (:func:`core.model.build_segmenter`'s shape) and what it
    says about itself. What :func:`load_bundle`, :func:`load_model_file` and :func:`load_shipped_model`
    return (``pipeline, info = load_bundle(raw)`` unpacks it)."""

    pipeline: Pipeline
    info: ModelInfo


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def save_shipped_model(pipeline: Pipeline, info: ModelInfo, path: Path = DEFAULT_MODEL_PATH) -> ModelInfo:
    """Write the joblib pickle and its metadata JSON (only for models this project trains itself)."""
    import joblib

    path.parent.mkdir(parents=True, exist_ok=True)
    joblib.dump(pipeline, path)
    final = ModelInfo(**{**info.to_json(), "sha256": _digest(path)})
    path.with_suffix(".json").write_text(json.dumps(final.to_json(), indent=2) + "\n", encoding="utf-8")
    return final


def load_shipped_model(path: Path = DEFAULT_MODEL_PATH) -> SavedModel:
    """Load a joblib model written by this project into its own ``models/`` folder.

    Raises
    ------
    UnsafeModelError
        The file is outside the project's ``models/`` folder, or its digest does not match.
    ModelError
        The file or its metadata is missing or damaged.
    """
    path = Path(path).resolve()
    if path.parent != MODELS_DIR.resolve():
        raise UnsafeModelError(
            f"Refusing to open {path.name}: pickle and joblib files can run code when they are opened, "
            "so only the model shipped with Customer Segments is loaded that way. Use a model bundle "
            "(.json) saved by Customer Segments instead.")
    meta_path = path.with_suffix(".json")
    if not path.is_file() or not meta_path.is_file():
        raise ModelError(f"The pre-trained model {path.name} or its description {meta_path.name} is missing.")
    try:
        info = ModelInfo.from_json(json.loads(meta_path.read_text(encoding="utf-8")))
    except json.JSONDecodeError:
        raise ModelError(f"The description {meta_path.name} is not valid JSON.") from None
    if info.sha256 != _digest(path):
        raise UnsafeModelError(f"{path.name} does not match the digest in {meta_path.name}; it was not opened.")
    import joblib

    return SavedModel(_with_size_ordered_kmeans(joblib.load(path)), info)


def _with_size_ordered_kmeans(pipeline: Pipeline) -> Pipeline:
    """A shipped pipeline pickled before :class:`core.model.SizeOrderedKMeans` (a ``KMeans`` whose centres
    were put in size order) as the pipeline every other model has: the same steps, the same centres."""
    last = pipeline[-1]
    if isinstance(last, SizeOrderedKMeans) or not isinstance(last, KMeans):
        return pipeline
    return make_pipeline(*pipeline[:-1], SizeOrderedKMeans.from_centers(last.cluster_centers_, n_init=last.n_init,
                                                                         random_state=last.random_state))


def is_pickled(path: str | Path) -> bool:
    """Whether a model file is a pickle or joblib dump (by its suffix or its first byte), which only the shipped
    pre-trained model may be (:func:`load_shipped_model`), rather than a saved model's ``.json`` bundle."""
    path = Path(path)
    with path.open("rb") as handle:
        first = handle.read(1)
    return path.suffix.lower() in _PICKLE_SUFFIXES or first == b"\x80"


def load_model_file(path: str | Path) -> SavedModel:
    """Load a model from a path: a ``.json`` bundle, or the project's own shipped joblib model.

    Raises
    ------
    UnsafeModelError
        A pickle/joblib file that is not the project's own.
    ModelError
        A missing, damaged or unknown file.
    """
    path = Path(path)
    if not path.is_file():
        raise ModelError(f"There is no model file at {path}.")
    if is_pickled(path):
        return load_shipped_model(path)
    if path.stat().st_size > MAX_BUNDLE_BYTES:
        raise ModelError(f"{path.name} is too large to be a model bundle.")
    return load_bundle(path.read_bytes())


def bundle_bytes(model: SavedModel) -> bytes:
    """A model bundle: the fitted pipeline's numbers and the model's description, as JSON bytes
    (:func:`load_bundle` reads it back; ``bundle_bytes(load_bundle(raw)) == raw``)."""
    pipeline, info = model
    scaler = scaler_of(pipeline)
    data = {
        "format": BUNDLE_FORMAT,
        "version": 1,
        "info": {**info.to_json(), "sha256": ""},
        "scaler": {"mean": scaler.mean_.tolist(), "scale": scaler.scale_.tolist(),
                   "var": scaler.var_.tolist(), "n_samples_seen": int(np.max(scaler.n_samples_seen_))},
        "centers": np.asarray(clusterer(pipeline).cluster_centers_).tolist(),
    }
    return (json.dumps(data, indent=1) + "\n").encode("utf-8")


def load_bundle(raw: bytes) -> SavedModel:
    """Rebuild a fitted pipeline from a model bundle. Only numbers and names are read.

    Raises
    ------
    UnsafeModelError
        The bytes are a pickle.
    ModelError
        Not a model bundle, or inconsistent.
    """
    if raw[:1] == b"\x80" or raw[:2] == b"PK":
        raise UnsafeModelError("This file is a pickle/joblib file. Those can run code when opened, so they "
                               "are never loaded; upload a model bundle (.json) saved by Customer Segments.")
    if len(raw) > MAX_BUNDLE_BYTES:
        raise ModelError("The file is too large to be a model bundle.")
    try:
        data = json.loads(raw.decode("utf-8"))
    except RecursionError:
        raise ModelError("This is not a model bundle: its JSON is nested too deeply.") from None
    except (UnicodeDecodeError, ValueError):  # JSONDecodeError, and numbers of more than 4,300 digits
        raise ModelError("This is not a model bundle: it is not JSON saved by Customer Segments.") from None
    if not isinstance(data, dict) or data.get("format") != BUNDLE_FORMAT:
        raise ModelError("This JSON file is not a Customer Segments model bundle.")
    if not isinstance(data.get("info", {}), dict):
        raise ModelError("The model's description is incomplete or damaged.")
    info = ModelInfo.from_json(data.get("info", {}))
    if not 1 <= info.k <= MAX_MODEL_K:
        raise ModelError(f"The model bundle has {info.k:,} segments; a model may have 1 to {MAX_MODEL_K}.")
    if not 1 <= len(info.features) <= MAX_MODEL_FEATURES:
        raise ModelError(f"The model bundle has {len(info.features):,} features; a model may have 1 to "
                         f"{MAX_MODEL_FEATURES}.")
    try:
        mean = np.asarray(data["scaler"]["mean"], dtype="float64")
        scale = np.asarray(data["scaler"]["scale"], dtype="float64")
        var = np.asarray(data["scaler"]["var"], dtype="float64")
        seen = int(data["scaler"]["n_samples_seen"])
        centers = np.asarray(data["centers"], dtype="float64")
    except (KeyError, TypeError, ValueError):
        raise ModelError("The model bundle is damaged: its numbers could not be read.") from None
    d = len(info.features)
    if not (mean.shape == scale.shape == var.shape == (d,) and centers.shape == (info.k, d)) \
            or not all(np.all(np.isfinite(a)) for a in (centers, mean, scale, var)) or not np.all(scale > 0):
        raise ModelError("The model bundle is inconsistent: its sizes or values do not match its features.")
    low, high = _SCALE_RANGE
    if not (np.all((scale >= low) & (scale <= high)) and np.all(np.abs(mean) <= _MEAN_LIMIT)
            and np.all(np.abs(centers) <= _CENTRE_LIMIT)):
        raise ModelError("The model bundle is inconsistent: its scales, means or centres are out of any "
                         f"sensible range (scales between {low:g} and {high:g}); it cannot score customers.")
    scaler = StandardScaler()
    scaler.mean_, scaler.scale_, scaler.var_ = mean, scale, var
    scaler.n_samples_seen_ = seen
    scaler.n_features_in_ = d
    front = FeatureTransform(tuple(info.transforms)).fit(np.zeros((1, d)))
    steps = [front] if front.active else []
    kmeans = SizeOrderedKMeans.from_centers(centers, random_state=info.seed)
    return SavedModel(make_pipeline(*steps, scaler, kmeans), info)


def sklearn_version() -> str:
    """The running scikit-learn version."""
    return str(sklearn.__version__)
