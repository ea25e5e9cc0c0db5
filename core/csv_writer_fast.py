"""The fast path of :func:`core.export.iter_csv`: a table's CSV bytes made by pyarrow's compute functions.

It writes exactly the bytes of the reference path (``core.export._pandas_csv``: ``DataFrame.to_csv``),
3-5x faster and a slice of rows at a time, for the tables it knows (:func:`plan`; the clustered table:
text, whole numbers, booleans, float64 and categorical text columns); any other table is left to pandas.
Measured in docs/performance.md; ``tests/core/test_csv_writer_fast.py`` compares the two writers on
generated tables (quoting, line breaks, blank cells, negative numbers, huge integers, every float
magnitude, unicode). Floats of a few decimals (the confidence columns) are written from integers
(:func:`_few_decimals_texts`), the others by pyarrow's cast checked against ``repr``.
"""

from __future__ import annotations

import functools
import re
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["plan", "write", "ROWS_PER_STEP"]

#: Rows written per step (bounds the working memory to a slice of the table).
ROWS_PER_STEP = 100_000


def plan(frame: pd.DataFrame) -> list[tuple[str, object]] | None:
    """How the fast writer writes each column (see :func:`_csv_column`), or None when pandas must write
    the table: a one-column table, a name that is not a string, or a column of another kind."""
    if frame.shape[1] < 2 or not all(isinstance(name, str) for name in frame.columns):
        return None
    columns = [_csv_column(frame.iloc[:, position]) for position in range(frame.shape[1])]
    return None if any(column is None for column in columns) else columns  # type: ignore[return-value]


def write(header: list[str], columns: list[tuple[str, object]], rows: int, threads: int = 1, separator: str = ",",
          decimal: str = ".") -> Iterator[bytes]:
    """The bytes ``DataFrame.to_csv(index=False)`` writes (same quoting, line ends and cell texts), 5-10x faster, for
    tables of two columns or more whose columns are text (pyarrow-backed, or objects that are all
    strings), whole numbers, booleans or float64: the clustered table. One piece per step of rows.

    The csv writer's rules, kept here: a value or header is quoted when it holds the separator, a quote
    (doubled inside) or a character of the line ending; missing values are empty; lines end with LF, or
    CRLF when any value holds a CR (see :func:`to_csv_bytes`). The one rule this skips, a lone empty
    value written as ``""``, only exists in one-column tables, which are left to pandas.

    With ``threads`` above one, that many steps of rows are made at a time (pyarrow's functions leave
    Python's lock while they work), handed back in order; at most ``2 * threads`` steps are held at once.
    The same bytes for any number.

    ``separator`` and ``decimal`` are those of ``to_csv(sep=, decimal=)``: a semicolon file with decimal commas
    (a German export) is written back as it came, its floats with a decimal comma.
    """
    # Only text can hold a separator, quote or line break (numbers, True/False never do): which columns
    # may need quoting is decided once, by a byte search of their text (~5 ms per 100 MB).
    texts_of = [values if kind == "text" else _used_categories(*values) if kind == "category" else None
                for kind, values in columns]
    special = [texts is not None and _holds(texts, (separator.encode(), b'"', b"\r", b"\n")) for texts in texts_of]
    carriage = any("\r" in name for name in header) or any(
        flag and _holds(texts, (b"\r",)) for flag, texts in zip(special, texts_of))
    ending = "\r\n" if carriage else "\n"
    text = functools.partial(pa.scalar, type=pa.large_string())
    yield (separator.join(_quote(name, separator) for name in header) + ending).encode("utf-8")
    needs_quotes = "[" + re.escape(separator) + '"\r\n]'


    def step(first: int) -> bytes:
        """The lines of rows ``first .. first + ROWS_PER_STEP``."""
        texts = []
        for position, ((kind, values), check) in enumerate(zip(columns, special)):
            # the line's end: in the last cell's few texts when it is True/False or a name never quoted
            folded = position == len(columns) - 1 and kind in ("bool", "category") and not check
            part = _csv_cells(kind, values, first, ROWS_PER_STEP, ending if folded else "")
            if kind == "float" and decimal != ".":
                part = pc.replace_substring(part, ".", decimal)
            needs = pc.match_substring_regex(part, needs_quotes) if check else None
            if needs is not None and pc.any(needs).as_py():
                quoted = pc.binary_join_element_wise(text('"'), pc.replace_substring(part, '"', '""'), text('"'),
                                                     text(""))
                part = pc.if_else(needs, quoted, part)
            texts.append(part)
        if not folded:  # the line's end
            texts[-1] = pc.binary_join_element_wise(texts[-1], text(""), text(ending))
        lines = pc.binary_join_element_wise(*texts, text(separator))
        pieces = []
        for chunk in lines.chunks if isinstance(lines, pa.ChunkedArray) else [lines]:
            offsets = np.frombuffer(chunk.buffers()[1], dtype=np.int64)[chunk.offset:chunk.offset + len(chunk) + 1]
            if len(chunk):
                pieces.append(memoryview(chunk.buffers()[2])[offsets[0]:offsets[-1]])
        return b"".join(pieces)

    firsts = range(0, rows, ROWS_PER_STEP)
    if threads <= 1 or len(firsts) < 2:
        yield from map(step, firsts)
    else:
        yield from _in_order(step, firsts, threads)


def _in_order(function: Callable[[int], bytes], items: Sequence[int], threads: int) -> Iterator[bytes]:
    """``map(function, items)`` with ``threads`` calls at a time, the results in order, at most ``2 * threads``
    of them made ahead of the one the caller takes (the pieces of a large file never pile up in memory)."""
    with ThreadPoolExecutor(threads, thread_name_prefix="csv") as pool:
        ahead: deque[Future[bytes]] = deque()
        try:
            for item in items:
                ahead.append(pool.submit(function, item))
                if len(ahead) >= 2 * threads:
                    yield ahead.popleft().result()
            while ahead:
                yield ahead.popleft().result()
        finally:  # the caller stopped early (or a step failed): what is not started is not made
            for future in ahead:
                future.cancel()


def _used_categories(codes: np.ndarray, categories: pa.ChunkedArray) -> pa.ChunkedArray:
    """The categories some cell holds (an unused one holding a CR must not change the line ends)."""
    used = np.flatnonzero(np.bincount(codes[codes >= 0].astype(np.int64), minlength=len(categories)))
    return categories.take(pa.array(used))


def _holds(values: pa.ChunkedArray, needles: tuple[bytes, ...]) -> bool:
    """Whether any value of a pyarrow string array holds one of ``needles`` (bytes): a search of the
    values' bytes, 16 MB at a time."""
    for chunk in values.chunks:  # large_string (see _csv_column): 64-bit offsets
        if not len(chunk) or chunk.buffers()[2] is None:
            continue
        offsets = np.frombuffer(chunk.buffers()[1], dtype=np.int64)[chunk.offset:chunk.offset + len(chunk) + 1]
        data = memoryview(chunk.buffers()[2])[offsets[0]:offsets[-1]]
        for start in range(0, len(data), 1 << 24):
            part = bytes(data[start:start + (1 << 24)])
            if any(needle in part for needle in needles):
                return True
    return False


def _csv_column(values: pd.Series) -> tuple[str, object] | None:
    """How to write a column: ``("text", pyarrow strings)``, ``("int" | "bool", pyarrow array)``,
    ``("float", float64 numpy array)``, ``("category", (codes, pyarrow strings))`` for a categorical
    column of text (the segment names); None if pandas must write it."""
    dtype = values.dtype
    if isinstance(dtype, pd.CategoricalDtype):  # the codes, and each value's text once
        if dtype.categories.inferred_type not in ("string", "empty"):
            return None
        categories = pa.array([str(c) for c in dtype.categories], pa.large_string())
        return "category", (values.cat.codes.to_numpy(), pa.chunked_array([categories]))
    if isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow":
        return "text", values.array.__arrow_array__().cast(pa.large_string())
    if dtype == object:
        try:  # every value a string (or missing): the segment names
            return "text", pa.chunked_array([pa.array(values.to_numpy(), pa.large_string(), from_pandas=True)])
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            return None
    if pd.api.types.is_bool_dtype(dtype):
        return "bool", pa.chunked_array([pa.array(values.array, from_pandas=True)])
    if pd.api.types.is_integer_dtype(dtype):
        return "int", pa.chunked_array([pa.array(values.array, from_pandas=True)])
    if dtype == np.float64:
        return "float", values.to_numpy()
    return None


def _csv_cells(kind: str, values: object, first: int, count: int, end: str = "") -> pa.Array | pa.ChunkedArray:
    """Rows ``first .. first + count`` of a column as the text pandas writes (missing: empty); ``end``
    (a bool or category column only) follows each text."""
    missing = pa.scalar(end, pa.large_string())  # a missing cell's text
    if kind == "float":
        return _float_texts(values[first:first + count])  # type: ignore[index]
    if kind == "category":
        codes, categories = values  # type: ignore[misc]
        names = categories.chunk(0)
        if end:
            names = pc.binary_join_element_wise(names, missing, pa.scalar("", pa.large_string()))
        part_codes = codes[first:first + count]
        return pc.fill_null(names.take(pa.array(part_codes, mask=part_codes < 0)), missing)
    part = values.slice(first, count)  # type: ignore[attr-defined]
    if kind == "bool":
        part = pc.if_else(part, pa.scalar("True" + end, pa.large_string()), pa.scalar("False" + end, pa.large_string()))
    elif kind == "int":
        part = pc.cast(part, pa.large_string())
    return pc.fill_null(part, missing)


#: Texts pyarrow writes for a float64 exactly as Python's repr (and so pandas) does: fixed notation with a
#: fractional part, at most 16 digits before the point and 3 zeros after "0." (checked on 6.6 million
#: values of every magnitude); the others (whole numbers, very small or large ones) go through repr.
_REPR_AS_ARROW = r"^-?(0\.0{0,3}[1-9][0-9]*|[1-9][0-9]{0,15}\.[0-9]+)$"


def _float_texts(values: np.ndarray) -> pa.Array:
    """``repr`` of each float64 (pandas' to_csv text), empty for NaN.

    Values of a few decimals (the confidence columns, rounded to 4) are written from integers by
    :func:`_few_decimals_texts`, 3x faster than pyarrow's cast; the others by :func:`_general_float_texts`."""
    few = _few_decimals_texts(values)
    if few is None:
        return _general_float_texts(values)
    text, done = few
    rest = ~done & ~np.isnan(values)
    if rest.any():
        text = pc.replace_with_mask(text, pa.array(rest), _general_float_texts(values[rest]))
    return text


def _general_float_texts(values: np.ndarray) -> pa.Array:
    """``repr`` of each float64, empty for NaN: pyarrow's cast where it writes repr's text, repr
    elsewhere; 3x faster than repr on each."""
    text = pc.cast(pa.array(values), pa.large_string())
    nan = np.isnan(values)
    slow = ~pc.match_substring_regex(text, _REPR_AS_ARROW).to_numpy(zero_copy_only=False) & ~nan
    if slow.any():
        text = pc.replace_with_mask(text, pa.array(slow),
                                    pa.array([repr(v) for v in values[slow].tolist()], pa.large_string()))
    if nan.any():
        text = pc.if_else(pa.array(nan), pa.scalar("", pa.large_string()), text)
    return text


#: The numbers of decimals :func:`_few_decimals_texts` can write (a value of fewer decimals fits either).
_DECIMALS = (4, 6)
#: Integers (value x 10**decimals) at most this large in magnitude: a double's spacing there is below
#: 10**-decimals, so no shorter text than the decimal's own can name the same double (see below).
_LARGEST = 2.0 ** 50
#: Values (not NaN) looked at first to choose the decimals, or leave a slice to the general path.
_PROBE = 256


@functools.cache
def _digit_groups() -> np.ndarray:
    """Four-character texts of 0..9999 as little-endian uint32 (one gather writes four characters), in
    four tables one after the other: ``0042`` (zero-padded), ``  42`` (space-padded), four spaces, and
    ``0042`` with trailing zeros made spaces but the first digit kept (``0`` + 3 spaces for 0, ``5`` +
    3 spaces for 5000: a fraction's digits)."""
    number = np.arange(10_000)
    digits = np.stack([number // 1000, number // 100 % 10, number // 10 % 10, number % 10], axis=1)
    chars = (digits + ord("0")).astype(np.uint8)
    position = np.arange(4)
    length = 1 + (number >= 10) + (number >= 100) + (number >= 1000)
    space = np.uint8(ord(" "))
    left = np.where(position >= 4 - length[:, None], chars, space)
    kept = np.maximum(1, 4 - (np.cumprod(digits[:, ::-1] == 0, axis=1).sum(axis=1)))  # digits up to the last non-zero
    trimmed = np.where(position < kept[:, None], chars, space)
    blank = np.full_like(chars, space)
    return np.ascontiguousarray(np.concatenate([chars, left, blank, trimmed])).view("<u4").ravel()


_ZERO, _LEFT, _BLANK, _TRIM = (kind * 10_000 for kind in range(4))


def _fits(values: np.ndarray, decimals: int) -> tuple[np.ndarray, np.ndarray]:
    """Which values :func:`_few_decimals_texts` can write with ``decimals`` decimals, and ``|q|`` (below)."""
    scale = 10.0 ** decimals
    with np.errstate(invalid="ignore", over="ignore"):
        q = np.rint(values * scale)
        size = np.abs(q)
        fits = (q / scale == values) & (size < _LARGEST) & ((size >= 10 ** (decimals - 4)) | (q == 0))
    return fits, size


def _few_decimals_texts(values: np.ndarray) -> tuple[pa.Array, np.ndarray] | None:
    """Each float64's ``repr`` where the value is the double nearest to a number of ``d`` = 4 (or 6)
    decimals or fewer, with 1e-4 <= |x| < 2**50 / 10**d (~1e11; ~1e9 for 6 decimals) or zero, written from
    integers; the others empty. Also which were written. None when the first values (:data:`_PROBE`) have
    more decimals: the general path writes the slice.

    The number of decimals written (4 or 6, :data:`_DECIMALS`) is the one most of the first values fit.

    Why it is exact: with ``q = rint(x * 10**d)``, ``q / 10**d == x`` says that ``x`` is the double
    nearest to the decimal ``D = q * 10**-d`` (a division of exact doubles is correctly rounded). As
    ``|q| < 2**50``, the doubles around ``x`` are less than ``10**-d`` apart, so every decimal that rounds
    to ``x`` is within ``10**-d`` of ``D``: none other has ``d`` decimals or fewer, and one with more
    decimals has more significant digits than ``D``. ``repr`` writes the shortest text that rounds to
    ``x`` (the nearest among equals), so ``D``, in fixed notation from 1e-4 to 1e16: ``"0.0001"``,
    ``"3.0"``, ``"-0.5"``, ``"-0.0"`` (tests compare with ``repr``).

    The texts are built as fixed-width rows of characters (sign slot, whole part in groups of four,
    point, fraction), padded with spaces that one pyarrow trim removes.
    """
    count = values.shape[0]
    probe = values[:_PROBE * 4]
    probe = probe[~np.isnan(probe)][:_PROBE]
    tried = [(int(_fits(probe, decimals)[0].sum()), decimals) for decimals in _DECIMALS]
    fitting, decimals = max(tried, key=lambda pair: (pair[0], -pair[1]))  # the most, then the fewer decimals
    if not fitting:
        return None
    done, size = _fits(values, decimals)
    whole, fraction = np.divmod(np.where(done, size, 0).astype(np.int64), 10 ** decimals)
    groups = max(1, (len(str(int(whole.max()))) + 3) // 4)
    fields = [("sign", "u1")] + [(f"w{g}", "<u4") for g in range(groups)] + [("point", "u1")] + [
        (f"f{g}", "<u4") for g in range((decimals + 3) // 4)]
    rows = np.empty(count, dtype=np.dtype(fields))
    table = _digit_groups()
    rows["sign"] = ord(" ")
    rows["point"] = ord(".")
    for g in range(groups):  # the most significant group first
        power = 10 ** (4 * (groups - 1 - g))
        value = whole // power % 10_000
        if g == groups - 1:  # the units: space-padded unless a higher group is written
            kind = np.where(whole >= 10_000, _ZERO, _LEFT)
        else:
            kind = np.where(whole >= power * 10_000, _ZERO, np.where(value > 0, _LEFT, _BLANK))
        rows[f"w{g}"] = table[value + kind]
    if decimals <= 4:
        rows["f0"] = table[fraction * 10 ** (4 - decimals) + _TRIM]
    else:  # eight digits in two groups: the second empty when its digits are zeros
        high, low = np.divmod(fraction * 10 ** (8 - decimals), 10_000)
        rows["f0"] = table[high + np.where(low == 0, _TRIM, _ZERO)]
        rows["f1"] = table[low + np.where(low == 0, _BLANK, _TRIM)]
    chars = rows.view(np.uint8).reshape(count, -1)
    if not done.all():  # rows left to the general path (or NaN): blank, trimmed to nothing
        chars[~done] = ord(" ")
    negative = np.flatnonzero(done & np.signbit(values))
    if negative.size:  # the sign just before the first digit
        length = np.ones(negative.size, dtype=np.int64)
        for power in range(1, 4 * groups):
            length += whole[negative] >= 10 ** power
        chars[negative, 4 * groups - length] = ord("-")
    width = chars.shape[1]
    padded = pa.LargeStringArray.from_buffers(
        count, pa.py_buffer(np.arange(0, (count + 1) * width, width, dtype=np.int64)), pa.py_buffer(chars))
    return pc.ascii_trim_whitespace(padded), done


def _quote(text: str, separator: str = ",") -> str:
    """A value as the csv writer writes it (QUOTE_MINIMAL)."""
    return '"' + text.replace('"', '""') + '"' if any(c in text for c in separator + '"\r\n') else text
