"""The fast path of :func:`core.io.read_table` for CSV files: pyarrow's reader, every cell as text.

About 3x faster than pandas' C reader and without a Python string per cell, it answers only when it reads
the file exactly as the reference path (``core.io._read_csv_pandas``: pandas, ``dtype=str``) does, and
returns None otherwise (pandas then reads the file, with its exact messages). Measured in
docs/performance.md; ``tests/core/test_csv_reader_fast.py`` compares the two readers on generated files
(quoting, byte-order marks, blank cells, negative numbers, huge integers, unicode, CRLF).
"""

from __future__ import annotations

import csv

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv

__all__ = ["read_csv"]


def read_csv(data: bytes, header_at: int, separator: str, encoding: str,
             header: list[str] | None) -> pd.DataFrame | None:
    """A CSV file's table as pyarrow's multi-threaded reader reads it, every cell as text, or None.

    ``data`` is the file's bytes (transcoded to UTF-8 when it was UTF-16), ``header_at`` where its header
    line starts (after a byte-order mark and blank lines), ``encoding`` its encoding as Python names it and
    ``header`` the header line's fields. It gives the frame ``core.io._read_csv_pandas`` would give: the
    same quoting and blank-line rules (pyarrow skips only empty lines, and refuses a line of spaces in a
    file of several columns as a row with too few fields), and the same ``str`` columns. Anything it does not read cleanly (a row with
    another number of fields, a damaged quote, a row longer than a block) returns None, and pandas reads
    the file instead, with its exact messages.

    Returns
    -------
    pandas.DataFrame or None
        Columns numbered from 0, the header line included as the first row, every cell a ``str``.
    """
    bom = b"\xef\xbb\xbf" if encoding.startswith("utf-8") else b""
    start = len(bom) if bom and data.startswith(bom) else 0
    # (Each check below scans the file only when a one-byte search, ~20 ms per 350 MB, finds the need.)
    if (bom and data.startswith(bom, start)) or (b"\r" in data and (
            b"\r\r" in data or data.count(b"\n\r") != data.count(b"\n\r\n"))):
        return None  # a second byte-order mark, or old Mac line ends among others: pandas' own quirks
    if not header:
        return None
    try:
        names = [f"f{i}" for i in range(len(header))]
        body = memoryview(data)[header_at:]  # without the byte-order mark and blank lines, without a copy
        table = pa_csv.read_csv(
            pa.py_buffer(body),
            read_options=pa_csv.ReadOptions(column_names=names, block_size=1 << 24,
                                            encoding="utf8" if encoding.startswith("utf-8") else encoding),
            # without a quote in the file no value can hold a line break: pyarrow then splits the file
            # at line ends straight away (2x faster on one thread)
            parse_options=pa_csv.ParseOptions(delimiter=separator, newlines_in_values=b'"' in data,
                                              ignore_empty_lines=True),
            convert_options=pa_csv.ConvertOptions(column_types={n: pa.large_string() for n in names},
                                                  strings_can_be_null=False, quoted_strings_can_be_null=False,
                                                  # already checked in _detect_encoding (or transcoded)
                                                  check_utf8=encoding == "utf-8-sig"),
        )
    except (pa.ArrowException, csv.Error, ValueError, UnicodeError, LookupError):
        return None
    if table.num_columns != len(names) or any(t != pa.large_string() for t in table.schema.types):
        return None
    # pyarrow accepts a quoted value left open at the end of the file, which pandas reports. Such a value is
    # the last one, and it either holds a line break or is the file's end, opening quote included.
    last = list(table.slice(table.num_rows - 1).to_pylist()[0].values()) if table.num_rows else [""]
    if ((b'"' in data and data.count(b'"') % 2) or any("\n" in v or "\r" in v for v in last)
            or data.endswith(('"' + last[-1].replace('"', '""')).encode("utf-8" if bom else encoding,
                                                                          errors="replace"))):
        return None
    as_text = {pa.large_string(): pd.StringDtype("pyarrow", na_value=float("nan"))}.get
    return pd.DataFrame({i: table.column(i).to_pandas(types_mapper=as_text) for i in range(table.num_columns)})
