"""Choosing k: one recommended number of segments from a k sweep, with the reason in words.

See the rules in :mod:`core.insight`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np

from ..selection import SweepResult
from ..text import join_words, percent

__all__ = ["Recommendation", "recommend_k", "TINY_SHARE", "USEFUL_SHARE", "DOMINANT_SHARE", "STABLE_SWEEP",
           "MIN_CUSTOMERS_PER_SEGMENT", "WEAK_SILHOUETTE"]

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

_MEASURE_NAMES: dict[str, str] = {
    "elbow": "the elbow",
    "silhouette": "the silhouette",
    "calinski_harabasz": "Calinski-Harabasz",
    "davies_bouldin": "Davies-Bouldin",
}


@dataclass(frozen=True)
class Recommendation:
    """The recommended number of segments and why.

    Attributes
    ----------
    k : int
        The recommended k.
    reason : str
        One sentence saying why, for a marketing analyst. It does not open with the k ("All four measures
        agree ..."): every place that shows it says "Recommended: k=N." first.
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
    at_edge : bool
        True when k is the largest k tried and a score chose it: the scores keep improving up to the end
        of the range, so k is the best of the range rather than a best number of segments found.
    least_share, most_share : float
        The segment sizes the tier that chose k asked for: its smallest segment holds at least
        ``least_share`` of the customers and its largest at most ``most_share`` (0 and 1 when the tier
        asked nothing). :func:`core.insight.check_split` holds a model fitted on every customer to them.
    """

    k: int
    reason: str
    warnings: list[str]
    elbow: int
    best_silhouette: int | None
    best_calinski: int | None
    best_davies: int | None
    votes: dict[str, int] = field(default_factory=dict)
    at_edge: bool = False
    least_share: float = 0.0
    most_share: float = 1.0


def _best(ks: np.ndarray, values: np.ndarray, higher: bool) -> int | None:
    """The k with the best finite value (the smaller k on a tie), or None."""
    finite = np.isfinite(values)
    if not finite.any():
        return None
    scores = np.where(finite, values if higher else -values, -np.inf)
    return int(ks[int(np.argmax(scores))])  # argmax returns the first, i.e. the smaller k


def recommend_k(sweep: SweepResult, rows: int, tiny_share: float = TINY_SHARE,
                useful_share: float = USEFUL_SHARE,
                fitted: Mapping[int, tuple[float, float]] | None = None) -> Recommendation:
    """One recommended number of segments from the elbow, silhouette, Calinski-Harabasz and Davies-Bouldin.

    Rule: each of the four measures votes for one k in ``sweep.k_min .. sweep.k_max``; k whose
    smallest cluster holds less than ``tiny_share`` of the customers are set aside while any other k
    remains (the elbow then votes for the remaining k closest to it). Most votes wins; a tie goes to
    the tied k with the highest silhouette, then to the smaller k. When every measure chose another k,
    the middle of their choices wins (of two in the middle, the better silhouette): each measure leans to
    one end of the range (the silhouette to few segments, Calinski-Harabasz to many), and the middle sets
    them against each other. Measures the sweep lacks (a result
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
    fitted : mapping, optional
        ``{k: (smallest share, largest share)}`` of models fitted on every customer, in place of the
        sweep's (sampled) fit at those k: :func:`core.insight.settle_split` passes the k whose fit on every
        customer broke the rule its sample fit kept, so the next recommendation is made without them.

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
    share = shown["smallest_share"].to_numpy(dtype=float, copy=True)
    largest = shown["largest_share"].to_numpy(dtype=float, copy=True)
    stab = shown["stability"].to_numpy(dtype=float)
    share_of = dict(zip(full["k"].astype(int), full["smallest_share"].astype(float)))
    for i, k_fitted in enumerate(ks.tolist()):
        if fitted and k_fitted in fitted:  # what every customer gives, where the sample gave another split
            share[i], largest[i] = fitted[k_fitted]
            share_of[k_fitted] = float(share[i])
    sil_of = dict(zip(ks.tolist(), sil.tolist()))

    tiny = np.isfinite(share) & (share < tiny_share)
    small = np.isfinite(share) & (share < max(tiny_share, useful_share))
    dominant = np.isfinite(largest) & (largest > DOMINANT_SHARE)
    measured = np.isfinite(stab)
    # A k whose stability could not be measured (its re-fits had too few different customers: 8 customers at
    # k=7) is not taken for a stable one while another k's was measured; with none measured (a result cached
    # before the sweep measured it) every k counts as stable, as then.
    unmeasured = ~measured & measured.any()
    unstable = (measured & (stab < STABLE_SWEEP)) | unmeasured
    # The first non-empty tier is voted on: stable and useful; stable without a tiny segment or one that holds most
    # customers; stable without a tiny segment; without a tiny segment; every k. (Found from outside: a Stripe
    # export's refunds, zero for 95% of its customers, gave every k a 4.8% segment of refunders, so no k was
    # "useful", and k=2, 95% in one "Average customers" segment, won the vote among the stable ones.)
    tiers = [~unstable & ~small & ~dominant, ~unstable & ~tiny & ~dominant, ~unstable & ~tiny, ~tiny,
             np.ones(ks.size, dtype=bool)]
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

    if top == 1 and len(tied) >= 3:
        # every measure chose another k: the middle of their choices, each measure's lean to one end of the
        # range set against the others' (the silhouette to few segments, Calinski-Harabasz to many); of two in
        # the middle, the better separated
        middle = {m: sil_of.get(m, float("nan")) for m in tied[(len(tied) - 1) // 2: len(tied) // 2 + 1]}
        k = max(middle, key=sil_key)
    else:
        middle = {}
        k = max(tied, key=sil_key)
    why_not: dict[int, tuple[str, float]] = {}  # k set aside -> (why, the number that says so)
    strict = eligible is tiers[0]
    sizeable = strict or eligible is tiers[1]  # (a segment holding most customers set a k aside)
    for i, candidate in enumerate(ks.tolist()):
        if eligible[i]:
            continue
        if tiny[i] or (strict and small[i]):
            why_not[candidate] = ("small", float(share[i]))
        elif sizeable and dominant[i]:
            why_not[candidate] = ("dominant", float(largest[i]))
        else:
            why_not[candidate] = ("unmeasured", float("nan")) if unmeasured[i] else ("unstable", float(stab[i]))
    only_tiny = all(tiny[i] for i in range(ks.size) if not eligible[i])
    # the largest k tried, chosen by a score (not the elbow alone): the scores still improve at the range's end
    # (unless the data set that end: a file of four different customers allows three segments at most)
    at_edge = k == int(ks[-1]) and ks.size > 1 and sweep.data_limit is None and any(
        name != "elbow" and choice == k for name, choice in votes.items())
    reason = _reason(k, votes, tied, top, why_not, share_of, ks, best_sil, best_ch, best_db, sweep.elbow,
                     tiny_share, only_tiny, at_edge, middle, useful=strict)
    if sweep.data_limit is not None and k == sweep.data_limit:
        reason += f" It is the most segments {k + 1:,} different customers allow."
    i = int(np.flatnonzero(ks == k)[0])
    if np.isfinite(stab[i]):
        word = "stable" if stab[i] >= STABLE_SWEEP else "not stable"
        held = ""
        if np.isfinite(share[i]) and np.isfinite(largest[i]):
            low, high = percent(share[i], short=True), percent(largest[i], short=True)
            held = (f" and each hold {low} of customers" if low == high
                    else f" and hold {low} to {high} of customers each")
        reason += f" Its segments are {word} under resampling (stability {stab[i]:.2f}){held}."
    warnings = _recommend_warnings(k, rows, share_of, sil_of, ks, tiny_share)
    if unstable[i]:
        measured_here = f"stability {stab[i]:.2f}" if measured[i] else "stability not measured"
        warnings.append(f"No k from {int(ks[0])} to {int(ks[-1])} gives segments that hold when the customers "
                        f"are resampled (at k={k} {measured_here}): treat the segments as a rough split.")
    # the segment sizes the tier that chose k asked for (tiers 3 and 4 ask none of the largest; tier 5 nothing)
    least = (max(tiny_share, useful_share) if strict else tiny_share if eligible is not tiers[-1] else 0.0)
    most = DOMINANT_SHARE if sizeable else 1.0
    return Recommendation(k, reason, warnings, int(sweep.elbow), best_sil, best_ch, best_db, votes, at_edge,
                          least, most)


#: Why a k was set aside, for one k and for several: (one, several, how its number is written).
_SET_ASIDE: dict[str, tuple[str, str, Callable[[float], str]]] = {
    "small": ("its smallest segment holds only {} of customers",
              "their smallest segments hold only {} of customers", lambda v: percent(v, short=True)),
    "dominant": ("one segment would hold {} of customers", "one segment would hold {} of customers",
                 lambda v: percent(v, short=True)),
    "unstable": ("its segments change when the customers are resampled (stability {})",
                 "their segments change when the customers are resampled (stability {})", lambda v: f"{v:.2f}"),
    "unmeasured": ("its stability could not be measured (too few different customers to re-fit it)",
                   "their stability could not be measured (too few different customers to re-fit them)",
                   lambda v: ""),
}


def _reason(k: int, votes: dict[str, int], tied: list[int], top: int, why_not: dict[int, tuple[str, float]],
            share_of: dict[int, float], ks: np.ndarray, best_sil: int | None, best_ch: int | None,
            best_db: int | None, elbow: int, tiny_share: float, only_tiny: bool = True, at_edge: bool = False,
            middle: Mapping[int, float] | None = None, *, useful: bool = True) -> str:
    raw = {"the elbow": elbow, "the silhouette": best_sil, "Calinski-Harabasz": best_ch,
           "Davies-Bouldin": best_db}
    passed: dict[int, list[str]] = {}  # k set aside -> the measures that preferred it
    for label, choice in raw.items():
        if choice is not None and choice != k and choice in why_not:
            passed.setdefault(choice, []).append(label)
    among = ""
    if passed:
        # (``useful``: every segment of the k voted on holds a useful share; else they are stable, none tiny)
        among = (" among the k without a tiny segment" if only_tiny else
                 " among the stable, useful splits" if useful else " among the stable splits without a tiny segment")
    agree = [name for name, choice in votes.items() if choice == k]
    others = {name: choice for name, choice in votes.items() if choice != k}
    labels = [_MEASURE_NAMES[name] for name in agree]

    def said(name: str, choice: int) -> str:
        # the elbow quoted is the elbow the chart marks, even when its k was set aside
        if name == "elbow" and choice != elbow:
            return f"the elbow k={elbow}, nearest k kept {choice}"
        return f"{_MEASURE_NAMES[name]} k={choice}"

    scores = [_MEASURE_NAMES[name] for name in agree if name != "elbow"]
    if at_edge:
        # not a best number found: the best of the range, and what to try instead
        elbow_k = votes.get("elbow", elbow)
        head = (f"it is the largest k tried: {join_words(scores)} "
                f"{'keeps' if len(scores) == 1 else 'keep'} improving up to it, so no best number of segments "
                f"shows in this range")
        head += (f"; try the elbow's k={elbow_k} for fewer, broader segments, or more than {k} segments if you "
                 f"need finer groups" if elbow_k < k else f"; try more than {k} segments")
    elif passed and sum(1 for c in ks.tolist() if c >= 2 and c not in why_not) == 1:
        # found from outside (4 customers): "all four measures agree" of the one k that was left read as a
        # contradiction beside "k=2 (preferred by the elbow and the silhouette) was set aside"
        tried = [c for c in ks.tolist() if c >= 2]
        head = f"it is the only k from {min(tried)} to {max(tried)} left once the others were set aside"
    elif not others and len(agree) >= 2:
        head = (f"all four measures agree{among} (the elbow, the silhouette, Calinski-Harabasz and "
                f"Davies-Bouldin)" if len(agree) == 4 else f"{join_words(labels)} agree{among}")
    elif len(tied) == 1 and top >= 2:
        dissent = "; ".join(f"{_MEASURE_NAMES[name]} prefers k={choice}" if name != "elbow" or choice == elbow
                            else said(name, choice) for name, choice in others.items())
        head = f"{join_words(labels)} point to it{among} ({dissent})"
    elif len(votes) == 1:
        head = f"it is the elbow of the curve{among}"
    else:
        listing = "; ".join(said(name, choice) for name, choice in votes.items())
        if middle and len(middle) == 1:
            pick = f"k={k} is the middle of their choices"
        elif middle:
            other = next(m for m in middle if m != k)
            pick = (f"of the two in the middle of their choices, k={k} has the better-separated segments "
                    f"(silhouette {middle[k]:.2f}, against {middle[other]:.2f} at k={other})")
        else:
            pick = f"k={k} has the best-separated segments among their choices"
        head = f"the measures disagree{among} ({listing}); {pick}"
    clauses = [head]
    for kind, (one, several, number) in _SET_ASIDE.items():
        group = [choice for choice in sorted(passed) if why_not[choice][0] == kind]
        if len(group) == 1:
            clauses.append(f"k={group[0]} (preferred by {join_words(passed[group[0]])}) was set aside because "
                           + one.format(number(why_not[group[0]][1])))
        elif group:
            by = list(dict.fromkeys(label for choice in group for label in passed[choice]))
            clauses.append(f"k={join_words([str(c) for c in group])} (preferred by {join_words(by)}) were set aside "
                           "because "
                           + several.format(join_words([number(why_not[c][1]) for c in group])))
    nxt = k + 1
    if nxt in ks.tolist() and nxt not in passed and np.isfinite(share_of.get(nxt, np.nan)) \
            and share_of[nxt] < tiny_share:
        clauses.append(f"k={nxt} adds a segment of only {percent(share_of[nxt], short=True)} of customers")
    sentence = "; ".join(clauses) + "."
    return sentence[0].upper() + sentence[1:]


def _recommend_warnings(k: int, rows: int, share_of: dict[int, float], sil_of: dict[int, float],
                        ks: np.ndarray, tiny_share: float) -> list[str]:
    warnings: list[str] = []
    share = share_of.get(k, float("nan"))
    if np.isfinite(share) and share < tiny_share:
        warnings.append(f"At k={k} the smallest segment holds only {percent(share, short=True)} of customers (about "
                        f"{max(1, round(share * rows)):,}); it may be too small to act on. Every k compared "
                        f"has a segment this small.")
    for near in (k - 1, k + 1):
        value = share_of.get(near, float("nan"))
        if near in ks.tolist() and np.isfinite(value) and value < tiny_share:
            warnings.append(f"At k={near} one segment would hold only {percent(value, short=True)} of customers (about "
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
