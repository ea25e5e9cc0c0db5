"""The view state every page URL carries, so a copied link shows a colleague the same view.

Query parameters (all optional; unknown ones such as ``utm_source`` are ignored)::

    ds       the dataset token (an unguessable 192-bit random string)
    feature  a model feature (repeat for several; absent = the data check's proposal)
    missing  drop | mean | median                     (default drop)
    codes    keep: numbers the data check reads as codes for "unknown" (an age of 999) are values
             (default: they count as missing)
    zero     a numeric column whose blank cells count as 0 (repeatable; a total revenue left empty for
             customers who never bought; default: blanks are gaps)
    mode     new | pretrained | saved                 (default new)
    model    the token of an uploaded model bundle (mode=saved)
    k        number of segments for a new model, 2..15 (default 4)
    seed     random seed, 0..2**31-1                   (default 0)
    map      FILECOL=MODELFEATURE for an applied model (repeatable)
    x, y     the scatter's axes (a feature name, or "pca" for the 2-D projection)
    name     N:NAME, the user's name for segment N (repeatable)
    transform  FEATURE=log|signed_log|none, a feature's transform before scaling (repeatable; a feature
             without one gets the data check's proposal; resolved states keep only those that are not
             ``none`` or that differ from the proposal, so links stay short)

Invalid values fall back to the defaults rather than failing: a link is never an error page.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlencode

from core.transform import TRANSFORMS

__all__ = ["ViewState", "TOKEN_PATTERN", "K_MIN", "K_MAX", "DEFAULT_K", "MODES", "MISSING_CHOICES", "CODES_CHOICES", "PCA",
           "distinct_axes"]

TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{32,64}$")
K_MIN, K_MAX, DEFAULT_K = 2, 15, 4
MODES = ("new", "pretrained", "saved")
MISSING_CHOICES = ("drop", "mean", "median")
#: What the codes for "unknown" the data check finds (an age of 999) are: missing (the default) or kept as values.
CODES_CHOICES = ("unknown", "keep")
_MAX_SEED = 2**31 - 1
PCA = "pca"


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    return [str(value)]


def _as_int(value: Any, default: int, low: int, high: int) -> int:
    try:
        number = int(str(_as_list(value)[-1]).strip()) if value is not None else default
    except (ValueError, IndexError):
        return default
    return min(max(number, low), high)


def distinct_axes(axes: Sequence[str], x: str | None, y: str | None,
                  previous: tuple[str | None, str | None] = (None, None)) -> tuple[str | None, str | None]:
    """The scatter's axes among ``axes``: two different features, or the 2-D projection (``PCA`` on both
    axes is its first and second component), never a feature against itself.

    An axis not in ``axes`` is replaced. When ``x`` and ``y`` name the same feature because the user just
    picked, for one axis, the feature the other showed, the axes swap (``previous`` is what they were
    before); otherwise the vertical axis moves to the first other feature. With a single feature there is
    nothing else to show.
    """
    if not axes:
        return None, None
    x = x if x in axes else axes[0]
    y = y if y in axes else None
    if y is not None and (y != x or x == PCA):
        return x, y
    old_x, old_y = previous
    if y == x and old_x == y and old_y in axes and old_y != x:
        return old_y, x  # the user moved the vertical axis's feature to the horizontal: swap
    if y == x and old_y == x and old_x in axes and old_x != x:
        return x, old_x  # and the other way round
    others = [a for a in axes if a != x and a != PCA]
    return x, (PCA if x == PCA else others[0] if others else x)


def _first(value: Any) -> str | None:
    items = _as_list(value)
    return items[0] if items else None


@dataclass(frozen=True)
class ViewState:
    """The settings that shape a view. Immutable; use :meth:`with_` to change fields."""

    ds: str | None = None
    features: tuple[str, ...] = ()
    missing: str = "drop"
    codes: str = "unknown"
    mode: str = "new"
    k: int = DEFAULT_K
    seed: int = 0
    mapping: tuple[tuple[str, str], ...] = ()
    model: str | None = None
    x: str | None = None
    y: str | None = None
    names: tuple[tuple[int, str], ...] = ()
    transforms: tuple[tuple[str, str], ...] = ()
    zero: tuple[str, ...] = ()

    @classmethod
    def from_query(cls, params: dict[str, Any]) -> "ViewState":
        """Build from query parameters as Dash passes them to ``layout()`` (str or list of str)."""
        token = _first(params.get("ds"))
        model = _first(params.get("model"))
        mode = _first(params.get("mode"))
        missing = _first(params.get("missing"))
        codes = _first(params.get("codes"))
        names = []
        for pair in _as_list(params.get("name")):
            number, _, name = pair.partition(":")
            if number.strip().isdigit() and name.strip():
                names.append((int(number), name.strip()[:60]))
        mapping = []
        for pair in _as_list(params.get("map")):
            if "=" in pair:
                column, feature = pair.rsplit("=", 1)
                mapping.append((column, feature))
        transforms = []
        for pair in _as_list(params.get("transform")):
            feature, _, kind = pair.rpartition("=")
            if feature and kind in TRANSFORMS:
                transforms.append((feature, kind))
        return cls(
            ds=token if token and TOKEN_PATTERN.match(token) else None,
            features=tuple(dict.fromkeys(f for f in _as_list(params.get("feature")) if f)),
            missing=missing if missing in MISSING_CHOICES else "drop",
            codes=codes if codes in CODES_CHOICES else "unknown",
            mode=mode if mode in MODES else "new",
            k=_as_int(params.get("k"), DEFAULT_K, K_MIN, K_MAX),
            seed=_as_int(params.get("seed"), 0, 0, _MAX_SEED),
            mapping=tuple(mapping),
            model=model if model and TOKEN_PATTERN.match(model) else None,
            x=_first(params.get("x")),
            y=_first(params.get("y")),
            names=tuple(dict(names).items()),
            transforms=tuple(dict(transforms).items()),
            zero=tuple(dict.fromkeys(z for z in _as_list(params.get("zero")) if z)),
        )

    @classmethod
    def from_search(cls, search: str | None) -> "ViewState":
        """Build from a ``?a=b`` query string."""
        from urllib.parse import parse_qs

        return cls.from_query(parse_qs((search or "").lstrip("?"), keep_blank_values=False))

    @property
    def applies_model(self) -> bool:
        """The state applies a saved model (shipped or uploaded) instead of training one."""
        return self.mode in ("pretrained", "saved")

    def with_(self, **changes: Any) -> "ViewState":
        """A copy with some fields changed."""
        return replace(self, **changes)

    @property
    def renames(self) -> dict[int, str]:
        """``{internal cluster label: name}`` from the shown numbers in the URL."""
        return {number - 1: name for number, name in self.names}

    @property
    def transform_dict(self) -> dict[str, str]:
        """``{feature: transform}`` as the link gives them (features not named take the proposal)."""
        return dict(self.transforms)

    @property
    def mapping_dict(self) -> dict[str, str]:
        """``{file column: model feature}``."""
        return dict(self.mapping)

    def query(self) -> str:
        """The query string (with ``?``) for this state; defaults are left out to keep links short."""
        pairs: list[tuple[str, str]] = []
        if self.ds:
            pairs.append(("ds", self.ds))
        pairs.extend(("feature", f) for f in self.features)
        pairs.extend(("transform", f"{feature}={kind}") for feature, kind in self.transforms)
        if self.missing != "drop":
            pairs.append(("missing", self.missing))
        if self.codes != "unknown":
            pairs.append(("codes", self.codes))
        pairs.extend(("zero", z) for z in self.zero)
        if self.mode != "new":
            pairs.append(("mode", self.mode))
        if self.k != DEFAULT_K:
            pairs.append(("k", str(self.k)))
        if self.seed:
            pairs.append(("seed", str(self.seed)))
        pairs.extend(("map", f"{column}={feature}") for column, feature in self.mapping)
        if self.model:
            pairs.append(("model", self.model))
        if self.x:
            pairs.append(("x", self.x))
        if self.y:
            pairs.append(("y", self.y))
        pairs.extend(("name", f"{number}:{name}") for number, name in self.names)
        return "?" + urlencode(pairs) if pairs else ""

    def href(self, path: str) -> str:
        """A link to ``path`` carrying this state."""
        return path + self.query()
