"""Numbers as real exports write them: European and accounting formats (found from outside).

A German or French spreadsheet writes an amount as ``1.234,56 €`` or ``1 234,56 €`` (a no-break space
between the thousands), an accounting export as ``($1,234.50)`` for a negative, SAP as ``1234.50-``, and
many tools put the currency's code before or after the number (``USD 12.50``, ``12.50 CHF``). Before, the
data check read none of them: the customers' spend became a text column and was never proposed.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from core import check_quality, read_table
from core.quality import parse_numeric

NBSP, NNBSP, THIN, MINUS = "\u00a0", "\u202f", "\u2009", "\u2212"


@pytest.mark.parametrize(("cell", "value"), [
    ("(123.45)", -123.45),
    ("($1,234.50)", -1234.5),
    ("$(1,234.50)", -1234.5),
    ("( 12 )", -12.0),
    ("123.45-", -123.45),
    (f"{MINUS}12.5", -12.5),
    ("12.50 €", 12.5),
    ("12.50€", 12.5),
    ("USD 12.50", 12.5),
    ("12.50 USD", 12.5),
    ("usd 12.50", 12.5),
    ("CHF 1'234.50", 1234.5),
    ("1’234.50", 1234.5),
    ("kr 100", 100.0),
    ("1 234.50", 1234.5),
    (f"1{NBSP}234{NBSP}567.25", 1234567.25),
    (f"1{NNBSP}234", 1234.0),
    ("£12", 12.0),
    ("-$12.00", -12.0),
    ("$-12.00", -12.0),
    ("₹ 1,00,000", 100_000.0),  # Indian grouping (lakh, crore): see test_indian_grouping_and_words
    ("12,3,456", math.nan),  # neither 3-digit groups nor India's
])
def test_point_decimal_spellings(cell: str, value: float) -> None:
    numbers, invalid = parse_numeric(pd.Series([cell, "7"], dtype="str"), ".")
    if math.isnan(value):
        assert math.isnan(numbers[0]) and invalid[0]
    else:
        assert numbers[0] == value and not invalid[0]


@pytest.mark.parametrize(("cell", "value"), [
    ("1.234,56 €", 1234.56),
    ("12,50 €", 12.5),
    ("€ 12,50", 12.5),
    ("(12,50)", -12.5),
    ("(1.234,50 €)", -1234.5),
    ("1 234,56", 1234.56),
    (f"1{NBSP}234,56 €", 1234.56),
    (f"1{NNBSP}234{NNBSP}567,8", 1234567.8),
    (f"1{THIN}234,5", 1234.5),
    ("12,5 %", 0.125),
    ("1.234,56 EUR", 1234.56),
    ("1.234,56-", -1234.56),
    ("zł 10,5", 10.5),
    ("10,50 zł", 10.5),
    ("-12,5", -12.5),
])
def test_comma_decimal_spellings(cell: str, value: float) -> None:
    numbers, invalid = parse_numeric(pd.Series([cell, "7"], dtype="str"), ",")
    assert numbers[0] == pytest.approx(value, rel=0, abs=1e-12) and not invalid[0]


@pytest.mark.parametrize("cell", [
    "(12", "12)", "--5", "(-5)", "(5)-", "-5-", "$12$", "USD 12 EUR", "€ 12 €", "SKU 123", "5'10", "1 23",
    "12 345 6", "1 2345", "ABC 12", "12 apples", "(USD)", "€", "- 5 -", "1,2,3", "12..5",
])
@pytest.mark.parametrize("decimal", [".", ","])
def test_what_is_still_not_a_number(cell: str, decimal: str) -> None:
    """Each spelling is read only when it is unambiguous: one sign, one currency, 3-digit groups."""
    numbers, invalid = parse_numeric(pd.Series([cell, "7"], dtype="str"), decimal)
    assert math.isnan(numbers[0]) and invalid[0], cell


def test_a_column_of_few_distinct_amounts_reads_them_the_same() -> None:
    """The distinct-texts path (few distinct cells in a long column) gives each cell the same answer."""
    cells = pd.Series(["(1.234,50 €)", "12,50 €", "", "n/a", "3 000,00 €"] * 4_000, dtype="str")
    numbers, invalid = parse_numeric(cells, ",")
    np.testing.assert_array_equal(numbers[:5], [-1234.5, 12.5, np.nan, np.nan, 3000.0])
    assert not invalid.any()


def _write(path, text: str, encoding: str = "utf-8") -> None:
    path.write_bytes(text.encode(encoding))


def test_a_european_export_has_its_amounts_as_features(tmp_path) -> None:
    """A German export (semicolons, cp1252, amounts as ``1.234,56 €``): the amounts are numeric, the decimal
    comma is found from them, and the spend is proposed (before: a text column, the decimal mark '.')."""
    rng = np.random.default_rng(3)
    lines = ["Kundennr;Name;Alter;Umsatz;Guthaben"]
    for i in range(400):
        spend = float(rng.lognormal(6, 1.1))
        balance = float(rng.normal(50, 400))
        whole, cents = divmod(round(abs(balance) * 100), 100)
        shown = f"{whole:,}".replace(",", ".") + f",{cents:02d} €"
        lines.append(f"K{i:04d};Müller;{int(rng.integers(18, 80))};"
                     f"{f'{spend:,.2f}'.replace(',', 'X').replace('.', ',').replace('X', '.')} €;"
                     f"{'(' + shown + ')' if balance < 0 else shown}")
    path = tmp_path / "kunden.csv"
    _write(path, "\r\n".join(lines) + "\r\n", "cp1252")
    table = read_table(path)
    assert (table.separator, table.decimal) == (";", ",")
    report = check_quality(table.frame, table.decimal, table.numbers)
    assert report.column("Umsatz").kind == "numeric" and report.column("Guthaben").kind == "numeric"
    assert report.column("Umsatz").not_numbers == 0 and report.column("Guthaben").not_numbers == 0
    assert {"Umsatz", "Guthaben"} <= set(report.default_features)
    assert report.column("Umsatz").transform == "log"
    spend, _ = parse_numeric(table.frame["Umsatz"], table.decimal)
    assert spend[0] == float(lines[1].split(";")[3].replace(" €", "").replace(".", "").replace(",", "."))


def test_an_accounting_export_reads_negatives_in_brackets(tmp_path) -> None:
    """QuickBooks and Excel's accounting format write a negative balance as ``($1,234.50)``: the column is
    numeric with its negatives (before: text, its values shown as a profile mix)."""
    rng = np.random.default_rng(4)
    lines = ["Customer,Balance,Sales"]
    for i in range(300):
        balance = float(rng.normal(0, 2_000))
        shown = f'"(${-balance:,.2f})"' if balance < 0 else f'"${balance:,.2f}"'
        lines.append(f"Customer {i},{shown},\"{float(rng.lognormal(7, 1)):,.2f} USD\"")
    path = tmp_path / "ledger.csv"
    _write(path, "\n".join(lines) + "\n")
    table = read_table(path)
    report = check_quality(table.frame, table.decimal, table.numbers)
    assert report.column("Balance").kind == "numeric" and report.column("Balance").not_numbers == 0
    assert report.column("Sales").kind == "numeric"
    balance, _ = parse_numeric(table.frame["Balance"], table.decimal)
    assert (balance < 0).sum() > 100 and report.column("Balance").transform != "log"


def test_a_european_order_export_becomes_a_customer_table(tmp_path) -> None:
    """A German shop's order lines (semicolons, day-first dates, ``16,35 €``, returns as ``(16,35 €)``): before,
    ``segments rfm`` stopped with "'Betrag' (the amount) holds no numbers: e.g. '16,35 €'"."""
    import io

    from core import cli

    rng = np.random.default_rng(5)
    lines = ["Bestellnr;Kundennr;Datum;Betrag"]
    for i in range(600):
        amount = f"{float(rng.lognormal(3.5, 0.9)):,.2f}".replace(",", "X").replace(".", ",").replace("X", ".") + " €"
        lines.append(f"B{i:05d};K{int(rng.integers(1, 80)):03d};{int(rng.integers(1, 29)):02d}."
                     f"{int(rng.integers(1, 13)):02d}.2024;{'(' + amount + ')' if i % 20 == 0 else amount}")
    path, out_path = tmp_path / "bestellungen.csv", tmp_path / "kunden.csv"
    _write(path, "\r\n".join(lines) + "\r\n", "cp1252")
    out, err = io.StringIO(), io.StringIO()
    assert cli.main(["rfm", str(path), "--out", str(out_path)], out=out, err=err) == 0, err.getvalue()
    assert "600 of 600 order lines" in out.getvalue() and "30 return lines (negative amount)" in out.getvalue()
    customers = read_table(out_path).frame
    assert len(customers) == customers["customer_id"].nunique() > 50


def _written_amounts(rng: np.random.Generator, count: int) -> list[str]:
    """Cells made of the pieces exports put around a number, in every combination, valid or not."""
    opens, signs = ["", "", "(", "( "], ["", "", "-", "+", MINUS]
    marks = ["", "", "$", "€", "USD", "usd", "kr", "zł", "Fr.", "US$", "£", "XYZ"]
    gaps = ["", "", " ", NBSP]
    bodies = ["0", "7", "12", "12.5", "12,5", "1,234", "1.234", "1,234.56", "1.234,56", "1 234,56", "1'234.50",
              f"1{NBSP}234", f"1{NNBSP}234{NNBSP}567,8", f"1{THIN}234", "12 345 6", "1 2345", "1,00,000", ".5",
              "5.", "1e3", "1E-2", "1e400", "٣٤", "1٢", "0.000", "12..5", "1,2,3", "007", "-0"]
    ends, closes, trails = ["", "", "%", " %"], ["", "", ")"], ["", "", "-"]
    cells = []
    for _ in range(count):
        pick = lambda options: options[int(rng.integers(len(options)))]  # noqa: E731
        before, after = (pick(marks), "") if rng.random() < 0.5 else ("", pick(marks))
        cells.append(pick(opens) + pick(signs) + before + pick(gaps) + pick(signs[:3]) + pick(bodies) + pick(gaps)
                     + after + pick(ends) + pick(closes) + pick(trails))
    return cells


@pytest.mark.parametrize("decimal", [".", ","])
def test_amounts_parsed_a_column_at_a_time_equal_the_cell_by_cell_rules(decimal: str) -> None:
    """The column-wide path (pyarrow) gives every cell exactly the number the one-cell rules give, NaN and -0.0
    included, on 20,000 cells drawn from every piece exports put around a number."""
    from core.quality import _clean_number, _clean_numbers

    cells = pd.Series(_written_amounts(np.random.default_rng(11), 20_000), dtype="str").str.strip()
    fast = _clean_numbers(cells, decimal)
    slow = np.array([_clean_number(cell, decimal) for cell in cells.tolist()])
    np.testing.assert_array_equal(fast, slow)
    assert np.array_equal(np.signbit(fast), np.signbit(slow))
    assert np.isfinite(slow).sum() > 2_000 and np.isnan(slow).sum() > 2_000  # both kinds are drawn


def test_dates_and_codes_are_not_parsed_one_cell_at_a_time(monkeypatch) -> None:
    """Found from outside (a 300,000-customer export): dates such as ``2022-08-04`` look like numbers to the
    pre-filter, and where they have many distinct values (birth dates; or a column checked together with an ID
    column) every cell went through the one-cell rules: 1.4 s of the upload's 3.4 s. Only cells the column-wide
    rules cannot decide (other scripts' digits, a space at either end) go one by one now, with the same answers."""
    import core.quality as quality

    calls: list[str] = []
    real = quality._clean_number
    monkeypatch.setattr(quality, "_clean_number", lambda text, decimal: (calls.append(text), real(text, decimal))[1])
    births = pd.Series(pd.date_range("1950-01-01", periods=20_000).strftime("%Y-%m-%d"), dtype="str")
    numbers, invalid = quality.parse_numeric(births)
    assert np.isnan(numbers).all() and invalid.all() and calls == []
    mixed = pd.Series(list(births[:-2]) + ["\u0663\u0664", "12 \u20ac"], dtype="str")
    numbers, _ = quality.parse_numeric(mixed)
    assert calls == ["\u0663\u0664"] and numbers[-1] == 12 and np.isnan(numbers[:-2]).all()
    np.testing.assert_array_equal(numbers[-2], real("\u0663\u0664", "."))  # the one-cell rules' answer


def test_amounts_shortened_as_dashboards_export_them_are_numbers() -> None:
    """Found from outside: a BI report's lifetime values written $17.0K and $1.2M made the column text, its
    666 values shown as a mix per segment and nothing to segment on. K and k (a thousand), M and MM (a million),
    B and bn (a billion) after a number, with what a number may carry before it, are read; a lone m is not."""
    from core.quality import parse_numeric

    cells = pd.Series(["$17.0K", "$1.2M", "950", "€3.4bn", "2.5k", "-1.5K", "12 MM", "$980", "7m", "K", "5K run"],
                      dtype="str")
    numbers, invalid = parse_numeric(cells)
    expected = [17_000, 1_200_000, 950, 3_400_000_000, 2_500, -1_500, 12_000_000, 980]
    assert numbers[:8] == pytest.approx(expected)
    assert invalid.tolist() == [False] * 8 + [True] * 3
    frame = pd.DataFrame({"LTV": [f"${v / 1000:.1f}K" if v >= 1000 else f"${v:.0f}" for v in range(100, 90_100, 300)]})
    assert check_quality(frame).column("LTV").kind == "numeric"
    # a shortened accounting negative and SAP's trailing minus (a BI report's net change: "($1.5K)")
    negatives, left = parse_numeric(pd.Series(["($1.5K)", "(2.3M)", "1.5K-", "$(1.5K)", "(1.5K", "1.5K)"], dtype="str"))
    assert negatives[:4] == pytest.approx([-1_500, -2_300_000, -1_500, -1_500])  # ($ outside too, as "$(1,234.50)")
    assert left.tolist() == [False] * 4 + [True] * 2  # a bracket without its pair is no number


def test_indian_grouping_and_words(tmp_path) -> None:
    """Found from outside: an Indian export's amounts grouped in lakhs and crores (``₹1,42,126``, ``12,34,567.50``,
    as Tally, Zoho Books and Excel's en-IN format write them) made 'Annual Income' free text, never proposed.
    The grouping is read where the decimal mark is a point (three digits last, two-digit groups before them: no
    other reading exists), and an amount shortened in lakhs or crores (``₹1.2 Cr``, ``₹45 lakh``) as the
    shortened thousands and millions are; a lone L (litres) is not."""
    cells = pd.Series(["₹1,42,126", "₹12,34,567.50", "1,23,45,678", "(₹1,00,000)", "1,00,000-", "₹1.2 Cr",
                       "₹45 lakh", "3.5 lakhs", "2 crore", "12 lacs", "1,2,34,567", "1,23,4567", "12,34,56", "3.5L"],
                      dtype="str")
    numbers, invalid = parse_numeric(cells, ".")
    assert numbers[:10] == pytest.approx([142_126, 1_234_567.5, 12_345_678, -100_000, -100_000, 12_000_000,
                                          4_500_000, 350_000, 20_000_000, 1_200_000])
    assert invalid.tolist() == [False] * 10 + [True] * 4
    _, comma = parse_numeric(pd.Series(["1,00,000", "7"], dtype="str"), ",")  # a decimal comma file: no such number
    assert comma[0]
    rows = ["Customer ID,Annual Income,Spend"] + [f'C{i},"₹{i % 9 + 1},{i % 90 + 10:02d},{i % 900 + 100:03d}.50",'
                                                   f'"{i * 7 % 5000:,}"' for i in range(200)]
    path = tmp_path / "india.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    table = read_table(path)
    assert table.decimal == "."
    income = check_quality(table.frame, decimal=table.decimal).column("Annual Income")
    assert income.kind == "numeric" and income.not_numbers == 0 and not income.id_like


def test_durations_as_exports_write_them_are_seconds() -> None:
    """Found from outside: a Google Analytics export's "Avg. Session Duration" (00:08:54) was a text column of
    517 values, shown as a mix per segment instead of a feature. A column of durations is read as seconds when
    it cannot be times of day: hours of 0 in nine cells in ten or more, an hour of 24 or more, or minutes:seconds
    with minutes of 24 or more. Times of day stay text."""
    numbers, invalid = parse_numeric(pd.Series(["00:08:54", "00:00:05", " 00:59:59 ", "", "01:02:03", "00:01:30.5"]
                                               + ["00:03:00"] * 10, dtype="str"))
    assert numbers[:6].tolist()[:3] == [534, 5, 3599] and math.isnan(numbers[3])
    assert numbers[4:6].tolist() == [3723, 90.5] and not invalid.any()
    assert parse_numeric(pd.Series(["37:12:05", "02:00:00", "13:30:00"], dtype="str"))[0].tolist() == [
        133_925, 7_200, 48_600]  # a call centre's monthly talk time: 37 hours is no time of day
    assert parse_numeric(pd.Series(["45:10", "3:07", "12:00"], dtype="str"))[0].tolist() == [2_710, 187, 720]
    for times in (["04:48", "14:22", "23:59", "00:15"], ["09:05:00", "14:22:05", "00:10:00", "18:30:00"]):
        numbers, invalid = parse_numeric(pd.Series(times, dtype="str"))
        assert invalid.all() and np.isnan(numbers).all(), times


def test_durations_beside_times_of_day_in_one_file() -> None:
    """Short columns are parsed several at a time; each column is told durations or times of day on its own
    (a first version read a file's "Last visit time" as durations because the session lengths beside it were)."""
    rng = np.random.default_rng(3)
    rows = 400
    seconds = rng.integers(1, 3_000, rows)
    frame = pd.DataFrame({
        "Sessions": rng.integers(1, 40, rows).astype(str),
        "Avg. Session Duration": [f"{s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}" for s in seconds],
        "Last visit time": [f"{h:02d}:{m:02d}" for h, m in zip(rng.integers(0, 24, rows), rng.integers(0, 60, rows))],
    }, dtype="str")
    report = check_quality(frame)
    assert report.column("Avg. Session Duration").kind == "numeric"
    assert report.column("Last visit time").kind == "text"
    assert "Avg. Session Duration" in report.default_features
    assert any("'Avg. Session Duration' holds durations" in f for f in report.problems())
    assert not any("'Last visit time' holds durations" in f for f in report.problems())
    from core.prepare import prepare_features

    matrix = prepare_features(frame, ["Sessions", "Avg. Session Duration"])
    assert matrix.values[:, 1].tolist() == seconds.astype(float).tolist()


def test_a_workbooks_duration_cells_are_seconds() -> None:
    """Excel keeps a duration as a time (under a day) or, formatted [h]:mm:ss, as a number of days its reader
    gives as a timedelta: read "1 day, 6:05:00" and stayed text; both are read as Excel shows them, then as
    seconds."""
    import datetime as dt
    import io

    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Client", "Avg. Session Duration", "Talk time"])
    for i in range(30):
        sheet.append([f"C{i}", dt.time(0, i, 7), dt.timedelta(hours=20 + i, minutes=5, seconds=30)])
        sheet.cell(row=i + 2, column=3).number_format = "[h]:mm:ss"
    saved = io.BytesIO()
    book.save(saved)
    table = read_table(saved.getvalue(), "calls.xlsx")
    assert table.frame.iloc[4].tolist() == ["C4", "00:04:07", "24:05:30"]  # as Excel shows them
    report = check_quality(table.frame)
    assert report.column("Avg. Session Duration").kind == report.column("Talk time").kind == "numeric"
    talk, _ = parse_numeric(table.frame["Talk time"])
    assert talk[:2].tolist() == [72_330, 75_930]


def test_a_name_that_says_durations_reads_cells_that_could_be_times() -> None:
    """A call centre's average handle time of 4:35 (minutes:seconds, all under 24) could be a time of day by its
    cells alone; a name that says durations ("AHT", "Talk time", "Avg. call duration") decides. "Last login time"
    does not."""
    calls = ["4:35", "12:02", "0:48", "7:15"]
    for name in ("AHT", "Talk Time", "Avg. call duration", "time_on_site", "Watch time (h:mm:ss)"):
        numbers, invalid = parse_numeric(pd.Series(calls, dtype="str", name=name))
        assert numbers.tolist() == [275, 722, 48, 435] and not invalid.any(), name
    for name in ("Last login time", "Opening hours", "Slot"):
        assert parse_numeric(pd.Series(calls, dtype="str", name=name))[1].all(), name
    frame = pd.DataFrame({"Agent": [f"A{i}" for i in range(40)], "AHT": calls * 10,
                          "Shift start": ["08:00", "14:30", "22:00", "06:15"] * 10}, dtype="str")
    report = check_quality(frame)  # the columns parsed together: each told by its own name
    assert report.column("AHT").kind == "numeric" and report.column("Shift start").kind == "text"


def test_the_summary_file_says_a_durations_means_are_seconds() -> None:
    """Found from outside (a call-centre file, AHT written 00:02:09): the Clusters page shows AHT's segment means as
    2:09, and the summary CSV and workbook gave 128.79 under the header "AHT", without its unit. The files keep the
    number (a spreadsheet can sum it) and say the unit: "AHT (seconds)"."""
    from core.insight import summary_table
    from core.segmentation import segment_new

    rng = np.random.default_rng(2)
    handle = rng.gamma(4, 45, 300).astype(int)
    frame = pd.DataFrame({"Calls": rng.poisson(12, 300).astype(str),
                          "AHT": [f"{a // 3600:02d}:{a % 3600 // 60:02d}:{a % 60:02d}" for a in handle]})
    seg = segment_new(frame, ["Calls", "AHT"], 2)
    table = summary_table(seg, frame, [])
    assert list(table.columns[4:8]) == ["Calls", "AHT (seconds)", "Calls index", "AHT index"]
    mean = float(np.average(table["AHT (seconds)"], weights=table["customers"]))
    assert mean == pytest.approx(handle.mean())
