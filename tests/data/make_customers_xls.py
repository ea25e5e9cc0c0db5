"""How ``customers.xls`` (an old-style Excel workbook for the reader's tests) was made: ``pip install xlwt`` (not a
dependency of the project: only this script writes .xls), then ``python tests/data/make_customers_xls.py``."""

import datetime
import random

import xlwt  # type: ignore[import-not-found]

book = xlwt.Workbook()
sheet = book.add_sheet("Customers")
for j, name in enumerate(["CustomerID", "Gender", "Age", "Annual Income (k$)", "Spending Score (1-100)", "Joined"]):
    sheet.write(0, j, name)
dates = xlwt.easyxf(num_format_str="YYYY-MM-DD")
random.seed(1)
for i in range(1, 201):
    sheet.write(i, 0, i)
    sheet.write(i, 1, random.choice(["Male", "Female"]))
    sheet.write(i, 2, random.randint(18, 70))
    sheet.write(i, 3, random.randint(15, 137))
    sheet.write(i, 4, random.randint(1, 99))
    sheet.write(i, 5, datetime.date(2020, 1, 1) + datetime.timedelta(days=random.randint(0, 1500)), dates)
book.add_sheet("Notes").write(0, 0, "exported")
book.save(__file__.replace("make_customers_xls.py", "customers.xls"))
