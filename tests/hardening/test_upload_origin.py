"""An upload posted by another site's page is refused (issue: the upload route relied on the SameSite=Lax
session cookie alone). A browser names the page's origin in ``Origin`` with every cross-site POST: one that
does not name this server's host and port (as the sign-in form's check) gets a one-line 403 and nothing is
read or stored. The scheme is not compared: behind a TLS proxy that does not say so (``PROXY_HOPS`` unset,
a PaaS router) the page is https while the request reaches the app as http. A request without ``Origin``
(curl, a script, the load test) is not a browser being tricked, and still works."""

from __future__ import annotations

import io
from typing import Any

import pytest

from dashboard import routes, service
from tests.fixtures import encode_uri_component, upload, upload_raw

CONTENT = b"Age,Income\n20,10\n30,20\n40,30\n50,40\n"
REFUSED = "Uploads are accepted only from this site's own pages."


@pytest.fixture
def stored(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the files the upload route stored."""
    names: list[str] = []
    real = service.read_and_store

    def recording(content: bytes, name: str, *args: Any, **kwargs: Any) -> Any:
        names.append(name)
        return real(content, name, *args, **kwargs)

    monkeypatch.setattr(service, "read_and_store", recording)
    return names


@pytest.mark.parametrize("origin", ["https://evil.example", "null", "http://localhost.evil.example",
                                    "http://localhost:8050", "https://localhost:8443", "http://evil.example:80",
                                    "http://user@localhost", "http://localhost:99999", "localhost"])
def test_an_upload_from_another_origin_is_refused_and_nothing_is_stored(client: Any, stored: list[str],
                                                                        origin: str) -> None:
    for response in (upload_raw(client, CONTENT, "raw.csv", Origin=origin),
                     client.post("/api/upload", data={"file": (io.BytesIO(CONTENT), "form.csv")},
                                 content_type="multipart/form-data", headers={"Origin": origin})):
        assert response.status_code == 403, response.data
        assert response.get_json() == {"error": REFUSED}
    assert stored == []


@pytest.mark.parametrize("origin", ["http://localhost", "HTTP://LOCALHOST:80", "https://localhost"])
def test_an_upload_from_this_sites_own_page_works(client: Any, stored: list[str], origin: str) -> None:
    response = upload_raw(client, CONTENT, "own.csv", Origin=origin)
    assert response.status_code == 200, response.get_json()
    assert stored == ["own.csv"]


def test_an_upload_without_an_origin_works(client: Any, stored: list[str]) -> None:
    assert upload_raw(client, CONTENT, "curl.csv").status_code == 200
    assert upload(client, CONTENT, "form.csv").status_code == 200
    assert stored == ["curl.csv", "form.csv"]


def test_the_origin_is_compared_with_the_host_and_port_the_request_was_sent_to(client: Any,
                                                                               stored: list[str]) -> None:
    """The host and port decide, a port left out meaning the scheme's default; the scheme does not: a PaaS's
    TLS router forwards the page's https request to the app as http, and its uploads must work without
    PROXY_HOPS (they were refused)."""
    headers = {routes.FILE_NAME_HEADER: encode_uri_component("proxied.csv")}
    post = lambda base, origin: client.post("/api/upload", base_url=base, data=CONTENT,  # noqa: E731
                                            content_type=routes.RAW_UPLOAD_TYPE, headers={**headers, "Origin": origin})
    assert post("https://segments.example", "https://segments.example").status_code == 200
    assert post("https://segments.example", "https://segments.example:443").status_code == 200
    assert post("http://segments.example:8050", "http://segments.example:8050").status_code == 200
    assert post("http://segments.example", "https://segments.example").status_code == 200  # behind a TLS router
    assert post("http://segments.example:8050", "http://segments.example").status_code == 403
    assert post("https://segments.example", "https://segments.example:8443").status_code == 403
    assert post("https://segments.example", "https://shop.example").status_code == 403
    assert stored == ["proxied.csv"] * 4
