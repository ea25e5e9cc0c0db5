"""Segment profiles: what each segment looks like (sizes, means, indices, text-column mixes) and which
features set the segments apart, as a typed :class:`Profile`; :func:`summary_table` flattens it for files.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..errors import FeatureError
from ..model import display_cluster
from ..quality import MISSING_MARKERS, choices_of, kept_markers
from ..stats import NOT_SCORED, FeatureStats, flat_table
from .naming import segment_names

if TYPE_CHECKING:  # for the type checker only: never imported at run time (core.segmentation imports this package)
    from ..segmentation import Segmentation

__all__ = ["Profile", "profile", "summary_profile", "summary_table", "cramers_v", "scatter_features", "TOP_TEXT_VALUES",
           "TELLING_MIX", "TELLING_MIXES_SHOWN", "SCATTER_APART"]

#: Most common values shown per text column in :func:`profile`.
TOP_TEXT_VALUES = 5
#: A text column whose mix differs between the segments at least this much (Cramér's V; 0.1 is the usual
#: threshold of a weak association) is shown first; the others are listed below it, folded.
TELLING_MIX = 0.1
#: At most this many text columns are shown unfolded (a wide export has dozens).
TELLING_MIXES_SHOWN = 6
#: When no column reaches :data:`TELLING_MIX`, the strongest this many are shown all the same.
FEWEST_MIXES_SHOWN = 2
#: Two segment centres closer than this on a scatter's two features (in the model's standardised units, standard
#: deviations) draw their segments on top of each other: :func:`scatter_features` avoids such pairs.
SCATTER_APART = 0.5


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
        The same columns: segment mean / overall mean * 100 (average = 100). NaN for a feature an index says
        nothing of (:meth:`core.stats.FeatureStats.indices`: a segment's or the overall mean is negative, as for a
        balance, or the overall mean is 0): an index needs values measured from a true zero, like income.
    mixes : pandas.DataFrame
        Columns a ``(column, value)`` MultiIndex, per text column its most common values in order: the
        share (0..1) of the segment's customers with that value. No columns when no text column is described.
    drivers : pandas.DataFrame
        One row per feature, sorted by ``rank``: ``feature``, ``F`` (one-way ANOVA F statistic across
        segments), ``eta_squared`` (share of the feature's variance explained by the segments, 0..1),
        ``rank`` (1 = separates the segments most).
    overall, spread : pandas.Series
        Per feature: the mean and the standard deviation over every scored customer (how far a segment is
        from the average where a feature has no index).
    mix_overall : pandas.Series
        Indexed like ``mixes``' columns: the share (0..1) of every scored customer with that value, what a
        segment's share is compared with.
    mix_strength : pandas.Series
        Per text column (``described``' order): how strongly its mix differs between the segments, Cramér's V
        over all its values (0 = every segment has the same mix, 1 = each value belongs to one segment); NaN
        with fewer than two segments or values.
    percents : pandas.Series
        Per feature, whether the file writes it as a percentage (:attr:`Segmentation.percent_features`): its
        means are shown as percentages.
    durations : pandas.Series
        Per feature, whether the file writes it as durations (:attr:`Segmentation.duration_features`): its
        means are shown as durations.
    """

    sizes: pd.DataFrame
    means: pd.DataFrame
    indices: pd.DataFrame
    mixes: pd.DataFrame
    drivers: pd.DataFrame
    overall: pd.Series
    spread: pd.Series
    mix_overall: pd.Series
    mix_strength: pd.Series
    percents: pd.Series
    durations: pd.Series

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

    @property
    def described_by_strength(self) -> list[str]:
        """The text columns whose mix is shown, the one whose mix differs most between the segments first
        (:attr:`mix_strength`; ties and undefined strengths keep their order, undefined last)."""
        strength = self.mix_strength.reindex(self.described)
        return sorted(self.described, key=lambda c: (pd.isna(strength[c]), -float(np.nan_to_num(strength[c]))))

    @property
    def telling_mixes(self) -> tuple[list[str], list[str]]:
        """:attr:`described_by_strength` split into the columns to show and those to fold away.

        Shown: those whose mix differs between the segments (strength at least :data:`TELLING_MIX`), at most
        :data:`TELLING_MIXES_SHOWN`, or the :data:`FEWEST_MIXES_SHOWN` strongest when none does. Found from
        outside: a CRM export's 25 text and flag columns made 125 rows of "20% 20% 20%" above the scatter.
        """
        ranked = self.described_by_strength
        strength = self.mix_strength.reindex(ranked)
        telling = [c for c in ranked if not pd.isna(strength[c]) and strength[c] >= TELLING_MIX]
        shown = telling[:TELLING_MIXES_SHOWN] if telling else ranked[:FEWEST_MIXES_SHOWN]
        return shown, [c for c in ranked if c not in shown]

    def folded_mixes_note(self) -> str:
        """How the page and the report name the folded columns of :attr:`telling_mixes` ("" when none is)."""
        folded = self.telling_mixes[1]
        if not folded:
            return ""
        strongest = self.mix_strength.reindex(folded).max()
        named = ", ".join(folded[:8]) + (", \u2026" if len(folded) > 8 else "")
        how = "little" if pd.isna(strongest) or strongest < TELLING_MIX else "less"
        strength = "" if pd.isna(strongest) else f" (strength {strongest:.2f} or less)"
        return (f"{len(folded)} more column{'s' if len(folded) > 1 else ''} whose mix differs {how} between the "
                f"segments{strength}: {named}")

    def mix(self, column: str) -> pd.DataFrame:
        """The mix of one text column: one column per value (the most common first), shares 0..1."""
        return self.mixes.xs(column, axis=1, level=0)

    def flat(self) -> pd.DataFrame:
        """One flat table (see :func:`core.stats.flat_table`): sizes, means, ``<f> index``, ``<column>: <value>``.
        A feature written as durations has its means in seconds, and says so: ``AHT (seconds)`` (found from
        outside: a call-centre file's summary CSV gave AHT 128.79 under a header that did not say the unit,
        where the pages show 2:09)."""
        seconds = {name: f"{name} (seconds)" for name, written in self.durations.items()
                   if written and name in self.means.columns}
        return flat_table(self.sizes, self.means.rename(columns=seconds), self.indices, self.mixes)


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
    index_frame = pd.DataFrame(stats.indices(), index=labels, columns=features)
    scored_rows = labels_all != NOT_SCORED
    every_row_scored = bool(scored_rows.all())
    row_labels = labels_all if every_row_scored else labels_all[scored_rows]
    # Mix columns are gathered in a dict and made into a frame once: adding them one by one is slow and
    # warns on wide files.
    mixes: dict[tuple[str, str], np.ndarray] = {}
    overall_shares: dict[tuple[str, str], float] = {}
    strengths: dict[str, float] = {}
    for column in text_columns:
        codes, values = _text_codes(frame[column])
        if not every_row_scored:
            codes = codes[scored_rows]
        present = codes >= 0
        if not present.any():
            continue
        counts = np.bincount(codes[present], minlength=len(values))
        per_segment = np.bincount(row_labels[present] * len(values) + codes[present],
                                  minlength=k * len(values)).reshape(k, len(values)).astype(float)
        strength_table = per_segment  # (each cell's answers together: a customer counts once)
        choices = choices_of(values)
        if choices is not None:  # a checkbox question's cells ("Reports, Dashboards"): each answer's share
            values, held = list(choices[0]), choices[1]
            counts, per_segment = counts @ held, per_segment @ held
        order = sorted(np.flatnonzero(counts), key=lambda i: (-counts[i], values[i]))[:TOP_TEXT_VALUES]
        order = _in_number_order(order, values)
        with np.errstate(invalid="ignore", divide="ignore"):
            shares = np.where(sizes[:, None] > 0, per_segment / np.where(sizes > 0, sizes, 1)[:, None], np.nan)
        for i in order:
            mixes[(str(column), values[i])] = shares[:, i]
            overall_shares[(str(column), values[i])] = counts[i] / total if total else np.nan
        # blanks count as a value of their own in the strength, as in the shares (of every customer of a segment):
        # found from outside, a HubSpot export's Refunds, filled only for the 12% who bought and all of them in one
        # segment, had a strength of 0.00 beside shares of 33% against <0.1%
        blank = sizes - strength_table.sum(axis=1)
        strengths[str(column)] = cramers_v(np.column_stack([strength_table, blank]))
    columns = pd.MultiIndex.from_tuples(list(mixes), names=["column", "value"])
    mix_frame = pd.DataFrame(mixes, index=labels, columns=columns)
    # how far apart the segments are as the model sees it: a logged feature's strength is of its logged values
    return Profile(size_frame, mean_frame, index_frame, mix_frame, _drivers(seg.model_stats, features),
                   pd.Series(stats.overall, index=features), pd.Series(stats.spread, index=features),
                   pd.Series([overall_shares[c] for c in mixes], index=columns, dtype=float),
                   pd.Series(strengths, index=list(strengths), dtype=float),
                   pd.Series([f in seg.percent_features for f in features], index=features, dtype=bool),
                   pd.Series([f in seg.duration_features for f in features], index=features, dtype=bool))


def cramers_v(counts: np.ndarray) -> float:
    """Cramér's V of a table of counts (segments x values), bias-corrected (Bergsma 2013), over the rows and
    columns that hold anyone: 0..1; NaN with fewer than two of either (nothing to compare).

    The plain V, sqrt(chi² / (n (min(r, c) - 1))), grows with the number of values by chance alone: a column of
    thousands of values in as many rows (zip codes), unrelated to the segments, came out near 0.8, above every
    column that did tell them apart. The correction takes chance's expected phi², (r - 1)(c - 1) / (n - 1), off
    phi² and from the table's size: about 0 for chance, nearly the plain V for a few values in many rows."""
    table = np.asarray(counts, dtype=float)
    table = table[table.sum(axis=1) > 0][:, table.sum(axis=0) > 0]
    smaller = min(table.shape) if table.size else 0
    if smaller < 2:
        return float("nan")
    n = table.sum()
    rows, values = table.shape
    expected = np.outer(table.sum(axis=1), table.sum(axis=0)) / n
    phi2 = float(((table - expected) ** 2 / expected).sum()) / n
    if n <= 1:
        return float("nan")
    beyond_chance = max(0.0, phi2 - (rows - 1) * (values - 1) / (n - 1))
    room = min(rows - (rows - 1) ** 2 / (n - 1), values - (values - 1) ** 2 / (n - 1)) - 1
    if room <= 0:
        return 0.0
    return float(min(1.0, np.sqrt(beyond_chance / room)))


def _in_number_order(order: list[int], values: list[str]) -> list[int]:
    """The most common values of a column in the order of their numbers when every one is a number (a coded
    column's 1, 2, 3, read in that order, not by how common each is); else as given."""
    try:
        numbers = [float(values[i]) for i in order]
    except ValueError:
        return order
    return [i for _, i in sorted(zip(numbers, order))]


def _text_codes(values: pd.Series) -> tuple[np.ndarray, list[str]]:
    """(A code per cell, the distinct values): cells are read as the data check reads them. Surrounding
    spaces are stripped; blank cells and missing markers (``N/A``, ``-``, ``?``: :data:`core.quality.MISSING_MARKERS`,
    but not a column's own values, :func:`core.quality.kept_markers`) get code -1; spellings that differ only
    in case are one value, written as its most common spelling (ties: the first in text order). Only the
    distinct cells become Python strings."""
    raw_codes, uniques = pd.factorize(values, use_na_sentinel=True)
    stripped = [str(u).strip() for u in uniques]
    marked = {t for t in stripped if t.lower() in MISSING_MARKERS}
    own = kept_markers(marked, lambda: [t for t in stripped if t not in marked]) if marked else set()
    values_of = [bool(t) and (t not in marked or t in own) for t in stripped]  # (not blank, not a marker)
    counts = np.bincount(raw_codes[raw_codes >= 0], minlength=len(uniques))
    spellings: dict[str, dict[str, int]] = {}
    for text, count, value in zip(stripped, counts.tolist(), values_of):
        if value:
            found = spellings.setdefault(text.casefold(), {})
            found[text] = found.get(text, 0) + count
    written = {fold: min(found, key=lambda t: (-found[t], t)) for fold, found in spellings.items()}
    texts = sorted(set(written.values()))
    position = {t: i for i, t in enumerate(texts)}
    remap = np.array([position[written[t.casefold()]] if value else -1 for t, value in zip(stripped, values_of)]
                     + [-1], dtype=np.int64)
    return remap[raw_codes], texts  # a missing cell's -1 picks the last entry, -1


def scatter_features(ranked: Sequence[str], features: Sequence[str], centers: np.ndarray) -> list[str]:
    """The two features a scatter of the segments opens on (one for a one-feature model): the strongest across,
    and up the second strongest, unless it leaves segments on top of each other that another feature keeps
    apart.

    ``ranked`` are the features strongest first (the profile's drivers; features it leaves out come after, in
    model order), ``features`` the model's features and ``centers`` the segment centres in the model's
    standardised units, one column per feature. Two segments overlap on a pair of features when their centres
    are less than :data:`SCATTER_APART` apart on it; the vertical axis is the feature, strongest first, that
    leaves the fewest such pairs. Found from outside (a mobile game's players): purchases and spend were the
    two strongest, both telling the payers from the rest, and drew the two segments of non-payers (94% of the
    players) on one point; sessions, third, tells them apart.
    """
    order = [f for f in ranked if f in features]
    order += [f for f in features if f not in order]
    k = int(np.asarray(centers).shape[0])
    if len(order) < 2 or k < 2:
        return order[:2]
    column = {name: j for j, name in enumerate(features)}
    first, second = np.triu_indices(k, 1)  # every two segments
    across = np.asarray(centers)[:, column[order[0]]]

    def overlapping(name: str) -> int:
        up = np.asarray(centers)[:, column[name]]
        gaps = np.hypot(across[first] - across[second], up[first] - up[second])
        return int(np.count_nonzero(gaps < SCATTER_APART))

    return [order[0], min(order[1:], key=overlapping)]  # (the first, so the stronger, of equals)


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
