"""Whether a model fitted on every customer keeps the segment sizes the k sweep's sample promised.

The k sweep (:func:`core.selection.sweep_k`) fits each k on a seeded sample of at most
:data:`core.selection.SWEEP_MAX_ROWS` customers, and :func:`core.insight.recommend_k` chooses k by the sizes
of those fits' segments. Some data has two K-Means solutions of about the same quality at one k (found from
outside: a Stripe export of 40,000 customers split 39% / 61% on the sweep's sample at k=2, and 97.5% / 2.5%
fitted on all of them). The model fitted on every customer then lands in the other one, and breaks the rule
that made k the recommendation. :func:`check_split` tells; :func:`settle_split` finds the next recommendation
whose model on every customer holds, fitting more models only when the first one broke the rule.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

import numpy as np

from ..selection import SweepResult
from ..text import join_words, percent
from .choosing_k import DOMINANT_SHARE, TINY_SHARE, USEFUL_SHARE, Recommendation, recommend_k

__all__ = ["SplitCheck", "Settled", "check_split", "settle_split", "split_may_differ", "MAX_SPLIT_FITS"]

#: Models fitted on every customer, beyond the first, to find a k whose fit holds (each costs a full fit).
MAX_SPLIT_FITS = 3

#: The segment-size rules a tier of :func:`core.insight.recommend_k` may ask: (smallest at least, largest at most).
_RULES: tuple[tuple[float, float], ...] = ((max(TINY_SHARE, USEFUL_SHARE), DOMINANT_SHARE),
                                           (TINY_SHARE, DOMINANT_SHARE), (TINY_SHARE, 1.0))

M = TypeVar("M")


def _shares(sizes: Sequence[int] | np.ndarray) -> tuple[float, float]:
    """The smallest and largest segment's share of the customers."""
    counts = np.asarray(sizes, dtype=float)
    total = counts.sum()
    return (float(counts.min() / total), float(counts.max() / total)) if total else (math.nan, math.nan)


def _holds(shares: tuple[float, float], least: float, most: float) -> bool:
    return shares[0] >= least and shares[1] <= most


def _range(shares: tuple[float, float], short: bool = True) -> str:
    """"39% to 61%" (``short``: as the recommendation says the sweep's sizes; else as the fit's table, "39.3%")."""
    low, high = percent(shares[0], short=short), percent(shares[1], short=short)
    return f"{low} each" if low == high else f"{low} to {high}"


@dataclass(frozen=True)
class SplitCheck:
    """A k whose model fitted on every customer broke the segment-size rule its sweep fit kept.

    Attributes
    ----------
    k : int
        The number of segments.
    rows : int
        The customers the model was fitted on.
    sample_rows : int | None
        The customers of the sweep's sample (None: the sweep used every customer).
    sample_smallest, sample_largest : float
        The smallest and largest segment's share in the sweep's fit at k.
    smallest, largest : float
        The same in the model fitted on every customer.
    stability : float
        The sweep's stability at k (NaN when not measured).
    least_share, most_share : float
        The rule: the smallest segment holds at least ``least_share`` of the customers, the largest at most
        ``most_share`` (:attr:`Recommendation.least_share`, :attr:`Recommendation.most_share`).
    """

    k: int
    rows: int
    sample_rows: int | None
    sample_smallest: float
    sample_largest: float
    smallest: float
    largest: float
    stability: float
    least_share: float
    most_share: float

    def fitted(self) -> str:
        """How the model on every customer divides them ("97.5% of them in one segment and 2.5% in the other")."""
        big, small = percent(self.largest), percent(self.smallest)  # as the model's table says them
        if self.k == 2:
            return f"{big} of them in one segment and {small} in the other"
        return f"{big} of them in its largest segment and {small} in its smallest"

    def broken(self) -> str:
        """The rule broken, in words ("more than 70% of customers in one segment and a segment under 5%")."""
        parts = []
        if self.largest > self.most_share:
            parts.append(f"more than {percent(self.most_share, short=True)} of customers in one segment")
        if self.smallest < self.least_share:
            parts.append(f"a segment under {percent(self.least_share, short=True)}" + ("" if parts else " of customers"))
        return join_words(parts)

    def what(self) -> str:
        """What happened at k and why, in two sentences for a marketing analyst."""
        sample = (f"the k sweep's sample of {self.sample_rows:,} gave" if self.sample_rows
                  else "the k sweep's fit gave")
        hint = (f" (the sweep's stability of {self.stability:.2f}, short of 1, hinted at it)"
                if math.isfinite(self.stability) and self.stability < 1 else "")
        return (f"Fitted on all {self.rows:,} customers, k={self.k} puts {self.fitted()}, where {sample} segments "
                f"of {_range((self.sample_smallest, self.sample_largest))}: these customers split two quite different "
                f"ways at k={self.k}, and the fit on all of them found the other one{hint}. That split has what sets "
                f"a k aside in the recommendation: {self.broken()}.")


@dataclass(frozen=True)
class Settled(Generic[M]):
    """The outcome of :func:`settle_split` for a model fitted on every customer at k.

    Attributes
    ----------
    k : int
        The k of the model checked.
    checks : tuple[SplitCheck, ...]
        Each k, in the order tried, whose model on every customer broke the rule its sweep fit kept;
        empty when the model at ``k`` holds (nothing else was fitted).
    recommendation : Recommendation | None
        With ``checks``: the next recommendation made without those k's sample sizes (their sizes on every
        customer instead), or None when no k held within :data:`MAX_SPLIT_FITS` fits. Without: the sweep's.
    model : M | None
        The model at ``recommendation.k`` fitted on every customer (the one checked when ``checks`` is empty);
        None when it was not fitted (the caller's ``fit`` gave None).
    shares : tuple[float, float] | None
        Its smallest and largest segment's share (None without a model).
    """

    k: int
    checks: tuple[SplitCheck, ...]
    recommendation: Recommendation | None
    model: M | None
    shares: tuple[float, float] | None = None

    @property
    def instead(self) -> int | None:
        """The k to use instead of :attr:`k` (None: none, or the model at k holds)."""
        if not self.checks or self.recommendation is None or self.recommendation.k == self.k:
            return None
        return self.recommendation.k

    def said(self, chosen: bool) -> str | None:
        """What to tell the user (None when the model at k holds).

        ``chosen``: the user chose k (the dashboard's slider, ``fit --k N``), whose model stays; else k was
        the recommendation and the model at :attr:`instead` replaces it (``fit --k auto``).
        """
        if not self.checks:
            return None
        first, *more = self.checks
        text = first.what()
        for check in more:
            text += (f" k={check.k}, the next recommendation, does the same: on all customers it puts {check.fitted()}"
                     f" ({_range((check.sample_smallest, check.sample_largest))} on the sweep's sample).")
        holds = f"holds on all {first.rows:,} customers (segments of {_range(self.shares, short=False)})" \
            if self.shares is not None else ""
        if self.recommendation is None:
            tried = join_words([f"k={c.k}" for c in self.checks])
            return text + (f" No dependable split was found: {tried} each split all customers otherwise than the "
                           f"sweep's sample. Treat the segments as they are fitted, or choose other features.")
        k, other = self.k, self.recommendation.k
        if other == k:
            return text + f" No other k holds better on all customers: k={k} stays, with the segments as fitted."
        if self.model is None:
            return text + f" The next recommendation is k={other}: try it."
        if chosen:
            return text + (f" So the segments are not the ones the sweep showed; k={other}, the next recommendation, "
                           f"{holds}: try k={other}.")
        return text + f" So k={k} is set aside for k={other}, the next recommendation, which {holds}."


def check_split(sweep: SweepResult, k: int, sizes: Sequence[int] | np.ndarray,
                recommendation: Recommendation) -> SplitCheck | None:
    """Whether the model fitted on every customer at ``k`` breaks the segment-size rule of the tier that chose
    ``recommendation`` while the sweep's fit at ``k`` kept it (arithmetic only: nothing is fitted).

    Parameters
    ----------
    sweep : SweepResult
        The k sweep of the same features and seed.
    k : int
        The model's number of segments (the recommended one, or one the user chose).
    sizes : array-like of int
        The model's customers per segment.
    recommendation : Recommendation
        :func:`core.insight.recommend_k` of ``sweep``: its tier's rule is the one held to.

    Returns
    -------
    SplitCheck | None
        None when the model keeps the rule, the sweep's fit at k broke it too, or the sweep lacks k.
    """
    full = sweep.full_table()
    row = full[full["k"] == k]
    if row.empty or k < sweep.k_min or k > sweep.k_max:
        return None
    sample = (float(row["smallest_share"].iloc[0]), float(row["largest_share"].iloc[0]))
    fitted = _shares(sizes)
    least, most = recommendation.least_share, recommendation.most_share
    if not all(math.isfinite(v) for v in (*sample, *fitted)) or not _holds(sample, least, most) \
            or _holds(fitted, least, most):
        return None
    return SplitCheck(k, int(np.sum(sizes)), sweep.sample_rows, *sample, *fitted, float(row["stability"].iloc[0]),
                      least, most)


def split_may_differ(sizes: Sequence[int] | np.ndarray, sample: tuple[float, float] | None = None) -> bool:
    """Whether a model's segment sizes may break a rule of :func:`core.insight.recommend_k` that the sweep's fit
    at the same k kept: a cheap test before :func:`check_split` where no sweep was run (``fit --k N``).

    Without ``sample``: whether ``sizes`` break any rule a tier may ask (then :func:`core.selection.sample_shares`
    tells the sweep's sizes); with ``sample`` (the sweep fit's smallest and largest share): whether it keeps a
    rule ``sizes`` break (then the sweep is worth running).
    """
    fitted = _shares(sizes)
    return any(not _holds(fitted, least, most) and (sample is None or _holds(sample, least, most))
               for least, most in _RULES)


def settle_split(sweep: SweepResult, rows: int, k: int, model: M, sizes_of: Callable[[M], np.ndarray],
                 fit: Callable[[int], M | None], recommendation: Recommendation | None = None,
                 max_fits: int = MAX_SPLIT_FITS) -> Settled[M]:
    """Check the model fitted on every customer at ``k`` (:func:`check_split`) and, when it broke the rule its
    sweep fit kept, find the next recommendation whose model on every customer holds.

    Each k found broken is recommended again with its sizes on every customer (``recommend_k(..., fitted=)``)
    and the next recommendation is fitted with ``fit`` and checked, at most ``max_fits`` times. Nothing is
    fitted when the model at ``k`` holds.

    Parameters
    ----------
    sweep : SweepResult
        The k sweep of the same features and seed.
    rows : int
        Customers in the data (:attr:`SweepResult.rows`).
    k, model : int, M
        The model fitted on every customer, and its k.
    sizes_of : callable
        A model's customers per segment (``Segmentation.sizes``).
    fit : callable
        The model on every customer at a k (None when the caller will not fit it: then the next
        recommendation is named unchecked).
    recommendation : Recommendation, optional
        ``recommend_k(sweep, rows)`` when the caller has it.
    max_fits : int
        Models fitted at most.
    """
    advice = recommendation or recommend_k(sweep, rows)
    sizes = sizes_of(model)
    check = check_split(sweep, k, sizes, advice)
    if check is None:
        return Settled(k, (), advice, model, _shares(sizes))
    checks = {k: check}
    models: dict[int, M] = {k: model}
    for _ in range(max_fits):
        advice = recommend_k(sweep, rows, fitted={c.k: (c.smallest, c.largest) for c in checks.values()})
        if advice.k in models:  # chosen with its sizes on every customer: it keeps its (lower) tier's rule
            return Settled(k, tuple(checks.values()), advice, models[advice.k], _shares(sizes_of(models[advice.k])))
        candidate = fit(advice.k)
        if candidate is None:
            return Settled(k, tuple(checks.values()), advice, None)
        models[advice.k] = candidate
        sizes = sizes_of(candidate)
        again = check_split(sweep, advice.k, sizes, advice)
        if again is None:
            return Settled(k, tuple(checks.values()), advice, candidate, _shares(sizes))
        checks[advice.k] = again
    return Settled(k, tuple(checks.values()), None, None)
