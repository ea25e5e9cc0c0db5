"""Customer tables over a window of months, so that two exports months apart measure the same span.

Found from outside: a model on an order file's customers (recency, frequency, monetary, tenure), applied to the
same shop's export six months later, warned that it "probably does not fit", and many customers moved because
time passed: all-time orders and spending only grow. With ``window_months`` (``segments rfm --window 12``) the
frequency, monetary value and average order value count the last months' orders only.
"""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest

from core.cli import main
from core.errors import OrdersError
from core.quality import check_quality
from core.rfm import build_customers, net_return_rows
from core.segmentation import segment_new, segment_with_model
from tests.core.orders import make_orders

AS_OF = pd.Timestamp("2024-07-01")


def _orders() -> pd.DataFrame:
    frame, _ = make_orders(300, seed=3)  # orders from 2022-05 to 2024-06
    return frame


def _by_hand(frame: pd.DataFrame, since: pd.Timestamp) -> pd.DataFrame:
    """Distinct purchase orders and net spending per customer from ``since``, with pandas."""
    lines = frame.assign(date=pd.to_datetime(frame["InvoiceDate"]),
                         value=frame["Quantity"].astype(float) * frame["UnitPrice"].astype(float))
    lines = lines[lines["date"] >= since]
    bought = lines[lines["value"] > 0]
    return pd.DataFrame({"orders": bought.groupby("CustomerID")["InvoiceNo"].nunique(),
                         "spent": lines.groupby("CustomerID")["value"].sum()}).fillna(0)


def test_a_window_counts_the_orders_and_spending_of_its_months_only():
    frame = _orders()
    every = build_customers(frame, as_of=AS_OF).table
    year = build_customers(frame, as_of=AS_OF, window_months=12)
    table = year.table.set_index("CustomerID")
    assert list(year.table.columns[1:5]) == ["recency_days", "frequency_12m", "monetary_12m", "average_order_value_12m"]
    assert len(table) == len(every)  # a customer with no order in the window stays: recency says how long ago
    hand = _by_hand(frame, pd.Timestamp("2023-07-01")).reindex(table.index, fill_value=0)
    assert table["frequency_12m"].tolist() == hand["orders"].astype(int).tolist()
    assert table["monetary_12m"].to_numpy() == pytest.approx(hand["spent"].round(2).to_numpy(), abs=0.01)
    idle = table["frequency_12m"] == 0
    # a customer who bought nothing in the window still gets a segment: an average order value of 0, as frequency
    assert idle.any() and (table.loc[idle, "average_order_value_12m"] == 0).all()
    # recency and tenure look at every order
    assert table["recency_days"].tolist() == every["recency_days"].tolist()
    assert table["tenure_days"].tolist() == every["tenure_days"].tolist()
    said = year.notes[1]
    assert said.startswith("Frequency, monetary value and average order value count the orders of the 12 months "
                           "from 2023-07-01 to the as-of date only; recency and tenure every order. ")
    assert f"{int(idle.sum())} customers have no purchase in those months: frequency and average order value 0." in said
    text = year.to_text_frame()
    assert net_return_rows(text) == []  # a lapsed customer's 0 is no net return
    # tenure grows with time for every customer: not proposed in a windowed table (it is in an all-time one)
    report = check_quality(text)
    assert report.growing_columns == ["tenure_days"] and "tenure_days" not in report.default_features
    assert report.column("tenure_days").use == "grows with time"
    assert any(p.startswith("'tenure_days' grows with time for every customer") for p in report.problems())
    assert "tenure_days" in check_quality(build_customers(frame, as_of=AS_OF).to_text_frame()).default_features
    with pytest.raises(OrdersError, match="from 1 to 120"):
        build_customers(frame, window_months=0)


def _steady_shop(until: str, seed: int = 5) -> pd.DataFrame:
    """Order lines of a shop whose 400 customers, each with a pace and a basket of their own (from a few orders a
    year to several a month), buy steadily from July 2023: the same customers, the same habits, whenever the export
    is made."""
    rng = np.random.default_rng(seed)
    per_month = rng.lognormal(0.0, 0.8, 400)
    spend = rng.lognormal(np.log(60), 0.6, 400)
    start, months = pd.Timestamp("2023-07-01"), 18
    rows = []
    for customer in range(400):
        count = rng.poisson(per_month[customer] * months)
        days = np.sort(rng.uniform(0, months * 30.4, count))
        for number, day in enumerate(days):
            rows.append((f"{customer}-{number}", f"C{customer:04d}", start + pd.Timedelta(days=float(day)),
                         round(float(rng.lognormal(np.log(spend[customer]), 0.3)), 2)))
    frame = pd.DataFrame(rows, columns=["InvoiceNo", "CustomerID", "InvoiceDate", "Amount"])
    frame = frame[frame["InvoiceDate"] < pd.Timestamp(until)]
    return frame.assign(InvoiceDate=frame["InvoiceDate"].dt.strftime("%Y-%m-%d %H:%M")).astype(str)


def test_a_saved_segmentation_applied_to_a_later_export_fits_with_a_window():
    """A steady shop's export a year in (July 2024), and again six months later: on all-time totals every customer
    has bought half as much again, and a quarter of them change segment though nobody changed their habits; counted
    over the last 12 months, the two tables measure the same span and half as many move (those whose last year
    differed: the moves that mean something)."""
    first_orders, later_orders = _steady_shop("2024-07-01"), _steady_shop("2025-01-01")
    moved, growth = {}, {}
    for window in (None, 12):
        first = build_customers(first_orders, as_of="2024-07-01", window_months=window).to_text_frame()
        later = build_customers(later_orders, as_of="2025-01-01", window_months=window).to_text_frame()
        suffix = "_12m" if window else ""
        features = [f"frequency{suffix}", f"monetary{suffix}"]
        seg = segment_new(first, features, 3, transforms={f"monetary{suffix}": "signed_log"})
        applied = segment_with_model(later, seg.saved_model("July's export"))
        before = dict(zip(first["CustomerID"], seg.labels))
        moved[window] = np.mean([before[c] != label for c, label in zip(later["CustomerID"], applied.labels)
                                 if c in before])
        growth[window] = later[f"frequency{suffix}"].astype(float).mean() / first[f"frequency{suffix}"].astype(float).mean()
    assert growth[None] == pytest.approx(1.5, abs=0.1) and growth[12] == pytest.approx(1.0, abs=0.1)
    assert moved[12] < 0.6 * moved[None] and moved[None] > 0.2


def _run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    return main(list(argv), out=out, err=err), out.getvalue(), err.getvalue()


def test_the_command_line_builds_a_windowed_table(tmp_path):
    orders = tmp_path / "orders.csv"
    _orders().to_csv(orders, index=False)
    out_csv = tmp_path / "customers.csv"
    code, out, err = _run("rfm", str(orders), "--out", str(out_csv), "--as-of", "2024-07-01", "--window", "12")
    assert code == 0, err
    assert "note: Frequency, monetary value and average order value count the orders of the 12 months" in out
    written = pd.read_csv(out_csv, dtype=str, keep_default_na=False)
    assert {"frequency_12m", "monetary_12m", "average_order_value_12m"} <= set(written.columns)
    assert "frequency" not in written.columns
    code, out, err = _run("fit", str(out_csv), "--k", "3", "--out", str(tmp_path / "seg.csv"), "--stability-runs", "0")
    assert code == 0, err
    assert "frequency_12m" in out
    for bad, said in (("0", "from 1 to 120 months, got 0"), ("a year", "expected a number of months")):
        code, _, err = _run("rfm", str(orders), "--out", str(tmp_path / "x.csv"), "--window", bad)
        assert code == 2 and said in err
    code, _, _ = _run("rfm", str(orders), "--out", str(tmp_path / "y.csv"), "--window", "6m")
    assert code == 0 and "frequency_6m" in pd.read_csv(tmp_path / "y.csv", nrows=1).columns
