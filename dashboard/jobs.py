"""A time limit for background jobs (``JOB_TIMEOUT``).

Background callbacks run in a job process's main thread (DiskcacheManager) or a Celery worker's, so
a SIGALRM timer can interrupt even a long scikit-learn call. Elsewhere (a thread) the limit is not
enforced and the job simply runs.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

from core import SegmentsError

__all__ = ["JobTimeout", "time_limit"]


class JobTimeout(SegmentsError):
    """A background job ran past its time limit."""

    def __init__(self, seconds: int) -> None:
        super().__init__(f"This took longer than the {seconds}-second limit of this server and was stopped. "
                         "Choose fewer columns or segments, or ask your administrator to raise JOB_TIMEOUT.")


@contextmanager
def time_limit(seconds: int) -> Iterator[None]:
    """Raise :class:`JobTimeout` in the block after ``seconds`` (main thread only)."""
    if seconds <= 0 or threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(_signum: int, _frame: FrameType | None) -> None:
        raise JobTimeout(seconds)

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
