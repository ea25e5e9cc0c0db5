"""The app factory: ``create_app(name) -> Dash`` (the root ``app.py`` exposes ``server`` for gunicorn)."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from html import escape as html_escape

import dash
import diskcache
from celery import Celery
from dash import CeleryManager, Dash, DiskcacheManager
from flask import Flask, request

from . import library, routes, security, service, shell
from .jobs import CeleryJobManager, JobManager
from .settings import Settings

__all__ = ["create_app", "make_celery", "celery_of", "ROOT"]

ROOT = Path(__file__).resolve().parent.parent
log = logging.getLogger(__name__)


def _cache_config(settings: Settings) -> dict[str, object]:
    common: dict[str, object] = {"CACHE_DEFAULT_TIMEOUT": settings.cache_timeout, "CACHE_KEY_PREFIX": "segments:"}
    if settings.redis_url:
        return {**common, "CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": settings.redis_url}
    return {**common, "CACHE_TYPE": "dashboard.budget.BudgetFileSystemCache", "CACHE_DIR": str(settings.cache_dir / "data"),
            "CACHE_BUDGET_BYTES": settings.cache_max_bytes}


class SegmentsDash(Dash):
    """Dash whose HTML ``<title>`` is the requested page's own (it names the data set and segments) and whose
    ``<html>`` says the page's language."""

    def interpolate_index(self, **kwargs: str) -> str:
        page = next((p for p in dash.page_registry.values() if p.get("path") == request.path), None)
        title = page.get("title") if page else None
        if callable(title):
            kwargs["title"] = html_escape(title())
        elif isinstance(title, str):
            kwargs["title"] = html_escape(title)
        # The page's language, for screen readers and translation tools (Dash's template has none).
        return super().interpolate_index(**kwargs).replace("<html>", '<html lang="en">', 1)


def make_celery(settings: Settings) -> Celery:
    """The Celery app that runs background callbacks when ``BACKGROUND_JOBS=celery``."""
    celery = Celery("customer_segments", broker=settings.redis_url, backend=settings.redis_url)
    celery.conf.update(task_time_limit=settings.job_timeout + 30, task_soft_time_limit=settings.job_timeout,
                       worker_hijack_root_logger=False, broker_connection_retry_on_startup=True,
                       result_expires=settings.job_timeout * 2)
    return celery


def celery_of(app: Dash) -> Celery | None:
    """The Celery app behind the app's background callbacks (None unless ``BACKGROUND_JOBS=celery``)."""
    manager = app._background_manager
    return manager.handle if isinstance(manager, CeleryManager) else None


def _background_manager(settings: Settings) -> DiskcacheManager | CeleryManager:
    if settings.background == "celery":
        return CeleryJobManager(make_celery(settings), expire=settings.job_timeout * 2)
    jobs = diskcache.Cache(str(settings.cache_dir / "jobs"))
    return JobManager(jobs, expire=settings.job_timeout * 2)


def create_app(name: str = "app", settings: Settings | None = None) -> Dash:
    """Build the Dash app with its Flask server, cache, pages and routes.

    Parameters
    ----------
    name : str
        The root module's ``__name__``: page modules are named relative to it (``pages.upload``).
    settings : Settings, optional
        Defaults to :meth:`Settings.from_env`.
    """
    settings = settings or Settings.from_env()
    settings.cache_dir.mkdir(parents=True, exist_ok=True)
    # Several gunicorn workers each using every core for OpenMP/BLAS slow each other down.
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    server = Flask(name)
    if settings.proxy_hops:  # the client's address and scheme as the proxies in front saw them
        from werkzeug.middleware.proxy_fix import ProxyFix

        server.wsgi_app = ProxyFix(server.wsgi_app, x_for=settings.proxy_hops,  # type: ignore[method-assign]
                                   x_proto=settings.proxy_hops)
    server.secret_key = settings.secret_key
    # Each address has its own body limit (routes._body_limit): uploads, callbacks, everything else.
    server.config["MAX_CONTENT_LENGTH"] = max(settings.max_upload_bytes + 64 * 1024, settings.max_callback_bytes)
    service.init_app(server, settings, _cache_config(settings))  # settings live on the app (server.extensions)
    library.configure(settings.database_url, settings.data_dir)
    app = SegmentsDash(
        name,
        server=server,
        use_pages=True,
        pages_folder=str(ROOT / "pages"),
        assets_folder=str(ROOT / "assets"),
        title="Customer Segments",
        update_title=None,
        suppress_callback_exceptions=True,
        background_callback_manager=_background_manager(settings),
        serve_locally=True,
        health_endpoint="health",
        meta_tags=[{"name": "viewport", "content": "width=device-width, initial-scale=1"},
                   {"name": "description", "content": "Turn a customer file into marketing segments."}],
    )
    app.layout = shell.layout
    routes.register(server, settings)
    security.install(app, settings)
    # Dash finishes setting itself up (script registry, page router) during the first request a
    # process handles, and marks that done before doing it; with several threads per gunicorn worker
    # a request racing the first one got a 500. One request here, before serving, does it safely.
    server.test_client().get("/health")
    return app

