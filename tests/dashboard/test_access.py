"""Password protection (DASHBOARD_PASSWORD) and security headers, on gunicorn."""

from __future__ import annotations

import pytest
import requests

from tests.support import gunicorn_server

pytestmark = pytest.mark.slow  # a gunicorn server with a password (about 12 s to start here)

PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="module")
def guarded(tmp_path_factory):
    with gunicorn_server(tmp_path_factory.mktemp("guarded"), workers=2,
                         env={"DASHBOARD_PASSWORD": PASSWORD}) as server:
        yield server


def test_everything_needs_the_password(guarded):
    anonymous = requests.Session()
    page = anonymous.get(guarded.url + "/model?ds=x", headers={"Accept": "text/html"}, allow_redirects=False)
    assert page.status_code == 302 and page.headers["Location"] == "/login?next=%2Fmodel%3Fds%3Dx"  # URL-encoded: every parameter survives
    assert anonymous.post(guarded.url + "/_dash-update-component", json={}).status_code == 401
    assert anonymous.get(guarded.url + "/_dash-layout").status_code == 401
    assert anonymous.post(guarded.url + "/api/upload", files={"file": ("a.csv", b"a,b\n1,2\n")}).status_code == 401
    assert anonymous.get(guarded.url + "/download/clustered.csv?ds=" + "A" * 32).status_code == 401
    assert anonymous.get(guarded.url + "/health/details").status_code == 401
    assert anonymous.get(guarded.url + "/health").status_code == 200


def test_wrong_password_is_refused(guarded):
    response = requests.post(guarded.url + "/login", data={"password": "guess", "next": "/"}, allow_redirects=False)
    assert response.status_code == 401
    assert "not right" in response.text


def test_signed_in_user_gets_through_every_worker(guarded):
    user = requests.Session()
    response = user.post(guarded.url + "/login", data={"password": PASSWORD, "next": "/upload"},
                         allow_redirects=False)
    assert response.status_code == 302 and response.headers["Location"] == "/upload"
    content = b"Age,Income\n" + b"".join(f"{20 + (i * 7) % 40},{(i * 13) % 70}\n".encode() for i in range(40))
    token = user.post(guarded.url + "/api/upload", files={"file": ("a.csv", content)}).json()["token"]
    for _ in range(6):  # both workers accept the same signed session
        assert user.get(guarded.url + f"/download/summary.csv?ds={token}&k=2").status_code == 200
    assert user.get(guarded.url + "/health/details").json()["store"] == "ok"


def test_no_open_redirect_after_login(guarded):
    response = requests.post(guarded.url + "/login", data={"password": PASSWORD, "next": "//evil.example/x"},
                             allow_redirects=False)
    assert response.headers["Location"] == "/"


def test_security_headers_and_csp(guarded):
    response = requests.get(guarded.url + "/login")
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "unsafe-eval" not in policy
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    # the sign-in form's page: same-origin, so that Chromium's POST of the form names its origin (under
    # no-referrer it sends "Origin: null", refused as a cross-site sign-in); every other page: no-referrer
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert requests.get(guarded.url + "/health").headers["Referrer-Policy"] == "no-referrer"


def test_tokens_never_in_logs(guarded):
    user = requests.Session()
    user.post(guarded.url + "/login", data={"password": PASSWORD})
    token = user.post(guarded.url + "/api/upload", files={"file": ("a.csv", b"a,b\n1,2\n3,4\n5,6\n")}).json()["token"]
    user.get(guarded.url + f"/download/clustered.csv?ds={token}&k=2")
    user.get(guarded.url + f"/downloads?ds={token}", headers={"Accept": "text/html"})
    assert token not in guarded.log()


def _sign_out_forms(layout: object) -> list[dict]:
    """The navbar's sign-out form(s) in the app layout's JSON."""
    from dashboard import ids
    from tests.fixtures import components

    return [c["props"] for c in components(layout) if c["props"].get("id") == ids.Shell.SIGN_OUT]


def test_the_navbar_signs_out_and_shows_the_sign_in_page(guarded):
    user = requests.Session()
    assert user.post(guarded.url + "/login", data={"password": PASSWORD, "next": "/"}).status_code == 200
    (form,) = _sign_out_forms(user.get(guarded.url + "/_dash-layout").json())
    assert form["action"] == "/logout" and form["method"].upper() == "POST"
    assert "Sign out" in str(form["children"])
    # what the browser does with the form: post it, follow the answer
    page = user.post(guarded.url + form["action"], headers={"Origin": guarded.url})
    assert page.status_code == 200 and page.url.startswith(guarded.url + "/login")
    assert 'name="password"' in page.text  # the sign-in page
    assert user.get(guarded.url + "/_dash-layout").status_code == 401  # the session is over


def test_without_a_password_there_is_no_sign_out(client):
    assert _sign_out_forms(client.get("/_dash-layout").get_json()) == []
