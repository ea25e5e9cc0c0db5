"""core.io.read_table leaves out rows that hold no customer, and says so: rows whose every cell is empty
(a spreadsheet's saved blank rows, ``,,,,``) and rows that repeat the header line (two exports joined into
one file). Found from outside: both were counted as customers (20,005 rows for 20,000; a header row's
cells reported as "not a number" in every numeric column, its text as a third Gender)."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from core.io import read_table
from core.quality import check_quality


def _customers(n: int, start: int = 0) -> pd.DataFrame:
    return pd.DataFrame({"CustomerID": [f"C{i:05d}" for i in range(start, start + n)],
                         "Gender": ["Female", "Male"] * (n // 2),
                         "Age": [str(20 + i % 50) for i in range(n)],
                         "Spend": [f"{10 + i * 1.5:.2f}" for i in range(n)]})


def _csv(frame: pd.DataFrame, sep: str = ",") -> str:
    return frame.to_csv(index=False, sep=sep)


@pytest.mark.parametrize("sep", [",", ";", "\t"])
def test_rows_of_separators_only_are_left_out_with_a_note(sep: str) -> None:
    text = _csv(_customers(40), sep) + (sep * 3 + "\n") * 5
    table = read_table(text.encode(), "export.csv")
    assert table.frame.shape[0] == 40
    assert table.frame["CustomerID"].tolist() == [f"C{i:05d}" for i in range(40)]
    notes = [w for w in table.warnings if "empty" in w]
    assert len(notes) == 1 and "5 rows" in notes[0] and "left out" in notes[0] and "row 41 under the header" in notes[0], table.warnings
    report = check_quality(table.frame, table.decimal, numbers=table.numbers)
    assert report.rows == 40
    assert report.column("Age").missing == 0


def test_empty_rows_in_the_middle_are_left_out_and_the_others_keep_their_order() -> None:
    rows = _csv(_customers(6)).splitlines()
    text = "\n".join(rows[:3] + [",,,"] + rows[3:] + [""])
    table = read_table(text.encode(), "export.csv")
    assert table.frame["CustomerID"].tolist() == [f"C{i:05d}" for i in range(6)]
    assert any("1 row " in w and "every cell empty" in w and "row 3 under the header" in w for w in table.warnings), table.warnings


def test_a_row_with_one_value_is_kept() -> None:
    table = read_table(b"a,b,c\n1,2,3\n,,x\n,,\n")
    assert table.frame.to_dict("list") == {"a": ["1", ""], "b": ["2", ""], "c": ["3", "x"]}


def test_a_one_column_file_keeps_its_empty_cells() -> None:
    # in a one-column file an empty quoted value is a customer with a gap, as before
    table = read_table(b'Spend\n1\n""\n2\n')
    assert table.frame["Spend"].tolist() == ["1", "", "2"]
    assert not any("left out" in w for w in table.warnings)


def test_a_repeated_header_line_is_left_out_with_a_note() -> None:
    first, second = _customers(30), _customers(30, start=30)
    text = _csv(first) + _csv(second)  # two exports joined: the second keeps its header
    table = read_table(text.encode(), "joined.csv")
    assert table.frame.shape[0] == 60
    assert "CustomerID" not in table.frame["CustomerID"].tolist()
    notes = [w for w in table.warnings if "header" in w]
    assert len(notes) == 1 and "1 row repeats the header" in notes[0] and "row 31 under the header" in notes[0], table.warnings
    report = check_quality(table.frame, table.decimal, numbers=table.numbers)
    assert report.column("Age").not_numbers == 0
    assert report.column("Gender").unique == 2


def test_header_repeated_with_other_quoting_and_several_times() -> None:
    parts = [_csv(_customers(10, start=10 * i)) for i in range(3)]
    quoted = parts[2].replace("CustomerID,Gender,Age,Spend", '"CustomerID","Gender","Age","Spend"')
    table = read_table((parts[0] + parts[1] + quoted).encode())
    assert table.frame.shape[0] == 30
    assert any("2 rows repeat the header" in w and "row 11 under the header" in w for w in table.warnings), table.warnings


def test_a_row_that_shares_only_some_header_names_is_kept() -> None:
    table = read_table(b"Name,Tier\nGold,Tier\nName,Silver\n")
    assert table.frame.to_dict("list") == {"Name": ["Gold", "Name"], "Tier": ["Tier", "Silver"]}


def test_xlsx_blank_and_header_rows_are_left_out() -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["CustomerID", "Age", "Spend"])
    ws.append(["A", 30, 10.5])
    ws.append(["CustomerID", "Age", "Spend"])
    ws.append(["B", 40, 12.0])
    ws.append([None, None, None])
    ws.cell(row=7, column=1, value="C")
    ws.cell(row=7, column=2, value=50)
    ws.cell(row=7, column=3, value=1)
    buffer = io.BytesIO()
    wb.save(buffer)
    table = read_table(buffer.getvalue(), "book.xlsx")
    assert table.frame["CustomerID"].tolist() == ["A", "B", "C"]
    assert any("repeats the header" in w for w in table.warnings), table.warnings
