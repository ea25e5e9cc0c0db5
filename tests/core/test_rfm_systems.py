"""core.rfm on exports of point-of-sale, subscription-billing and digital-goods systems, each found from outside
(session 26): what their lines mean, beyond a line per purchase."""

from __future__ import annotations

import pandas as pd

from core.rfm import build_customers, recognise_columns

TODAY = pd.Timestamp("2025-01-01")


def _text(rows: list[list[str]], header: list[str]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=header).astype("str")


def test_a_pos_exports_sale_lines_count_once_and_its_walk_in_placeholder_is_no_customer() -> None:
    """Found from outside (a Lightspeed X-Series, formerly Vend, sales history): each sale is a 'Sale' line with
    the sale's total, then its 'Sale Line' item lines with theirs, then a 'Payment' line; every customer's spend
    was counted twice (848.02 for 424.01), and the payments were said to "have no amount". A third of the sales,
    under the till's 'WALKIN' placeholder, made one customer of 2,822 orders, a "Champion". The sales' totals are
    counted, the item and payment lines said and left out; a placeholder id names no one customer, and its lines
    are left out with their share of the value."""
    header = ["Date", "Receipt Number", "Line Type", "Customer Code", "Customer Name", "Quantity", "Total", "Paid",
              "Details", "Status"]
    rows = []
    sales = [("1001", "2024-02-08 06:16:44", "KIMMUL1", [("3", "195.00")]),
             ("1002", "2024-03-07 13:23:41", "WALKIN", [("1", "37.89")]),
             ("1003", "2024-04-14 10:12:32", "KIMMUL1", [("1", "31.39"), ("1", "37.89")]),
             ("1004", "2024-05-01 09:00:00", "WALKIN", [("2", "50.00")]),
             ("1005", "2024-05-02 11:00:00", "DAVJON2", [("1", "20.00")]),
             ("1006", "2024-06-02 11:00:00", "DAVJON2", [("1", "-20.00")])]  # a return sale
    for receipt, when, customer, items in sales:
        total = f"{sum(float(a) for _, a in items):.2f}"
        name = "" if customer == "WALKIN" else customer.title()
        rows.append([when, receipt, "Sale", customer, name, "", total, total, "", "CLOSED"])
        rows += [[when, receipt, "Sale Line", customer, name, q, a, "", "Item", "CLOSED"] for q, a in items]
        rows.append([when, receipt, "Payment", customer, name, "", "", total, "Cash", "CLOSED"])
    result = build_customers(_text(rows, header), today=TODAY)
    assert result.columns.customer == "Customer Code" and result.columns.amount == "Total"
    table = result.table.set_index(result.id_column)
    assert sorted(table.index) == ["DAVJON2", "KIMMUL1"]
    assert table.loc["KIMMUL1", "monetary"] == 264.28 and table.loc["KIMMUL1", "frequency"] == 2
    assert table.loc["DAVJON2", "monetary"] == 0
    said = " ".join(result.notes)
    assert ("'Line Type' tells each sale's line ('Sale', 6 lines), whose 'Total' is the sale's, from its other "
            "lines ('Sale Line' 7, 'Payment' 6): the sales are counted, the other lines left out.") in said
    assert ("'Customer Code' is 'WALKIN' on 2 order lines (guests' or walk-in orders, 22.4% of the value of all "
            "lines): a placeholder, no one customer; left out.") in said
    assert "have no amount" not in said


def test_a_billing_exports_refunds_written_positive_net_and_card_checks_are_no_purchases() -> None:
    """Found from outside (a Recurly transactions export): a refund is a line of type 'refund' with a positive
    amount, and a card check ('verify') one of 1.00 or 0.00; refunds were added to what customers spent (297 for
    two purchases of 99, one refunded) and card checks counted as orders. A transaction type that says refund nets
    against purchases; a verification or authorisation is no purchase."""
    header = ["transaction_id", "account_code", "date", "type", "status", "amount", "currency"]
    rows = [["t1", "lea", "2024-01-01 04:26:35 UTC", "verify", "success", "1.00", "USD"],
            ["t2", "lea", "2024-01-01 04:28:35 UTC", "purchase", "success", "99.00", "USD"],
            ["t3", "lea", "2024-02-01 04:28:35 UTC", "purchase", "success", "99.00", "USD"],
            ["t4", "lea", "2024-02-03 10:00:00 UTC", "refund", "success", "99.00", "USD"],
            ["t5", "dav", "2024-03-01 10:00:00 UTC", "purchase", "success", "49.00", "USD"],
            ["t6", "dav", "2024-03-02 10:00:00 UTC", "purchase", "declined", "49.00", "USD"],
            ["t7", "dav", "2024-04-01 10:00:00 UTC", "purchase", "success", "49.00", "USD"]]
    result = build_customers(_text(rows, header), today=TODAY)
    table = result.table.set_index(result.id_column)
    assert table.loc["lea", "monetary"] == 99 and table.loc["lea", "frequency"] == 2
    assert table.loc["dav", "monetary"] == 98 and table.loc["dav", "frequency"] == 2
    said = " ".join(result.notes)
    assert "1 line of type 'refund' in 'type' nets against purchases (written as a positive amount): -99.00" in said
    assert "1 order line of type 'verify' in 'type' is left out: no purchase (a card check or authorisation" in said


def test_a_refunded_flag_is_no_refunded_amount() -> None:
    """Found from outside (a Gumroad sales export): 'Refunded?' (0 or 1) was taken for the amount refunded, so each
    refunded sale lost 1.00, a fully refunded 199.00 course still counted 198.00, and its 'Partial Refund ($)' was
    not read; its customers were 'Buyer Email', blank for guest checkouts (10% of the lines left out), beside a
    'Purchase Email' written on every line. A column of 0/1 or yes/no is no amount: the refunded amount is the one
    holding amounts, a sale flagged refunded in full is no purchase, and the fuller e-mail column names the
    customers."""
    header = ["Purchase ID", "Item Name", "Purchase Email", "Buyer Email", "Purchase Date", "Subtotal ($)",
              "Sale Price ($)", "Refunded?", "Partial Refund ($)", "Fully Refunded?"]
    rows = [["p1", "Course", "ann@x.com", "ann@x.com", "2024-06-01", "199.00", "199.00", "1", "0.00", "1"],
            ["p2", "Kit", "ann@x.com", "", "2024-06-05", "49.00", "49.00", "0", "0.00", "0"],
            ["p3", "Kit", "bob@x.com", "", "2024-06-07", "49.00", "49.00", "1", "10.00", "0"],
            ["p4", "Icons", "bob@x.com", "bob@x.com", "2024-06-09", "3.00", "3.00", "0", "0.00", "0"],
            ["p5", "Icons", "cy@x.com", "", "2024-06-10", "3.00", "3.00", "0", "0.00", "0"]]
    frame = _text(rows, header)
    columns = recognise_columns(frame)
    assert (columns.customer, columns.refund, columns.status) == ("Purchase Email", "Partial Refund ($)",
                                                                  "Fully Refunded?")
    result = build_customers(frame, today=TODAY)
    table = result.table.set_index(result.id_column)
    assert table.loc["ann@x.com", "monetary"] == 49 and table.loc["ann@x.com", "frequency"] == 1
    assert table.loc["bob@x.com", "monetary"] == 42 and table.loc["cy@x.com", "monetary"] == 3
    said = " ".join(result.notes)
    assert "1 order line marked '1' (1) in 'Fully Refunded?' is left out: not purchases (199.00" in said


def test_a_subscription_billers_unpaid_invoices_are_no_purchases() -> None:
    """Found from outside (a Chargebee invoices export): invoices 'Not Paid' (dunning exhausted, written off)
    counted as purchases, and made customers whose payments failed look recent."""
    header = ["Invoice Number", "Invoice Date", "Customer Id", "Status", "Total"]
    rows = [["1", "2024-04-29", "c1", "Paid", "29.00"], ["2", "2024-05-29", "c1", "Not Paid", "29.00"],
            ["3", "2024-04-01", "c2", "Paid", "29.00"], ["4", "2024-05-01", "c2", "Paid", "29.00"]]
    result = build_customers(_text(rows, header), today=TODAY)
    table = result.table.set_index(result.id_column)
    assert table.loc["c1", "frequency"] == 1 and str(table.loc["c1", "last_purchase"])[:10] == "2024-04-29"
    assert "'Not Paid' (1)" in " ".join(result.notes)


def test_dates_with_a_time_zones_abbreviation_are_read_in_the_shops_zone() -> None:
    """Found from outside (a Clover orders export): '28-Jun-2024 08:35 PM EDT' could not be read ("'Order Date'
    does not hold dates that could be read"), and its 'Order Payment State' was no status, so 'Open' (unpaid)
    orders counted. A zone's abbreviation after the time is left out, as a UTC offset is; a payment state is a
    status, and an order whose payment is still open is no purchase."""
    header = ["Order ID", "Order Date", "Order Total", "Order Payment State", "Customer ID"]
    rows = [["o1", "28-Jun-2024 08:35 PM EDT", "19.27", "Paid", "C1"],
            ["o2", "02-Dec-2024 09:10 AM EST", "24.59", "Paid", "C1"],
            ["o3", "03-Dec-2024 10:00 AM EST", "30.00", "Open", "C2"],
            ["o4", "15-Nov-2024 10:00 AM EST", "12.00", "Paid", "C2"]]
    frame = _text(rows, header)
    assert recognise_columns(frame).status == "Order Payment State"
    result = build_customers(frame, today=TODAY)
    table = result.table.set_index(result.id_column)
    assert str(table.loc["C1", "first_purchase"])[:10] == "2024-06-28"
    assert table.loc["C2", "frequency"] == 1 and table.loc["C2", "monetary"] == 12


def test_a_shops_unpaid_orders_are_no_purchases_and_the_orders_total_is_the_amount() -> None:
    """Found from outside (a WooCommerce orders export): 'Pending payment' orders (never paid) counted as purchases,
    and 'Order Subtotal Amount', first in the file, was the amount beside 'Order Total Amount', which its refunds
    net against."""
    header = ["Order Number", "Order Status", "Order Date", "Billing Email Address", "Order Subtotal Amount",
              "Order Shipping Amount", "Order Total Amount", "Order Refund Amount"]
    rows = [["1", "Completed", "2024-06-01 10:00:00", "ann@x.com", "90.00", "10.00", "100.00", "0.00"],
            ["2", "Pending payment", "2024-06-20 10:00:00", "ann@x.com", "40.00", "5.00", "45.00", "0.00"],
            ["3", "Completed", "2024-06-02 10:00:00", "bob@x.com", "20.00", "5.00", "25.00", "0.00"],
            ["4", "Processing", "2024-06-03 10:00:00", "bob@x.com", "30.00", "5.00", "35.00", "0.00"]]
    frame = _text(rows, header)
    assert recognise_columns(frame).amount == "Order Total Amount"
    result = build_customers(frame, today=TODAY)
    table = result.table.set_index(result.id_column)
    assert table.loc["ann@x.com", "monetary"] == 100 and table.loc["ann@x.com", "frequency"] == 1
    assert "'Pending payment' (1)" in " ".join(result.notes)


def test_a_crm_deals_export_names_its_customers_by_the_associated_company() -> None:
    """Found from outside (a HubSpot deals export): 'Associated Company' was not recognised as the customer ("No
    column holds the customer"), and in the data check 'Associated Company IDs (Primary)' was a proposed feature."""
    from core.quality import check_quality

    header = ["Record ID", "Deal Name", "Deal Stage", "Amount", "Close Date", "Associated Company",
              "Associated Company IDs (Primary)"]
    rows = [[str(9_000_000_000 + i), f"Deal {i}", ["Closed Won", "Closed Lost"][i % 2], f"{1000 + 37 * i}.00",
             f"2024-{1 + i % 12:02d}-{1 + i % 28:02d} 10:00", f"Company {i % 7}", str(5_009_000_000 + i % 7)]
            for i in range(60)]
    frame = _text(rows, header)
    assert recognise_columns(frame).customer == "Associated Company"
    result = build_customers(frame, today=TODAY)
    assert len(result.table) == 7
    report = check_quality(frame)
    assert report.column("Associated Company IDs (Primary)").id_like
    assert "Associated Company IDs (Primary)" not in report.default_features
