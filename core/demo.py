"""The demo customer data set, generated with a seed, with five segments built in.

Same columns as the classic mall-customers file: ``CustomerID``, ``Gender``, ``Age``,
``Annual Income (k$)``, ``Spending Score (1-100)``. The five segments (by income and spending, with
different ages and gender mixes) are those the Elbow and Silhouette should find: on the three numeric
columns the data check proposes, all four measures of the k sweep agree on k=5. Each segment's ages are
narrow next to the whole file's (an age spread as wide as the file's lets K-Means gain by cutting a
segment by age: the elbow then said 4 and Calinski-Harabasz 6).

=============================  ======  =======  ========  ===
segment                        income  spending  age      share
=============================  ======  =======  ========  ===
Mid income, mid spending         55       50     45        34%
High income, high spending       87       82     32        18%
High income, low spending        88       17     50        18%
Low income, low spending         26       20     58        16%
Low income, high spending        25       80     24        14%
=============================  ======  =======  ========  ===
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["generate_demo", "DEMO_PATH", "DEMO_SEED", "DEMO_ROWS", "DEMO_FEATURES", "DEMO_SEGMENTS"]

DEMO_PATH = Path(__file__).resolve().parent / "data" / "demo_customers.csv"
DEMO_SEED = 2024
DEMO_ROWS = 500
DEMO_FEATURES = ["Age", "Annual Income (k$)", "Spending Score (1-100)"]

#: name, share, (income mean, sd), (spending mean, sd), (age mean, sd), share female
DEMO_SEGMENTS: list[tuple[str, float, tuple[float, float], tuple[float, float], tuple[float, float], float]] = [
    ("Mid income, mid spending", 0.34, (55, 7), (50, 6), (45, 5), 0.55),
    ("High income, high spending", 0.18, (87, 7), (82, 6), (32, 4), 0.55),
    ("High income, low spending", 0.18, (88, 7), (17, 6), (50, 5), 0.45),
    ("Low income, low spending", 0.16, (26, 6), (20, 6), (58, 5), 0.6),
    ("Low income, high spending", 0.14, (25, 6), (80, 6), (24, 3), 0.6),
]


def generate_demo(rows: int = DEMO_ROWS, seed: int = DEMO_SEED) -> tuple[pd.DataFrame, np.ndarray]:
    """Generate the demo customers.

    Returns
    -------
    frame : pandas.DataFrame
        The customer table (rows in random order, CustomerID 1..rows).
    truth : numpy.ndarray
        The index into :data:`DEMO_SEGMENTS` of each row's true segment.
    """
    rng = np.random.default_rng(seed)
    shares = np.array([s[1] for s in DEMO_SEGMENTS])
    truth = rng.choice(len(DEMO_SEGMENTS), size=rows, p=shares / shares.sum())
    income = np.empty(rows)
    spending = np.empty(rows)
    age = np.empty(rows)
    female = np.empty(rows, dtype=bool)
    for index, (_, _, inc, spend, ages, share_female) in enumerate(DEMO_SEGMENTS):
        members = truth == index
        n = int(members.sum())
        income[members] = rng.normal(inc[0], inc[1], n)
        spending[members] = rng.normal(spend[0], spend[1], n)
        age[members] = rng.normal(ages[0], ages[1], n)
        female[members] = rng.random(n) < share_female
    frame = pd.DataFrame({
        "CustomerID": np.arange(1, rows + 1),
        "Gender": np.where(female, "Female", "Male"),
        "Age": np.clip(np.round(age), 18, 75).astype(int),
        "Annual Income (k$)": np.clip(np.round(income), 10, 150).astype(int),
        "Spending Score (1-100)": np.clip(np.round(spending), 1, 100).astype(int),
    })
    return frame, truth
