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

::

    moves = migration_table(old["customer_id"], old["cluster"], new["customer_id"], new["cluster"])
    moves.matrix()        # from x to, counts
    moves.movers("1", "3")  # the ids that went from cluster 1 to cluster 3
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Collection, Sequence

import numpy as np
import pandas as pd

from .errors import DataError

__all__ = ["Migration", "DuplicateIdError", "migration_table", "compare_tables", "id_candidates", "FROM", "TO",
           "CUSTOMERS", "NONE", "sorted_segments"]

#: The columns of :meth:`Migration.counts` (and of ``segments compare --out``).
FROM, TO, CUSTOMERS = "from", "to", "customers"
#: The segment of a customer absent from (or not scored in) a snapshot.
NONE = ""
#: How many offending ids a message names before saying "and N more".
_NAMED_IDS = 5


class DuplicateIdError(DataError):
    """A snapshot's id column repeats an id (the message names them)."""


def _listed_ids(ids: Sequence[str], counts: Sequence[int] | None = None) -> str:
    shown = [repr(i) + (f" ({c} times)" if counts is not None else "")
             for i, c in zip(ids[:_NAMED_IDS], counts if counts is not None else [0] * len(ids))]
    more = len(ids) - _NAMED_IDS
    return ", ".join(shown) + (f" and {more:,} more" if more > 0 else "")


def _keyed(ids: pd.Series, segments: pd.Series, label: str, id_name: str) -> pd.Series:
    """``segments`` as text indexed by the ids as text, after refusing empty and repeated ids."""
    if len(ids) != len(segments):
        raise DataError(f"{label}: the ids and the segments have different lengths ({len(ids)} and {len(segments)}).")
    ids = ids.astype("string").reset_index(drop=True)
    empty = ids.isna() | (ids == "")
    if empty.any():
        rows = (np.flatnonzero(empty.to_numpy()) + 1)[:_NAMED_IDS]
        raise DataError(f"{label}: {int(empty.sum()):,} customer{'s have' if empty.sum() > 1 else ' has'} no id "
                        f"in column {id_name!r} (data rows {', '.join(str(r) for r in rows)}"
                        f"{' ...' if empty.sum() > _NAMED_IDS else ''}); every customer needs an id to be "
                        "matched. Fill them in, or choose another id column.")
    repeated = ids[ids.duplicated(keep=False)]
    if len(repeated):
        counts = repeated.value_counts(sort=False)
        counts = counts.sort_values(ascending=False, kind="stable")
        raise DuplicateIdError(
            f"{label}: the id column {id_name!r} repeats {len(counts):,} id{'s' if len(counts) > 1 else ''}: "
            f"{_listed_ids([str(i) for i in counts.index], [int(c) for c in counts.to_numpy()])}. "
            "Each customer must appear once to be matched; remove the repeats or choose another id column.")
    values = segments.astype("string").fillna(NONE).reset_index(drop=True)
    return pd.Series(values.to_numpy(dtype=object), index=pd.Index(ids.to_numpy(dtype=object)), dtype=object)


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
        """Customers in both snapshots, scored in both, whose segment changed."""
        both = (self.pairs[FROM] != NONE) & (self.pairs[TO] != NONE)
        return int((both & (self.pairs[FROM] != self.pairs[TO])).sum())


def migration_table(old_ids: pd.Series, old_segments: pd.Series, new_ids: pd.Series, new_segments: pd.Series,
                    *, old_label: str = "The old snapshot", new_label: str = "The new snapshot",
                    id_name: str = "id") -> Migration:
    """Join two snapshots on customer id (as text) into a :class:`Migration`.

    Parameters
    ----------
    old_ids, old_segments, new_ids, new_segments : pandas.Series
        Each snapshot's id per customer and segment per customer (any values: compared as text;
        missing or empty means not scored), position by position.
    old_label, new_label, id_name : str
        How messages name the snapshots and the id column.

    Raises
    ------
    DuplicateIdError
        A snapshot repeats an id.
    DataError
        A customer has no id.
    """
    old = _keyed(old_ids, old_segments, old_label, id_name)
    new = _keyed(new_ids, new_segments, new_label, id_name)
    index = old.index.append(new.index[~new.index.isin(old.index)])
    pairs = pd.DataFrame({FROM: old.reindex(index).fillna(NONE).to_numpy(dtype=object),
                          TO: new.reindex(index).fillna(NONE).to_numpy(dtype=object)}, index=index)
    return Migration(pairs)


def id_candidates(old: pd.DataFrame, new: pd.DataFrame, id_like: Collection[str]) -> list[str]:
    """The columns both tables have, those in ``id_like`` (the old table's ID-like columns, as the data check
    found them: the likely customer id) first, each group in the old table's order."""
    shared = set(new.columns)
    common = [str(c) for c in old.columns if c in shared]
    return sorted(common, key=lambda c: (c not in id_like, common.index(c)))


def compare_tables(old: pd.DataFrame, new: pd.DataFrame, id_column: str, segment_column: str = "cluster",
                   *, old_label: str = "The old file", new_label: str = "The new file") -> Migration:
    """:func:`migration_table` of two clustered tables (as :func:`core.io.read_table` reads them).

    Raises
    ------
    DataError
        A table lacks the id or segment column (the message lists what it has), or an id is empty.
    DuplicateIdError
        A table repeats an id.
    """
    for frame, label in ((old, old_label), (new, new_label)):
        for column, what in ((id_column, "id"), (segment_column, "segment")):
            if column not in frame.columns:
                have = ", ".join(repr(str(c)) for c in list(frame.columns)[:20])
                more = " ..." if len(frame.columns) > 20 else ""
                raise DataError(f"{label} has no column {column!r} (the {what} column). Its columns are: "
                                f"{have}{more}.")
    return migration_table(old[id_column], old[segment_column], new[id_column], new[segment_column],
                           old_label=old_label, new_label=new_label, id_name=id_column)
