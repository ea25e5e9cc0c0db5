"""Segment insight: which k to use, what to call the segments, what sets them apart and how far to trust them.

Everything here works on plain arrays and core's own objects; nothing imports Dash or Flask.

* :func:`recommend_k` turns a k sweep into one recommended k with a reason in words.
* :func:`name_segments` / :func:`segment_names` name segments from how their centroids differ from
  the average customer ("High income · Low spending").
* :func:`profile` describes every segment (size, feature means and indices, the make-up of text
  columns such as Gender) and ranks the features by how strongly they separate the segments.
* :func:`stability` re-fits the model on resampled customers and says whether the segments hold.
* :func:`confidence` says, per customer, how clearly they belong to their segment.
* :func:`out_of_range` warns when a pre-trained model is applied to customers unlike its training data.
* :func:`compare_labels` cross-tabulates two segmentations of the same customers.

Rules and thresholds
--------------------
**Recommended k** (:func:`recommend_k`). Four measures each vote for one k in ``k_min .. k_max``: the
elbow of the WCSS curve, the highest silhouette, the highest Calinski-Harabasz index and the lowest
Davies-Bouldin index. They vote among the k of the first of these tiers that is not empty:

1. **stable and useful**: the sweep's stability (:func:`core.selection.sweep_k`, re-fits on resampled
   customers) is at least :data:`STABLE_SWEEP` (0.75), the smallest segment holds at least
   ``useful_share`` (:data:`USEFUL_SHARE`, 5%) and no segment more than :data:`DOMINANT_SHARE` (70%);
2. stable, and no segment under ``tiny_share`` (:data:`TINY_SHARE`, 2%);
3. no segment under ``tiny_share``;
4. every k.

So a k the stability check would call unstable is never recommended while a stable one exists, and a
split that puts 85% of the customers in one segment loses to one a marketer can act on. The elbow votes
for the kept k closest to it (smaller k on a tie), but the reason always quotes the elbow the chart
marks. The k with the most votes wins; a tie goes to the tied k with the highest silhouette (then the
smaller k). Warnings: a cluster under ``tiny_share`` at the recommended k or at k-1 / k+1; fewer than
:data:`MIN_CUSTOMERS_PER_SEGMENT` customers per segment on average; a silhouette at the recommended k
under :data:`WEAK_SILHOUETTE` (no strong natural groups); no stable k at all. The reason is one sentence
on the vote and what was set aside, then one on the chosen k's stability and segment sizes.

**Segment names** (:func:`name_segments`). Feature names are shortened by :func:`short_feature_name`
(generic words dropped, verbs and abbreviations turned into the nouns people write: "Spent" reads
"spending", never "spent"). A segment is named after its (up to :data:`MAX_NAME_FEATURES`) most
distinctive features, those whose mean lies at least :data:`HIGH_Z` (0.5) overall standard deviations
from the overall mean (after the feature's transform, if the model has one), strongest first: ranked
by how far the segment's index (mean / overall mean * 100, as the profile shows it) is from 100, in
either direction, so word order is the same rule for every segment. A name holds at most
:data:`MAX_NAME_CHARS` (40) characters (the weaker trait is left out rather than the name cut), so it
is stored whole in bundles and links: "High"/"Low" from 0.5 SD, "Very high"/"Very low" from :data:`VERY_HIGH_Z`
(1.5) SD; age reads "Older"/"Younger" ("Much older"/"Much younger"). Without such a feature the
segment is :data:`AVERAGE_NAME`. Segments that would share a name get their next most distinctive
features added until the names differ; any still equal are numbered "(1)", "(2)" in cluster order.

**Borderline customers** (:func:`confidence`): the second-nearest centre is less than
:data:`BORDERLINE_MARGIN` (25%) of the distance to the own centre farther away, or the customer's
silhouette is below :data:`BORDERLINE_SILHOUETTE` (0.1). The silhouette is exact up to
:data:`EXACT_SILHOUETTE_MAX_ROWS` scored customers; beyond, the simplified silhouette
``(b - a) / max(a, b)`` with ``a`` the distance to the own centre and ``b`` to the nearest other one.

**Stability** (:func:`stability`): the verdict thresholds are :data:`STABILITY_LEVELS`; each re-fit
trains on a bootstrap sample of at most :data:`STABILITY_MAX_ROWS` customers.

**Model fit** (:func:`out_of_range`): a warning when, for any feature, more than
:data:`OUTSIDE_SHARE_WARN` (10%) of the customers lie outside the training range, or the mean has
moved more than :data:`SHIFT_SD_WARN` (1) training standard deviation.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from sklearn.metrics import adjusted_rand_score, silhouette_samples
from sklearn.pipeline import Pipeline

from .errors import FeatureError, NotEnoughRowsError
from .text import percent
from .model import (
    DISPLAY_OFFSET,
    check_rows_for_k,
    display_cluster,
    fit_segmenter,
    original_centers,
    scaled_centers,
)
from .persist import ModelInfo
from .selection import SweepResult
from .stats import NOT_SCORED, FeatureStats, flat_table

if TYPE_CHECKING:  # core.segmentation may import this module; avoid a cycle at run time
    from .segmentation import Segmentation

__all__ = [
    # choosing k
    "Recommendation",
    "recommend_k",
    "TINY_SHARE",
    "USEFUL_SHARE",
    "DOMINANT_SHARE",
    "STABLE_SWEEP",
    "MIN_CUSTOMERS_PER_SEGMENT",
    "WEAK_SILHOUETTE",
    # names
    "short_feature_name",
    "name_segments",
    "segment_names",
    "segment_z_scores",
    "segment_indices",
    "GENERIC_WORDS",
    "WORD_FORMS",
    "MAX_NAME_CHARS",
    "HIGH_Z",
    "VERY_HIGH_Z",
    "MAX_NAME_FEATURES",
    "AVERAGE_NAME",
    # profile
    "Profile",
    "profile",
    "summary_profile",
    "summary_table",
    "TOP_TEXT_VALUES",
    # stability
    "Stability",
    "stability",
    "stability_verdict",
    "STABILITY_MAX_ROWS",
    "STABILITY_LEVELS",
    "SEGMENT_UNSTABLE",
    # confidence
    "confidence",
    "EXACT_SILHOUETTE_MAX_ROWS",
    "BORDERLINE_MARGIN",
    "BORDERLINE_SILHOUETTE",
    # pre-trained model fit
    "RangeCheck",
    "out_of_range",
    "OUTSIDE_SHARE_WARN",
    "SHIFT_SD_WARN",
    # comparing segmentations
    "Comparison",
    "compare_labels",
]


#: Default smallest share of customers a segment should hold to be worth acting on.
TINY_SHARE = 0.02
#: A split is useful when its smallest segment holds at least this share...
USEFUL_SHARE = 0.05
#: ... and no segment holds more than this share of the customers.
DOMINANT_SHARE = 0.7
#: A k whose sweep stability (mean adjusted Rand of re-fits, :func:`core.selection.sweep_k`) is below this
#: is set aside while a stable one remains: the "Stable" level of :data:`STABILITY_LEVELS`, well above the
#: level the stability check calls unstable (0.6), because the sweep's estimate is a rough one.
STABLE_SWEEP = 0.75
#: Fewer customers than this per segment on average gives a warning.
MIN_CUSTOMERS_PER_SEGMENT = 10
#: A best silhouette below this means the data has no strong natural groups (Kaufman & Rousseeuw).
WEAK_SILHOUETTE = 0.25

#: Words dropped from feature names when naming segments (when something else remains).
GENERIC_WORDS: frozenset[str] = frozenset({
    "annual", "yearly", "monthly", "weekly", "daily", "total", "avg", "average", "mean", "score",
    "amount", "count", "number", "num", "nr", "of", "the", "per", "in", "mnt", "amt", "cnt", "ct", "qty",
})
#: Words replaced when naming segments, so names read as people write them ("High spending", never
#: "High spent"): verbs and past participles become the noun, abbreviations are spelled out.
WORD_FORMS: dict[str, str] = {
    "spent": "spending", "bought": "purchases", "purchased": "purchases",
    "paid": "payments", "ordered": "orders", "visited": "visits", "trans": "transactions",
    "txn": "transactions", "txns": "transactions", "bal": "balance", "util": "utilisation",
}
#: Longest automatic name (before a " (n)" number that tells two equal names apart): never cut later.
MAX_NAME_CHARS = 40
#: |z| (in overall standard deviations) from which a feature counts as High / Low.
HIGH_Z = 0.5
#: |z| from which a feature counts as Very high / Very low.
VERY_HIGH_Z = 1.5
#: Features named in a segment's name (more only to tell two segments apart).
MAX_NAME_FEATURES = 2
#: Name of a segment with no distinctive feature.
AVERAGE_NAME = "Average customers"
#: Words used instead of High / Low for some features.
_DIRECTION_WORDS: dict[str, tuple[str, str]] = {"age": ("younger", "older")}

#: Most common values shown per text column in :func:`profile`.
TOP_TEXT_VALUES = 5
#: An overall mean within this fraction of the feature's largest absolute value counts as 0 (no index).
_ZERO_MEAN = 1e-9

#: Each stability re-fit trains on a bootstrap sample of at most this many customers.
STABILITY_MAX_ROWS = 20_000
#: Above this many customers the stability check compares the segments of a seeded sample of this many
#: (labelling every customer ten times was the check's whole cost at 10^6-10^7; see docs/performance.md).
STABILITY_COMPARE_ROWS = 100_000
#: (lowest mean adjusted Rand index, verdict) from the best level down; below the last: unstable.
STABILITY_LEVELS: tuple[tuple[float, str], ...] = (
    (0.9, "Very stable: re-fitting on resampled customers gives nearly the same segments."),
    (0.75, "Stable: the segments mostly hold when the customers are resampled."),
    (0.6, "Somewhat stable: the main segments hold, but a fair number of customers switch segments "
          "between re-fits; read the smaller differences with care."),
)
_UNSTABLE = ("Unstable: the segments change a lot when the customers are resampled, so they are not a "
             "reliable split of this data; try another k.")
#: A segment whose mean Jaccard overlap with itself across re-fits is below this is named in the verdict.
SEGMENT_UNSTABLE = 0.6

#: Up to this many scored customers the per-customer silhouette is exact.
EXACT_SILHOUETTE_MAX_ROWS = 5_000
#: Borderline when the second-nearest centre is less than this fraction farther than the own centre.
BORDERLINE_MARGIN = 0.25
#: Borderline when the customer's silhouette is below this.
BORDERLINE_SILHOUETTE = 0.1
_TINY_DISTANCE = 1e-12
_CHUNK_ROWS = 100_000

#: Warn when more than this share of a feature's values lie outside the training range.
OUTSIDE_SHARE_WARN = 0.10
#: Warn when a feature's mean moved more than this many training standard deviations.
SHIFT_SD_WARN = 1.0

_MEASURE_NAMES: dict[str, str] = {
    "elbow": "the elbow",
    "silhouette": "the silhouette",
    "calinski_harabasz": "Calinski-Harabasz",
    "davies_bouldin": "Davies-Bouldin",
}


def _pct(share: float) -> str:
    """A share in a sentence: ``1.5%`` below 10%, ``23%`` above, never a false ``0%`` (:func:`core.text.percent`)."""
    return percent(share, short=True)


def _join(words: Sequence[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    words = list(words)
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


# --------------------------------------------------------------------------------------------------
# Choosing k
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Recommendation:
    """The recommended number of segments and why.

    Attributes
    ----------
    k : int
        The recommended k.
    reason : str
        One sentence saying why, for a marketing analyst.
    warnings : list[str]
        Things to keep in mind: tiny segments at k or next to it, few customers per segment, weak
        separation.
    elbow : int
        The k at the elbow of the WCSS curve.
    best_silhouette, best_calinski, best_davies : int | None
        The k each index prefers over the whole range (tiny clusters not excluded); None when the
        sweep did not compute it.
    votes : dict[str, int]
        The k each measure voted for after k with tiny clusters were set aside (keys ``elbow``,
        ``silhouette``, ``calinski_harabasz``, ``davies_bouldin``).
    """

    k: int
    reason: str
    warnings: list[str]
    elbow: int
    best_silhouette: int | None
    best_calinski: int | None
    best_davies: int | None
    votes: dict[str, int] = field(default_factory=dict)


def _best(ks: np.ndarray, values: np.ndarray, higher: bool) -> int | None:
    """The k with the best finite value (the smaller k on a tie), or None."""
    finite = np.isfinite(values)
    if not finite.any():
        return None
    scores = np.where(finite, values if higher else -values, -np.inf)
    return int(ks[int(np.argmax(scores))])  # argmax returns the first, i.e. the smaller k


def recommend_k(sweep: SweepResult, rows: int, tiny_share: float = TINY_SHARE,
                useful_share: float = USEFUL_SHARE) -> Recommendation:
    """One recommended number of segments from the elbow, silhouette, Calinski-Harabasz and Davies-Bouldin.

    Rule: each of the four measures votes for one k in ``sweep.k_min .. sweep.k_max``; k whose
    smallest cluster holds less than ``tiny_share`` of the customers are set aside while any other k
    remains (the elbow then votes for the remaining k closest to it). Most votes wins; a tie goes to
    the tied k with the highest silhouette, then to the smaller k. Measures the sweep lacks (a result
    built without :attr:`SweepResult.indices`) do not vote.

    Parameters
    ----------
    sweep : SweepResult
        From :func:`core.selection.sweep_k`.
    rows : int
        Customers in the data (the sweep may have run on a sample); used for the warnings.
    tiny_share : float
        Smallest acceptable share of customers in a segment.
    useful_share : float
        Smallest share of customers a segment should hold for the split to be useful (when some stable
        k has no smaller segment).

    Returns
    -------
    Recommendation
    """
    full = sweep.full_table()
    shown = full[(full["k"] >= sweep.k_min) & (full["k"] <= sweep.k_max)].reset_index(drop=True)
    ks = shown["k"].to_numpy(dtype=int)
    sil = shown["silhouette"].to_numpy(dtype=float)
    ch = shown["calinski_harabasz"].to_numpy(dtype=float)
    db = shown["davies_bouldin"].to_numpy(dtype=float)
    share = shown["smallest_share"].to_numpy(dtype=float)
    largest = shown["largest_share"].to_numpy(dtype=float)
    stab = shown["stability"].to_numpy(dtype=float)
    share_of = dict(zip(full["k"].astype(int), full["smallest_share"].astype(float)))
    sil_of = dict(zip(ks.tolist(), sil.tolist()))

    tiny = np.isfinite(share) & (share < tiny_share)
    small = np.isfinite(share) & (share < max(tiny_share, useful_share))
    dominant = np.isfinite(largest) & (largest > DOMINANT_SHARE)
    unstable = np.isfinite(stab) & (stab < STABLE_SWEEP)
    # The first non-empty tier is voted on: stable and useful; stable without a tiny segment; without a
    # tiny segment; every k.
    tiers = [~unstable & ~small & ~dominant, ~unstable & ~tiny, ~tiny, np.ones(ks.size, dtype=bool)]
    eligible = next(tier for tier in tiers if tier.any())
    best_sil = _best(ks, sil, higher=True)
    best_ch = _best(ks, ch, higher=True)
    best_db = _best(ks, db, higher=False)

    ok = ks[eligible]
    votes: dict[str, int] = {}
    elbow_vote = int(ok[int(np.argmin(np.abs(ok - sweep.elbow)))])  # the first, i.e. smaller, on a tie
    votes["elbow"] = elbow_vote
    for key, values, higher in (("silhouette", sil, True), ("calinski_harabasz", ch, True),
                                ("davies_bouldin", db, False)):
        choice = _best(ok, values[eligible], higher)
        if choice is not None:
            votes[key] = choice
    counts: dict[int, int] = {}
    for k in votes.values():
        counts[k] = counts.get(k, 0) + 1
    top = max(counts.values())
    tied = sorted(k for k, c in counts.items() if c == top)

    def sil_key(k: int) -> tuple[float, int]:
        value = sil_of.get(k, float("nan"))
        return (value if np.isfinite(value) else -np.inf, -k)

    k = max(tied, key=sil_key)
    why_not: dict[int, tuple[str, float]] = {}  # k set aside -> (why, the number that says so)
    strict = eligible is tiers[0]
    for i, candidate in enumerate(ks.tolist()):
        if eligible[i]:
            continue
        if tiny[i] or (strict and small[i]):
            why_not[candidate] = ("small", float(share[i]))
        elif strict and dominant[i]:
            why_not[candidate] = ("dominant", float(largest[i]))
        else:
            why_not[candidate] = ("unstable", float(stab[i]))
    only_tiny = all(tiny[i] for i in range(ks.size) if not eligible[i])
    reason = _reason(k, votes, tied, top, why_not, share_of, ks, best_sil, best_ch, best_db, sweep.elbow,
                     tiny_share, only_tiny)
    i = int(np.flatnonzero(ks == k)[0])
    if np.isfinite(stab[i]):
        word = "stable" if stab[i] >= STABLE_SWEEP else "not stable"
        reason += (f" Its segments are {word} under resampling (stability {stab[i]:.2f})"
                   + (f" and hold {_pct(share[i])} to {_pct(largest[i])} of customers each."
                      if np.isfinite(share[i]) and np.isfinite(largest[i]) else "."))
    warnings = _recommend_warnings(k, rows, share_of, sil_of, ks, tiny_share)
    if unstable[i]:
        warnings.append(f"No k from {int(ks[0])} to {int(ks[-1])} gives segments that hold when the customers "
                        f"are resampled (at k={k} stability {stab[i]:.2f}): treat the segments as a rough split.")
    return Recommendation(k, reason, warnings, int(sweep.elbow), best_sil, best_ch, best_db, votes)


#: Why a k was set aside, for one k and for several: (one, several, how its number is written).
_SET_ASIDE: dict[str, tuple[str, str, Callable[[float], str]]] = {
    "small": ("its smallest segment holds only {} of customers",
              "their smallest segments hold only {} of customers", _pct),
    "dominant": ("one segment would hold {} of customers", "one segment would hold {} of customers", _pct),
    "unstable": ("its segments change when the customers are resampled (stability {})",
                 "their segments change when the customers are resampled (stability {})", lambda v: f"{v:.2f}"),
}


def _reason(k: int, votes: dict[str, int], tied: list[int], top: int, why_not: dict[int, tuple[str, float]],
            share_of: dict[int, float], ks: np.ndarray, best_sil: int | None, best_ch: int | None,
            best_db: int | None, elbow: int, tiny_share: float, only_tiny: bool = True) -> str:
    raw = {"the elbow": elbow, "the silhouette": best_sil, "Calinski-Harabasz": best_ch,
           "Davies-Bouldin": best_db}
    passed: dict[int, list[str]] = {}  # k set aside -> the measures that preferred it
    for label, choice in raw.items():
        if choice is not None and choice != k and choice in why_not:
            passed.setdefault(choice, []).append(label)
    among = ""
    if passed:
        among = " among the k without a tiny segment" if only_tiny else " among the stable, useful splits"
    agree = [name for name, choice in votes.items() if choice == k]
    others = {name: choice for name, choice in votes.items() if choice != k}
    labels = [_MEASURE_NAMES[name] for name in agree]

    def said(name: str, choice: int) -> str:
        # the elbow quoted is the elbow the chart marks, even when its k was set aside
        if name == "elbow" and choice != elbow:
            return f"the elbow k={elbow} (nearest k kept: {choice})"
        return f"{_MEASURE_NAMES[name]} k={choice}"

    if not others and len(agree) >= 2:
        head = (f"k={k}: all four measures agree{among} (the elbow, the silhouette, Calinski-Harabasz and "
                f"Davies-Bouldin)" if len(agree) == 4 else f"k={k}: {_join(labels)} agree{among}")
    elif len(tied) == 1 and top >= 2:
        dissent = "; ".join(f"{_MEASURE_NAMES[name]} prefers k={choice}" if name != "elbow" or choice == elbow
                            else said(name, choice) for name, choice in others.items())
        head = f"k={k}: {_join(labels)} point to it{among} ({dissent})"
    elif len(votes) == 1:
        head = f"k={k}: the elbow of the curve{among}"
    else:
        listing = ", ".join(said(name, choice) for name, choice in votes.items())
        head = (f"k={k}: the measures disagree{among} ({listing}); k={k} has the best-separated segments "
                f"among their choices")
    clauses = [head]
    for kind, (one, several, number) in _SET_ASIDE.items():
        group = [choice for choice in sorted(passed) if why_not[choice][0] == kind]
        if len(group) == 1:
            clauses.append(f"k={group[0]} (preferred by {_join(passed[group[0]])}) was set aside because "
                           + one.format(number(why_not[group[0]][1])))
        elif group:
            by = list(dict.fromkeys(label for choice in group for label in passed[choice]))
            clauses.append(f"k={_join([str(c) for c in group])} (preferred by {_join(by)}) were set aside because "
                           + several.format(_join([number(why_not[c][1]) for c in group])))
    nxt = k + 1
    if nxt in ks.tolist() and nxt not in passed and np.isfinite(share_of.get(nxt, np.nan)) \
            and share_of[nxt] < tiny_share:
        clauses.append(f"k={nxt} adds a segment of only {_pct(share_of[nxt])} of customers")
    return "; ".join(clauses) + "."


def _recommend_warnings(k: int, rows: int, share_of: dict[int, float], sil_of: dict[int, float],
                        ks: np.ndarray, tiny_share: float) -> list[str]:
    warnings: list[str] = []
    share = share_of.get(k, float("nan"))
    if np.isfinite(share) and share < tiny_share:
        warnings.append(f"At k={k} the smallest segment holds only {_pct(share)} of customers (about "
                        f"{max(1, round(share * rows)):,}); it may be too small to act on. Every k compared "
                        f"has a segment this small.")
    for near in (k - 1, k + 1):
        value = share_of.get(near, float("nan"))
        if near in ks.tolist() and np.isfinite(value) and value < tiny_share:
            warnings.append(f"At k={near} one segment would hold only {_pct(value)} of customers (about "
                            f"{max(1, round(value * rows)):,}).")
    if rows < MIN_CUSTOMERS_PER_SEGMENT * k:
        warnings.append(f"Only {rows:,} customers for {k} segments (about {rows / k:.0f} per segment): "
                        f"segments this small may not hold up on new customers; consider fewer segments "
                        f"or more data.")
    sil = sil_of.get(k, float("nan"))
    if np.isfinite(sil) and sil < WEAK_SILHOUETTE:
        warnings.append(f"The segments are weakly separated (silhouette {sil:.2f} at k={k}): the customers "
                        f"do not fall into clear natural groups, so treat the segments as a practical split "
                        f"and check their stability.")
    return warnings


# --------------------------------------------------------------------------------------------------
# Names
# --------------------------------------------------------------------------------------------------


def _words(name: str) -> list[str]:
    text = re.sub(r"\([^)]*\)|\[[^\]]*\]", " ", str(name))  # drop parenthesised parts
    text = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", text)  # split camelCase: AnnualIncome -> Annual Income
    return [w for w in re.split(r"[^0-9A-Za-zÀ-ÿ]+", text.lower()) if w]


def short_feature_name(name: str) -> str:
    """A short lower-case name for a feature, for segment names.

    Rule: drop parenthesised (and bracketed) parts, split camelCase and punctuation into words,
    lower-case, and drop the :data:`GENERIC_WORDS` ("annual", "score", "total", "avg", "amount",
    "count", ...) when another word remains. "Annual Income (k$)" -> "income", "Spending Score
    (1-100)" -> "spending", "Age" -> "age". A name with no words left is only lower-cased.
    """
    words = _words(name)
    if not words:
        return str(name).strip().lower() or str(name)
    kept = [w for w in words if w not in GENERIC_WORDS]
    return " ".join(WORD_FORMS.get(w, w) for w in (kept or words))


def _short_names(features: Sequence[str]) -> list[str]:
    """Short names, falling back to fuller forms where two features would read the same."""
    short = [short_feature_name(f) for f in features]
    fuller = [" ".join(_words(f)) or str(f).lower() for f in features]
    for fallback in (fuller, [str(f) for f in features]):
        clash = [short.count(name) > 1 for name in short]
        short = [fallback[i] if clash[i] else short[i] for i in range(len(short))]
    return short


def _part(z: float, short: str) -> str:
    very = abs(z) >= VERY_HIGH_Z
    if short in _DIRECTION_WORDS:
        low, high = _DIRECTION_WORDS[short]
        word = high if z > 0 else low
        return ("Much " + word) if very else word.capitalize()
    level = ("Very high" if very else "High") if z > 0 else ("Very low" if very else "Low")
    return f"{level} {short}"


def name_segments(centers_z: np.ndarray, features: Sequence[str], indices: np.ndarray | None = None) -> list[str]:
    """Human-readable segment names from how each centroid differs from the overall mean.

    Parameters
    ----------
    centers_z : numpy.ndarray
        ``(k, features)``: (centroid - overall mean) / overall standard deviation (in the space the model
        measures in: after the feature's transform, if any). NaN counts as 0 (not distinctive). A feature
        is named only from :data:`HIGH_Z` and reads "Very ..." from :data:`VERY_HIGH_Z`.
    features : sequence of str
        Feature names, one per column.
    indices : numpy.ndarray, optional
        ``(k, features)``: segment mean / overall mean * 100 in original units (NaN where undefined).
        When given, the distinctive features are ranked by ``|index - 100|`` (strongest first, in either
        direction; ``50 * |z|`` where the index is undefined), else by ``|z|``.

    Returns
    -------
    list[str]
        One unique name per segment, e.g. ``"High income · Low spending"``, ``"Older · Very high
        income"`` or ``"Average customers"``, at most :data:`MAX_NAME_CHARS` characters (plus a " (n)"
        number when two segments would still read the same).
    """
    z = np.nan_to_num(np.asarray(centers_z, dtype=float), nan=0.0, posinf=0.0, neginf=0.0)
    if z.ndim != 2 or z.shape[1] != len(features):
        raise ValueError(f"centers_z must be (segments, {len(features)}); got shape {z.shape}.")
    strength = np.abs(z)
    if indices is not None:
        index = np.asarray(indices, dtype=float)
        if index.shape != z.shape:
            raise ValueError(f"indices must be (segments, {len(features)}); got shape {index.shape}.")
        strength = np.where(np.isfinite(index), np.abs(index - 100.0), 50.0 * np.abs(z))
    short = _short_names(features)
    ranked: list[list[int]] = []
    for i, row in enumerate(z):
        order = sorted(range(row.size), key=lambda j: (-strength[i, j], j))
        ranked.append([j for j in order if abs(row[j]) >= HIGH_Z])
    used = [min(MAX_NAME_FEATURES, len(r)) for r in ranked]

    def build(i: int) -> str:
        parts = [_part(z[i, j], short[j]) for j in ranked[i][: used[i]]]
        while len(parts) > 1 and len(" · ".join(parts)) > MAX_NAME_CHARS:
            parts.pop()  # the weaker trait goes first: a name never needs cutting
        name = " · ".join(parts) if parts else AVERAGE_NAME
        return name if len(name) <= MAX_NAME_CHARS else name[:MAX_NAME_CHARS].rsplit(" ", 1)[0]

    names = [build(i) for i in range(z.shape[0])]
    while True:
        grown = False
        for name in set(names):
            members = [i for i, n in enumerate(names) if n == name]
            if len(members) < 2:
                continue
            for i in members:
                longer = " · ".join(_part(z[i, j], short[j]) for j in ranked[i][: used[i] + 1])
                if used[i] < len(ranked[i]) and len(longer) <= MAX_NAME_CHARS:
                    used[i] += 1
                    grown = True
        if not grown:
            break
        names = [build(i) for i in range(z.shape[0])]
    final = list(names)
    for name in set(names):
        members = [i for i, n in enumerate(names) if n == name]
        if len(members) > 1:
            for number, i in enumerate(members, start=1):
                final[i] = f"{name} ({number})"
    return final


def segment_z_scores(seg: Segmentation) -> np.ndarray:
    """``(k, features)``: each segment's mean minus the overall mean, in overall standard deviations.

    Means and standard deviations are over the scored customers (filled values included), in the space
    the model measures in: the original units, or the transformed values for a feature the model
    transforms (a log of spend: a handful of extreme buyers do not make everyone else "average"). A
    segment with no customers uses the model's centroid instead; a feature that does not vary gives 0.
    """
    stats = _model_space_stats(seg)
    k = int(seg.k)
    if stats.customers == 0:
        return np.zeros((k, stats.means.shape[1]))
    means = stats.means.copy()
    empty = stats.sizes == 0
    if empty.any():
        centres = original_centers(seg.pipeline)[empty]
        step = seg.pipeline.named_steps.get("transform")
        means[empty] = step.transform(centres) if step is not None else centres
    spread = stats.spread
    with np.errstate(invalid="ignore", divide="ignore"):
        z = np.where(spread > 0, (means - stats.overall) / np.where(spread > 0, spread, 1.0), 0.0)
    return z


def _model_space_stats(seg: Segmentation) -> FeatureStats:
    """:attr:`Segmentation.feature_stats`, of the transformed values when the model transforms features."""
    step = seg.pipeline.named_steps.get("transform")
    if step is None or not getattr(step, "active", False):
        return seg.feature_stats
    X, labels = seg.scored_matrix()
    return FeatureStats.of(step.transform(X), labels, int(seg.k))


def segment_indices(seg: Segmentation) -> np.ndarray:
    """``(k, features)``: each segment's mean / the overall mean * 100, in original units (NaN when the
    overall mean is 0 or the segment is empty), the indices the profile shows."""
    return _indices(seg.feature_stats)


def segment_names(seg: Segmentation) -> list[str]:
    """:func:`name_segments` for a segmentation: levels from :func:`segment_z_scores`, traits ranked by
    :func:`segment_indices` (``|index - 100|``, strongest first)."""
    return name_segments(segment_z_scores(seg), list(seg.features), segment_indices(seg))


# --------------------------------------------------------------------------------------------------
# Profile
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Profile:
    """What each segment looks like and which features set the segments apart, as typed frames.

    Every per-segment frame has one row per segment, indexed by the internal label (0 = Cluster 1, the
    largest), in that order.

    Attributes
    ----------
    sizes : pandas.DataFrame
        ``cluster`` (the number shown), ``segment`` (its name), ``customers`` and ``share`` (of the
        customers with a segment, 0..1).
    means : pandas.DataFrame
        One column per feature, named after it: the segment's mean in the feature's original units (over
        the scored customers; NaN for an empty segment).
    indices : pandas.DataFrame
        The same columns: segment mean / overall mean * 100 (average = 100; NaN when the overall mean is 0,
        i.e. within 1e-9 of the feature's largest absolute value: an index needs values measured from a
        true zero, like income or visits).
    mixes : pandas.DataFrame
        Columns a ``(column, value)`` MultiIndex, per text column its most common values in order: the
        share (0..1) of the segment's customers with that value. No columns when no text column is described.
    drivers : pandas.DataFrame
        One row per feature, sorted by ``rank``: ``feature``, ``F`` (one-way ANOVA F statistic across
        segments), ``eta_squared`` (share of the feature's variance explained by the segments, 0..1),
        ``rank`` (1 = separates the segments most).
    """

    sizes: pd.DataFrame
    means: pd.DataFrame
    indices: pd.DataFrame
    mixes: pd.DataFrame
    drivers: pd.DataFrame

    @property
    def names(self) -> list[str]:
        """The segment names used, in cluster order."""
        return [str(n) for n in self.sizes["segment"]]

    @property
    def features(self) -> list[str]:
        """The features, in the model's order."""
        return [str(f) for f in self.means.columns]

    @property
    def described(self) -> list[str]:
        """The text columns whose mix is shown, in order."""
        return [str(c) for c in dict.fromkeys(self.mixes.columns.get_level_values(0))]

    def mix(self, column: str) -> pd.DataFrame:
        """The mix of one text column: one column per value (the most common first), shares 0..1."""
        return self.mixes.xs(column, axis=1, level=0)

    def flat(self) -> pd.DataFrame:
        """One flat table (see :func:`core.stats.flat_table`): sizes, means, ``<f> index``, ``<column>: <value>``."""
        return flat_table(self.sizes, self.means, self.indices, self.mixes)


def profile(
    seg: Segmentation,
    frame: pd.DataFrame,
    text_columns: Sequence[str],
    names: Sequence[str] | None = None,
) -> Profile:
    """Describe every segment and rank the features by how well they separate the segments.

    Parameters
    ----------
    seg : Segmentation
        The segmentation of ``frame``.
    frame : pandas.DataFrame
        The table that was segmented (same rows, same order).
    text_columns : sequence of str
        Columns not used by the model (e.g. Gender) to describe each segment by: for each, its
        :data:`TOP_TEXT_VALUES` most common values among the scored customers (missing cells not
        counted as a value), as the share of each segment's customers with that value.
    names : sequence of str, optional
        Segment names; by default :func:`segment_names`.

    Returns
    -------
    Profile

    Raises
    ------
    FeatureError
        A text column is missing from the table or is one of the segmentation's features.
    ValueError
        ``frame`` has a different number of rows than the segmentation, or ``names`` the wrong length.
    """
    k = int(seg.k)
    labels_all = np.asarray(seg.labels)
    if len(frame) != labels_all.size:
        raise ValueError(f"The table has {len(frame):,} rows but the segmentation {labels_all.size:,}.")
    names = list(segment_names(seg) if names is None else names)
    if len(names) != k:
        raise ValueError(f"{k} segment names are needed; got {len(names)}.")
    for column in text_columns:
        if column not in frame.columns:
            raise FeatureError(f"The table has no column '{column}' to describe the segments by.")
        if column in seg.features:
            raise FeatureError(f"'{column}' is one of the segmentation's features; its averages are "
                               f"already in the profile.")
    stats = seg.feature_stats
    means, sizes = stats.means, stats.sizes.astype(float)
    total = float(sizes.sum())
    labels = pd.RangeIndex(k)
    features = [str(f) for f in seg.features]
    size_frame = pd.DataFrame({
        "cluster": [display_cluster(c) for c in range(k)],
        "segment": names,
        "customers": sizes.astype(int),
        "share": sizes / total if total else np.zeros(k),
    }, index=labels)
    mean_frame = pd.DataFrame(means, index=labels, columns=features)
    index_frame = pd.DataFrame(_indices(stats), index=labels, columns=features)
    scored_rows = labels_all != NOT_SCORED
    every_row_scored = bool(scored_rows.all())
    row_labels = labels_all if every_row_scored else labels_all[scored_rows]
    # Mix columns are gathered in a dict and made into a frame once: adding them one by one is slow and
    # warns on wide files.
    mixes: dict[tuple[str, str], np.ndarray] = {}
    for column in text_columns:
        codes, values = _text_codes(frame[column])
        if not every_row_scored:
            codes = codes[scored_rows]
        present = codes >= 0
        if not present.any():
            continue
        counts = np.bincount(codes[present], minlength=len(values))
        order = sorted(np.flatnonzero(counts), key=lambda i: (-counts[i], values[i]))[:TOP_TEXT_VALUES]
        per_segment = np.bincount(row_labels[present] * len(values) + codes[present],
                                  minlength=k * len(values)).reshape(k, len(values)).astype(float)
        with np.errstate(invalid="ignore", divide="ignore"):
            shares = np.where(sizes[:, None] > 0, per_segment / np.where(sizes > 0, sizes, 1)[:, None], np.nan)
        for i in order:
            mixes[(str(column), values[i])] = shares[:, i]
    mix_frame = pd.DataFrame(mixes, index=labels, columns=pd.MultiIndex.from_tuples(list(mixes),
                                                                                      names=["column", "value"]))
    return Profile(size_frame, mean_frame, index_frame, mix_frame, _drivers(stats, features))


def _indices(stats: FeatureStats) -> np.ndarray:
    """``(k, features)``: segment mean / overall mean * 100 in original units (NaN when the overall mean is 0
    or the segment is empty)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        zero = ~np.isfinite(stats.overall) | (np.abs(stats.overall) <= _ZERO_MEAN * stats.largest)
        return np.where(zero[None, :], np.nan, stats.means / np.where(zero, 1.0, stats.overall)[None, :] * 100)


def _text_codes(values: pd.Series) -> tuple[np.ndarray, list[str]]:
    """(A code per cell, the distinct texts): cells are compared with surrounding spaces stripped, and
    missing or blank cells get code -1. Only the distinct cells become Python strings."""
    raw_codes, uniques = pd.factorize(values, use_na_sentinel=True)
    stripped = [str(u).strip() for u in uniques]
    texts = sorted({t for t in stripped if t})
    position = {t: i for i, t in enumerate(texts)}
    remap = np.array([position.get(t, -1) for t in stripped] + [-1], dtype=np.int64)
    return remap[raw_codes], texts  # a missing cell's -1 picks the last entry, -1


def _drivers(stats: FeatureStats, features: list[str]) -> pd.DataFrame:
    """One-way ANOVA F and eta squared of each feature across the segments."""
    n = stats.customers
    sizes = stats.sizes.astype(float)
    groups = int(np.count_nonzero(sizes))
    F = np.full(len(features), np.nan)
    eta = np.full(len(features), np.nan)
    if n:
        filled = np.nan_to_num(stats.means)
        between = (sizes[:, None] * (filled - stats.overall) ** 2).sum(axis=0)
        within, total = stats.within, stats.total
        with np.errstate(invalid="ignore", divide="ignore"):
            eta = np.where(total > 0, between / np.where(total > 0, total, 1), np.nan)
            if groups >= 2 and n > groups:
                F = np.where(within > 0, (between / (groups - 1)) / (within / (n - groups)),
                             np.where(between > 0, np.inf, np.nan))
    drivers = pd.DataFrame({"feature": features, "F": F, "eta_squared": eta})
    drivers["rank"] = drivers["F"].rank(method="first", ascending=False, na_option="bottom").astype(int)
    return drivers.sort_values("rank", kind="stable").reset_index(drop=True)


# --------------------------------------------------------------------------------------------------
# Stability
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Stability:
    """How much the segments change when the model is re-fitted on resampled customers.

    Attributes
    ----------
    overall : float
        Mean adjusted Rand index between the reference labels and each re-fit's labels of the compared
        customers (1 = identical segments, about 0 = no more alike than chance).
    per_segment : pandas.DataFrame
        ``cluster`` (as shown) and ``jaccard``: the mean Jaccard overlap of each reference segment with
        its best-matching segment in each re-fit (1 = always the same customers).
    verdict : str
        The result in plain words (see :data:`STABILITY_LEVELS`).
    runs : int
        Re-fits that ran.
    sample_rows : int
        Customers each re-fit was trained on.
    run_scores : tuple[float, ...]
        The adjusted Rand index of each re-fit.
    compared_rows, rows : int
        Customers whose segments were compared (a seeded sample of :data:`STABILITY_COMPARE_ROWS` above
        that many), out of ``rows``; 0 for results made before these were recorded.
    """

    overall: float
    per_segment: pd.DataFrame
    verdict: str
    runs: int
    sample_rows: int
    run_scores: tuple[float, ...]
    compared_rows: int = 0
    rows: int = 0

    @property
    def sample_note(self) -> str:
        """How many customers the check used, in words (the command line, the page and the report show it)."""
        text = f"each re-fit trained on a resample of {self.sample_rows:,} customers"
        if 0 < self.compared_rows < self.rows:
            return text + (f"; segments compared on a seeded sample of {self.compared_rows:,} of the "
                           f"{self.rows:,} customers")
        return text + (f"; segments compared on all {self.rows:,} customers" if self.rows else "")


def _transforms_of(pipeline: Pipeline) -> tuple[str, ...]:
    """The per-feature transforms of a fitted model (empty when it has no transform step)."""
    step = pipeline.named_steps.get("transform")
    return tuple(getattr(step, "transforms", ()) or ())


def stability_verdict(overall: float, per_segment: np.ndarray | None = None) -> str:
    """The verdict for a mean adjusted Rand index, naming the segments below :data:`SEGMENT_UNSTABLE`.

    ``per_segment`` holds the mean Jaccard overlap per internal cluster (0 = Cluster 1).
    """
    text = _UNSTABLE
    for threshold, words in STABILITY_LEVELS:
        if overall >= threshold:
            text = words
            break
    if per_segment is not None and overall >= STABILITY_LEVELS[-1][0]:
        weak = [(c, v) for c, v in enumerate(np.asarray(per_segment, dtype=float))
                if np.isfinite(v) and v < SEGMENT_UNSTABLE]
        if weak:
            listed = _join([f"Cluster {display_cluster(c)} (overlap {v:.2f})" for c, v in weak])
            text += f" Least reliable: {listed}; {'it changes' if len(weak) == 1 else 'they change'} most " \
                    f"between re-fits."
    return text


def stability(
    X: np.ndarray,
    k: int,
    seed: int = 0,
    runs: int = 10,
    progress: Callable[[int, int], None] | None = None,
    *,
    reference: Pipeline | None = None,
    transforms: tuple[str, ...] = (),
) -> Stability:
    """Re-fit the model on bootstrap samples and measure how much the segments change.

    The reference is ``fit_segmenter(X, k, seed)`` (or ``reference``, e.g. the segmentation's own
    pipeline, to skip that fit). Each of ``runs`` re-fits trains :func:`core.model.fit_segmenter` on a
    seeded bootstrap sample (drawn with replacement) of ``min(rows, STABILITY_MAX_ROWS)`` customers and
    labels every customer, or above :data:`STABILITY_COMPARE_ROWS` customers a seeded sample of that many
    (the same sample for every re-fit; :attr:`Stability.sample_note` says so); its labels are compared with
    the reference's.

    Parameters
    ----------
    X : numpy.ndarray
        ``(rows, features)`` in original units, no missing values (the rows the model used).
    k : int
        Number of segments.
    seed : int
        Seed of the reference fit and of the samples; the same seed gives the same result.
    runs : int
        Number of re-fits.
    progress : callable, optional
        ``progress(done, total)`` after the reference fit (when fitted here) and after each re-fit.
    reference : sklearn.pipeline.Pipeline, optional
        An already fitted model of ``X`` to compare with; its transforms (if any) are used by every re-fit.
    transforms : tuple of str
        The features' transforms when no ``reference`` is given.

    Raises
    ------
    NotEnoughRowsError
        Fewer (distinct) customers than ``k``, or no re-fit could be trained.
    ValueError
        ``runs`` below 1.
    """
    X = np.asarray(X, dtype=float)
    if runs < 1:
        raise ValueError("runs must be at least 1.")
    check_rows_for_k(X, k)
    total = runs + (1 if reference is None else 0)
    done = 0
    if reference is None:
        reference = fit_segmenter(X, k, seed, transforms)
        done += 1
        if progress is not None:
            progress(done, total)
    rows = X.shape[0]
    compared = X
    if rows > STABILITY_COMPARE_ROWS:  # its own generator: the re-fits' resamples stay those of every size
        pick = np.random.default_rng([seed, STABILITY_COMPARE_ROWS])
        compared = X[np.sort(pick.choice(rows, STABILITY_COMPARE_ROWS, replace=False))]
    ref = np.asarray(reference.predict(compared), dtype=np.int64)
    size = min(rows, STABILITY_MAX_ROWS)
    rng = np.random.default_rng(seed)
    scores: list[float] = []
    jaccards: list[np.ndarray] = []
    ref_sizes = np.bincount(ref, minlength=k).astype(float)
    for run in range(runs):
        sample = rng.integers(0, rows, size=size)
        try:
            model = fit_segmenter(X[sample], k, seed + 1 + run, _transforms_of(reference))
        except NotEnoughRowsError:
            model = None  # the sample has fewer distinct customers than k: skip this re-fit
        if model is not None:
            labels = np.asarray(model.predict(compared), dtype=np.int64)
            scores.append(float(adjusted_rand_score(ref, labels)))
            both = np.zeros((k, k))
            np.add.at(both, (ref, labels), 1.0)
            union = ref_sizes[:, None] + both.sum(axis=0)[None, :] - both
            with np.errstate(invalid="ignore", divide="ignore"):
                overlap = np.where(union > 0, both / np.where(union > 0, union, 1), 0.0)
            best = overlap.max(axis=1)
            best[ref_sizes == 0] = np.nan
            jaccards.append(best)
        done += 1
        if progress is not None:
            progress(done, total)
    if not scores:
        raise NotEnoughRowsError(f"The stability check could not re-fit {k} segments: the resampled "
                                 f"customers had too few different values. Choose fewer segments.")
    overall = float(np.mean(scores))
    per = np.nanmean(np.vstack(jaccards), axis=0) if not np.all(ref_sizes == 0) else np.full(k, np.nan)
    per_segment = pd.DataFrame({"cluster": [display_cluster(c) for c in range(k)], "jaccard": per})
    return Stability(overall, per_segment, stability_verdict(overall, per), len(scores), size, tuple(scores),
                     int(compared.shape[0]), rows)


# --------------------------------------------------------------------------------------------------
# Confidence per customer
# --------------------------------------------------------------------------------------------------


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


# --------------------------------------------------------------------------------------------------
# Does a pre-trained model fit these customers?
# --------------------------------------------------------------------------------------------------


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


def out_of_range(X: np.ndarray, info: ModelInfo, features: Sequence[str]) -> RangeCheck:
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
                           f"{_pct(row.outside)} of the '{row.feature}' values lie outside the training "
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
        warning = ("The pre-trained model probably does not fit these customers: they differ from the "
                   f"customers it was trained on{trained}. {details[0].upper()}{details[1:]}. Its segments "
                   "may describe them poorly; consider training a new model on this file.")
    return RangeCheck(table, warning)


# --------------------------------------------------------------------------------------------------
# Comparing two segmentations
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Comparison:
    """Two segmentations of the same customers side by side.

    Attributes
    ----------
    table : pandas.DataFrame
        Customers per pair of clusters: rows are ``name_a``'s clusters, columns ``name_b``'s (numbers
        as shown; the index and columns are named after the segmentations).
    adjusted_rand : float
        Adjusted Rand index of the two labellings (1 = the same segments, about 0 = unrelated; NaN
        with no customer in both).
    rows : int
        Customers compared (those with a segment in both).
    name_a, name_b : str
    summary : str
        The agreement in words.
    """

    table: pd.DataFrame
    adjusted_rand: float
    rows: int
    name_a: str
    name_b: str
    summary: str


def compare_labels(a: np.ndarray, b: np.ndarray, name_a: str, name_b: str) -> Comparison:
    """Cross-tabulate two labellings (internal labels, -1 = no segment) of the same customers.

    Rows where either labelling is -1 are left out.

    Raises
    ------
    ValueError
        The labellings have different lengths.
    """
    a = np.asarray(a).ravel()
    b = np.asarray(b).ravel()
    if a.shape != b.shape:
        raise ValueError(f"Both segmentations must label the same customers: {a.size:,} and {b.size:,} "
                         "labels.")
    keep = (a != NOT_SCORED) & (b != NOT_SCORED)
    shown_a = pd.Series(a[keep].astype(np.int64) + DISPLAY_OFFSET, name=name_a)
    shown_b = pd.Series(b[keep].astype(np.int64) + DISPLAY_OFFSET, name=name_b)
    table = pd.crosstab(shown_a, shown_b)
    rows = int(keep.sum())
    ari = float(adjusted_rand_score(shown_a, shown_b)) if rows else float("nan")
    if not rows:
        summary = f"No customer has a segment in both {name_a} and {name_b}."
    elif ari >= 0.9:
        summary = f"{name_a} and {name_b} give nearly the same segments (adjusted Rand {ari:.2f})."
    elif ari >= 0.6:
        summary = f"{name_a} and {name_b} largely agree (adjusted Rand {ari:.2f})."
    elif ari >= 0.3:
        summary = f"{name_a} and {name_b} partly agree (adjusted Rand {ari:.2f})."
    else:
        summary = f"{name_a} and {name_b} split the customers very differently (adjusted Rand {ari:.2f})."
    return Comparison(table, ari, rows, name_a, name_b, summary)


# --------------------------------------------------------------------------------------------------
# The summary table (the CLI's --summary file, the dashboard's and the report's profile)
# --------------------------------------------------------------------------------------------------


def summary_profile(seg: Segmentation, frame: pd.DataFrame, text_columns: Sequence[str]) -> Profile:
    """:func:`profile` with the segmentation's names, described by the usable ``text_columns``: names the
    table lacks and the segmentation's own features are skipped, repeats count once (the profile of the
    summary downloads, ``segments fit --summary`` and the report).

    Raises
    ------
    ValueError
        ``frame`` has a different number of rows than the segmentation.
    """
    features = [str(f) for f in seg.features]
    usable = [c for c in dict.fromkeys(text_columns) if c in frame.columns and c not in features]
    return profile(seg, frame, usable, names=seg.segment_names)


def summary_table(seg: Segmentation, frame: pd.DataFrame, text_columns: Sequence[str]) -> pd.DataFrame:
    """One row per segment: what ``segments fit --summary`` writes, :meth:`Profile.flat` of
    :func:`summary_profile`.

    Columns, in this order:

    * ``cluster`` (as shown, 1 = largest), ``segment`` (its name, :attr:`Segmentation.segment_names`),
      ``customers``, ``share`` (of the customers with a segment, 0..1);
    * one column per feature, **named after the feature** (``<feature> (mean)`` for a feature named like
      one of the four before it, :func:`core.stats.feature_columns`), holding the segment's mean in the
      feature's original units (the same numbers as :meth:`Segmentation.summary`);
    * then, per feature, ``<feature> index``: segment mean / overall mean * 100 (average = 100; NaN
      when the overall mean is 0, see :func:`profile`);
    * then the text-column mixes of :func:`profile`: ``<column>: <value>``, the share (0..1) of the
      segment's customers with that value, for the :data:`TOP_TEXT_VALUES` most common values.

    Raises
    ------
    ValueError
        ``frame`` has a different number of rows than the segmentation.
    """
    return summary_profile(seg, frame, text_columns).flat()
