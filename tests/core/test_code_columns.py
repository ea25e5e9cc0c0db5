"""Numbers that name things, found from outside: an order export's ``InvoiceNo`` and ``StockCode`` (the shape of
the public Online Retail file) and a customer file's ``ZipCode`` were proposed as model features, and a
``ZipCode`` decided segments as if 10115 were a measurement. A column of whole numbers whose name says it is a
number or code of something (``Invoice No``, ``order_number``, ``StockCode``, ``Zip``, ``Phone``...) is now
ID-like when it holds more distinct values than a coded column may; with few values it stays a coded column
(a ``Store No`` of eight stores describes segments by its mix)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from core.quality import check_quality


def _frame(rows: int = 3_000, seed: int = 2) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    invoice = rng.integers(500_000, 560_000, rows).astype(str).astype(object)
    invoice[rng.random(rows) < 0.04] = "C" + invoice[rng.random(rows) < 0.04][0]
    return pd.DataFrame({
        "InvoiceNo": invoice,
        "StockCode": rng.integers(10_000, 11_000, rows).astype(str),
        "ZipCode": rng.choice(rng.integers(10_000, 99_999, 800), rows).astype(str),
        "zip": rng.choice(rng.integers(1_000, 9_999, 600), rows).astype(str),
        "Phone": rng.choice(rng.integers(2_000_000_000, 9_999_999_999, rows // 2), rows).astype(str),
        "order_number": rng.integers(1, rows // 2, rows).astype(str),
        "Store No": rng.integers(1, 9, rows).astype(str),
        "Number of children": rng.integers(0, 4, rows).astype(str),
        "NumWebPurchases": rng.poisson(6, rows).astype(str),
        "Income": rng.normal(50_000, 12_000, rows).round(0).astype(str),
        "Recency": rng.integers(0, 100, rows).astype(str),
        "Casino": rng.integers(0, 400, rows).astype(str),  # ends in "no", names no number
        "Piano lessons": rng.integers(0, 30, rows).astype(str),
    })


def test_numbers_named_as_numbers_or_codes_of_things_are_not_features():
    report = check_quality(_frame())
    by_name = {c.name: c for c in report.column_reports}
    for name in ("InvoiceNo", "StockCode", "ZipCode", "zip", "Phone", "order_number"):
        assert by_name[name].id_like and by_name[name].use == "ID-like", name
        assert name not in report.default_features, name
    assert by_name["Store No"].use == "profile" and by_name["Store No"].coded  # eight stores: a coded column
    for name in ("NumWebPurchases", "Income", "Recency", "Casino", "Piano lessons"):
        assert not by_name[name].id_like and name in report.default_features, name
    assert not by_name["Number of children"].id_like
    # the check says why, among the identifiers
    assert any("'StockCode'" in finding and "identifier" in finding for finding in report.problems())


@pytest.mark.parametrize("name", ["Customer No", "customer_no", "CustomerNo", "Kundennummer", "Account Nr",
                                  "Postcode", "postal_code", "PLZ", "SKU", "EAN", "Product Code", "Member number",
                                  # found from outside: a loyalty export's "Cust #" and a CRM's "Account" (unique
                                  # 5- and 4-digit numbers) were proposed features beside spend and visits
                                  "Cust #", "Order#", "Customer #", "Account", "Acct", "Client", "Customer",
                                  "Member", "Card",
                                  # found from outside: a Stripe customers export's "Card Last4" was a proposed feature
                                  "Card Last4", "last_4_digits", "card_last_four",
                                  # found from outside: a Square transactions export's "PAN Suffix" was a feature
                                  "PAN Suffix", "Card Ending", "card_last_digits",
                                  # found from outside: a loyalty export's store numbers (1001-1180) were features
                                  "Home Store", "Store", "Preferred Store", "Branch", "home_store_id",
                                  # found from outside: a Brevo export's CODE_POSTAL, WooCommerce's Billing Postcode
                                  "CODE_POSTAL", "Code postal", "CP", "Billing Postcode", "CAP", "zip5",
                                  "Shipping Zip Code"])
def test_each_spelling_of_a_number_or_code_is_recognised(name):
    rng = np.random.default_rng(1)
    frame = pd.DataFrame({name: rng.choice(rng.integers(1_000, 99_999, 500), 2_000).astype(str),
                          "Spend": rng.gamma(2, 40, 2_000).round(2).astype(str)})
    report = check_quality(frame)
    assert report.column_reports[0].id_like, name
    assert report.default_features == ["Spend"]


def test_numbers_written_with_leading_zeros_are_codes():
    """Found from outside (a Brevo contacts export): post codes written 06345 and 01641, under a name not known
    for them, were a proposed feature: a measure is never written with a leading zero, a code often is."""
    rng = np.random.default_rng(3)
    codes = rng.integers(1_000, 99_999, 2_000)
    frame = pd.DataFrame({"Territory": [f"{c:05d}" for c in codes],
                          "Spend": rng.gamma(2, 40, 2_000).round(2).astype(str),
                          "Share": [f"{v:.2f}" for v in rng.random(2_000)]})  # 0.37: no leading zero
    report = check_quality(frame)
    assert report.default_features == ["Spend", "Share"]
    assert report.column("Territory").use in ("ID-like", "profile")


@pytest.mark.parametrize("name", ["Card Exp Year", "exp_year", "Card Expiry Year", "expiration_year", "cc_exp_year"])
def test_a_cards_expiry_year_is_no_feature(name):
    """Found from outside (a Stripe customers export and a Recurly one): 'Card Exp Year', 2024 to 2031, was a
    proposed feature, and the segments split subscribers by when their card expires ("High card exp"), where its
    'Card Exp Month' beside it was a coded column. A card's expiry is the card's, not the customer's doing."""
    rng = np.random.default_rng(2)
    frame = pd.DataFrame({name: rng.integers(2024, 2032, 2_000).astype(str),
                          "Spend": rng.gamma(2, 40, 2_000).round(2).astype(str)})
    report = check_quality(frame)
    assert report.default_features == ["Spend"], name
    assert report.column(name).use in ("profile", "ID-like"), name


@pytest.mark.parametrize("name", ["Orders last 4 weeks", "Last4Weeks", "spend_last_4_months", "Visits last four days",
                                  "NumStorePurchases", "Store Visits", "Visits in store", "Expenses"])
def test_a_count_over_the_last_four_weeks_is_no_card_number(name):
    """(Store visits and store purchases count, unlike a store's number.)"""
    rng = np.random.default_rng(1)
    frame = pd.DataFrame({name: rng.poisson(40, 2_000).astype(str), "Spend": rng.gamma(2, 40, 2_000).round(2).astype(str)})
    assert name in check_quality(frame).default_features


def test_the_table_of_columns_says_what_kind_of_data_each_holds_beside_its_role():
    """The data check's table gave "profile" as the type of the customer table's first_purchase (a date) and
    r_score (a number), and "ID-like" as the type of a text customer id: the type is the data's, the role
    what the product does with it."""
    frame = pd.DataFrame({"customer": [f"C{i:04d}X" for i in range(40)],
                          "first_purchase": [f"2024-01-{1 + i % 28:02d}" for i in range(40)],
                          "r_score": [str(1 + i % 5) for i in range(40)],
                          "Spend": [str(10.5 + i) for i in range(40)]})
    table = check_quality(frame).to_frame().set_index("column")
    assert table.loc["customer", "type"] == "text" and table.loc["customer", "role"] == "ID-like"
    assert table.loc["first_purchase", "type"] == "date" and table.loc["first_purchase", "role"] == "profile"
    assert table.loc["r_score", "type"] == "numeric" and table.loc["r_score", "role"] == "profile"
    assert table.loc["Spend", "type"] == "numeric" and table.loc["Spend", "role"] == "feature"
    # an identifier has no skewness or transform to propose
    ids = check_quality(pd.DataFrame({"CustomerID": [str(10_000 + i * i) for i in range(40)],
                                      "Spend": [str(10.5 + i) for i in range(40)]})).to_frame().set_index("column")
    assert np.isnan(ids.loc["CustomerID", "skewness"]) and ids.loc["CustomerID", "transform"] == ""


def test_a_month_weekday_or_quarter_of_the_calendar_is_a_profile_column_not_a_feature() -> None:
    """Found from outside (an airline's loyalty history: "Enrollment Year" and "Enrollment Month", the month 1 to
    12): the enrollment month was a proposed feature, so January and December customers sat at opposite ends
    of the segments. A column whose name says a month, a weekday or a quarter of the calendar, holding whole
    numbers in its range, is read as a coded column (its mix shown per segment); counts over a month ("Orders
    this month", "Visits per month") and durations ("Tenure (months)") stay measures."""
    rng = np.random.default_rng(8)
    rows = 2_000
    frame = pd.DataFrame({
        "CLV": rng.lognormal(8, 0.5, rows).round(2),
        "Enrollment Year": rng.integers(2012, 2019, rows),
        "Enrollment Month": rng.integers(1, 13, rows),
        "Birth_Month": rng.integers(1, 13, rows),
        "Day of Week": rng.integers(1, 8, rows),
        "Signup Quarter": rng.integers(1, 5, rows),
        "Orders this month": rng.integers(0, 12, rows),
        "Visits per month": rng.integers(1, 13, rows),
        "Tenure (months)": rng.integers(1, 13, rows),
    }).astype(str)
    report = check_quality(frame)
    calendar = ["Enrollment Month", "Birth_Month", "Day of Week", "Signup Quarter"]
    assert [report.column(c).use for c in calendar] == ["profile"] * 4
    assert report.default_features == ["CLV", "Enrollment Year", "Orders this month", "Visits per month",
                                       "Tenure (months)"]
    # a "month" column of other numbers (a month's spend) is no calendar month
    spend = check_quality(pd.DataFrame({"Spend month": rng.integers(1, 40, rows).astype(str)}))
    assert spend.column("Spend month").use == "feature"


def test_a_count_over_a_month_named_as_a_count_is_no_calendar_month() -> None:
    """Found from outside (Kaggle's "Customer Personality Analysis" export, its customers who visited at least once:
    ``NumWebVisitsMonth`` of 1 to 9): the web visits of last month were read as a month of the calendar, a coded
    column, while ``NumWebPurchases`` beside it was proposed. A name that says it counts or totals something
    ("Num", "Number of", "Count", "Total", "Avg") counts over the month it names."""
    rng = np.random.default_rng(4)
    rows = 2_000
    counts = ["NumWebVisitsMonth", "Number of visits month", "visit_count_month", "TotalOrdersMonth", "AvgSpendMonth"]
    frame = pd.DataFrame({"NumWebPurchases": rng.integers(0, 11, rows),
                          **{name: rng.integers(1, 10, rows) for name in counts},
                          "Signup Month": rng.integers(1, 13, rows)}).astype(str)
    report = check_quality(frame)
    assert report.default_features == ["NumWebPurchases", *counts]
    assert report.column("Signup Month").use == "profile"


def test_a_time_zones_offset_is_a_profile_column_not_a_feature() -> None:
    """Found from outside (a Mailchimp audience export: GMTOFF and DSTOFF, -8 to 10, with 5.5 for India): the
    offset from UTC was a proposed feature, so customers were segmented by how far east they live, as an interval.
    A column whose name says it is a time zone's offset from UTC or GMT holds a place (its mix is shown per
    segment), as a map position does; a measure named otherwise ("Offset days") stays one."""
    rng = np.random.default_rng(3)
    rows = 1_500
    offsets = rng.choice([-8, -7, -6, -5, 0, 1, 5.5, 10], rows)
    frame = pd.DataFrame({"Orders": rng.poisson(3, rows), "GMTOFF": offsets, "DSTOFF": offsets + 1,
                          "utc_offset": offsets, "Time zone offset": offsets, "Offset days": rng.integers(0, 90, rows),
                          "Spend": rng.lognormal(4, 1, rows).round(2)}).astype(str)
    report = check_quality(frame)
    assert [report.column(c).use for c in ("GMTOFF", "DSTOFF", "utc_offset", "Time zone offset")] == ["profile"] * 4
    assert report.default_features == ["Orders", "Offset days", "Spend"]
    # Europe's and Asia's whole hours, 0 to 8, in three such columns are no battery of ratings either
    east = rng.choice([0, 1, 2, 3, 8], rows)
    report = check_quality(frame.assign(GMTOFF=east, DSTOFF=east + 1, utc_offset=east).astype(str))
    assert [report.column(c).use for c in ("GMTOFF", "DSTOFF", "utc_offset")] == ["profile"] * 3


@pytest.mark.parametrize("name", ["Dimension 1", "user_pseudo_id", "cd1"])
def test_analytics_client_ids_are_identifiers_whatever_their_name(name):
    """Found from outside: a Google Analytics export's client ids (a random number, a point, the first visit's Unix
    time: 1234567890.1698765432) under a custom dimension's name were a proposed feature, read as about 1.2e9."""
    rng = np.random.default_rng(5)
    ids = [f"{rng.integers(100_000_000, 2_147_483_647)}.{rng.integers(1_600_000_000, 1_700_000_000)}"
           for _ in range(1_000)]
    frame = pd.DataFrame({name: ids, "Sessions": rng.poisson(5, 1_000).astype(str),
                          "Large amounts": rng.uniform(1e9, 2e9, 1_000).round(1).astype(str)})
    report = check_quality(frame)
    assert report.column(name).id_like and report.default_features == ["Sessions", "Large amounts"]
