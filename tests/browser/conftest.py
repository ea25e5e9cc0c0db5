"""Fixtures of the real-browser suite: headless Debian Chromium (pytest-playwright) against gunicorn.

* One gunicorn with 2 workers serves every test of the session (``app_server``, also the ``base_url``,
  so ``page.goto("/upload")`` works); a second one with ``MAX_UPLOAD_MB=1`` serves the size-limit
  test (``small_upload_server``). Both boot at once, and only when a selected test needs them.
* Every browser context is a fresh profile. Each page in it is watched: a console message of type
  ``error``, an uncaught page error or a 5xx answer from the app fails the test at teardown
  (``browser_errors``). Tests that provoke an expected error say so with ``browser_errors.allow``.
* Chromium is ``$CHROMIUM`` or ``/usr/bin/chromium`` (never a downloaded browser). Without it the
  tests are skipped on a developer machine, and fail loudly when ``CI`` is set.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psutil
import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.support import Server, gunicorn_server

from .watch import JOB_TIMEOUT_MS, BrowserErrors

# Playwright's assertions wait 5 s by default, apart from the context's timeout for actions: on a busy
# machine a page can take longer than that to show what a test expects. Every assertion waits as long as
# an action; one that must hold at once says so with its own timeout.
expect.set_options(timeout=JOB_TIMEOUT_MS)

#: Launch flags for a quiet, self-contained headless Chromium.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage"]
#: gunicorn workers of the test servers (as in production; the threads per worker are set in ``_serve``).
WORKERS = 2


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test in this folder is a browser test, even one that forgot the marker."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.browser)


# --- the browser -------------------------------------------------------------------------------


def chromium_executable() -> str | None:
    """The Chromium to drive: ``$CHROMIUM`` (a path or a command name) or ``/usr/bin/chromium``."""
    wanted = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    return shutil.which(wanted)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """pytest-playwright's launch options, pointed at the system Chromium, headless."""
    executable = chromium_executable()
    if executable is None:
        message = (f"Chromium not found at {os.environ.get('CHROMIUM', '/usr/bin/chromium')!r}: install it "
                   "(apt-get install chromium) or set CHROMIUM to its path.")
        if os.environ.get("CI"):
            pytest.fail(f"browser tests cannot run in CI: {message}", pytrace=False)
        pytest.skip(message)
    return {**browser_type_launch_args, "executable_path": executable, "headless": True, "args": CHROMIUM_ARGS}


# --- the servers -------------------------------------------------------------------------------


_SERVERS: list[Server] = []
_NEEDS_SMALL_SERVER = pytest.StashKey[bool]()
_SMALL_SERVER_ENV = {"MAX_UPLOAD_MB": "1"}


@contextlib.contextmanager
def _serve(tmp: Path, env: dict[str, str] | None = None) -> Iterator[Server]:
    with gunicorn_server(tmp, workers=WORKERS, env=env) as server:
        _SERVERS.append(server)
        try:
            yield server
        finally:
            _SERVERS.remove(server)


class BootingServer:
    """A test server booting in a background thread (so the suite's two servers boot at once)."""

    def __init__(self, tmp: Path, env: dict[str, str] | None = None) -> None:
        self._context = _serve(tmp, env)
        self._server: Server | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._boot, name=f"boot {tmp.name}", daemon=True)
        self._thread.start()

    def _boot(self) -> None:
        try:
            self._server = self._context.__enter__()
        except BaseException as exc:  # handed to the test that asks for the server
            self._error = exc

    def get(self) -> Server:
        self._thread.join()
        if self._error is not None:
            raise self._error
        assert self._server is not None
        return self._server

    def close(self) -> None:
        self._thread.join()
        if self._server is not None:
            _end_background_jobs(self._server)
            self._context.__exit__(None, None, None)


def _end_background_jobs(server: Server) -> None:
    """Kill the Dash background jobs still running (processes forked by the workers), by pid.

    A job inherits its worker's Python SIGTERM handler, so gunicorn's graceful stop would wait for
    every running k sweep to finish (an app issue, reported); the suite does not wait for that.
    """
    try:
        workers = psutil.Process(server.process.pid).children()
    except psutil.NoSuchProcess:
        return
    for worker in workers:
        with contextlib.suppress(psutil.NoSuchProcess):
            for job in worker.children(recursive=True):
                with contextlib.suppress(psutil.NoSuchProcess):
                    job.kill()


def pytest_collection_finish(session: pytest.Session) -> None:
    """Remember whether any selected test needs the small-limit server, to boot it with the main one."""
    session.config.stash[_NEEDS_SMALL_SERVER] = any(
        "small_upload_server" in getattr(item, "fixturenames", ()) for item in session.items)


@pytest.fixture(scope="session")
def _servers(tmp_path_factory: pytest.TempPathFactory,
             pytestconfig: pytest.Config) -> Iterator[dict[str, BootingServer]]:
    servers = {"app": BootingServer(tmp_path_factory.mktemp("browser-server"))}
    if pytestconfig.stash.get(_NEEDS_SMALL_SERVER, False):
        servers["small"] = BootingServer(tmp_path_factory.mktemp("browser-small-server"), _SMALL_SERVER_ENV)
    try:
        yield servers
    finally:
        for server in servers.values():
            server.close()


@pytest.fixture(scope="session")
def app_server(_servers: dict[str, BootingServer]) -> Server:
    """The app under gunicorn with 2 workers, shared by the whole browser suite."""
    return _servers["app"].get()


@pytest.fixture(scope="session")
def small_upload_server(_servers: dict[str, BootingServer], tmp_path_factory: pytest.TempPathFactory) -> Server:
    """The app with a 1 MB upload limit (for the size-limit message)."""
    if "small" not in _servers:
        _servers["small"] = BootingServer(tmp_path_factory.mktemp("browser-small-server"), _SMALL_SERVER_ENV)
    return _servers["small"].get()


@pytest.fixture(scope="session")
def base_url(app_server: Server) -> str:
    """Relative ``page.goto`` addresses go to the shared server."""
    return app_server.url


# --- console and page errors -------------------------------------------------------------------


@pytest.fixture
def browser_errors() -> Iterator[BrowserErrors]:
    """Collects errors from every page of the test's contexts; fails the test if there were any."""
    errors = BrowserErrors()
    yield errors
    errors.check()


@pytest.fixture
def new_context(new_context: Callable[..., BrowserContext],
                browser_errors: BrowserErrors) -> Callable[..., BrowserContext]:
    """pytest-playwright's context factory, with every context's pages watched for errors."""

    def make(**kwargs: Any) -> BrowserContext:
        return browser_errors.watch_context(new_context(**kwargs))

    return make


@pytest.fixture
def page(page: Page, browser_errors: BrowserErrors) -> Page:
    """pytest-playwright's page, watched for errors."""
    return browser_errors.watch(page)


# --- a failing test shows the end of the server's log ---------------------------------------------


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()
    if report.failed:
        for server in _SERVERS:
            status = server.process.poll()
            state = "running" if status is None else f"EXITED with status {status} (stopped from outside?)"
            report.sections.append((f"gunicorn {server.url}, {state}: last lines of its log",
                                    "\n".join(server.log().splitlines()[-40:])))
