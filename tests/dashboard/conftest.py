"""One Dash app per test process (Dash Pages keep a process-wide registry), on a private cache folder."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from dash import Dash
from flask.testing import FlaskClient

from dashboard.app import create_app
from dashboard.settings import Settings


@pytest.fixture(scope="session")
def app(tmp_path_factory: pytest.TempPathFactory) -> Dash:
    cache_dir = tmp_path_factory.mktemp("cache")
    return create_app("app", Settings.from_env(cache_dir=cache_dir, redis_url=None, max_upload_mb=1,
                                               local_cache_mb=64, secret_key="test", password=None))


@pytest.fixture()
def client(app: Dash) -> FlaskClient:
    return app.server.test_client()


@pytest.fixture()
def context(app: Dash) -> Iterator[None]:
    """A request context, as page layouts and callbacks have when Dash calls them."""
    with app.server.test_request_context("/"):
        yield


def route(client: FlaskClient, pathname: str, search: str = "") -> tuple[int, Any]:
    """Ask Dash's Pages router for a page, as the browser does; returns (status, layout JSON)."""
    client.get("/")  # the router callback is registered on the first request
    body = {
        "output": ".._pages_content.children..._pages_store.data..",
        "outputs": [{"id": "_pages_content", "property": "children"}, {"id": "_pages_store", "property": "data"}],
        "inputs": [{"id": "_pages_location", "property": "pathname", "value": pathname},
                   {"id": "_pages_location", "property": "search", "value": search}],
        "changedPropIds": ["_pages_location.pathname"],
        "state": [],
    }
    response = client.post("/_dash-update-component", data=json.dumps(body), content_type="application/json")
    payload = response.get_json(silent=True) if response.status_code == 200 else None
    return response.status_code, payload


def upload(client: FlaskClient, content: bytes, name: str = "customers.csv") -> Any:
    """POST a file to the upload route; returns the response."""
    import io

    return client.post("/api/upload", data={"file": (io.BytesIO(content), name)}, content_type="multipart/form-data")


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
