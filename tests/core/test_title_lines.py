"""Title lines above the header of a report export are skipped, and said (found from outside).

CRM and BI report exports start with a title, an export date or the report's filters, then a blank line,
then the table. Before, the title became the header: with the title's line padded to the table's width the
data check proposed 'Column 2', 'Column 3'... and called the real header a customer whose cells are "not a
number"; without the padding the file was refused ("line 4 has 4 values but the header has 1 columns").
"""

from __future__ import annotations

import io

import numpy as np
import pytest

from core import check_quality, read_table
from core.io import MAX_TITLE_LINES


def _table(rows: int = 200, seed: int = 4) -> list[str]:
    rng = np.random.default_rng(seed)
    lines = ["CustomerID,Age,Income,Spend"]
    lines += [f"{1000 + i},{int(rng.integers(18, 80))},{int(rng.integers(15, 140))},{int(rng.integers(1, 100))}"
              for i in range(rows)]
    return lines


@pytest.mark.parametrize("titles", [
    ["Customer report Q3 2024,,,", "Exported by CRM on 2024-10-01,,,", ",,,"],  # padded to the width
    ["Customer report Q3 2024", "Exported by CRM on 2024-10-01", ""],  # not padded
    ['"Customer report, Q3 2024"', "Region:,North,,", "Period:,Q3,,", ""],  # a quoted title, key and value lines
    ["Customer report Q3 2024"],  # a title alone, no blank line
    ["", "  ", "Customer report Q3 2024", ""],  # blank lines before the title too
])
@pytest.mark.parametrize("line_end", ["\n", "\r\n"])
def test_title_lines_above_the_header_are_skipped_and_said(tmp_path, titles: list[str], line_end: str) -> None:
    path = tmp_path / "report.csv"
    path.write_bytes(line_end.join([*titles, *_table()]).encode() + line_end.encode())
    table = read_table(path)
    assert list(table.frame.columns) == ["CustomerID", "Age", "Income", "Spend"]
    assert len(table.frame) == 200 and table.frame["CustomerID"].iloc[0] == "1000"
    said = [w for w in table.warnings if "above the table's header" in w]
    assert len(said) == 1 and "Customer report" in said[0] and f"line {len(titles) + 1}" in said[0]
    report = check_quality(table.frame, table.decimal, table.numbers)
    assert report.default_features == ["Age", "Income", "Spend"]


def test_a_workbook_with_title_rows_is_read_from_its_header() -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["Customer report Q3 2024"])
    sheet.append(["Exported on", "2024-10-01"])
    sheet.append([])
    for line in _table(50):
        sheet.append([int(v) if v.isdigit() else v for v in line.split(",")])
    data = io.BytesIO()
    book.save(data)
    table = read_table(data.getvalue(), "report.xlsx")
    assert list(table.frame.columns) == ["CustomerID", "Age", "Income", "Spend"] and len(table.frame) == 50
    assert any("above the table's header" in w and "line 4" in w for w in table.warnings)


@pytest.mark.parametrize("lines", [
    _table(),  # a plain table
    ["ID,", *[f"{i},{i * 2}" for i in range(50)]],  # a header with a blank name: not a title
    ["Region,2022,2023,2024", *[f"R{i},{i},{i + 1},{i + 2}" for i in range(50)]],  # years as column names
    ["name", *[f"person {i}" for i in range(50)]],  # one column
    ["a,b,c,d", "x,,,", *[f"{i},{i},{i},{i}" for i in range(50)]],  # a sparse first customer
    ["Total sales by customer", *[f"{i},{i}" for i in range(50)]],  # no header with names below the line
])
def test_tables_without_title_lines_are_read_as_before(tmp_path, lines: list[str]) -> None:
    path = tmp_path / "plain.csv"
    path.write_text("\n".join(lines) + "\n")
    try:
        table = read_table(path)
    except Exception as exc:  # (the last one stays refused, as before, with its own message)
        assert "well-formed" in str(exc)
        return
    assert not any("above the table's header" in w for w in table.warnings)
    assert list(table.frame.columns)[0] == lines[0].split(",")[0]


def test_more_title_lines_than_the_limit_are_not_taken_for_titles(tmp_path) -> None:
    path = tmp_path / "long.csv"
    titles = [f"note {i},,," for i in range(MAX_TITLE_LINES + 1)]
    path.write_text("\n".join([*titles, *_table()]) + "\n")
    table = read_table(path)
    assert not any("above the table's header" in w for w in table.warnings)


@pytest.mark.parametrize("above", [
    ["Customer,,Purchases,"],  # a report's two-line header: the groups, then the names
    ["Customer report Q3 2024,,,", ",,,", "Customer,,Purchases,"],  # a title, then the two lines
])
def test_a_line_grouping_the_columns_above_their_names_is_skipped_and_said(tmp_path, above: list[str]) -> None:
    """Found from outside (a BI report exported to CSV): 'Customer,,Purchases,,Engagement' above the column
    names was read as the header ('Column 2', 'Column 4' for the rest), and the real names as a first row
    describing the columns, their text 'not a number' in every numeric column."""
    path = tmp_path / "grouped.csv"
    path.write_text("\n".join([*above, *_table()]) + "\n")
    table = read_table(path)
    assert list(table.frame.columns) == ["CustomerID", "Age", "Income", "Spend"] and len(table.frame) == 200
    said = [w for w in table.warnings if "above the table's header" in w]
    assert len(said) == 1 and "a line grouping the columns above their names" in said[0], said
    assert f"the table starts at line {len(above) + 1}" in said[0]
    report = check_quality(table.frame, table.decimal, table.numbers)
    assert report.default_features == ["Age", "Income", "Spend"] and not report.description_row


@pytest.mark.parametrize("lines", [
    ["Name,,City", "Ann,x,Paris", *[f"P{i},{i},Rome" for i in range(50)]],  # a blank name over text rows
    ["Customer,,Purchases,Visits", "a,b,c,d", *[f"x{i},y{i},z{i},w{i}" for i in range(50)]],  # no numbers below
])
def test_a_header_with_blank_names_over_text_is_not_taken_for_groups(tmp_path, lines: list[str]) -> None:
    path = tmp_path / "plain.csv"
    path.write_text("\n".join(lines) + "\n")
    table = read_table(path)
    assert not any("above the table's header" in w for w in table.warnings)
    assert str(table.frame.columns[0]) == lines[0].split(",")[0]
