"""Helpers the test suites share: free ports, a real gunicorn server, a real redis-server.

Everything binds to 127.0.0.1 on a free port and is stopped by the fixture that started it.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent


def id_selector(component_id: dict[str, object]) -> str:
    """The CSS selector of a pattern-matching component (Dash writes a dict id as sorted, compact JSON)."""
    return "[id='" + json.dumps(component_id, sort_keys=True, separators=(",", ":")) + "']"


def encode_uri_component(text: str) -> str:
    """JavaScript's ``encodeURIComponent``: UTF-8 percent-encoding of all but ``A-Z a-z 0-9 - _ . ! ~ * ' ( )``."""
    return quote(text, safe="!~*'()")


def free_port() -> int:
    """A TCP port nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_http(url: str, timeout: float = 30.0, process: subprocess.Popen | None = None) -> None:
    """Poll ``url`` until it answers 200 (fail early if ``process`` died)."""
    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"server exited with status {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except Exception as exc:  # not up yet
            last = exc
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {timeout}s: {last}")


@dataclass
class Server:
    """A running gunicorn serving the app."""

    url: str
    process: subprocess.Popen
    cache_dir: Path
    log_path: Path

    def log(self) -> str:
        """What the server wrote so far."""
        return self.log_path.read_text(encoding="utf-8", errors="replace")


@contextmanager
def gunicorn_server(tmp: Path, workers: int = 2, env: dict[str, str] | None = None) -> Iterator[Server]:
    """Run ``gunicorn app:server`` from the project root with ``workers`` workers on a free port."""
    port = free_port()
    cache_dir = tmp / "cache"
    cache_dir.mkdir(parents=True, exist_ok=True)
    log_path = tmp / "gunicorn.log"
    environment = {
        **os.environ,
        "PORT": str(port),
        "HOST": "127.0.0.1",
        "WEB_CONCURRENCY": str(workers),
        "SECRET_KEY": secrets.token_hex(16),
        "CACHE_DIR": str(cache_dir),
        # A private control socket: the default ($HOME/.gunicorn/gunicorn.ctl) is shared by every gunicorn
        # of the user, so another run's `gunicornc` command could reach (and stop) this one.
        "GUNICORN_CMD_ARGS": f"--control-socket {tmp / 'gunicorn.ctl'}",
        **(env or {}),
    }
    gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent)) or "gunicorn"
    with open(log_path, "wb") as log:
        process = subprocess.Popen([gunicorn, "app:server", "-c", "gunicorn.conf.py"], cwd=ROOT, env=environment,
                                   stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for_http(url + "/health", 180, process)  # ends as soon as it answers; a busy machine is slow
        yield Server(url, process, cache_dir, log_path)
    finally:
        stop(process)


def stop(process: subprocess.Popen, timeout: float = 10.0) -> None:
    """Stop a process group politely, then firmly."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.wait(5)


@dataclass
class Redis:
    """A running private redis-server."""

    url: str
    port: int
    process: subprocess.Popen
    directory: Path


def start_redis(tmp: Path, port: int | None = None) -> Redis:
    """Start ``redis-server`` on 127.0.0.1 (no persistence) and wait until it answers PING."""
    executable = shutil.which("redis-server")
    if executable is None:
        raise RuntimeError("redis-server is not installed (apt-get install redis-server)")
    port = port or free_port()
    tmp.mkdir(parents=True, exist_ok=True)
    process = subprocess.Popen([executable, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(tmp),
                                "--save", "", "--appendonly", "no"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
                sock.sendall(b"PING\r\n")
                if sock.recv(16).startswith(b"+PONG"):
                    return Redis(f"redis://127.0.0.1:{port}/0", port, process, tmp)
        except OSError:
            time.sleep(0.1)
    stop(process)
    raise RuntimeError("redis-server did not start")


@dataclass
class Postgres:
    """A running private PostgreSQL server (trust authentication, 127.0.0.1 only)."""

    url: str  # postgresql://segments@127.0.0.1:<port>/segments
    port: int
    process: subprocess.Popen
    directory: Path

    def stop(self) -> None:
        """Fast shutdown (SIGINT: open sessions are ended), then remove its folder."""
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGINT)
                self.process.wait(30)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                stop(self.process)
        shutil.rmtree(self.directory, ignore_errors=True)


def postgres_bin() -> Path:
    """The folder of Debian's PostgreSQL server programs (the newest version installed)."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/postgres"), key=lambda p: int(p.parent.parent.name))
    if not found:
        raise RuntimeError("PostgreSQL is not installed (apt-get install postgresql)")
    return found[-1].parent


def start_postgres() -> Postgres:
    """initdb a new cluster in a private temporary folder and start ``postgres`` on a free port.

    PostgreSQL refuses to run as root: as root the cluster belongs to the ``postgres`` user (or ``nobody``)
    and the programs run through ``runuser``.
    """
    import pwd
    import tempfile

    binaries = postgres_bin()
    directory = Path(tempfile.mkdtemp(prefix="segments-pg-"))
    as_user: list[str] = []
    if os.geteuid() == 0:
        try:
            account = pwd.getpwnam("postgres")
        except KeyError:
            account = pwd.getpwnam("nobody")
        os.chown(directory, account.pw_uid, account.pw_gid)
        as_user = ["runuser", "-u", account.pw_name, "--"]
    data = directory / "data"
    subprocess.run([*as_user, str(binaries / "initdb"), "-D", str(data), "-U", "segments", "--auth=trust",
                    "-E", "UTF8", "--no-sync", "--no-instructions"], check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.PIPE)
    port = free_port()
    log = open(directory / "postgres.log", "wb")  # noqa: SIM115 (kept open for the server's life)
    process = subprocess.Popen([*as_user, str(binaries / "postgres"), "-D", str(data), "-p", str(port),
                                "-h", "127.0.0.1", "-k", str(directory), "-c", "fsync=off",
                                "-c", "max_connections=60"],
                               stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    import psycopg

    deadline = time.monotonic() + 60
    while True:
        try:
            with psycopg.connect(f"host=127.0.0.1 port={port} user=segments dbname=postgres", autocommit=True,
                                 connect_timeout=2) as connection:
                connection.execute("CREATE DATABASE segments")
            break
        except psycopg.OperationalError:
            if process.poll() is not None or time.monotonic() > deadline:
                stop(process)
                raise RuntimeError("postgres did not start: "
                                   + (directory / "postgres.log").read_text(errors="replace")[-2000:])
            time.sleep(0.2)
    return Postgres(f"postgresql://segments@127.0.0.1:{port}/segments", port, process, directory)


@dataclass
class CeleryStack:
    """A private redis-server and a Celery worker on it, and the environment the web tier needs to use them."""

    redis: "Redis"
    worker: subprocess.Popen
    log: Path
    env: dict[str, str]


@contextmanager
def celery_stack(tmp: Path, secret_key: str) -> Iterator[CeleryStack]:
    """Start redis-server and one Celery worker (``BACKGROUND_JOBS=celery``); stop both at the end.

    Waits until the worker says it is ready (a condition, not a pause: generous for a busy machine).
    """
    redis_server = start_redis(tmp / "redis")
    env = {"REDIS_URL": redis_server.url, "BACKGROUND_JOBS": "celery", "SECRET_KEY": secret_key,
           "CACHE_DIR": str(tmp / "worker-cache")}
    celery = shutil.which("celery", path=str(Path(sys.executable).parent)) or "celery"
    log_path = tmp / "celery.log"
    with open(log_path, "wb") as log:
        worker = subprocess.Popen([celery, "-A", "app:celery_app", "worker", "--concurrency=1", "--loglevel=INFO",
                                   "--without-mingle", "--without-gossip"], cwd=ROOT, env={**os.environ, **env},
                                  stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 180
        while b"ready." not in log_path.read_bytes():
            assert worker.poll() is None and time.monotonic() < deadline, log_path.read_text()
            time.sleep(0.3)
        yield CeleryStack(redis_server, worker, log_path, env)
    finally:
        stop(worker)
        stop(redis_server.process)
