"""The store: the shared cache (a flask-caching extension) and its failures, with the app's settings.

Keys are ``<kind>:<token>[:<digest>]``; values are written by this server only (the cache must be
private: every flask-caching backend unpickles what it stores) and never change once written. A read
goes to, in order: what this request read already (a page render asks for the same dataset from its
title, its layout and every result), this worker's memory of recent entries (:mod:`.recent`, used only
while the shared cache still holds the key), then the shared cache.

The settings, the per-worker memory and the shipped model live on the Flask app
(``server.extensions["segments"]``, set by :func:`init_app`): background jobs run outside a request,
so they find the app through the cache extension, which remembers the app it was initialised with.
"""

from __future__ import annotations

import logging
import shutil
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from flask import Flask, current_app, g, has_app_context
from cachelib import FileSystemCache, RedisCache
from flask_caching import Cache

from core import SavedModel, SegmentsError, load_shipped_model

from ..settings import Settings
from .pickling import FileSerializer, RedisSerializer
from .recent import Recent

__all__ = ["cache", "init_app", "settings", "StoreUnavailable", "DISK_FULL_MESSAGE", "read", "write", "holds",
           "memoized", "forget", "forget_local", "store_problem", "disk_nearly_full", "pretrained_model", "EXTENSION"]

log = logging.getLogger(__name__)
cache = Cache()
T = TypeVar("T")
#: The app's ``extensions`` key of :class:`Extension`.
EXTENSION = "segments"
#: Recent entries a worker keeps (see :class:`.recent.Recent`; the byte budget comes from the settings).
RECENT_ENTRIES = 6


class StoreUnavailable(SegmentsError):
    """The cache backend (Redis or the cache folder) failed."""

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or "The server's data store is not answering right now. Your data is not lost "
                                    "if it was stored before; try again in a moment.")


DISK_FULL_MESSAGE = ("The server's storage for uploaded data is full, so this could not be saved. Nothing you stored "
                     "before is lost; try again later, or ask your administrator to free space in CACHE_DIR.")


@dataclass
class Extension:
    """What the app keeps for this package: its settings, this worker's recent entries, the shipped model."""

    settings: Settings
    recent: Recent
    _pretrained: SavedModel | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def pretrained(self) -> SavedModel:
        """The shipped pre-trained model, loaded once per worker (only ever from the project's models/)."""
        with self._lock:
            if self._pretrained is None:
                self._pretrained = load_shipped_model()
            return self._pretrained


def init_app(server: Flask, settings: Settings, cache_config: dict[str, Any]) -> None:
    """Set the store up on ``server``: the cache backend, the settings and this worker's memory."""
    cache.init_app(server, config=cache_config)
    cache.app = server  # flask-caching's own way to name the app used outside a request (background jobs)
    backend = server.extensions["cache"][cache]
    if isinstance(backend, FileSystemCache):  # frames pickled in their chunks (see .pickling)
        backend.serializer = FileSerializer()
    elif isinstance(backend, RedisCache):
        backend.serializer = RedisSerializer()
    server.extensions[EXTENSION] = Extension(settings, Recent(size=RECENT_ENTRIES,
                                                              budget=settings.local_cache_bytes))


def _extension() -> Extension:
    app = current_app if has_app_context() else cache.app
    return app.extensions[EXTENSION]  # type: ignore[union-attr, no-any-return]


def settings() -> Settings:
    """The running app's settings."""
    return _extension().settings


def pretrained_model() -> SavedModel:
    """The shipped pre-trained model (loaded once per worker)."""
    return _extension().pretrained()


def _request_reads() -> dict[str, Any] | None:
    """What this request has read from the store so far (None outside a request or app context)."""
    if not has_app_context():
        return None
    if "segments_reads" not in g:
        g.segments_reads = {}
    return g.segments_reads  # type: ignore[no-any-return]


def read(key: str) -> Any:
    """The entry under ``key`` (None when the store does not hold it). StoreUnavailable when the backend fails."""
    reads = _request_reads()
    if reads is not None and key in reads:
        return reads[key]
    recent = _extension().recent
    try:
        local = recent.get(key)
        if local is not None and cache.has(key):
            value = local
        else:
            value = cache.get(key)
    except Exception:  # the backend failed (Redis down, disk error): say so, never crash
        log.warning("cache read failed for a %s entry", key.split(":", 1)[0], exc_info=True)
        raise StoreUnavailable() from None
    if value is not None:
        if value is not local:
            recent.put(key, value)
        if reads is not None:
            reads[key] = value
    return value


def write(key: str, value: Any) -> None:
    """Keep ``value`` under ``key``. StoreUnavailable (with the disk-full message when so) when it cannot."""
    try:
        ok = cache.set(key, value)
    except Exception:
        log.warning("cache write failed for a %s entry", key.split(":", 1)[0], exc_info=True)
        raise StoreUnavailable() from None
    if ok is False:
        log.warning("cache write refused for a %s entry", key.split(":", 1)[0])
        raise StoreUnavailable(DISK_FULL_MESSAGE if disk_nearly_full() else None)
    _extension().recent.put(key, value)
    reads = _request_reads()
    if reads is not None:
        reads[key] = value


def holds(key: str) -> bool:
    """Whether the store holds ``key`` (False when the backend fails: callers then offer to compute it)."""
    reads = _request_reads()
    if reads is not None and key in reads:
        return True
    try:
        return _extension().recent.get(key) is not None or bool(cache.has(key))
    except Exception:
        log.warning("cache check failed", exc_info=True)
        return False


def memoized(key: str, compute: Callable[[], T]) -> T:
    """The entry under ``key``, computed and kept when the store lacks it (a store that cannot keep it
    only costs the next request the computation again)."""
    found = read(key)
    if found is not None:
        return found  # type: ignore[no-any-return]
    value = compute()
    try:
        write(key, value)
    except StoreUnavailable:
        log.warning("result computed but not cached")
    return value


def forget(key: str) -> None:
    """Drop an entry from the shared cache (and this request's reads)."""
    reads = _request_reads()
    if reads is not None:
        reads.pop(key, None)
    try:
        cache.delete(key)
    except Exception:
        log.warning("could not drop an entry from the cache", exc_info=True)


def forget_local() -> None:
    """Drop this worker's copies and this request's reads (tests use it to simulate another worker)."""
    _extension().recent.clear()
    reads = _request_reads()
    if reads is not None:
        reads.clear()


def store_problem() -> str | None:
    """What is wrong with the data store right now, in words for the user (Redis or the broker not
    answering, the cache disk full), or None when it answers and has room."""
    try:
        cache.set("health:probe", "ok", timeout=60)
        answering = cache.get("health:probe") == "ok"
    except Exception:
        answering = False
    if disk_nearly_full():
        return DISK_FULL_MESSAGE
    return None if answering else str(StoreUnavailable())


def disk_nearly_full() -> bool:
    """Whether the file cache's disk has (almost) no room left."""
    current = settings()
    if current.redis_url:
        return False
    try:
        return shutil.disk_usage(current.cache_dir / "data").free < 16 * 1024 * 1024
    except OSError:
        return False
