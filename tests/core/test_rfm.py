"""core.rfm: order lines to one row per customer, checked against an independent pandas computation."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import adjusted_rand_score

from core import check_quality, read_table, segment_new
from core.errors import FeatureError, ModelError, OrdersError
from core.rfm import (ALL_CURRENCIES, RFM_COLUMNS, RFM_GROUPS, CustomerTable, OrderColumns, OrderRecipe, build_customers,
                      group_crosstab, last_order, looks_like_orders, net_return_rows, net_returns_apart, net_returns_text,
                      rebuild_for_model, recognise_columns)

from .orders import a_month_later, expected, make_orders, net_and_gross_orders, with_net_returners

TODAY = pd.Timestamp("2025-01-01")


def _text(rows: list[list[str]], header: list[str]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=header).astype("str")


def test_one_row_per_customer_with_the_values_pandas_gives() -> None:
    frame, kinds = make_orders(400, seed=1)
    result = build_customers(frame, today=TODAY)
    table = result.table.set_index("CustomerID")
    assert table.index.is_unique and set(table.index) == set(kinds)
    assert list(result.table.columns) == ["CustomerID", *RFM_COLUMNS]
    want = expected(frame, result.as_of).loc[table.index]
    assert result.as_of == pd.to_datetime(frame["InvoiceDate"]).max().normalize() + pd.Timedelta(days=1)
    np.testing.assert_allclose(table["monetary"], want["monetary"], atol=0.005)
    np.testing.assert_array_equal(table["frequency"], want["frequency"])
    np.testing.assert_array_equal(table["recency_days"], want["recency_days"])
    np.testing.assert_array_equal(table["tenure_days"], want["tenure_days"])
    np.testing.assert_allclose(table["average_order_value"], (want["monetary"] / want["frequency"]).round(2),
                               atol=0.011)
    assert (table["first_purchase"] == want["first"].dt.strftime("%Y-%m-%d")).all()
    assert (table["last_purchase"] == want["last"].dt.strftime("%Y-%m-%d")).all()
    assert result.table["recency_days"].min() == 1  # the as-of date is the day after the last order


def test_returns_and_cancellations_net_against_purchases() -> None:
    header = ["Invoice", "Customer ID", "InvoiceDate", "Quantity", "Price"]
    rows = [
        ["1001", "A", "2024-01-05 10:00", "3", "10.00"],   # A buys 30
        ["1001", "A", "2024-01-05 10:00", "1", "5.00"],    # ... and 5 on the same order
        ["1002", "A", "2024-02-01 09:00", "-1", "10.00"],  # returns 10 (a negative quantity)
        ["C1003", "A", "2024-02-02 09:00", "1", "5.00"],   # a cancelled invoice counts negative whatever its sign
        ["2001", "B", "2024-03-01 12:00", "2", "20.00"],   # B buys 40
        ["C2002", "B", "2024-03-03 12:00", "-2", "20.00"], # and cancels it all
        ["3001", "C", "2024-03-10 08:00", "1", "7.50"],
    ]
    result = build_customers(_text(rows, header), today=TODAY)
    table = result.table.set_index("Customer ID")
    assert table.loc["A", "monetary"] == pytest.approx(30 + 5 - 10 - 5)
    assert table.loc["A", "frequency"] == 1  # the return and the cancellation are not orders
    assert table.loc["A", "last_purchase"] == "2024-01-05"  # nor purchases
    assert table.loc["B", "monetary"] == 0 and table.loc["B", "frequency"] == 1
    text = " ".join(result.notes)
    assert "1 line of 1 cancelled order" not in text and "2 lines of 2 cancelled orders" in text
    assert "C1003" in text and "1 return line" in text
    assert "monetary 0 or less" in text


def test_lines_without_customer_are_counted_with_their_share_of_revenue() -> None:
    header = ["OrderID", "Client", "OrderDate", "Amount"]
    rows = [["1", "x1", "2024-01-01", "100"], ["2", "x2", "2024-01-02", "100"], ["3", "", "2024-01-03", "50"],
            ["4", "NA", "2024-01-03", "50"], ["5", "x1", "2024-01-04", "200"]]
    result = build_customers(_text(rows, header), today=TODAY)
    assert len(result.table) == 2 and result.used_lines == 3
    note = next(n for n in result.notes if "no customer id" in n)
    assert "2 order lines (40.0%)" in note and "20.0% of the value" in note
    assert result.columns.amount == "Amount" and result.columns.order == "OrderID"


def test_dates_in_several_formats_and_times() -> None:
    header = ["Customer", "Date", "Sales"]
    rows = [["a", "31/01/2024 10:15", "1"], ["a", "15/02/2024", "1"], ["b", "2024-03-01", "1"],
            ["b", "01.04.2024 08:00:00", "1"], ["c", "5 May 2024", "1"], ["c", "not a date", "1"]]
    result = build_customers(_text(rows, header), today=TODAY)
    table = result.table.set_index(result.id_column)
    assert table.loc["a", "first_purchase"] == "2024-01-31" and table.loc["a", "last_purchase"] == "2024-02-15"
    assert table.loc["b", "last_purchase"] == "2024-04-01" and table.loc["c", "last_purchase"] == "2024-05-05"
    text = " ".join(result.notes)
    assert "formats" in text and "'not a date'" in text and "1 order line has a date that could not be read" in text


def test_a_shop_export_with_utc_offsets_and_e_mails_becomes_customers() -> None:
    """Found from outside on a Shopify-shaped order export: its dates carry the shop's UTC offset
    (``2024-06-26 13:03:00 +0100``, ``+0200`` in summer) and its customers are e-mail addresses. `segments rfm`
    stopped with "internal error (TypeError: Invalid comparison between dtype=datetime64[us, UTC+01:00] and
    Timestamp)", and without --customer said no column holds the customer."""
    header = ["Name", "Email", "Created at", "Total"]
    rows = [["#1001", "ann@mail.com", "2024-01-31 23:30:00 +0100", "10.00"],
            ["#1002", "ann@mail.com", "2024-06-30 00:15:00 +0200", "20.00"],
            ["#1003", "bob@mail.com", "2024-07-01T09:00:00Z", "5.00"],
            ["#1004", "bob@mail.com", "2024-07-02T09:00:00.250-05:00", "7.50"]]
    result = build_customers(_text(rows, header), today=TODAY)
    assert result.columns.customer == "Email"
    table = result.table.set_index(result.id_column)
    # each date as the shop wrote it (its own zone): not shifted to another day by the offset
    assert table.loc["ann@mail.com", "first_purchase"] == "2024-01-31"
    assert table.loc["ann@mail.com", "last_purchase"] == "2024-06-30"
    assert table.loc["bob@mail.com", "last_purchase"] == "2024-07-02"
    assert table.loc["bob@mail.com", "monetary"] == pytest.approx(12.5)
    assert not any("could not be read" in note for note in result.notes)


def test_refunded_and_cancelled_orders_by_status_are_left_out_and_said() -> None:
    """Found from outside on a Shopify-shaped export: 290 lines of refunded orders (4% of the value) kept their
    positive Total and counted as spend, because only negative lines and C-numbered invoices were known as
    returns. A status column (recognised by name) marks them: refunded, cancelled, voided or failed orders are
    left out, with a note naming the statuses, their value and the customers who had no other order; a
    partially refunded order is kept; status="" counts every line."""
    header = ["Order ID", "Customer", "Order Date", "Total", "Financial Status"]
    rows = [["1", "a", "2024-01-05", "10", "paid"], ["2", "a", "2024-02-05", "40", "Refunded"],
            ["3", "b", "2024-03-05", "25", "partially_refunded"], ["4", "b", "2024-03-06", "5", "VOIDED"],
            ["5", "c", "2024-04-01", "99", "cancelled"], ["6", "d", "2024-04-02", "7", "Storniert"],
            ["7", "d", "2024-04-03", "8", ""]]
    result = build_customers(_text(rows, header), today=TODAY)
    assert result.columns.status == "Financial Status" and "order status: 'Financial Status' (recognised)" \
        in result.columns.describe()
    table = result.table.set_index(result.id_column)
    assert sorted(table.index) == ["a", "b", "d"]  # c's one order was cancelled
    assert table.loc["a", "monetary"] == 10 and table.loc["a", "frequency"] == 1
    assert table.loc["b", "monetary"] == 25 and table.loc["d", "monetary"] == 8
    note = next(n for n in result.notes if "not purchases" in n)
    assert note.startswith("4 order lines marked ")
    for status in ("'Refunded' (1)", "'VOIDED' (1)", "'cancelled' (1)", "'Storniert' (1)"):
        assert status in note
    assert "(151.00, 77.8% of the value of all lines). 1 customer had no other order" in note
    everything = build_customers(_text(rows, header), recognise_columns(_text(rows, header), status=""), today=TODAY)
    assert everything.columns.status is None and len(everything.table) == 4
    assert not any("not purchases" in n for n in everything.notes)
    # a US state is not a status; a status column without such orders leaves every line in
    plain = _text([["1", "a", "2024-01-05", "10", "TX"]], ["Order ID", "Customer", "Order Date", "Total", "State"])
    assert recognise_columns(plain).status is None


def test_month_first_dates_are_recognised_from_a_day_above_12() -> None:
    rows = [["a", "12/1/2010 8:26", "2"], ["b", "12/13/2010 9:00", "3"], ["a", "1/5/2011 10:00", "1"]]
    result = build_customers(_text(rows, ["CustomerID", "InvoiceDate", "Amount"]), today=TODAY)
    table = result.table.set_index("CustomerID")
    assert table.loc["a", "first_purchase"] == "2010-12-01" and table.loc["a", "last_purchase"] == "2011-01-05"


def test_ambiguous_day_month_order_is_reported() -> None:
    rows = [["a", "03/04/2024", "2"], ["b", "05/06/2024", "3"]]
    result = build_customers(_text(rows, ["CustomerID", "InvoiceDate", "Amount"]), today=TODAY)
    assert any("no day is above 12" in n for n in result.notes)


def test_duplicate_lines_are_reported_and_kept() -> None:
    rows = [["1", "a", "2024-01-01", "10"], ["1", "a", "2024-01-01", "10"], ["2", "b", "2024-01-02", "5"]]
    result = build_customers(_text(rows, ["Invoice", "CustomerID", "Date", "Amount"]), today=TODAY)
    assert any("1 order line repeats an earlier line" in n for n in result.notes)
    assert result.table.set_index("CustomerID").loc["a", "monetary"] == 20


def test_customer_id_is_kept_exactly_as_written() -> None:
    rows = [["007", "2024-01-01", "1"], [" 7", "2024-01-02", "1"], ["7.0", "2024-01-02", "1"]]
    result = build_customers(_text(rows, ["Customer", "Date", "Amount"]), today=TODAY)
    assert result.table["customer_id"].tolist() == ["007", " 7", "7.0"]
    assert any("'Customer' is called 'customer_id'" in n for n in result.notes)


def test_scores_are_quintiles_and_groups_follow_the_rf_map() -> None:
    frame, _ = make_orders(500, seed=2)
    table = build_customers(frame, today=TODAY).table
    for score, column, better in (("r_score", "recency_days", -1), ("f_score", "frequency", 1),
                                  ("m_score", "monetary", 1)):
        assert set(table[score]) <= {1, 2, 3, 4, 5}
        # equal values, equal scores; a better value never a lower score
        assert (table.groupby(column)[score].nunique() == 1).all()
        ordered = table.sort_values(column, ascending=better > 0)
        assert ordered[score].is_monotonic_increasing
    assert table["r_score"].value_counts().max() < 0.3 * len(table)  # recency has few ties: quintiles
    assert set(table["rfm_group"].astype(str)) <= set(RFM_GROUPS)
    champions = table[table["rfm_group"] == "Champions"]
    assert ((champions["r_score"] == 5) & (champions["f_score"] >= 4)).all()
    lost = table[table["rfm_group"] == "Lost"]
    assert ((lost["r_score"] == 1) & (lost["f_score"] == 1)).all()
    scores = table[["r_score", "f_score", "m_score"]].astype(int)
    assert (table["rfm_score"] == scores["r_score"] * 100 + scores["f_score"] * 10 + scores["m_score"]).all()


def test_scores_and_dates_are_profile_columns_not_default_features() -> None:
    frame, _ = make_orders(200, seed=3)
    text = build_customers(frame, today=TODAY).to_text_frame()
    report = check_quality(text)
    assert report.default_features == ["recency_days", "frequency", "monetary", "average_order_value",
                                       "tenure_days"]
    assert "rfm_group" in report.describing_columns
    assert not {"first_purchase", "last_purchase"} & set(report.describing_columns)
    assert report.column("CustomerID").id_like


def test_k3_on_the_customer_table_recovers_the_kinds() -> None:
    frame, kinds = make_orders(600, seed=4)
    result = build_customers(frame, today=TODAY)
    text = result.to_text_frame()
    report = check_quality(text)
    seg = segment_new(text, report.default_features, 3, 0, "drop", ".")
    truth = [kinds[c] for c in text["CustomerID"]]
    assert adjusted_rand_score(truth, seg.labels) > 0.8


def test_the_customer_table_round_trips_through_a_csv(tmp_path) -> None:
    from core import write_csv

    frame, _ = make_orders(100, seed=5)
    result = build_customers(frame, today=TODAY)
    path = tmp_path / "customers.csv"
    write_csv(result.to_text_frame(), path)
    back = read_table(path).frame
    pd.testing.assert_frame_equal(back, result.to_text_frame(), check_dtype=False)


def test_looks_like_orders() -> None:
    frame, _ = make_orders(100, seed=6)
    found = looks_like_orders(frame)
    assert found is not None and found.customer == "CustomerID"
    customers = build_customers(frame, today=TODAY).to_text_frame()
    assert looks_like_orders(customers) is None  # one row per customer
    from core import DEMO_PATH

    assert looks_like_orders(read_table(DEMO_PATH).frame) is None


# --- hostile order files ---------------------------------------------------------------------------

def test_no_date_column() -> None:
    rows = [["a", "1"], ["a", "2"], ["b", "3"]]
    with pytest.raises(OrdersError, match="No column holds the order dates.*--date"):
        build_customers(_text(rows, ["CustomerID", "Amount"]))


def test_a_date_column_without_dates() -> None:
    rows = [["a", "soon", "1"], ["b", "later", "2"]]
    with pytest.raises(OrdersError, match="'Date' does not hold dates that could be read \\(e.g. 'soon'"):
        build_customers(_text(rows, ["CustomerID", "Date", "Amount"]))


def test_all_amounts_text() -> None:
    rows = [["a", "2024-01-01", "ten"], ["b", "2024-01-02", "five"]]
    with pytest.raises(OrdersError, match="'Amount' \\(the amount\\) holds no numbers: e.g. 'ten', 'five'"):
        build_customers(_text(rows, ["CustomerID", "Date", "Amount"]))


def test_one_customer() -> None:
    rows = [["a", "2024-01-01", "1"], ["a", "2024-01-02", "2"]]
    with pytest.raises(OrdersError, match="one customer \\('a'\\)"):
        build_customers(_text(rows, ["CustomerID", "Date", "Amount"]))


def test_dates_in_the_future() -> None:
    rows = [["a", "2024-01-01", "1"], ["b", "2099-01-02", "2"]]
    with pytest.raises(OrdersError, match="1 order line is dated after today \\(2025-01-01\\); the last is 2099-01-02"):
        build_customers(_text(rows, ["CustomerID", "Date", "Amount"]), today=TODAY)
    # an explicit as-of date on or after them is the user's word that they are right
    result = build_customers(_text(rows, ["CustomerID", "Date", "Amount"]), today=TODAY, as_of="2099-02-01")
    assert result.table["recency_days"].tolist() == [27425, 30]


def test_as_of_before_the_last_order_is_refused() -> None:
    rows = [["a", "2024-01-01", "1"], ["b", "2024-03-02", "2"]]
    with pytest.raises(OrdersError, match="as-of date 2024-03-01 is before the last order in the file \\(2024-03-02\\)"):
        build_customers(_text(rows, ["CustomerID", "Date", "Amount"]), as_of="2024-03-01", today=TODAY)
    with pytest.raises(OrdersError, match="'someday' is not a date"):
        build_customers(_text(rows, ["CustomerID", "Date", "Amount"]), as_of="someday", today=TODAY)
    result = build_customers(_text(rows, ["CustomerID", "Date", "Amount"]), as_of="2024-03-02", today=TODAY)
    assert result.table["recency_days"].tolist() == [61, 0]
    assert "as of 2024-03-02 (given)" in result.notes[0]


def test_the_default_as_of_date_given_back_is_said_to_be_the_default() -> None:
    """Found from outside: the Upload page's order card fills its date field with the default (the day after the
    last order) and sends it back; the built table then said "as of 2024-12-31 (given)" for a date nobody gave."""
    rows = [["a", "2024-01-01", "1"], ["b", "2024-03-02 18:00", "2"]]
    for as_of in (None, "2024-03-03"):
        result = build_customers(_text(rows, ["CustomerID", "Date", "Amount"]), as_of=as_of, today=TODAY)
        assert result.notes[0].endswith("as of 2024-03-03 (the day after the last order).")


def test_missing_columns_are_named() -> None:
    rows = [["a", "2024-01-01"], ["b", "2024-01-02"]]
    with pytest.raises(FeatureError, match="No column holds the value of each order line"):
        build_customers(_text(rows, ["CustomerID", "Date"]))
    with pytest.raises(FeatureError, match="There is no column 'Nope'"):
        recognise_columns(_text(rows, ["CustomerID", "Date"]), customer="Nope")
    with pytest.raises(FeatureError, match="No column holds the customer"):
        build_customers(_text([["2024-01-01", "1"]], ["Date", "Amount"]))


def test_group_crosstab_counts_customers_per_segment_and_group() -> None:
    groups = pd.Series(["Champions", "Lost", "Champions", "At risk", ""]).replace("", None)
    labels = np.array([0, 1, 0, -1, 1])
    cells = group_crosstab(groups, labels, ["Big", "Small"])
    assert list(cells.columns) == ["Champions", "Lost"]  # best first, groups nobody has left out
    assert cells.loc["Big", "Champions"] == 2 and cells.loc["Small", "Lost"] == 1 and cells.values.sum() == 3


def test_last_order() -> None:
    frame, _ = make_orders(50, seed=8)
    assert last_order(frame, "InvoiceDate") == pd.to_datetime(frame["InvoiceDate"]).max()
    assert last_order(frame, "CustomerID") is None


def test_order_numbers_given_as_dates_are_not_read_as_far_future_dates() -> None:
    rows = [["a", "500001", "1"], ["b", "5000010", "2"], ["a", "99991231", "1"]]
    with pytest.raises(OrdersError, match="'Date' does not hold dates"):
        build_customers(_text(rows, ["CustomerID", "Date", "Amount"]), today=TODAY)


def test_month_first_dates_are_not_read_day_first_when_most_days_are_small() -> None:
    # 41,472 distinct times on days 1-12 and a few on day 13 or more: a sample of 2,000 distinct texts
    # cannot tell day/month from month/day
    days = [f"{m}/{d}/2023 {h}:{five:02d}" for m in range(1, 13) for d in range(1, 13) for h in range(24)
            for five in range(0, 60, 5)]
    days += ["1/13/2023 8:00", "2/20/2023 8:00", "3/31/2023 8:00"]
    rows = [[f"c{i % 50}", day, "1"] for i, day in enumerate(days)]
    result = build_customers(_text(rows, ["CustomerID", "InvoiceDate", "Amount"]), today=TODAY)
    assert result.table["last_purchase"].max() == "2023-12-12"
    assert not any("formats" in n for n in result.notes)  # one format, month first, for every date


def test_columns_named_in_other_words_and_languages_are_recognised() -> None:
    german = recognise_columns(_text([["1", "K1", "31.01.2024", "2", "3,50"]],
                                     ["Rechnungsnr", "Kundennr", "Datum", "Menge", "Einzelpreis"]))
    assert (german.order, german.customer, german.date, german.quantity, german.price, german.amount) == (
        "Rechnungsnr", "Kundennr", "Datum", "Menge", "Einzelpreis", None)
    english = recognise_columns(_text([["1", "A", "2024-01-01", "9"]],
                                      ["Order Reference", "Client code", "Date of purchase", "Line revenue"]))
    assert (english.order, english.customer, english.date, english.amount) == (
        "Order Reference", "Client code", "Date of purchase", "Line revenue")
    # an exact name wins over a name that merely contains a word
    both = recognise_columns(_text([["1", "2", "A", "2024-01-01", "9"]],
                                   ["Order date", "OrderID", "Customer", "Date", "Total"]))
    assert (both.date, both.order) == ("Order date", "OrderID")


def test_woocommerce_statuses_as_stored_are_known() -> None:
    """Found from outside (a WooCommerce order export): its statuses as stored, 'wc-refunded' and
    'wc-cancelled', were not known, so 1,601 of 9,000 lines (17.7% of the value) counted as purchases. Guests'
    orders carry customer user id 0: the billing e-mail is the customer."""
    header = ["Order ID", "Order Date", "Order Status", "Customer User ID", "Billing Email", "Order Subtotal Amount"]
    rows = [["101", "2024-01-05 10:00:00", "wc-completed", "7", "ann@mail.com", "30.00"],
            ["102", "2024-02-05 11:00:00", "wc-refunded", "7", "ann@mail.com", "45.00"],
            ["103", "2024-03-05 12:00:00", "wc-processing", "0", "guest@mail.com", "12.50"],
            ["104", "2024-03-06 13:00:00", "wc-cancelled", "0", "other@mail.com", "99.00"],
            ["105", "2024-04-01 14:00:00", "wc-on-hold", "0", "guest@mail.com", "5.00"]]
    result = build_customers(_text(rows, header), today=TODAY)
    assert result.columns.customer == "Billing Email" and result.columns.status == "Order Status"
    table = result.table.set_index(result.id_column)
    assert sorted(table.index) == ["ann@mail.com", "guest@mail.com"]
    assert table.loc["ann@mail.com", "monetary"] == 30 and table.loc["guest@mail.com", "monetary"] == 17.5
    note = next(n for n in result.notes if "not purchases" in n)
    assert "'wc-refunded' (1)" in note and "'wc-cancelled' (1)" in note


def test_amounts_refunded_in_part_net_against_the_order_and_are_said() -> None:
    """Found from outside (a WooCommerce order export): 'Order Refund Amount' (3% of orders refunded in part)
    was not read, so those customers' spend kept what was paid back; and a refund column named before the
    amount ('Refund Amount', 'Amount') was the first column named like an amount."""
    header = ["Order ID", "Customer", "Order Date", "Refund Amount", "Amount"]
    rows = [["1", "a", "2024-01-05", "", "100.00"], ["2", "a", "2024-02-05", "-30.00", "50.00"],
            ["3", "b", "2024-03-05", "5", "20.00"], ["4", "b", "2024-03-06", "see note", "10.00"],
            ["5", "c", "2024-04-01", "0", "70.00"]]
    result = build_customers(_text(rows, header), today=TODAY)
    assert (result.columns.amount, result.columns.refund) == ("Amount", "Refund Amount")
    assert "refunded amount: 'Refund Amount' (recognised)" in result.columns.describe()
    table = result.table.set_index(result.id_column)
    assert table.loc["a", "monetary"] == 120 and table.loc["a", "frequency"] == 2  # still two orders
    assert table.loc["b", "monetary"] == 25 and table.loc["c", "monetary"] == 70
    assert "2 order lines with an amount refunded in 'Refund Amount' net against purchases: -35.00 in total." \
        in result.notes
    assert any("refunded amount in 'Refund Amount' that is not a number (e.g. 'see note')" in n for n in result.notes)
    # refund="" nets nothing
    plain = build_customers(_text(rows, header), recognise_columns(_text(rows, header), refund=""), today=TODAY)
    assert plain.columns.refund is None and plain.table.set_index(plain.id_column).loc["a", "monetary"] == 150


def test_a_shipping_tax_or_discount_amount_is_not_the_lines_value() -> None:
    """Found from outside (a WooCommerce export's column order): the first column named like an amount was the
    value of each line, so 'Order Shipping Amount' before 'Order Total Amount' would have been the spend."""
    header = ["Order ID", "Customer", "Order Date", "Order Shipping Amount", "Order Tax Amount",
              "Cart Discount Amount", "Order Total Amount"]
    rows = [["1", "a", "2024-01-05", "4.95", "3.10", "0", "54.95"], ["2", "b", "2024-02-05", "0", "1.00", "5", "20.00"]]
    assert recognise_columns(_text(rows, header)).amount == "Order Total Amount"


def test_a_shopify_order_export_counts_each_order_once_with_its_further_items() -> None:
    """Found from outside (a Shopify order export): an order of several items has one line per item, its date,
    total and status on the first line only, its number ('#1001') in a column called Name. The number was not
    recognised, and the further items were said to be left out 'for want of an amount' and 'of a date' (half
    the file's lines), and their repeated empty cells counted as repeated lines."""
    header = ["Name", "Email", "Financial Status", "Total", "Created at", "Lineitem quantity", "Lineitem name",
              "Refunded Amount"]
    rows = [["#1001", "ann@shop.com", "paid", "45.00", "2024-03-01 10:00:00 -0500", "1", "Tee", "0.00"],
            ["#1001", "ann@shop.com", "", "", "", "1", "Mug", ""],
            ["#1001", "ann@shop.com", "", "", "", "1", "Mug", ""],
            ["#1002", "bob@shop.com", "partially_refunded", "80.00", "2024-03-02 11:00:00 -0500", "2", "Cap", "20.00"],
            ["#1002", "bob@shop.com", "", "", "", "1", "Tee", ""],
            ["#1003", "ann@shop.com", "paid", "15.00", "2024-04-02 09:00:00 -0500", "1", "Tee", "0.00"],
            ["#1004", "cid@shop.com", "refunded", "30.00", "2024-04-03 09:00:00 -0500", "1", "Hoodie", "30.00"],
            ["#1004", "cid@shop.com", "", "", "", "1", "Cap", ""]]
    result = build_customers(_text(rows, header), today=TODAY)
    assert result.columns.order == "Name" and "order number: 'Name' (recognised)" in result.columns.describe()
    table = result.table.set_index(result.id_column)
    assert sorted(table.index) == ["ann@shop.com", "bob@shop.com"]
    assert (table.loc["ann@shop.com", "frequency"], table.loc["ann@shop.com", "monetary"]) == (2, 60)
    assert (table.loc["bob@shop.com", "frequency"], table.loc["bob@shop.com", "monetary"]) == (1, 60)
    assert "4 lines are further items of an order whose first line holds its date and total (as Shopify exports " \
           "orders): they count in that order." in result.notes
    assert not any("no amount" in n or "no date" in n or "repeat an earlier line" in n for n in result.notes), \
        result.notes


@pytest.mark.parametrize("header, scale", [("created_at", 1), ("created_at_ms", 1000), ("ts", 1)])
def test_an_app_export_with_unix_times_becomes_customers(header: str, scale: int) -> None:
    """Found from outside on an app's order export (30,000 orders): its ``created_at`` is a Unix time
    (1699523186). `segments rfm` stopped: "'created_at' does not hold dates that could be read"; with the
    milliseconds written ``created_at_ms`` it found no date column at all. Unix times are read as dates in UTC
    (the note says so); an order number in the same range is not a date (the id test below)."""
    moments = [pd.Timestamp("2024-01-31 23:30:00"), pd.Timestamp("2024-06-30 00:15:00"),
               pd.Timestamp("2024-07-01 09:00:00"), pd.Timestamp("2024-07-02 09:00:00")]
    unix = [str(int(moment.timestamp()) * scale) for moment in moments]
    rows = [["1700000001", "7", unix[0], "10.00"], ["1700000002", "7", unix[1], "20.00"],
            ["1700000003", "9", unix[2], "5.00"], ["1700000004", "9", unix[3], "7.50"]]
    result = build_customers(_text(rows, ["order_id", "user_id", header, "total"]), today=TODAY)
    assert result.columns.date == header and result.columns.order == "order_id"
    table = result.table.set_index(result.id_column)
    assert table.loc["7", "first_purchase"] == "2024-01-31" and table.loc["7", "last_purchase"] == "2024-06-30"
    assert table.loc["9", "last_purchase"] == "2024-07-02" and table.loc["9", "frequency"] == 2
    assert result.as_of == pd.Timestamp("2024-07-03")
    assert any("Unix time" in note and "UTC" in note and f"'{header}'" in note for note in result.notes)
    assert not any("could not be read" in note for note in result.notes)


def test_unix_times_beside_dates_or_out_of_range_are_not_read_as_unix_times() -> None:
    """Ten digits are a Unix time only when every date text of the column is one, between 2000 and 2100."""
    header = ["Customer", "Date", "Sales"]
    mixed = [["a", "2024-01-31", "1"], ["a", "1706745600", "1"], ["b", "2024-03-01", "1"]]
    result = build_customers(_text(mixed, header), today=TODAY)
    assert "1 order line has a date that could not be read" in " ".join(result.notes)
    old = [["a", "0912345678", "1"], ["b", "0923456789", "1"]]  # 1998-1999: numbers, not this app's times
    with pytest.raises(OrdersError, match="does not hold dates"):
        build_customers(_text(old, header), today=TODAY)


def test_the_customers_who_returned_as_much_as_they_bought_are_found_in_the_table_it_writes() -> None:
    """:func:`core.rfm.net_return_rows` finds them in the customer table as text (the dashboard's data set, the
    file ``segments rfm`` wrote, with a decimal comma too) and in no other table."""
    frame, kinds = make_orders(200, seed=3, returns=False)
    result = build_customers(with_net_returners(frame, 4), today=TODAY)
    table = result.table
    want = np.flatnonzero(table["monetary"].to_numpy() <= 0).tolist()
    assert len(want) == 4 and set(table[result.id_column].iloc[want]) == {"99000", "99001", "99002", "99003"}
    assert net_return_rows(result.to_text_frame()) == want
    assert net_return_rows(result.to_text_frame(","), ",") == want
    assert net_return_rows(frame) == [] and net_return_rows(result.to_text_frame().drop(columns="rfm_group")) == []
    assert net_returns_text(4, 204).startswith("4 customers (2.0%) returned as much as they bought or more")


def test_a_stripe_payments_export_becomes_customers() -> None:
    """Found from outside on a Stripe-shaped payments export (20,000 charges): its date column is "Created (UTC)",
    and `segments rfm` said no column holds the order dates. Its failed and refunded charges are not purchases, and
    an amount refunded in part nets against its charge."""
    header = ["id", "Created (UTC)", "Amount", "Amount Refunded", "Currency", "Status", "Customer ID", "Customer Email"]
    rows = [["ch_1", "2024-01-31 23:30:00", "49.00", "0.00", "usd", "Paid", "cus_A", "a@mail.com"],
            ["ch_2", "2024-02-29 23:30:00", "49.00", "0.00", "usd", "Failed", "cus_A", "a@mail.com"],
            ["ch_3", "2024-03-31 23:30:00", "49.00", "20.00", "usd", "Paid", "cus_A", "a@mail.com"],
            ["ch_4", "2024-03-01 08:00:00", "9.00", "9.00", "usd", "Refunded", "cus_B", "b@mail.com"],
            ["ch_5", "2024-02-01 08:00:00", "9.00", "0.00", "usd", "Paid", "cus_B", "b@mail.com"]]
    result = build_customers(_text(rows, header), today=TODAY)
    assert (result.columns.customer, result.columns.date) == ("Customer ID", "Created (UTC)")
    assert (result.columns.status, result.columns.refund) == ("Status", "Amount Refunded")
    table = result.table.set_index(result.id_column)
    assert table.loc["cus_A", "monetary"] == pytest.approx(78.0) and table.loc["cus_A", "frequency"] == 2
    assert table.loc["cus_B", "monetary"] == pytest.approx(9.0) and table.loc["cus_B", "last_purchase"] == "2024-02-01"


def test_a_paypal_activity_download_becomes_customers() -> None:
    """Found from outside on a PayPal-shaped activity download (20,000 lines): `segments rfm` said no column holds
    the value of each order line. PayPal names what the buyer paid "Gross" (and what the seller kept "Net"), and
    the buyer "From Email Address". A refund is a line of its own with a negative Gross, which nets against the
    buyer's purchases; a denied or reversed payment (a chargeback) is not a purchase. Its transaction ids are
    letters and digits: one that starts with C and a digit ('C1454AC31A353', 384 of the 20,000) is no cancelled
    invoice number (C536379 among invoice numbers of digits), though such lines were netted as cancellations."""
    header = ["Date", "Time", "TimeZone", "Name", "Type", "Status", "Currency", "Gross", "Fee", "Net",
              "From Email Address", "To Email Address", "Transaction ID"]
    rows = [["01/05/2024", "10:00:00", "PST", "Ann", "Website Payment", "Completed", "USD", "30.00", "-1.20",
             "28.80", "ann@mail.com", "shop@example.com", "1AB"],
            ["02/05/2024", "11:00:00", "PST", "Ann", "Website Payment", "Completed", "USD", "1,045.00", "-30.61",
             "1,014.39", "ann@mail.com", "shop@example.com", "2CD"],
            ["02/06/2024", "09:00:00", "PST", "Ann", "Payment Refund", "Completed", "USD", "-45.00", "1.30",
             "-43.70", "ann@mail.com", "shop@example.com", "3EF"],
            ["03/05/2024", "12:00:00", "PST", "Bob", "Express Checkout Payment", "Completed", "USD", "12.50", "-0.66",
             "11.84", "bob@mail.com", "shop@example.com", "C1454AC31A353"],
            ["03/07/2024", "12:00:00", "PST", "Bob", "Express Checkout Payment", "Denied", "USD", "80.00", "0.00",
             "80.00", "bob@mail.com", "shop@example.com", "5IJ"],
            ["03/09/2024", "12:00:00", "PST", "Bob", "Website Payment", "Reversed", "USD", "20.00", "-0.88",
             "19.12", "bob@mail.com", "shop@example.com", "6KL"]]
    result = build_customers(_text(rows, header), today=TODAY)
    columns = result.columns
    assert (columns.customer, columns.date, columns.amount, columns.order, columns.status) == (
        "From Email Address", "Date", "Gross", "Transaction ID", "Status")
    table = result.table.set_index(result.id_column)
    assert sorted(table.index) == ["ann@mail.com", "bob@mail.com"]
    assert table.loc["ann@mail.com", "monetary"] == pytest.approx(1_030.0)
    assert table.loc["bob@mail.com", "monetary"] == pytest.approx(12.5) and table.loc["bob@mail.com", "frequency"] == 1
    note = next(n for n in result.notes if "not purchases" in n)
    assert "'Denied' (1)" in note and "'Reversed' (1)" in note
    assert not any("cancelled order" in n for n in result.notes)


def test_one_customer_who_returned_everything_is_one_customers_returns() -> None:
    """Found from outside (an Online Retail-shaped export of 10^6 lines): "1 customer' returns equal or exceed their
    purchases"."""
    frame, _ = make_orders(100, seed=3, returns=False)
    notes = build_customers(with_net_returners(frame, 1), today=TODAY).notes
    assert "1 customer's returns equal or exceed their purchases (monetary 0 or less)." in notes
    notes = build_customers(with_net_returners(frame, 2), today=TODAY).notes
    assert "2 customers' returns equal or exceed their purchases (monetary 0 or less)." in notes


def test_customers_who_returned_everything_are_only_apart_when_spending_is_logged() -> None:
    """Found from outside (an Online Retail-shaped export): one customer at -5 among 5,942 whose spending was not
    skewed (no log proposed) was offered to be left out as "far from every other customer": on a linear scale they
    are just a low spender. They are said only when a log or signed log of spending sets them apart."""
    frame, _ = make_orders(200, seed=3, returns=False)
    table = build_customers(with_net_returners(frame, 2), today=TODAY).to_text_frame()
    report = check_quality(table)
    assert report.proposed_transforms["monetary"] != "none" and net_returns_apart(report.proposed_transforms)
    flat = table.assign(monetary=np.where(table["monetary"].astype(float) <= 0, "-5.0", "500.0"),
                        average_order_value=np.linspace(40, 60, len(table)).round(2).astype(str))
    flat["monetary"] = np.where(flat["monetary"] == "500.0",
                                np.linspace(300, 700, len(flat)).round(2).astype(str), flat["monetary"])
    report = check_quality(flat)
    assert net_return_rows(flat) == net_return_rows(table) and len(net_return_rows(flat)) == 2
    assert not net_returns_apart(report.proposed_transforms)


def test_order_dates_written_as_a_spreadsheets_day_numbers_are_dates() -> None:
    """Found from outside: an order export saved from a sheet whose date column was formatted as a number
    (45079.9601) stopped `segments rfm` with "'Order Date' does not hold dates". A column of day numbers only, from
    2000 to 2100, is read as dates, with a note; one mixing them with written dates is not."""
    rows = [["1", "a", "45292", "10"], ["2", "a", "45322.75", "20"], ["3", "b", "45300.5", "5"]]
    result = build_customers(_text(rows, ["Order ID", "Customer", "Order Date", "Sales"]), today=TODAY)
    table = result.table.set_index(result.id_column)
    assert table.loc["a", "first_purchase"] == "2024-01-01" and table.loc["a", "last_purchase"] == "2024-01-31"
    assert table.loc["b", "last_purchase"] == "2024-01-09"
    assert any("spreadsheet's day numbers" in note and "'Order Date'" in note for note in result.notes)
    mixed = [["1", "a", "2024-01-01", "10"], ["2", "b", "45322", "20"], ["3", "c", "2024-02-01", "5"]]
    result = build_customers(_text(mixed, ["Order ID", "Customer", "Order Date", "Sales"]), today=TODAY)
    assert "1 order line has a date that could not be read" in " ".join(result.notes)
    with pytest.raises(OrdersError, match="does not hold dates"):  # 1973-1977: not this century's orders
        build_customers(_text([["1", "a", "26000", "1"], ["2", "b", "28000", "1"]],
                              ["Order ID", "Customer", "Order Date", "Sales"]), today=TODAY)


def test_an_olist_shaped_join_of_orders_payments_and_customers_becomes_customers() -> None:
    """Found from outside (the public Brazilian e-commerce data's orders joined with its payments and customers, as
    analysts join them, 30,000 lines): `segments rfm` said no column holds each line's value ("payment_value"); given
    that, it took 'customer_id' (one per order in this data: 28,453 "customers" of one order each) for the customer
    rather than 'customer_unique_id', and the carrier's delivery date (blank for undelivered orders, 1,547 lines left
    out) for the order date rather than 'order_purchase_timestamp'. An 'unavailable' order was counted as a
    purchase."""
    header = ["order_id", "customer_id", "order_status", "order_purchase_timestamp", "order_approved_at",
              "order_delivered_carrier_date", "order_delivered_customer_date", "order_estimated_delivery_date",
              "payment_sequential", "payment_type", "payment_installments", "payment_value", "customer_unique_id",
              "customer_zip_code_prefix", "customer_city", "customer_state"]

    def line(order: str, status: str, day: int, value: str, who: str, delivered: bool = True) -> list[str]:
        bought = f"2018-03-{day:02d} 10:56:33"
        shipped = f"2018-03-{day + 2:02d} 08:00:00" if delivered else ""
        return [order, f"c{order}", status, bought, f"2018-03-{day:02d} 11:07:15", shipped, shipped,
                f"2018-04-{day:02d} 00:00:00", "1", "credit_card", "3", value, who, "14409", "franca", "SP"]

    rows = [line("o1", "delivered", 2, "100.00", "u1"), line("o2", "delivered", 10, "50.50", "u1"),
            line("o3", "shipped", 20, "30.00", "u1", delivered=False),
            line("o4", "delivered", 5, "20.00", "u2"), line("o5", "unavailable", 12, "999.00", "u2", delivered=False),
            line("o6", "canceled", 14, "80.00", "u3", delivered=False), line("o7", "delivered", 1, "10.00", "u3")]
    result = build_customers(_text(rows, header), today=TODAY)
    columns = result.columns
    assert (columns.customer, columns.date, columns.amount, columns.order, columns.status) == (
        "customer_unique_id", "order_purchase_timestamp", "payment_value", "order_id", "order_status")
    table = result.table.set_index(result.id_column)
    assert sorted(table.index) == ["u1", "u2", "u3"]
    assert table.loc["u1", "frequency"] == 3 and table.loc["u1", "monetary"] == pytest.approx(180.5)
    assert table.loc["u1", "last_purchase"] == "2018-03-20"  # the shipped order has no delivery date: still counted
    assert table.loc["u2", "monetary"] == pytest.approx(20.0) and table.loc["u3", "frequency"] == 1
    note = next(n for n in result.notes if "not purchases" in n)
    assert "'unavailable' (1)" in note and "'canceled' (1)" in note


def test_a_data_warehouse_order_extract_with_eight_digit_dates_becomes_customers() -> None:
    """Found from outside (a data warehouse's order extract: cust_id, order_dt written 20240115, order_id,
    sales_amt): `segments rfm` found no column of order dates. A warehouse's abbreviations (order_dt, txn_date) name
    the date, and its eight digits are read year, month, day."""
    rows = [["7", "20240115", "1", "10.50"], ["7", "20240301", "2", "4.50"], ["8", "20231231", "3", "20.00"]]
    assert looks_like_orders(_text(rows, ["cust_id", "order_dt", "order_id", "sales_amt"]))
    result = build_customers(_text(rows, ["cust_id", "order_dt", "order_id", "sales_amt"]), today=TODAY)
    columns = result.columns
    assert (columns.customer, columns.date, columns.order, columns.amount) == ("cust_id", "order_dt", "order_id",
                                                                               "sales_amt")
    table = result.table.set_index(result.id_column)
    assert table.loc["7", "last_purchase"] == "2024-03-01" and table.loc["7", "first_purchase"] == "2024-01-15"
    assert table.loc["8", "monetary"] == pytest.approx(20.0)
    assert build_customers(_text(rows, ["cust_id", "txn_date", "order_id", "sales_amt"]), today=TODAY).columns.date \
        == "txn_date"


def _multi_currency_orders() -> pd.DataFrame:
    """A shop's order export in three currencies, as Shopify writes it (Currency on an order's first line only)."""
    header = ["Name", "Email", "Created at", "Currency", "Total"]
    rows = [["#1", "ann@x.com", "2024-01-05 10:00:00 +0100", "EUR", "40.00"],
            ["#1", "ann@x.com", "", "", ""],  # the order's further item line
            ["#2", "ann@x.com", "2024-02-05 10:00:00 +0100", "EUR", "60.00"],
            ["#3", "bob@x.com", "2024-03-05 10:00:00 +0100", "eur", "25.00"],
            ["#4", "bob@x.com", "2024-03-09 10:00:00 +0100", "JPY", "15000"],
            ["#5", "cid@x.com", "2024-04-05 10:00:00 +0100", "JPY", "9000"],
            ["#6", "dan@x.com", "2024-04-06 10:00:00 +0100", "GBP", "30.00"],
            ["#7", "eve@x.com", "2024-04-07 10:00:00 +0100", "EUR", "10.00"]]
    return _text(rows, header)


def test_order_lines_in_several_currencies_are_not_added_up() -> None:
    """Found from outside (a shop's order export in EUR, GBP and JPY, as Shopify, Stripe and PayPal write a Currency
    column): `segments rfm` added ¥15,000 to €25 as 15,025 of monetary value, so the few JPY orders made the
    'Champions'. The lines in the currency of the most lines are counted, the others left out and said; another
    currency, or every one (added up as written, with a note), can be chosen; one currency says nothing."""
    frame = _multi_currency_orders()
    result = build_customers(frame, today=TODAY)
    assert result.columns.currency == "Currency" and "currency: 'Currency' (recognised)" in result.columns.describe()
    table = result.table.set_index(result.id_column)
    assert sorted(table.index) == ["ann@x.com", "bob@x.com", "eve@x.com"]  # 'eur' is EUR; cid and dan are not
    assert table.loc["bob@x.com", "monetary"] == pytest.approx(25.0) and table.loc["bob@x.com", "frequency"] == 1
    assert table.loc["ann@x.com", "monetary"] == pytest.approx(100.0)  # the further item line counts in its order
    note = next(n for n in result.notes if "currencies" in n)
    assert note.startswith("Only the order lines in EUR are counted: 3 lines in other currencies in 'Currency' "
                           "(JPY (2), GBP (1);") and "2 customers had no order in EUR" in note

    jpy = build_customers(frame, currency="jpy", today=TODAY).table.set_index(result.id_column)
    assert jpy["monetary"].to_dict() == {"bob@x.com": 15000.0, "cid@x.com": 9000.0}
    every = build_customers(frame, currency=ALL_CURRENCIES, today=TODAY)
    assert every.table.set_index(result.id_column).loc["bob@x.com", "monetary"] == pytest.approx(15_025.0)
    assert any("are in 3 currencies in 'Currency' (EUR (4), JPY (2), GBP (1)): their amounts are added up as "
               "written, without conversion" in n for n in every.notes)
    with pytest.raises(OrdersError, match=r"No order line in 'Currency' is in CHF; its currencies are EUR \(4 lines\)"):
        build_customers(frame, currency="CHF", today=TODAY)
    one = frame[frame["Currency"].str.upper().isin(["EUR", ""])]
    assert not any("currenc" in n for n in build_customers(one, today=TODAY).notes)
    # no currency read: every line counts; a column named so that holds amounts is no currency
    assert build_customers(frame, recognise_columns(frame, currency=""), today=TODAY).columns.currency is None
    amounts = frame.rename(columns={"Total": "Amount", "Currency": "Currency Rate"}).assign(
        **{"Currency Rate": "1.08"})
    assert recognise_columns(amounts).currency is None


def test_a_crms_deals_count_the_won_ones_as_purchases() -> None:
    """Found from outside (a Pipedrive deals export: "Deal - Value", "Organization - Name", "Deal - Won time",
    "Deal - Status" won, lost or open; a Salesforce opportunities report: "Account Name", "Amount", "Close Date",
    "Stage"): `segments rfm` found no amount, and told the lost and open deals from the won ones by nothing. The
    deal's names are recognised, and where a status says won, every other status is no purchase, and said."""
    header = ["Deal - ID", "Deal - Value", "Organization - Name", "Deal - Status", "Deal - Won time"]
    rows = [["1", "1000", "Acme", "won", "2024-01-10 10:00:00"], ["2", "500", "Acme", "lost", ""],
            ["3", "700", "Acme", "won", "2024-03-01 09:00:00"], ["4", "9000", "Bolt", "open", "2024-02-01 09:00:00"],
            ["5", "250", "Bolt", "won", "2024-02-20 12:00:00"], ["6", "80", "Cusp", "won", "2024-02-21 12:00:00"]]
    result = build_customers(_text(rows, header), today=TODAY)
    columns = result.columns
    assert (columns.customer, columns.date, columns.amount, columns.order, columns.status) == (
        "Organization - Name", "Deal - Won time", "Deal - Value", "Deal - ID", "Deal - Status")
    table = result.table.set_index(result.id_column)
    assert table["monetary"].to_dict() == {"Acme": 1700.0, "Bolt": 250.0, "Cusp": 80.0}
    assert any("marked 'open' (1)" in n and "not purchases" in n for n in result.notes)
    stages = ["Closed Won", "Closed Lost", "Closed Won", "Negotiation/Review", "Closed Won", "Closed Won"]
    salesforce = _text([[r[0], r[1], r[2], stage, f"2024-0{1 + i % 3}-1{i}"] for i, (r, stage) in
                        enumerate(zip(rows, stages))], ["Opportunity ID", "Amount", "Account Name", "Stage",
                                                        "Close Date"])
    table = build_customers(salesforce, today=TODAY).table.set_index("customer_id")
    assert table["monetary"].to_dict() == {"Acme": 1700.0, "Bolt": 250.0, "Cusp": 80.0}


def test_a_column_named_like_an_amount_that_holds_no_numbers_is_not_the_amount() -> None:
    """Found from outside (an Amazon seller's order report: 'sales-channel' written 'Amazon.com', 'item-price',
    'quantity'): `segments rfm` took 'sales-channel' for the amount (its name holds "sales") and stopped: "holds no
    numbers". A column named like an amount, a quantity or a price is one only when its cells are numbers; and in
    Amazon's report (its 'amazon-order-id'), 'item-price' is the line's amount (the item's price times its
    quantity, as Amazon documents it), not a unit price to multiply."""
    header = ["amazon-order-id", "purchase-date", "order-status", "sales-channel", "quantity", "currency",
              "item-price", "buyer-email"]
    rows = [["111-1", "2024-01-05T10:00:00+00:00", "Shipped", "Amazon.com", "2", "USD", "40.00", "a@m.amazon.com"],
            ["111-2", "2024-02-05T10:00:00+00:00", "Shipped", "Amazon.com", "1", "USD", "15.00", "a@m.amazon.com"],
            ["111-3", "2024-03-05T10:00:00+00:00", "Cancelled", "Amazon.com", "1", "USD", "", "b@m.amazon.com"],
            ["111-4", "2024-03-09T10:00:00+00:00", "Shipped", "Amazon.com", "3", "USD", "30.00", "b@m.amazon.com"]]
    result = build_customers(_text(rows, header), today=TODAY)
    columns = result.columns
    assert (columns.customer, columns.date, columns.order, columns.amount, columns.quantity, columns.status) == (
        "buyer-email", "purchase-date", "amazon-order-id", "item-price", None, "order-status")
    assert result.table.set_index(result.id_column)["monetary"].to_dict() == {"a@m.amazon.com": 55.0,
                                                                             "b@m.amazon.com": 30.0}
    # a cancelled order's line has no price in the report: it is said to be cancelled, not to lack an amount
    assert not any("no amount" in n for n in result.notes)
    assert any(n.startswith("1 order line marked 'Cancelled' (1) in 'order-status' is left out: not purchases")
               for n in result.notes)
    # elsewhere a text column named like an amount is passed over for the next one that holds numbers
    other = _text([["c1", "2024-01-05", "Online", "12.50"], ["c2", "2024-01-06", "Retail", "8.00"]],
                  ["Customer", "Order Date", "Sales Channel", "Total"])
    assert recognise_columns(other).amount == "Total"


@pytest.mark.parametrize("window", [None, 12])
def test_fit_with_a_model_of_customers_built_from_orders_builds_next_months_order_lines(tmp_path, window) -> None:
    """Found from outside: `segments fit APRIL-ORDERS.csv --model MARCH.json`, the model trained on March's customer
    table (`segments rfm`), said the file lacked recency_days, frequency and monetary. Order lines given with such a
    model are built into their customer table as the model's was (its window of months) and segmented: the output
    equals `segments rfm` then `fit --model` on the table it writes."""
    import io

    from core import cli

    def run(*args: str) -> str:
        out, err = io.StringIO(), io.StringIO()
        assert cli.main(list(args), out=out, err=err) == 0, err.getvalue()
        return out.getvalue()

    march, _ = make_orders(240, seed=12)
    march.to_csv(tmp_path / "march.csv", index=False)
    a_month_later(march).to_csv(tmp_path / "april.csv", index=False)
    months = ["--window", str(window)] if window else []
    run("rfm", str(tmp_path / "march.csv"), "--out", str(tmp_path / "march-customers.csv"), *months)
    run("fit", str(tmp_path / "march-customers.csv"), "--k", "3", "--out", str(tmp_path / "m.csv"),
        "--save-model", str(tmp_path / "model.json"))
    said = run("fit", str(tmp_path / "april.csv"), "--model", str(tmp_path / "model.json"), "--out",
               str(tmp_path / "direct.csv"))
    assert "april.csv holds order lines, one per purchase (customer: 'CustomerID' (recognised);" in said
    assert ("counting the orders of the last 12 months" if window else "counting every order") in said
    # the model was trained on a table read from a CSV: how it was built is not known, and that is said
    assert "is built the same way" not in said and "The model keeps no record of the columns and currency" in said
    assert "(saved model model.json, k=3)" in said
    run("rfm", str(tmp_path / "april.csv"), "--out", str(tmp_path / "april-customers.csv"), *months)
    run("fit", str(tmp_path / "april-customers.csv"), "--model", str(tmp_path / "model.json"), "--out",
        str(tmp_path / "two-steps.csv"))
    direct = (tmp_path / "direct.csv").read_bytes()
    assert direct == (tmp_path / "two-steps.csv").read_bytes() and b"cluster" in direct.split(b"\n", 1)[0]


def test_an_ebay_order_reports_dates_and_closing_lines_are_read() -> None:
    """Found from outside (an eBay seller's orders report: "Sale Date" written Aug-22-24, a blank line above the header
    and two lines below the orders, "2,500 record(s) downloaded,from Jun-01-23 to Oct-13-24" and "Seller ID :
    myshop"): `segments rfm` stopped, "'Sale Date' does not hold dates that could be read". eBay's month-day-year
    dates are read; the closing lines, no customer and no date, are left out and said."""
    header = ["Sales Record Number", "Order Number", "Buyer Username", "Quantity", "Total Price", "Sale Date",
              "Shipped On Date"]
    rows = [["1001", "11-111-1", "ann_b", "1", "$25.98", "Aug-22-24", "Aug-24-24"],
            ["1002", "11-111-2", "ann_b", "2", "$10.00", "Oct-05-24", "Oct-07-24"],
            ["1003", "11-111-3", "bo_c", "1", "$99.00", "Jan-03-24", "Jan-05-24"],
            ["3 record(s) downloaded", "from Jan-03-24 to Oct-05-24", "", "", "", "", ""],
            ["Seller ID : myshop", "", "", "", "", "", ""]]
    result = build_customers(_text(rows, header), today=TODAY)
    assert result.columns.date == "Sale Date" and result.columns.amount == "Total Price"
    table = result.table.set_index(result.id_column)
    assert table.loc["ann_b", "last_purchase"] == "2024-10-05" and table.loc["ann_b", "monetary"] == pytest.approx(35.98)
    assert len(table) == 2 and any("2 order lines" in n and "no customer id" in n for n in result.notes), result.notes


def test_a_payment_providers_converted_amounts_are_counted_in_one_currency() -> None:
    """Found from outside (a Stripe payments export of a multi-currency account: "Amount" and "Currency" as each
    charge was made, "Converted Amount" and "Converted Currency" in the account's currency, "Converted Amount
    Refunded"): `segments rfm` counted the USD charges only and left out a third of them as other currencies, though
    every one was converted. The converted columns are the amount, its currency and the refund."""
    header = ["id", "Created date (UTC)", "Amount", "Amount Refunded", "Currency", "Converted Amount",
              "Converted Amount Refunded", "Converted Currency", "Status", "Customer ID"]
    rows = [["ch_1", "2024-01-05 10:00:00", "40.00", "0.00", "usd", "40.00", "0.00", "usd", "Paid", "cus_a"],
            ["ch_2", "2024-02-05 10:00:00", "30.00", "10.00", "eur", "32.40", "10.80", "usd", "Paid", "cus_a"],
            ["ch_3", "2024-03-05 10:00:00", "5000", "0", "jpy", "33.50", "0.00", "usd", "Paid", "cus_b"],
            ["ch_4", "2024-03-09 10:00:00", "20.00", "0.00", "gbp", "25.40", "0.00", "usd", "Failed", "cus_b"]]
    result = build_customers(_text(rows, header), today=TODAY)
    columns = result.columns
    assert (columns.amount, columns.currency, columns.refund) == ("Converted Amount", "Converted Currency",
                                                                  "Converted Amount Refunded")
    table = result.table.set_index(result.id_column)
    assert table["monetary"].to_dict() == pytest.approx({"cus_a": 61.60, "cus_b": 33.50})
    assert not any("currenc" in n for n in result.notes)


def _chosen_build(frame: pd.DataFrame, **given: str) -> tuple[OrderColumns, CustomerTable]:
    """The columns an order card chose by hand (the net amount, not the total found by its name) and their EUR
    customer table."""
    columns = OrderColumns("CustomerID", "InvoiceDate", "Net", order="InvoiceNo", currency="Currency")
    return columns, build_customers(frame, columns, currency="EUR", **given)


def test_a_customer_tables_order_card_choices_build_next_months_lines_the_same_way() -> None:
    """Found from outside (a shop's export with a net and a gross amount and sales in two currencies: the table built
    from the net amount of its euro orders, saved, then next month's export): next month's lines were built from the
    columns recognised in them (the gross "Total") and the currency of the most lines (USD), so the model met other
    customers, counted otherwise than its own. The build's choices are kept (:class:`OrderRecipe`) and rebuilt."""
    march = net_and_gross_orders()
    assert recognise_columns(march).amount == "Total"  # what the name finds; the card chose Net
    columns, built = _chosen_build(march, as_of="2024-07-10")
    assert built.currency == "EUR" and build_customers(march).currency == "USD"
    recipe = OrderRecipe.of(built)
    assert OrderRecipe.from_json(json.loads(json.dumps(recipe.to_json()))) == recipe
    assert recipe.columns == columns and recipe.as_of == "2024-07-10"
    features = ["recency_days", "frequency", "monetary"]

    april = a_month_later(march)
    rebuild = rebuild_for_model(april, features, recipe)
    assert (rebuild.columns, rebuild.currency, rebuild.window_months) == (columns, "EUR", None)
    said = rebuild.describe("april.csv")
    assert ("april.csv holds order lines, one per purchase (in the columns the saved table was built from: customer: "
            "'CustomerID'; order date: 'InvoiceDate'; order number: 'InvoiceNo'; amount: 'Net'; currency: 'Currency')"
            ) in said and "counting every order in EUR" in said
    assert "(The saved table was counted as of 2024-07-10, a date given then.)" in said
    rebuilt = build_customers(april, rebuild.columns, window_months=rebuild.window_months, currency=rebuild.currency)
    assert rebuilt.table.equals(_chosen_build(april)[1].table)
    assert set(rebuilt.table[rebuilt.id_column].astype(int) % 3) == {0}  # the euro customers only

    # next month without the net amount: the saved table's other columns kept, the amount recognised, said
    plain = rebuild_for_model(april.drop(columns=["Net"]), features, recipe)
    assert (plain.columns.amount, plain.columns.currency, plain.currency) == ("Total", "Currency", "EUR")
    assert not plain.same_columns
    said = plain.describe("april.csv")
    assert "customer: 'CustomerID' (as the saved table was built)" in said and "amount: 'Total' (recognised)" in said
    assert "This file lacks 'Net' (amount) of the saved table's columns: 'Total' was recognised as the amount " \
           "instead." in said
    # a status column next month, where the saved table read none: none still (the lines counted the same way)
    assert rebuild_for_model(april.assign(Status="refunded"), features, recipe).columns.status is None
    # a model of other features, a customer table
    assert rebuild_for_model(april, ["Age", "Income"], recipe) is None
    assert rebuild_for_model(built.to_text_frame(), features, recipe) is None
    assert rebuild_for_model(april, features).columns.amount == "Total"  # a model that keeps none: recognised
    for damaged in ({"columns": {"customer": "CustomerID"}}, {"columns": ["Net"]}, {"columns": {}, "as_of": "x"},
                    {"columns": dict(recipe.to_json()["columns"]), "currency": 3}):
        with pytest.raises(ModelError, match="how its customers were built from order lines is damaged"):
            OrderRecipe.from_json(damaged)


def test_the_recipe_travels_with_the_table_and_the_model(tmp_path) -> None:
    """The recipe is kept with the stored table (the library's Parquet) and with the model bundle, whose `segments fit
    ORDERS --model` builds next month's lines by it: the same output as `segments rfm` with the same choices, then
    `fit --model` on the table it writes."""
    import io

    from core import cli
    from core.io import TableRead, recipe_of, table_from_parquet, table_to_parquet
    from core.persist import bundle_bytes, load_bundle

    march = net_and_gross_orders()
    _, built = _chosen_build(march)
    recipe = OrderRecipe.of(built).to_json()
    assert recipe["as_of"] is None  # the day after the last order
    table = TableRead(built.to_text_frame(), "customer table", None, None, ".", recipe=recipe)
    assert recipe_of(table_from_parquet(table_to_parquet(table))) == recipe
    seg = segment_new(table.frame, ["recency_days", "frequency", "monetary"], k=3, seed=1)
    bundle = bundle_bytes(seg.saved_model("march", recipe))
    assert load_bundle(bundle).info.orders == recipe
    (tmp_path / "model.json").write_bytes(bundle)
    a_month_later(march).to_csv(tmp_path / "april.csv", index=False)

    def run(*args: str) -> str:
        out, err = io.StringIO(), io.StringIO()
        assert cli.main([*args[:1], str(tmp_path / args[1]), *args[2:]], out=out, err=err) == 0, err.getvalue()
        return out.getvalue()

    said = run("fit", "april.csv", "--model", str(tmp_path / "model.json"), "--out", str(tmp_path / "direct.csv"))
    assert "the saved table was built from: customer: 'CustomerID'" in said and "every order in EUR" in said
    run("rfm", "april.csv", "--out", str(tmp_path / "c.csv"), "--amount", "Net", "--in-currency", "EUR")
    run("fit", "c.csv", "--model", str(tmp_path / "model.json"), "--out", str(tmp_path / "two-steps.csv"))
    assert (tmp_path / "direct.csv").read_bytes() == (tmp_path / "two-steps.csv").read_bytes()


def test_the_note_on_growing_totals_names_the_measures_that_count_every_order() -> None:
    from core.rfm import growing_totals_note

    features = ["recency_days", "frequency", "monetary", "tenure_days"]
    assert growing_totals_note(features, ["frequency", "monetary"]).startswith(
        " The model's 'frequency' and 'monetary' count every order, so they grow from one export to the next")
    assert growing_totals_note(features, ["recency_days"]) == ""  # recency does not grow with the export
    assert growing_totals_note(["recency_days", "frequency_12m"], ["frequency_12m"]) == ""  # a window: comparable
    assert growing_totals_note(["Age", "frequency"], ["frequency"]) == ""  # not a table built from orders


def test_the_command_line_warns_that_a_file_of_order_lines_is_no_customer_table(tmp_path) -> None:
    """Found from outside: `segments fit orders.csv --k auto` on a shop's order lines said "segmented 7,060 of 7,060
    customers" of a file of 240 customers, with nothing said: its segments grouped purchases. `inspect`, `sweep` and
    `fit` warn, with the command that builds the customer table; `--features` segments the lines unwarned, and the
    customer table `segments rfm` writes is no order file."""
    import io

    from core import cli

    def run(*args: str) -> str:
        out, err = io.StringIO(), io.StringIO()
        assert cli.main([*args[:1], str(tmp_path / args[1]), *args[2:]], out=out, err=err) == 0, err.getvalue()
        return out.getvalue()

    orders = net_and_gross_orders()
    orders.to_csv(tmp_path / "orders.csv", index=False)
    customers = orders["CustomerID"].nunique()
    warning = (f"warning: orders.csv holds order lines, one per purchase: {len(orders):,} lines of {customers:,} "
               "customers ('CustomerID'), so segments of its rows would group purchases, not customers. Build its "
               f"customer table first: segments rfm {tmp_path / 'orders.csv'} --out {tmp_path / 'orders-customers.csv'}"
               ", then segment that table (--features segments the lines as they are).")
    assert warning in run("inspect", "orders.csv")
    assert warning in run("sweep", "orders.csv", "--k-max", "3")
    quick = ("--k", "3", "--stability-runs", "0", "--out", str(tmp_path / "out.csv"))
    assert warning in run("fit", "orders.csv", *quick)
    assert "warning" not in run("fit", "orders.csv", "--features", "Net", *quick)
    run("rfm", "orders.csv", "--out", str(tmp_path / "orders-customers.csv"))
    assert "order lines" not in run("fit", "orders-customers.csv", *quick)


def test_an_odoo_sales_export_counts_each_order_and_leaves_quotations_out() -> None:
    """Found from outside (an Odoo sales-order export): 'Invoice Status' (three values: 'Fully Invoiced', 'To
    Invoice', 'Nothing to Invoice') was taken for the order number, so each customer's orders of one invoice status
    counted as one order (frequencies of 2 and 3 for customers of 10 orders), beside 'Order Reference'; and its
    quotations, offers never confirmed, counted as purchases."""
    header = ["Order Reference", "Creation Date", "Customer", "Total", "Status", "Invoice Status"]
    rows = [["S00001", "2024-01-05 10:00:00", "Deco Addict", "100.00", "Sales Order", "Fully Invoiced"],
            ["S00002", "2024-02-05 10:00:00", "Deco Addict", "200.00", "Sales Order", "Fully Invoiced"],
            ["S00003", "2024-03-05 10:00:00", "Deco Addict", "300.00", "Locked", "Fully Invoiced"],
            ["S00004", "2024-03-09 10:00:00", "Deco Addict", "999.00", "Quotation", "Nothing to Invoice"],
            ["S00005", "2024-04-05 10:00:00", "Azure Interior", "50.00", "Sales Order", "To Invoice"],
            ["S00006", "2024-04-06 10:00:00", "Azure Interior", "70.00", "Quotation Sent", "Nothing to Invoice"],
            ["S00007", "2024-04-07 10:00:00", "Azure Interior", "80.00", "Sales Order", "To Invoice"],
            ["S00008", "2024-05-07 10:00:00", "Gemini Furniture", "40.00", "Cancelled", "Nothing to Invoice"],
            ["S00009", "2024-05-08 10:00:00", "Gemini Furniture", "45.00", "Sales Order", "Fully Invoiced"]]
    result = build_customers(_text(rows, header), today=TODAY)
    assert result.columns.order == "Order Reference" and result.columns.status == "Status"
    table = result.table.set_index(result.id_column)
    assert table.loc["Deco Addict", "frequency"] == 3 and table.loc["Deco Addict", "monetary"] == 600
    assert table.loc["Azure Interior", "frequency"] == 2 and table.loc["Azure Interior", "monetary"] == 130
    note = next(n for n in result.notes if "not purchases" in n)
    assert "'Quotation' (1)" in note and "'Quotation Sent' (1)" in note and "'Cancelled' (1)" in note


def test_a_category_named_like_an_order_is_no_order_number() -> None:
    """An order number numbers orders: a column named like one that says it holds something else of the order
    ('Order Type'), or whose cells hold no digits ('Online', 'In store'), is not taken for it: each customer's orders
    of one type would count as one order."""
    header = ["Order Type", "Customer", "Date", "Amount"]
    rows = [[kind, customer, f"2024-0{month}-01", "10"] for month, (kind, customer) in
            enumerate([("Online", "a"), ("Online", "b"), ("In store", "c"), ("Online", "a"), ("In store", "a")], 1)]
    result = build_customers(_text(rows, header), today=TODAY)
    assert result.columns.order is None
    assert result.table.set_index(result.id_column).loc["a", "frequency"] == 3


def test_a_magento_order_grid_counts_grand_totals_and_refunds_no_more_than_an_order() -> None:
    """Found from outside (a Magento 2 order grid export, one row per order): 'Subtotal' was taken for the amount
    before 'Grand Total (Base)', and 'Total Refunded' (the grand total, shipping included) netted against it, so an
    order refunded in full counted -5.00 and its customer was said to have 'only returns or cancellations (their
    purchases are before it)'. The grand total in the store's base currency is the amount, and a refund takes an
    order down to nothing, never below."""
    header = ["ID", "Purchase Date", "Grand Total (Base)", "Grand Total (Purchased)", "Status", "Customer Email",
              "Subtotal", "Shipping and Handling", "Total Refunded"]
    rows = [["000000001", "Dec 3, 2023 10:15:32 AM", "$105.00", "$105.00", "Complete", "ann@x.com", "$100.00",
             "$5.00", ""],
            ["000000002", "Jan 9, 2024 9:01:00 AM", "$55.00", "$55.00", "Complete", "ann@x.com", "$50.00", "$5.00",
             "$20.00"],
            ["000000003", "Feb 1, 2024 1:00:00 PM", "$25.00", "$25.00", "Closed", "bob@x.com", "$20.00", "$5.00",
             "$25.00"],
            ["000000004", "Feb 2, 2024 1:00:00 PM", "$35.00", "$35.00", "Complete", "cy@x.com", "$30.00", "$5.00",
             ""],
            ["000000005", "Feb 3, 2024 1:00:00 PM", "$15.00", "$15.00", "Complete", "cy@x.com", "$10.00", "$5.00",
             "$18.00"]]
    result = build_customers(_text(rows, header), today=TODAY)
    assert result.columns.amount == "Grand Total (Base)" and result.columns.refund == "Total Refunded"
    table = result.table.set_index(result.id_column)
    assert table.loc["ann@x.com", "monetary"] == 105 + 55 - 20
    assert table.loc["cy@x.com", "monetary"] == 35  # the 18.00 refunded of a 15.00 order takes it to 0, no lower
    assert "bob@x.com" not in table.index
    said = " ".join(result.notes)
    assert "their purchases are before it" not in said
    assert "1 customer's every order was refunded in full (e.g. 'bob@x.com'); left out." in said
    assert "1 order line's refund in 'Total Refunded' is more than its amount in 'Grand Total (Base)'" in said


def test_a_bigcommerce_order_export_counts_tax_inclusive_totals_and_tells_guests_apart() -> None:
    """Found from outside (a BigCommerce order export): every amount's name says its tax ('Order Total (inc tax)',
    'Subtotal (ex tax)'), so none was taken for the amount ("No column holds the value of each order line"); and
    its guests' orders carry 'Customer ID' 0, which made them one customer. The totals are read without their tax
    qualifier, and guests are told apart by their e-mail addresses, as said; an unfinished checkout
    ('Incomplete') is no purchase."""
    header = ["Order ID", "Customer ID", "Customer Email", "Order Date", "Order Status", "Subtotal (inc tax)",
              "Subtotal (ex tax)", "Tax Total", "Order Total (inc tax)", "Order Total (ex tax)", "Total Quantity"]
    rows = [["100", "7", "ann@x.com", "05/01/2024", "Completed", "11.00", "10.00", "1.00", "21.00", "20.00", "1"],
            ["101", "0", "g1@mail.com", "06/01/2024", "Shipped", "22.00", "20.00", "2.00", "32.00", "30.00", "2"],
            ["102", "0", "g2@mail.com", "07/01/2024", "Completed", "33.00", "30.00", "3.00", "43.00", "40.00", "1"],
            ["103", "7", "ann@x.com", "20/02/2024", "Completed", "44.00", "40.00", "4.00", "54.00", "50.00", "3"],
            ["104", "0", "g1@mail.com", "21/02/2024", "Incomplete", "55.00", "50.00", "5.00", "65.00", "60.00", "1"]]
    result = build_customers(_text(rows, header), today=TODAY)
    assert result.columns.amount == "Order Total (inc tax)" and result.columns.customer == "Customer Email"
    table = result.table.set_index(result.id_column)
    assert sorted(table.index) == ["ann@x.com", "g1@mail.com", "g2@mail.com"]
    assert table.loc["ann@x.com", "monetary"] == 75 and table.loc["g1@mail.com", "frequency"] == 1
    said = " ".join(result.notes)
    assert ("Customers are told apart by 'Customer Email': 'Customer ID' is '0' on 3 order lines (guests' orders), "
            "which would make them one customer.") in said
    assert "'Incomplete' (1)" in said
    # asked for by name, the guests' placeholder is no customer either (session 26: a till's "WALKIN" made one
    # customer of a third of the sales): left out, and the e-mail column named; here one customer is left
    with pytest.raises(OrdersError, match=r"'Customer ID' is '0' on 3 order lines \(guests' or walk-in orders, 65.1% "
                                          r"of the value of all lines\): a placeholder, no one customer; left out "
                                          r"\('Customer Email' tells them apart: choose it as the customer\)"):
        build_customers(_text(rows, header), recognise_columns(_text(rows, header), customer="Customer ID"),
                        today=TODAY)
    # the e-mail addresses given (as the dashboard's order card gives the column it proposes): said the same
    given = build_customers(_text(rows, header), recognise_columns(_text(rows, header), customer="Customer Email"),
                            today=TODAY)
    assert "Customers are told apart by 'Customer Email'" in " ".join(given.notes)


def test_a_xero_sales_invoice_export_names_its_customers_by_contact() -> None:
    """Found from outside (a Xero sales-invoice export, one row per invoice line): its customer is '*ContactName';
    'EmailAddress', blank for most contacts, was taken, so 54% of the lines were left out for naming no customer.
    A deleted invoice is no purchase."""
    header = ["*ContactName", "EmailAddress", "*InvoiceNumber", "*InvoiceDate", "*DueDate", "Total", "*Quantity",
              "*UnitAmount", "LineAmount", "Currency", "Type", "Status"]
    rows = [["Bayside Club", "", "INV-0001", "05/07/2023", "04/08/2023", "33.00", "1", "10", "10.00", "AUD",
             "Sales invoice", "Paid"],
            ["Bayside Club", "", "INV-0001", "05/07/2023", "04/08/2023", "33.00", "2", "10", "20.00", "AUD",
             "Sales invoice", "Paid"],
            ["Ridgeway Uni", "ap@ridgeway.edu", "INV-0002", "19/07/2023", "18/08/2023", "55.00", "5", "10", "50.00",
             "AUD", "Sales invoice", "Awaiting Payment"],
            ["Marine Systems", "", "INV-0003", "20/07/2023", "19/08/2023", "11.00", "1", "10", "10.00", "AUD",
             "Sales invoice", "Deleted"],
            ["Marine Systems", "", "INV-0004", "21/07/2023", "20/08/2023", "22.00", "2", "10", "20.00", "AUD",
             "Sales invoice", "Paid"]]
    result = build_customers(_text(rows, header), today=TODAY)
    assert (result.columns.customer, result.columns.order, result.columns.amount) == (
        "*ContactName", "*InvoiceNumber", "LineAmount")
    table = result.table.set_index(result.id_column)
    assert table.loc["Bayside Club", "monetary"] == 30 and table.loc["Bayside Club", "frequency"] == 1
    assert table.loc["Marine Systems", "monetary"] == 20
    assert "'Deleted' (1)" in " ".join(result.notes)


def test_a_wix_order_export_counts_each_orders_total_once() -> None:
    """Found from outside (a Wix Stores order export, one row per item): the order's 'Total' (and 'Refunded amount')
    is written on each of its item lines, so an order of three items counted three times its total (monetary 82,762
    for 39,448 spent); its customer, 'Contact email', was not recognised, and its order date was 'Time' ('06:15')
    beside 'Date created'. A total the same on every line of each order of several lines is the order's, counted
    once per order, and said."""
    header = ["Order number", "Date created", "Time", "Contact email", "Item", "Qty", "Price", "Total",
              "Refunded amount", "Currency", "Payment status"]
    rows = [["10001", "Jan 5, 2024", "10:22", "ann@x.com", "Mug", "1", "12.00", "50.00", "0.00", "USD", "Paid"],
            ["10001", "Jan 5, 2024", "10:22", "ann@x.com", "Shirt", "1", "25.00", "50.00", "0.00", "USD", "Paid"],
            ["10001", "Jan 5, 2024", "10:22", "ann@x.com", "Cap", "1", "9.00", "50.00", "0.00", "USD", "Paid"],
            ["10002", "Feb 9, 2024", "08:01", "bob@x.com", "Mug", "2", "12.00", "30.00", "10.00", "USD", "Paid"],
            ["10002", "Feb 9, 2024", "08:01", "bob@x.com", "Cap", "1", "5.00", "30.00", "10.00", "USD", "Paid"],
            ["10003", "Mar 1, 2024", "18:30", "ann@x.com", "Poster", "1", "20.00", "26.00", "0.00", "USD", "Paid"],
            ["10004", "Mar 2, 2024", "11:00", "cy@x.com", "Mug", "1", "12.00", "40.00", "0.00", "USD", "Paid"],
            ["10004", "Mar 2, 2024", "11:00", "cy@x.com", "Shirt", "1", "20.00", "40.00", "0.00", "USD", "Paid"],
            ["10005", "Mar 3, 2024", "12:00", "cy@x.com", "Cap", "1", "9.00", "15.00", "0.00", "USD", "Paid"]]
    result = build_customers(_text(rows, header), today=TODAY)
    assert (result.columns.customer, result.columns.date, result.columns.amount) == (
        "Contact email", "Date created", "Total")
    table = result.table.set_index(result.id_column)
    assert table.loc["ann@x.com", "monetary"] == 76 and table.loc["ann@x.com", "frequency"] == 2
    assert table.loc["bob@x.com", "monetary"] == 20  # its total once, its refund once
    assert table.loc["cy@x.com", "monetary"] == 55
    said = " ".join(result.notes)
    assert ("'Total' is the same on every line of each order of several lines (3 orders): it is the order's total, "
            "written on each of its lines, so it counts once per order.") in said
    assert "repeat an earlier line" not in said


def test_line_amounts_that_happen_to_match_within_an_order_are_still_added_up() -> None:
    """A line's own amount, the same on two lines of one order by chance (two items at one price), is no order
    total: every line counts when the amounts differ within most orders."""
    header = ["Invoice", "Customer ID", "InvoiceDate", "Amount"]
    rows = [["1", "A", "2024-01-05", "10.00"], ["1", "A", "2024-01-05", "10.00"],
            ["2", "B", "2024-01-06", "5.00"], ["2", "B", "2024-01-06", "7.00"],
            ["3", "A", "2024-01-07", "1.00"], ["3", "A", "2024-01-07", "2.00"],
            ["4", "C", "2024-01-08", "3.00"], ["4", "C", "2024-01-08", "4.00"]]
    table = build_customers(_text(rows, header), today=TODAY).table.set_index("Customer ID")
    assert table.loc["A", "monetary"] == 23 and table.loc["B", "monetary"] == 12
    # a subscription's boxes at one price, two or three to an order: each line a purchase, though every order's
    # lines are of one amount
    boxes = [[str(order), customer, f"2024-01-{order:02d}", "9.99"] for order, customer, count in
             [(1, "A", 2), (2, "B", 3), (3, "A", 2), (4, "C", 2), (5, "C", 1)] for _ in range(count)]
    table = build_customers(_text(boxes, header), today=TODAY).table.set_index("Customer ID")
    assert table.loc["A", "monetary"] == pytest.approx(4 * 9.99) and table.loc["B", "monetary"] == pytest.approx(29.97)


@pytest.mark.parametrize("status", ["Payment error", "Chargeback"])
def test_a_failed_payment_or_a_chargeback_is_no_purchase(status: str) -> None:
    """Found from outside (a PrestaShop and an OpenCart order export): orders whose payment failed ('Payment error')
    or was taken back ('Chargeback') counted as purchases, 8% of their lines."""
    header = ["Order ID", "Customer", "Date", "Total", "Status"]
    rows = [["1", "A", "2024-01-05", "10.00", "Delivered"], ["2", "A", "2024-02-05", "99.00", status],
            ["3", "B", "2024-03-05", "20.00", "Complete"]]
    result = build_customers(_text(rows, header), today=TODAY)
    assert result.table.set_index(result.id_column).loc["A", "monetary"] == 10
    assert f"'{status}' (1)" in " ".join(result.notes)


def test_an_eventbrite_attendee_report_counts_each_orders_total_once_and_says_free_orders() -> None:
    """Found from outside (an Eventbrite attendee report, one row per ticket): the order's 'Total Paid' is written on
    each attendee's row, and with a few ticket prices the totals repeat from order to order, so they were taken for
    line amounts and a four-ticket order counted four times its total; a buyer of free tickets only was said to have
    'only returns or cancellations (their purchases are before it)'. Totals that grow with an order's number of lines
    are the order's; a free order is said as such."""
    header = ["Order #", "Order Date", "Email", "Quantity", "Ticket Type", "Attendee #", "Total Paid"]
    # forty orders of one to four tickets at 26.25 by ten buyers, and a buyer of free tickets only
    orders = [(order, f"b{order % 10}@x.com", 1 + order % 4, f"{26.25 * (1 + order % 4):.2f}") for order in range(40)]
    orders.append((40, "dee@x.com", 3, "0.00"))
    rows = [[str(8_000_000_000 + order), f"2024-03-{1 + order % 28:02d} 10:00:00", email, "1", "General",
             str(1_200_000_000 + 10 * order + seat), total]
            for order, email, tickets, total in orders for seat in range(tickets)]
    result = build_customers(_text(rows, header), today=TODAY)
    table = result.table.set_index(result.id_column)
    # b1's orders 1, 11, 21 and 31, each counted once: 52.50 + 105.00 + 52.50 + 105.00
    assert table.loc["b1@x.com", "monetary"] == pytest.approx(315) and table.loc["b1@x.com", "frequency"] == 4
    assert "dee@x.com" not in table.index
    said = " ".join(result.notes)
    assert "it is the order's total, written on each of its lines, so it counts once per order" in said
    assert ("1 customer has only orders of amount 0 in the file (e.g. 'dee@x.com'); left out: the table counts "
            "purchases.") in said
    assert "only returns or cancellations" not in said


def test_order_references_of_letters_only_are_order_numbers() -> None:
    """PrestaShop names its orders with nine letters ('XKBKNABJK'): such references, many of them, number the orders
    (a product line's order counted once), unlike a few categories without digits ('Fully Invoiced')."""
    header = ["Order Reference", "Customer", "Date", "Product", "Amount"]
    references = ["XKBKNABJK", "OHSATSERP", "FFATNOMMJ", "UOYEVOLI", "KHWLILZLL", "ZRQJXHGBM"]
    rows = [[reference, "AB"[index % 2], f"2024-0{1 + index}-05", product, "10.00"]
            for index, reference in enumerate(references) for product in ("Mug", "Cap", "Shirt")]
    result = build_customers(_text(rows, header), today=TODAY)
    assert result.columns.order == "Order Reference"
    assert result.table.set_index(result.id_column).loc["A", "frequency"] == 3


def test_segments_rfm_says_its_choices_are_not_kept_and_how_to_repeat_them(tmp_path) -> None:
    """Found from outside: a table built with `segments rfm ORDERS --amount Net`, a model fitted on it, and next
    month's `segments fit ORDERS --model` built from the recognised 'Total': nothing had said the CSV keeps no record
    of the choice. The options are said again, to type next month; with none given nothing is said."""
    import io

    from core import cli

    frame, _ = make_orders(120, seed=3)
    frame["Net"] = frame["Quantity"]
    frame.to_csv(tmp_path / "orders.csv", index=False)

    def run(*args: str) -> str:
        out, err = io.StringIO(), io.StringIO()
        assert cli.main(["rfm", str(tmp_path / "orders.csv"), "--out", str(tmp_path / "c.csv"), *args], out=out,
                        err=err) == 0, err.getvalue()
        return out.getvalue()

    said = run("--amount", "Net", "--window", "12")
    assert ("note: a customer CSV keeps no record of the choices given (--amount Net --window 12): build next "
            "month's table with the same options, segments rfm NEXT.csv --amount Net --window 12 --out ...") in said
    assert "keeps no record" not in run()


def test_an_orders_total_on_each_line_is_said_once_where_its_lines_are_left_out() -> None:
    """Found from outside (a Squarespace order export, the order's total on each item line): the lines of a refunded
    order were said with their totals added up, 'REFUNDED' lines of 90.00 for an order of 30.00, since the statuses
    were read before the totals were found to repeat."""
    header = ["Order ID", "Email", "Financial Status", "Created at", "Total", "Lineitem name"]
    orders = [("1", "a@x.com", "PAID", "50.00", 2), ("2", "b@x.com", "REFUNDED", "30.00", 3),
              ("3", "a@x.com", "PAID", "20.00", 2), ("4", "c@x.com", "PAID", "45.00", 3),
              ("5", "b@x.com", "PAID", "12.00", 1)]
    rows = [[order, email, status, f"2024-02-0{order} 10:00:00", total, f"item {line}"]
            for order, email, status, total, count in orders for line in range(count)]
    result = build_customers(_text(rows, header), today=TODAY)
    said = " ".join(result.notes)
    assert "3 order lines marked 'REFUNDED' (3) in 'Financial Status' are left out: not purchases (30.00, " in said
    assert result.table.set_index(result.id_column).loc["a@x.com", "monetary"] == 70
