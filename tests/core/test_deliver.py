"""Campaign-ready outputs: a zip per segment and Excel workbooks."""

from __future__ import annotations

import io
import zipfile

import numpy as np
import pandas as pd
import pytest

from core import clustered_table, read_table, segment_new
from core.deliver import EXCEL_MAX_ROWS, safe_file_name, segments_zip_bytes, to_xlsx_bytes
from core.errors import DataError


@pytest.fixture()
def segmented():
    rng = np.random.default_rng(1)
    rows = ["ID,Note,Age,Spend"] + [f"{i},{'@risk' if i == 3 else 'ok'},{int(a)},{int(s)}" for i, (a, s) in
                                    enumerate(zip(rng.choice([25, 60], 40) + rng.integers(0, 5, 40),
                                                  rng.integers(0, 100, 40)), 1)]
    rows[5] = "5,ok,,50"
    table = read_table("\n".join(rows).encode())
    seg = segment_new(table.frame, ["Age", "Spend"], 2, seed=0).renamed({0: "A/B: big?"})
    return table.frame, seg


def test_zip_has_one_file_per_segment_named_safely(segmented):
    frame, seg = segmented
    archive = zipfile.ZipFile(io.BytesIO(segments_zip_bytes(clustered_table(frame, seg), seg)))
    names = archive.namelist()
    assert names[0] == "01 A_B_ big_.csv"
    parts = [pd.read_csv(archive.open(n), dtype=str, keep_default_na=False) for n in names]
    assert sum(len(p) for p in parts) == len(frame)
    assert sorted(int(i) for p in parts for i in p["ID"]) == list(range(1, 41))
    assert (parts[0]["segment"] == "A/B: big?").all()
    assert parts[-1]["cluster"].eq("").all()  # the customer left out


def test_workbook_escapes_formulas_and_keeps_numbers(segmented):
    frame, seg = segmented
    data = to_xlsx_bytes({"Customers": clustered_table(frame, seg), "Bad/Name?": seg.summary()}, ["Age", "Spend"])
    sheets = pd.read_excel(io.BytesIO(data), sheet_name=None, engine="calamine")
    assert list(sheets) == ["Customers", "Bad_Name_"]
    customers = sheets["Customers"]
    assert customers.loc[2, "Note"] == "'@risk"
    assert pd.isna(customers.loc[4, "Age"]) and customers["Spend"].dtype.kind in "if"
    from openpyxl import load_workbook

    cell_types = {c.data_type for row in load_workbook(io.BytesIO(data))["Customers"].iter_rows() for c in row}
    assert "f" not in cell_types  # no formula cell anywhere


def test_workbook_refuses_more_rows_than_excel_holds(monkeypatch):
    import core.deliver as deliver

    monkeypatch.setattr(deliver, "EXCEL_MAX_ROWS", 3)
    with pytest.raises(DataError, match="Download the CSV"):
        deliver.to_xlsx_bytes({"Big": pd.DataFrame({"a": range(4)})})
    assert EXCEL_MAX_ROWS == 1_048_575


def test_safe_file_name():
    assert safe_file_name("../../etc/passwd") == "_.._etc_passwd"
    assert safe_file_name("   ") == "segment"


def test_columns_written_as_percentages_come_back_as_percentages_in_the_workbook():
    """Noticed in session 15: a file's open rates written "24.4%" (or a workbook's cells formatted as
    percentages, read as "24.4%") came back from the Excel download as 0.244 in a plain number format, and the
    segments' mean open rate as 0.31. Such a column's cells keep the number, formatted as a percentage, in the
    customers' sheet and in the segments' means; other numbers keep a plain format."""
    from openpyxl import load_workbook

    from core.deliver import rounded_summary, share_columns
    from core.insight import summary_profile

    rng = np.random.default_rng(5)
    rows = 400
    frame = pd.DataFrame({"Customer": [f"C{i}" for i in range(rows)],
                          "Open Rate": [f"{v:.1f}%" for v in rng.uniform(5, 60, rows)],
                          "Orders": rng.integers(1, 30, rows).astype(str)})
    seg = segment_new(frame, ["Open Rate", "Orders"], 3, seed=0)
    profiled = summary_profile(seg, frame, [])
    data = to_xlsx_bytes({"Customers": clustered_table(frame, seg), "Segments": rounded_summary(profiled)},
                         ["Open Rate", "Orders"], percent=share_columns(profiled))  # as the Downloads page asks
    book = load_workbook(io.BytesIO(data))
    customers = book["Customers"]
    header = [c.value for c in customers[1]]
    rate, orders = customers.cell(2, header.index("Open Rate") + 1), customers.cell(2, header.index("Orders") + 1)
    assert rate.value == pytest.approx(float(frame["Open Rate"][0].rstrip("%")) / 100)
    assert "%" in rate.number_format and "%" not in orders.number_format
    segments = book["Segments"]
    header = [c.value for c in segments[1]]
    mean = segments.cell(2, header.index("Open Rate") + 1)
    assert 0 < mean.value < 1 and "%" in mean.number_format
    assert "%" not in segments.cell(2, header.index("Orders") + 1).number_format
