"""The suite's one fixture plugin (registered in tests/conftest.py): the Dash app, its test client, a request
context (``request_context``), and the request Dash's Pages router sends for a page, for every test folder.

One Dash app per test process: Dash Pages keep a process-wide page registry and callback list, so a second
app in one process would register every page twice. Defining the ``app`` fixture once, here, at the root is
what guarantees that (no folder re-defines it, nothing patches ``create_app``).
"""

from __future__ import annotations

import io
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol

import pytest
from dash import Dash
from flask.testing import FlaskClient

from tests.support import encode_uri_component

__all__ = ["app", "client", "request_context", "postgres", "router_request", "route", "route_over_http", "upload",
           "upload_raw", "encode_uri_component", "demo_bytes", "components"]


@pytest.fixture(scope="session")
def app(tmp_path_factory: pytest.TempPathFactory) -> Dash:
    """The app, built once per test process on a private cache folder (1 MB uploads, no password)."""
    from dashboard.app import create_app
    from dashboard.settings import Settings

    cache_dir = tmp_path_factory.mktemp("cache")
    return create_app("app", Settings.from_env(cache_dir=cache_dir, redis_url=None, max_upload_mb=1,
                                               local_cache_mb=64, secret_key="test", password=None))


@pytest.fixture()
def client(app: Dash) -> FlaskClient:
    return app.server.test_client()


@pytest.fixture()
def request_context(app: Dash) -> Iterator[None]:
    """A request context, as page layouts and callbacks have when Dash calls them (not named ``context``:
    that is pytest-playwright's browser context)."""
    with app.server.test_request_context("/"):
        yield


def router_request(pathname: str, search: str = "") -> dict[str, Any]:
    """The body of the callback Dash's Pages router runs when the browser opens ``pathname + search``."""
    return {
        "output": ".._pages_content.children..._pages_store.data..",
        "outputs": [{"id": "_pages_content", "property": "children"}, {"id": "_pages_store", "property": "data"}],
        "inputs": [{"id": "_pages_location", "property": "pathname", "value": pathname},
                   {"id": "_pages_location", "property": "search", "value": search}],
        "changedPropIds": ["_pages_location.pathname"],
        "state": [],
    }


def route(client: FlaskClient, pathname: str, search: str = "") -> tuple[int, Any]:
    """Ask the test app's Pages router for a page, as the browser does; returns (status, layout JSON)."""
    client.get("/")  # the router callback is registered on the first request
    response = client.post("/_dash-update-component", data=json.dumps(router_request(pathname, search)),
                           content_type="application/json")
    payload = response.get_json(silent=True) if response.status_code == 200 else None
    return response.status_code, payload


class _Poster(Protocol):
    def post(self, url: str, json: Any = ..., timeout: float = ...) -> Any: ...


def route_over_http(session: _Poster, url: str, pathname: str, search: str = "", timeout: float = 60) -> Any:
    """The same request to a real server at ``url`` (a ``requests`` session or module); returns the response."""
    return session.post(url + "/_dash-update-component", json=router_request(pathname, search), timeout=timeout)


def components(layout: Any) -> Iterator[dict[str, Any]]:
    """Every Dash component (``{"type", "namespace", "props"}``) in a layout's JSON (as ``route`` returns it)."""
    if isinstance(layout, dict):
        if "type" in layout and "namespace" in layout and "props" in layout:
            yield layout
        for value in layout.values():
            yield from components(value)
    elif isinstance(layout, list):
        for value in layout:
            yield from components(value)


def upload(client: FlaskClient, content: bytes, name: str = "customers.csv") -> Any:
    """POST a file to the upload route; returns the response."""
    return client.post("/api/upload", data={"file": (io.BytesIO(content), name)}, content_type="multipart/form-data")


def upload_raw(client: FlaskClient, content: bytes, name: str | None = "customers.csv",
               content_type: str = "application/octet-stream", **headers: str) -> Any:
    """POST a file as the page's uploader does (assets/upload.js): the file itself is the body, its name is
    percent-encoded in the ``X-File-Name`` header (left out when ``name`` is None); returns the response."""
    if name is not None:
        headers["X-File-Name"] = encode_uri_component(name)
    return client.post("/api/upload", data=content, content_type=content_type, headers=headers)


def demo_bytes() -> bytes:
    from core import DEMO_PATH

    return Path(DEMO_PATH).read_bytes()


@pytest.fixture(scope="session")
def postgres() -> Iterator[Any]:
    """A private PostgreSQL server for the saved library's tests (Debian's postgresql; never skipped in CI)."""
    from dashboard import library
    from tests.support import postgres_bin, start_postgres

    try:
        postgres_bin()
    except RuntimeError:
        if os.environ.get("CI"):
            raise
        pytest.skip("PostgreSQL is not installed (scripts/test installs it)")
    server = start_postgres()
    yield server
    for engine in list(library._engines.values()):
        engine.dispose()
    server.stop()


def read_written(source: bytes | Path) -> Any:
    """A CSV the product wrote, as text cells (blank cells empty), read in the dialect it was written in: the
    input file's own (a semicolon file's outputs come back with semicolons), by the product's own reader."""
    from core import read_table

    return read_table(source, "written.csv").frame


def players_csv(rows: int = 3_000, seed: int = 0) -> bytes:
    """A mobile game's player export, as found from outside: two segments of non-payers (engaged, casual:
    ~94% of the players, told apart by their sessions) and the payers, set apart by purchases and spend."""
    import numpy as np

    rng = np.random.default_rng(seed)
    group = rng.choice(3, size=rows, p=[0.54, 0.40, 0.06])  # engaged, casual, payers
    sessions = np.round(np.where(group == 1, rng.gamma(4, 7, rows), rng.gamma(6, 30, rows))).astype(int) + 1
    purchases = np.where(group == 2, rng.poisson(3, rows) + 1, 0)
    spend = np.where(group == 2, np.round(rng.lognormal(3.5, 0.8, rows), 2), 0.0)
    lines = ["player_id,sessions,purchases,total_spend_usd"]
    lines += [f"P{i:06d},{s},{p},{v:.2f}" for i, (s, p, v) in enumerate(zip(sessions, purchases, spend))]
    return ("\n".join(lines) + "\n").encode()


def square_customers(rows: int = 400, *, blank_visits: int = 0, placeholder: bool = False) -> Any:
    """A Square customers export: the last visit dated, with its visits counted and spend totalled (``blank_visits``:
    that many first rows without a last visit; ``placeholder``: the first row's last visit 01/01/1900)."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(4)
    last = np.datetime64("2024-11-30") - rng.integers(0, 700, rows).astype("timedelta64[D]")
    first = last - rng.integers(0, 900, rows).astype("timedelta64[D]")
    visits = np.where(rng.random(rows) < 0.3, rng.integers(30, 80, rows), rng.integers(1, 12, rows))
    frame = pd.DataFrame({
        "Reference ID": [f"R{i:05d}" for i in range(rows)],
        "First Visit": pd.Series(first).dt.strftime("%m/%d/%Y"),
        "Last Visit": pd.Series(last).dt.strftime("%m/%d/%Y"),
        "Transaction Count": visits.astype(str),
        "Total Spend": [f"{v:.2f}" for v in visits * rng.gamma(3.0, 8.0, rows)],
        "Email Subscription Status": rng.choice(["subscribed", "unsubscribed"], rows),
    }).astype("str")
    if blank_visits:
        frame.loc[: blank_visits - 1, "Last Visit"] = ""
    if placeholder:
        frame.loc[0, "Last Visit"] = "01/01/1900"
    return frame

