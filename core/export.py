"""Writing outputs that are safe to open in a spreadsheet.

**Formula escaping (OWASP CSV injection).** A text cell or header that starts with ``=``, ``+``,
``-``, ``@``, a tab, a carriage return or a line feed would be run as a formula by Excel or
LibreOffice; so would one starting with the full-width ``＝`` (U+FF1D) or the small ``﹦`` (U+FE66),
which some spreadsheets read as ``=``. Such cells get a leading apostrophe (``'=SUM(A1)``), which
spreadsheets show as text. Cells that are plain numbers (``-5``, ``+3.2``, ``1e-3``, and as files write
them: ``-3,5``, ``-1,234``, ``-12%``, ``-7 ``) are left as they are: digits and separators cannot form
a formula. Only text is escaped: a cell that already is a number (a workbook's numeric cells) stays a
number, negative or not.
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa

from . import csv_writer_fast

__all__ = ["escape_formula", "escape_formulas", "to_csv_bytes", "iter_csv", "write_csv", "CsvDialect", "COMMAS",
           "UTF8_BOM"]

#: Written before every CSV file the product hands a person (downloads, the command line's outputs): Excel on
#: Windows reads a CSV without it as the ANSI code page, and segment names ("High income · Young"), accented
#: names and currency signs come out garbled ("High income Â· Young").
UTF8_BOM = b"\xef\xbb\xbf"

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\ufe66")
_NUMBER = re.compile(r"^[-+]?(\d[\d,.]*|[.,]\d+)([eE][-+]?\d+)?%?\s*$")
# The same, ASCII digits and spaces only: what it matches _NUMBER matches, in any regex engine (pyarrow's).
_ASCII_NUMBER = r"^[-+]?([0-9][0-9,.]*|[.,][0-9]+)([eE][-+]?[0-9]+)?%?[ \t\n\r\f\v]*$"


def escape_formula(text: str) -> str:
    """Prefix ``'`` to a text that a spreadsheet would treat as a formula."""
    if text.startswith(_FORMULA_START) and not _NUMBER.match(text):
        return "'" + text
    return text


def escape_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with formula-like text cells and headers escaped; numbers untouched.

    The copy shares the columns it leaves as they are (pandas copies on write): no second copy of a
    large table's numbers.
    """
    out = frame.copy(deep=False)
    out.columns = [escape_formula(str(c)) for c in frame.columns]
    for position, column in enumerate(frame.columns):
        values = frame.iloc[:, position]
        if isinstance(values.dtype, pd.CategoricalDtype):
            categories = [str(c) for c in values.cat.categories]
            escaped_categories = [escape_formula(c) for c in categories]
            if escaped_categories == categories:
                continue
            if len(set(escaped_categories)) == len(categories):  # escape each value once, not each cell
                out.isetitem(position, values.cat.rename_categories(escaped_categories))
                continue
            values = values.astype(object)  # two values would read the same once escaped: cell by cell
            out.isetitem(position, values)
        if values.dtype == object or pd.api.types.is_string_dtype(values.dtype):
            if not _may_start_formula(values):  # a scan of each cell's first byte: no cell can be escaped
                continue
            text = values.astype(str)
            risky = text.str.startswith(_FORMULA_START).to_numpy(dtype=bool, na_value=False)
            if risky.any() and values.dtype != object:  # text cells: leave negative numbers without a per-cell step
                risky = risky & ~text.str.match(_ASCII_NUMBER).to_numpy(dtype=bool, na_value=False)
            if risky.any():
                positions = np.flatnonzero(risky)
                escaped = values.copy()
                escaped.iloc[positions] = [escape_formula(v) if isinstance(v, str) else v  # numbers stay numbers
                                           for v in values.iloc[positions].tolist()]
                out.isetitem(position, escaped)
    return out


#: A cell starting with one of these bytes may start with one of :data:`_FORMULA_START` (in UTF-8, whose
#: first byte is the character's own for ASCII and 0xEF for U+FF1D and U+FE66).
_FORMULA_FIRST_BYTES = np.zeros(256, dtype=bool)
_FORMULA_FIRST_BYTES[[start.encode("utf-8")[0] for start in _FORMULA_START]] = True


def _may_start_formula(values: pd.Series) -> bool:
    """Whether some cell of a text column may start like a formula: False only when no cell's first byte
    is one that :data:`_FORMULA_START` begins with (a look at one byte per cell, instead of one
    ``startswith`` pass per start over all the text: 0.05 s instead of 1 s per 10^7 cells). True, and the
    exact test decides, for columns not held as pyarrow text."""
    if not (isinstance(values.dtype, pd.StringDtype) and values.dtype.storage == "pyarrow"):
        return True
    for chunk in values.array.__arrow_array__().chunks:
        offset_type = {pa.string(): np.int32, pa.large_string(): np.int64}.get(chunk.type)
        if offset_type is None:
            return True
        if not len(chunk) or chunk.buffers()[2] is None:
            continue
        starts = np.frombuffer(chunk.buffers()[1], dtype=offset_type)[chunk.offset:chunk.offset + len(chunk)]
        data = np.frombuffer(chunk.buffers()[2], dtype=np.uint8)
        # an empty or missing cell reads the next cell's first byte (the last byte at the end): at worst a
        # false alarm, which the exact test settles
        if data.size and _FORMULA_FIRST_BYTES[np.take(data, starts, mode="clip")].any():
            return True
    return False


@dataclass(frozen=True)
class CsvDialect:
    """How a CSV is written: its separator and the decimal mark of the numbers it adds.

    The outputs of a file are written in its own dialect (:meth:`of`): a German export (semicolons, decimal
    commas) came back comma-separated with decimal points, which German Excel opens as a single column.
    """

    separator: str = ","
    decimal: str = "."

    @classmethod
    def of(cls, separator: str | None, decimal: str) -> "CsvDialect":
        """The dialect of a file read with ``separator`` (None for a workbook: commas) and ``decimal``; a
        comma-separated file keeps the decimal point (a decimal comma there would need every number quoted)."""
        separator = separator or ","
        return cls(separator, "." if separator == "," else decimal)


#: Commas and decimal points: what a file without a dialect of its own is written in.
COMMAS = CsvDialect()


def to_csv_bytes(frame: pd.DataFrame, dialect: CsvDialect = COMMAS) -> bytes:
    """UTF-8 CSV bytes of ``frame`` with formulas escaped, no index, empty cells for missing values, in ``dialect``.

    Lines end with LF; when a cell or header holds a carriage return they end with CRLF instead, because
    the csv writer only quotes the characters of the line ending it writes (an unquoted CR would split
    the row for every reader). The same bytes as :func:`iter_csv`, held at once.
    """
    out = io.BytesIO()  # getvalue() hands the buffer over without a copy: the output is held once
    for piece in iter_csv(frame, dialect=dialect):
        out.write(piece)
    return out.getvalue()


def iter_csv(frame: pd.DataFrame, threads: int = 1, dialect: CsvDialect = COMMAS) -> Iterator[bytes]:
    """The bytes of :func:`to_csv_bytes` in pieces of at most :data:`core.csv_writer_fast.ROWS_PER_STEP`
    rows, so that a large table can be written to a file or a response without the whole text in memory.

    The escaping and the choice of writer happen here, before the first piece is asked for.
    """
    escaped = escape_formulas(frame)
    columns = csv_writer_fast.plan(escaped)
    if columns is None:
        return iter([_pandas_csv(escaped, dialect)])
    return csv_writer_fast.write(list(escaped.columns), columns, escaped.shape[0], threads, dialect.separator,
                                 dialect.decimal)


def write_csv(frame: pd.DataFrame, path: str | os.PathLike[str], threads: int = 1,
              dialect: CsvDialect = COMMAS, bom: bool = False) -> int:
    """Write :func:`to_csv_bytes`'s bytes to ``path`` a piece at a time, ``threads`` pieces made at a time (the
    same bytes for any number), after :data:`UTF8_BOM` with ``bom``; returns the bytes written."""
    written = 0
    with open(path, "wb") as out:
        if bom:
            written += out.write(UTF8_BOM)
        for piece in iter_csv(frame, threads, dialect):
            written += out.write(piece)
    return written


def _pandas_csv(frame: pd.DataFrame, dialect: CsvDialect = COMMAS) -> bytes:
    """The reference writer: ``DataFrame.to_csv`` (LF line ends; CRLF when a value holds a CR)."""
    options = {"index": False, "sep": dialect.separator, "decimal": dialect.decimal}
    buffer = io.StringIO()
    frame.to_csv(buffer, lineterminator="\n", **options)
    text = buffer.getvalue()
    if "\r" in text:  # only a value can hold a CR here
        buffer = io.StringIO()
        frame.to_csv(buffer, lineterminator="\r\n", **options)
        text = buffer.getvalue()
    return text.encode("utf-8")
