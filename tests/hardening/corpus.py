"""A corpus of bad, odd and hostile input files, generated here (nothing is read from disk).

Each :class:`Case` is a file name, its bytes and what must happen to it:

* ``refuse``: reading must fail with a message containing this text (CLI ``inspect`` exits 2 with it on
  one ``error:`` line; the upload route answers 400 or 413 with it in ``{"error": ...}``).
* otherwise the file must be read: ``rows`` and ``columns`` (when given) are the table's shape,
  ``fit_refuse`` is the text of the message ``fit --k 3`` must stop with (``None``: the fit must work),
  and ``check`` is an optional extra assertion on the table as read (``core.TableRead``).

``upload_refuse`` overrides ``refuse`` for the dashboard, whose limits (500 columns, 1 MB in tests) are
lower than the command line's.
"""

from __future__ import annotations

import gzip
import io
import json
import pickle
import struct
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["Case", "build_cases", "PickleBomb", "FORMULA_CELLS", "WIDE_FORMULA_CELLS", "HOSTILE_BUNDLES", "HOSTILE_NAMES", "SCRIPT_CELLS"]


@dataclass(frozen=True)
class Case:
    name: str
    data: bytes
    filename: str = "customers.csv"
    refuse: str | None = None
    upload_refuse: str | None = None
    rows: int | None = None
    columns: int | None = None
    fit_refuse: str | None = None
    check: Callable[[Any], None] | None = None
    #: ``{"cli" | "dashboard": reason}``: a known bug in code outside this suite's reach (strict xfail).
    known_bugs: dict[str, str] | None = None

    @property
    def dashboard_refuse(self) -> str | None:
        return self.upload_refuse or self.refuse


class PickleBomb:
    """Unpickling this creates ``marker`` (it calls ``open(marker, "w")``): proof that a pickle was run."""

    def __init__(self, marker: Path):
        self.marker = str(marker)

    def __reduce__(self) -> tuple[Any, ...]:
        return (open, (self.marker, "w"))


#: Cells a spreadsheet would run as formulas, and the numbers that must stay as they are.
FORMULA_CELLS = ["=1+2", "+cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0", "@SUM(A1:A2)", "=HYPERLINK(\"http://x\")"]
#: Formulas behind the full-width ``＝`` (U+FF1D) and small ``﹦`` (U+FE66), which spreadsheets may run.
WIDE_FORMULA_CELLS = ["\uff1d1+2", "\ufe66HYPERLINK(\"http://x\")", "\uff1dcmd|' /C calc'!A0"]
#: Column names that would be markup if a page ever rendered them as HTML.
HOSTILE_NAMES = ["<script>alert(1)</script>", "<b>Bold</b>", "<img src=x onerror=alert(2)>"]
#: Cells that would run script if a page ever rendered them as HTML (``{i}``: the row). Each calls alert or
#: sets ``window.__pwned``, what the browser test (tests/browser/test_corpus.py) watches for; no comma,
#: semicolon or quote, so they need no quoting in any separator.
SCRIPT_CELLS = ["<script>alert({i})</script>", "<script>window.__pwned={i}</script>",
                "<img src=x onerror=window.__pwned={i}>", "<svg onload=window.__pwned={i}>",
                "<details open ontoggle=window.__pwned={i}>"]




def _rows(header: list[str], rows: list[list[Any]], sep: str = ",", newline: str = "\n") -> str:
    return newline.join([sep.join(header)] + [sep.join(str(v) for v in r) for r in rows]) + newline


def _numeric(n: int, sep: str = ",", newline: str = "\n") -> str:
    """A small healthy table: id, Age, Income, Score; n rows with well-spread values."""
    rows = [[i + 1, 20 + (i * 7) % 50, 15 + (i * 13) % 120, (i * 31) % 100] for i in range(n)]
    return _rows(["id", "Age", "Income", "Score"], rows, sep, newline)


def _png() -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00\x00"))
            + chunk(b"IEND", b""))


def _zip(files: int = 1) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for number in range(files):
            archive.writestr(f"customers{number or ''}.csv", _numeric(10))
    return buffer.getvalue()


def _xlsx() -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["Age", "Income", "Name"])
    for i in range(12):
        sheet.append([20 + i * 3, 10.5 + (i * 17) % 90, f"Customer {i}"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _xlsx_with(sheet_xml: bytes | None = None, far_cell: str | None = None, dimension: bool = True) -> bytes:
    """A workbook built by openpyxl, its first sheet's XML replaced by ``sheet_xml`` (a ``<sheetData>``
    body) or holding one cell at ``far_cell``; ``dimension=False`` drops the sheet's declared size."""
    import re as _re

    from openpyxl import Workbook

    book = Workbook()
    if far_cell:
        book.active["A1"] = "Age"
        book.active[far_cell] = 1
    else:
        book.active["A1"] = 1
    buffer = io.BytesIO()
    book.save(buffer)
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                if sheet_xml is not None:
                    data = (b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                            b'<dimension ref="A1:B2"/><sheetData>' + sheet_xml + b"</sheetData></worksheet>")
                if not dimension:
                    data = _re.sub(rb"<dimension[^>]*/>", b"", data)
            archive.writestr(info, data)
    return out.getvalue()


def _cell_bomb(rows: int, columns: int) -> bytes:
    """A workbook of ``rows`` x ``columns`` cells (all 1) that declares itself A1:B2: ~80 KB per million."""
    row = b"<row>" + b"<c><v>1</v></c>" * columns + b"</row>"
    return _xlsx_with(row * rows)


def _script_cell(row: int) -> str:
    return SCRIPT_CELLS[row % len(SCRIPT_CELLS)].format(i=row)


def _cells(table: Any, column: str) -> list[str]:
    return table.frame[column].tolist()


def _expect(column: str, values: list[str]) -> Callable[[Any], None]:
    def check(table: Any) -> None:
        assert _cells(table, column) == values, (column, _cells(table, column)[:5])

    return check


def _expect_length(column: str, row: int, length: int) -> Callable[[Any], None]:
    def check(table: Any) -> None:
        assert len(table.frame[column].iloc[row]) == length

    return check


def _all(*checks: Callable[[Any], None]) -> Callable[[Any], None]:
    def check(table: Any) -> None:
        for c in checks:
            c(table)

    return check


def _columns_are(names: list[str]) -> Callable[[Any], None]:
    def check(table: Any) -> None:
        assert [str(c) for c in table.frame.columns] == names, list(table.frame.columns)[:10]

    return check


def _attribute(name: str, value: Any) -> Callable[[Any], None]:
    def check(table: Any) -> None:
        assert getattr(table, name) == value, (name, getattr(table, name))

    return check


def build_cases(pickle_marker: Path) -> list[Case]:
    """Every case; the pickle cases create ``pickle_marker`` if anything ever unpickles them."""
    ten = _numeric(10)
    cases = [
        # -- nothing to read --------------------------------------------------------------------------
        Case("empty", b"", refuse="is empty"),
        Case("whitespace only", b"   \n\t \r\n  \n", refuse="is empty"),
        Case("bom only", b"\xef\xbb\xbf", refuse="is empty"),
        Case("bom and newlines", b"\xef\xbb\xbf\r\n\r\n", refuse="is empty"),
        Case("header only", b"Age,Income,Score\n", refuse="no data rows"),
        Case("header only without newline", b"Age;Income;Score", refuse="no data rows"),
        Case("blank header names and no values", b",,\n,,\n", refuse="no named columns"),
        # -- too few rows or no usable columns --------------------------------------------------------
        Case("one row", b"Age,Income\n30,40\n", rows=1, columns=2, fit_refuse="single customer"),
        Case("fewer rows than k", b"Age,Income\n30,40\n50,60\n", rows=2, fit_refuse="at least 3"),
        Case("two distinct customers", b"Age,Income\n30,40\n30,40\n50,60\n50,60\n", rows=4,
             fit_refuse="at least 3 different customers"),
        Case("identical rows", b"Age,Income\n30,40\n30,40\n30,40\n", rows=3, fit_refuse="same value in every row"),
        Case("single column", b"Spend\n" + b"".join(f"{v}\n".encode() for v in [5, 80, 12, 44, 91, 3, 67]),
             rows=7, columns=1, check=_expect("Spend", ["5", "80", "12", "44", "91", "3", "67"])),
        Case("all text", _rows(["Name", "City"], [[f"n{i}", f"c{i % 3}"] for i in range(8)]).encode(),
             rows=8, columns=2, fit_refuse="every column holds text"),
        Case("only an id column", _rows(["CustomerID"], [[i] for i in range(1, 11)]).encode(), rows=10,
             columns=1, fit_refuse="look like identifiers"),
        Case("all-missing column",
             _rows(["Age", "Notes", "Income"], [[20 + i * 5, "", 10 + (i * 7) % 40] for i in range(9)]).encode(),
             rows=9, columns=3, check=_expect("Notes", [""] * 9)),
        Case("inf and -inf column",
             _rows(["Age", "Ratio"], [[20 + i * 3, ["inf", "-inf", "Infinity", "-Infinity"][i % 4]]
                                      for i in range(8)]).encode(),
             rows=8, check=_expect("Ratio", ["inf", "-inf", "Infinity", "-Infinity"] * 2)),
        Case("only inf values", _rows(["A", "B"], [["inf", "-inf"]] * 5).encode(), rows=5,
             fit_refuse="every column holds text"),
        Case("beyond float64", _rows(["Age", "Huge"], [[20 + i, f"{i + 1}e400"] for i in range(6)]).encode(),
             rows=6, check=_expect("Huge", [f"{i + 1}e400" for i in range(6)])),
        Case("mixed types in a column",
             _rows(["Age", "Income"], [[20 + i, ["12", "abc", "3.5", "", "N/A", "x7"][i % 6]]
                                       for i in range(12)]).encode(), rows=12),
        Case("a few non-numbers in a numeric column",
             _rows(["Age", "Income"], [[20 + i, "unknown" if i == 4 else 10 + i * 3] for i in range(20)]).encode(),
             rows=20),
        # -- header problems --------------------------------------------------------------------------
        Case("duplicated column names", b"Age,Income,Age\n1,2,3\n4,5,6\n7,8,9\n", rows=3, columns=3),
        Case("duplicated after stripping", b"Income, Score,Score \n1,2,3\n4,5,6\n7,8,9\n", rows=3, columns=3),
        Case("blank column names", _rows(["Age", "", "Income", " "], [[20 + i, i * 2, 30 + i * 9, ""]
                                                                      for i in range(6)]).encode(),
             rows=6, columns=3, check=_columns_are(["Age", "Column 2", "Income"])),
        Case("5,000 columns", (",".join(f"c{j}" for j in range(5000)) + "\n"
                               + "".join(",".join(str((i * 7 + j) % 97) for j in range(5000)) + "\n"
                                         for i in range(4))).encode(),
             rows=4, columns=5000, upload_refuse="at most 500"),
        Case("html and script column names",
             _rows(HOSTILE_NAMES + ["Note"], [[i * 3, i * 5 % 11, 40 - i * i, f"<i>{i}</i>"] for i in range(8)])
             .encode(), rows=8, columns=4, check=_columns_are(HOSTILE_NAMES + ["Note"])),
        Case("a column called cluster", _rows(["cluster", "Age", "Income"],
                                              [[i % 2, 20 + i * 4, 10 + i * 9 % 50] for i in range(9)]).encode(),
             rows=9),
        # -- size and shape ---------------------------------------------------------------------------
        Case("larger than the upload limit",
             _rows(["Age", "Income", "Comment"], [[20 + i, 30 + i * 7 % 50, "y" * 60_000] for i in range(20)]).encode(),
             rows=20, upload_refuse="1 MB limit"),
        Case("200,000-character line",
             (_rows(["Age", "Income", "Comment"], [[20 + i, 30 + i * 7, "short"] for i in range(6)])
              + "44,90," + "x" * 200_000 + "\n").encode(),
             rows=7, check=_expect_length("Comment", -1, 200_000)),
        Case("quoted newlines",
             b'Name,Age,Income\n"Smith,\nJohn",30,40\n"Line\r\nbreak",35,45\n"plain",50,60\n"x",61,20\n',
             rows=4, check=_expect("Name", ["Smith,\nJohn", "Line\r\nbreak", "plain", "x"])),
        Case("truncated final line", (ten + "11,33,44").encode(), rows=11,
             check=_expect("Score", [r.split(",")[3] for r in ten.splitlines()[1:]] + [""])),
        Case("unclosed quote at the end", (ten + '11,33,"4').encode(), refuse="never closed"),
        Case("row with too many fields", b"a,b,c\n1,2,3\n4,5,6,7,8\n9,1,2\n", refuse="line 3 has 5 values"),
        Case("trailing separators", b"Age,Income,\n" + b"".join(f"{20 + i},{i * 9 % 40},\n".encode() for i in range(8)),
             rows=8, columns=2, check=_columns_are(["Age", "Income"])),
        Case("CRLF line endings", _numeric(10, newline="\r\n").encode(), rows=10, columns=4,
             check=_expect("Score", [r.split(",")[3] for r in ten.splitlines()[1:]])),
        Case("classic Mac CR line endings", _numeric(10, newline="\r").encode(), rows=10, columns=4),
        Case("duplicated rows", (ten + "\n".join(ten.splitlines()[1:4]) + "\n").encode(), rows=13),
        Case("negative numbers", _rows(["Balance", "Change"], [[-5 * i - 1, 3 - i] for i in range(10)]).encode(),
             rows=10, check=_expect("Balance", [str(-5 * i - 1) for i in range(10)])),
        Case("thousands separators in quotes",
             _rows(["Age", "Income"], [[20 + i, f'"{1 + i},{(i * 137) % 1000:03d}"'] for i in range(10)]).encode(),
             rows=10, check=_expect("Income", [f"{1 + i},{(i * 137) % 1000:03d}" for i in range(10)])),
        Case("description row under the header",
             ("Age,Income,Score\nAge in years,Annual income (k$),Spending score 1-100\n"
              + "".join(",".join(r.split(",")[1:]) + "\n" for r in ten.splitlines()[1:])).encode(),
             rows=11, check=_expect("Age", ["Age in years"] + [r.split(",")[1] for r in ten.splitlines()[1:]])),
        Case("title line above the header", ("Customer report 2024\n\n" + _numeric(8)).encode(),
             rows=8, check=_columns_are(["id", "Age", "Income", "Score"])),
        Case("Excel sep= hint line", b"sep=;\nAge;Income\n" + b"".join(f"{20 + i};{i * 9 % 40}\n".encode()
                                                                      for i in range(8)),
             rows=8, check=_columns_are(["Age", "Income"])),
        Case("Excel sep= hint line with BOM and CRLF", b"\xef\xbb\xbfsep=,\r\n" + _numeric(8, newline="\r\n").encode(),
             rows=8, check=_columns_are(["id", "Age", "Income", "Score"])),
        Case("currency and percent", _rows(["Spend", "Share", "Age"], [[f'"${1 + i},{i * 37 % 1000:03d}.50"',
                                                                       f"{i * 3}%", 20 + i] for i in range(10)])
             .encode(), rows=10, check=_expect("Spend", [f"${1 + i},{i * 37 % 1000:03d}.50" for i in range(10)])),
        Case("emoji and right-to-left names", "Âge 🎂,دخل,収入\n".encode() + b"".join(
            f"{20 + i},{i * 7 % 30},{50 - i}\n".encode() for i in range(8)), rows=8,
             check=_columns_are(["Âge 🎂", "دخل", "収入"])),
        Case("10,000-character column name",
             ("N" * 10_000 + ",Age\n" + "".join(f"{i},{20 + i * 2}\n" for i in range(8))).encode(), rows=8, columns=2),
        # -- encodings and separators -----------------------------------------------------------------
        Case("NUL bytes", b"Age,Income\n30,4\x000\n50,60\n", refuse="NUL bytes"),
        Case("UTF-16 with BOM",
             ("\ufeffÂge,Revenu €,Nom\n" + "".join(f"{20 + i},{10 + i * 7},Zoë {i}\n" for i in range(8)))
             .encode("utf-16-le"), rows=8,
             check=_all(_columns_are(["Âge", "Revenu €", "Nom"]), _expect("Nom", [f"Zoë {i}" for i in range(8)]))),
        Case("UTF-16 without BOM", ("Âge,Income\n" + "".join(f"{20 + i},{10 + i}\n" for i in range(4))).encode("utf-16-le"),
             rows=4, check=_all(_attribute("encoding", "UTF-16"), _columns_are(["Âge", "Income"]))),
        Case("UTF-16 without BOM, damaged", ("Age,Income\n" + "1,2\n" * 4).encode("utf-16-le") + b"\x00\xd8",
             refuse="without a byte-order mark, but its text is damaged"),
        Case("latin-1",
             ("Prénom,Âge,Ville\n" + "".join(f"Zoë{i},{20 + i},Köln\n" for i in range(8))).encode("latin-1"),
             rows=8,
             check=_all(_columns_are(["Prénom", "Âge", "Ville"]), _expect("Ville", ["Köln"] * 8))),
        Case("latin-1 with a byte cp1252 lacks", ("Name,Age\n" + "".join(f"A\x81{i},{20 + i}\n" for i in range(6)))
             .encode("latin-1"), rows=6, check=_all(_attribute("encoding", "latin-1"),
                                                   _expect("Name", [f"A\x81{i}" for i in range(6)]))),
        Case("cp1252",
             ("Name;Spend €;Note\n" + "".join(f"“Zoë” {i};{10 + i * 3};it’s – ok\n" for i in range(8)))
             .encode("cp1252"), rows=8,
             check=_all(_attribute("encoding", "cp1252"), _columns_are(["Name", "Spend €", "Note"]),
                        _expect("Name", [f"“Zoë” {i}" for i in range(8)]))),
        Case("semicolons with decimal commas",
             _rows(["Age", "Income", "Score"], [[20 + i, f"{10 + i * 3},{i % 10}", f"{i * 7 % 50},5"]
                                                for i in range(10)], sep=";").encode(),
             rows=10, check=_all(_attribute("separator", ";"), _attribute("decimal", ","))),
        Case("tab separated with commas inside", _rows(["Name", "Age", "Income"],
                                                       [[f"Doe, J{i}", 20 + i, 30 + i * 4] for i in range(8)],
                                                       sep="\t").encode(),
             rows=8, check=_expect("Name", [f"Doe, J{i}" for i in range(8)])),
        Case("pipe separated", _numeric(8, sep="|").encode(), rows=8, columns=4),
        # -- not tables ------------------------------------------------------------------------------
        Case("xlsx renamed csv", _xlsx(), rows=12, columns=3, check=_attribute("file_format", "xlsx")),
        Case("damaged xlsx", _xlsx()[:300], refuse="damaged"),
        # -- small files that would take a server down (issue 13, items 3 and 4) ------------------------
        Case("xlsx with one cell at XFD20000", _xlsx_with(far_cell="XFD20000"), refuse="this installation accepts"),
        Case("xlsx with one cell at XFD20000, no declared size", _xlsx_with(far_cell="XFD20000", dimension=False),
             refuse="this installation accepts"),
        Case("xlsx of 6 million cells declaring A1:B2", _cell_bomb(60_000, 100), refuse="cells"),
        Case("50,000 columns", (",".join(f"c{j}" for j in range(50_000)) + "\n" + ",".join(["1"] * 50_000) + "\n")
             .encode(), refuse="columns in its header line"),
        Case("zip of one csv", _zip(), rows=10, columns=4),
        Case("zip of two csv files", _zip(2), refuse="zip archive of 2 files"),
        Case("PNG renamed csv", _png(), refuse="PNG image"),
        Case("JPEG renamed csv", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)), refuse="JPEG image"),
        Case("PDF renamed csv", b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n", refuse="PDF document"),
        Case("gzipped csv", gzip.compress(ten.encode()), rows=10, columns=4),
        Case("gzip inside gzip", gzip.compress(gzip.compress(ten.encode())), refuse="archive inside an archive"),
        Case("pickle renamed csv", pickle.dumps(PickleBomb(pickle_marker), protocol=4), refuse="Python pickle"),
        Case("pickle protocol 2 renamed csv", pickle.dumps(PickleBomb(pickle_marker), protocol=2),
             refuse="Python pickle"),
        Case("pickle protocol 0 renamed csv", pickle.dumps(PickleBomb(pickle_marker), protocol=0),
             rows=9, columns=1, fit_refuse="every column holds text"),  # text: read as a (useless) table, never run
        Case("JSON", b'[{"Age": 30, "Income": 40}, {"Age": 50, "Income": 60}]\n', refuse="looks like JSON"),
        Case("JSON object", b'{"customers": [{"Age": 30}]}', refuse="looks like JSON"),
        Case("HTML", b"<!DOCTYPE html>\n<html><body><table><tr><td>Age</td></tr></table></body></html>\n",
             refuse="web page"),
        Case("random binary", bytes((i * 73 + 41) % 256 for i in range(4096)), refuse="NUL bytes"),
        # -- hostile cells ---------------------------------------------------------------------------
        Case("formula cells",
             _rows(["Name", "Age", "Income", "Delta"],
                   [['"' + FORMULA_CELLS[i % len(FORMULA_CELLS)].replace('"', '""') + '"', 20 + i * 3,
                     30 + i * 7 % 60, -5 if i % 2 else "+3.5"] for i in range(10)]).encode(),
             rows=10, check=_expect("Name", [FORMULA_CELLS[i % len(FORMULA_CELLS)] for i in range(10)])),
        Case("full-width and small equals signs",
             _rows(["Name", "Balance", "Change"], [[WIDE_FORMULA_CELLS[i % 3], -320 + i * 25, (-1) ** i * (i + 0.5)]
                                                   for i in range(12)]).encode(),
             rows=12, columns=3, check=_expect("Name", [WIDE_FORMULA_CELLS[i % 3] for i in range(12)])),
        Case("script in cells", _rows(["Name", "Age", "Income"], [[_script_cell(i), 20 + i * 3, 30 + i * 5]
                                                                  for i in range(8)]).encode(),
             rows=8, columns=3, check=_expect("Name", [_script_cell(i) for i in range(8)])),
    ]
    names = [c.name for c in cases]
    assert len(names) == len(set(names)), "case names must be unique"
    return cases


# -- hostile model bundles --------------------------------------------------------------------------------


def _many_segments(b: dict[str, Any]) -> str:
    b["info"]["k"] = 120_000
    b["centers"] = [[0.0, 0.0]] * 120_000
    return json.dumps(b)


def _set_scale(value: float) -> Callable[[dict[str, Any]], str]:
    def make(b: dict[str, Any]) -> str:
        b["scaler"]["scale"][0] = value
        return json.dumps(b)

    return make


def _set_centre(value: float) -> Callable[[dict[str, Any]], str]:
    def make(b: dict[str, Any]) -> str:
        b["centers"][0][0] = value
        return json.dumps(b)  # Infinity and NaN as Python's json writes them

    return make


def _many_features(b: dict[str, Any]) -> str:
    names = [f"f{i}" for i in range(600)]
    b["info"]["features"] = names
    for key in ("means", "stds", "mins", "maxs"):
        b["info"][key] = dict.fromkeys(names, 1.0)
    b["scaler"] = {"mean": [0.0] * 600, "scale": [1.0] * 600, "var": [1.0] * 600, "n_samples_seen": 5}
    b["centers"] = [[0.0] * 600] * 3
    return json.dumps(b)


#: Model bundles that must be refused (issue 13, items 5 and 13): name -> (a function making the bundle's JSON
#: from a good bundle's parsed JSON, the text of the message that refuses it).
HOSTILE_BUNDLES: dict[str, tuple[Callable[[dict[str, Any]], str], str]] = {
    "k = 120,000": (_many_segments, "120,000 segments; a model may have 1 to 100"),
    "600 features": (_many_features, "600 features; a model may have 1 to 500"),
    "scale 1e-308": (_set_scale(1e-308), "out of any sensible range"),
    "scale 1e300": (_set_scale(1e300), "out of any sensible range"),
    "infinite scale": (_set_scale(float("inf")), "inconsistent"),
    "NaN centre": (_set_centre(float("nan")), "inconsistent"),
    "deeply nested": (lambda b: json.dumps(b)[:-1] + ', "x": ' + "[" * 100_000 + "]" * 100_000 + "}",
                      "nested too deeply"),
    "5,000-digit number": (lambda b: json.dumps(b).replace('"rows": ', '"rows": ' + "9" * 5_000, 1),
                           "not JSON saved by Customer Segments"),
    "info not an object": (lambda b: json.dumps({**b, "info": [1, 2]}), "incomplete or damaged"),
}
