"""The upload page offers to leave out totals rows at the end of a file, and never leaves out rows unasked."""

from __future__ import annotations

import importlib
import json

import dash
import pytest
from plotly.utils import PlotlyJSONEncoder

from dashboard import service
from dashboard.state import ViewState
from tests.core.test_summary_rows import _customers, _sums, _with
from tests.fixtures import upload


def _text(component) -> str:
    return json.dumps(component, cls=PlotlyJSONEncoder)


def test_the_upload_page_offers_to_leave_out_a_totals_row(client, request_context):
    upload_page = importlib.import_module("pages.upload")
    customers = _customers(rows=300)
    token = upload(client, _with(customers, _sums(customers, CustomerID="Grand total")).to_csv(index=False)
                   .encode()).get_json()["token"]
    shown = _text(upload_page.layout(ds=token))
    assert "The file ends with a totals row" in shown and "Leave this row out of the table" in shown
    assert "The last row (row 301) reads 'Grand total'" in shown

    href, status = upload_page.leave_out("summary", ViewState(ds=token, missing="median").query())
    assert status is None
    new = ViewState.from_search(href.split("?", 1)[1])
    assert href.startswith("/upload?") and new.ds != token and new.missing == "median"
    trimmed = service.get_dataset(new.ds)
    assert trimmed.report.rows == 300 and trimmed.report.summary_rows == ()
    assert "Grand total" not in set(trimmed.frame["CustomerID"])
    assert service.SUMMARY_ROWS_LEFT_OUT.format("The last row (row 301) reads 'Grand total'", "a totals row") in trimmed.table.warnings
    assert "The file ends with a totals row" not in _text(upload_page.layout(ds=new.ds))
    assert service.get_dataset(token).report.rows == 301  # the upload as it was stays under its own link


@pytest.mark.parametrize(("rows", "offer", "refusal"), [
    ("summary", "totals row", "hold customers, not totals or averages of them"),
    ("description", "The first row describes the columns", "holds a customer, not descriptions of the columns"),
])
def test_a_file_without_such_rows_gets_no_offer_and_the_callback_refuses(client, request_context, rows, offer,
                                                                         refusal):
    upload_page = importlib.import_module("pages.upload")
    token = upload(client, _customers(rows=300).to_csv(index=False).encode()).get_json()["token"]
    assert offer not in _text(upload_page.layout(ds=token))
    href, status = upload_page.leave_out(rows, ViewState(ds=token).query())
    assert href is dash.no_update and refusal in _text(status)
    assert service.get_dataset(token).report.rows == 300


def test_the_clusters_notes_say_a_kept_totals_row_counts_as_a_customer(client, request_context):
    customers = _customers(rows=300)
    token = upload(client, _with(customers, _sums(customers, CustomerID="Total")).to_csv(index=False)
                   .encode()).get_json()["token"]
    state = ViewState(ds=token, k=3, features=("Age", "Income", "Spend"))
    notes = service.segmentation_notes(state, service.get_segmentation(state))
    assert any("reads 'Total': a totals row, counted as a customer" in n and "the Upload page can leave it out" in n
               for n in notes)
