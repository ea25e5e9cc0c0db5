"""Writing outputs that are safe to open in a spreadsheet.

**Formula escaping (OWASP CSV injection).** A text cell or header that starts with ``=``, ``+``,
``-``, ``@``, a tab, a carriage return or a line feed would be run as a formula by Excel or
LibreOffice. Such cells get a leading apostrophe (``'=SUM(A1)``), which spreadsheets show as text.
Cells that are plain numbers (``-5``, ``+3.2``, ``1e-3``, and as files write them: ``-3,5``,
``-1,234``, ``-12%``, ``-7 ``) are left as they are: digits and separators cannot form a formula.
"""

from __future__ import annotations

import io
import re

import numpy as np
import pandas as pd

__all__ = ["escape_formula", "escape_formulas", "to_csv_bytes"]

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")
_NUMBER = re.compile(r"^[-+]?(\d[\d,.]*|[.,]\d+)([eE][-+]?\d+)?%?\s*$")


def escape_formula(text: str) -> str:
    """Prefix ``'`` to a text that a spreadsheet would treat as a formula."""
    if text.startswith(_FORMULA_START) and not _NUMBER.match(text):
        return "'" + text
    return text


def escape_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with formula-like text cells and headers escaped; numbers untouched."""
    out = frame.copy()
    out.columns = [escape_formula(str(c)) for c in frame.columns]
    for position, column in enumerate(frame.columns):
        values = frame.iloc[:, position]
        if values.dtype == object or pd.api.types.is_string_dtype(values.dtype):
            text = values.astype(str)
            risky = text.str.startswith(_FORMULA_START).to_numpy(dtype=bool, na_value=False)
            if risky.any():
                escaped = values.astype(object).to_numpy(copy=True)
                for i in np.flatnonzero(risky):
                    escaped[i] = escape_formula(str(escaped[i]))
                out.isetitem(position, pd.Series(escaped, index=frame.index, dtype=values.dtype))
    return out


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    """UTF-8 CSV bytes of ``frame`` with formulas escaped, no index, empty cells for missing values.

    Lines end with LF; when a cell or header holds a carriage return they end with CRLF instead, because
    the csv writer only quotes the characters of the line ending it writes (an unquoted CR would split
    the row for every reader).
    """
    escaped = escape_formulas(frame)
    buffer = io.StringIO()
    escaped.to_csv(buffer, index=False, lineterminator="\n")
    text = buffer.getvalue()
    if "\r" in text:  # only a value can hold a CR here
        buffer = io.StringIO()
        escaped.to_csv(buffer, index=False, lineterminator="\r\n")
        text = buffer.getvalue()
    return text.encode("utf-8")
