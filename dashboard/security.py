"""Security headers on every response, and optional password protection of the whole deployment.

* **Headers**: a Content-Security-Policy that Dash itself satisfies (scripts from this server plus
  the hashes of Dash's own inline scripts; no CDN), ``X-Content-Type-Options``,
  ``Referrer-Policy`` and frame protection (``X-Frame-Options`` and ``frame-ancestors``).
* **Password**: when ``DASHBOARD_PASSWORD`` is set, every page, callback, upload, download and the
  health details need a signed session cookie obtained at ``/login``. Without it, page requests are
  redirected to the login form and everything else answers 401. ``/health`` (a bare "OK" for the
  platform's probe) stays open; ``/health/details`` does not.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from urllib.parse import urlsplit

from dash import Dash
from flask import Flask, Response, redirect, request, session

from .settings import Settings

__all__ = ["install"]

_OPEN_PATHS = {"/login", "/health", "/logout"}
_LOGIN_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in · Customer Segments</title><link rel="stylesheet" href="/assets/00-bootstrap.min.css"></head>
<body class="bg-light"><main class="container" style="max-width:26rem;margin-top:12vh">
<h1 class="h4 mb-3">Customer Segments</h1>
<form method="post" action="/login" class="card card-body">
<label for="password" class="form-label">Password</label>
<input id="password" name="password" type="password" class="form-control mb-3" autofocus required>
<input type="hidden" name="next" value="{next}">
{error}<button class="btn btn-primary" type="submit">Sign in</button></form></main></body></html>"""


def _safe_next(target: str | None) -> str:
    """Only same-site relative paths are followed after login (no open redirect)."""
    if not target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


def _escape(text: str) -> str:
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;").replace("'", "&#39;"))


def _policy(app: Dash) -> Callable[[], str]:
    cached: list[str] = []

    def build() -> str:
        if not cached:
            scripts = " ".join(["'self'", *app.csp_hashes()])
            cached.append(
                "default-src 'self'; "
                f"script-src {scripts}; "
                "style-src 'self' 'unsafe-inline'; "
                "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; "
                "worker-src 'self' blob:; object-src 'none'; base-uri 'self'; form-action 'self'; "
                "frame-ancestors 'none'")
        return cached[0]

    return build


def install(app: Dash, settings: Settings) -> None:
    """Add the headers, and the password gate when a password is configured."""
    server: Flask = app.server
    policy = _policy(app)

    @server.after_request
    def security_headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", policy())
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        response.headers.setdefault("X-Frame-Options", "DENY")
        return response

    if not settings.password:
        return
    password = settings.password.encode("utf-8")
    server.config.update(SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax")

    @server.before_request
    def require_login() -> Response | tuple[str, int] | None:
        if request.path in _OPEN_PATHS or session.get("signed_in") is True:
            return None
        if request.path.startswith("/assets/00-bootstrap"):
            return None  # the login form's stylesheet
        if request.method == "GET" and "text/html" in request.headers.get("Accept", ""):
            return redirect("/login?next=" + request.full_path.rstrip("?"))  # type: ignore[return-value]
        return "Sign in first.", 401

    @server.route("/login", methods=["GET", "POST"])
    def login() -> Response | str:
        target = _safe_next(request.values.get("next"))
        if request.method == "POST":
            given = request.form.get("password", "").encode("utf-8")
            if hmac.compare_digest(given, password):
                session.clear()
                session["signed_in"] = True
                return redirect(target)  # type: ignore[return-value]
            return Response(_LOGIN_PAGE.format(next=_escape(target), error='<p class="text-danger">'
                                               "That password is not right.</p>"), status=401)
        return _LOGIN_PAGE.format(next=_escape(target), error="")

    @server.route("/logout")
    def logout() -> Response:
        session.clear()
        return redirect("/login")  # type: ignore[return-value]
