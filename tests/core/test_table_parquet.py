"""core.io.table_to_parquet / table_from_parquet: how the saved library stores an uploaded table."""

from __future__ import annotations

import pandas as pd
import pytest

from core.errors import ReadError
from core.io import read_table, table_from_parquet, table_to_parquet


def test_every_cell_name_and_reading_detail_comes_back():
    raw = ("sep=;\nc0;Name;Umsatz;  spaces  ;=SUM(A1)\n007;Zoë;1,5;;=1+1\n 7 ;\u00a0;NA;x;\n").encode("cp1252",
                                                                                                     "replace")
    table = read_table(raw, "kunden.csv")
    back = table_from_parquet(table_to_parquet(table))
    pd.testing.assert_frame_equal(back.frame, table.frame)
    assert list(back.frame.columns) == list(table.frame.columns)
    assert (back.file_format, back.encoding, back.separator, back.decimal, back.warnings) == \
        (table.file_format, table.encoding, table.separator, table.decimal, table.warnings)
    assert back.frame.iloc[0, 0] == "007" and back.frame.iloc[1, 0] == " 7 "


def test_not_a_stored_table_is_a_read_error():
    with pytest.raises(ReadError):
        table_from_parquet(b"PAR1 not really")
    with pytest.raises(ReadError):
        table_from_parquet(b"\x80\x04\x95 a pickle")
