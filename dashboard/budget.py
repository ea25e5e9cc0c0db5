"""A file cache that evicts by disk budget, never by entry count.

flask-caching's ``FileSystemCache`` keeps at most ``CACHE_THRESHOLD`` entries: 5,100 tiny anonymous
uploads pushed every other user's data out long before its promised retention, and past the threshold
every write listed and counted the whole folder (5,100 uploads took 374 s). Here the limit is bytes on
disk (``CACHE_MAX_MB``): tiny entries cost nothing, and the folder is measured at most once per
:data:`RESCAN_SECONDS` or after a twentieth of the budget was written, never on every write. When the
folder is over its budget, expired entries go first, then the oldest written, until it is at 90% of it.

Retention therefore is: an entry stays ``CACHE_TIMEOUT`` seconds after it was written, unless the folder
reaches ``CACHE_MAX_MB``; the per-client upload rate limit (``UPLOAD_RATE_LIMIT``) bounds how fast one
client can bring that about.
"""

from __future__ import annotations

import logging
import os
import struct
import threading
import time
from typing import Any

from flask import Flask
from flask_caching.backends.filesystemcache import FileSystemCache

__all__ = ["BudgetFileSystemCache", "RESCAN_SECONDS"]

log = logging.getLogger(__name__)
#: The longest time between two measurements of the folder while entries are written.
RESCAN_SECONDS = 30.0
#: After eviction the folder holds at most this share of its budget (so the next write does not evict again).
_LOW_WATER = 0.9


class BudgetFileSystemCache(FileSystemCache):
    """``FileSystemCache`` without an entry threshold, evicting by the folder's size (``budget_bytes``)."""

    def __init__(self, cache_dir: str, budget_bytes: int, default_timeout: int = 300, **kwargs: Any) -> None:
        super().__init__(cache_dir, threshold=0, default_timeout=default_timeout, **kwargs)
        self.budget_bytes = budget_bytes
        self._written = 0
        self._measured_at = 0.0
        self._lock = threading.Lock()

    @classmethod
    def factory(cls, app: Flask, config: dict[str, Any], args: list[Any],
                kwargs: dict[str, Any]) -> "BudgetFileSystemCache":
        """flask-caching's entry point (``CACHE_TYPE`` names this class; ``CACHE_BUDGET_BYTES`` its budget)."""
        return cls(config["CACHE_DIR"], budget_bytes=int(config["CACHE_BUDGET_BYTES"]),
                   default_timeout=config["CACHE_DEFAULT_TIMEOUT"], hash_method=config["CACHE_FILE_HASH_METHOD"])

    def set(self, key: str, value: Any, timeout: Any = None, mgmt_element: bool = False) -> bool:
        ok = super().set(key, value, timeout, mgmt_element)
        if ok and not mgmt_element:
            try:
                size = os.stat(self._get_filename(key)).st_size
            except OSError:
                size = 0
            with self._lock:
                self._written += size
                due = (self._written > self.budget_bytes / 20
                       or time.monotonic() - self._measured_at > RESCAN_SECONDS)
            if due:
                self.enforce_budget()
        return ok

    def enforce_budget(self) -> int:
        """Measure the folder and evict (expired first, then oldest written) down to 90% of the budget when
        it is over; returns the bytes the folder holds afterwards."""
        with self._lock:
            self._written = 0
            self._measured_at = time.monotonic()
        entries = []
        total = 0
        for entry in os.scandir(self._path):
            if not entry.is_file() or self._is_mgmt(entry.name) or entry.name.endswith(self._fs_transaction_suffix):
                continue
            try:
                stat = entry.stat()
            except OSError:
                continue
            entries.append((entry.path, stat.st_size, stat.st_mtime))
            total += stat.st_size
        if total <= self.budget_bytes:
            return total
        now = time.time()
        expired = [e for e in entries if 0 < _expiry(e[0]) <= now]
        gone = {e[0] for e in expired}
        rest = sorted((e for e in entries if e[0] not in gone), key=lambda e: e[2])
        target = self.budget_bytes * _LOW_WATER
        evicted = 0
        for path, size, _ in expired + rest:
            if total <= target and evicted >= len(expired):
                break
            try:
                os.remove(path)
            except OSError:
                continue
            total -= size
            evicted += 1
        log.warning("cache folder over its %d MB budget: %d entries removed (expired first, then oldest)",
                    self.budget_bytes // 1024 ** 2, evicted)
        return total


def _expiry(path: str) -> float:
    """The expiry time cachelib writes at the start of each entry (0: never), or 0 if unreadable."""
    try:
        with open(path, "rb") as file:
            return float(struct.unpack("I", file.read(4))[0])
    except (OSError, struct.error):
        return 0.0
