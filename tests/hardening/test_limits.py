"""Hardening, second round (issue 13, items 3 and 4): small files that would take a server down are
refused before they are parsed. The corpus (tests/hardening/corpus.py) holds the workbooks with a cell at
XFD20000 and of 6 million cells, and the 50,000-column CSV; here the cases that need other limits.

Before the fix, with 3 GB of address space: the XFD20000 workbook ran out of memory after 10 s, the
6-million-cell workbook and the 50,000-column CSV were still being read after 60 s.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import core.io as core_io
from core import ReadError, read_table
from tests.hardening.corpus import _cell_bomb, _xlsx_with
from tests.hardening.test_corpus import assert_cli_contract, run_cli


def test_a_million_columns_are_refused_from_the_header_line(tmp_path: Path) -> None:
    path = tmp_path / "wide.csv"
    path.write_bytes(b",".join(b"c%d" % j for j in range(1_000_000)) + b"\n" + b"1," * 999_999 + b"1\n")
    code, out, err = run_cli(["inspect", str(path)])
    assert_cli_contract(code, out, err)
    assert code == 2 and "1,000,000 columns in its header line" in err and "at most 16,384" in err, err


def test_a_header_of_empty_fields_is_refused_too() -> None:
    data = b"Age,Income" + b"," * 5_000 + b"\n30,40\n"
    with pytest.raises(ReadError, match="columns in its header line"):
        read_table(data, "x.csv", max_columns=500)
    read_table(b"Age,Income,,,\n30,40,,,\n", "x.csv", max_columns=2)  # a few trailing separators are fine


def test_the_header_is_counted_beyond_the_sniffing_sample() -> None:
    names = [f"a_rather_long_column_name_{j:05d}" for j in range(20_000)]  # ~660 KB: longer than the sample
    data = (",".join(names) + "\n" + ",".join("1" * 20_000) + "\n").encode()
    with pytest.raises(ReadError, match="20,000 columns in its header line"):
        read_table(data, "x.csv", max_columns=500)


def test_a_workbook_is_refused_once_read_when_its_counts_are_hidden(monkeypatch: pytest.MonkeyPatch) -> None:
    """The scan before the read is the guard; the table read is checked again (its XML's size bounds it)."""
    monkeypatch.setattr(core_io, "_count_cells", lambda *args: None)  # as if the tag count missed them
    with pytest.raises(ReadError, match="has a table of 20,000 rows by 100 columns"):
        read_table(_cell_bomb(20_000, 100), "bomb.xlsx", max_cells=300_000)


def test_a_workbook_that_unpacks_to_too_much_xml_is_refused_unparsed() -> None:
    with pytest.raises(ReadError, match="unpacks to"):
        read_table(_cell_bomb(12_000, 100), "bomb.xlsx", max_cells=1_000)  # 18 MB of XML


def test_rows_beyond_the_limit_are_counted_before_parsing() -> None:
    with pytest.raises(ReadError, match="3,000 rows or more; this installation accepts at most 100"):
        read_table(_xlsx_with(b"<row><c><v>1</v></c></row>" * 3_001), "rows.xlsx", max_rows=100)


def test_a_normal_workbook_reads_as_before() -> None:
    from tests.hardening.corpus import _xlsx

    table = read_table(_xlsx(), "book.xlsx", max_cells=100)
    assert table.frame.shape == (12, 3)
    assert table.frame["Age"].tolist()[:3] == ["20", "23", "26"]
