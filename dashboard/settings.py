"""Settings read from the environment (documented in the README's "Configuration" section)."""

from __future__ import annotations

import math
import os
import secrets
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Settings", "database_url"]


def database_url(given: str, data_dir: Path) -> str:
    """The SQLAlchemy URL of the saved library: ``given`` with PostgreSQL through psycopg 3, or SQLite in
    ``data_dir`` when nothing is given."""
    given = given.strip()
    if not given:
        return f"sqlite:///{data_dir / 'library.sqlite3'}"
    for prefix in ("postgres://", "postgresql://"):
        if given.startswith(prefix):
            return "postgresql+psycopg://" + given[len(prefix):]
    if not given.startswith(("postgresql+psycopg://", "sqlite:")):
        raise SystemExit("error: DATABASE_URL must be a PostgreSQL URL (postgresql://user:password@host/database) "
                         "or a sqlite: URL")
    return given


def _int(name: str, default: int, minimum: int | None = None) -> int:
    raw = os.environ.get(name, "").strip()
    try:
        value: int | None = int(raw) if raw else default
    except ValueError:
        value = None
    if value is None or (minimum is not None and value < minimum):
        kind = "a whole number" if minimum is None else f"a whole number of {minimum} or more"
        raise SystemExit(f"error: the environment variable {name} must be {kind}, not {raw!r}")
    return value


def _flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in {"1", "true", "yes", "on"}


def _share(name: str, default: float) -> float:
    raw = os.environ.get(name, "").strip()
    try:
        share = float(raw) if raw else default
    except ValueError:
        share = math.nan  # fails the range check below, with the same message
    if not 0 < share <= 1:
        raise SystemExit(f"error: the environment variable {name} must be a number above 0 and at most 1, "
                         f"not {raw!r}")
    return share


def _half_the_free_disk(folder: Path) -> int:
    """Half the free space (MB, at least 256) of the disk ``folder`` is (or will be) on."""
    existing = folder
    while not existing.exists() and existing.parent != existing:
        existing = existing.parent
    try:
        free = shutil.disk_usage(existing).free
    except OSError:
        return 1024
    return max(256, free // 2 // (1024 * 1024))


@dataclass(frozen=True)
class Settings:
    """Everything a deployment can change.

    Attributes
    ----------
    secret_key : str
        ``SECRET_KEY``: signs sessions and background-job handles; every worker must share it. When it
        is unset a random key is made (fine for one process; gunicorn.conf.py makes one for all workers).
    redis_url : str | None
        ``REDIS_URL``: when set, the cache and background jobs use Redis (several hosts).
    cache_dir : Path
        ``CACHE_DIR``: where FileSystemCache keeps datasets and models when Redis is not used.
    cache_timeout : int
        ``CACHE_TIMEOUT`` seconds an uploaded dataset and its results stay on the server (default 24 h),
        unless the cache folder reaches ``CACHE_MAX_MB`` (then expired entries go first, then the oldest).
    cache_max_mb : int
        ``CACHE_MAX_MB``: the disk budget of the cache folder (default: half the free space of its disk
        when the server starts, at least 256 MB). Ignored with Redis, whose ``maxmemory`` rules apply.
    max_upload_mb : int
        ``MAX_UPLOAD_MB``: the largest file accepted, checked in the browser and on the server.
    max_rows, max_columns : int
        ``MAX_ROWS``, ``MAX_COLUMNS``: the largest table accepted.
    max_cells : int
        ``MAX_CELLS`` (default 5,000,000): the most cells (rows x columns) an Excel workbook may have. A
        workbook is zipped XML, so a tiny file can unpack to a huge table: its declared size and its cells
        are counted before it is parsed, and one beyond the limit is refused in seconds.
    max_callback_mb : int
        ``MAX_CALLBACK_MB`` (default 8): the largest request body a Dash callback accepts (a model bundle,
        at most 2 MB, travels base64-encoded in one); a larger one is refused with 413 before it is read.
        Other addresses but the upload accept 1 MB.
    upload_memory_share : float
        ``UPLOAD_MEMORY_SHARE``: the share (above 0, at most 1; default 0.5) of the server's available
        memory one upload may need; a larger file is refused with a message before it is read.
    local_cache_mb : int
        ``LOCAL_CACHE_MB`` (default 1024): about how much memory each worker process may spend keeping
        copies of the most recently used datasets and results, so a request does not unpickle them
        again; the oldest go first, but the two most recent always stay (a page uses a dataset and its
        segmentation together), so a worker that just served a larger pair holds it whole.
    job_timeout : int
        ``JOB_TIMEOUT`` seconds a background job (sweep, fit) may run.
    password : str | None
        ``DASHBOARD_PASSWORD``: when set, every page, callback and download asks for it.
    session_hours : int
        ``SESSION_HOURS`` (default 12): how long a sign-in lasts (``POST /logout`` ends it sooner).
    session_cookie_secure : bool
        ``SESSION_COOKIE_SECURE=1``: send the session cookie over HTTPS only (HTTPS deployments).
    hsts_seconds : int
        ``HSTS_SECONDS`` (default 0: off): add ``Strict-Transport-Security: max-age=N`` (HTTPS only).
    proxy_hops : int
        ``PROXY_HOPS`` (default 0): how many reverse proxies stand in front of the server; their
        ``X-Forwarded-For``/``-Proto`` are then trusted for the client's address (rate limits, logs).
    upload_rate_limit : int
        ``UPLOAD_RATE_LIMIT`` (default 60; 0 = none): uploads one client may make per hour.
    debug : bool
        ``DASH_DEBUG=1`` turns on Dash's debug mode (never in production).
    data_dir : Path
        ``DATA_DIR`` (default ``./instance``, beside where the server starts): the folder of the saved
        library's SQLite database when ``DATABASE_URL`` is unset.
    database_url : str
        ``DATABASE_URL``: the saved library's database. Unset: SQLite in ``DATA_DIR/library.sqlite3``
        (one host). ``postgresql://user:password@host/db`` (or Heroku's ``postgres://``): PostgreSQL
        through psycopg 3, shared by several hosts.
    background : str
        ``BACKGROUND_JOBS``: ``local`` (default: job processes forked by the web workers, results in
        ``CACHE_DIR/jobs``; one host) or ``celery`` (Celery workers over ``REDIS_URL``; several hosts).
    """

    secret_key: str
    redis_url: str | None
    cache_dir: Path
    cache_timeout: int
    cache_max_mb: int
    max_upload_mb: int
    max_rows: int
    max_columns: int
    max_cells: int
    max_callback_mb: int
    upload_memory_share: float
    local_cache_mb: int
    job_timeout: int
    password: str | None
    debug: bool
    session_hours: int = 12
    session_cookie_secure: bool = False
    hsts_seconds: int = 0
    proxy_hops: int = 0
    upload_rate_limit: int = 60
    background: str = "local"
    data_dir: Path = Path("instance")
    database_url: str = ""

    @property
    def max_upload_bytes(self) -> int:
        """The upload limit in bytes."""
        return self.max_upload_mb * 1024 * 1024

    @property
    def cache_max_bytes(self) -> int:
        """The cache folder's disk budget in bytes."""
        return self.cache_max_mb * 1024 * 1024

    @property
    def max_callback_bytes(self) -> int:
        """The callback body limit in bytes."""
        return self.max_callback_mb * 1024 * 1024

    @property
    def local_cache_bytes(self) -> int:
        """The per-process budget for recently used entries, in bytes."""
        return self.local_cache_mb * 1024 * 1024

    @classmethod
    def from_env(cls, **overrides: object) -> "Settings":
        """Read the environment; keyword arguments override single values (tests use this)."""
        base = Path(os.environ.get("CACHE_DIR") or Path(tempfile.gettempdir()) / "customer-segments-cache")
        values: dict[str, object] = dict(
            secret_key=os.environ.get("SECRET_KEY") or secrets.token_hex(32),
            redis_url=os.environ.get("REDIS_URL") or None,
            cache_dir=base,
            cache_timeout=_int("CACHE_TIMEOUT", 24 * 3600),
            cache_max_mb=_int("CACHE_MAX_MB", _half_the_free_disk(base), minimum=1),
            max_upload_mb=_int("MAX_UPLOAD_MB", 200),
            max_rows=_int("MAX_ROWS", 2_000_000),
            max_columns=_int("MAX_COLUMNS", 500),
            max_cells=_int("MAX_CELLS", 5_000_000, minimum=1),
            max_callback_mb=_int("MAX_CALLBACK_MB", 8, minimum=1),
            upload_memory_share=_share("UPLOAD_MEMORY_SHARE", 0.5),
            local_cache_mb=_int("LOCAL_CACHE_MB", 1024, minimum=0),
            job_timeout=_int("JOB_TIMEOUT", 600),
            password=os.environ.get("DASHBOARD_PASSWORD") or None,
            debug=_flag("DASH_DEBUG"),
            session_hours=_int("SESSION_HOURS", 12, minimum=1),
            session_cookie_secure=_flag("SESSION_COOKIE_SECURE"),
            hsts_seconds=_int("HSTS_SECONDS", 0, minimum=0),
            proxy_hops=_int("PROXY_HOPS", 0, minimum=0),
            upload_rate_limit=_int("UPLOAD_RATE_LIMIT", 60, minimum=0),
            background=os.environ.get("BACKGROUND_JOBS", "local").strip().lower() or "local",
        )
        values.update(overrides)
        data_dir = Path(values.get("data_dir") or os.environ.get("DATA_DIR") or "instance").resolve()  # type: ignore[arg-type]
        values["data_dir"] = data_dir
        values["database_url"] = database_url(str(values.get("database_url") or os.environ.get("DATABASE_URL") or ""),
                                              data_dir)
        if values["background"] not in ("local", "celery"):
            raise SystemExit("error: BACKGROUND_JOBS must be 'local' or 'celery'")
        if values["background"] == "celery" and not values["redis_url"]:
            raise SystemExit("error: BACKGROUND_JOBS=celery needs REDIS_URL (the Celery broker and result store)")
        return cls(**values)  # type: ignore[arg-type]
