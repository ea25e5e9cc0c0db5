"""Security headers on every response, and optional password protection of the whole deployment.

* **Headers**: a Content-Security-Policy that Dash itself satisfies (scripts from this server plus
  the hashes of Dash's own inline scripts; no CDN, no ``'unsafe-eval'``: the charts use plotly.js's
  CSP-safe "strict" build from ``assets/vendor``, whose WebGL scatter compiles no code at run time),
  ``X-Content-Type-Options``,
  ``Referrer-Policy`` (``no-referrer``; ``same-origin`` on the sign-in page, so that its form's POST names
  its origin) and frame protection (``X-Frame-Options`` and ``frame-ancestors``).
* **Password**: when ``DASHBOARD_PASSWORD`` is set, every page, callback, upload, download and the
  health details need a signed session cookie obtained at ``/login``. Without it, page requests are
  redirected to the login form (the address they asked for kept, URL-encoded, in ``next=``) and
  everything else answers 401. ``/health`` (a bare "OK" for the platform's probe) stays open;
  ``/health/details`` does not; of the assets only the login form's stylesheet, by its exact path.
* **Sessions** end: each sign-in gets a random session id kept in the shared cache for ``SESSION_HOURS``
  (default 12) and bound to the password (a digest of it): ``POST /logout`` deletes it, so a replayed
  cookie no longer works, and changing ``DASHBOARD_PASSWORD`` ends every session.
* **Sign-in attempts** are limited: after :data:`LOGIN_FREE_FAILURES` failures a client waits (1 s,
  doubling up to 15 minutes); more than :data:`LOGIN_GLOBAL_FAILURES` failures a minute from all clients
  make every sign-in wait a minute. Each failure is logged with the client's address. A sign-in posted
  from another site (login CSRF: its ``Origin`` or ``Referer`` is not this server) is refused.
* **HTTPS deployments**: ``SESSION_COOKIE_SECURE=1`` sends the cookie over HTTPS only, ``HSTS_SECONDS``
  adds ``Strict-Transport-Security``.
* ``Cache-Control: no-store`` on every response but the static scripts and assets: pages, callbacks and
  downloads carry customer data.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from collections.abc import Callable
from datetime import timedelta
from urllib.parse import quote, urlsplit

from dash import Dash
from flask import Flask, Response, redirect, request, session

from . import service
from .ratelimit import RateLimit, client_address
from .settings import Settings

__all__ = ["install", "LOGIN_FREE_FAILURES", "LOGIN_GLOBAL_FAILURES", "LOGIN_STYLESHEET"]

log = logging.getLogger(__name__)
_OPEN_PATHS = {"/login", "/health", "/logout"}
#: The one asset served without a session: the login form's stylesheet (matched exactly).
LOGIN_STYLESHEET = "/assets/00-bootstrap.min.css"
#: Failed sign-ins a client may make (in 15 minutes) before it must wait, and the longest wait.
LOGIN_FREE_FAILURES = 5
_LOGIN_WINDOW = 15 * 60
_LOGIN_MAX_WAIT = 15 * 60
#: Failed sign-ins a minute, from all clients together, past which every sign-in waits.
LOGIN_GLOBAL_FAILURES = 100
#: Responses that may be cached: Dash's versioned scripts and the static assets (no customer data).
_CACHEABLE_PREFIXES = ("/_dash-component-suites/", "/assets/")
_LOGIN_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in · Customer Segments</title><link rel="stylesheet" href="/assets/00-bootstrap.min.css">
<link rel="icon" href="data:,"></head>
<body class="bg-light"><main class="container" style="max-width:26rem;margin-top:12vh">
<h1 class="h4 mb-3">Customer Segments</h1>
<form method="post" action="/login" class="card card-body">
<label for="password" class="form-label">Password</label>
<input id="password" name="password" type="password" class="form-control mb-3" autocomplete="current-password" autofocus required>
<input type="hidden" name="next" value="{next}">
{error}<button class="btn btn-primary" type="submit">Sign in</button></form></main></body></html>"""


_LOGOUT_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign out · Customer Segments</title><link rel="stylesheet" href="/assets/00-bootstrap.min.css">
<link rel="icon" href="data:,"></head>
<body class="bg-light"><main class="container" style="max-width:26rem;margin-top:12vh">
<h1 class="h4 mb-3">Customer Segments</h1>
<form method="post" action="/logout" class="card card-body"><p>Sign out of Customer Segments on this browser?</p>
<button class="btn btn-primary" type="submit">Sign out</button></form></main></body></html>"""


def _safe_next(target: str | None) -> str:
    """Only same-site relative paths are followed after login (no open redirect, no header injection)."""
    if not target or any(ord(c) < 32 or c in "\\\x7f" for c in target):
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


def _login_redirect() -> Response:
    """To the login form, keeping the whole address asked for (path and query, URL-encoded) in ``next``."""
    wanted = request.full_path.rstrip("?")
    return redirect("/login?next=" + quote(wanted, safe=""))  # type: ignore[return-value]


def _same_origin() -> bool:
    """Whether a POST comes from this server's own pages: its ``Origin`` (or, without one, ``Referer``)
    names this host. Browsers send ``Origin`` with every cross-site POST; a client that sends neither
    (a script, curl) is not a browser being tricked."""
    source = request.headers.get("Origin") or request.headers.get("Referer")
    return source is None or names_this_host(source)


#: The port a browser leaves out of an origin, per scheme.
_DEFAULT_PORTS = {"http": 80, "https": 443}


def names_this_host(source: str) -> bool:
    """Whether an ``Origin`` or ``Referer`` (an http(s) address) names the host and port this request was sent
    to (its ``Host``), a port left out meaning its scheme's default (``https://shop.example:443`` is
    ``shop.example``). The scheme itself is not compared: behind a TLS proxy that does not say so
    (``PROXY_HOPS`` unset) the page is https while the request reaches the app as http, and another site
    cannot give its pages this host's name. ``null``, user info and anything unreadable name no host."""
    try:
        parts = urlsplit(source)
        port = parts.port
    except ValueError:
        return False
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname or parts.username is not None:
        return False
    own = urlsplit(f"//{request.host}")
    try:
        own_port = own.port
    except ValueError:
        return False
    named = (parts.hostname, None if port == _DEFAULT_PORTS[scheme] else port)
    return named == (own.hostname, None if own_port in _DEFAULT_PORTS.values() else own_port)


def _password_digest(password: bytes, secret: str) -> str:
    """What a session is bound to: changes whenever the password (or the secret key) does."""
    return hmac.new(secret.encode("utf-8"), b"password:" + password, hashlib.sha256).hexdigest()[:32]


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
        # The sign-in form's page says "same-origin": under "no-referrer" Chromium sends ``Origin: null`` with
        # the form's POST, which the login-CSRF check must refuse, so nobody could sign in from a browser.
        response.headers.setdefault("Referrer-Policy", "same-origin" if request.path == "/login" else "no-referrer")
        response.headers.setdefault("X-Frame-Options", "DENY")
        if not request.path.startswith(_CACHEABLE_PREFIXES):
            response.headers["Cache-Control"] = "no-store"
        if settings.hsts_seconds:
            response.headers.setdefault("Strict-Transport-Security",
                                        f"max-age={settings.hsts_seconds}; includeSubDomains")
        return response

    server.config.update(SESSION_COOKIE_SECURE=settings.session_cookie_secure)
    if not settings.password:
        return
    _install_password_gate(server, settings)


def _install_password_gate(server: Flask, settings: Settings) -> None:
    """The login form, the session checks on every request and ``/logout``."""
    password = (settings.password or "").encode("utf-8")
    bound_to = _password_digest(password, settings.secret_key)
    lifetime = timedelta(hours=settings.session_hours)
    server.config.update(SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax",
                         PERMANENT_SESSION_LIFETIME=lifetime)
    per_client = RateLimit("login-failures", LOGIN_FREE_FAILURES, _LOGIN_WINDOW)
    everyone = RateLimit("login-failures-all", LOGIN_GLOBAL_FAILURES, 60)

    def signed_in() -> bool | None:
        """Whether the request carries a live session; None when the store that keeps sessions fails."""
        sid = session.get("sid")
        if not isinstance(sid, str) or session.get("pw") != bound_to:
            return False
        try:
            return service.cache.get(f"session:{sid}") == bound_to
        except Exception:
            log.warning("session check: the cache did not answer", exc_info=True)
            return None

    def refuse(message: str, status: int, target: str, retry_after: float | None = None) -> Response:
        page = _LOGIN_PAGE.format(next=_escape(target), error=f'<p class="text-danger">{_escape(message)}</p>')
        response = Response(page, status=status)
        if retry_after:
            response.headers["Retry-After"] = str(int(retry_after) + 1)
        return response

    @server.before_request
    def require_login() -> Response | tuple[str, int] | None:
        if request.path in _OPEN_PATHS or request.path == LOGIN_STYLESHEET:
            return None
        live = signed_in()
        if live:
            return None
        if live is None:  # the session may be fine: the store is not answering (say so, not "sign in")
            return str(service.StoreUnavailable()), 503
        if request.method == "GET" and "text/html" in request.headers.get("Accept", ""):
            return _login_redirect()
        return "Sign in first.", 401

    @server.route("/login", methods=["GET", "POST"])
    def login() -> Response | str:
        target = _safe_next(request.values.get("next"))
        if request.method == "GET":
            return _LOGIN_PAGE.format(next=_escape(target), error="")
        client = client_address()
        if not _same_origin():
            log.warning("sign-in refused: posted from another site (%s) by %s",
                        request.headers.get("Origin") or request.headers.get("Referer"), client)
            return refuse("Sign in from this site's own sign-in page.", 403, target)
        wait = max(per_client.backoff(client, _LOGIN_MAX_WAIT), everyone.wait("all"))
        if wait:
            log.warning("sign-in refused: too many failed attempts (client %s, wait %.0f s)", client, wait)
            return refuse(f"Too many wrong passwords. Wait {_duration(wait)} and try again.", 429, target, wait)
        given = request.form.get("password", "").encode("utf-8")
        if not hmac.compare_digest(given, password):
            failures = per_client.record(client)
            everyone.record("all")
            log.warning("failed sign-in from %s (%d in the last %d minutes)", client, failures, _LOGIN_WINDOW // 60)
            return refuse("That password is not right.", 401, target)
        per_client.clear(client)
        sid = secrets.token_urlsafe(24)
        try:
            service.cache.set(f"session:{sid}", bound_to, timeout=int(lifetime.total_seconds()))
        except Exception:
            log.warning("sign-in: the cache did not answer", exc_info=True)
            return refuse("The server's data store is not answering right now; try again in a moment.", 503,
                          target)
        session.clear()
        session.permanent = True
        session.update(sid=sid, pw=bound_to)
        return redirect(target)  # type: ignore[return-value]

    @server.get("/logout")
    def logout_form() -> str:
        return _LOGOUT_PAGE

    @server.post("/logout")
    def logout() -> Response:
        sid = session.get("sid")
        if isinstance(sid, str):
            try:
                service.cache.delete(f"session:{sid}")
            except Exception:
                log.warning("sign-out: the cache did not answer", exc_info=True)
        session.clear()
        return redirect("/login")  # type: ignore[return-value]


def _duration(seconds: float) -> str:
    """A wait in words: "30 seconds", "2 minutes"."""
    if seconds < 90:
        return f"{int(seconds) + 1} seconds"
    return f"{int(seconds // 60) + 1} minutes"
