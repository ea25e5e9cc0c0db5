"""Reading the customer files people actually upload.

Every cell is read as **text** and kept exactly as it was in the file: numbers are parsed later,
column by column, by :mod:`core.quality`. This is what lets every export give back each input value
unchanged, and what lets the data check say *which* cells of a numeric column are not numbers.

Detection, in order:

1. Known binary formats by their first bytes: ``.xlsx`` (read with openpyxl), and a clear refusal for
   other zip files, images, PDFs, pickles, UTF-16 without a BOM and anything with NUL bytes.
2. The encoding: a UTF-8 or UTF-16 byte-order mark; else UTF-8 if the bytes decode as UTF-8; else
   cp1252 if every byte is defined there; else latin-1 (which decodes any byte).
3. The separator among ``,`` ``;`` tab and ``|``: the candidate that splits the first lines into the
   same number (>1) of fields most consistently, quotes respected. A first line ``sep=;`` (Excel's
   separator hint) names it instead, and is not part of the table.
4. The decimal mark: ``,`` when the separator is not a comma and numbers like ``3,5`` outnumber
   numbers like ``3.5`` in the sample.

Blank lines: an empty line is no row, wherever it is (so a final line end adds nothing, and an empty
value alone on its line must be quoted, ``""``, as csv writers do). Lines of spaces or tabs before the
header are skipped, and so are such lines in a file of several columns (they hold no value of any
column). In a **one-column** file a line of spaces or tabs after the header is a customer whose cell is
those spaces: such a cell is written back that way, and skipping it would shift every later row.
"""

from __future__ import annotations

import codecs
import csv
import datetime as _dt
import io
import os
import re
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv

from .errors import ReadError

__all__ = ["TableRead", "read_table", "SEPARATOR_NAMES"]

#: How separators are named to people.
SEPARATOR_NAMES: dict[str, str] = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}

_SAMPLE_BYTES = 256 * 1024
_CP1252_UNDEFINED = {0x81, 0x8D, 0x8F, 0x90, 0x9D}
_DECIMAL_COMMA = re.compile(r"^\s*[-+]?\d+,\d+\s*$")
_DECIMAL_POINT = re.compile(r"^\s*[-+]?\d+\.\d+\s*$")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_SEPARATOR_HINT = re.compile(rb"^(\xef\xbb\xbf)?sep=([,;\t|])[ \t]*(\r\n|\r|\n)", re.IGNORECASE)
# Lines before the header that pandas' C reader skips as blank: spaces, and tabs unless tab separates fields.
_LEADING_BLANK_LINES = {sep: re.compile(rb"(?:[%s]*(?:\r\n|\r|\n))*(?:[%s]*\Z)?" % (blank, blank))
                        for sep, blank in ((s, rb" " if s == "\t" else rb" \t") for s in SEPARATOR_NAMES)}


@dataclass(frozen=True)
class TableRead:
    """A table read from a file, every cell as text.

    Attributes
    ----------
    frame : pandas.DataFrame
        Every row and column of the file; every cell a ``str`` (missing fields are ``""``).
    file_format : str
        ``"csv"`` or ``"xlsx"``.
    encoding : str | None
        The detected text encoding (``None`` for ``.xlsx``).
    separator : str | None
        The detected field separator (``None`` for ``.xlsx``).
    decimal : str
        The decimal mark numbers use in this file (``"."`` or ``","``).
    warnings : list[str]
        Things the reader changed or noticed, in words for the user (e.g. a renamed blank header).
    """

    frame: pd.DataFrame
    file_format: str
    encoding: str | None
    separator: str | None
    decimal: str
    warnings: list[str] = field(default_factory=list)

    @property
    def separator_name(self) -> str | None:
        """The separator as a word (``"semicolon"``), or ``None`` for ``.xlsx``."""
        if self.separator is None:
            return None
        return SEPARATOR_NAMES.get(self.separator, repr(self.separator))


def read_table(
    source: bytes | str | os.PathLike[str] | BinaryIO,
    filename: str = "",
    *,
    max_rows: int | None = None,
    max_columns: int | None = None,
) -> TableRead:
    """Read a CSV or ``.xlsx`` customer file into a frame of text cells.

    Parameters
    ----------
    source : bytes, path or binary file object
        The file's content, or where to find it.
    filename : str
        The name the user gave the file, only used in messages.
    max_rows, max_columns : int, optional
        Refuse files with more data rows or columns than this (a :class:`ReadError` saying so).

    Returns
    -------
    TableRead

    Raises
    ------
    ReadError
        The file is empty, has no data rows, is not a table, or is malformed; the message says which.
    """
    raw = _read_bytes(source)
    label = f"'{filename}'" if filename else "The file"
    if not raw[:_SAMPLE_BYTES].strip(b" \t\r\n\x00") and not raw.strip(b" \t\r\n\x00"):
        raise ReadError(f"{label} is empty.")
    _refuse_non_tables(raw, label)
    if raw.startswith(b"PK\x03\x04"):
        result = _read_xlsx(raw, label)
    else:
        result = _read_csv(raw, label)
    frame = _finish_header(result.frame, label, result.warnings)
    _check_limits(frame, label, max_rows, max_columns)
    return TableRead(frame, result.file_format, result.encoding, result.separator, result.decimal,
                     result.warnings)


def _read_bytes(source: bytes | str | os.PathLike[str] | BinaryIO) -> bytes:
    if isinstance(source, bytes):
        return source
    if isinstance(source, (str, os.PathLike)):
        try:
            return Path(source).read_bytes()
        except FileNotFoundError:
            raise ReadError(f"There is no file at {os.fspath(source)}.") from None
        except IsADirectoryError:
            raise ReadError(f"{os.fspath(source)} is a folder, not a file.") from None
        except OSError as exc:
            raise ReadError(f"The file {os.fspath(source)} could not be opened: {exc.strerror}.") from None
    return source.read()


_SIGNATURES: list[tuple[bytes, str]] = [
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"%PDF", "a PDF document"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"\xd0\xcf\x11\xe0", "an old-style Excel (.xls) or Office file"),
    (b"\x80\x02", "a Python pickle"),
    (b"\x80\x03", "a Python pickle"),
    (b"\x80\x04", "a Python pickle"),
    (b"\x80\x05", "a Python pickle"),
    (b"SQLite format 3", "an SQLite database"),
]


def _refuse_non_tables(raw: bytes, label: str) -> None:
    for magic, what in _SIGNATURES:
        if raw.startswith(magic):
            hint = " Save it as .xlsx or CSV and upload that." if "Excel" in what else ""
            raise ReadError(f"{label} is {what}, not a CSV or Excel file.{hint}")
    head = raw[:_SAMPLE_BYTES].lstrip(b"\xef\xbb\xbf \t\r\n")
    lowered = head[:64].lower()
    if lowered.startswith((b"<!doctype html", b"<html", b"<?xml", b"<table")):
        raise ReadError(f"{label} is a web page (HTML/XML), not a CSV file. Export the data as CSV.")
    if head[:1] in (b"{", b"["):
        stripped = raw.strip()
        if stripped[-1:] in (b"}", b"]"):
            raise ReadError(f"{label} looks like JSON, not CSV. Export the data as CSV or .xlsx.")


def _read_xlsx(raw: bytes, label: str) -> TableRead:
    try:
        names = zipfile.ZipFile(io.BytesIO(raw)).namelist()
    except zipfile.BadZipFile:
        raise ReadError(f"{label} looks like an Excel file but is damaged or incomplete.") from None
    if "xl/workbook.xml" not in names:
        raise ReadError(f"{label} is a zip archive, not a CSV or Excel file. Unzip it first.")
    try:
        sheets = pd.read_excel(io.BytesIO(raw), sheet_name=None, header=None, dtype=object,
                               engine="openpyxl")
    except Exception as exc:  # openpyxl raises many types for damaged workbooks
        raise ReadError(f"{label} could not be read as an Excel workbook ({type(exc).__name__}).") from None
    if not sheets:
        raise ReadError(f"{label} has no worksheets.")
    name, frame = next(iter(sheets.items()))
    warnings = []
    if len(sheets) > 1:
        warnings.append(f"The workbook has {len(sheets)} sheets; only the first, '{name}', was read.")
    frame = frame.map(_excel_cell_text).astype(str)
    return TableRead(frame, "xlsx", None, None, ".", warnings)


def _excel_cell_text(value: object) -> str:
    """The text of an Excel cell as a person would type it (``81`` not ``81.0``)."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, (pd.Timestamp, _dt.datetime)):  # openpyxl gives datetime.datetime
        return value.isoformat(sep=" ") if (value.hour or value.minute or value.second) else value.date().isoformat()
    if hasattr(value, "isoformat"):
        return value.isoformat()  # type: ignore[no-any-return, attr-defined]
    return str(value)


def _detect_encoding(raw: bytes, label: str) -> tuple[str, bytes]:
    """Return the encoding and the bytes to decode (a UTF-16 file is re-encoded as UTF-8)."""
    if raw.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig", raw
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return "utf-16", raw.decode("utf-16").encode("utf-8")
        except UnicodeDecodeError:
            raise ReadError(f"{label} says it is UTF-16 but its text is damaged.") from None
    if b"\x00" in raw[:_SAMPLE_BYTES]:
        if raw[1:2] == b"\x00" or raw[0:1] == b"\x00":
            raise ReadError(f"{label} looks like UTF-16 text without a byte-order mark. "
                            "Save it as CSV in UTF-8 and upload it again.")
        raise ReadError(f"{label} contains binary data (NUL bytes), so it is not a text CSV file.")
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:  # 16 MB at a time: checking a large file never holds it all as text
        for start in range(0, len(raw), 1 << 24):
            decoder.decode(memoryview(raw)[start:start + (1 << 24)], final=start + (1 << 24) >= len(raw))
        return "utf-8", raw
    except UnicodeDecodeError:
        pass
    if not any(bytes([b]) in raw for b in _CP1252_UNDEFINED):  # a fast search per byte, not a Python loop
        return "cp1252", raw
    return "latin-1", raw


def _detect_separator(text_sample: str) -> str:
    # CSV lines end with CR, LF or CRLF only (str.splitlines would also split at form feeds, U+2028...)
    complete = text_sample.rstrip("\r\n")
    lines = _LINE_BREAK.split(complete)[:60] if complete else []
    if len(lines) > 1 and not text_sample.endswith(("\n", "\r")):
        lines = lines[:-1]  # the sample may cut the last line short
    lines = [line for line in lines if line.strip(" \t")]  # blank lines say nothing about the separator
    best, best_score = ",", -1.0
    for sep in (",", ";", "\t", "|"):
        try:
            rows = list(csv.reader(io.StringIO("\n".join(lines)), delimiter=sep))
        except csv.Error:
            continue
        counts = [len(r) for r in rows if r]
        if not counts:
            continue
        width, hits = Counter(counts).most_common(1)[0]
        if width < 2:
            continue
        # consistency over the sample's lines, not over the parsed rows: a wrong separator can make a
        # stray quote swallow many lines into one "consistent" row
        score = hits / len(lines) * 1000 + width
        if score > best_score:
            best, best_score = sep, score
    return best


def _detect_decimal(frame: pd.DataFrame, separator: str) -> str:
    if separator == ",":
        return "."
    sample = frame.head(500)
    commas = points = 0
    for column in sample.columns:
        values = sample[column].astype(str)
        commas += int(values.str.match(_DECIMAL_COMMA).sum())
        points += int(values.str.match(_DECIMAL_POINT).sum())
    return "," if commas > points else "."


def _read_csv(raw: bytes, label: str) -> TableRead:
    encoding, data = _detect_encoding(raw, label)
    hint = _SEPARATOR_HINT.match(data)
    if hint:  # Excel's "sep=;" line: the separator, then the table
        data = (hint.group(1) or b"") + data[hint.end():]
    sample_text = data[:_SAMPLE_BYTES].decode(encoding if encoding != "utf-16" else "utf-8", errors="replace")
    separator = hint.group(2).decode() if hint else _detect_separator(sample_text.lstrip("\ufeff"))
    pandas_encoding = "utf-8" if encoding == "utf-16" else encoding
    start = 3 if encoding == "utf-8-sig" and data.startswith(b"\xef\xbb\xbf") else 0
    header_at = _LEADING_BLANK_LINES[separator].match(data, start).end()
    header_text = sample_text.lstrip("\ufeff")[header_at - start:]  # the blank lines are ASCII: 1 byte, 1 char
    try:
        header = next(csv.reader(io.StringIO(header_text, newline=""), delimiter=separator), None)
    except csv.Error:
        header = None
    one_column = header is not None and len(header) == 1
    frame = _read_csv_arrow(data, header_at, separator, pandas_encoding, header)
    try:
        # (pandas is given the file as it is when no blank line precedes the header: its own BOM handling)
        frame = frame if frame is not None else _read_csv_pandas(
            data, header_at if header_at > start else 0, separator, pandas_encoding, one_column)
    except pd.errors.EmptyDataError:
        raise ReadError(f"{label} is empty.") from None
    except pd.errors.ParserError as exc:
        skipped = _count_line_ends(data[start:header_at])  # pandas numbers the lines of what it was given
        raise ReadError(f"{label} is not a well-formed table: "
                        f"{_explain_parser_error(str(exc), skipped)}") from None
    except UnicodeDecodeError:
        raise ReadError(f"{label} mixes text encodings and could not be decoded. "
                        "Save it as CSV in UTF-8 and upload it again.") from None
    frame = frame.fillna("")
    shown = "UTF-16" if encoding == "utf-16" else encoding
    return TableRead(frame, "csv", shown, separator, _detect_decimal(frame.iloc[1:], separator), [])


def _count_line_ends(text: bytes) -> int:
    return text.count(b"\n") + text.count(b"\r") - text.count(b"\r\n")


def _read_csv_pandas(data: bytes, header_at: int, separator: str, encoding: str,
                     one_column: bool) -> pd.DataFrame:
    """The general path: pandas' C reader, from the header line on (``header_at``), every cell as text.

    pandas skips empty lines and lines of spaces/tabs alike (``skip_blank_lines``). In a one-column file
    the second kind is a row (see the module docstring), so there pandas keeps every line, and the rows
    that came from empty lines are dropped again. Only the line's own text tells an empty line from a
    quoted empty value (``""``, a row), and Python's csv reader, which says ``[]`` for the first and
    ``['']`` for the second, reads the same records here: its row count and empty cells are checked
    against pandas' before its answer is used.
    """
    body = io.BytesIO(data[header_at:] if header_at else data)  # (a copy only after leading blank lines)
    frame = pd.read_csv(body, sep=separator, header=None, dtype=str, keep_default_na=False, na_filter=False,
                        encoding=encoding, engine="c", skip_blank_lines=not one_column)
    if not one_column:
        return frame
    has_fields = _records_with_fields(data[header_at:].decode(encoding, errors="replace"), separator)
    cells = frame.iloc[:, 0]
    if len(has_fields) != len(cells) or (cells[[not kept for kept in has_fields]] != "").any():
        # the two readers split the records differently (malformed quoting they resolve differently):
        # which rows were empty lines is unknown, so read as pandas does, skipping blank lines
        return _read_csv_pandas(data, header_at, separator, encoding, one_column=False)
    return frame[has_fields].reset_index(drop=True)


def _records_with_fields(text: str, separator: str) -> list[bool]:
    """For each record of ``text`` as Python's csv reader splits it, whether it has a field (an empty
    line has none); ``[]`` if that reader refuses the text."""
    if csv.field_size_limit() <= len(text):  # one value may be the whole file (raised, never lowered: threads)
        csv.field_size_limit(len(text) + 1)
    try:
        return [bool(record) for record in csv.reader(io.StringIO(text, newline=""), delimiter=separator)]
    except csv.Error:
        return []


def _read_csv_arrow(data: bytes, header_at: int, separator: str, encoding: str,
                    header: list[str] | None) -> pd.DataFrame | None:
    """The fast path: pyarrow's multi-threaded CSV reader, every cell as text (about 3x faster than pandas
    and without its per-cell Python strings), from the header line on (``header_at``; ``header`` holds its
    fields). It gives the frame :func:`_read_csv_pandas` would give: the same quoting and blank-line rules
    (pyarrow skips only empty lines, and refuses a line of spaces in a file of several columns as a row
    with too few fields), and the same ``str`` columns. Anything it does not read cleanly (a row with
    another number of fields, a damaged quote, a row longer than a block) returns None, and pandas reads
    the file instead, with its exact messages.
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


def _explain_parser_error(message: str, skipped_lines: int = 0) -> str:
    match = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", message)
    if match:
        expected, line, saw = match.groups()
        line = str(int(line) + skipped_lines)
        return (f"line {line} has {saw} values but the header has {expected} columns. "
                "Check for a stray separator or an unclosed quote on that line.")
    if "EOF inside string" in message or "EOF" in message:
        return "a quoted value is never closed (an unmatched \" character)."
    return message.strip().splitlines()[-1]


def _finish_header(frame: pd.DataFrame, label: str, warnings: list[str]) -> pd.DataFrame:
    """Turn the first row into column names, checking they are usable."""
    if frame.shape[0] == 0:
        raise ReadError(f"{label} is empty.")
    header = [str(v).strip() for v in frame.iloc[0].tolist()]
    body = frame.iloc[1:].reset_index(drop=True)
    if body.shape[0] == 0:
        raise ReadError(f"{label} has a header row but no data rows.")
    keep = []
    for position, name in enumerate(header):
        if name:
            keep.append(position)
        elif (body.iloc[:, position] != "").any():
            header[position] = f"Column {position + 1}"
            warnings.append(f"Column {position + 1} has no name in the file; it is called "
                            f"'Column {position + 1}' here.")
            keep.append(position)
        else:
            warnings.append(f"Column {position + 1} has no name and no values; it was ignored.")
    if not keep:
        raise ReadError(f"{label} has no named columns.")
    names = [header[p] for p in keep]
    duplicated = sorted({n for n in names if names.count(n) > 1})
    if duplicated:
        listed = ", ".join(f"'{n}' ({names.count(n)} times)" for n in duplicated)
        raise ReadError(f"Column names must be unique, but {label.lower() if label == 'The file' else label} "
                        f"repeats {listed}. Rename the repeated columns and upload again.")
    body = body.iloc[:, keep]
    body.columns = pd.Index(names, dtype=object)
    return body.astype(str)


def _check_limits(frame: pd.DataFrame, label: str, max_rows: int | None, max_columns: int | None) -> None:
    rows, columns = frame.shape
    if max_rows is not None and rows > max_rows:
        raise ReadError(f"{label} has {rows:,} rows; this installation accepts at most {max_rows:,}.")
    if max_columns is not None and columns > max_columns:
        raise ReadError(f"{label} has {columns:,} columns; this installation accepts at most {max_columns:,}.")
