"""Hardening, second round (issue 13, item 2; issue 12, item 8): downloads that open well and stay safe.

Numbers stay numbers in the Excel downloads, negative or not; only text is escaped, including text
starting with the full-width ``＝`` (U+FF1D) or the small ``﹦`` (U+FE66).
"""

from __future__ import annotations

import io
from typing import Any

import openpyxl
import pandas as pd

from core.export import escape_formula, escape_formulas, to_csv_bytes
from core.deliver import to_xlsx_bytes
from tests.fixtures import upload
from tests.hardening.corpus import WIDE_FORMULA_CELLS

WIDE_EQUALS = WIDE_FORMULA_CELLS


def negatives_csv(rows: int = 30) -> bytes:
    """Balances with negative and positive values, a text column with wide '=' formulas."""
    lines = ["id,Balance,Change,Note"]
    for i in range(rows):
        lines.append(f"{i + 1},{-320 + i * 25},{(-1) ** i * (i + 0.5)},{WIDE_EQUALS[i % 3]}")
    return ("\n".join(lines) + "\n").encode()


def _sheet(data: bytes, name: str) -> list[tuple[Any, ...]]:
    book = openpyxl.load_workbook(io.BytesIO(data))
    return list(book[name].iter_rows(values_only=True))


def test_wide_equals_signs_are_escaped() -> None:
    for text in WIDE_EQUALS:
        assert escape_formula(text) == "'" + text
    frame = pd.DataFrame({"Note": WIDE_EQUALS, "n": [1, 2, 3]})
    assert escape_formulas(frame)["Note"].tolist() == ["'" + t for t in WIDE_EQUALS]
    assert to_csv_bytes(frame.astype({"Note": "string[pyarrow]"})).decode().splitlines()[1].startswith("'\uff1d")


def test_negative_numbers_stay_numbers_in_a_workbook() -> None:
    frame = pd.DataFrame({"Balance": ["-320", "15", "-7.5"], "Note": ["=1+2", "-x", "ok"]})
    rows = _sheet(to_xlsx_bytes({"S": frame}, numeric=["Balance"]), "S")
    assert [r[0] for r in rows[1:]] == [-320, 15, -7.5]
    assert [r[1] for r in rows[1:]] == ["'=1+2", "'-x", "ok"]


def test_negative_numbers_stay_numbers_in_the_excel_download(client: Any) -> None:
    token = upload(client, negatives_csv()).get_json()["token"]
    response = client.get(f"/download/clustered.xlsx?ds={token}&k=3&feature=Balance&feature=Change")
    assert response.status_code == 200, response.data[:300]
    rows = _sheet(response.data, "Customers")
    header = list(rows[0])
    balance = [r[header.index("Balance")] for r in rows[1:]]
    change = [r[header.index("Change")] for r in rows[1:]]
    assert balance == [-320 + i * 25 for i in range(30)]
    assert change == [(-1) ** i * (i + 0.5) for i in range(30)]
    assert all(isinstance(v, (int, float)) for v in balance + change)
    notes = [r[header.index("Note")] for r in rows[1:]]
    assert notes == ["'" + WIDE_EQUALS[i % 3] for i in range(30)]


def test_wide_equals_signs_are_escaped_in_the_csv_download(client: Any) -> None:
    token = upload(client, negatives_csv()).get_json()["token"]
    response = client.get(f"/download/clustered.csv?ds={token}&k=3&feature=Balance&feature=Change")
    back = pd.read_csv(io.BytesIO(response.data), dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert back["Note"].tolist() == ["'" + WIDE_EQUALS[i % 3] for i in range(30)]
    assert back["Balance"].tolist() == [str(-320 + i * 25) for i in range(30)]


def test_numeric_ids_stay_numbers_and_leading_zeros_stay_text(client: Any) -> None:
    plain = b"id,Age,Income\n" + b"".join(b"%d,%d,%d\n" % (i + 1, 20 + i % 40, 30 + i * 7 % 60) for i in range(30))
    zeros = plain.replace(b"\n1,", b"\n0001,", 1)
    for content, first in ((plain, 1), (zeros, "0001")):
        token = upload(client, content).get_json()["token"]
        rows = _sheet(client.get(f"/download/clustered.xlsx?ds={token}&k=3").data, "Customers")
        assert rows[0][0] == "id" and rows[1][0] == first
        assert rows[2][0] == (2 if first == 1 else "2")


# -- issue 12, item 8: downloads that open well in Excel ---------------------------------------------------


def test_csv_downloads_start_with_a_byte_order_mark_for_excel(client: Any) -> None:
    import zipfile

    from tests.fixtures import demo_bytes

    token = upload(client, demo_bytes()).get_json()["token"]
    for name in ("clustered.csv", "summary.csv"):
        data = client.get(f"/download/{name}?ds={token}&k=4").data
        assert data.startswith(b"\xef\xbb\xbf") and not data.startswith(b"\xef\xbb\xbf\xef\xbb\xbf"), name
        assert "·" in data.decode("utf-8-sig") or name == "clustered.csv"
    archive = zipfile.ZipFile(io.BytesIO(client.get(f"/download/segments.zip?ds={token}&k=4").data))
    assert all(archive.read(n).startswith(b"\xef\xbb\xbf") for n in archive.namelist())


def test_summary_downloads_are_rounded_and_shares_are_percentages(client: Any) -> None:
    from tests.fixtures import demo_bytes

    token = upload(client, demo_bytes()).get_json()["token"]
    summary = pd.read_csv(io.BytesIO(client.get(f"/download/summary.csv?ds={token}&k=4").data))
    assert (summary["Age"] == summary["Age"].round(2)).all()
    assert (summary["Age index"] == summary["Age index"].round(0)).all()
    assert (summary["share"] == summary["share"].round(4)).all()
    rows = _sheet(client.get(f"/download/summary.xlsx?ds={token}&k=4").data, "Segments")
    header = list(rows[0])
    book = openpyxl.load_workbook(io.BytesIO(client.get(f"/download/summary.xlsx?ds={token}&k=4").data))
    sheet = book["Segments"]
    share = sheet.cell(row=2, column=header.index("share") + 1)
    mix = sheet.cell(row=2, column=header.index("Gender: Female") + 1)
    age = sheet.cell(row=2, column=header.index("Age") + 1)
    assert share.number_format == "0.0%" and isinstance(share.value, float) and 0 < share.value < 1
    assert mix.number_format == "0.0%"
    assert age.number_format != "0.0%" and age.value == round(age.value, 2)
