"""The Redis path: gunicorn with 2 workers sharing datasets and results through a real redis-server."""

from __future__ import annotations

import io

import pandas as pd
import pytest
import redis
import requests

from tests.fixtures import route_over_http
from tests.support import gunicorn_server, start_redis, stop

pytestmark = [pytest.mark.redis, pytest.mark.slow]


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory):
    server = start_redis(tmp_path_factory.mktemp("redis"))
    yield server
    stop(server.process)


@pytest.fixture(scope="module")
def web(tmp_path_factory, redis_server):
    with gunicorn_server(tmp_path_factory.mktemp("web-redis"), workers=2,
                         env={"REDIS_URL": redis_server.url}) as server:
        yield server


def test_datasets_and_results_live_in_redis(web, redis_server):
    content = b"CustomerID,Age,Income\n" + b"".join(
        f"{i},{20 + (i * 7) % 50},{10 + (i * 13) % 90}\n".encode() for i in range(1, 201))
    response = requests.post(web.url + "/api/upload", files={"file": ("c.csv", content, "text/csv")}, timeout=30)
    assert response.status_code == 200, response.text
    token = response.json()["token"]
    keys = redis.Redis.from_url(redis_server.url).keys("segments:*")
    assert any(key.decode().startswith(f"segments:ds:{token}") for key in keys)
    assert not list(web.cache_dir.glob("data/*"))  # nothing went to the file cache
    answers = set()
    for _ in range(8):  # several requests: both workers answer, from Redis
        download = requests.get(web.url + f"/download/clustered.csv?ds={token}&k=3&seed=5", timeout=30)
        assert download.status_code == 200
        answers.add(download.content)
    assert len(answers) == 1
    frame = pd.read_csv(io.BytesIO(answers.pop()))
    assert len(frame) == 200 and set(frame["cluster"]) == {1, 2, 3}
    assert any(key.decode().startswith(f"segments:seg:{token}")
               for key in redis.Redis.from_url(redis_server.url).keys("segments:*"))


def test_unknown_token_with_redis(web):
    response = requests.get(web.url + "/download/summary.csv?ds=" + "Z" * 32, timeout=30)
    assert response.status_code == 410


def _route(url: str, pathname: str, search: str) -> requests.Response:
    requests.get(url + "/", timeout=10)
    return route_over_http(requests, url, pathname, search, timeout=30)


def test_redis_stopped_mid_session_then_back(tmp_path_factory):
    first = start_redis(tmp_path_factory.mktemp("redis-flaky"))
    port = first.port
    try:
        with gunicorn_server(tmp_path_factory.mktemp("web-flaky"), workers=2, env={"REDIS_URL": first.url}) as web:
            content = b"Age,Income\n" + b"".join(f"{20 + (i * 7) % 50},{(i * 13) % 90}\n".encode() for i in range(60))
            token = requests.post(web.url + "/api/upload", files={"file": ("c.csv", content)}, timeout=30).json()["token"]
            stop(first.process)  # Redis goes away in the middle of the session
            download = requests.get(web.url + f"/download/summary.csv?ds={token}&k=2", timeout=30)
            assert download.status_code == 503 and "not answering" in download.text
            page = _route(web.url, "/clusters", f"?ds={token}&k=2")
            assert page.status_code == 200 and "not answering" in page.text
            refused = requests.post(web.url + "/api/upload", files={"file": ("c.csv", content)}, timeout=30)
            assert refused.status_code == 503 and "not answering" in refused.json()["error"]
            second = start_redis(tmp_path_factory.mktemp("redis-back"), port=port)  # back, empty
            try:
                gone = requests.get(web.url + f"/download/summary.csv?ds={token}&k=2", timeout=30)
                assert gone.status_code == 410  # its data was in the stopped Redis: "upload again"
                again = requests.post(web.url + "/api/upload", files={"file": ("c.csv", content)}, timeout=30)
                assert again.status_code == 200  # recovered without restarting the app
                fresh = again.json()["token"]
                assert requests.get(web.url + f"/download/summary.csv?ds={fresh}&k=2", timeout=30).status_code == 200
            finally:
                stop(second.process)
    finally:
        stop(first.process)
