"""From text cells to the numeric matrix a model is trained on, with missing values handled openly.

Missing-value strategies (:data:`MISSING_STRATEGIES`):

``drop`` (the default)
    Rows with a missing or non-numeric value in a chosen feature are left out of the model. They stay
    in every output, with an empty cluster. A careful analyst's default: nothing is invented.
``mean`` / ``median``
    Each gap is filled with the column's mean / median over the rows that have a value.
``error``
    Stop with the list of affected columns and their counts.

Whatever happens is said in :attr:`FeatureMatrix.notes`. Nothing is filled with zero unless the user says
that a column's blanks mean 0 (``zero``: a total or a count left empty for customers who did nothing).

**Transforms** (:mod:`core.transform`) are checked here, against the column's values, so that one that
cannot apply (a log of negative values) is refused with the column's name before any model is fitted.
The matrix itself stays in the original units; the model's pipeline applies the transforms.

**Derived features**: a feature named ``"<date column> (days since)"`` is computed from that date
column (:func:`core.transform.days_since`), and ``"<date of birth> (age)"`` as each customer's age today
(:func:`core.transform.derived_values`).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .errors import FeatureError, MissingValuesError
from .options import DEFAULT_MISSING, MISSING_STRATEGIES
from .quality import (ColumnNumbers, QualityReport, blank_words, codes_text, missing_mask, parse_columns,
                      written_markers, zeroed_text)
from .transform import TransformError, check_transform, date_format, date_source, derived_values, is_birth_name

__all__ = ["FeatureMatrix", "prepare_features", "MISSING_STRATEGIES", "DEFAULT_MISSING"]



@dataclass(frozen=True)
class FeatureMatrix:
    """The chosen features of every row, ready for a model.

    Attributes
    ----------
    features : tuple[str, ...]
        Column names, in model order.
    values : numpy.ndarray
        ``(rows, features)`` float64, original units, NaN where a cell is missing or not a number.
    used : numpy.ndarray
        Boolean per row: the row takes part in the model.
    X : numpy.ndarray
        ``(used rows, features)``: the model's input in original units, gaps filled per the strategy.
    missing : str
        The strategy applied.
    fill_values : dict[str, float]
        The value each feature's gaps were filled with (``mean``/``median`` only).
    gaps : dict[str, int]
        Missing or non-numeric cells per feature, before any handling.
    notes : list[str]
        What was done, in words for the user.
    transforms : tuple[str, ...]
        One transform per feature (:data:`core.transform.TRANSFORMS`), checked against the values;
        empty when none was asked for (the same as ``none`` for every feature).
    zero : tuple[str, ...]
        The features whose blank cells were counted as 0, as the user chose (``prepare_features``' ``zero``).
    """

    features: tuple[str, ...]
    values: np.ndarray
    used: np.ndarray
    X: np.ndarray
    missing: str
    fill_values: dict[str, float] = field(default_factory=dict)
    gaps: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    transforms: tuple[str, ...] = ()
    zero: tuple[str, ...] = ()

    @property
    def rows_left_out(self) -> int:
        """Rows that are not in the model (they get an empty cluster)."""
        return int(self.used.size - np.count_nonzero(self.used))


def not_a_number_note(name: str, count: int) -> str:
    """The note :func:`prepare_features` gives a feature ``name`` with ``count`` cells that are not numbers."""
    return f"'{name}': {count:,} cell{'s are' if count != 1 else ' is'} not a number and counted as missing."


def shown_notes(notes: Sequence[str], report: QualityReport, frame: pd.DataFrame, leave_out: str,
                summary_leave_out: str = "") -> list[str]:
    """A segmentation's notes as people are shown them.

    When the first row under the header describes the columns (:attr:`core.QualityReport.description_row`,
    left in the table), one note says so, ending with ``leave_out`` (how to leave the row out: a command-line
    option, a button), instead of a "1 cell is not a number" note for that row in every feature (13 lines on a
    bank's churn export). When totals or averages rows close the table (:attr:`core.QualityReport.summary_rows`,
    left in it), a note says they count as customers, ending with ``summary_leave_out`` ("{}" in it stands for
    "it" or "them").
    """
    shown = list(notes)
    if report.description_row:
        first_row_only = {not_a_number_note(column.name, 1) for j, column in enumerate(report.column_reports)
                          if column.kind == "numeric" and column.not_numbers == 1
                          and column.examples[:1] == (str(frame.iat[0, j]),)}
        shown = [f"The first row under the header describes the columns ({report.description_row_text()}) rather "
                 f"than a customer: it is left out of the model like a row with gaps; {leave_out}.",
                 *(note for note in shown if note not in first_row_only)]
    if report.summary_rows and summary_leave_out:
        several = len(report.summary_rows) > 1
        shown.insert(0, f"{report.summary_rows_text(first_word=True)}: "
                        f"{'totals rows' if several else 'a totals row'}, counted as "
                        f"{'customers' if several else 'a customer'} unless {'they have' if several else 'it has'} "
                        f"gaps in the chosen columns; {summary_leave_out.format('them' if several else 'it')}.")
    return shown


def prepare_features(
    frame: pd.DataFrame,
    features: list[str] | tuple[str, ...],
    missing: str = DEFAULT_MISSING,
    decimal: str = ".",
    transforms: Sequence[str] | Mapping[str, str] | None = None,
    numbers: ColumnNumbers | None = None,
    unknown: Mapping[str, Sequence[float]] | None = None,
    zero: Collection[str] = (),
) -> FeatureMatrix:
    """Parse the chosen columns as numbers and apply a missing-value strategy.

    Parameters
    ----------
    frame : pandas.DataFrame
        Text cells as read by :func:`core.io.read_table`.
    features : sequence of str
        Exact column names.
    missing : {"drop", "mean", "median", "error"}
        What to do with missing or non-numeric cells.
    decimal : str
        The file's decimal mark.
    transforms : sequence of str, or dict, optional
        One transform per feature, or ``{feature: transform}`` (features not named get ``none``).
    numbers : ColumnNumbers, optional
        The table's parsed columns (:attr:`core.io.TableRead.numbers`): the columns the data check kept are
        not parsed again (the same numbers). A column it did not keep (an ID chosen as a feature) is parsed
        here and not added: the numbers stay as the check left them, as a cached dataset's entry must
        (its size is counted once, when stored). Ignored unless it belongs to this very frame and decimal mark.
    unknown : dict, optional
        ``{column: codes}``: numbers that mean "unknown" in a column (the data check's
        :attr:`core.quality.QualityReport.unknown_codes`, an age of 999): those cells are missing, and the
        strategy applies to them (said in the notes). None or empty: every number is a value.
    zero : collection of str, optional
        Columns whose blank cells are counted as 0, as the user chose (:meth:`core.quality.QualityReport.with_zero_blanks`):
        a HubSpot export's "Total Revenue" is empty for contacts who never bought. Cells that are text or a code
        for "unknown" stay gaps. Said in the notes.

    Raises
    ------
    FeatureError
        No features, an unknown column, or a column with (almost) no numbers.
    TransformError
        A transform that cannot apply to its column, or one given for a column that is not a feature.
    MissingValuesError
        ``missing="error"`` and gaps were found.
    """
    if missing not in MISSING_STRATEGIES:
        raise FeatureError(f"Unknown missing-value strategy '{missing}'. Choose one of: "
                           + ", ".join(MISSING_STRATEGIES) + ".")
    features = tuple(features)
    if not features:
        raise FeatureError("Choose at least one numeric column to segment on.")
    duplicated = sorted({f for f in features if features.count(f) > 1})
    if duplicated:
        raise FeatureError("Each column can be chosen once; repeated: " + ", ".join(repr(d) for d in duplicated))
    derived = {f: date_source(f) for f in features
               if f not in frame.columns and date_source(f) in frame.columns}
    absent = [f for f in features if f not in frame.columns and f not in derived]
    if absent:
        raise FeatureError("The file has no column " + ", ".join(repr(u) for u in absent)
                           + ". Columns are: " + ", ".join(repr(str(c)) for c in frame.columns[:30]) + ".")
    rows = int(frame.shape[0])
    values = np.empty((rows, len(features)), dtype="float64")
    unknown_notes: list[str] = []
    zero_notes: list[str] = []
    zero = frozenset(zero)
    gaps: dict[str, int] = {}
    not_numbers: dict[str, int] = {}
    # Columns are parsed in batches: many short columns per call (wide files), one long column per call.
    plain = [j for j, name in enumerate(features) if name not in derived]
    positions = [frame.columns.get_loc(features[j]) for j in plain]
    parse = (numbers.columns(positions, keep=False) if numbers is not None and numbers.belongs_to(frame, decimal)
             else parse_columns(frame, positions, decimal))
    parsed = {j: (cells, invalid) for j, (_, cells, invalid) in zip(plain, parse)}
    for j, name in enumerate(features):
        if name in derived:
            texts = frame[derived[name]]
            # else the format of the cells that are not missing, as the data check found it: a column of last
            # orders empty for a quarter of the customers (never ordered) is a date column all the same
            birth = is_birth_name(derived[name])  # (a birth's day numbers start in 1906, not 2000)
            fmt = date_format(texts, birth) or date_format(texts[~missing_mask(texts)], birth)
            column, placeholders, example = derived_values(name, texts, fmt)
            if placeholders:
                unknown_notes.append(f"'{derived[name]}': {placeholders:,} cell{'s' if placeholders != 1 else ''} "
                                     f"holding a date before 1901 (e.g. {example}), a placeholder for \"no date\", "
                                     "read as missing.")
            if not np.isfinite(column).any():
                raise FeatureError(f"'{derived[name]}' does not hold dates in a recognised format, so "
                                   f"'{name}' cannot be computed.")
            invalid = np.zeros(rows, dtype=bool)
        else:
            column, invalid = parsed[j]
            if name in zero:  # blank cells (not text, not a code for "unknown") are 0, as the user chose
                blank = np.isnan(column) & ~invalid
                if blank.any():  # (a copy: the kept numbers are shared and read-only)
                    column = np.where(blank, 0.0, column)
                    zero_notes.append(zeroed_text(name, int(blank.sum()),
                                                  blank_words(*written_markers(frame[name], blank))))
            codes = tuple(unknown.get(name, ())) if unknown else ()
            if codes:
                coded = np.isin(column, codes)
                if coded.any():  # (a copy: the kept numbers are shared and read-only)
                    column = np.where(coded, np.nan, column)
                    unknown_notes.append(f"'{name}': {int(coded.sum()):,} cell{'s' if coded.sum() != 1 else ''} "
                                         f"holding {codes_text(codes)}, a code for \"unknown\", read as missing.")
        count = int(np.count_nonzero(~np.isnan(column)))
        if count == 0 or count < 0.5 * (count + int(invalid.sum())):
            raise FeatureError(f"'{name}' is not a numeric column (most of its cells are not numbers), "
                               "so it cannot be used as a model feature.")
        values[:, j] = column
        n_gaps = rows - count
        if n_gaps:
            gaps[name] = n_gaps
        if invalid.any():
            not_numbers[name] = int(invalid.sum())
    chosen = _transforms(features, transforms)
    for j, name in enumerate(features):
        check_transform(name, chosen[j] if chosen else "none", values[:, j])
    notes: list[str] = [*unknown_notes, *zero_notes]
    notes.extend(not_a_number_note(name, n) for name, n in not_numbers.items())
    fill_values: dict[str, float] = {}
    if not gaps:
        used = np.ones(rows, dtype=bool)
        values.flags.writeable = False  # X is the same array, not a copy (half the memory): both read-only
        X = values
    elif missing == "error":
        listed = ", ".join(f"'{k}' ({v:,})" for k, v in gaps.items())
        raise MissingValuesError(
            f"Missing or non-numeric values in the chosen columns: {listed}. "
            "Choose how to handle them: drop those rows from the model, or fill with the mean or median.",
            gaps,
        )
    elif missing == "drop":
        used = ~np.isnan(values).any(axis=1)  # the complete rows
        left_out = rows - int(used.sum())
        one = left_out == 1  # (found from outside: "1 of 10,128 rows have ... they stay")
        notes.append(f"{left_out:,} of {rows:,} rows {'has' if one else 'have'} a missing value in a chosen column and "
                     f"{'is' if one else 'are'} left out of the model; {'it stays' if one else 'they stay'} in the "
                     "downloads with an empty cluster.")
        X = values[used]
    else:
        used = np.ones(rows, dtype=bool)
        X = values.copy()
        for j, name in enumerate(features):
            if name not in gaps:
                continue
            column = values[:, j]
            fill = float(np.nanmean(column) if missing == "mean" else np.nanmedian(column))
            fill_values[name] = fill
            X[np.isnan(column), j] = fill
            notes.append(f"'{name}': {gaps[name]:,} missing value{'s' if gaps[name] != 1 else ''} filled with "
                         f"the {missing}, {fill:,.4g}.")
    return FeatureMatrix(features, values, used, X, missing, fill_values, gaps, notes, chosen,
                         tuple(f for f in features if f in zero and f not in derived))


def _transforms(features: tuple[str, ...], transforms: Sequence[str] | Mapping[str, str] | None) -> tuple[str, ...]:
    """One transform per feature (empty when none was asked for)."""
    if transforms is None:
        return ()
    if isinstance(transforms, Mapping):
        stray = [c for c in transforms if c not in features]
        if stray:
            raise TransformError(f"A transform is chosen for '{stray[0]}', which is not one of the chosen features ("
                                 + ", ".join(repr(f) for f in features) + "); transforms apply to numeric features.")
        chosen = tuple(str(transforms.get(f, "none")) for f in features)
    else:
        chosen = tuple(str(t) for t in transforms)
        if len(chosen) != len(features):
            raise TransformError(f"{len(chosen)} transforms were given for {len(features)} features.")
    return () if all(t == "none" for t in chosen) else chosen
