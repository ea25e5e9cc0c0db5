"""The upload page offers to leave out a first row that describes the columns, and never does it unasked."""

from __future__ import annotations

import importlib
import json

from plotly.utils import PlotlyJSONEncoder

from dashboard import service
from dashboard.state import ViewState
from tests.core.test_description_row import _customers, _described
from tests.fixtures import upload


def _text(component) -> str:
    return json.dumps(component, cls=PlotlyJSONEncoder)


def test_the_upload_page_offers_to_leave_out_the_description_row(client, request_context):
    upload_page = importlib.import_module("pages.upload")
    token = upload(client, _described(_customers()).to_csv(index=False).encode()).get_json()["token"]
    shown = _text(upload_page.layout(ds=token))
    assert "The first row describes the columns" in shown and "Leave this row out of the table" in shown

    href, status = upload_page.leave_out("description", ViewState(ds=token, missing="median").query())
    assert status is None
    new = ViewState.from_search(href.split("?", 1)[1])
    assert href.startswith("/upload?") and new.ds != token and new.missing == "median"
    trimmed = service.get_dataset(new.ds)
    assert trimmed.report.rows == 300 and trimmed.report.description_row == ()
    assert trimmed.frame["CustomerID"].iloc[0] == "100001"
    assert service.DESCRIPTION_ROW_LEFT_OUT in trimmed.table.warnings
    assert "The first row describes the columns" not in _text(upload_page.layout(ds=new.ds))
    assert service.get_dataset(token).report.rows == 301  # the upload as it was stays under its own link


def test_the_quality_table_never_shows_a_false_zero_share(client, request_context):
    upload_page = importlib.import_module("pages.upload")
    frame = _customers(rows=5_000)
    frame.loc[5, "Age"] = ""  # 1 of 5,000: 0.02%
    token = upload(client, frame.to_csv(index=False).encode()).get_json()["token"]
    shown = _text(upload_page.layout(ds=token))
    assert "<0.1%" in shown and "0.0%" not in shown
