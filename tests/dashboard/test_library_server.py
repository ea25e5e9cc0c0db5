"""The saved library on the real server (gunicorn, 2 workers), with SQLite and with PostgreSQL.

Saves go through the Downloads page's callback, as the browser sends it. A saved segmentation opens
after a server restart with the cache folder deleted; both workers see the same library; concurrent
saves lose nothing; rename and delete (its data gone) through the library page's callbacks; the
password gate covers the library.
"""

from __future__ import annotations

import io
import json
import re
import shutil
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pandas as pd
import pytest
import requests
from sqlalchemy import create_engine, func, select

from dashboard import ids, library
from dashboard.settings import database_url
from tests.fixtures import demo_bytes, route_over_http
from tests.support import gunicorn_server

pytestmark = pytest.mark.slow


def dependency(url: str, session: requests.Session, input_id: str) -> dict[str, Any]:
    """The callback (as /_dash-dependencies lists it) whose first input is ``input_id`` (a plain id or a
    pattern-matching type)."""
    for item in session.get(url + "/_dash-dependencies", timeout=30).json():
        first = item["inputs"][0]["id"]
        if first == input_id or (first.startswith("{") and json.loads(first).get("type") == input_id):
            return item
    raise AssertionError(f"no callback for {input_id}")


def call(url: str, session: requests.Session, input_id: str, inputs: list[Any], state: list[Any],
         changed: str) -> requests.Response:
    """POST a callback as Dash's renderer does."""
    spec = dependency(url, session, input_id)
    output = spec["output"]
    parts = output.strip(".").split("...") if output.startswith("..") else [output]
    outputs = [{"id": p.rsplit(".", 1)[0].split("@")[0], "property": p.rsplit(".", 1)[1].split("@")[0]}
               for p in parts]
    body = {"output": output, "outputs": outputs if output.startswith("..") else outputs[0], "inputs": inputs,
            "state": state, "changedPropIds": [changed]}
    return session.post(url + "/_dash-update-component", json=body, timeout=120)


def save(url: str, session: requests.Session, query: str, name: str, note: str = "") -> str:
    response = call(url, session, ids.Downloads.SAVE, [{"id": ids.Downloads.SAVE, "property": "n_clicks", "value": 1}],
                    [{"id": ids.Downloads.SAVE_NAME, "property": "value", "value": name},
                     {"id": ids.Downloads.SAVE_NOTE, "property": "value", "value": note},
                     {"id": ids.page_query("downloads"), "property": "data", "value": query}],
                    f"{ids.Downloads.SAVE}.n_clicks")
    assert response.status_code == 200, response.text[:500]
    found = re.search(r"library\?saved=([A-Za-z0-9_-]+)", response.text)
    assert found, response.text[:500]
    return found.group(1)


def route(url: str, session: requests.Session, pathname: str, search: str = "") -> str:
    response = route_over_http(session, url, pathname, search)
    assert response.status_code == 200, response.text[:300]
    return response.text


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[dict[str, str]]:
    """The environment of a server using a fresh library of each kind."""
    env = {"DATA_DIR": str(tmp_path / "data")}
    if request.param == "postgresql":
        server = request.getfixturevalue("postgres")
        name = f"srv_{abs(hash(request.node.name)) % 10**8}"
        admin = create_engine(database_url(server.url, tmp_path), isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}"')
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
        admin.dispose()
        env["DATABASE_URL"] = server.url.rsplit("/", 1)[0] + "/" + name
    yield env


def rows_in(env: dict[str, str], table: str) -> int:
    url = database_url(env.get("DATABASE_URL", ""), Path(env["DATA_DIR"]))
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return int(connection.execute(select(func.count()).select_from(library.metadata.tables[table]))
                       .scalar_one())
    finally:
        engine.dispose()


def test_saved_segmentations_outlive_the_server_and_its_cache(tmp_path: Path, backend: dict[str, str]):
    session = requests.Session()
    with gunicorn_server(tmp_path / "first", workers=2, env=backend) as web:
        token = session.post(web.url + "/api/upload", files={"file": ("march.csv", demo_bytes())},
                             timeout=60).json()["token"]
        query = f"?ds={token}&k=3&seed=4&name=1:Loyal"
        before = session.get(web.url + "/download/clustered.csv" + query, timeout=60)
        assert before.status_code == 200
        saved_id = save(web.url, session, query, "March", note="for the deck")
        # both workers see it: several requests, each answered by either worker
        for _ in range(10):
            assert "March" in route(web.url, session, "/library") and saved_id in route(web.url, session, "/library")
        # concurrent saves, spread over both workers, lose nothing
        with ThreadPoolExecutor(8) as pool:
            copies = list(pool.map(lambda n: save(web.url, requests.Session(), query, f"copy {n}"), range(8)))
        assert len(set(copies)) == 8
        listed = route(web.url, session, "/library")
        assert all(f"copy {n}" in listed for n in range(8))
        assert rows_in(backend, "datasets") == 1  # nine saves of one upload: its data stored once
    shutil.rmtree(tmp_path / "first" / "cache")  # the cache is gone: only the library remains

    with gunicorn_server(tmp_path / "second", workers=2, env=backend) as web:
        after = session.get(web.url + "/download/clustered.csv" + query, timeout=60)
        assert after.status_code == 200 and after.content == before.content  # the same link, the same segments
        frame = pd.read_csv(io.BytesIO(after.content))
        assert "Loyal" in set(frame["segment"])
        detail = route(web.url, session, "/library", f"?saved={saved_id}")
        assert "March" in detail and "for the deck" in detail and "march.csv" in detail

        renamed = call(web.url, session, ids.Library.RENAME,
                       [[{"id": {"saved": saved_id, "type": ids.Library.RENAME}, "property": "n_clicks", "value": 1}]],
                       [[{"id": {"saved": saved_id, "type": ids.Library.RENAME_INPUT}, "property": "value",
                          "value": "March (final)"}]],
                       json.dumps({"saved": saved_id, "type": ids.Library.RENAME}, separators=(",", ":"))
                       + ".n_clicks")
        assert renamed.status_code == 200 and "March (final)" in renamed.text
        assert "March (final)" in route(web.url, session, "/library")

        for doomed in [saved_id, *copies]:
            deleted = call(web.url, session, ids.Library.DELETE,
                           [[{"id": {"saved": doomed, "type": ids.Library.DELETE}, "property": "submit_n_clicks",
                              "value": 1}]], [],
                           json.dumps({"saved": doomed, "type": ids.Library.DELETE}, separators=(",", ":"))
                           + ".submit_n_clicks")
            assert deleted.status_code == 200 and "Deleted" in deleted.text
        assert rows_in(backend, "saved_segmentations") == 0 and rows_in(backend, "datasets") == 0
        assert rows_in(backend, "snapshots") == 0
        # deleted means gone: the cache let go of it too, on every worker
        for _ in range(6):
            assert session.get(web.url + "/download/clustered.csv" + query, timeout=60).status_code == 410


def test_the_library_is_behind_the_password(tmp_path: Path):
    with gunicorn_server(tmp_path, workers=2, env={"DASHBOARD_PASSWORD": "secret words",
                                                   "DATA_DIR": str(tmp_path / "data")}) as web:
        anonymous = requests.Session()
        page = anonymous.get(web.url + "/library", headers={"Accept": "text/html"}, allow_redirects=False)
        assert page.status_code == 302 and unquote(page.headers["Location"]).startswith("/login?next=/library")
        assert anonymous.get(web.url + "/saved/movers.csv?saved=x", timeout=30).status_code == 401
        user = requests.Session()
        user.post(web.url + "/login", data={"password": "secret words", "next": "/library"}, timeout=30)
        assert user.get(web.url + "/saved/movers.csv?saved=x", timeout=30).status_code == 404
