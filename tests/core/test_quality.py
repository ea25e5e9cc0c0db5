"""core.quality: the data check (kinds, missing values, numbers stored as text, ID-like columns...)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from core.quality import MISSING_MARKERS, check_quality, missing_mask, parse_numeric

N = 24  # enough rows for the "every value different" ID rule (needs 20)


def text_frame(columns: dict[str, list[object]]) -> pd.DataFrame:
    return pd.DataFrame({k: [str(v) for v in vs] for k, vs in columns.items()})


def test_rows_columns_and_kinds():
    frame = text_frame({
        "Age": [20 + i % 7 for i in range(N)],
        "Gender": ["Female" if i % 2 else "Male" for i in range(N)],
        "Nothing": [""] * N,
    })
    report = check_quality(frame)
    assert (report.rows, report.columns) == (N, 3)
    assert [c.name for c in report.column_reports] == ["Age", "Gender", "Nothing"]
    assert report.column("Age").kind == "numeric"
    assert report.column("Gender").kind == "text"
    assert report.column("Nothing").kind == "empty"
    assert report.column("Nothing").role == "empty"
    assert report.numeric_columns == ["Age"]
    assert report.text_columns == ["Gender"]
    assert report.default_features == ["Age"]
    assert "'Nothing' has no values at all." in report.problems()
    with pytest.raises(KeyError):
        report.column("Missing")


def test_missing_counts_blanks_whitespace_and_markers():
    values = ["1", "", "  ", "\t", "NA", "n/a", "NULL", "None", "-", "?", "#N/A", "nan", "2", "3", "4", "5"]
    frame = pd.DataFrame({"x": values})
    report = check_quality(frame)
    column = report.column("x")
    assert column.missing == 11
    assert column.missing_share == pytest.approx(11 / 16)
    assert column.kind == "numeric"
    assert column.not_numbers == 0
    assert report.missing_cells == 11
    assert missing_mask(frame["x"]).sum() == 11
    assert "'x' has 11 missing values (68.8%)." in report.problems()
    table = report.to_frame()
    assert list(table.columns) == ["column", "type", "missing", "missing share", "not a number", "distinct values",
                                   "role", "skewness", "transform"]
    assert table.loc[0, "missing"] == 11
    assert table.loc[0, "missing share"] == pytest.approx(11 / 16)
    assert table.loc[0, "distinct values"] == 5


def test_numbers_stored_as_text_are_recognised():
    income = ["1,234", " 81 ", "$5", "€7", "£1,000.50", "-$3", "12%", "+4", "1e3", ".5"] + [str(i) for i in range(10)]
    report = check_quality(pd.DataFrame({"Income": income}))
    column = report.column("Income")
    assert column.kind == "numeric"
    assert column.not_numbers == 0
    assert column.missing == 0
    numbers, invalid = parse_numeric(pd.Series(income))
    assert not invalid.any()
    np.testing.assert_allclose(numbers[:10], [1234, 81, 5, 7, 1000.5, -3, 0.12, 4, 1000, 0.5])


def test_parse_numeric_rejects_non_finite_and_keeps_missing_separate():
    values = pd.Series(["inf", "-Infinity", "1e999", "12abc", "1,23", "1,2345", "", " NA ", "3"])
    numbers, invalid = parse_numeric(values)
    assert np.isnan(numbers[:8]).all()
    assert numbers[8] == 3.0
    assert invalid.tolist() == [True, True, True, True, True, True, False, False, False]


def test_parse_numeric_decimal_comma():
    values = pd.Series(["3,5", "-1,25", "1.234,5", "1.234.567", "7", " 2,0 ", "€4,5", "1,2,3"])
    numbers, invalid = parse_numeric(values, ",")
    np.testing.assert_allclose(numbers[:7], [3.5, -1.25, 1234.5, 1234567, 7, 2.0, 4.5])
    assert math.isnan(numbers[7]) and invalid.tolist() == [False] * 7 + [True]


def test_text_in_a_numeric_column_reported_with_examples():
    values = [str(30 + i % 9) for i in range(40)]  # 3 of 40 not numbers: still a numeric column
    values[3], values[7], values[11] = "abc", "unknown ", "abc"
    report = check_quality(pd.DataFrame({"Age": values}))
    column = report.column("Age")
    assert column.kind == "numeric"
    assert column.not_numbers == 3
    assert column.missing == 0
    assert column.unusable == 3
    assert column.examples == ("abc", "unknown ")  # distinct, as written in the file
    problems = report.problems()
    assert any("'Age' has 3 cells that are not a number" in p and "'abc'" in p for p in problems)
    assert report.to_frame().loc[0, "not a number"] == 3


def test_mostly_text_column_is_text():
    values = ["abc"] * 5 + [str(i) for i in range(10)]
    column = check_quality(pd.DataFrame({"x": values})).column("x")
    assert column.kind == "text"
    assert column.not_numbers == 0
    assert not column.is_feature_candidate


@pytest.mark.parametrize("name", ["CustomerID", "customer_id", "Customer ID", "customer-id", "ID", "id", "Id",
                                  "uuid", "GUID", "key", "customer_key", "ClientNum", "customer_no",
                                  "customerNumber", "CustomerNo", "OrderId"])
def test_id_like_by_name(name):
    frame = text_frame({name: [i % 5 for i in range(N)], "Spend": [i % 7 for i in range(N)]})
    report = check_quality(frame)
    assert report.column(name).id_like
    assert report.column(name).role == "ID-like"
    assert report.default_features == ["Spend"]
    assert name in report.numeric_columns
    assert any(f"'{name}' looks like an identifier" in p for p in report.problems())


@pytest.mark.parametrize("name", ["Age", "Paid", "Valid", "Monkey", "Android", "Spending Score (1-100)"])
def test_not_id_like_by_name(name):
    frame = text_frame({name: [i % 5 for i in range(N)]})
    assert not check_quality(frame).column(name).id_like
    assert check_quality(frame).default_features == [name]


def test_id_like_by_unique_whole_numbers():
    order = np.random.default_rng(0).permutation(N)
    frame = text_frame({
        "Number": [101 + i for i in order],                   # all different, consecutive (shuffled)
        "Account": [700_000 + 37 * i for i in range(N)],      # all different, six digits or more
        "Spend": [1000 + 7 * i for i in range(N)],            # all different but short and with gaps
        "Visits": [i % 6 for i in range(N)],                  # repeats (a small count: a profile column)
        "Ratio": [i + 0.5 for i in range(N)],                 # unique but not whole
        "Code": [f"C-{i:04d}" for i in range(N)],             # unique codes (text)
        "Name": [f"Person {i}" for i in range(N)],            # unique free text: not an ID
    })
    report = check_quality(frame)
    assert report.column("Number").id_like
    assert report.column("Account").id_like
    assert not report.column("Spend").id_like
    assert not report.column("Visits").id_like
    assert not report.column("Ratio").id_like
    assert report.column("Code").id_like
    assert not report.column("Name").id_like
    assert report.default_features == ["Spend", "Ratio"]
    assert report.coded_columns == ["Visits"]
    assert report.text_columns == ["Name"]


def test_unique_whole_numbers_in_a_small_table_are_not_an_id():
    frame = text_frame({"Number": list(range(10))})
    assert not check_quality(frame).column("Number").id_like


def test_constant_columns():
    frame = text_frame({
        "Country": ["FR"] * N,
        "Store": ["1"] * (N - 2) + ["1.0", ""],
        "Age": [20 + i % 5 for i in range(N)],
    })
    report = check_quality(frame)
    assert report.column("Country").constant and report.column("Country").role == "constant"
    assert report.column("Store").constant and report.column("Store").kind == "numeric"
    assert not report.column("Age").constant
    assert report.default_features == ["Age"]
    assert report.text_columns == []
    assert any("'Store' has the same value in every row" in p for p in report.problems())


def test_duplicated_rows():
    frame = text_frame({"a": [1, 2, 1, 1, 3], "b": ["x", "y", "x", "x", "y"]})
    report = check_quality(frame)
    assert report.duplicate_rows == 2
    assert "2 rows repeat an earlier row exactly; they are kept." in report.problems()
    assert check_quality(text_frame({"a": [1, 2, 3]})).duplicate_rows == 0


def test_problems_for_chosen_features_only():
    frame = text_frame({"a": ["", "1", "2"], "b": ["", "1", "x"], "id": [1, 1, 2]})
    report = check_quality(frame)
    found = report.problems(["a"])
    assert found == ["'a' has 1 missing value (33.3%)."]


def test_decimal_comma_quality():
    frame = pd.DataFrame({"Score": ["3,5", "4,25", "", "2,0"]})
    assert check_quality(frame, ",").column("Score").kind == "numeric"
    assert check_quality(frame, ",").column("Score").missing == 1
    assert check_quality(frame, ",").decimal == ","


def test_missing_markers_documented():
    assert {"", "na", "n/a", "null", "none", "-", "?"} <= MISSING_MARKERS


def test_why_no_features_says_what_is_wrong():
    from core import check_quality, read_table

    def why(text: str) -> str:
        table = read_table(text.encode())
        return check_quality(table.frame, table.decimal).why_no_features()

    assert "single customer" in why("a,b\n1,2\n")
    assert "every column holds text" in why("a,b\nx,y\nz,w\n")
    assert "same value in every row ('a'" in why("a,b\n1,x\n1,y\n1,z\n")
    assert "look like identifiers" in why("id,b\n1,x\n2,y\n3,z\n")
    # found from outside (a helpdesk's user export: ids, text and dates): the dates can be chosen, and it says so
    assert why("id,created_at,last_login_at\n1,2024-01-05,2024-03-01\n2,2024-02-05,\n3,2024-03-05,2024-04-01\n") == (
        "No numeric column can be used to segment: the numeric columns 'id' look like identifiers, not descriptions "
        "of customers. Its dates can be segmented on instead: choose 'created_at (days since)' and "
        "'last_login_at (days since)' as features.")
    assert why("name,signed_up\nx,2024-01-05\ny,2024-02-05\nz,2024-03-01\n").startswith(
        "The file has no numeric columns to segment on: every column holds text or dates. Segments are found from "
        "numbers such as age, income or visits. Its dates can be segmented on instead: choose 'signed_up (days since)'")


def _columns_for_distinct() -> dict[str, np.ndarray]:
    """Whole and fractional columns around the counting table's limits (size, span, slices)."""
    from core import quality

    rng = np.random.default_rng(7)
    n = 3 * quality._DISTINCT_SLICE + 123  # several slices, the last one short
    late_fraction = rng.integers(0, 50, n).astype(float)
    late_fraction[-1] = 7.5  # whole in the first slices, a fraction in the last
    mid_fraction = rng.integers(-30, 30, n).astype(float)
    mid_fraction[quality._DISTINCT_SLICE + 5] = -0.25
    span_edge = rng.integers(0, 2 * n - 1, n).astype(float)
    span_edge[:2] = (0.0, 2.0 * n - 2)  # max - min = 2n - 2: still counted in the table
    too_wide = span_edge.copy()
    too_wide[0] = -1.0  # max - min = 2n - 1 ... < 2n
    wider = span_edge.copy()
    wider[0] = -2.0  # 2n: sorted
    return {
        "ids": np.arange(1.0, n + 1.0),
        "ages": rng.integers(18, 90, n).astype(float),
        "negative": rng.integers(-1000, -900, n).astype(float),
        "signed_zero": np.where(rng.random(n) < 0.5, -1.0, 1.0) * rng.integers(0, 3, n),  # -0.0 is 0.0
        "late_fraction": late_fraction,
        "mid_fraction": mid_fraction,
        "fractions": np.round(rng.random(n) * 100, 2),
        "span_edge": span_edge,
        "too_wide": too_wide,
        "wider": wider,
        "big": rng.integers(0, 40, n).astype(float) + 1e15,
        "small": rng.integers(0, 9, 10_000).astype(float),  # at most 10,000 values: sorted
    }


@pytest.mark.parametrize("name", sorted(_columns_for_distinct()))
def test_distinct_counts_what_sorting_counts(name: str) -> None:
    from core.quality import _distinct_values, _whole

    values = _columns_for_distinct()[name]
    values.flags.writeable = False  # as the kept numbers are
    count, whole = _distinct_values(values)
    assert count == np.unique(values).size
    assert whole == (name in {"ids", "ages", "negative", "signed_zero", "span_edge", "too_wide", "big"})
    assert not whole or _whole(values)  # "proved whole" only when every value is (then not checked again)


@pytest.mark.parametrize("blank_on_top", [0, 700, 799, 800, 1_000])
def test_a_date_column_is_found_below_many_blank_cells(blank_on_top: int) -> None:
    """The date check samples the first present cells, however far down they start (then checks them all)."""
    from core.transform import date_format

    dates = [f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}" for i in range(12_000)]
    texts = pd.Series([" "] * blank_on_top + dates)
    assert date_format(texts) == "%Y-%m-%d"
    assert date_format(pd.Series([" "] * blank_on_top + ["Female", "Male"] * 150 + dates)) is None
    frame = text_frame({"Joined": [""] * blank_on_top + dates})
    assert check_quality(frame).column("Joined").kind == "date"


# --- customer ids on several rows (found from outside: counted as customers of their own, said nowhere) ---------

def _ids_table(ids: list[str], spend: list[float]) -> pd.DataFrame:
    return pd.DataFrame({"CustomerID": ids, "Spend": [f"{v:.2f}" for v in spend],
                         "Age": [str(20 + i % 50) for i in range(len(ids))]})


def test_ids_on_several_rows_with_different_values_are_a_finding() -> None:
    ids = [f"C{i:04d}" for i in range(100)] + ["C0007", "C0007", "C0042"]
    frame = _ids_table(ids, [float(i) for i in range(103)])
    report = check_quality(frame)
    repeated = report.repeated_ids
    assert repeated is not None
    assert (repeated.column, repeated.ids, repeated.rows, repeated.example, repeated.example_rows) == (
        "CustomerID", 2, 5, "C0007", 3)
    said = [f for f in report.problems() if "more than one row" in f]
    assert said == ["'CustomerID' has 2 ids on more than one row (5 rows with different values; e.g. 'C0007' on 3 "
                    "rows): each row counts as a customer of its own in the segments. Check that the export has "
                    "one row per customer (a file with a row per order or per month gives several per customer)."]


def test_rows_repeated_exactly_are_not_counted_twice() -> None:
    frame = _ids_table([f"C{i:04d}" for i in range(50)], [float(i) for i in range(50)])
    frame = pd.concat([frame, frame.iloc[[3, 4]]], ignore_index=True)
    report = check_quality(frame)
    assert report.duplicate_rows == 2 and report.repeated_ids is None
    assert not any("more than one row" in f for f in report.problems())


def test_unique_ids_gaps_and_columns_not_named_as_ids_say_nothing() -> None:
    assert check_quality(_ids_table([f"C{i}" for i in range(60)], [1.0] * 60)).repeated_ids is None
    gaps = check_quality(_ids_table([f"C{i}" for i in range(58)] + ["", "n/a"], [float(i) for i in range(60)]))
    assert gaps.repeated_ids is None  # missing ids are gaps, not one repeated id
    zips = pd.DataFrame({"Zip": [str(10000 + i % 7) for i in range(60)], "Spend": [str(i) for i in range(60)]})
    assert check_quality(zips).repeated_ids is None


def test_a_text_column_of_mostly_different_values_is_free_text_not_a_profile() -> None:
    """Found from outside (a Shopify customer export): phone numbers and zip codes written with a leading
    apostrophe (to keep their zeros) were text columns of 7,998 and 7,675 different values in 8,000 rows, and
    "profile" columns: the Clusters page ranked them as the two columns whose mix tells the segments apart most."""
    rng = np.random.default_rng(4)
    rows = 2_000
    frame = pd.DataFrame({
        "Phone": [f"'+1555{v:07d}" for v in rng.integers(0, 20_000, rows)],  # a few shared (households)
        "Zip": [f"'{v:05d}" for v in rng.integers(1_000, 4_000, rows)],  # some repeat: most do not
        "City": rng.choice([f"City {i}" for i in range(40)], rows),
        "Spend": [f"{v:.2f}" for v in rng.gamma(2, 50, rows)],
    })
    report = check_quality(frame)
    assert report.column("Phone").use == "free text"
    assert report.column("Zip").unique > rows // 2 and report.column("Zip").use == "free text"
    assert report.column("City").use == "profile"
    assert report.describing_columns == ["City"]


def test_ids_a_spreadsheet_rounded_to_scientific_notation_are_said_so() -> None:
    """Found from outside: a Shopify export's 13-digit customer ids, opened and saved in a spreadsheet, read
    '6.54321E+12': 8,000 customers under 7 ids. The finding names the cause and what to do."""
    ids = [f"{6_543_210_000_000 + i * 1_000_003:.5E}" for i in range(300)]
    frame = _ids_table(ids, [float(i) for i in range(300)])
    repeated = check_quality(frame).repeated_ids
    assert repeated is not None and repeated.rounded
    said = repeated.finding()
    assert said.startswith("'CustomerID' holds ids in scientific notation (e.g. '6.54")
    assert f"so 300 customers share {repeated.ids} ids" in said and "format that column as text" in said
    plain = check_quality(_ids_table([f"C{i % 250}" for i in range(300)], [float(i) for i in range(300)]))
    assert plain.repeated_ids is not None and not plain.repeated_ids.rounded


def test_a_column_empty_in_most_rows_is_offered_not_proposed() -> None:
    """Found from outside (a HubSpot contacts export): 'Recent Deal Amount', filled for the 10% of contacts with
    a deal, was a proposed feature, so the default model segmented 1,231 of 12,000 contacts and left the rest out."""
    rng = np.random.default_rng(6)
    rows = 1_000
    deal = np.where(rng.random(rows) < 0.1, rng.lognormal(7, 1, rows).round(2), np.nan)
    frame = pd.DataFrame({"Sessions": [str(v) for v in rng.poisson(5, rows)],
                          "Pageviews": [str(v) for v in rng.poisson(20, rows)],
                          "Recent Deal Amount": ["" if np.isnan(v) else f"{v:.2f}" for v in deal]})
    report = check_quality(frame)
    assert report.default_features == ["Sessions", "Pageviews"]
    assert report.column("Recent Deal Amount").use == "many gaps" and report.column("Recent Deal Amount").is_feature_candidate
    assert report.zero_blank_proposed == []  # the amount of the latest deal: a blank is no amount, not 0
    said = [f for f in report.problems() if f.startswith("'Recent Deal Amount' is empty in")]
    assert len(said) == 1 and "not proposed as a feature" in said[0] and "Choose it if you want it" in said[0], said
    alone = check_quality(frame[["Recent Deal Amount"]])  # nothing else to segment on: proposed all the same
    assert alone.default_features == ["Recent Deal Amount"]


def _audience(rows: int = 1_000, seed: int = 7) -> pd.DataFrame:
    """A Mailchimp audience export's numeric columns: its rating and opens, and where each member is."""
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"MEMBER_RATING": [str(v) for v in rng.integers(1, 6, rows)],
                         "OPENS": [str(v) for v in rng.poisson(12, rows)],
                         "CLICK_RATE": [f"{v:.3f}" for v in rng.beta(2, 8, rows)],
                         "LATITUDE": [f"{v:.6f}" for v in rng.uniform(25, 49, rows)],
                         "LONGITUDE": [f"{v:.6f}" for v in rng.uniform(-124, -67, rows)]})


def test_a_latitude_and_a_longitude_are_offered_not_proposed() -> None:
    """Found from outside (a Mailchimp audience): LATITUDE and LONGITUDE were proposed features, so the
    default segments grouped members by where they live on the map."""
    report = check_quality(_audience())
    # (Mailchimp's MEMBER_RATING, one to five stars of engagement, is a rating: tests/core/test_ratings.py)
    assert report.default_features == ["MEMBER_RATING", "OPENS", "CLICK_RATE"]
    assert report.location_columns == ["LATITUDE", "LONGITUDE"]
    assert report.column("LATITUDE").use == "map position" and report.column("LATITUDE").is_feature_candidate
    said = [f for f in report.problems() if "position on the map" in f]
    assert said == ["'LATITUDE' and 'LONGITUDE' give each customer's position on the map: they are not proposed as "
                    "features, so that the segments follow what customers do rather than where they are. Choose "
                    "them if you want."]


@pytest.mark.parametrize("names", [("lat", "lng"), ("geo_lat", "geo_lon"), ("Breitengrad", "Längengrad"),
                                   ("Billing Latitude", "Billing Longitude"), ("latitud", "longitud"),
                                   ("LocationLatitude", "LocationLongitude")])  # (a Qualtrics export's)
def test_map_positions_are_known_by_their_usual_names(names: tuple[str, str]) -> None:
    frame = _audience().rename(columns={"LATITUDE": names[0], "LONGITUDE": names[1]})
    assert check_quality(frame).location_columns == list(names)


def test_a_lone_long_or_a_width_out_of_range_is_no_map_position() -> None:
    """'Long' alone (no latitude beside it) or 'Breite' (a width) beyond ±90 measure something else."""
    frame = _audience()
    alone = frame.drop(columns=["LATITUDE"]).rename(columns={"LONGITUDE": "Long"})
    assert check_quality(alone).location_columns == []
    assert "Long" in check_quality(alone).default_features
    wide = frame.assign(LATITUDE=[str(v) for v in np.random.default_rng(1).integers(60, 300, len(frame))])
    assert check_quality(wide).location_columns == []
    only_places = frame[["LATITUDE", "LONGITUDE"]]  # nothing else to segment on: proposed all the same
    assert check_quality(only_places).default_features == ["LATITUDE", "LONGITUDE"]


def test_a_file_of_codes_and_a_map_position_is_proposed_its_codes() -> None:
    """The Mailchimp audience as exported: a member rating (1-5) and the coordinates are its only numbers.
    The codes are proposed when nothing is measured; the coordinates were proposed with them."""
    report = check_quality(_audience().drop(columns=["OPENS", "CLICK_RATE"]))
    assert report.default_features == ["MEMBER_RATING"]
    assert report.location_columns == ["LATITUDE", "LONGITUDE"]


def test_a_text_columns_none_and_a_regions_na_are_values_not_missing() -> None:
    """Found from outside (a Stripe customers export): 'Tax Exempt' (none or exempt) was reported missing in
    95% of its rows and "the same value in every row", so its mix was left out; the segments' mixes show
    "none" as a value. A region column's "NA" (North America) is one as well; elsewhere the markers still
    mean missing."""
    rows = 400
    rng = np.random.default_rng(3)
    frame = pd.DataFrame({
        "Spend": [f"{v:.2f}" for v in rng.lognormal(4, 1, rows)],
        "Tax Exempt": rng.choice(["none"] * 19 + ["exempt"], rows),
        "Region": rng.choice(["EMEA", "APAC", "NA", "LATAM"], rows),
        "Company": rng.choice([f"Firm {i}" for i in range(30)] + ["NA", ""], rows),
        "Canceled": rng.choice(["2024-01-05", "2024-03-09", "2023-11-30", "none"], rows),
        "Orders": rng.choice(["1", "2", "3", "5", "8", "none"], rows),
    })
    frame.loc[:1, "Tax Exempt"] = ["none", "exempt"]
    report = check_quality(frame)
    assert (report.column("Tax Exempt").missing, report.column("Tax Exempt").unique) == (0, 2)
    assert report.column("Tax Exempt").use == "profile" and "Tax Exempt" in report.describing_columns
    assert not any("Tax Exempt" in f for f in report.problems()), report.problems()
    assert (report.column("Region").missing, report.column("Region").unique) == (0, 4)
    company = frame["Company"].isin(["NA", ""]).sum()
    assert report.column("Company").missing == company  # free names: "NA" is no region there
    canceled = report.column("Canceled")
    assert canceled.kind == "date" and canceled.missing == (frame["Canceled"] == "none").sum()
    assert report.column("Orders").missing == (frame["Orders"] == "none").sum()


def test_a_column_of_two_values_is_a_flag_even_when_they_are_not_whole() -> None:
    """Found from outside (a Stripe customers export): 'Dispute Losses', 0 or 19.99 (one dispute's fee), was a
    proposed feature. Its 2% of disputers became a segment of their own at every k from 3 to 5, each set
    aside as tiny, and k=2 was recommended with 74% of customers in one 'Average customers' segment."""
    rng = np.random.default_rng(8)
    rows = 2_000
    frame = pd.DataFrame({"Total Spend": [f"{v:.2f}" for v in rng.lognormal(5, 1, rows)],
                          "Payment Count": [str(v) for v in rng.poisson(8, rows)],
                          "Dispute Losses": rng.choice(["0.00"] * 49 + ["19.99"], rows)})
    report = check_quality(frame)
    assert report.column("Dispute Losses").coded and report.column("Dispute Losses").use == "profile"
    assert report.default_features == ["Total Spend", "Payment Count"]
    assert any("'Dispute Losses'" in f and "two values only (a flag)" in f for f in report.problems())


def test_values_written_in_different_case_are_said():
    """Found from outside: a Gender column written Male, male, FEMALE and Female was checked as four values
    without a word. The check names the spellings; the segments' mixes count them as one value."""
    frame = pd.DataFrame({"Gender": ["Male", "male", "Female", "FEMALE", "female", "Male", "Female"] * 10,
                          "Plan": ["Pro", "Basic"] * 35, "Spend": [str(i) for i in range(70)]})
    report = check_quality(frame)
    gender = report.column("Gender")
    assert gender.case_variants == (("Female", "FEMALE", "female"), ("Male", "male"))  # most common first
    assert report.column("Plan").case_variants == ()
    said = [f for f in report.problems() if "different case" in f]
    assert said == ["'Gender' writes a value in different case (Female, FEMALE, female; Male, male): the segments' "
                    "mixes count each as one value, written the most common way."]


def test_a_column_empty_for_a_fifth_of_the_customers_is_offered_not_proposed() -> None:
    """Found from outside (a Klaviyo profiles export): 'Average Order Value' is empty for the 35% of subscribers
    who never ordered; proposed with the lifetime value and the orders, it left all of them out of the default
    segments ("segmented 5,200 of 8,000"), the very group a marketer wants to reach. A column empty in more
    than a fifth of the rows is offered, not proposed; one with a few gaps is still proposed."""
    rng = np.random.default_rng(11)
    rows = 2_000
    orders = rng.negative_binomial(1, 0.35, rows)
    aov = np.where(orders > 0, rng.lognormal(4, 0.5, rows).round(2), np.nan)
    frame = pd.DataFrame({"Orders": [str(v) for v in orders],
                          "Lifetime Value": [f"{v:.2f}" for v in np.nan_to_num(orders * aov)],
                          "Average Order Value": ["" if np.isnan(v) else f"{v:.2f}" for v in aov],
                          "Age": ["" if i % 10 == 0 else str(20 + i % 50) for i in range(rows)]})
    report = check_quality(frame)
    assert report.default_features == ["Orders", "Lifetime Value", "Age"]  # Age: 10% gaps, still proposed
    assert report.gappy_columns == ["Average Order Value"]
    assert report.column("Average Order Value").use == "many gaps"
    said = [f for f in report.problems() if f.startswith("'Average Order Value' is empty in")]
    assert said == ["'Average Order Value' is empty in 35% of the rows: it is not proposed as a feature (a model on "
                    "it would leave those customers out of the segments, or fill them with one made-up value). "
                    "Choose it if you want it anyway."]


def test_many_columns_with_gaps_are_said_in_one_finding() -> None:
    """Found from outside: with gaps set aside from a fifth of the rows, a wide CRM export's 30 optional fields
    each had a finding of their own, 30 lines (besides their missing counts). More than three are said in one."""
    rng = np.random.default_rng(5)
    rows = 400
    frame = pd.DataFrame({f"Metric {i}": [str(v) for v in rng.poisson(20, rows)] for i in range(3)})
    for i in range(12):
        frame[f"Optional {i}"] = ["" if rng.random() < 0.5 else str(v) for v in rng.poisson(20, rows)]
    report = check_quality(frame)
    missing = [f for f in report.problems() if "missing value" in f]
    assert missing == [f"12 columns have missing values: 'Optional 0' ({report.column('Optional 0').missing_share:.0%})"
                       f"{missing[0].split(')', 1)[1]}"] and " and 4 more (the table of columns gives each one's " \
        "count)." in missing[0]  # one line, not twelve
    said = [f for f in report.problems() if "more than a fifth of the rows" in f or " is empty in " in f]
    assert len(said) == 1 and said[0].startswith("'Optional 0' (") and " and 4 more are empty in more than a " \
           "fifth of the rows: they are not proposed as features" in said[0], said
    assert report.gappy_columns == [f"Optional {i}" for i in range(12)]
