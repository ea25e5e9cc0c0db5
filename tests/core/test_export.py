"""core.export: spreadsheet formula escaping of cells and headers; numbers untouched."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from core.export import escape_formula, escape_formulas, to_csv_bytes


@pytest.mark.parametrize("text", ["=SUM(A1:A9)", "+cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0", "@SUM(1)",
                                  "\t=1", "\r=1", "\n=1", "=", "-", "+", "@", "-1+2", "=1", "+1)", "-A1"])
def test_formula_like_text_is_escaped(text):
    assert escape_formula(text) == "'" + text


@pytest.mark.parametrize("text", ["-5", "+3.2", "1e-3", "-1.5E+3", ".5", "-.5", "42", "0", "", "abc",
                                  "a=b", " =1", "'=already", "Zoë", "3,5"])
def test_harmless_text_untouched(text):
    assert escape_formula(text) == text


@pytest.mark.parametrize("text", ["-3,5", "-1,234", "+1.234,50", "-12%", "-7 "])
def test_negative_numbers_written_the_local_way_untouched(text):
    # decimal commas, thousands separators, percentages and padding are numbers the reader accepts
    assert escape_formula(text) == text


def test_escape_formulas_cells_and_headers():
    frame = pd.DataFrame({
        "=HEADER": ["=1+1", "ok", "-5"],
        "@at": ["@x", "+3.2", "\tx"],
        "plain": ["a", "b", "c"],
        "numbers": [-5, 3, 7],
        "floats": [-1.5, 2.0, float("nan")],
    })
    before = frame.copy()
    out = escape_formulas(frame)
    pd.testing.assert_frame_equal(frame, before)  # copy, input unchanged
    assert list(out.columns) == ["'=HEADER", "'@at", "plain", "numbers", "floats"]
    assert out.iloc[:, 0].tolist() == ["'=1+1", "ok", "-5"]
    assert out.iloc[:, 1].tolist() == ["'@x", "+3.2", "'\tx"]
    assert out["plain"].tolist() == ["a", "b", "c"]
    pd.testing.assert_series_equal(out["numbers"], frame["numbers"])
    pd.testing.assert_series_equal(out["floats"], frame["floats"])


@pytest.mark.parametrize("dtype", [object, "str"])
def test_escape_formulas_with_string_dtypes(dtype):
    frame = pd.DataFrame({"x": pd.Series(["=1", "-5", "a"], dtype=dtype)})
    assert escape_formulas(frame)["x"].tolist() == ["'=1", "-5", "a"]


def test_to_csv_bytes():
    frame = pd.DataFrame({
        "name": ["=HYPERLINK(\"http://x\")", "Zoë", "-cmd"],
        "value": ["-5", "+3.2", "007"],
        "cluster": pd.array([1, None, 2], dtype="Int64"),
    })
    raw = to_csv_bytes(frame)
    assert raw.decode("utf-8").splitlines()[0] == "name,value,cluster"
    back = pd.read_csv(io.BytesIO(raw), dtype=str, keep_default_na=False)
    assert back["name"].tolist() == ["'=HYPERLINK(\"http://x\")", "Zoë", "'-cmd"]
    assert back["value"].tolist() == ["-5", "+3.2", "007"]
    assert back["cluster"].tolist() == ["1", "", "2"]
    assert b"\r\n" not in raw


def _arrow_text_column(chunks: list[list[str | None]], kind) -> pd.Series:
    """A pyarrow-backed text column held as ``chunks`` (sliced, so that each chunk's offsets start past 0)."""
    import pyarrow as pa

    parts = [pa.array(["pad", *chunk], kind).slice(1) for chunk in chunks]
    return pd.Series(pd.arrays.ArrowStringArray(pa.chunked_array(parts, kind)))


@pytest.mark.parametrize("kind", ["string", "large_string"])
@pytest.mark.parametrize("risky", ["=1", "+x", "-A1", "@a", "\tx", "\rx", "\nx", "\uff1dA1", "\ufe66A1"])
def test_escape_formulas_finds_a_formula_anywhere_in_arrow_text(kind, risky):
    # escape_formulas screens a pyarrow column by each cell's first byte: one formula among many cells, in
    # any chunk, after empty and missing cells, is escaped exactly as escape_formula does it cell by cell
    import pyarrow as pa

    harmless = ["Zoë", "", None, "a=b", " =1", "\u4e2d\u6587", "x\uff1d"]
    for where in (0, 1):
        chunks = [harmless * 50, harmless * 50]
        chunks[where] = chunks[where] + [risky]
        column = _arrow_text_column(chunks, getattr(pa, kind)())
        cells = column.tolist()
        expected = [escape_formula(c) if isinstance(c, str) else c for c in cells]
        assert escape_formulas(pd.DataFrame({"x": column}))["x"].tolist() == expected
        assert sum(a != b for a, b in zip(expected, cells) if isinstance(a, str)) == 1


@pytest.mark.parametrize("kind", ["string", "large_string"])
def test_escape_formulas_leaves_harmless_arrow_text_as_it_is(kind):
    import pyarrow as pa

    # "\uff10" starts with the byte 0xEF, as U+FF1D does: the exact test decides
    column = _arrow_text_column([["Zoë", "", None, "\uff10", "7"] * 20, [], ["b"]], getattr(pa, kind)())
    out = escape_formulas(pd.DataFrame({"x": column}))
    assert out["x"].tolist() == column.tolist()
