"""Generated order files with known kinds of customers, for the RFM tests (never real data)."""

from __future__ import annotations

import numpy as np
import pandas as pd

#: kind -> (customers share, orders per customer (mean), days since last order (range), lines per order,
#: unit price (mean), days from first to last order (range))
KINDS = {
    "loyal": (0.2, 25, (1, 20), 4, 40.0, (400, 700)),
    "occasional": (0.5, 4, (20, 120), 2, 12.0, (100, 350)),
    "lapsed": (0.3, 3, (300, 700), 2, 15.0, (20, 150)),
}
END = pd.Timestamp("2024-06-30")


def make_orders(customers: int = 300, seed: int = 0, returns: bool = True) -> tuple[pd.DataFrame, dict[str, str]]:
    """Order lines (text cells, like core.io.read_table gives) and each customer's kind."""
    rng = np.random.default_rng(seed)
    rows: list[tuple[str, str, str, str, str]] = []
    kinds: dict[str, str] = {}
    invoice = 500000
    names = list(KINDS)
    shares = np.array([KINDS[k][0] for k in names])
    for c in range(customers):
        kind = names[int(rng.choice(len(names), p=shares))]
        _, orders, (lo, hi), per_order, price, (short, long) = KINDS[kind]
        cid = f"{12000 + c * 7}"
        kinds[cid] = kind
        n = max(1, int(rng.poisson(orders)))
        last = END - pd.Timedelta(days=int(rng.integers(lo, hi)))
        span = int(rng.integers(short, long))
        days = sorted(int(d) for d in rng.integers(0, span + 1, size=n))
        for d in days:
            invoice += 1
            when = last - pd.Timedelta(days=span - d, minutes=int(rng.integers(0, 600)))
            for _ in range(max(1, int(rng.poisson(per_order)))):
                qty = int(rng.integers(1, 6))
                unit = round(float(rng.gamma(4.0, price / 4.0)) + 0.5, 2)
                rows.append((str(invoice), cid, when.strftime("%Y-%m-%d %H:%M"), str(qty), f"{unit:.2f}"))
            if returns and rng.random() < 0.05:
                rows.append((f"C{invoice}", cid, (when + pd.Timedelta(days=2)).strftime("%Y-%m-%d %H:%M"),
                             "-1", rows[-1][4]))
    frame = pd.DataFrame(rows, columns=["InvoiceNo", "CustomerID", "InvoiceDate", "Quantity", "UnitPrice"])
    return frame.astype("str"), kinds


def expected(frame: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    """The customer table computed independently, the straightforward pandas way."""
    df = pd.DataFrame({
        "customer": frame["CustomerID"],
        "invoice": frame["InvoiceNo"],
        "date": pd.to_datetime(frame["InvoiceDate"]),
        "value": frame["Quantity"].astype(float) * frame["UnitPrice"].astype(float),
    })
    df["cancelled"] = df["invoice"].str.startswith("C")
    df.loc[df["cancelled"], "value"] = -df.loc[df["cancelled"], "value"].abs()
    buys = df[(df["value"] > 0) & ~df["cancelled"]]
    out = pd.DataFrame({
        "monetary": df.groupby("customer")["value"].sum().round(2),
        "frequency": buys.groupby("customer")["invoice"].nunique(),
        "last": buys.groupby("customer")["date"].max().dt.normalize(),
        "first": buys.groupby("customer")["date"].min().dt.normalize(),
    })
    out["recency_days"] = (as_of - out["last"]).dt.days
    out["tenure_days"] = (as_of - out["first"]).dt.days
    return out


def with_net_returners(frame: pd.DataFrame, count: int) -> pd.DataFrame:
    """``frame`` (from :func:`make_orders`) and ``count`` more customers (ids 99000 on) who each bought one item and
    returned two: their returns exceed their purchases (monetary -10.00)."""
    rows = []
    for n in range(count):
        cid, day = str(99000 + n), pd.Timestamp("2024-05-01") + pd.Timedelta(days=n)
        rows.append((str(700000 + 2 * n), cid, day.strftime("%Y-%m-%d %H:%M"), "1", "10.00"))
        rows.append((f"C{700001 + 2 * n}", cid, (day + pd.Timedelta(days=2)).strftime("%Y-%m-%d %H:%M"), "-2", "10.00"))
    return pd.concat([frame, pd.DataFrame(rows, columns=frame.columns)], ignore_index=True).astype("str")


def net_and_gross_orders(customers: int = 240, seed: int = 12) -> pd.DataFrame:
    """Order lines (from :func:`make_orders`) with a line's value twice, "Net" and "Total" (19% tax on top: the one
    found by its name), and a "Currency": a third of the customers buy in EUR, the others in USD."""
    frame, _ = make_orders(customers, seed=seed, returns=False)
    net = frame["Quantity"].astype(float) * frame["UnitPrice"].astype(float)
    euro = frame["CustomerID"].astype(int) % 3 == 0
    return pd.DataFrame({"InvoiceNo": frame["InvoiceNo"], "CustomerID": frame["CustomerID"],
                         "InvoiceDate": frame["InvoiceDate"], "Net": net.map("{:.2f}".format),
                         "Total": (net * 1.19).map("{:.2f}".format), "Currency": np.where(euro, "EUR", "USD")})


def a_month_later(frame: pd.DataFrame, date: str = "InvoiceDate", order: str = "InvoiceNo") -> pd.DataFrame:
    """``frame``'s order lines and a third of them again, 31 days later under new order numbers: next month's export."""
    later = frame.iloc[::3].copy()
    later[order] = "9" + later[order]
    later[date] = (pd.to_datetime(later[date]) + pd.Timedelta(days=31)).dt.strftime("%Y-%m-%d %H:%M")
    return pd.concat([frame, later], ignore_index=True)
