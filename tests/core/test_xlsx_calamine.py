"""Workbooks read with calamine (python-calamine), found from outside: a 100,000-row export saved as .xlsx took
9-10 s to read with openpyxl (a 500,000-row one near a minute, in a worker with a 120 s limit). The cells read
the same as before (compared here with openpyxl's values under the old rules), and a workbook whose table would
be too large is refused before calamine builds it (it builds the whole table at once, where openpyxl streamed).
"""

from __future__ import annotations

import datetime as dt
import io
import sys
import types

import pytest
import numpy as np
from openpyxl import Workbook, load_workbook

from core import ReadError, read_table
from core.quality import parse_numeric
from tests.hardening.corpus import _xlsx_with


@pytest.fixture
def unbuilt(monkeypatch: pytest.MonkeyPatch) -> None:
    """calamine asked for the sheet fails the test at once: it allocates the whole table when it loads a sheet
    (10 GB for a cell at XFD20000, and a failed allocation aborts the process), so a workbook the scan must
    refuse would run the machine out of memory instead of failing."""
    import python_calamine

    class Book:
        def __init__(self, real: object) -> None:
            self.real = real
            self.sheets_metadata = real.sheets_metadata

        @classmethod
        def from_filelike(cls, stream: object) -> "Book":
            return cls(python_calamine.CalamineWorkbook.from_filelike(stream))

        def get_sheet_by_name(self, name: str) -> object:
            raise AssertionError("calamine was asked to load a sheet the scan should have refused")

    shim = types.ModuleType("python_calamine")
    shim.CalamineWorkbook, shim.SheetTypeEnum = Book, python_calamine.SheetTypeEnum
    monkeypatch.setitem(sys.modules, "python_calamine", shim)


def _reference(raw: bytes) -> list[list[str]]:
    """The texts the openpyxl reader gave: errors empty, whole numbers without '.0', dates ISO."""
    rows = []
    for row in load_workbook(io.BytesIO(raw), read_only=True, data_only=True).worksheets[0].rows:
        texts = []
        for cell in row:
            value = None if cell.data_type == "e" else cell.value
            if value is None:
                texts.append("")
            elif isinstance(value, bool):
                texts.append("TRUE" if value else "FALSE")
            elif isinstance(value, float) and value.is_integer():
                texts.append(str(int(value)))
            elif isinstance(value, dt.datetime):
                texts.append(value.isoformat(sep=" ") if (value.hour or value.minute or value.second)
                             else value.date().isoformat())
            elif hasattr(value, "isoformat"):
                texts.append(value.isoformat())
            else:
                texts.append(str(value))
        rows.append(texts)
    width = max(len(r) for r in rows)
    return [r + [""] * (width - len(r)) for r in rows]


def test_every_kind_of_cell_reads_as_the_openpyxl_reader_gave_it() -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(["id", "joined", "last_seen", "at", "spend", "visits", "vip", "note", "big", "ratio"])
    sheet.append(["00123", dt.date(2024, 1, 5), dt.datetime(2024, 1, 5, 13, 45), dt.time(9, 30), 12.5, 3, True,
                  "=x", 10 ** 15 + 1, 0.1 + 0.2])
    sheet.append(["00124", dt.datetime(2023, 12, 31), dt.datetime(2024, 2, 29, 0, 0, 1), None, -0.25, 0, False,
                  "  spaced  ", 2 ** 53, 1 / 3])
    sheet.append(["00125", None, None, None, None, None, None, "Ünïcödé €", -(10 ** 12), 1e-7])
    sheet["E4"] = "=1/0"  # a formula without a cached value
    buffer = io.BytesIO()
    book.save(buffer)
    raw = buffer.getvalue()
    table = read_table(raw, "book.xlsx")
    assert table.frame.columns.tolist() == _reference(raw)[0]
    assert table.frame.to_numpy().tolist() == _reference(raw)[1:]
    assert table.frame["id"].tolist() == ["00123", "00124", "00125"]  # kept as typed
    assert table.frame["big"].tolist() == ["1000000000000001", "9007199254740992", "-1000000000000"]


def test_the_worksheet_with_the_table_is_read_even_after_a_chart_sheet() -> None:
    book = Workbook()
    book.active.title = "Customers"
    book.active.append(["Age", "Spend"])
    book.active.append([30, 12.5])
    book.create_chartsheet("Chart", 0)  # a chart sheet first in the workbook's order
    book.create_sheet("Notes").append(["nothing"])
    buffer = io.BytesIO()
    book.save(buffer)
    table = read_table(buffer.getvalue(), "book.xlsx")
    assert table.frame.columns.tolist() == ["Age", "Spend"] and table.frame.to_numpy().tolist() == [["30", "12.5"]]
    assert any("2 sheets" in warning and "'Customers'" in warning for warning in table.warnings)


def test_a_report_whose_summary_sheet_comes_first_is_read_from_its_customer_sheet(tmp_path) -> None:
    """Found from outside: a CRM report's workbook opens on a summary sheet (a title and four figures); only that
    sheet was read, so the file looked like 2 rows of 'Generated' and '2024-10-01', and the 500 customers on
    the second sheet were never seen. The sheet with the most cells is read and the others named; --sheet (or
    ``sheet=``) reads another; a sheet that is not there is refused, naming those that are."""
    from core.cli import main

    book = Workbook()
    book.active.title = "Summary"
    for row in (["Customer report Q3"], ["Generated", "2024-10-01"], ["Customers", 300], ["Revenue", 1234.5]):
        book.active.append(row)
    customers = book.create_sheet("Customers")
    customers.append(["CustomerID", "Age", "Spend"])
    for i in range(300):
        customers.append([i + 1, 20 + i % 50, 10.5 + i])
    book.create_sheet("Notes").append(["from the CRM"])
    path = tmp_path / "report.xlsx"
    book.save(path)
    table = read_table(path, "report.xlsx")
    assert table.frame.columns.tolist() == ["CustomerID", "Age", "Spend"] and len(table.frame) == 300
    assert ("The workbook has 3 sheets; 'Customers' was read (the one with the most cells), not 'Summary' or "
            "'Notes'.") in table.warnings
    assert (table.sheets, table.sheet) == (("Summary", "Customers", "Notes"), "Customers")
    summary = read_table(path, "report.xlsx", sheet="Summary")
    assert summary.frame.columns.tolist() == ["Generated", "2024-10-01"]
    assert any("'Summary' was read (as asked)" in w for w in summary.warnings)
    with pytest.raises(ReadError, match="has no sheet named 'Kunden'; its sheets are 'Summary', 'Customers', 'Notes'"):
        read_table(path, "report.xlsx", sheet="Kunden")
    assert summary.sheet == "Summary"
    out, err = io.StringIO(), io.StringIO()
    assert main(["inspect", str(path), "--sheet", "Customers"], out, err) == 0, err.getvalue()
    assert out.getvalue().startswith(f"{path}: 300 rows, 3 columns")
    assert "--sheet NAME" not in out.getvalue()
    out = io.StringIO()
    assert main(["inspect", str(path)], out, err) == 0, err.getvalue()
    assert "note: Give --sheet NAME to read another sheet of the workbook." in out.getvalue()
    from core.io import table_from_parquet, table_to_parquet

    back = table_from_parquet(table_to_parquet(table))
    assert (back.sheets, back.sheet) == (table.sheets, table.sheet)


@pytest.mark.parametrize("rows_xml", [
    # cells naming no column: the widest row decides the width (16,384 cells in one row, 20,000 rows down)
    b'<row r="1">' + b"<c><v>1</v></c>" * 16_384 + b'</row><row r="20000"><c><v>1</v></c></row>',
    # rows naming no number follow the one that does, and a column may be named after another attribute
    b'<row r="19999"><c r="A19999"><v>1</v></c></row>' + b"<row><c><v>1</v></c></row>" * 2
    + b'<row r="1"><c t="n" r="XFD1"><v>1</v></c></row>',
])
def test_a_table_that_would_be_too_large_is_refused_before_it_is_built(rows_xml: bytes, unbuilt: None) -> None:
    with pytest.raises(ReadError, match=r"(has a table of 20,0\d\d rows by 16,384 columns|16,385 columns or more)"):
        read_table(_xlsx_with(rows_xml, dimension=False), "far.xlsx")


@pytest.mark.parametrize("piece", [7, 13, 64])
def test_a_far_cell_cut_between_two_pieces_of_the_scan_is_still_found(monkeypatch: pytest.MonkeyPatch,
                                                                         piece: int, unbuilt: None) -> None:
    """The scan reads a megabyte at a time; a cell's tag cut at a piece's end (after a long attribute, say)
    must not read as a nearer column (``X`` for ``XFD``). Pieces of a few bytes cut every tag."""
    import core.io as core_io

    def pieces(archive, path):
        with archive.open(path) as xml:
            data = xml.read()
        for start in range(0, len(data), piece):
            yield data[start:start + piece]

    monkeypatch.setattr(core_io, "_xml_pieces", pieces)
    far = (b'<row r="1"><c t="n" s="0" r="A1"><v>1</v></c></row>'
           b'<row r="20000"><c t="n" s="0000000000000000000000000000" r="XFD20000"><v>1</v></c></row>')
    with pytest.raises(ReadError, match="has a table of 20,000 rows by 16,384 columns"):
        read_table(_xlsx_with(far, dimension=False), "far.xlsx")


def test_a_small_sheet_scanned_in_pieces_of_a_few_bytes_reads_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    import core.io as core_io

    def pieces(archive, path):
        with archive.open(path) as xml:
            data = xml.read()
        for start in range(0, len(data), 5):
            yield data[start:start + 5]

    monkeypatch.setattr(core_io, "_xml_pieces", pieces)
    table = read_table(_xlsx_with(b'<row r="1"><c r="A1" t="inlineStr"><is><t>Age</t></is></c></row>'
                                  b'<row r="2"><c r="A2"><v>30</v></c></row>', dimension=False), "ok.xlsx")
    assert table.frame.to_numpy().tolist() == [["30"]]


def test_text_that_looks_like_positions_does_not_hide_cells_that_name_none(unbuilt: None) -> None:
    """A cell's text may hold ``r="`` (quotes need no escaping in XML text); counted as positions, it would
    have hidden 16,384 cells that name no column, so the widest row would not be measured."""
    text = b'<c t="inlineStr"><is><t>' + b' r="A1' * 20_000 + b"</t></is></c>"
    far = b'<row r="1">' + text + b"<c><v>1</v></c>" * 16_383 + b'</row><row r="20000"><c><v>1</v></c></row>'
    with pytest.raises(ReadError, match=r"(has a table of 20,000 rows by 16,384 columns|16,385 columns or more)"):
        read_table(_xlsx_with(far, dimension=False), "far.xlsx")


@pytest.mark.parametrize("corner", ["A1", "C3"])
def test_numbers_formatted_as_percentages_are_read_as_a_person_sees_them(tmp_path, corner: str) -> None:
    """Found from outside: an e-mail tool's workbook of open rates formatted as percentages (24.4% on screen) was
    read as 0.244 and profiled as "0.23". Numbers whose cells are formatted as percentages (Excel's 0% and 0.00%,
    or a format of the workbook's own with a %) are read as written on screen, "24.4%", which the data check reads
    back as 0.244 and the tables show as percentages."""
    import openpyxl

    from core import check_quality

    rng = np.random.default_rng(4)
    rates = np.round(rng.uniform(0, 0.6, 120), 3)
    book = openpyxl.Workbook()
    sheet = book.active
    top, left = openpyxl.utils.cell.coordinate_to_tuple(corner)
    for j, name in enumerate(["id", "Open Rate", "Click Rate", "Spend"]):
        sheet.cell(row=top, column=left + j, value=name)
    for i, rate in enumerate(rates, start=1):
        sheet.cell(row=top + i, column=left, value=i)
        sheet.cell(row=top + i, column=left + 1, value=float(rate)).number_format = "0.0%"
        sheet.cell(row=top + i, column=left + 2, value=float(rate) / 10).number_format = "0.00%"  # built-in 10
        sheet.cell(row=top + i, column=left + 3, value=float(rate) * 500)
    path = tmp_path / "rates.xlsx"
    book.save(path)
    table = read_table(path, "rates.xlsx")
    frame = table.frame.iloc[:, -4:] if corner != "A1" else table.frame
    assert frame["Open Rate"].iloc[0] == f"{rates[0] * 100:g}%" and frame["Spend"].iloc[0] == f"{rates[0] * 500:g}"
    report = check_quality(table.frame)
    assert report.column("Open Rate").kind == "numeric" and report.column("Click Rate").kind == "numeric"
    numbers, _ = parse_numeric(frame["Open Rate"])
    assert numbers == pytest.approx(rates, abs=1e-12)
