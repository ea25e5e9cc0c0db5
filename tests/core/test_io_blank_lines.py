"""core.io.read_table and blank lines, through both of its CSV readers (pyarrow's, and pandas' fallback).

The contract (module docstring of core.io): an empty line is no row; lines of spaces or tabs before the
header, or in a file of several columns, are skipped; in a one-column file such a line after the header
is a row whose cell is those spaces.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import pytest

import core.io as core_io
from core import csv_reader_fast
from core.errors import ReadError
from core.export import to_csv_bytes
from core.io import read_table

Read = Callable[[bytes], list[list[str]]]


@pytest.fixture(params=["pyarrow", "pandas"])
def read(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Read:
    """``read_table`` held to one reader: the other one fails the test if it is asked."""
    if request.param == "pyarrow":
        def refuse(*args: object, **kwargs: object) -> None:
            raise AssertionError("pandas was asked to read a file pyarrow should read")
        monkeypatch.setattr(core_io, "_read_csv_pandas", refuse)
    else:
        monkeypatch.setattr(csv_reader_fast, "read_csv", lambda *args, **kwargs: None)

    def rows(raw: bytes) -> list[list[str]]:
        frame = read_table(raw, "blank.csv").frame
        return [list(frame.columns), *frame.to_numpy().tolist()]
    return rows


class _Spy:
    """Calls ``function`` and keeps its answers."""

    def __init__(self, function: Callable[..., object]) -> None:
        self.function = function
        self.answers: list[object] = []

    def __call__(self, *args: object, **kwargs: object) -> object:
        answer = self.function(*args, **kwargs)
        self.answers.append(answer)
        return answer


# --- one column: a line of spaces or tabs is a customer ---------------------------------------------

@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_one_column_lines_of_spaces_and_tabs_are_rows(read: Read, newline: str) -> None:
    raw = newline.join(["Spend", "5", " ", "7", "\t", " \t ", "9", "   "]).encode()
    expected = [["Spend"], ["5"], [" "], ["7"], ["\t"], [" \t "], ["9"], ["   "]]
    assert read(raw) == expected
    assert read(raw + newline.encode()) == expected


def test_one_column_file_of_only_blank_cells_has_rows(read: Read) -> None:
    assert read(b"Spend\n \n\t\n") == [["Spend"], [" "], ["\t"]]


def test_one_column_quoted_lines_keep_their_text(read: Read) -> None:
    # a quoted empty value is a row; a line of spaces inside a quoted value is part of that value
    raw = b'Note\n""\n"a\n  \nb"\n" "\n  \n'
    assert read(raw) == [["Note"], [""], ["a\n  \nb"], [" "], ["  "]]


def test_one_column_round_trip_keeps_blank_cells(read: Read) -> None:
    frame = pd.DataFrame({"Spend": ["5", " ", "", "  ", "7"]})
    assert read(to_csv_bytes(frame)) == [["Spend"], ["5"], [" "], [""], ["  "], ["7"]]


# --- empty lines are no rows, in any file -------------------------------------------------------------

@pytest.mark.parametrize("raw", [b"Spend\n\n5\n\n\n7\n\n\n", b"Spend\r\n5\r\n\r\n7\r\n\r\n"])
def test_one_column_empty_lines_are_not_rows(read: Read, raw: bytes) -> None:
    assert read(raw) == [["Spend"], ["5"], ["7"]]


def test_one_column_empty_lines_among_lines_of_spaces(monkeypatch: pytest.MonkeyPatch) -> None:
    # old Mac line ends with an empty line (CR CR): pyarrow hands this file to pandas by itself
    arrow = _Spy(csv_reader_fast.read_csv)
    monkeypatch.setattr(csv_reader_fast, "read_csv", arrow)
    frame = read_table(b'Spend\r5\r\r \r""\r\r\t\r7\r\r').frame
    assert frame["Spend"].tolist() == ["5", " ", "", "\t", "7"]
    assert arrow.answers == [None]


def test_several_columns_skip_empty_lines(read: Read) -> None:
    assert read(b"a,b\n1,2\n\n3,4\n\n") == [["a", "b"], ["1", "2"], ["3", "4"]]


def test_header_only_is_still_refused(read: Read) -> None:
    with pytest.raises(ReadError, match="header row but no data rows"):
        read(b"Spend\n\n\n")


# --- several columns: a line of spaces holds no value (pandas reads: pyarrow refuses such a row) ----

def test_several_columns_skip_lines_of_spaces() -> None:
    raw = b"a,b\n1,2\n  \n\t\n3,4\n \n"
    assert read_table(raw).frame.to_numpy().tolist() == [["1", "2"], ["3", "4"]]
    assert csv_reader_fast.read_csv(raw, 0, ",", "utf-8", ["a", "b"]) is None


def test_lines_of_spaces_do_not_hide_the_separator() -> None:
    for raw in (b"a;b\n1;2\n \n  \n\t\n\n3;4\n", b" \n  \n\t\na;b\n1;2\n"):
        t = read_table(raw)
        assert t.separator == ";"
        assert t.frame.columns.tolist() == ["a", "b"] and t.frame["b"].iloc[0] == "2"


def test_a_line_of_spaces_and_tabs_is_a_row_when_tab_separates() -> None:
    t = read_table(b"a\tb\n1\t2\n \t \n")
    assert t.separator == "\t"
    assert t.frame.to_numpy().tolist() == [["1", "2"], [" ", " "]]


# --- blank lines before the header --------------------------------------------------------------------

@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"])
@pytest.mark.parametrize("body,expected", [
    (b"Spend\n5\n \n", [["Spend"], ["5"], [" "]]),
    (b"a;b\n1;2\n", [["a", "b"], ["1", "2"]]),
])
def test_blank_lines_before_the_header_are_skipped(read: Read, bom: bytes, body: bytes,
                                                   expected: list[list[str]]) -> None:
    assert read(bom + b"\n  \n\t\r\n \t\n" + body) == expected


def test_error_line_numbers_count_the_skipped_lines() -> None:
    # pandas reports the error (pyarrow refuses the row): its line numbers start after the skipped lines
    with pytest.raises(ReadError, match="line 6 has 2 values but the header has 1 columns"):
        read_table(b"\n \nSpend\n\n \n5,6\n")


def test_a_file_of_blank_lines_is_empty() -> None:
    for raw in (b"\xef\xbb\xbf \n\t", b"\xef\xbb\xbf\n\r\n\n "):
        with pytest.raises(ReadError, match="is empty"):
            read_table(raw, "blank.csv")


# --- the pandas path's cross-check ------------------------------------------------------------------

def test_pandas_path_reads_values_longer_than_the_csv_modules_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(csv_reader_fast, "read_csv", lambda *args, **kwargs: None)
    long = "x" * 300_000
    frame = read_table(f'Spend\n"{long}"\n \n\n""\n'.encode()).frame
    assert frame["Spend"].tolist() == [long, " ", ""]


def test_pandas_path_skips_blank_lines_when_the_record_check_disagrees(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(csv_reader_fast, "read_csv", lambda *args, **kwargs: None)
    raw = b"Spend\n5\n \n\n7\n"
    honest = core_io._records_with_fields
    assert honest(raw.decode(), ",") == [True, True, True, False, True]
    # a split into another number of records: which rows were empty lines is unknown, so the file is
    # read as pandas reads it (blank lines skipped), never with rows mismatched
    monkeypatch.setattr(core_io, "_records_with_fields", lambda text, sep: honest(text, sep)[:-1])
    assert read_table(raw).frame["Spend"].tolist() == ["5", "7"]
    # as many records, but one pandas read as a line of spaces said to be an empty line
    monkeypatch.setattr(core_io, "_records_with_fields", lambda text, sep: [True, True, False, True, True])
    assert read_table(raw).frame["Spend"].tolist() == ["5", "7"]

