"""Background jobs: the local job manager and a time limit (``JOB_TIMEOUT``).

Background callbacks run in a job process's main thread (:class:`JobManager`, one process forked from the
web worker per job) or a Celery worker's, so a SIGALRM timer can interrupt even a long scikit-learn call.
Elsewhere (a thread) the limit is not enforced and the job simply runs.
"""

from __future__ import annotations

import logging
import os
import secrets
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

import psutil
from dash import CeleryManager, DiskcacheManager

from core import SegmentsError

__all__ = ["CeleryJobManager", "JobManager", "JobTimeout", "time_limit"]

log = logging.getLogger(__name__)


def _own_job(pid: int) -> psutil.Process | None:
    """The process ``pid`` if it is one of this server's jobs (a fork of a web worker: the same command line
    as this process), else None: gone, or the number now belongs to another program (process numbers are
    reused once freed, after 32,768 of them on many systems)."""
    try:
        process = psutil.Process(pid)
        return process if process.cmdline() == psutil.Process().cmdline() else None
    except psutil.Error:  # gone, a zombie, or a command line we may not read: not ours to touch
        return None


def _how_it_ended(pid: int) -> str:
    """How a job process ended, when this process is its parent (it can then reap it and tell), else ""."""
    try:
        ended, status = os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:  # another worker's job, or already reaped
        return ""
    if not ended:
        return ""
    if os.WIFSIGNALED(status):
        return f": killed by signal {os.WTERMSIG(status)} ({signal.Signals(os.WTERMSIG(status)).name})"
    return f": exit status {os.WEXITSTATUS(status)}" if os.WIFEXITED(status) else ""


class _OwnResults:
    """Each job's result under a key of its own, and looked for once more when the job has just ended
    (:meth:`get_result`).

    Dash keys a job's result by its callback's inputs, and the first reader deletes it. A callback started
    twice with the same inputs (a page drawn again re-sends its stores) then had two jobs on one key: the
    page's first, outdated request collected the result and deleted it, and the current one found neither
    a result nor a running job. Dash takes that as a cancelled job and drops it: the page's job "was not
    finished" although it was. (Found while tracing the k sweep's CI failures, whose own cause is the race
    :meth:`get_result` closes.)
    """

    def build_cache_key(self, fn: Any, args: Any, cache_args_to_ignore: Any, triggered: Any) -> str:
        key = super().build_cache_key(fn, args, cache_args_to_ignore, triggered)  # type: ignore[misc]
        return f"{key}-{secrets.token_hex(8)}"

    def get_result(self, key: Any, job: Any) -> Any:
        """The job's answer; looked for once more when there was none and the job is no longer running.

        Dash asks for the answer, then whether the job still runs, and takes "no answer, not running" for a
        cancelled job: the page's callback gets nothing ("not finished"). A job that wrote its answer and
        ended between those two questions was taken for cancelled, its answer left unread. The cause of the
        CI failures of sessions 13-15 ("a background job ended without an answer: exit status 0", the k sweep
        and the fit "not finished"). Once the job has ended its answer, if any, is written, so a second look
        is certain to find it."""
        result = super().get_result(key, job)  # type: ignore[misc]
        if result is self.UNDEFINED and job and not self.job_running(job):  # type: ignore[attr-defined]
            result = super().get_result(key, job)  # type: ignore[misc]
        return result


class CeleryJobManager(_OwnResults, CeleryManager):
    """Dash's Celery job manager, each job's result under a key of its own (:class:`_OwnResults`)."""


class JobManager(_OwnResults, DiskcacheManager):
    """Dash's local job manager (one process per job), made safe and quick to stop a job:

    * each job's result has a key of its own (:class:`_OwnResults`);
    * only this server's own job processes are stopped or counted as running: a job's number reused by
      another program after the job ended is left alone (Dash would kill it and its children);
    * a job that has already ended (or ends while being stopped) needs no stopping: Dash's psutil error
      answered 500;
    * a job is waited for only by the worker that started it: another worker cannot reap it, and Dash
      waited a whole second for it there before answering, so half the jobs' answers came a second late;
    * a job that ended without an answer is logged with how it ended when its worker can tell, as a warning
      unless it was killed (SIGKILL: stopped by a page or Cancel, or by the system when memory ran out).
    """

    def terminate_job(self, job: Any) -> None:
        if job is None:
            return
        process = _own_job(int(job))
        if process is None:
            return
        try:
            for child in process.children(recursive=True):
                try:
                    child.kill()
                except psutil.NoSuchProcess:
                    pass
            process.kill()
            if process.ppid() == os.getpid():  # ours to reap (a zombie left to another worker goes at its next job)
                process.wait(1)
        except psutil.Error:  # it ended meanwhile (or is slow to: the next job of its worker reaps it)
            pass

    def job_running(self, job: Any) -> bool:
        process = _own_job(int(job)) if job else None
        try:
            return process is not None and process.status() != psutil.STATUS_ZOMBIE
        except psutil.Error:
            return False

    def get_result(self, key: Any, job: Any) -> Any:
        result = super().get_result(key, job)
        if result is self.UNDEFINED and job and not self.job_running(job):
            how = _how_it_ended(int(job))
            # (killed: a page replaced or cancelled it, as it may; else unknown or a crash, worth a look)
            log.log(logging.INFO if "SIGKILL" in how else logging.WARNING,
                    "A background job (process %s) ended without an answer%s", job, how)
        return result


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
