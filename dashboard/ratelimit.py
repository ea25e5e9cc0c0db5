"""Counting events per client in the shared cache, so every worker (and every host, with Redis) sees them.

Used for uploads (``UPLOAD_RATE_LIMIT`` per client per hour: one client cannot fill the cache and push
out other users' data) and for failed sign-ins (a back-off per client, and a limit over all clients).
A client is its address as the server sees it (``PROXY_HOPS`` makes that the address the proxy in front
saw). When the cache does not answer, nothing is limited: the store being down is reported elsewhere.
"""

from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import dataclass

from flask import request

from . import service

__all__ = ["RateLimit", "client_address"]

log = logging.getLogger(__name__)


def client_address() -> str:
    """The requesting client's address (after ProxyFix, when ``PROXY_HOPS`` is set)."""
    return request.remote_addr or "unknown"


@dataclass(frozen=True)
class RateLimit:
    """At most ``limit`` events per ``window`` seconds per key (0 = no limit)."""

    name: str
    limit: int
    window: float

    def _key(self, who: str) -> str:
        return f"rate:{self.name}:{hashlib.sha256(who.encode()).hexdigest()[:32]}"

    def _recent(self, who: str, now: float) -> list[float]:
        try:
            times = service.cache.get(self._key(who))
        except Exception:
            log.warning("rate limit %s: the cache did not answer", self.name, exc_info=True)
            return []
        return [t for t in times if now - t < self.window] if isinstance(times, list) else []

    def wait(self, who: str) -> float:
        """Seconds ``who`` must wait before the next event is allowed (0: allowed now)."""
        if self.limit <= 0:
            return 0.0
        now = time.time()
        times = self._recent(who, now)
        return 0.0 if len(times) < self.limit else max(1.0, times[-self.limit] + self.window - now)

    def backoff(self, who: str, longest: float) -> float:
        """Seconds ``who`` must wait under an exponential back-off: none for the first ``limit`` events in
        the window, then 1 s after the last one, doubling with each further event, at most ``longest``."""
        if self.limit <= 0:
            return 0.0
        now = time.time()
        times = self._recent(who, now)
        if len(times) < self.limit:
            return 0.0
        pause = min(2.0 ** (len(times) - self.limit), longest)
        return max(0.0, times[-1] + pause - now)

    def record(self, who: str) -> int:
        """Count one event of ``who``; returns how many it has in the window now."""
        if self.limit <= 0:
            return 0
        now = time.time()
        times = (self._recent(who, now) + [now])[-max(self.limit, 1) * 4:]
        try:
            service.cache.set(self._key(who), times, timeout=int(self.window) + 1)
        except Exception:
            log.warning("rate limit %s: the cache did not answer", self.name, exc_info=True)
        return len(times)

    def clear(self, who: str) -> None:
        """Forget ``who``'s events (a successful sign-in)."""
        try:
            service.cache.delete(self._key(who))
        except Exception:
            log.warning("rate limit %s: the cache did not answer", self.name, exc_info=True)
