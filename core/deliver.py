"""Outputs ready for a campaign tool: one CSV per segment in a zip, and Excel workbooks.

Every output escapes spreadsheet formulas exactly as the CSV downloads do (:mod:`core.export`) and
carries the segment names. In workbooks, columns the data check found numeric (and not ID-like) are
written as numbers, so Excel can sum and sort them; everything else stays text, as in the file.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Sequence
from dataclasses import replace

import numpy as np
import pandas as pd

from .errors import DataError
from .export import COMMAS, UTF8_BOM, CsvDialect, escape_formulas, to_csv_bytes
from .model import display_cluster
from .quality import parse_numeric
from .insight import Profile
from .segmentation import Segmentation
from .stats import feature_columns, mix_column, written_as_percent
from .xlsx_writer_fast import workbook_bytes

__all__ = ["segments_zip_bytes", "to_xlsx_bytes", "safe_file_name", "rounded_summary", "share_columns",
           "EXCEL_MAX_ROWS", "UTF8_BOM"]

#: Excel's row limit, less the header.
EXCEL_MAX_ROWS = 1_048_575
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')


def safe_file_name(text: str, limit: int = 80) -> str:
    """A file name made from user text: no path separators or characters Windows refuses."""
    cleaned = _UNSAFE.sub("_", str(text)).strip(" .")
    return cleaned[:limit] or "segment"


def segments_zip_bytes(clustered: pd.DataFrame, seg: Segmentation, dialect: CsvDialect = COMMAS) -> bytes:
    """A zip with one CSV per segment (``01 High income · Low spending.csv``) and the customers left out.

    Parameters
    ----------
    clustered : pandas.DataFrame
        :func:`core.segmentation.clustered_table` output for ``seg`` (every input row, in order).
    dialect : CsvDialect
        The CSVs' separator and decimal mark (the uploaded file's own, :attr:`core.io.TableRead.dialect`).
    """
    buffer = io.BytesIO()
    width = len(str(seg.k))
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for label, name in enumerate(seg.segment_names):
            members = clustered[seg.labels == label]
            number = str(display_cluster(label)).zfill(max(width, 2))
            archive.writestr(f"{number} {safe_file_name(name)}.csv", UTF8_BOM + to_csv_bytes(members, dialect))
        left_out = clustered[~seg.scored]
        if len(left_out):
            archive.writestr("not segmented (missing values).csv", UTF8_BOM + to_csv_bytes(left_out, dialect))
    return buffer.getvalue()


def share_columns(profile: Profile) -> list[str]:
    """The columns of ``profile.flat()`` that hold shares (0..1): ``share``, the means of the features written as
    percentages (an open rate of "24.4%": :attr:`core.insight.Profile.percents`) and the text-column mixes
    (``Gender: Female``)."""
    percents = [f for f in profile.features if bool(profile.percents.get(f, False))]
    means = dict(zip(profile.features, feature_columns(profile.features)))
    return ["share"] + [means[f] for f in percents] + [mix_column(str(c), str(v)) for c, v in profile.mixes.columns]


def _sensible(value: float) -> float:
    """A mean rounded for people: 2 decimals, or 3 significant digits for values under 1 (0.00123)."""
    if not np.isfinite(value) or value == 0:
        return value
    return round(value, max(2, 2 - int(np.floor(np.log10(abs(value))))))


def rounded_summary(profile: Profile) -> pd.DataFrame:
    """A profile as one flat table (:meth:`core.insight.Profile.flat`) as people read it: means to 2
    decimals (3 significant digits under 1), indices to whole numbers, shares to 4 decimals (0.1% once
    shown as a percentage). Counts are unchanged."""
    sizes = profile.sizes.assign(share=profile.sizes["share"].round(4))
    return replace(profile, sizes=sizes, means=profile.means.map(_sensible), indices=profile.indices.round(0),
                   mixes=profile.mixes.round(4)).flat()


def _sheet_name(text: str, taken: set[str]) -> str:
    """A valid, unique sheet title (31 characters, none of []:*?/\\)."""
    base = re.sub(r"[\[\]:*?/\\]", "_", str(text))[:31] or "Sheet"
    name, suffix = base, 1
    while name.lower() in taken:
        tail = f" ({suffix})"
        name, suffix = base[: 31 - len(tail)] + tail, suffix + 1
    taken.add(name.lower())
    return name


#: A cell a number would not give back: a leading zero (``00042``) or more digits than Excel keeps (15).
_NOT_ROUND_TRIP = r"^\s*[-+]?(?:0\d|\d{16,})"


def _with_numbers(frame: pd.DataFrame, numeric: Sequence[str], decimal: str) -> pd.DataFrame:
    """Numeric text columns as numbers (cells that are not plain numbers stay as they are). A column with
    a cell its number would not give back (an ID ``00042``, a 16-digit account number) stays text whole."""
    out = frame.copy()
    for column in numeric:
        if column not in out.columns or out[column].dtype.kind in "biuf":
            continue
        if out[column].astype(str).str.contains(_NOT_ROUND_TRIP, regex=True).any():
            continue
        values, invalid = parse_numeric(out[column], decimal)
        cells = out[column].astype(object).to_numpy(copy=True)
        number = ~np.isnan(values)
        cells[number] = values[number]
        cells[~number & ~invalid] = None  # missing cells stay empty
        out[column] = pd.Series(cells, index=out.index, dtype=object)
    return out


def to_xlsx_bytes(sheets: dict[str, pd.DataFrame], numeric: Sequence[str] = (), decimal: str = ".",
                  percent: Sequence[str] = ()) -> bytes:
    """An Excel workbook with one sheet per frame, formulas escaped, numeric columns as numbers.

    Parameters
    ----------
    sheets : dict[str, pandas.DataFrame]
        Sheet title to frame, in order.
    numeric : sequence of str
        Text columns to write as numbers where their cells are numbers (e.g. the data check's numeric,
        non-ID columns).
    decimal : str
        The decimal mark of those text cells.
    percent : sequence of str
        Columns of shares (0..1) to show as percentages (``50.6%``; the cell keeps the number). The ``numeric``
        columns the file writes as percentages (``24.4%``, :func:`core.stats.written_as_percent`) are shown so
        too, their cells the numbers (0.244).

    Raises
    ------
    DataError
        A frame has more rows than an Excel sheet holds.
    """
    for title, frame in sheets.items():
        if len(frame) > EXCEL_MAX_ROWS:
            raise DataError(f"'{title}' has {len(frame):,} rows, more than an Excel sheet holds "
                            f"({EXCEL_MAX_ROWS:,}). Download the CSV instead.")
    taken: set[str] = set()
    prepared = [(_sheet_name(title, taken), escape_formulas(_with_numbers(frame, numeric, decimal)), frame)
                for title, frame in sheets.items()]
    def written_as_percentages(frame: pd.DataFrame) -> set[str]:
        columns = [c for c in numeric if c in frame.columns and frame[c].dtype.kind not in "biuf"]
        return {str(c) for c, found in zip(columns, written_as_percent(frame, columns)) if found}

    shown_as_percent = {name: {str(c) for c in frame.columns if c in percent and frame[c].dtype.kind == "f"}
                        | written_as_percentages(frame) for name, _, frame in prepared}
    # written by core.xlsx_writer_fast (openpyxl took 90 s for 300,000 customers; the same cells read back)
    return workbook_bytes([(name, ready) for name, ready, _ in prepared], shown_as_percent)
