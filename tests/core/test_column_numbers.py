"""Numeric columns are parsed once and kept beside the text (issue 15, goal 4).

``TableRead.numbers`` keeps what the data check parsed; ``prepare_features`` (the sweep and the fit) takes
the columns from it instead of parsing them again. The answers must be those of the text path: the same
quality report, the same feature matrix to the bit, the same labels and WCSS, the same written bytes, on
files with blanks, missing markers, text in numeric cells, thousands separators, decimal commas and
negative numbers.
"""

from __future__ import annotations

import io
from dataclasses import replace

import numpy as np
import pytest

from core import prepare, quality
from core.cli import main
from core.io import read_table
from core.prepare import prepare_features
from core.quality import ColumnNumbers, check_quality, without_first_row
from core.segmentation import segment_new

FEATURES = ["Age", "Income", "Spend", "Balance"]


def _file(rows: int, separator: str, decimal: str, seed: int = 0) -> bytes:
    """A customer file whose numeric columns hold every kind of cell the parser has rules for."""
    rng = np.random.default_rng(seed)
    group = rng.integers(0, 4, rows)
    lines = [separator.join(["CustomerID", "Gender", *FEATURES])]
    for i in range(rows):
        age = str(int(18 + 12 * group[i] + rng.integers(0, 10)))
        income = f"{20_000 * (group[i] + 1) + rng.normal(0, 3000):.2f}"
        spend = f"{-50 + 40 * group[i] + rng.normal(0, 10):.3f}"  # negatives too
        balance = f"{rng.normal(0, 500):.1f}"
        roll = rng.random()
        if roll < 0.03:
            age = ""  # a blank
        elif roll < 0.05:
            income = "n/a"  # a missing marker
        elif roll < 0.06:
            spend = "unknown"  # text in a numeric cell
        elif roll < 0.12:  # thousands separators and currency, as the file's decimal mark writes them
            whole, frac = income.split(".")
            grouped = f"{int(whole):,}".replace(",", "." if decimal == "," else ",")
            income = f"${grouped}{decimal}{frac}" if separator != "," else f'"${grouped}.{frac}"'
        if decimal == ",":
            income, spend, balance = (v.replace(".", ",") if v.count(".") == 1 and "$" not in v else v
                                      for v in (income, spend, balance))
        lines.append(separator.join([f"C{i:05d}", "FM"[i % 2], age, income, spend, balance]))
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture(params=[(",", "."), (";", ",")], ids=["point", "comma"])
def table(request):
    separator, decimal = request.param
    read = read_table(_file(3000, separator, decimal, seed=len(separator) + ord(separator)))
    assert read.decimal == decimal
    return read


def test_the_kept_numbers_give_the_text_paths_answers(table):
    report_text = check_quality(table.frame, table.decimal)
    report_typed = check_quality(table.frame, table.decimal, table.numbers)
    assert report_typed == report_text
    assert report_text.column("Income").not_numbers == 0 and report_text.column("Spend").not_numbers > 0
    text = prepare_features(table.frame, FEATURES, "mean", table.decimal)
    typed = prepare_features(table.frame, FEATURES, "mean", table.decimal, numbers=table.numbers)
    assert typed.X.tobytes() == text.X.tobytes() and np.array_equal(typed.used, text.used)
    assert typed.notes == text.notes and (typed.X < 0).any()
    seg_text = segment_new(table.frame, FEATURES, 4, 0, "mean", table.decimal)
    seg_typed = segment_new(table.frame, FEATURES, 4, 0, "mean", table.decimal, matrix=typed)
    assert np.array_equal(seg_typed.labels, seg_text.labels)
    assert seg_typed.pipeline[-1].inertia_ == seg_text.pipeline[-1].inertia_


def test_the_features_are_not_parsed_again_after_the_check(table, monkeypatch):
    check_quality(table.frame, table.decimal, table.numbers)
    parsed: list[int] = []
    original = quality._parse_cells  # (what parse_columns parses the cells of its columns with)
    monkeypatch.setattr(quality, "_parse_cells", lambda values, decimal: parsed.append(len(values))
                        or original(values, decimal))
    matrix = prepare_features(table.frame, FEATURES, "drop", table.decimal, numbers=table.numbers)
    assert parsed == [] and matrix.X.shape[1] == 4
    # a column the check found to be text is not kept: asking for it parses it (and refuses it, as before)
    with pytest.raises(Exception, match="not a numeric column"):
        prepare_features(table.frame, ["Gender"], "drop", table.decimal, numbers=table.numbers)
    assert parsed == [len(table.frame)]


def test_an_id_column_is_not_kept_and_is_parsed_when_asked_for(monkeypatch):
    rows = "\n".join(f"{1000 + i},{20 + i % 40},{(i * 37) % 100}" for i in range(500))
    table = read_table(f"CustomerID,Age,Spend\n{rows}\n".encode())
    report = check_quality(table.frame, table.decimal, table.numbers)
    assert report.column("CustomerID").kind == "numeric" and report.column("CustomerID").id_like
    parsed: list[int] = []
    original = quality._parse_cells  # (what parse_columns parses the cells of its columns with)
    monkeypatch.setattr(quality, "_parse_cells", lambda values, decimal: parsed.append(len(values))
                        or original(values, decimal))
    (_, age, _), = table.numbers.columns([1], keep=False)
    assert parsed == [] and not age.flags.writeable  # the check kept Age (read-only) ...
    (_, ids, _), = table.numbers.columns([0], keep=False)
    assert parsed == [500]  # ... but parsed the ID afresh here: it was not kept
    typed = prepare_features(table.frame, ["CustomerID", "Age"], "drop", table.decimal, numbers=table.numbers)
    assert typed.X.tobytes() == prepare_features(table.frame, ["CustomerID", "Age"], "drop", table.decimal).X.tobytes()


def test_features_never_add_to_the_kept_numbers(monkeypatch):
    """A cached dataset's numbers stay as the check left them: an ID chosen as a feature is parsed for the
    matrix and not added to them (it was, growing a stored entry beyond the size counted for it)."""
    rows = "\n".join(f"{1000 + i},{20 + i % 40},{(i * 37) % 100}" for i in range(500))
    table = read_table(f"CustomerID,Age,Spend\n{rows}\n".encode())
    check_quality(table.frame, table.decimal, table.numbers)
    parsed: list[int] = []
    original = quality._parse_cells  # (what parse_columns parses the cells of its columns with)
    monkeypatch.setattr(quality, "_parse_cells", lambda values, decimal: parsed.append(len(values))
                        or original(values, decimal))
    for _ in range(2):
        prepare_features(table.frame, ["CustomerID", "Age"], "drop", table.decimal, numbers=table.numbers)
    assert parsed == [500, 500]  # the ID each time, Age never: only what the check kept is taken
    parsed.clear()
    table.numbers.columns([0], keep=False).__next__()
    assert parsed == [500]  # still not kept


def test_the_kept_numbers_cannot_be_changed_by_a_caller(table):
    check_quality(table.frame, table.decimal, table.numbers)
    (_, numbers, invalid), = table.numbers.columns([table.frame.columns.get_loc("Age")])
    with pytest.raises(ValueError):
        numbers[0] = 1.0
    with pytest.raises(ValueError):
        invalid[0] = True


def test_numbers_of_another_frame_or_decimal_mark_are_not_used(table):
    check_quality(table.frame, table.decimal, table.numbers)
    shorter = without_first_row(table.frame)
    assert not table.numbers.belongs_to(shorter, table.decimal)
    assert not table.numbers.belongs_to(table.frame, "," if table.decimal == "." else ".")
    matrix = prepare_features(shorter, FEATURES, "mean", table.decimal, numbers=table.numbers)
    assert matrix.X.tobytes() == prepare_features(shorter, FEATURES, "mean", table.decimal).X.tobytes()
    # a table made from another frame gets numbers of its own
    other = replace(table, frame=shorter)
    assert other.numbers is not table.numbers and other.numbers.belongs_to(shorter, table.decimal)


@pytest.mark.parametrize("command", [["fit", "--k", "4", "--stability-runs", "0"],
                                     pytest.param(["fit", "--k", "auto"], marks=pytest.mark.slow),
                                     ["sweep", "--k-max", "4"]])
def test_the_command_line_writes_the_same_bytes_as_the_text_path(tmp_path, monkeypatch, command):
    path = tmp_path / "customers.csv"
    path.write_bytes(_file(2000, ";", ",", seed=3))
    extra = ["--features", ",".join(FEATURES), "--missing", "mean"]

    def run(tag: str) -> tuple[str, bytes]:
        out = tmp_path / f"{tag}.csv"
        outputs = ["--out", str(out)] if command[0] == "fit" else []
        printed = io.StringIO()
        assert main([*command, str(path), *extra, *outputs], out=printed, err=io.StringIO()) == 0
        return printed.getvalue().replace(str(out), "OUT"), out.read_bytes() if outputs else b""

    typed = run("typed")
    monkeypatch.setattr(ColumnNumbers, "belongs_to", lambda self, frame, decimal: False)  # the text path
    text = run("text")
    assert typed == text
    assert typed[0]


def test_fit_with_a_saved_model_parses_no_column_the_check_parsed(tmp_path, monkeypatch):
    path = tmp_path / "customers.csv"
    path.write_bytes(_file(2000, ";", ",", seed=4))
    model = tmp_path / "model.json"
    assert main(["fit", str(path), "--features", ",".join(FEATURES), "--missing", "mean", "--k", "3",
                 "--stability-runs", "0", "--save-model", str(model), "--out", str(tmp_path / "trained.csv")],
                out=io.StringIO(), err=io.StringIO()) == 0
    parsed: list[str] = []
    original = quality.parse_columns

    def spy(frame, positions, decimal="."):
        positions = list(positions)
        parsed.extend(str(frame.columns[j]) for j in positions)
        return original(frame, positions, decimal)

    monkeypatch.setattr(quality, "parse_columns", spy)
    monkeypatch.setattr(prepare, "parse_columns", spy)

    def run(tag: str) -> tuple[str, bytes]:
        out = tmp_path / f"{tag}.csv"
        printed = io.StringIO()
        assert main(["fit", str(path), "--model", str(model), "--missing", "mean", "--stability-runs", "0",
                     "--out", str(out)], out=printed, err=io.StringIO()) == 0
        return printed.getvalue().replace(str(out), "OUT"), out.read_bytes()

    typed = run("typed")
    assert sorted(set(parsed)) == sorted(["CustomerID", "Gender", *FEATURES])  # each once, by the data check
    assert len(parsed) == len(set(parsed))
    monkeypatch.setattr(ColumnNumbers, "belongs_to", lambda self, frame, decimal: False)  # the text path
    assert typed == run("text")


@pytest.mark.parametrize("draw", [
    lambda rng, n: rng.integers(18, 90, n).astype(float),  # int8
    lambda rng, n: rng.integers(-30_000, 30_000, n).astype(float),  # int16
    lambda rng, n: np.arange(1, n + 1, dtype=float) * 7,  # int32
    lambda rng, n: np.round(rng.gamma(2, 40, n), 2),  # a price
    lambda rng, n: np.round(rng.normal(0, 3, n), 1),  # negatives and -0.0: kept as they are
    lambda rng, n: np.r_[np.round(rng.random(n - 1), 4), 1 / 3],  # a value with every decimal at the end
    lambda rng, n: np.r_[rng.integers(0, 9, n - 1).astype(float), np.nan],  # a missing value
    lambda rng, n: np.round(rng.random(n), 2) + 1e14,  # too large for exact integers
    lambda rng, n: rng.integers(0, 5, n).astype(float) * 1e15,  # large, and exact: int64
    lambda rng, n: rng.integers(0, 9, 1_000).astype(float),  # a short column: as it is
], ids=["int8", "int16", "int32", "price", "negative-zero", "late-decimals", "missing", "too-large", "int64", "short"])
def test_kept_numbers_pickle_compactly_and_come_back_bit_for_bit(draw):
    """The dashboard's store pickles each dataset with its kept numbers: whole numbers and prices go as small
    integers (1-4 bytes per cell, not 9), and come back bit for bit; anything else goes as it is."""
    import pickle

    rng = np.random.default_rng(4)
    values = draw(rng, 200_000)
    invalid = np.zeros(values.size, dtype=bool)
    invalid[::1_000] = values[0] != values[0]  # (none, except with the missing value)
    kept = ColumnNumbers(None, ".")
    kept.keep(0, values.copy(), invalid.copy())
    again = pickle.loads(pickle.dumps(kept, protocol=5))
    ((_, numbers, flags),) = list(again.columns([0]))
    assert numbers.dtype == np.float64 and numbers.tobytes() == values.tobytes()
    np.testing.assert_array_equal(flags, invalid)
    assert not numbers.flags.writeable and not flags.flags.writeable
    packed, _ = kept.__getstate__()["_kept"][0]
    packable = values.size >= quality._PACK_MIN_ROWS and np.isfinite(values).all() and not (
        np.signbit(values) & (values == 0)).any() and quality._few_decimals(values) is not None and \
        np.abs(values).max() < 2 ** 52 / 10 ** quality._few_decimals(values)
    assert isinstance(packed, tuple) == packable
    if packable:
        assert packed[0].itemsize <= 8 and packed[0].dtype.kind == "i"


def test_a_pickled_dataset_keeps_its_numbers_in_a_third_less_room():
    """A 200,000-row table of ages, incomes and prices: the kept numbers shrink from 9 bytes per cell to 1-4."""
    import pickle

    rng = np.random.default_rng(5)
    rows = 200_000
    lines = ["Age,Income,Basket"] + [f"{a},{i},{b:.2f}" for a, i, b in zip(
        rng.integers(18, 90, rows), rng.integers(10, 250, rows), rng.gamma(2, 30, rows))]
    read = read_table(("\n".join(lines) + "\n").encode())
    check_quality(read.frame, read.decimal, read.numbers)
    unpacked = sum(numbers.nbytes + flags.nbytes for numbers, flags in read.numbers._kept.values())
    size = len(pickle.dumps(read.numbers, protocol=5))
    frame = len(pickle.dumps(read.frame, protocol=5))
    assert unpacked == 3 * rows * 9
    assert size - frame < rows * (1 + 2 + 4) + 10_000  # int8 ages, int16 incomes, int32 prices in cents
    again = pickle.loads(pickle.dumps(read, protocol=5))
    for j, (numbers, flags) in read.numbers._kept.items():
        ((_, back, back_flags),) = list(again.numbers.columns([j]))
        assert back.tobytes() == numbers.tobytes() and np.array_equal(back_flags, flags)
