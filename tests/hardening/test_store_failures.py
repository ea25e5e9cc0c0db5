"""Hardening, second round (issue 13, item 14): when the data store fails under a request (Redis stopped
mid-job, the cache disk full under the job store) the answer says so with a 503, never a 500; and
/health/details reports a full disk instead of "ok"."""

from __future__ import annotations

import sqlite3
from collections import namedtuple
from typing import Any

import pytest

import dashboard.routes as routes

Usage = namedtuple("Usage", "total used free")


def _break_callbacks(app: Any, monkeypatch: pytest.MonkeyPatch, exc: BaseException) -> None:
    endpoint = next(rule.endpoint for rule in app.server.url_map.iter_rules() if rule.rule == routes.CALLBACK_PATH)

    def failing(*args: Any, **kwargs: Any) -> Any:
        raise exc

    monkeypatch.setitem(app.server.view_functions, endpoint, failing)


@pytest.mark.parametrize("exc,message", [
    (sqlite3.OperationalError("database or disk is full"), "storage for uploaded data is full"),
    (OSError(28, "No space left on device"), "storage for uploaded data is full"),
])
def test_a_full_job_store_is_a_503_with_its_reason(app: Any, client: Any, monkeypatch: pytest.MonkeyPatch,
                                                   exc: BaseException, message: str) -> None:
    _break_callbacks(app, monkeypatch, exc)
    response = client.post("/_dash-update-component", json={"output": "x", "inputs": []})
    assert response.status_code == 503 and message in response.get_json()["error"]


def test_redis_stopped_under_a_polling_callback_is_a_503(app: Any, client: Any,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    import redis

    _break_callbacks(app, monkeypatch, redis.exceptions.ConnectionError("Error 111 connecting to localhost:6379"))
    response = client.post("/_dash-update-component", json={"output": "x", "inputs": []})
    assert response.status_code == 503
    assert "data store is not answering" in response.get_json()["error"]


def test_health_details_reports_a_full_disk(client: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    assert client.get("/health/details").get_json()["disk"]["status"] == "ok"
    monkeypatch.setattr(routes.shutil, "disk_usage", lambda path: Usage(10 ** 9, 10 ** 9 - 10 ** 6, 10 ** 6))
    response = client.get("/health/details")
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "degraded" and body["disk"]["status"] == "full" and body["disk"]["free_mb"] == 0


def _watch_fit(request_context: Any) -> Any:
    import importlib

    model = importlib.import_module("pages.model.page")
    return model.watch_fit({"display": "none"}, None, "?ds=x&k=3")


def test_a_job_that_stopped_on_a_dead_store_says_so(app: Any, request_context: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from dashboard import service

    style, reason = _watch_fit(request_context)
    assert style["display"] != "none" and "cancelled, or a server process stopped" in reason

    def down(*args: Any, **kwargs: Any) -> Any:
        raise ConnectionError("Error 111 connecting to redis")

    monkeypatch.setattr(service.cache, "set", down)
    style, reason = _watch_fit(request_context)
    assert "The model was not finished: The server's data store is not answering" in reason


def test_a_job_that_stopped_on_a_full_disk_says_so(app: Any, request_context: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from dashboard import service

    monkeypatch.setattr(service.store, "disk_nearly_full", lambda: True)
    _, reason = _watch_fit(request_context)
    assert "storage for uploaded data is full" in reason


@pytest.mark.slow
def test_a_store_error_wrapped_by_celery_is_a_503(app: Any, client: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    import redis

    try:
        try:
            raise redis.exceptions.ConnectionError("Error 111 connecting to 127.0.0.1:6379")
        except redis.exceptions.ConnectionError as inner:
            raise RuntimeError("Retry limit exceeded while trying to reconnect to the Celery result store") from inner
    except RuntimeError as wrapped:
        _break_callbacks(app, monkeypatch, wrapped)
    response = client.post("/_dash-update-component", json={"output": "x", "inputs": []})
    assert response.status_code == 503
