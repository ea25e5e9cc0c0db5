"""A customer file's date columns are read in every format an order file's are (found from outside).

A German export's last order written '05.01.2024 13:45' was a text column (its 342 different texts shown as
a 'mix' per segment) while the same dates in an order file were read: the customer file knew 19 formats, the
order file 133. One list now serves both (:data:`core.transform.DATE_FORMATS`).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from core import check_quality
from core.transform import DATE_FORMATS, date_format, days_since
from tests.fixtures import square_customers


def _dates(count: int = 300, seed: int = 8) -> list[dt.datetime]:
    rng = np.random.default_rng(seed)
    start = dt.datetime(2023, 1, 1)
    return [start + dt.timedelta(days=int(rng.integers(0, 600)), minutes=int(rng.integers(0, 1440)))
            for _ in range(count)]


@pytest.mark.parametrize("fmt", ["%d.%m.%Y %H:%M", "%d.%m.%Y %H:%M:%S", "%m/%d/%Y %I:%M %p", "%d/%m/%Y %H:%M:%S",
                                 "%d.%m.%y", "%Y-%m-%d", "%d %b %Y", "%m/%d/%Y",
                                 "%b-%d-%y", "%b-%d-%Y",  # (eBay's order reports: Aug-22-24)
                                 # (an e-mail tool's, a spreadsheet's long date, a BI report's, a Japanese export's)
                                 "%a, %d %b %Y %H:%M:%S GMT", "%A, %B %d, %Y", "%b %d, %Y, %I:%M %p",
                                 "%Y年%m月%d日", "%Y年%m月%d日 %H:%M"])
def test_a_date_column_is_found_in_the_formats_order_files_are_read_in(fmt: str) -> None:
    dates = _dates()
    frame = pd.DataFrame({"id": [str(i) for i in range(len(dates))], "last_order": [d.strftime(fmt) for d in dates],
                          "spend": [str(10 + i % 37) for i in range(len(dates))]})
    report = check_quality(frame)
    assert report.column("last_order").kind == "date"
    assert "last_order (days since)" in report.derived_features
    found = date_format(frame["last_order"])
    assert found in DATE_FORMATS
    days = days_since(frame["last_order"], found)
    latest = max(dates)
    expected = [(latest - d).total_seconds() / 86_400 for d in dates]
    if "%H" not in fmt and "%I" not in fmt:  # a date alone: days between midnights
        expected = [float((latest.date() - d.date()).days) for d in dates]
    np.testing.assert_allclose(days, expected, atol=1 / 86_400 * 60)


def test_every_written_date_format_can_be_read_with() -> None:
    """A format that pandas cannot turn into a pattern (a time after a date that already has one) would end the data
    check with a traceback on the first column that reaches it."""
    from core.transform import WRITTEN_DATES

    for fmt in DATE_FORMATS + WRITTEN_DATES:
        assert pd.to_datetime(pd.Series(["not a date"]), format=fmt, errors="coerce").isna().all()


@pytest.mark.parametrize("cells", [
    [f"{7590 + i}-VHVEG" for i in range(300)],  # customer codes with digits
    [f"Plan {i % 4}" for i in range(300)],
    [f"{i % 9} kids" for i in range(300)],
])
def test_text_with_digits_is_not_taken_for_dates(cells: list[str]) -> None:
    assert date_format(pd.Series(cells, dtype="str")) is None


def test_the_share_of_dates_is_measured_on_cells_spread_over_the_column(monkeypatch) -> None:
    """Found from outside (a 300,000-customer upload): once a format read the first cells, every cell of the
    column was parsed to measure the share of dates (0.15 s per column there, seconds at 10^7 rows). The share
    is measured on 20,000 cells spread evenly over the column: a column that stops holding dates after its
    first rows is still no date column, and no parse sees more cells than that."""
    import core.transform as transform

    rows = 300_000
    births = pd.Series(pd.date_range("1950-01-01", periods=rows // 10).strftime("%Y-%m-%d").tolist() * 10, dtype="str")
    seen: list[int] = []
    real = transform.read_dates
    monkeypatch.setattr(transform, "read_dates", lambda texts, fmt: (seen.append(len(texts)), real(texts, fmt))[1])
    assert date_format(births) == "%Y-%m-%d"
    assert seen and max(seen) <= transform._DATE_SPREAD
    half = births.copy()
    half.iloc[rows // 2:] = "unknown"  # dates on top, no dates in the second half
    assert date_format(half) is None


@pytest.mark.parametrize("cells", [
    ["2024-06-26 13:03:00 +0100", "2024-03-26 09:00:00 +0200"],  # a shop's export: its offset, and summer's
    ["2024-06-26T13:03:00Z", "2024-03-26T09:00:00Z"],
    ["2024-06-26T13:03:00.123+01:00", "2024-03-26T09:00:00.250-05:00"],
    ["2024-06-26 13:03:00 UTC", "2024-03-26 09:00:00 UTC"],
    # a Google Forms response sheet's Timestamp (found from outside: a survey export's Timestamp was free text)
    ["2024/06/26 1:03:00 PM GMT+1", "2024/03/26 9:00:00 AM GMT+1"],
    ["2024/06/26 1:03:00 PM GMT-5", "2024/03/26 9:00:00 AM GMT-5"],
    ["2024/06/26 1:03:00 PM GMT+5:30", "2024/03/26 9:00:00 AM GMT+5:30"],
    ["2024-06-26 13:03:00 GMT+2", "2024-03-26 09:00:00 UTC+10"],
])
def test_dates_with_a_utc_offset_are_dates_as_written(cells: list[str]) -> None:
    """Found from outside (a Shopify-shaped order export): "Created at" with a UTC offset was a text column, so
    no "days since" feature was offered; the RFM builder crashed on it. The offset is left out: each date and
    time as the shop wrote it."""
    texts = pd.Series(cells * 150)
    assert date_format(texts) is not None
    days = days_since(texts)
    assert days[0] == pytest.approx(0.0) and days[1] > 80  # the latest (26 June) is day 0, as written
    report = check_quality(pd.DataFrame({"Created at": texts, "Spend": [str(i) for i in range(len(texts))]}))
    assert report.column("Created at").data_type == "date"
    # a date whose last part is a year is not cut: the offset is only looked for after a time
    assert date_format(pd.Series(["01-02-2024", "13-02-2024"] * 150)) is not None



def test_timestamps_each_different_are_dates_not_identifiers() -> None:
    """Found from outside: an export's "Signup", written 2024-03-15T10:22:00Z (ISO 8601 in UTC, as APIs write
    them) and different in every row, was "an identifier" (every cell different, no space: a code), so it was
    neither a date nor offered as a feature; a "First Order Month" written 2024-03 was text, its 33 months shown as
    a mix per segment."""
    dates = _dates(400)
    frame = pd.DataFrame({"Signup": [d.strftime("%Y-%m-%dT%H:%M:%SZ") for d in dates],
                          "First Order Month": [d.strftime("%Y-%m") for d in dates],
                          "Customer Id": [d.strftime("%Y%m%d%H%M%S") + f"-{i}" for i, d in enumerate(dates)],
                          "Spend": [str(10 + i % 37) for i in range(400)]})
    report = check_quality(frame)
    assert report.column("Signup").kind == "date" and not report.column("Signup").id_like
    assert report.column("First Order Month").kind == "date"
    assert report.column("Customer Id").id_like  # named an id: an id, whatever its cells look like
    assert report.derived_features == ["Signup (days since)", "First Order Month (days since)"]
    days = days_since(frame["Signup"])
    latest = max(dates)
    assert days == pytest.approx([(latest - d).total_seconds() / 86400 for d in dates])
    months = days_since(frame["First Order Month"])
    assert months.min() == 0 and np.isfinite(months).all()


def test_a_placeholder_date_before_1901_is_no_date() -> None:
    """Found from outside: an ERP export wrote 01.01.1900 for customers who never ordered; offered as 'days since',
    those customers made a segment "Very long-ago" of 45,327 days. A date before 1901 (Excel's day zero,
    01.01.1900) is read as missing, and the model's notes say how many."""
    from core.prepare import prepare_features

    dates = _dates(300)
    cells = [d.strftime("%d.%m.%Y") for d in dates]
    for i in (3, 50, 51, 200):
        cells[i] = "01.01.1900"
    cells[7] = "30.12.1899"
    frame = pd.DataFrame({"Letzte Bestellung": cells, "Umsatz": [str(10 + i % 37) for i in range(300)]})
    days = days_since(frame["Letzte Bestellung"])
    assert np.isnan(days[[3, 7, 50, 51, 200]]).all() and np.isfinite(np.delete(days, [3, 7, 50, 51, 200])).all()
    assert np.nanmax(days) == (max(dates).date() - min(d for i, d in enumerate(dates)
                                                      if i not in (3, 7, 50, 51, 200)).date()).days
    matrix = prepare_features(frame, ["Letzte Bestellung (days since)", "Umsatz"], "drop", decimal=",")
    assert matrix.notes[0] == ("'Letzte Bestellung': 5 cells holding a date before 1901 (e.g. 01.01.1900), a "
                               "placeholder for \"no date\", read as missing.")
    assert int(matrix.used.sum()) == 295


def test_unix_times_under_a_name_that_says_a_moment_are_dates() -> None:
    """Found from outside (an app's user export): created_at written 1701388800 and last_seen_ms written
    1752358718000 were "identifiers", and no recency could be had from them. Whole seconds or milliseconds since
    1970, between 2000 and 2100, under a name that says a moment, are dates: offered as days since."""
    from core.insight import name_segments
    from core.prepare import prepare_features

    rng = np.random.default_rng(4)
    rows = 300
    latest = 1_764_547_200  # 2025-12-01
    seen = latest - rng.integers(0, 400 * 86_400, rows)
    seen[0] = latest
    frame = pd.DataFrame({
        "user_id": np.arange(1_700_000_000, 1_700_000_000 + rows),  # in the range, but an identifier's name
        "created_at": seen - rng.integers(0, 900 * 86_400, rows),
        "last_seen_ms": seen * 1_000,
        "account_number": rng.integers(1_500_000_000, 1_800_000_000, rows),  # in the range: no moment's name
        "spend": rng.gamma(2, 50, rows).round(2),
    }).astype(str)
    report = check_quality(frame)
    assert [report.column(c).kind for c in frame.columns] == ["numeric", "date", "date", "numeric", "numeric"]
    assert report.column("created_at").date_format == "unix seconds"
    assert report.column("last_seen_ms").date_format == "unix milliseconds"
    # (an app's last visit: proposed as the recency)
    assert any("'last_seen_ms' holds the date of each customer's last purchase or visit written as Unix time "
               "(milliseconds since 1970); its days to the file's latest date (recency) are proposed" in p
               for p in report.problems())
    assert "last_seen_ms (days since)" in report.default_features
    matrix = prepare_features(frame, ["last_seen_ms (days since)", "spend"])
    assert matrix.values[:, 0] == pytest.approx((latest - seen) / 86_400)
    assert name_segments(np.array([[-1.0], [1.0]]), ["last_seen_ms (days since)"]) == [
        "Last seen recently", "Last seen long ago"]
    # numbers outside 2000-2100, or not whole, are no Unix time whatever the name (eight digits under a date's
    # name are days written year, month, day: see the test below)
    assert check_quality(pd.DataFrame({"signup_ts": ["20240101", "20240102"] * 10})).column("signup_ts").kind != "date"
    assert check_quality(pd.DataFrame({"signup_date_ts": ["20240101", "20240102"] * 10})).column(
        "signup_date_ts").date_format == "%Y%m%d"
    values = ["1701388800.5", "1701388801"] * 10
    assert check_quality(pd.DataFrame({"signup_date_ts": values})).column("signup_date_ts").kind != "date"


def _crm(rows: int = 600, seed: int = 5) -> pd.DataFrame:
    """A CRM contacts export: a date of birth (some blank), spend and orders, as text cells."""
    rng = np.random.default_rng(seed)
    births = pd.Timestamp("1950-01-01") + pd.to_timedelta(rng.integers(0, 365 * 55, rows), unit="D")
    frame = pd.DataFrame({"Contact ID": [f"C-{i:05d}" for i in range(rows)],
                          "Date of Birth": births.strftime("%m/%d/%Y"),
                          "Lifetime Spend": np.round(rng.lognormal(5, 1, rows), 2),
                          "Total Orders": rng.poisson(6, rows)}).astype(str)
    frame.loc[::40, "Date of Birth"] = ""
    return frame


def test_a_date_of_birth_is_offered_as_each_customers_age(monkeypatch) -> None:
    """Found from outside (a CRM contacts export of 8,000): "Date of Birth" was offered as the days from each birth
    to the youngest customer's, and a segment's mean read 9,131 days. It is now offered as the age, in years, today;
    the segments are the same on any day (every age moves by the same amount), their mean ages move with them."""
    from core import segment_new
    from core.transform import AGE, date_source, derived_name, derived_values, is_birth_name

    frame = _crm()
    report = check_quality(frame)
    assert report.derived_features == ["Date of Birth (age)"]
    assert "offered as the feature 'Date of Birth (age)' (each customer's age today, in years)" in " ".join(
        report.problems())
    for name in ("Date of Birth", "DOB", "birth_date", "Birthday", "Geburtsdatum", "Fecha de nacimiento"):
        assert is_birth_name(name) and date_source(derived_name(name)) == name and derived_name(name).endswith(AGE)
    for name in ("Signup Date", "Last order", "Doberman"):
        assert not is_birth_name(name) and derived_name(name) == f"{name} (days since)"
    assert date_source("Customer (age)") is None  # a column named so is no derived age

    monkeypatch.setattr("core.transform.today", lambda: pd.Timestamp("2025-07-01"))
    ages, placeholders, _ = derived_values("Date of Birth (age)", pd.Series(["07/01/1985", "01/01/2000", ""]),
                                           "%m/%d/%Y")
    np.testing.assert_allclose(ages[:2], [40.0, 25.5], atol=0.01)
    assert np.isnan(ages[2]) and placeholders == 0

    features = ["Date of Birth (age)", "Lifetime Spend", "Total Orders"]
    first = segment_new(frame, features, 3, seed=0)
    monkeypatch.setattr("core.transform.today", lambda: pd.Timestamp("2031-02-17"))
    later = segment_new(frame, features, 3, seed=0)
    np.testing.assert_array_equal(first.labels, later.labels)
    used = first.matrix.used
    np.testing.assert_allclose(later.matrix.values[used, 0] - first.matrix.values[used, 0],
                               (pd.Timestamp("2031-02-17") - pd.Timestamp("2025-07-01")).days / 365.2425)


@pytest.mark.parametrize("header", ["Last Purchase Date", "Date of Birth"])
def test_a_date_column_empty_for_a_quarter_of_the_customers_can_be_chosen(header: str) -> None:
    """Found from outside (a CRM export): a date column empty in more than a tenth of the rows (the last purchase of
    customers who never bought, "N/A" or blank) was offered by the data check, which looks at the cells present,
    but choosing it stopped with "'Last Purchase Date' does not hold dates in a recognised format": the days were
    computed from the format of every cell, blanks included. Those customers are now left out like any gap."""
    from core import segment_new

    frame = _crm(rows=800)
    frame[header] = frame.pop("Date of Birth")
    frame.loc[1::4, header] = ""
    frame.loc[2::8, header] = "N/A"
    report = check_quality(frame)
    (feature,) = report.derived_features
    seg = segment_new(frame, [feature, "Total Orders"], 2, seed=0)
    present = ~frame[header].isin(["", "N/A"]).to_numpy()
    np.testing.assert_array_equal(seg.matrix.used, present)
    assert np.isfinite(seg.matrix.values[present, 0]).all()


def test_a_spreadsheets_day_numbers_under_a_dates_name_are_dates_in_a_customer_file() -> None:
    """Found from outside (a customer list saved from a sheet whose date columns were formatted as numbers): "Last
    Purchase Date" written 45611.4375 and "Signup Date" 44927 were measured columns, proposed as features, and the
    segments' means read "Last Purchase Date 45,210". Day numbers of 2000 to 2100 under a name that says a date are
    dates, offered as days since; other numbers in that range (a spend of 40,000), or under other names, stay numbers."""
    from core.prepare import prepare_features

    rng = np.random.default_rng(12)
    rows = 400
    last = 45_990 - rng.integers(0, 500, rows) + rng.integers(0, 96, rows) / 96  # days and a time of day
    last[0] = 45_990
    frame = pd.DataFrame({
        "Customer": [f"K{i:04d}" for i in range(rows)],
        "Last Purchase Date": [f"{v:.4f}".rstrip("0").rstrip(".") for v in last],
        "Signup Date": rng.integers(43_000, 45_000, rows),
        "Lifetime Spend": rng.integers(36_600, 70_000, rows),  # in the range, no date's name
        "Orders": rng.poisson(7, rows),
    }).astype(str)
    frame.loc[::25, "Signup Date"] = ""
    report = check_quality(frame)
    assert [report.column(c).kind for c in frame.columns[1:]] == ["date", "date", "numeric", "numeric"]
    assert report.column("Signup Date").date_format == "excel day numbers"
    # (the last purchase's days since are the recency, proposed: every row holds a date)
    assert report.default_features == ["Lifetime Spend", "Orders", "Last Purchase Date (days since)"]
    assert "Last Purchase Date (days since)" in report.derived_features
    matrix = prepare_features(frame, ["Last Purchase Date (days since)", "Signup Date (days since)", "Orders"])
    assert matrix.values[:, 0] == pytest.approx(45_990 - last, abs=1e-4)  # (written to 4 decimals)
    assert matrix.gaps == {"Signup Date (days since)": 16}
    assert date_format(frame["Signup Date"]) == "excel day numbers"
    # out of the range, or a count under a date's name, stays a number
    assert check_quality(pd.DataFrame({"Dates visited": [str(v) for v in range(1, 41)]})).column(
        "Dates visited").kind == "numeric"


def test_dates_of_birth_written_as_day_numbers_are_dates_from_1906() -> None:
    """Found from outside (a customer list saved from a sheet whose "Date of Birth" was formatted as a number):
    births from 1950 to 1999 were day numbers of 18,264 to 36,525, below the 2000 that other date columns' day
    numbers must reach, so the column was a proposed feature whose segment means read 29,140. Under a name that
    says a birth, day numbers from 1906 on are dates (offered as each customer's age); a year of birth
    under such a name (1968: a day of 1905) stays a number, as does a day number of 1905 or before."""
    from core import segment_new
    from core.prepare import prepare_features

    rng = np.random.default_rng(5)
    rows = 600
    born = pd.Timestamp("1950-01-01") + pd.to_timedelta(rng.integers(0, 18_000, rows), unit="D")
    days = ((born - pd.Timestamp("1899-12-30")).days).to_numpy()
    frame = pd.DataFrame({
        "Customer": [f"C{i:04d}" for i in range(rows)],
        "Date of Birth": days,
        "Spend": rng.gamma(2.0, 300.0, rows).round(2),
        "Orders": rng.poisson(6, rows),
    }).astype(str)
    frame.loc[::30, "Date of Birth"] = ""
    report = check_quality(frame)
    assert report.column("Date of Birth").kind == "date"
    assert report.column("Date of Birth").date_format == "excel day numbers"
    assert "Date of Birth" not in report.default_features
    assert "Date of Birth (age)" in report.derived_features
    # the first rows show 33479: the finding says why it is a date
    assert ("'Date of Birth' holds dates written as a spreadsheet's day numbers (days since 30 December 1899); "
            "it is offered as the feature 'Date of Birth (age)'") in " ".join(report.problems())
    matrix = prepare_features(frame, ["Date of Birth (age)", "Orders"])
    present = (frame["Date of Birth"] != "").to_numpy()
    ages = matrix.values[present, 0]
    assert 26 < ages.min() and ages.max() < 77  # born 1950-1999, ages today (2026)
    assert matrix.gaps == {"Date of Birth (age)": 20}
    # the same births written as dates give the same feature
    written = frame.assign(**{"Date of Birth": [b.strftime("%Y-%m-%d") if p else "" for b, p in zip(born, present)]})
    np.testing.assert_allclose(prepare_features(written, ["Date of Birth (age)"]).values[:, 0], matrix.values[:, 0])
    seg = segment_new(frame, ["Date of Birth (age)", "Spend"], 3, seed=0)
    assert all("date of birth" not in name.lower() for name in seg.names)  # an age: "Older", "Younger"
    # years of birth under a birth date's name, and day numbers of 1905 or before, stay numbers
    years = frame.assign(**{"Date of Birth": [str(1950 + i % 50) for i in range(rows)]})
    assert check_quality(years).column("Date of Birth").kind == "numeric"
    early = frame.assign(**{"Date of Birth": [str(1_000 + i) for i in range(rows)]})
    assert check_quality(early).column("Date of Birth").kind == "numeric"
    # a birth's name without "date" says dates as well, and a year of birth stays a number
    dob = check_quality(frame.rename(columns={"Date of Birth": "DOB"}).assign(**{"Birth Year": born.year.astype(str)}))
    assert (dob.column("DOB").kind, dob.column("Birth Year").kind) == ("date", "numeric")
    # and other date columns still start in 2000 (a "Purchase Date" of 20,000 is no date)
    assert check_quality(frame.rename(columns={"Date of Birth": "Purchase Date"})).column(
        "Purchase Date").kind == "numeric"


def test_dates_written_as_eight_digits_under_a_dates_name_are_dates() -> None:
    """Found from outside (a data warehouse's customer extract, and Google Analytics' BigQuery export, which write a
    date as eight digits, 20240115): "Last Order Date", "first_order_dt" and "signup_yyyymmdd" were numbers, the
    first proposed as a feature (a month's last day and the next month's first 70 apart, a year's end and the next
    year's start 8,870) and the others marked as repeating it. Under a name that says a date, whole numbers that are
    all days of 1901 to 2100 written year, month, day are dates, offered as days since; other such numbers (a spend,
    an order number, a date name over impossible days) stay numbers."""
    from core.prepare import prepare_features

    rng = np.random.default_rng(3)
    rows = 500
    last = pd.Timestamp("2024-12-31") - pd.to_timedelta(rng.integers(0, 700, rows), unit="D")
    first = last - pd.to_timedelta(rng.integers(0, 900, rows), unit="D")
    frame = pd.DataFrame({
        "Customer": [f"C{i:04d}" for i in range(rows)],
        "Last Order Date": last.strftime("%Y%m%d"),
        "first_order_dt": first.strftime("%Y%m%d"),
        "signup_yyyymmdd": (first - pd.Timedelta(days=3)).strftime("%Y%m%d"),
        "Spend": rng.integers(19_010_101, 21_001_231, rows).astype(str),  # eight digits, no date's name
        "Orders": rng.poisson(6, rows).astype(str),
    })
    frame.loc[::20, "first_order_dt"] = ""
    report = check_quality(frame)
    dated = ["Last Order Date", "first_order_dt", "signup_yyyymmdd"]
    assert [report.column(c).kind for c in dated] == ["date"] * 3
    assert report.column("Last Order Date").date_format == "%Y%m%d"
    assert report.column("Spend").kind == "numeric"
    assert report.default_features == ["Orders", "Last Order Date (days since)"]
    assert ("'Last Order Date' holds the date of each customer's last purchase or visit written as eight digits, "
            "year, month and day (20240115); its days to the file's latest date (recency) are proposed as the "
            "feature 'Last Order Date (days since)'") in " ".join(report.problems())
    assert ("'first_order_dt' holds dates written as eight digits, year, month and day (20240115); it is offered "
            "as the feature 'first_order_dt (days since)'") in " ".join(report.problems())
    matrix = prepare_features(frame, ["Last Order Date (days since)", "first_order_dt (days since)", "Orders"])
    assert matrix.values[:, 0] == pytest.approx((last.max() - last).days.to_numpy().astype(float))
    assert matrix.gaps == {"first_order_dt (days since)": 25}
    # impossible days (a 13th month) under a date's name, and a date's key in a warehouse, stay what they were
    wrong = frame.assign(**{"Last Order Date": [f"2024{13 + i % 5:02d}01" for i in range(rows)]})
    assert check_quality(wrong).column("Last Order Date").kind == "numeric"
    keyed = frame.rename(columns={"Last Order Date": "date_key"})
    assert check_quality(keyed).column("date_key").kind != "date"


@pytest.mark.parametrize("cells", [
    ["15. Januar 2024", "3. März 2024", "28. Dezember 2023", "1. Mai 2024"],  # German, as a long date
    ["15. Jan. 2024", "3. Mär. 2024", "28. Dez. 2023", "1. Mai 2024"],
    ["15 janv. 2024", "3 mars 2024", "28 déc. 2023", "1 mai 2024"],  # French
    ["15 janvier 2024", "3 mars 2024", "28 décembre 2023", "1 mai 2024"],
    ["15 de enero de 2024", "3 de marzo de 2024", "28 de diciembre de 2023", "1 de mayo de 2024"],  # Spanish
    ["15-ene-2024", "03-mar-2024", "28-dic-2023", "01-may-2024"],
    ["15 januari 2024", "3 maart 2024", "28 december 2023", "1 mei 2024"],  # Dutch
    ["15 gennaio 2024", "3 marzo 2024", "28 dicembre 2023", "1 maggio 2024"],  # Italian
    ["15 de janeiro de 2024", "3 de março de 2024", "28 de dezembro de 2023", "1 de maio de 2024"],  # Portuguese
])
def test_dates_with_month_names_in_a_european_language_are_dates(cells: list[str]) -> None:
    """Found from outside: a German export's "Kunde seit" written as a long date ("15. Januar 2024"), a French one's
    "15 janv. 2024", a Spanish one's "15 de enero de 2024" were text: no "days since", no recency from an order file.
    The month names of German, French, Spanish, Italian, Portuguese and Dutch (and their abbreviations) are read as
    the English ones are."""
    from core.rfm import parse_dates
    from core.transform import read_dates

    column = pd.Series(cells * 60, dtype="str")
    fmt = date_format(column)
    assert fmt is not None, cells
    read = read_dates(column.head(4), fmt)
    expected = [pd.Timestamp("2024-01-15"), pd.Timestamp("2024-03-03"), pd.Timestamp("2023-12-28"),
                pd.Timestamp("2024-05-01")]
    assert read.tolist() == expected
    parsed, _ = parse_dates(pd.Series(cells, dtype="str"), "Datum")
    assert parsed.tolist() == expected
    # a text column of words that are months elsewhere is no date column
    assert date_format(pd.Series(["mai", "mars", "set"] * 80, dtype="str")) is None


def test_the_date_of_each_customers_last_purchase_or_visit_is_proposed_as_recency() -> None:
    """Found from outside (a Square customers export): 'Last Visit', the recency a marketer segments on first, was a
    tick away on the Model page ('offered ..., not chosen by default'), so the proposed model saw how often and how
    much each customer bought but not how lately. A date named for the last purchase, order or visit, filled in every
    row, is proposed as its days since; a first visit, a date of birth or one with gaps is still only offered."""
    report = check_quality(square_customers())
    assert report.default_features == ["Transaction Count", "Total Spend", "Last Visit (days since)"]
    assert "First Visit (days since)" in report.derived_features
    said = " ".join(report.problems())
    assert ("'Last Visit' holds the date of each customer's last purchase or visit; its days to the file's latest "
            "date (recency) are proposed as the feature 'Last Visit (days since)'") in said
    assert report.to_frame().set_index("column").loc["Last Visit", "role"] == "feature (recency)"
    for frame, gaps in ((square_customers(blank_visits=12), "12 empty"),
                        (square_customers(placeholder=True), "some hold no date or a placeholder such as 01/01/1900")):
        gappy = check_quality(frame)
        assert gappy.default_features == ["Transaction Count", "Total Spend"]
        assert (f"'Last Visit' holds the date of each customer's last purchase or visit, but not in every row "
                f"({gaps}); it is offered as the feature 'Last Visit (days since)'") in " ".join(gappy.problems())


@pytest.mark.parametrize("header", ["Last Order Date", "last_purchase_at", "LastVisitDate", "Date of last purchase",
                                    "Most Recent Order", "Letzte Bestellung", "Dernier achat", "Última compra",
                                    # found from outside (a Mixpanel people export's "$last_seen", Amplitude's
                                    # "last_used"): an app's last visit, the churn signal of product analytics
                                    "$last_seen", "Last Seen", "last_used", "Last Active", "Last Login",
                                    "Last activity date", "last_sign_in_at", "Last Session"])
def test_names_of_a_last_purchase_are_recency(header: str) -> None:
    from core.transform import is_last_purchase_name

    assert is_last_purchase_name(header)


@pytest.mark.parametrize("header", ["Last Modified", "Last Email Opened", "First Order Date", "Last Updated",
                                    "Order Date", "Last Name", "Created At", "Last Contacted"])
def test_names_of_other_dates_are_no_recency(header: str) -> None:
    from core.transform import is_last_purchase_name

    assert not is_last_purchase_name(header)


def test_an_apps_last_seen_is_proposed_as_the_recency_and_a_last_purchase_before_it() -> None:
    """Found from outside (a Mixpanel people export of 100,000 users): '$last_seen', filled in every row, was only
    offered ("holds dates ... not chosen by default"), where in an app's data the last visit is the main sign of
    who is drifting away. A last seen, active, login or session date is proposed as the recency; beside a last
    purchase's date, the purchase's alone (one recency, not two of the same customers' habits)."""
    frame = square_customers().rename(columns={"Last Visit": "$last_seen"})
    report = check_quality(frame)
    assert report.default_features == ["Transaction Count", "Total Spend", "$last_seen (days since)"]
    both = square_customers().rename(columns={"Last Visit": "Last Order Date"})
    both.insert(1, "Last Login", both["Last Order Date"])
    report = check_quality(both)
    assert report.default_features == ["Transaction Count", "Total Spend", "Last Order Date (days since)"]
    assert "Last Login (days since)" in report.derived_features


def test_a_proposed_recency_beside_a_days_since_column_is_not_proposed_twice() -> None:
    """A file that already counts the days since each customer's last order ('Days Since Last Order') is not
    proposed the same recency again from 'Last Order Date'."""
    frame = square_customers().rename(columns={"Last Visit": "Last Order Date"})
    frame["Days Since Last Order"] = [str(v) for v in np.arange(len(frame)) % 300]
    assert "Last Order Date (days since)" not in check_quality(frame).default_features


def test_the_command_line_segments_on_the_proposed_recency(tmp_path) -> None:
    """`segments fit` with no --features segments on what the data check proposes, recency included."""
    from core.cli import main

    path = tmp_path / "square.csv"
    square_customers().to_csv(path, index=False)
    out = tmp_path / "out.csv"
    assert main(["fit", str(path), "--k", "3", "--out", str(out)]) == 0
    written = pd.read_csv(out, dtype=str)
    assert "cluster" in written.columns and len(written) == 400
    assert main(["inspect", str(path)]) == 0


@pytest.mark.parametrize("fmt,cells", [
    ("%m/%d/%Y", ["11/30/2024", "01/02/2023", "", "13/45/2024", "01/01/1900"]),
    ("%Y-%m-%d %H:%M:%S", ["2024-01-05 10:00:00+01:00", "2024-01-05 10:00:00Z", "bad", "2023-12-31 23:59:59"]),
    ("%d %b %Y", ["15. Januar 2024", "3. März 2024", "28. Dezember 2023", "1. Mai 2024"]),
    ("%Y%m%d", ["20240115", "20240115.0", "20241301", "19991231"]),
])
def test_dates_read_once_per_distinct_text_are_the_dates_read_cell_by_cell(fmt: str, cells: list[str]) -> None:
    """A column of many repeated dates (a customer file's last visits) is read one distinct text at a time: the same
    dates, missing cells and index as reading every cell (ten times faster at a million rows). (It found that a
    missing cell among month names in another language took the last distinct text's date: read_table writes blanks
    as "", so no file reached it.)"""
    from core.transform import _read_written_dates, read_dates

    rng = np.random.default_rng(1)
    texts = pd.Series(rng.choice(cells, 60), index=np.arange(100, 160), dtype="str")
    texts.iloc[[3, 17]] = None
    fast = read_dates(texts, fmt)
    assert fast.index.equals(texts.index) and fast.notna().any()
    assert fast.equals(_read_written_dates(texts, fmt))

