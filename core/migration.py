"""How customers move between segments from one snapshot to the next, matched by customer id.

Two snapshots of the same customers (last month's clustered export and this month's) are joined on a
customer id column. Ids are compared **as text, exactly as in the files** (``"007"`` and ``"7"`` are two
customers; so are ``"A1"`` and ``"a1"``): an id is a name, not a number. Each customer then has a
``from`` segment (their cluster in the old snapshot) and a ``to`` segment (in the new one):

* ``from`` is empty for a customer who is **new** (not in the old snapshot) or was not scored there;
* ``to`` is empty for a customer who is **gone** (not in the new snapshot) or is not scored there.

The migration matrix counts customers per ``(from, to)`` pair; its counts add up to every customer of
either snapshot, once. A file whose id column repeats an id is refused (:class:`DuplicateIdError`,
naming the ids): a repeated id would count one customer twice, or pair the wrong rows.

**When few ids match.** A spreadsheet that opens and saves a CSV drops the leading zeros of ids written
in digits (``001100000`` comes back as ``1100000``), and a CRM may change their case: every customer then
looks gone and new. :func:`id_overlap` measures how many customers both snapshots share, exactly and
loosely (:func:`match_keys`: ignoring leading zeros of digit-only ids, letter case and spaces at either
end), and :meth:`IdOverlap.warning` says so when few match, with an example pair, so the user can choose to
match loosely (``migration_table(..., loose=True)``). Nothing is matched loosely unless asked.

::

    moves = migration_table(old["customer_id"], old["cluster"], new["customer_id"], new["cluster"])
    moves.matrix()        # from x to, counts
    moves.movers("1", "3")  # the ids that went from cluster 1 to cluster 3
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Collection, Mapping, NamedTuple, Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .errors import DataError
from .quality import looks_rounded

__all__ = ["Migration", "Tally", "DuplicateIdError", "migration_table", "compare_tables", "id_candidates", "FROM", "TO",
           "CUSTOMERS", "NONE", "sorted_segments", "match_keys", "IdOverlap", "id_overlap", "LOOSE_MATCH",
           "positions_of", "renamed_clusters", "cluster_names", "renamed_id", "RENAMED_ID_SHARE",
           "names_each_row"]

#: The columns of :meth:`Migration.counts` (and of ``segments compare --out``).
FROM, TO, CUSTOMERS = "from", "to", "customers"
#: The segment of a customer absent from (or not scored in) a snapshot.
NONE = ""
#: How many offending ids a message names before saying "and N more".
_NAMED_IDS = 5
#: What a loose match ignores, as messages and controls say it.
LOOSE_MATCH = "ignoring leading zeros, letter case and spaces at either end"
#: Below this share of the smaller snapshot's customers in both, the overlap is worth a warning.
FEW_MATCHED = 0.5
#: A loose match that adds at least this share of the smaller snapshot's customers is proposed.
LOOSE_GAIN = 0.05
#: A column of the new snapshot that holds the old one's ids under another name is taken for its id column when at
#: least this share of the smaller snapshot's ids are in both, as written (:func:`renamed_id`).
RENAMED_ID_SHARE = 0.5


def match_keys(ids: pd.Series, loose: bool = False) -> pd.Series:
    """The ids as the text they are matched on (a Series of strings, missing ids stay missing).

    Exactly as written by default. With ``loose``: without spaces at either end, in lower case, and an id of
    ASCII digits only without its leading zeros (``"007"`` and ``"7"`` match; ``"000"`` becomes ``"0"``).
    """
    return pd.Series(pd.arrays.ArrowStringArray(_keys(ids, loose)), index=ids.index, name=ids.name)


def _arrow_text(ids: pd.Series | pa.Array | pa.ChunkedArray) -> pa.Array:
    """``ids`` as one Arrow array of strings."""
    if not isinstance(ids, (pa.Array, pa.ChunkedArray)):
        if not isinstance(ids.dtype, pd.StringDtype) or ids.dtype.storage != "pyarrow":
            ids = ids.astype("string[pyarrow]")
        ids = pa.array(ids.array)
    array = ids.combine_chunks() if isinstance(ids, pa.ChunkedArray) else ids
    return array.cast(pa.large_string()) if array.type != pa.large_string() else array


def _keys(ids: pd.Series | pa.Array, loose: bool) -> pa.Array:
    """:func:`match_keys` as an Arrow array (hash joins on it take milliseconds, pandas' ``isin`` on text seconds)."""
    keys = _arrow_text(ids)
    if not loose:
        return keys
    keys = pc.utf8_lower(pc.utf8_trim_whitespace(keys))
    digits = pc.fill_null(pc.match_substring_regex(keys, r"^[0-9]+$"), False)
    trimmed = pc.utf8_ltrim(keys, characters="0")
    trimmed = pc.if_else(pc.equal(trimmed, ""), "0", trimmed)
    return pc.if_else(digits, trimmed, keys)


class DuplicateIdError(DataError):
    """A snapshot's id column repeats an id (the message names them)."""


def _listed_ids(ids: Sequence[str], counts: Sequence[int] | None = None) -> str:
    shown = [repr(i) + (f" ({c} times)" if counts is not None else "")
             for i, c in zip(ids[:_NAMED_IDS], counts if counts is not None else [0] * len(ids))]
    more = len(ids) - _NAMED_IDS
    return ", ".join(shown) + (f" and {more:,} more" if more > 0 else "")


def positions_of(keys: Sequence[str] | pd.Index, ids: pd.Series, loose: bool = False) -> np.ndarray:
    """Where each of ``keys`` (as :meth:`Migration.movers` gives them) is in a snapshot's id column ``ids``, in
    the order of ``keys``; keys the column lacks are left out."""
    found = pc.index_in(pa.array(list(keys), pa.large_string()), value_set=_keys(ids.reset_index(drop=True), loose))
    return pc.drop_null(found).to_numpy().astype(np.int64)


def _keyed(ids: pd.Series, segments: pd.Series, label: str, id_name: str,
           loose: bool = False) -> tuple[pa.Array, np.ndarray]:
    """The ids' match keys (:func:`match_keys`) and the segments as text, after refusing empty and repeated ids."""
    if len(ids) != len(segments):
        raise DataError(f"{label}: the ids and the segments have different lengths ({len(ids)} and {len(segments)}).")
    written = _arrow_text(ids.reset_index(drop=True))
    keys = _keys(written, loose)
    empty = pc.fill_null(pc.equal(keys, ""), True).to_numpy(zero_copy_only=False)
    if empty.any():
        rows = (np.flatnonzero(empty) + 1)[:_NAMED_IDS]
        raise DataError(f"{label}: {int(empty.sum()):,} customer{'s have' if empty.sum() > 1 else ' has'} no id "
                        f"in column {id_name!r} (data rows {', '.join(str(r) for r in rows)}"
                        f"{' ...' if empty.sum() > _NAMED_IDS else ''}); every customer needs an id to be "
                        "matched. Fill them in, or choose another id column.")
    counted = pc.value_counts(keys)  # in order of first appearance
    repeats = pc.greater(counted.field("counts"), 1)
    if pc.any(repeats).as_py():
        values = counted.field("values").filter(repeats).to_pylist()
        times = counted.field("counts").filter(repeats).to_numpy()
        order = np.argsort(-times, kind="stable")
        values, times = [values[i] for i in order], times[order]
        if loose:  # name the ids as written: "007" and "7" are one id only when matched loosely
            shown = values[:_NAMED_IDS]
            chosen = pc.is_in(keys, value_set=pa.array(shown, pa.large_string()))
            forms: dict[str, dict[str, None]] = {key: {} for key in shown}
            for key, form in zip(keys.filter(chosen).to_pylist(), written.filter(chosen).to_pylist()):
                forms[key][form] = None
            named = ", ".join(f"{' / '.join(repr(f) for f in forms[key])} ({int(c)} times)"
                              for key, c in zip(shown, times))
            more = len(values) - _NAMED_IDS
            raise DuplicateIdError(
                f"{label}: matched {LOOSE_MATCH}, the id column {id_name!r} repeats {len(values):,} "
                f"id{'s' if len(values) > 1 else ''}: {named}{f' and {more:,} more' if more > 0 else ''}. "
                "Match the ids exactly as written, or choose another id column.")
        listed = [str(i) for i in values]
        rounded = (" They are in scientific notation: a spreadsheet rounded long ids, so different customers share "
                   "one; export the file again without opening it in a spreadsheet, or format that column as text."
                   if looks_rounded(listed[:100]) else "")
        raise DuplicateIdError(
            f"{label}: the id column {id_name!r} repeats {len(values):,} id{'s' if len(values) > 1 else ''}: "
            f"{_listed_ids(listed, [int(c) for c in times])}. "
            "Each customer must appear once to be matched; remove the repeats or choose another id column." + rounded)
    return keys, segments.astype("string").fillna(NONE).to_numpy(dtype=object)


def _segment_order(value: str) -> tuple[int, float, str]:
    """Cluster numbers in numeric order, other names after them by text; the empty segment last."""
    if value == NONE:
        return (2, 0.0, "")
    try:
        return (0, float(value), value)
    except ValueError:
        return (1, 0.0, value)


def sorted_segments(values: Sequence[str] | set[str]) -> list[str]:
    """Segments in display order: numbers numerically, then names, the empty segment (none) last."""
    return sorted(set(values), key=_segment_order)


@dataclass(frozen=True)
class Migration:
    """Each customer of two snapshots with their old and new segment.

    Attributes
    ----------
    pairs : pandas.DataFrame
        One row per customer of either snapshot, indexed by id (text): ``from`` and ``to`` (text;
        :data:`NONE` when absent or not scored). Customers of the old snapshot come first, in its order,
        then the new ones in the new snapshot's order.
    """

    pairs: pd.DataFrame

    @property
    def customers(self) -> int:
        """Customers of either snapshot."""
        return len(self.pairs)

    def counts(self) -> pd.DataFrame:
        """``from``, ``to``, ``customers``: one row per pair that occurs, in display order."""
        grouped = self.pairs.groupby([FROM, TO], sort=False).size()
        rows = [(f, t, int(n)) for (f, t), n in grouped.items()]
        rows.sort(key=lambda r: (_segment_order(r[0]), _segment_order(r[1])))
        return pd.DataFrame(rows, columns=[FROM, TO, CUSTOMERS]).astype({CUSTOMERS: "int64"})

    def named_counts(self, old_names: Mapping[str, str], new_names: Mapping[str, str]) -> pd.DataFrame:
        """:meth:`counts` with each end's segment name beside its number (``from segment``, ``to segment``:
        ``old_names`` and ``new_names``, :func:`cluster_names` of the two tables; blank for new, gone or
        unnamed); :meth:`counts` itself when neither table names its segments."""
        counts = self.counts()
        if not old_names and not new_names:
            return counts
        counts.insert(1, f"{FROM} segment", counts[FROM].map(lambda c: old_names.get(c, "")))
        counts.insert(3, f"{TO} segment", counts[TO].map(lambda c: new_names.get(c, "")))
        return counts

    def matrix(self) -> pd.DataFrame:
        """The from x to table of counts (rows: old segments, columns: new segments; zeros where none)."""
        counts = self.counts()
        froms = sorted_segments(set(counts[FROM]))
        tos = sorted_segments(set(counts[TO]))
        table = counts.pivot(index=FROM, columns=TO, values=CUSTOMERS).reindex(index=froms, columns=tos)
        return table.fillna(0).astype("int64")

    def movers(self, old: str, new: str) -> pd.Index:
        """The ids of the customers who went from segment ``old`` to segment ``new`` (:data:`NONE` for
        new / gone customers), in :attr:`pairs` order."""
        chosen = (self.pairs[FROM] == old) & (self.pairs[TO] == new)
        return self.pairs.index[chosen.to_numpy()]

    def moved(self) -> int:
        """Customers in both snapshots, scored in both, whose segment changed (:meth:`tally`'s ``moved``)."""
        return self.tally().moved

    def tally(self) -> Tally:
        """Every customer counted once: stayed, moved, new, gone, or scored in neither snapshot."""
        old = (self.pairs[FROM] != NONE).to_numpy()
        new = (self.pairs[TO] != NONE).to_numpy()
        same = (self.pairs[FROM] == self.pairs[TO]).to_numpy()
        return Tally(int((old & new & same).sum()), int((old & new & ~same).sum()), int((~old & new).sum()),
                     int((old & ~new).sum()), int((~old & ~new).sum()))


class Tally(NamedTuple):
    """A :class:`Migration`'s customers, each counted once (:meth:`Migration.tally`).

    Attributes
    ----------
    stayed, moved : int
        Scored in both snapshots, in the same segment or another.
    new, gone : int
        Scored in the new snapshot only (not in the old one, or not scored there), or in the old one only.
    neither : int
        Scored in neither snapshot (a description row under the header, left out of both models; a customer of one
        file, not scored there): found from outside, such a row was counted as new and as gone at once.
    """

    stayed: int
    moved: int
    new: int
    gone: int
    neither: int

    def neither_text(self) -> str:
        """``, 1 scored in neither`` (``""`` for none)."""
        return f", {self.neither:,} scored in neither" if self.neither else ""


def migration_table(old_ids: pd.Series, old_segments: pd.Series, new_ids: pd.Series, new_segments: pd.Series,
                    *, old_label: str = "The old snapshot", new_label: str = "The new snapshot",
                    id_name: str = "id", loose: bool = False) -> Migration:
    """Join two snapshots on customer id (as text) into a :class:`Migration`.

    Parameters
    ----------
    old_ids, old_segments, new_ids, new_segments : pandas.Series
        Each snapshot's id per customer and segment per customer (any values: compared as text;
        missing or empty means not scored), position by position.
    old_label, new_label, id_name : str
        How messages name the snapshots and the id column.
    loose : bool
        Match the ids' loose :func:`match_keys` (the pairs are then indexed by them) instead of the ids as
        written.

    Raises
    ------
    DuplicateIdError
        A snapshot repeats an id (with ``loose``, also two ids that match loosely, such as ``"007"`` and ``"7"``).
    DataError
        A customer has no id.
    """
    old_keys, old_segments_text = _keyed(old_ids, old_segments, old_label, id_name, loose)
    new_keys, new_segments_text = _keyed(new_ids, new_segments, new_label, id_name, loose)
    in_new = pc.index_in(old_keys, value_set=new_keys)
    found = pc.is_valid(in_new).to_numpy(zero_copy_only=False)
    to_old = np.full(len(old_keys), NONE, dtype=object)
    to_old[found] = new_segments_text[pc.drop_null(in_new).to_numpy()]
    only_new = pc.invert(pc.is_in(new_keys, value_set=old_keys)).to_numpy(zero_copy_only=False)
    index = pd.Index(pd.arrays.ArrowStringArray(pa.concat_arrays([old_keys, new_keys.filter(pa.array(only_new))])))
    pairs = pd.DataFrame({FROM: np.concatenate([old_segments_text, np.full(int(only_new.sum()), NONE, dtype=object)]),
                          TO: np.concatenate([to_old, new_segments_text[only_new]])}, index=index)
    return Migration(pairs)


@dataclass(frozen=True)
class IdOverlap:
    """How many customers two snapshots share, by id matched exactly and loosely (:func:`match_keys`).

    Attributes
    ----------
    old, new : int
        Customers (distinct ids) in each snapshot.
    exact : int
        Ids in both, as written.
    loose : int
        Ids in both, matched loosely (equal to ``exact`` when not measured: see :func:`id_overlap`).
    example : tuple of str, or None
        An old and a new id, as written, that match only loosely.
    """

    old: int
    new: int
    exact: int
    loose: int
    example: tuple[str, str] | None = None

    @property
    def smaller(self) -> int:
        """Customers of the smaller snapshot: the most that could be in both."""
        return min(self.old, self.new)

    @property
    def gain_needed(self) -> float:
        """How many more customers a loose match must pair to be proposed (:data:`LOOSE_GAIN` of the smaller)."""
        return max(1.0, LOOSE_GAIN * self.smaller)

    @property
    def loose_helps(self) -> bool:
        """A loose match would pair at least :data:`LOOSE_GAIN` of the smaller snapshot's customers more."""
        return self.smaller > 0 and self.loose - self.exact >= self.gain_needed

    def warning(self, old_label: str, new_label: str, id_name: str, loose: bool = False) -> str | None:
        """What the user should know before reading the counts (None when most customers match).

        ``loose`` says whether the counts shown were matched loosely.
        """
        if self.smaller == 0:
            return None
        matched = self.loose if loose else self.exact
        share = f"{matched:,} of the {self.smaller:,} customers of {new_label if self.new <= self.old else old_label}"
        if not loose and self.loose_helps:
            old_id, new_id = self.example or ("", "")
            return (f"Only {share} have an id in both files on “{id_name}”, so the others count as gone "
                    f"and new. Matched {LOOSE_MATCH}, {self.loose:,} would match: {old_id!r} in {old_label} is "
                    f"{new_id!r} in {new_label}. The files write the same ids differently: a spreadsheet, for one, "
                    "drops the leading zeros of ids written in digits when it opens and saves a CSV. If these are "
                    "the same customers, match the ids loosely.")
        if matched < FEW_MATCHED * self.smaller:
            return (f"Only {share} have an id in both files on “{id_name}”, so most count as gone and "
                    "new. If these are the same customers, their id may be in another column.")
        return None


def id_overlap(old_ids: pd.Series, new_ids: pd.Series) -> IdOverlap:
    """Customers in both snapshots, exactly and (when it could be proposed) loosely.

    The loose match is measured only when enough customers of the smaller snapshot are unmatched exactly for it
    to be proposed (:attr:`IdOverlap.gain_needed`): a usual month, most customers matched, costs no pass over
    the ids' text (each view of who moved asks).
    """
    old_keys = pc.unique(pc.drop_null(_keys(old_ids, False)))
    new_keys = pc.unique(pc.drop_null(_keys(new_ids, False)))
    exact = int(pc.sum(pc.is_in(new_keys, value_set=old_keys)).as_py() or 0)
    overlap = IdOverlap(len(old_keys), len(new_keys), exact, exact)
    if overlap.smaller - exact < overlap.gain_needed:
        return overlap
    old_loose, new_loose = _keys(old_keys, True), _keys(new_keys, True)
    in_old = pc.is_in(new_loose, value_set=old_loose)
    loose = len(pc.unique(new_loose.filter(in_old)))
    only_loose = pc.and_(in_old, pc.invert(pc.is_in(new_keys, value_set=old_keys))).to_numpy(zero_copy_only=False)
    example = None
    if only_loose.any():
        first = int(np.flatnonzero(only_loose)[0])
        at = pc.index_in(new_loose.slice(first, 1), value_set=old_loose)[0].as_py()
        example = (str(old_keys[at].as_py()), str(new_keys[first].as_py()))
    return IdOverlap(len(old_keys), len(new_keys), exact, loose, example)


def renamed_clusters(old: pd.DataFrame, new: pd.DataFrame, segment_column: str = "cluster",
                     name_column: str = "segment") -> list[tuple[str, str, str]]:
    """The clusters whose name differs between two clustered tables: ``(cluster, old name, new name)``.

    Two files segmented by two models (each trained on its own month) number their segments each by size,
    so cluster 1 of one may be cluster 2 of the other, and comparing the numbers counts everyone as moved.
    ``segments fit --out`` writes each cluster's name beside it (``name_column``); a cluster whose most common
    name differs between the files is listed. Empty when either table has no names.
    """
    if name_column not in old.columns or name_column not in new.columns:
        return []
    before, after = cluster_names(old, segment_column, name_column), cluster_names(new, segment_column, name_column)
    return [(c, before[c], after[c]) for c in sorted_segments(set(before) & set(after)) if before[c] != after[c]]


def cluster_names(frame: pd.DataFrame, segment_column: str = "cluster", name_column: str = "segment") -> dict[str, str]:
    """``{cluster: name}`` of a clustered table (``segments fit --out`` writes each cluster's name beside it):
    each cluster's most common name. Empty when the table has no ``name_column``."""
    if name_column not in frame.columns or segment_column not in frame.columns:
        return {}
    pairs = frame[[segment_column, name_column]].astype("string").dropna()
    pairs = pairs[(pairs[segment_column].str.strip() != NONE) & (pairs[name_column].str.strip() != "")]
    found: dict[str, str] = {}
    for (cluster, name), _ in pairs.value_counts(sort=True).items():
        found.setdefault(str(cluster).strip(), str(name))
    return found


def renamed_id(old_ids: pd.Series, new: pd.DataFrame, candidates: Collection[str]) -> str | None:
    """The column of ``new``, of ``candidates``, that holds ``old_ids`` under another name: the one whose ids are
    most often in both as written, :data:`RENAMED_ID_SHARE` of the smaller snapshot's at least; None when none is.
    Found from outside: the next month's export, a colleague's in German, named 'CustomerID' 'Kunde', and who moved
    had no column in common to match customers on."""
    best, most = None, 0
    for name in candidates:
        overlap = id_overlap(old_ids, new[name])
        if overlap.exact >= max(1.0, RENAMED_ID_SHARE * overlap.smaller) and overlap.exact > most:
            best, most = name, overlap.exact
    return best


def id_candidates(old: pd.DataFrame, new: pd.DataFrame, id_like: Collection[str],
                  new_id_like: Collection[str] = ()) -> list[tuple[str, str]]:
    """The columns to match the two tables' customers on, as ``(old name, new name)``: the columns both tables have,
    and each of the old table's ID-like columns (``id_like``, as the data check found them: the likely customer id)
    that the new one holds under another name, among its own ID-like columns the old one lacks (``new_id_like``;
    :func:`renamed_id`). The ID-like ones first, those whose ids do not repeat in the old table before those that
    do (:func:`repeats`: a store number is ID-like too), the same name before another, each group in the old table's
    order."""
    shared = set(new.columns)
    order = {str(c): i for i, c in enumerate(old.columns)}
    pairs = [(str(c), str(c)) for c in old.columns if c in shared]
    others = [c for c in new_id_like if c not in order]
    if others:
        for column in old.columns:
            if column in id_like and column not in shared:
                partner = renamed_id(old[column], new, others)
                if partner is not None:
                    pairs.append((str(column), partner))
    apart = {c for c in id_like if c in order and not names_each_row(old[c])}
    return sorted(pairs, key=lambda p: (p[0] not in id_like, p[0] in apart, p[0] != p[1], order[p[0]]))


def names_each_row(ids: pd.Series) -> bool:
    """Whether a column names each row apart, as a customer id does: written in every row (blanks in fewer than one
    in a hundred) and never twice. Found from outside: a retailer's 'Store No' (40 stores for 100,000 customers)
    was as likely a customer id as its 'Customer Number', and a Shopify export's 'Phone', blank for 60% of the
    customers, as its 'Customer ID'."""
    text = ids.astype(str).str.strip()
    written = ids[text != ""]
    return len(written) >= 0.99 * len(ids) and written.is_unique


def compare_tables(old: pd.DataFrame, new: pd.DataFrame, id_column: str, segment_column: str = "cluster",
                   *, old_label: str = "The old file", new_label: str = "The new file",
                   loose: bool = False, new_id_column: str | None = None) -> Migration:
    """:func:`migration_table` of two clustered tables (as :func:`core.io.read_table` reads them), ids matched
    as written or, with ``loose``, loosely (:func:`match_keys`); the new table's ids in ``new_id_column`` when it
    names them otherwise (:func:`id_candidates`).

    Raises
    ------
    DataError
        A table lacks the id or segment column (the message lists what it has), or an id is empty.
    DuplicateIdError
        A table repeats an id.
    """
    new_id = new_id_column or id_column
    for frame, label, id_name in ((old, old_label, id_column), (new, new_label, new_id)):
        for column, what in ((id_name, "id"), (segment_column, "segment")):
            if column not in frame.columns:
                have = ", ".join(repr(str(c)) for c in list(frame.columns)[:20])
                more = " ..." if len(frame.columns) > 20 else ""
                raise DataError(f"{label} has no column {column!r} (the {what} column). Its columns are: "
                                f"{have}{more}.")
    return migration_table(old[id_column], old[segment_column], new[new_id], new[segment_column],
                           old_label=old_label, new_label=new_label, id_name=id_column, loose=loose)
