"""Reading the customer files people actually upload.

Every cell is read as **text** and kept exactly as it was in the file: numbers are parsed later,
column by column, by :mod:`core.quality`. This is what lets every export give back each input value
unchanged, and what lets the data check say *which* cells of a numeric column are not numbers.

Detection, in order:

1. Known binary formats by their first bytes: ``.xlsx``, ``.xls`` and ``.ods`` (read with calamine); a gzip archive or a zip
   archive of one file is unpacked and its file read; a clear refusal for other zip files, images, PDFs,
   pickles, UTF-16 without a BOM and anything with NUL bytes.
2. The encoding: a UTF-8 or UTF-16 byte-order mark; else UTF-8 if the bytes decode as UTF-8; else
   cp1252 if every byte is defined there; else latin-1 (which decodes any byte).
3. The separator among ``,`` ``;`` tab and ``|``: the candidate that splits the first lines into the
   same number (>1) of fields most consistently, quotes respected. A first line ``sep=;`` (Excel's
   separator hint) names it instead, and is not part of the table.
4. The decimal mark: ``,`` when the separator is not a comma and numbers like ``3,5`` outnumber
   numbers like ``3.5`` in the sample (counting amounts as exports write them: ``1.234,56 €``,
   ``(12,50)``, ``1 234,5``).

Blank lines: an empty line is no row, wherever it is (so a final line end adds nothing, and an empty
value alone on its line must be quoted, ``""``, as csv writers do). Lines of spaces or tabs before the
header are skipped, and so are such lines in a file of several columns (they hold no value of any
column). In a **one-column** file a line of spaces or tabs after the header is a customer whose cell is
those spaces: such a cell is written back that way, and skipping it would shift every later row.

Rows that hold no customer: in a table of two columns or more, a row whose every cell is empty (a
spreadsheet saves its blank rows as ``,,,``) and a row that repeats the header line (several exports joined
into one file) are left out, and a warning says how many and where the first was.
"""

from __future__ import annotations

import codecs
import csv
import datetime as _dt
import io
import os
import math
import re
import zipfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import pandas as pd
import pyarrow as pa

from . import csv_reader_fast
from .errors import ReadError
from .export import CsvDialect
from .quality import CURRENCY_PATTERN, ColumnNumbers
from .text import clip, join_words

__all__ = ["TableRead", "read_table", "SEPARATOR_NAMES", "DEFAULT_MAX_ROWS", "DEFAULT_MAX_COLUMNS",
           "DEFAULT_MAX_CELLS", "file_stem", "table_to_parquet", "table_from_parquet", "recipe_of", "MAX_TITLE_LINES", "title_lines"]

#: The limits of a read when the caller gives none (the command line): Excel's own sheet size (the row
#: limit applies to workbooks only: a CSV file may have more rows), and a workbook of at most 5 million
#: cells (calamine reads about a million cells a second: larger tables are better sent as CSV).
DEFAULT_MAX_ROWS = 1_048_575
DEFAULT_MAX_COLUMNS = 16_384
DEFAULT_MAX_CELLS = 5_000_000

#: How separators are named to people.
SEPARATOR_NAMES: dict[str, str] = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}

_SAMPLE_BYTES = 256 * 1024
_CP1252_UNDEFINED = {0x81, 0x8D, 0x8F, 0x90, 0x9D}
#: A number with a decimal comma or point, alone or as exports write amounts (a sign, a currency before or
#: after, thousands in 3-digit groups, a %, brackets, a trailing minus: what core.quality reads).
_AROUND = (r"^\s*\(?\s*[-+\u2212]?\s*(?:(?:{mark})\s*)?\(?[-+\u2212]?\s*{body}\s*(?:(?:{mark})\s*)?%?\s*\)?-?\s*$")
_DECIMAL_COMMA = re.compile(_AROUND.format(mark=CURRENCY_PATTERN,
                                           body=r"(?:\d+|\d{1,3}(?:[. \u00a0\u202f\u2009]\d{3})+),\d+"), re.IGNORECASE)
_DECIMAL_POINT = re.compile(_AROUND.format(mark=CURRENCY_PATTERN,
                                           body=r"(?:\d+|\d{1,3}(?:[, '’\u00a0\u202f\u2009]\d{3})+"
                                                r"|\d{1,2}(?:,\d{2})+,\d{3})\.\d+"), re.IGNORECASE)
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
        ``"csv"``, ``"xlsx"``, ``"xls"`` or ``"ods"``.
    encoding : str | None
        The detected text encoding (``None`` for ``.xlsx``).
    separator : str | None
        The detected field separator (``None`` for ``.xlsx``).
    decimal : str
        The decimal mark numbers use in this file (``"."`` or ``","``).
    warnings : list[str]
        Things the reader changed or noticed, in words for the user (e.g. a renamed blank header).
    sheets : tuple[str, ...]
        A workbook's worksheets, in its order (empty for a CSV file).
    sheet : str | None
        The worksheet read (None for a CSV file).
    recipe : dict
        How a table built from another was made, JSON-ready: a customer table built from order lines keeps its
        build's choices (:meth:`core.rfm.OrderRecipe.to_json`); empty for a file as read (and for a table pickled
        before this existed).
    numbers : core.quality.ColumnNumbers
        The frame's columns parsed as numbers, each once, beside the text: give it to
        :func:`core.quality.check_quality` and :func:`core.prepare.prepare_features` and the sweep and the
        fit parse no column the check parsed. A table made with another frame (``dataclasses.replace``)
        gets its own.
    """

    frame: pd.DataFrame
    file_format: str
    encoding: str | None
    separator: str | None
    decimal: str
    warnings: list[str] = field(default_factory=list)
    sheets: tuple[str, ...] = ()
    sheet: str | None = None
    recipe: dict[str, Any] = field(default_factory=dict)
    numbers: ColumnNumbers = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "numbers", ColumnNumbers(self.frame, self.decimal))

    def __setstate__(self, state: dict[str, Any]) -> None:
        """Unpickling: a table pickled before a field existed (a server cache's entry from an earlier release, still
        in Redis after a deploy) gets that field's default, so that ``dataclasses.replace`` and every reader of the
        field work on it."""
        self.__dict__.update({"sheets": (), "sheet": None, "recipe": {}, **state})

    @property
    def dialect(self) -> CsvDialect:
        """How this file's outputs are written: in its own separator and decimal mark (commas for a workbook)."""
        return CsvDialect.of(self.separator, self.decimal)

    @property
    def workbook_kind(self) -> str | None:
        """What kind of workbook the table was read from, in words ("Excel workbook", "Excel 97-2003 workbook
        (.xls)", "OpenDocument spreadsheet (.ods)"); None for a CSV file."""
        return {"xlsx": "Excel workbook", "xls": "Excel 97-2003 workbook (.xls)",
                "ods": "OpenDocument spreadsheet (.ods)"}.get(self.file_format)

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
    max_cells: int | None = None,
    sheet: str | None = None,
    max_bytes: int | None = None,
) -> TableRead:
    """Read a CSV or ``.xlsx`` customer file, or either in a gzip or zip archive, into a frame of text cells.

    Parameters
    ----------
    source : bytes, path or binary file object
        The file's content, or where to find it.
    filename : str
        The name the user gave the file, only used in messages.
    max_rows, max_columns : int, optional
        Refuse files with more data rows or columns than this (a :class:`ReadError` saying so); by
        default any number of rows (workbooks: :data:`DEFAULT_MAX_ROWS`) and :data:`DEFAULT_MAX_COLUMNS`. A CSV file's header is
        counted before its rows are read, and a workbook's size is checked before and while it is
        streamed: a file that is too large is refused early, in little memory.
    max_cells : int, optional
        Refuse workbooks whose table would have more cells than this (default
        :data:`DEFAULT_MAX_CELLS`); a CSV file's size already bounds its cells.
    sheet : str, optional
        The worksheet of a workbook to read (default: the one with the most cells, said in a warning when
        the workbook has several: a report's summary sheet often comes first). Refused, naming the sheets,
        when the workbook has none of that name; ignored for a CSV file.
    max_bytes : int, optional
        Refuse an archive (``.gz``, ``.zip``) whose file unpacks to more bytes than this, as it is unpacked
        (default: no limit; the dashboard gives its upload limit).

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
    raw, unpacked = _unpacked(raw, label, max_bytes)
    limits = _Limits(rows=DEFAULT_MAX_ROWS if max_rows is None else max_rows,
                     columns=DEFAULT_MAX_COLUMNS if max_columns is None else max_columns,
                     cells=DEFAULT_MAX_CELLS if max_cells is None else max_cells)
    if not raw[:_SAMPLE_BYTES].strip(b" \t\r\n\x00") and not raw.strip(b" \t\r\n\x00"):
        raise ReadError(f"{label} is empty.")
    _refuse_non_tables(raw, label)
    if raw.startswith(b"PK\x03\x04"):
        result = _read_xlsx(raw, label, limits, sheet)
    elif raw.startswith(_OLE):
        result = _read_book(raw, label, limits, sheet, "xls")
    else:
        result = _read_csv(raw, label, limits)
    warnings = ([unpacked] if unpacked else []) + result.warnings
    frame = _finish_header(result.frame, label, warnings)
    _check_limits(frame, label, max_rows, limits.columns)
    return TableRead(frame, result.file_format, result.encoding, result.separator, result.decimal, warnings,
                     result.sheets, result.sheet)


#: File names inside a zip archive that are no one's table: macOS's resource forks and folder settings.
_ZIP_JUNK = re.compile(r"(^|/)(__MACOSX/|\.DS_Store$|Thumbs\.db$|desktop\.ini$)", re.IGNORECASE)
_GZIP = b"\x1f\x8b"
_ZIP = b"PK\x03\x04"


def file_stem(name: str) -> str:
    """A file's name without its extension, and without the archive's (``orders.csv.gz`` and ``orders.zip`` give
    ``orders``): what the names of the files made from it start with."""
    name = re.sub(r"(?i)\.(gz|zip)$", "", name)
    return name.rsplit(".", 1)[0] if "." in name else name


def _unpacked(raw: bytes, label: str, max_bytes: int | None) -> tuple[bytes, str | None]:
    """The file inside a gzip archive (``.csv.gz``, as data warehouses export) or a zip archive of one file
    (``.zip``; a workbook, itself a zip, is left as it is), and a note naming the file read from a zip; the
    bytes as they are, and None, for anything else.

    The unpacked file is held to ``max_bytes`` (when given) while it is unpacked, never after: a small
    archive can unpack to gigabytes. An archive inside an archive, a zip of several files and a
    password-protected zip are refused, saying which.
    """
    if raw.startswith(_GZIP):
        inner = _gunzip(raw, label, max_bytes)
        note = None
    elif raw.startswith(_ZIP):
        try:
            archive = zipfile.ZipFile(io.BytesIO(raw))
            names = archive.namelist()
        except zipfile.BadZipFile:
            raise ReadError(f"{label} looks like a zip archive or an Excel file but is damaged or incomplete.") from None
        if "xl/workbook.xml" in names or "[Content_Types].xml" in names or _is_ods(archive):
            return raw, None  # a workbook (an Office or OpenDocument file): read as one
        inner, name = _unzip_one(archive, label, max_bytes)
        note = f"Read '{name}' from the zip archive."
    else:
        return raw, None
    if inner.startswith(_GZIP) or (inner.startswith(_ZIP) and not _is_workbook(inner)):
        raise ReadError(f"{label} holds an archive inside an archive. Unpack it and upload the CSV or Excel file.")
    if not inner.strip(b" \t\r\n\x00"):
        raise ReadError(f"{label} unpacks to an empty file.")
    return inner, note


def _too_large(label: str, max_bytes: int) -> ReadError:
    return ReadError(f"{label} unpacks to more than {max_bytes / 1024 ** 2:,.1f} MB, the most this installation "
                     "accepts. Upload a smaller export.")


def _gunzip(raw: bytes, label: str, max_bytes: int | None) -> bytes:
    """A gzip file's content (every member of a multi-member file, as ``gzip`` writes when appending), unpacked
    a piece at a time so that no more than ``max_bytes`` (+1) is ever held."""
    import zlib

    pieces: list[bytes] = []
    held = 0
    rest = raw
    try:
        while rest:
            unpacker = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
            data = rest
            while data:
                room = 0 if max_bytes is None else max_bytes + 1 - held
                piece = unpacker.decompress(data, max(room, 1) if max_bytes is not None else 0)
                pieces.append(piece)
                held += len(piece)
                if max_bytes is not None and held > max_bytes:
                    raise _too_large(label, max_bytes)
                data = unpacker.unconsumed_tail
                if unpacker.eof:
                    break
            if not unpacker.eof:
                raise ReadError(f"{label} is an incomplete gzip archive: it ends before its content does.")
            rest = unpacker.unused_data.lstrip(b"\x00")  # (some writers pad the file with zeros)
            if rest and not rest.startswith(_GZIP):
                break  # trailing bytes that are no gzip member: ignored, as gzip itself does
    except zlib.error:
        raise ReadError(f"{label} is a damaged gzip archive and could not be unpacked.") from None
    return b"".join(pieces)


def _unzip_one(archive: zipfile.ZipFile, label: str, max_bytes: int | None) -> tuple[bytes, str]:
    """The one file of a zip archive (folders and system files aside) and its name, read a piece at a time within
    ``max_bytes``; a clear refusal when the archive holds no file or several, or is password-protected."""
    files = [info for info in archive.infolist() if not info.is_dir() and not _ZIP_JUNK.search(info.filename)]
    if not files:
        raise ReadError(f"{label} is a zip archive with no file in it.")
    if any(info.filename.endswith(".iwa") for info in files):  # (found from outside: "a zip archive of 14 files")
        raise ReadError(f"{label} is an Apple Numbers document, which cannot be read here. In Numbers, choose File > "
                        "Export To > CSV (or Excel) and upload that file.")
    if len(files) > 1:
        listed = ", ".join(f"'{info.filename}'" for info in files[:5]) + (", ..." if len(files) > 5 else "")
        raise ReadError(f"{label} is a zip archive of {len(files):,} files ({listed}). Upload one file: unzip it, "
                        "or zip only the customer file.")
    info = files[0]
    if info.flag_bits & 0x1:
        raise ReadError(f"{label} is a password-protected zip archive. Unzip it and upload the file inside.")
    if max_bytes is not None and info.file_size > max_bytes:
        raise _too_large(label, max_bytes)
    pieces: list[bytes] = []
    held = 0
    try:
        with archive.open(info) as member:
            while piece := member.read(1 << 20):
                pieces.append(piece)
                held += len(piece)
                if max_bytes is not None and held > max_bytes:  # (the size the archive states may be untrue)
                    raise _too_large(label, max_bytes)
    except (zipfile.BadZipFile, NotImplementedError, EOFError, OSError) as exc:
        raise ReadError(f"{label} is a zip archive whose file could not be unpacked "
                        f"({type(exc).__name__}).") from None
    return b"".join(pieces), info.filename.rsplit("/", 1)[-1]


def _is_workbook(raw: bytes) -> bool:
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
        return "xl/workbook.xml" in archive.namelist() or _is_ods(archive)
    except zipfile.BadZipFile:
        return False


#: What an OpenDocument spreadsheet's ``mimetype`` entry holds (LibreOffice's, OpenOffice's and Google Sheets'
#: .ods), a zip of XML like an .xlsx.
_ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"


def _is_ods(archive: zipfile.ZipFile) -> bool:
    """Whether a zip archive is an OpenDocument spreadsheet (its ``mimetype`` entry says so)."""
    try:
        return archive.read("mimetype").strip() == _ODS_MIMETYPE
    except KeyError:
        return False


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
    (b"\x80\x02", "a Python pickle"),
    (b"\x80\x03", "a Python pickle"),
    (b"\x80\x04", "a Python pickle"),
    (b"\x80\x05", "a Python pickle"),
    (b"SQLite format 3", "an SQLite database"),
]


def _refuse_non_tables(raw: bytes, label: str) -> None:
    for magic, what in _SIGNATURES:
        if raw.startswith(magic):
            raise ReadError(f"{label} is {what}, not a CSV or Excel file.")
    head = raw[:_SAMPLE_BYTES].lstrip(b"\xef\xbb\xbf \t\r\n")
    lowered = head[:64].lower()
    if lowered.startswith((b"<!doctype html", b"<html", b"<?xml", b"<table")):
        if re.search(r"(?i)\.xlsx?'?$", label) and b"<table" in head.lower():
            # (found from outside: older web reports export an HTML table under an Excel name, which Excel opens)
            raise ReadError(f"{label} is a web page (an HTML table) with an Excel file's name, as some reporting "
                            "tools export, not a workbook. Open it in Excel and save it as .xlsx or CSV, or export "
                            "the data as CSV, and upload that.")
        raise ReadError(f"{label} is a web page (HTML/XML), not a CSV file. Export the data as CSV.")
    if head[:1] in (b"{", b"["):
        stripped = raw.strip()
        if stripped[-1:] in (b"}", b"]"):
            raise ReadError(f"{label} looks like JSON, not CSV. Export the data as CSV or .xlsx.")


#: Lines above a table's header a report export may have (a title, an export date, filters, blank lines), at most.
MAX_TITLE_LINES = 10
#: Lines looked at to find them, the header and the table's width: the title lines, the header, two more.
_TITLE_SAMPLE_LINES = MAX_TITLE_LINES + 3
_NUMBER_NAME = re.compile(r"^\s*[-+]?\d[\d.,]*\s*$")
_LINE_END = re.compile(rb"\r\n|\n|\r")


def title_lines(records: list[list[str]]) -> int:
    """How many of a table's first records are title lines above its header (0 when the table starts at once).

    Title lines each fill at most half the table's width (its widest record among these) and at most one
    field in a table of two or three columns: a title, ``Exported on,2024-10-01``, a blank line. The record
    after them is the header: it fills more than half the width, with names (no field is a number), and
    records follow it. A line grouping the columns above their names (:func:`_groups_columns`) is skipped
    too. At most :data:`MAX_TITLE_LINES` are skipped; otherwise nothing is.
    """
    filled = [sum(1 for value in record if str(value).strip()) for record in records]
    width = max(filled, default=0)
    if width < 2:
        return 0
    half = max(1, width // 2)
    header = next((i for i, count in enumerate(filled) if count > half), None)
    if header is not None and header < MAX_TITLE_LINES and _groups_columns(records, header, width):
        header += 1  # a line grouping the columns above their names ("Customer,,Purchases,,")
    if header is None or header == 0 or header > MAX_TITLE_LINES or header + 1 >= len(records):
        return 0
    if any(_NUMBER_NAME.match(str(value)) for value in records[header] if str(value).strip()):
        return 0  # numbers where names belong (years as columns): no header to skip to
    return header


def _groups_columns(records: list[list[str]], at: int, width: int) -> bool:
    """Whether record ``at`` groups the columns above their names, as a report's two-line header does
    (``Customer,,Purchases,,Engagement`` above ``Customer ID,Region,Orders,Revenue,Visits``): it names at least
    two groups and leaves cells empty, none a number; the next record fills every column with different
    names, none a number; and the one after it holds numbers in at least half the columns (a customer).
    Found from outside: such a file was read with the group names as its header ('Column 2' for the rest)
    and its real header as a first row describing the columns."""
    if at + 2 >= len(records):
        return False
    groups = [str(v).strip() for v in records[at]]
    names = [str(v).strip() for v in records[at + 1]]
    first = [str(v).strip() for v in records[at + 2]]
    named = [g for g in groups if g]
    return (len(named) >= 2 and len(named) < len(names) and not any(_NUMBER_NAME.match(g) for g in named)
            and sum(1 for n in names if n) == width == len(set(names)) and not any(_NUMBER_NAME.match(n) for n in names)
            and 2 * sum(1 for v in first if _NUMBER_NAME.match(v)) >= width)


def _titles_said(records: list[list[str]], count: int, line: int) -> str:
    """The warning for ``count`` title lines skipped: what they held, and where the table starts (``line``,
    counted from 1 in the file)."""
    texts = [", ".join(str(v).strip() for v in record if str(v).strip()) for record in records[:count]]
    shown = "; ".join(repr(text if len(text) <= 60 else text[:59] + "…") for text in texts if text)
    lines = "The first line is" if count == 1 else f"The first {count} lines are"
    width = max((sum(1 for v in record if str(v).strip()) for record in records), default=0)
    what = ("a report's title and a line grouping the columns above their names" if count > 1 else
            "a line grouping the columns above their names") if _groups_columns(records, count - 1, width) \
        else "a report's title"
    return (f"{lines} above the table's header ({shown}): {what}, not customers. "
            f"{'It was' if count == 1 else 'They were'} skipped; the table starts at line {line}.")


def _after_title_lines(data: bytes, start: int, header_at: int, separator: str,
                       encoding: str) -> tuple[int, str | None]:
    """Where the header starts once title lines above it (:func:`title_lines`) are skipped, and the warning
    saying so (None when there are none; ``start``: where the file's text starts, after a byte-order mark).
    Only the first lines are read; a quote left open on one of them (a quoted line break) or a field longer
    than the csv module reads stops the look: title lines hold neither."""
    offsets: list[int] = []
    records: list[list[str]] = []
    position = header_at
    while position < len(data) and len(records) < _TITLE_SAMPLE_LINES:
        end = _LINE_END.search(data, position)
        stop = end.end() if end else len(data)
        text = data[position:end.start() if end else len(data)].decode(encoding, errors="replace")
        if text.count('"') % 2:
            break
        try:
            record = next(csv.reader([text], delimiter=separator), [])
        except csv.Error:  # (a field beyond the csv module's limit: no title line)
            break
        if not records and len(record) > 1 and all(field.strip() for field in record):
            return header_at, None  # the usual file: a header naming every column comes first
        offsets.append(position)
        records.append(record)
        position = stop
    count = title_lines(records)
    if not count:
        return header_at, None
    return offsets[count], _titles_said(records, count, _count_line_ends(data[start:offsets[count]]) + 1)


def _read_xlsx(raw: bytes, label: str, limits: "_Limits", sheet: str | None = None) -> TableRead:
    """A worksheet (``sheet``, or the one with the most cells), read with calamine (python-calamine: Rust,
    5-10x openpyxl's speed), within ``limits``.

    Found from outside: a CRM report's workbook opened on its summary sheet (a title and four figures) and
    the 500 customers on its second sheet were never read. Each sheet's cells are counted by the scan below;
    the sheet with the most is read unless one is named, and a warning names the sheets not read.

    A workbook is a zip of XML: a 1.5 KB file can declare a cell at ``XFD20000`` (a table of 327 million
    cells once padded) and a 2 MB one can hold 30 million cells. Before anything is parsed, the uncompressed
    size of its XML is checked, then the sheet's XML is scanned (:func:`_count_cells`): its rows, cells and
    the furthest row and column any cell names, so that the table calamine would build is known to fit the
    limits before it is built. The table read is checked again against them.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
        names = archive.namelist()
    except zipfile.BadZipFile:
        raise ReadError(f"{label} looks like an Excel file but is damaged or incomplete.") from None
    ods = _is_ods(archive)
    if "xl/workbook.bin" in names:  # (Excel's binary workbook: the message said "a Word or PowerPoint file?")
        raise ReadError(f"{label} is an Excel binary workbook (.xlsb), which is not read here. In Excel, save it as "
                        "an Excel Workbook (.xlsx) or CSV and upload that.")
    if "xl/workbook.xml" not in names and not ods:  # (an Office file of another kind: a zip of one file is unpacked
        raise ReadError(f"{label} is an Office file but not an Excel workbook (a Word or PowerPoint file?). Save "
                        "the customer table as .xlsx or CSV and upload that.")
    xml_bytes = sum(info.file_size for info in archive.infolist())
    if xml_bytes > limits.cells * _XLSX_BYTES_PER_CELL + _XLSX_FIXED_BYTES:
        raise ReadError(f"{label} unpacks to {xml_bytes / 1024 ** 2:,.0f} MB of spreadsheet data, more than a "
                        f"table of {limits.cells:,} cells (this installation's limit) needs. Save a smaller "
                        "sheet or export it as CSV.")
    if ods:
        return _read_book(raw, label, limits, sheet, "ods")
    from python_calamine import CalamineWorkbook, SheetTypeEnum

    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(raw))
        sheets = [sheet.name for sheet in book.sheets_metadata if sheet.typ == SheetTypeEnum.WorkSheet]
        _check_sheets(label, sheets, sheet)
        warnings = []
        paths = _sheet_paths(archive)
        if all(paths.get(n) in names for n in sheets):
            counted = {n: _count_cells(archive, paths[n], f"{label} (sheet '{n}')", limits) for n in sheets}
            chosen = sheet if sheet is not None else max(sheets, key=lambda n: counted[n])  # the first of equals
        else:  # the workbook's list of sheets could not be followed: check every sheet's XML, read the first
            for path in [n for n in names if n.startswith("xl/worksheets/") and n.endswith(".xml")]:
                _count_cells(archive, path, label, limits)
            chosen = sheet if sheet is not None else sheets[0]
        warnings.extend(_other_sheets(sheets, chosen, sheet))
        cells = book.get_sheet_by_name(chosen).to_python(skip_empty_area=False)
        if chosen in paths and paths[chosen] in names:
            _as_percent_text(cells, _percent_columns(archive, paths[chosen], _percent_styles(archive)))
    except ReadError:
        raise
    except Exception as exc:  # calamine raises its own types for damaged or encrypted workbooks
        raise ReadError(f"{label} could not be read as an Excel workbook ({type(exc).__name__}).") from None
    return _sheet_table(cells, label, limits, warnings, "xlsx", sheets, chosen)


def _check_sheets(label: str, sheets: list[str], asked: str | None) -> None:
    """Refuse a workbook without worksheets, or a sheet asked for that it does not have (naming its sheets)."""
    if not sheets:
        raise ReadError(f"{label} has no worksheets.")
    if asked is not None and asked not in sheets:
        raise ReadError(f"{label} has no sheet named '{asked}'; its sheets are " + ", ".join(f"'{n}'" for n in sheets)
                        + ".")


def _other_sheets(sheets: list[str], chosen: str, asked: str | None) -> list[str]:
    """The note naming a workbook's sheets not read (none for a workbook of one sheet)."""
    if len(sheets) < 2:
        return []
    rest = [f"'{n}'" for n in sheets if n != chosen]
    others = rest[0] if len(rest) == 1 else ", ".join(rest[:-1]) + " or " + rest[-1]
    how = "as asked" if asked is not None else "the one with the most cells"
    return [f"The workbook has {len(sheets)} sheets; '{chosen}' was read ({how}), not {others}."]


def _sheet_table(cells: list[list[object]], label: str, limits: "_Limits", warnings: list[str], file_format: str,
                 sheets: list[str], chosen: str) -> TableRead:
    """A worksheet's cells (calamine's) as a table of text, the title lines above its header left out and said."""
    rows = _xlsx_rows(cells, label, limits)
    titles = title_lines(rows[:_TITLE_SAMPLE_LINES])
    if titles:
        warnings.append(_titles_said(rows, titles, titles + 1))
        rows = rows[titles:]
    frame = pd.DataFrame(rows, dtype=object) if rows else pd.DataFrame()
    return TableRead(frame.astype(str), file_format, None, None, ".", warnings, tuple(sheets), chosen)


#: The first bytes of an OLE2 compound file: an old-style Office file (.xls, .doc, .ppt, .msg).
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _read_book(raw: bytes, label: str, limits: "_Limits", sheet: str | None, file_format: str) -> TableRead:
    """A worksheet of an old-style Excel workbook (``file_format`` ``"xls"``: what older ERP, banking and accounting
    systems still export) or of an OpenDocument spreadsheet (``"ods"``: LibreOffice's; its unpacked size checked
    before, as an ``.xlsx``'s), read with calamine as an ``.xlsx`` is: ``sheet``, or the one with the most cells,
    the others named. Each sheet's size, as calamine reads it, is checked against ``limits`` before its cells are
    built (a ``.xls`` holds at most 65,536 rows by 256 columns). Cells formatted as percentages come as the
    fractions stored (0.244, not 24.4%): the ``.xlsx`` reader's look at the formats has no counterpart here. Found
    from outside: an .xls was refused with "save it as .xlsx", an .ods said to be "a zip archive of 5 files"."""
    from python_calamine import CalamineWorkbook, SheetTypeEnum

    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(raw))
        sheets = [s.name for s in book.sheets_metadata if s.typ == SheetTypeEnum.WorkSheet]
    except Exception:  # (a Word or PowerPoint file, a password-protected or damaged workbook)
        what = ("an old-style Office file (.xls, .doc, .ppt) that could not be read as an Excel workbook: a Word or "
                "PowerPoint file" if file_format == "xls" else "an OpenDocument spreadsheet that could not be read: a")
        raise ReadError(f"{label} is {what}, or a damaged or password-protected workbook? Save the customer table as "
                        ".xlsx or CSV and upload that.") from None
    _check_sheets(label, sheets, sheet)
    try:
        sizes = {}
        for name in [sheet] if sheet is not None else sheets:  # (each sheet read once to measure it, then let go)
            read = book.get_sheet_by_name(name)
            sizes[name] = (read.height, read.width)
            del read
        chosen = sheet if sheet is not None else max(sheets, key=lambda n: sizes[n][0] * sizes[n][1])
        limits.check_sheet(*sizes[chosen], f"{label} (sheet '{chosen}')", declared=True)
        cells = book.get_sheet_by_name(chosen).to_python(skip_empty_area=False)
    except ReadError:
        raise
    except Exception as exc:  # calamine raises its own types for damaged workbooks
        raise ReadError(f"{label} could not be read as a workbook ({type(exc).__name__}).") from None
    return _sheet_table(cells, label, limits, _other_sheets(sheets, chosen, sheet), file_format, sheets, chosen)


_RELATIONSHIP_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


def _sheet_paths(archive: zipfile.ZipFile) -> dict[str, str]:
    """``{sheet name: its XML's path in the archive}`` from the workbook's list of sheets and its relationships;
    empty when they cannot be read (then every worksheet's XML is checked)."""
    from xml.etree import ElementTree

    try:
        workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        relations = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, ElementTree.ParseError):
        return {}
    targets = {rel.get("Id"): rel.get("Target", "") for rel in relations}
    paths = {}
    for sheet in workbook.iter():
        if sheet.tag.endswith("}sheet") and sheet.get("name") is not None:
            target = targets.get(sheet.get(_RELATIONSHIP_ID), "")
            paths[str(sheet.get("name"))] = target.lstrip("/") if target.startswith("/") else "xl/" + target
    return paths


#: Where a row's or a cell's tag names its position: first, as writers put it (found quickly), or after other
#: attributes (text cannot fake a tag: its ``<`` is escaped).
_ROW_AT = (rb'<row r="', rb'<row [^>]*?\br="')
_CELL_AT = (rb'<c r="', rb'<c [^>]*?\br="')


def _count_cells(archive: zipfile.ZipFile, path: str, label: str, limits: "_Limits") -> int:
    """The cells a sheet's XML holds; refuse a sheet whose XML holds more rows or cells than the limits, or whose
    table would (a cell named
    ``XFD20000``: 327 million cells once padded), by scanning its decompressed bytes a megabyte at a time
    (about 1 s for 30 million cells, where parsing them takes far longer).

    The table's height is the furthest row any ``<row r=...>`` names, plus the rows that name none (they
    follow the one before); its width the furthest column any ``<c r=...>`` names, plus, when some cells
    name no column, the most cells in one row (found in a second scan, only then). Each piece scanned ends
    at a tag's end, so no tag is cut between two pieces (a cut one could have been read as a nearer cell)."""
    cells = rows = furthest_row = furthest_column = named_rows = named_cells = 0
    for tags in _whole_tags(archive, path):
        cell_tags, row_tags = tags.count(b"<c "), tags.count(b"<row ")
        first = tags.count(_CELL_AT[0]) == cell_tags and tags.count(_ROW_AT[0]) == row_tags
        row_at, cell_at = (_ROW_AT[0], _CELL_AT[0]) if first else (_ROW_AT[1], _CELL_AT[1])
        row_numbers = re.findall(row_at + rb"([0-9]+)", tags)
        cells += cell_tags + tags.count(b"<c>")
        rows += row_tags + tags.count(b"<row>")
        named_rows += len(row_numbers)
        named_cells += cell_tags if first else len(re.findall(cell_at, tags))
        furthest_row = max(furthest_row, _largest_number(row_numbers))
        furthest_column = _furthest_column(tags, cell_at, furthest_column)
        if cells > limits.cells or rows - 1 > limits.rows:
            break
    if rows - 1 > limits.rows:
        raise ReadError(f"{label} has {rows - 1:,} rows or more; this installation accepts at most {limits.rows:,}.")
    if cells > limits.cells:
        raise ReadError(f"{label} has more than {limits.cells:,} cells, the most this installation accepts. "
                        "Save a smaller sheet or export it as CSV.")
    width = furthest_column + (_widest_row(archive, path) if named_cells < cells else 0)
    limits.check_sheet(furthest_row + rows - named_rows, max(width, 1), label, declared=False)
    return cells


def _whole_tags(archive: zipfile.ZipFile, path: str) -> Iterator[bytes]:
    """A sheet's XML in pieces of about a megabyte, each ending at the end of a tag (``>``)."""
    rest = b""
    for piece in _xml_pieces(archive, path):
        data = rest + piece
        cut = data.rfind(b">") + 1
        rest = data[cut:]
        if cut:
            yield data[:cut]
    if rest:
        yield rest


def _xml_pieces(archive: zipfile.ZipFile, path: str) -> Iterator[bytes]:
    """A file of the archive, decompressed a megabyte at a time."""
    with archive.open(path) as xml:
        while piece := xml.read(1 << 20):
            yield piece


def _widest_row(archive: zipfile.ZipFile, path: str) -> int:
    """The most cells in one row of a sheet's XML."""
    widest = 0
    rest = b""
    for chunk in _xml_pieces(archive, path):
        *whole, rest = (rest + chunk).split(b"</row>")
        if whole:
            widest = max(widest, max(row.count(b"<c ") + row.count(b"<c>") for row in whole))
    return max(widest, rest.count(b"<c ") + rest.count(b"<c>"))


def _largest_number(found: list[bytes]) -> int:
    """The largest of numbers written in digits (the longest, then the greatest among those)."""
    if not found:
        return 0
    longest = max(map(len, found))
    return int(max(f for f in found if len(f) == longest))


def _furthest_column(tags: bytes, cell_at: bytes, beyond: int) -> int:
    """The furthest column a cell of these tags names (``A`` = 1, ``XFD`` = 16,384), or ``beyond`` when none is
    further. Columns of three letters are looked for first, then two, then single letters past ``beyond`` only:
    a sheet of ten columns makes no match objects after its first piece."""
    for width in (3, 2):
        found = re.findall(cell_at + rb"([A-Z]{%d})[0-9]" % width, tags)
        if found:
            number = 0
            for letter in max(found):
                number = number * 26 + letter - 64
            return max(number, beyond)
    if beyond >= 26:
        return beyond
    found = re.findall(cell_at + rb"([%c-Z])[0-9]" % (65 + beyond), tags)
    return max(found)[0] - 64 if found else beyond


#: Excel's built-in number formats that are percentages ("0%", "0.00%").
_PERCENT_FORMATS = frozenset({9, 10})
#: Bytes at the start of a sheet's XML in which its cells' styles are looked at (the first rows: a header and a
#: few thousand cells), and the share of a column's numbers there that must be formatted as percentages.
_PERCENT_LOOK_BYTES, _PERCENT_SHARE = 1024 ** 2, 0.9
_CELL_TAG = re.compile(rb"<c\s([^>]*?)/?>")
_CELL_REF = re.compile(rb'\br="([A-Z]+)\d+"')
_CELL_STYLE = re.compile(rb'\bs="(\d+)"')
_CELL_TYPE = re.compile(rb'\bt="(\w+)"')


def _percent_styles(archive: zipfile.ZipFile) -> set[int]:
    """The workbook's cell styles (indices of ``cellXfs``) whose number format is a percentage: Excel's built-in
    0% and 0.00%, or a format of the workbook's own with a % in it. Empty when the styles cannot be read."""
    from xml.etree import ElementTree

    try:
        styles = ElementTree.fromstring(archive.read("xl/styles.xml"))
    except (KeyError, ElementTree.ParseError):
        return set()
    own = {int(f.get("numFmtId", "-1")): f.get("formatCode", "") for f in styles.iter() if f.tag.endswith("}numFmt")}
    percent = _PERCENT_FORMATS | {n for n, code in own.items() if "%" in code.replace('"%"', "").replace("\\%", "")}
    cell_xfs = next((e for e in styles if e.tag.endswith("}cellXfs")), None)
    if cell_xfs is None:
        return set()
    return {i for i, xf in enumerate(cell_xfs) if int(xf.get("numFmtId", "0") or 0) in percent}


def _percent_columns(archive: zipfile.ZipFile, path: str, styles: set[int]) -> set[int]:
    """The columns (0 = A) whose numbers, in the sheet's first cells, are formatted as percentages (at least
    :data:`_PERCENT_SHARE` of them): a person sees 24.4% where calamine gives 0.244."""
    if not styles:
        return set()
    with archive.open(path) as xml:
        head = xml.read(_PERCENT_LOOK_BYTES)
    numbers: dict[bytes, int] = {}
    percents: dict[bytes, int] = {}
    for tag in _CELL_TAG.finditer(head):
        attributes = tag.group(1)
        ref, kind = _CELL_REF.search(attributes), _CELL_TYPE.search(attributes)
        if ref is None or (kind is not None and kind.group(1) != b"n"):
            continue  # (text, a shared string, a formula's text, a boolean, an error)
        column = ref.group(1)
        numbers[column] = numbers.get(column, 0) + 1
        style = _CELL_STYLE.search(attributes)
        if style is not None and int(style.group(1)) in styles:
            percents[column] = percents.get(column, 0) + 1
    return {_column_index(c) for c, n in numbers.items() if percents.get(c, 0) >= _PERCENT_SHARE * n}


def _column_index(letters: bytes) -> int:
    """A column's letters as its index: A is 0, Z 25, AA 26."""
    index = 0
    for letter in letters:
        index = index * 26 + letter - 64
    return index - 1


def _as_percent_text(cells: list[list[object]], columns: set[int]) -> None:
    """The numbers of ``columns`` written as a person sees them, in place: 0.244 as "24.4%" (read back as 0.244
    by the data check, and its means shown as percentages). Found from outside: an e-mail tool's workbook of
    open rates formatted as percentages was profiled as "0.23"."""
    if not columns:
        return
    for row in cells:
        for j in columns:
            if j < len(row) and isinstance(row[j], float) and math.isfinite(row[j]):
                row[j] = _excel_cell_text(round(row[j] * 100, 10)) + "%"


def _xlsx_rows(cells: list[list[object]], label: str, limits: "_Limits") -> list[list[str]]:
    """The sheet's rows as cell texts (as pandas' Excel reader gives them: trailing empty cells and rows
    dropped, rows padded to the widest), refused when the table passes ``limits``."""
    rows: list[list[str]] = []
    last_with_data = -1
    width = 0
    for number, row in enumerate(cells):
        texts = [_excel_cell_text(value) for value in row]
        while texts and texts[-1] == "":
            texts.pop()
        if texts:
            last_with_data = number
            width = max(width, len(texts))
        rows.append(texts)
    rows = rows[:last_with_data + 1]
    limits.check_sheet(len(rows), width, label, declared=False)
    return [r + [""] * (width - len(r)) for r in rows]


#: Uncompressed bytes of workbook XML allowed per cell of the cell limit (a cell is ~20-40 bytes of XML,
#: styles and shared strings come on top): a workbook that unpacks to more is refused unparsed.
_XLSX_BYTES_PER_CELL = 64
#: ... plus what every workbook holds besides its cells (styles, theme, properties).
_XLSX_FIXED_BYTES = 16 * 1024 ** 2


@dataclass(frozen=True)
class _Limits:
    """The largest table a read may produce: data rows, columns and cells (rows x columns)."""

    rows: int
    columns: int
    cells: int

    def check_sheet(self, rows: int, columns: int, label: str, declared: bool) -> None:
        """Refuse a sheet of ``rows`` lines (header included) and ``columns`` columns beyond the limits."""
        where = "declares" if declared else "has"
        if rows - 1 > self.rows:
            raise ReadError(f"{label} {where} {rows - 1:,} rows or more; this installation accepts at most "
                            f"{self.rows:,}.")
        if columns > self.columns:
            raise ReadError(f"{label} {where} {columns:,} columns or more (its last column is "
                            f"{_column_letters(columns)}); this installation accepts at most {self.columns:,}.")
        if rows * columns > self.cells:
            raise ReadError(f"{label} {where} a table of {rows:,} rows by {columns:,} columns, more than the "
                            f"{self.cells:,} cells this installation accepts. Delete empty rows and columns far "
                            "from the data (a stray cell far down or right makes the table that large), or "
                            "save a smaller sheet.")


def _column_letters(number: int) -> str:
    """Excel's name of column ``number`` (1 = A, 16,384 = XFD)."""
    letters = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _excel_cell_text(value: object) -> str:
    """The text of an Excel cell as a person would type it (``81`` not ``81.0``; calamine gives every number as
    a float: whole ones up to 2^53 are exact, and written as the whole numbers they are)."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer() and abs(value) <= 2 ** 53:
        return str(int(value))
    if isinstance(value, (pd.Timestamp, _dt.datetime)):
        return value.isoformat(sep=" ") if (value.hour or value.minute or value.second) else value.date().isoformat()
    if isinstance(value, _dt.timedelta):  # a duration cell ([h]:mm:ss) as Excel shows it: 30:05:00, not "1 day, 6:05:00"
        sign = "-" if value < _dt.timedelta(0) else ""
        minutes, seconds = divmod(abs(value).total_seconds(), 60)
        hours, minutes = divmod(int(minutes), 60)
        second = f"{int(seconds):02d}" if seconds == int(seconds) else f"{seconds:06.3f}".rstrip("0")
        return f"{sign}{hours}:{minutes:02d}:{second}"
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
            # UTF-16 without its mark (a script's output, some databases'): a NUL beside each ASCII character tells
            # which order (found from outside: such a file was refused)
            try:
                text = raw.decode("utf-16-le" if raw[1:2] == b"\x00" else "utf-16-be")
            except UnicodeDecodeError:
                text = "\x00"
            if "\x00" not in text:
                return "utf-16", text.encode("utf-8")
            raise ReadError(f"{label} looks like UTF-16 text without a byte-order mark, but its text is damaged. "
                            "Save it as CSV in UTF-8 and upload it again.")
        raise ReadError(f"{label} contains binary data (NUL bytes), so it is not a text CSV file.")
    if raw.isascii():  # most customer files: valid UTF-8 without decoding (0.02 s per 350 MB, not 0.6 s)
        return "utf-8", raw
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


def _detect_separator(text_sample: str, whole: bool = False) -> str:
    """The separator of the lines in ``text_sample`` (``whole``: the sample is the whole file, its last line
    complete even without a final line break)."""
    # CSV lines end with CR, LF or CRLF only (str.splitlines would also split at form feeds, U+2028...)
    complete = text_sample.rstrip("\r\n")
    lines = _LINE_BREAK.split(complete)[:60] if complete else []
    if len(lines) > 1 and not whole and not text_sample.endswith(("\n", "\r")):
        lines = lines[:-1]  # the sample may cut the last line short
    lines = [line for line in lines if line.strip(" \t")]  # blank lines say nothing about the separator
    best, best_score = ",", -1.0
    quotes = sum(line.count('"') for line in lines)
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
        if quotes and _reads_strictly(lines, sep):
            # a tie is broken by the quotes: the separator that reads them as quoting leaves the fewest in its
            # fields ('cluster;"a,b"' split at the comma gives 'cluster;"a' and 'b"'; a quoted field's doubled
            # quote, "say ""hi""", leaves one of its own); one that reads a quote closing a field followed by
            # more text ('"say ""hi""";"a' at the comma) reads none of them rightly
            score += 0.5 * (1 - sum(field.count('"') for row in rows for field in row) / quotes)
        if score > best_score:
            best, best_score = sep, score
    return best


def _reads_strictly(lines: list[str], separator: str) -> bool:
    """Whether ``lines`` read at ``separator`` as well-formed CSV: no quoted field is followed by anything but a
    separator or the line's end (:mod:`csv`'s ``strict`` reading)."""
    try:
        for _ in csv.reader(io.StringIO("\n".join(lines)), delimiter=separator, strict=True):
            pass
    except csv.Error:
        return False
    return True


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


def _read_csv(raw: bytes, label: str, limits: _Limits, unwrapped: bool = False) -> TableRead:
    encoding, data = _detect_encoding(raw, label)
    hint = _SEPARATOR_HINT.match(data)
    if hint:  # Excel's "sep=;" line: the separator, then the table
        data = (hint.group(1) or b"") + data[hint.end():]
    sample_text = data[:_SAMPLE_BYTES].decode(encoding if encoding != "utf-16" else "utf-8", errors="replace")
    separator = hint.group(2).decode() if hint else _detect_separator(sample_text.lstrip("\ufeff"),
                                                                     whole=len(data) <= _SAMPLE_BYTES)
    pandas_encoding = "utf-8" if encoding == "utf-16" else encoding
    start = 3 if encoding == "utf-8-sig" and data.startswith(b"\xef\xbb\xbf") else 0
    header_at = _LEADING_BLANK_LINES[separator].match(data, start).end()
    header_at, titles = _after_title_lines(data, start, header_at, separator, pandas_encoding)
    header = _header_fields(data, header_at, separator, pandas_encoding)
    if header is not None:
        _check_header_width(header, label, limits.columns)
    one_column = header is not None and len(header) == 1
    frame = csv_reader_fast.read_csv(data, header_at, separator, pandas_encoding, header)
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
    inside = _wrapped_lines(frame) if frame.shape[1] == 1 and not unwrapped else None
    if inside is not None:  # every line one quoted cell: the table inside, read as a file of its own (once)
        table = _read_csv(inside, label, limits, unwrapped=True)
        return TableRead(table.frame, "csv", shown, table.separator, table.decimal, [_WRAPPED_SAID] + table.warnings)
    return TableRead(frame, "csv", shown, separator, _detect_decimal(frame.iloc[1:], separator),
                     [titles] if titles else [])


#: Said when every line of a file was one quoted cell (:func:`_wrapped_lines`).
_WRAPPED_SAID = ("Every line of the file was one quoted cell, as a spreadsheet saves a CSV it opened as one column: "
                 "the table inside the quotes was read.")


def _wrapped_lines(frame: pd.DataFrame) -> bytes | None:
    """The table inside a one-column read whose every line was one quoted cell (``"CustomerID,Age,Income"``: a CSV
    opened in a spreadsheet as one column, its separator not the spreadsheet's, and saved again), as UTF-8 bytes to
    read again: when its header holds a separator and nine lines in ten hold as many (found from outside: such a
    file was one column, nothing to segment). None otherwise (a column of addresses, "1 Main St, Leeds")."""
    lines = frame.iloc[:, 0].astype(str)
    header = lines.iloc[0]
    for separator in SEPARATOR_NAMES:
        count = header.count(separator)
        if count and float((lines.iloc[1:].head(2_000).str.count(re.escape(separator)) >= count).mean()) >= 0.9:
            return ("\n".join(lines.tolist()) + "\n").encode("utf-8")
    return None


def _header_fields(data: bytes, header_at: int, separator: str, encoding: str) -> list[str] | None:
    """The header line's fields (quotes respected), read from the file itself however long the line is,
    or None when the csv module refuses it (pandas then reports the problem)."""
    stream = io.BytesIO(data)  # shares the bytes: no copy
    stream.seek(header_at)
    text = io.TextIOWrapper(stream, encoding=encoding, errors="replace", newline="")
    if csv.field_size_limit() <= len(data):  # one value may be the whole file (raised, never lowered: threads)
        csv.field_size_limit(len(data) + 1)
    try:
        return next(csv.reader(text, delimiter=separator), None)
    except csv.Error:
        return None
    finally:
        text.detach()


#: Unnamed, empty header fields tolerated beyond the column limit (trailing separators are ignored).
_SPARE_HEADER_FIELDS = 1_000


def _check_header_width(header: list[str], label: str, max_columns: int) -> None:
    """Refuse a file whose header already names more columns than the limit, before its rows are read
    (a 10 MB file of a million columns would otherwise take gigabytes and minutes to refuse)."""
    named = sum(1 for name in header if name.strip())
    if named > max_columns or len(header) > max_columns + _SPARE_HEADER_FIELDS:
        raise ReadError(f"{label} has {max(named, len(header)):,} columns in its header line; this installation "
                        f"accepts at most {max_columns:,}.")


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
    as_written = [str(v) for v in frame.iloc[0].tolist()]
    header = [name.strip() for name in as_written]
    body = frame.iloc[1:].reset_index(drop=True)
    if body.shape[0] == 0:
        raise ReadError(f"{label} has a header row but no data rows.")
    # a survey tool's header lines under the header: joined to the names and left out
    for survey_header in (_survey_sub_header, _qualtrics_questions):
        names, lines = survey_header(header, body, warnings)
        if names is not None:
            header = as_written = names
            body = body.iloc[lines:].reset_index(drop=True)
            if body.shape[0] == 0:
                raise ReadError(f"{label} has a header row but no data rows.")
            break
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
    names = _unique_names([header[p] for p in keep], warnings)
    body = _without_rows_of_no_customer(body.iloc[:, keep], [as_written[p] for p in keep], warnings)
    if body.shape[0] == 0:
        raise ReadError(f"{label} has a header row but no data rows: every row below it is empty or repeats it.")
    body.columns = pd.Index(names, dtype=object)
    return body.astype(str)


#: What SurveyMonkey's second header line says of a column that holds a question's one answer.
_ONE_ANSWER = frozenset({"response", "open-ended response"})


def _survey_sub_header(header: list[str], body: pd.DataFrame, warnings: list[str]) -> tuple[list[str] | None, int]:
    """The column names of a SurveyMonkey export joined with its second header line, and the 1 line they take, or
    ``(None, 0)`` for another file.

    SurveyMonkey writes each question once above its columns and, on the line under it, what each column holds:
    "Response" for a question's one answer, or the option or row it answers ("Reports", "Price": a checkbox or a
    matrix question's columns, the question written above the first only). Such a column is called "<question> -
    <option>"; the line is left out and said. Known by the export's own columns (Respondent ID, Collector ID) and a
    "Response" on that line. Found from outside: the line stayed as a respondent, so every answer column held a
    text that was no answer ("Response"), and a checkbox question's columns were "Column 14", "Column 15"."""
    if not {"respondent id", "collector id"} <= {name.lower() for name in header}:
        return None, 0
    under = [str(cell).strip() for cell in body.iloc[0].tolist()]
    if not any(cell.lower() in _ONE_ANSWER for cell in under):
        return None, 0
    names, question = [], ""
    for name, option in zip(header, under):
        question = name or question
        names.append(name if not option or option.lower() in _ONE_ANSWER else f"{question} - {option}" if question
                     else option)
    examples = [name for name, option in zip(names, under) if option and option.lower() not in _ONE_ANSWER][:2]
    warnings.append("The line under the header is SurveyMonkey's second header line (what each column of a question "
                    "holds: 'Response', or an option)" + (": it was joined to the column names ("
                                                         + ", ".join(repr(clip(e, 70)) for e in examples) + ")"
                                                         if examples else "") + " and left out.")
    return names, 1


def _unique_names(names: list[str], warnings: list[str]) -> list[str]:
    """``names`` with each repeat of a name numbered, ``'Email'``, ``'Email (2)'`` (a number no other column's name
    has), and a warning per repeated name. Found from outside: a CRM export naming two columns ``Email`` (the
    contact's and the account's) was refused whole; every cell is kept, under a name the file can be told by."""
    counts = Counter(names)  # (one pass: list.count per name took minutes on 50,000 columns)
    if all(times == 1 for times in counts.values()):
        return names
    taken = set(names)
    seen: Counter[str] = Counter()
    renamed: dict[str, list[str]] = {}
    out = []
    for name in names:
        seen[name] += 1
        if seen[name] == 1:
            out.append(name)
            continue
        number = seen[name]
        while f"{name} ({number})" in taken:
            number += 1
        new = f"{name} ({number})"
        taken.add(new)
        renamed.setdefault(name, []).append(new)
        out.append(new)
    for name, news in renamed.items():
        listed = join_words([f"'{n}'" for n in news])
        warnings.append(f"{len(news) + 1} columns are called '{name}'; the later {'one is' if len(news) == 1 else 'ones are'} "
                        f"called {listed} here (their cells are kept as they are).")
    return out


def _without_rows_of_no_customer(body: pd.DataFrame, header: list[str], warnings: list[str]) -> pd.DataFrame:
    """``body`` without the rows that hold no customer, each kind said in ``warnings``: rows whose every cell is
    empty (a spreadsheet saves its blank rows as ``,,,``) and rows that repeat the ``header`` line as written
    (several exports joined into one file). A table of one column keeps them: there an empty cell is a
    customer's gap (see the module docstring), and a value may be the column's name."""
    if body.shape[1] < 2:
        return body
    empty = _rows_equal_to(body, [""] * body.shape[1])
    repeats = _rows_equal_to(body, header)
    for rows, said in ((empty, "{have} every cell empty ({where}); {they} {hold} no customer and {were} left out."),
                       (repeats, "{repeat} the header line ({where}), as when exports are joined into one file; "
                                 "{they} {were} left out.")):
        if rows.size:
            one = rows.size == 1
            where = f"{'' if one else 'the first is '}row {int(rows[0]) + 1:,} under the header"
            warnings.append(f"{rows.size:,} row{'' if one else 's'} " + said.format(
                have="has" if one else "have", where=where, they="it" if one else "they",
                hold="holds" if one else "hold", were="was" if one else "were",
                repeat="repeats" if one else "repeat"))
    dropped = np.union1d(empty, repeats)
    if not dropped.size:
        return body
    keep = np.ones(body.shape[0], dtype=bool)
    keep[dropped] = False
    return body[keep].reset_index(drop=True)


#: A Qualtrics export's import id, the second row under its header: ``{"ImportId":"QID1"}``,
#: ``{"ImportId":"startDate","timeZone":"America/Denver"}``.
_IMPORT_ID = re.compile(r'^\s*\{\s*"ImportId"\s*:\s*"[^"]*"')


def _qualtrics_questions(header: list[str], body: pd.DataFrame, warnings: list[str]) -> tuple[list[str] | None, int]:
    """The column names of a Qualtrics survey export, each question's text in place of its id ("How satisfied are you
    with our service?" for Q1; the id where the text is empty), and the 2 lines under the header they come from
    (the texts, then the import ids: every filled cell of the second is ``{"ImportId":...}``), said in ``warnings``;
    ``(None, 0)`` for another file. Found from outside: the two lines stayed in the table as respondents, so the
    answers, dates and numbers were read as text, and the segments were named after Q1 and Q5_1."""
    if body.shape[0] < 3:
        return None, 0
    second = body.iloc[1].astype(str).str.strip()
    filled = second[second != ""]
    if filled.size < 2 or not filled.str.match(_IMPORT_ID).all():
        return None, 0
    texts = [" ".join(str(text).split()) for text in body.iloc[0]]
    names = [text or name for name, text in zip(header, texts)]
    renamed = [(name, text) for name, text in zip(header, texts) if text and text != name]
    said = ", ".join(f"{name} is {clip(text, 60)!r}" for name, text in renamed[-2:])
    warnings.append("The 2 lines under the header are a Qualtrics export's question texts and import ids, not "
                    "respondents: the columns are named by their questions" + (f" ({said})" if said else "")
                    + ", and the lines were left out.")
    return names, 2


def _rows_equal_to(body: pd.DataFrame, values: list[str]) -> np.ndarray:
    """Positions of the rows of ``body`` whose cells are ``values``, one per column, exactly. The first column
    is compared in full, then each next one only on the rows still alike (usually none after the first)."""
    rows = np.flatnonzero((body.iloc[:, 0] == values[0]).to_numpy(dtype=bool, na_value=False))
    for position in range(1, body.shape[1]):
        if not rows.size:
            break
        cells = body.iloc[rows, position]
        rows = rows[(cells == values[position]).to_numpy(dtype=bool, na_value=False)]
    return rows


def _check_limits(frame: pd.DataFrame, label: str, max_rows: int | None, max_columns: int | None) -> None:
    rows, columns = frame.shape
    if max_rows is not None and rows > max_rows:
        raise ReadError(f"{label} has {rows:,} rows; this installation accepts at most {max_rows:,}.")
    if max_columns is not None and columns > max_columns:
        raise ReadError(f"{label} has {columns:,} columns; this installation accepts at most {max_columns:,}.")


#: Schema metadata key under which :func:`table_to_parquet` keeps how the file was read.
_PARQUET_META = b"customer-segments-table"


def table_to_parquet(table: TableRead) -> bytes:
    """A read table as compact Parquet bytes (zstd), with how it was read (format, encoding, separator,
    decimal mark, warnings) in the file's metadata. Only text cells and names: reading it back with
    :func:`table_from_parquet` runs nothing (unlike a pickle)."""
    import json

    import pyarrow.parquet as pq

    frame = table.frame
    # pandas' str columns are Arrow strings already: handed over without making a Python object per cell
    arrays = [pa.array(frame.iloc[:, j], type=pa.large_string()) for j in range(frame.shape[1])]
    meta = {"file_format": table.file_format, "encoding": table.encoding, "separator": table.separator,
            "decimal": table.decimal, "warnings": list(table.warnings), "columns": [str(c) for c in frame.columns],
            "sheets": list(table.sheets), "sheet": table.sheet, "recipe": recipe_of(table)}
    arrow = pa.Table.from_arrays(arrays, names=[f"c{j}" for j in range(frame.shape[1])])
    arrow = arrow.replace_schema_metadata({_PARQUET_META: json.dumps(meta).encode("utf-8")})
    sink = io.BytesIO()
    pq.write_table(arrow, sink, compression="zstd")
    return sink.getvalue()


def table_from_parquet(raw: bytes) -> TableRead:
    """The table :func:`table_to_parquet` wrote, every cell and name as it was.

    Raises
    ------
    ReadError
        The bytes are not such a table.
    """
    import json

    import pyarrow.parquet as pq

    try:
        arrow = pq.read_table(pa.BufferReader(raw))
        meta = json.loads((arrow.schema.metadata or {})[_PARQUET_META].decode("utf-8"))
        columns = [str(c) for c in meta["columns"]]
        frame = pd.DataFrame({j: arrow.column(j).to_pandas(types_mapper=None).astype(str)
                              for j in range(arrow.num_columns)})
    except (pa.ArrowException, KeyError, ValueError, TypeError) as exc:
        raise ReadError(f"The stored table could not be read ({exc}).") from None
    if len(columns) != frame.shape[1]:
        raise ReadError("The stored table is damaged: its column names do not match its columns.")
    frame.columns = pd.Index(columns, dtype=object)
    sheet = meta.get("sheet")
    return TableRead(frame, str(meta["file_format"]), meta["encoding"], meta["separator"], str(meta["decimal"]),
                     [str(w) for w in meta.get("warnings", [])], tuple(str(n) for n in meta.get("sheets", [])),
                     None if sheet is None else str(sheet), dict(meta.get("recipe") or {}))


def recipe_of(table: TableRead) -> dict[str, Any]:
    """A copy of the table's :attr:`TableRead.recipe` (to keep with a model or a stored table)."""
    return dict(table.recipe)
