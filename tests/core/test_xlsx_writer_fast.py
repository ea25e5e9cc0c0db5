"""core.xlsx_writer_fast: the Excel downloads, written with pyarrow, read back as openpyxl's workbooks were.

Found from outside: the clustered customers of a 300,000-row export took about 90 s as ``.xlsx`` with openpyxl,
and of a million rows longer than the web worker's timeout (the download failed without a word). Every test
here reads the workbooks back with calamine (the product's own reader, and one that undoes Excel's ``_xHHHH_``
escapes as Excel does) and compares them with what the openpyxl writer gave for the same frames.
"""

from __future__ import annotations

import io
import string

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook
from python_calamine import CalamineWorkbook

from core.deliver import _sheet_name, _with_numbers, to_xlsx_bytes
from core.export import escape_formulas
from core.xlsx_writer_fast import ROWS_PER_BLOCK, workbook_bytes


def cells(raw: bytes) -> dict[str, list[list[object]]]:
    """Every sheet's cells as calamine reads them."""
    book = CalamineWorkbook.from_filelike(io.BytesIO(raw))
    return {name: book.get_sheet_by_name(name).to_python() for name in book.sheet_names}


def openpyxl_workbook(sheets: dict[str, pd.DataFrame], numeric: list[str], decimal: str = ".") -> bytes:
    """The workbook as the openpyxl writer made it before (the reference)."""
    buffer = io.BytesIO()
    taken: set[str] = set()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for title, frame in sheets.items():
            escape_formulas(_with_numbers(frame, numeric, decimal)).to_excel(writer, sheet_name=_sheet_name(title, taken),
                                                                             index=False)
    return buffer.getvalue()


def random_frame(rows: int, seed: int) -> pd.DataFrame:
    """Columns of every kind a download holds, with the awkward values exports have."""
    rng = np.random.default_rng(seed)
    letters = list(string.ascii_letters + string.digits + " &<>\"'=+-@,.;:/\\äöüß€·—中文😀")
    words = ["".join(rng.choice(letters, int(rng.integers(0, 12)))) for _ in range(rows)]
    numbers_as_text = np.where(rng.random(rows) < 0.8, np.round(rng.normal(0, 1e4, rows), 2).astype(str),
                               rng.choice(["", "n/a", "x", "1,5", "-0", "12e3"], rows))
    floats = rng.normal(0, 1, rows) * 10.0 ** rng.integers(-12, 16, rows)
    floats[rng.random(rows) < 0.1] = np.nan
    floats[:3] = [-0.0, 0.1 + 0.2, 1 / 3]
    return pd.DataFrame({
        "CustomerID": [f"{i:06d}" for i in range(rows)],          # leading zeros: stays text
        "Name": words,
        "Spend": numbers_as_text,                                   # numeric text: numbers where they parse
        "Orders": rng.integers(-5, 10 ** 12, rows),
        "distance": floats,
        "borderline": rng.random(rows) < 0.3,
        "segment": pd.Categorical(rng.choice(["High spend · Young", "=cmd|' /C calc'!A0", "Low"], rows)),
        "note": pd.array(np.where(rng.random(rows) < 0.2, None, rng.choice(["a", "b"], rows)), dtype="str"),
    })


def same_cells(ours: dict[str, list[list[object]]], reference: dict[str, list[list[object]]]) -> None:
    """The same sheets, rows and cells: text and booleans equal, numbers to a double's last digit or so
    (openpyxl writes 16 significant digits, so its -1.278049019091093e-09 is our -1.2780490190910928e-09: ours
    is Python's repr, the double itself)."""
    assert list(ours) == list(reference)
    for name in ours:
        assert len(ours[name]) == len(reference[name]), name
        for mine, theirs in zip(ours[name], reference[name]):
            assert [type(v) for v in mine] == [type(v) for v in theirs], (mine, theirs)
            for a, b in zip(mine, theirs):
                if isinstance(a, float):
                    assert a == pytest.approx(b, rel=1e-15, abs=0), (a, b)
                else:  # openpyxl lost a cell of spaces only (no xml:space="preserve"): ours keeps it
                    assert a == b or (b == "" and isinstance(a, str) and not a.strip()), (a, b)


@pytest.mark.parametrize("seed", range(4))
def test_the_cells_read_back_as_the_openpyxl_writer_gave_them(seed: int) -> None:
    frame = random_frame(700, seed)
    sheets = {"Customers": frame, "Segments": frame.head(5)}
    fast = to_xlsx_bytes(sheets, ["Spend", "Orders", "CustomerID"])
    same_cells(cells(fast), cells(openpyxl_workbook(sheets, ["Spend", "Orders", "CustomerID"])))
    # and every float is the very double of the frame (openpyxl's 16 digits were not always)
    written = [row[4] for row in cells(fast)["Customers"][1:]]
    assert all(w == f or (w == "" and np.isnan(f)) for w, f in zip(written, frame["distance"]))


def test_blocks_of_rows_join_into_one_sheet(monkeypatch: pytest.MonkeyPatch) -> None:
    frame = random_frame(250, 9)
    whole = to_xlsx_bytes({"S": frame}, ["Spend"])
    monkeypatch.setattr("core.xlsx_writer_fast.ROWS_PER_BLOCK", 7)
    assert cells(to_xlsx_bytes({"S": frame}, ["Spend"])) == cells(whole)
    assert ROWS_PER_BLOCK >= 10_000


def test_text_xml_cannot_hold_comes_back_as_it_was() -> None:
    """Control characters, a carriage return and text that looks like Excel's own escapes: openpyxl refused the
    first (IllegalCharacterError: an HTTP 500 for the download); Excel's _xHHHH_ escapes bring each back."""
    texts = ["x\x01y", "bell\x07", "line\r\nbreak", "_x0041_", "tab\there", " ", "plain", ""]
    frame = pd.DataFrame({"text": texts, "n": range(len(texts))})
    back = cells(workbook_bytes([("S", frame)]))["S"]
    assert [row[0] for row in back[1:]] == texts
    infinite = cells(workbook_bytes([("S", pd.DataFrame({"f": [np.inf, -np.inf, 1.5]}))]))["S"]
    assert [row[0] for row in infinite[1:]] == ["inf", "-inf", 1.5]


def test_the_header_is_bold_and_frozen_and_shares_show_as_percentages() -> None:
    frame = pd.DataFrame({"segment": ["A", "B"], "share": [0.506, 0.494], "customers": [506, 494]})
    raw = to_xlsx_bytes({"Segments": frame, "Other [1]": frame}, [], ".", ["share"])
    book = load_workbook(io.BytesIO(raw))
    assert book.sheetnames == ["Segments", "Other _1_"]
    sheet = book["Segments"]
    assert sheet.freeze_panes == "A2" and sheet["A1"].font.b and not sheet["A2"].font.b
    assert sheet["B2"].number_format == "0.0%" and sheet["B2"].value == pytest.approx(0.506)
    assert sheet["C2"].number_format == "General" and sheet["C2"].value == 506


def test_a_large_table_is_written_in_seconds_not_minutes() -> None:
    """Not a speed assertion (docs/performance.md has the figures): a table of 120,000 rows is written whole
    and reads back row for row."""
    rows = 120_000
    frame = pd.DataFrame({"id": [f"C{i}" for i in range(rows)], "spend": np.arange(rows) / 4,
                          "flag": np.arange(rows) % 3 == 0})
    back = cells(workbook_bytes([("S", frame)]))["S"]
    assert len(back) == rows + 1 and back[-1] == [f"C{rows - 1}", (rows - 1) / 4, False]
