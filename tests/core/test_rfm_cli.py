"""``segments rfm``: an order file to a customer table on the command line, then ``fit`` on it."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pandas as pd
import pytest

from core.cli import main

from .orders import make_orders, with_net_returners


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out, err)
    return code, out.getvalue(), err.getvalue()


def orders_csv(tmp_path: Path, frame: pd.DataFrame | None = None, name: str = "orders.csv") -> Path:
    frame = frame if frame is not None else make_orders(200, seed=7)[0]
    path = tmp_path / name
    frame.to_csv(path, index=False)
    return path


def test_rfm_writes_one_row_per_customer_and_says_what_it_chose(tmp_path: Path) -> None:
    frame, kinds = make_orders(200, seed=7)
    path = orders_csv(tmp_path, frame)
    out_path = tmp_path / "customers.csv"
    code, out, err = run("rfm", str(path), "--out", str(out_path))
    assert code == 0, err
    assert "- customer: 'CustomerID' (recognised)" in out
    assert "- amount: quantity x unit price" in out
    assert "cancelled orders (numbers marked cancelled, e.g. 'C" in out
    assert f"-> {len(kinds):,} customers" in out and "rfm groups:" in out
    table = pd.read_csv(out_path, dtype=str, keep_default_na=False)
    assert sorted(table["CustomerID"]) == sorted(kinds) and table["CustomerID"].is_unique
    # the customer table goes through the usual flow; the scores are not features
    code, out, err = run("fit", str(out_path), "--k", "3", "--out", str(tmp_path / "clustered.csv"),
                         "--stability-runs", "0")
    assert code == 0, err
    assert re.search(r"^features: recency_days( \(log\))?, frequency( \(log\))?, monetary( \(log\))?, "
                     r"average_order_value( \(log\))?, tenure_days( \(log\))?$", out, re.M)


def test_rfm_takes_the_columns_and_as_of_date_given(tmp_path: Path) -> None:
    frame = pd.DataFrame({"who": ["a", "b", "a"], "when": ["2024-01-01", "2024-01-05", "2024-02-01"],
                          "n": ["1", "2", "3"], "each": ["10", "5", "1"]})
    path = orders_csv(tmp_path, frame)
    out_path = tmp_path / "c.csv"
    code, out, err = run("rfm", str(path), "--out", str(out_path), "--customer", "who", "--date", "when",
                         "--quantity", "n", "--price", "each", "--as-of", "2024-03-01")
    assert code == 0, err
    assert "- customer: 'who' (given)" in out and "order number: none" in out
    table = pd.read_csv(out_path, dtype=str, keep_default_na=False)
    assert table[["customer_id", "recency_days", "frequency", "monetary"]].values.tolist() == [
        ["a", "29", "2", "13.0"], ["b", "56", "1", "10.0"]]


def test_rfm_bad_input_is_one_error_line_and_exit_2(tmp_path: Path) -> None:
    path = orders_csv(tmp_path)
    cases = [
        (["--as-of", "2001-01-01"], "is before the last order in the file"),
        (["--date", "Nope"], "There is no column 'Nope'"),
        (["--amount", "Quantity", "--price", "UnitPrice"], "--price goes with --quantity"),
        (["--customer", "InvoiceDate"], "'InvoiceDate'"),
    ]
    for extra, message in cases:
        code, out, err = run("rfm", str(path), "--out", str(tmp_path / "c.csv"), *extra)
        assert code == 2, (extra, err)
        assert err.startswith("error: ") and err.count("\n") == 1 and message in err, err
    code, _, err = run("rfm", str(path), "--out", str(path))
    assert code == 2 and "is the order file: it would be overwritten" in err
    assert not (tmp_path / "c.csv").exists()
    no_dates = orders_csv(tmp_path, pd.DataFrame({"CustomerID": ["a", "b"], "Amount": ["1", "2"]}), "nodate.csv")
    code, _, err = run("rfm", str(no_dates), "--out", str(tmp_path / "c.csv"))
    assert code == 2 and "No column holds the order dates" in err


@pytest.mark.parametrize("rows, message", [
    ({"CustomerID": ["a", "b"], "Amount": ["1", "2"]}, "No column holds the order dates"),
    ({"CustomerID": ["a", "b"], "Date": ["2024-01-01", "2024-01-02"], "Amount": ["ten", "five"]},
     "'Amount' (the amount) holds no numbers: e.g. 'ten', 'five'"),
    ({"CustomerID": ["a", "a"], "Date": ["2024-01-01", "2024-01-02"], "Amount": ["1", "2"]},
     "Every usable order line belongs to one customer ('a')"),
    ({"CustomerID": ["a", "b"], "Date": ["2024-01-01", "2099-01-02"], "Amount": ["1", "2"]},
     "1 order line is dated after today"),
    ({"CustomerID": ["a", "b"], "Date": ["2024-01-01", "2999-01-02"], "Amount": ["1", "2"]},
     "one customer ('a'): a customer table needs many customers to segment. Check that 'CustomerID' is the "
     "customer column. Found on the way: 1 order line has a date that could not be read in 'Date' "
     "(e.g. '2999-01-02'); left out."),
    ({"CustomerID": ["a", "b"], "Date": ["soon", "later"], "Amount": ["1", "2"]},
     "'Date' does not hold dates that could be read (e.g. 'soon', 'later')"),
])
def test_rfm_hostile_order_files(tmp_path: Path, rows: dict[str, list[str]], message: str) -> None:
    path = orders_csv(tmp_path, pd.DataFrame(rows))
    code, out, err = run("rfm", str(path), "--out", str(tmp_path / "c.csv"))
    assert code == 2 and err.startswith("error: ") and err.count("\n") == 1 and message in err, err
    assert not (tmp_path / "c.csv").exists()


def test_rfm_leaves_refunded_orders_out_unless_told_not_to(tmp_path: Path) -> None:
    frame = pd.DataFrame({"Customer": ["a", "a", "b"], "Order Date": ["2024-01-05", "2024-02-05", "2024-03-05"],
                          "Total": ["10", "40", "25"], "Status": ["completed", "refunded", "completed"]})
    path = orders_csv(tmp_path, frame)
    code, out, err = run("rfm", str(path), "--out", str(tmp_path / "c.csv"))
    assert code == 0, err
    assert "- order status: 'Status' (recognised)" in out and "1 order line marked 'refunded' (1) in 'Status'" in out
    assert pd.read_csv(tmp_path / "c.csv").set_index("customer_id").loc["a", "monetary"] == 10
    code, out, err = run("rfm", str(path), "--status", "none", "--out", str(tmp_path / "all.csv"))
    assert code == 0 and "not purchases" not in out
    assert pd.read_csv(tmp_path / "all.csv").set_index("customer_id").loc["a", "monetary"] == 50



def test_the_customers_who_returned_as_much_as_they_bought_are_said_and_left_out_when_asked(tmp_path: Path) -> None:
    """Found from outside: in an app's customer table (2,999 customers, 11 of them with monetary 0 or less), those
    11 made a segment of 0.4% at every k from 3 to 10 and k=2 was unstable; nothing said why or offered to leave
    them out. inspect, sweep and fit now say it, and --skip-net-returns leaves them out of the table."""
    frame, kinds = make_orders(200, seed=7, returns=False)
    customers = tmp_path / "customers.csv"
    assert run("rfm", str(orders_csv(tmp_path, with_net_returners(frame, 3))), "--out", str(customers))[0] == 0
    hint = ("3 customers (1.5%) returned as much as they bought or more (monetary 0 or less): on spending they sit "
            "far from every other customer")
    for command in (["inspect"], ["sweep", "--k-max", "4"], ["fit", "--k", "3", "--stability-runs", "0", "--out",
                                                            str(tmp_path / "kept.csv")]):
        code, out, err = run(*command[:1], str(customers), *command[1:])
        assert code == 0, err
        assert f"note: {hint}" in out and "--skip-net-returns leaves them out of the table." in out
    code, out, err = run("fit", str(customers), "--k", "3", "--stability-runs", "0", "--skip-net-returns",
                         "--out", str(tmp_path / "left.csv"))
    assert code == 0, err
    assert "note: 3 of 203 customers returned as much as they bought or more (monetary 0 or less); they were left " \
           "out of the table, as asked (--skip-net-returns)." in out and hint not in out
    assert f"segmented {len(kinds):,} of {len(kinds):,} customers" in out
    written = pd.read_csv(tmp_path / "left.csv", dtype=str)
    assert len(written) == len(kinds) and not written["CustomerID"].str.startswith("990").any()
    # a file without such customers: asking is a usage error, nothing is left out by guess
    code, _, err = run("inspect", str(orders_csv(tmp_path, frame)), "--skip-net-returns")
    assert code == 2 and "--skip-net-returns: no customer of this table returned as much as they bought" in err


def test_rfm_counts_one_currency_and_says_so(tmp_path: Path) -> None:
    """`segments rfm` of an export in several currencies counts the currency of the most lines and says which lines
    it left out; --in-currency chooses another (or all), --currency none reads no currency, an unknown one is an
    error line."""
    from .test_rfm import _multi_currency_orders

    path = orders_csv(tmp_path, _multi_currency_orders())
    out_path = tmp_path / "customers.csv"
    code, out, err = run("rfm", str(path), "--out", str(out_path))
    assert code == 0, err
    assert "- currency: 'Currency' (recognised)" in out and "note: Only the order lines in EUR are counted" in out
    code, out, err = run("rfm", str(path), "--out", str(out_path), "--in-currency", "JPY")
    assert code == 0, err
    table = pd.read_csv(out_path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert dict(zip(table["customer_id"], table["monetary"])) == {"bob@x.com": "15000.0", "cid@x.com": "9000.0"}
    code, out, err = run("rfm", str(path), "--out", str(out_path), "--in-currency", "ALL")
    assert code == 0 and "are added up as written, without conversion" in out
    code, out, err = run("rfm", str(path), "--out", str(out_path), "--currency", "none")
    assert code == 0 and "currency:" not in out and "currencies" not in out
    code, out, err = run("rfm", str(path), "--out", str(out_path), "--in-currency", "CHF")
    assert code == 2 and err.startswith("error: No order line in 'Currency' is in CHF")
