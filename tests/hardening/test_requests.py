"""Hardening, second round (issue 13, items 6 and 13): crafted requests get a 4xx, never a 500 and never
a worker's memory: oversized callback bodies, absurd table pages, malformed callback arguments, unknown
script paths, a selection from another data set."""

from __future__ import annotations

import json
from typing import Any

import pytest

from dashboard import ids

from tests.fixtures import demo_bytes, upload

#: The table's callback (pages.clusters.page.answer_rows): its rows, and the note over it.
GRID = {"output": f"..{ids.Clusters.GRID}.getRowsResponse...{ids.Clusters.GRID_STATUS}.children..."
                  f"{ids.Clusters.GRID_STATUS}.hidden..",
        "outputs": [{"id": ids.Clusters.GRID, "property": "getRowsResponse"},
                    {"id": ids.Clusters.GRID_STATUS, "property": "children"},
                    {"id": ids.Clusters.GRID_STATUS, "property": "hidden"}]}
QUERY_STATE = {"id": ids.page_query("clusters"), "property": "data"}
SELECTION_STATE = {"id": ids.Clusters.SELECTION, "property": "data"}


def _callback(client: Any, output: str, outputs: Any, inputs: list[dict[str, Any]], state: list[dict[str, Any]],
              changed: list[str]) -> Any:
    client.get("/")
    body = {"output": output, "outputs": outputs, "inputs": inputs, "changedPropIds": changed, "state": state}
    return client.post("/_dash-update-component", data=json.dumps(body), content_type="application/json")


def _rows(client: Any, request: Any, token: str) -> Any:
    return _callback(client, GRID["output"], GRID["outputs"],
                     [{"id": ids.Clusters.GRID, "property": "getRowsRequest", "value": request}],
                     [{**QUERY_STATE, "value": f"?ds={token}&k=3"}, {**SELECTION_STATE, "value": None}],
                     [f"{ids.Clusters.GRID}.getRowsRequest"])


def _select(client: Any, token: str, selected: Any = None, cluster: Any = None) -> Any:
    trigger = (json.dumps({"cluster": cluster, "type": ids.Clusters.SELECT_SEGMENT}, separators=(",", ":"))
               + ".n_clicks" if cluster is not None else f"{ids.Clusters.SCATTER}.selectedData")
    clicks = [{"id": {"cluster": cluster, "type": ids.Clusters.SELECT_SEGMENT}, "property": "n_clicks", "value": 1}] \
        if cluster is not None else []
    return _callback(client, f"{ids.Clusters.SELECTION}.data", {"id": ids.Clusters.SELECTION, "property": "data"},
                     [{"id": ids.Clusters.SCATTER, "property": "selectedData", "value": selected}, clicks,
                      {"id": ids.Clusters.CLEAR_SELECTION, "property": "n_clicks", "value": None}],
                     [{**QUERY_STATE, "value": f"?ds={token}&k=3"}], [trigger])


@pytest.fixture
def token(client: Any) -> str:
    return upload(client, demo_bytes()).get_json()["token"]


# -- item 6: body and page limits ----------------------------------------------------------------------


def test_a_huge_callback_body_is_refused_before_it_is_read(client: Any) -> None:
    body = b'{"output": "x", "inputs": [], "padding": "' + b"x" * (9 * 1024 * 1024) + b'"}'
    response = client.post("/_dash-update-component", data=body, content_type="application/json")
    assert response.status_code == 413


def test_a_bundle_upload_fits_under_the_callback_limit(client: Any) -> None:
    body = b'{"output": "x", "inputs": [], "padding": "' + b"x" * (3 * 1024 * 1024) + b'"}'
    response = client.post("/_dash-update-component", data=body, content_type="application/json")
    assert response.status_code != 413


def test_the_table_never_serves_more_than_a_page_of_rows(client: Any, token: str) -> None:
    response = _rows(client, {"startRow": 0, "endRow": 10 ** 12}, token)
    assert response.status_code == 200
    rows = response.get_json()["response"][ids.Clusters.GRID]["getRowsResponse"]
    assert rows["rowCount"] == 500
    assert len(rows["rowData"]) <= 100


@pytest.mark.parametrize("request_", [{"startRow": "x", "endRow": 20}, {"startRow": 0, "endRow": "y"},
                                      {"startRow": None, "endRow": [1]}, "not a dict", [1, 2],
                                      {"startRow": 0, "endRow": 20, "sortModel": "desc"},
                                      {"startRow": 0, "endRow": 20, "sortModel": [1, "x"]}])
def test_malformed_table_requests_get_a_4xx_or_an_empty_page(client: Any, token: str, request_: Any) -> None:
    response = _rows(client, request_, token)
    assert response.status_code < 500, response.data[:300]


# -- item 13: malformed selections, unknown scripts, a selection of another data set ---------------------


@pytest.mark.parametrize("selected", [{"points": "abc"}, {"points": [1, "x", None]}, "string", [1, 2],
                                      {"points": [{"customdata": "7"}, {"customdata": [1]}]}])
def test_malformed_scatter_selections_are_refused(client: Any, token: str, selected: Any) -> None:
    response = _select(client, token, selected=selected)
    assert response.status_code < 500, response.data[:300]


@pytest.mark.parametrize("cluster", ["abc", 10 ** 6, -5, 1.5, [1]])
def test_malformed_segment_selections_are_refused(client: Any, token: str, cluster: Any) -> None:
    response = _select(client, token, cluster=cluster)
    assert response.status_code < 500, response.data[:300]


@pytest.mark.parametrize("path", ["/_dash-component-suites/dash/x.js", "/_dash-component-suites/nope/x.js",
                                  "/_dash-component-suites/dash/../../etc/passwd"])
def test_unknown_script_paths_are_404(client: Any, path: str) -> None:
    assert client.get(path).status_code == 404


def test_a_selection_from_another_data_set_is_a_400(client: Any, token: str) -> None:
    selection = _select(client, token, cluster=0).get_json()["response"][ids.Clusters.SELECTION]["data"]
    assert selection["count"] > 0
    small = upload(client, b"Age,Income\n" + b"".join(b"%d,%d\n" % (20 + i, 30 + i * 7 % 50) for i in range(9)))
    other = small.get_json()["token"]
    response = client.get(f"/download/selection.csv?ds={other}&k=3&sel={selection['token']}")
    assert response.status_code == 400
    assert "another data set" in response.get_data(as_text=True)


def test_the_selection_download_still_works(client: Any, token: str) -> None:
    selection = _select(client, token, cluster=0).get_json()["response"][ids.Clusters.SELECTION]["data"]
    response = client.get(f"/download/selection.csv?ds={token}&k=3&sel={selection['token']}")
    assert response.status_code == 200
    assert response.data.count(b"\n") == selection["count"] + 1
