"""How ``customers.ods`` (an OpenDocument spreadsheet, as LibreOffice saves, for the reader's tests) was made:
``pip install odfpy pandas`` (odfpy is not a dependency of the project: only this script writes .ods), then
``python tests/data/make_customers_ods.py``."""

import random

import pandas as pd

random.seed(2)
rows = [{"CustomerID": i, "Gender": random.choice(["Male", "Female"]), "Age": random.randint(18, 70),
         "Annual Income (k$)": random.randint(15, 137), "Spending Score (1-100)": random.randint(1, 99)}
        for i in range(1, 151)]
with pd.ExcelWriter(__file__.replace("make_customers_ods.py", "customers.ods"), engine="odf") as writer:
    pd.DataFrame(rows).to_excel(writer, sheet_name="Kunden", index=False)
    pd.DataFrame({"Hinweis": ["Export vom 1.12.2024"]}).to_excel(writer, sheet_name="Info", index=False)
