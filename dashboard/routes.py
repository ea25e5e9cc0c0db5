"""Plain Flask routes beside Dash: the streaming upload, the CSV downloads and security headers.

* ``POST /api/upload``: the file, streamed, so a 100 MB file never sits in the browser as base64 (as
  ``dcc.Upload`` would need). The page sends it as the raw body (``Content-Type: application/octet-stream``,
  its name percent-encoded in ``X-File-Name``): no multipart form for the server to scan (0.5 s of pure
  Python at 345 MB). A multipart form with a ``file`` field (``curl -F file=@customers.csv``) works too and
  gives the same dataset: it is received into memory when it passes the memory check (it is read into
  memory next), else Werkzeug spools it to disk and it is refused from there. Answers JSON:
  ``{"token", "rows", "columns"}`` or ``{"error"}`` with a message for the user. A request whose ``Origin``
  is another site's (a page elsewhere posting into a signed-in user's session) is refused with 403 before
  its body is read; one without ``Origin`` (curl, scripts) is accepted.
* ``GET /download/clustered.csv?<view query>`` and ``/download/summary.csv?<view query>``: the
  clustered data set (every input row and column + ``cluster``) and the cluster summary, with
  spreadsheet formulas escaped.
"""

from __future__ import annotations

import errno
import io
import itertools
import logging
import os
import re
import shutil
import sqlite3
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO, Any
from pathlib import Path
from urllib.parse import unquote

import pandas as pd

from dash.exceptions import DependencyException
from flask import Flask, Request, Response, jsonify, request
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from core import DataError, Segmentation, SegmentsError, clustered_table, iter_csv, to_csv_bytes
from core.deliver import rounded_summary, segments_zip_bytes, share_columns, to_xlsx_bytes
from core.export import UTF8_BOM
from core.insight import Profile, for_export, summary_profile
from core.io import file_stem
from core.report import render_report

from . import library, service, snapshots
from .ratelimit import RateLimit, client_address
from .security import names_this_host
from .settings import Settings
from .state import ViewState

__all__ = ["register", "CALLBACK_PATH", "MAX_OTHER_BODY_BYTES", "FILE_NAME_HEADER", "RAW_UPLOAD_TYPE"]

log = logging.getLogger(__name__)
CALLBACK_PATH = "/_dash-update-component"
#: The largest body of any request but an upload or a callback (the login form, Dash's own small posts).
MAX_OTHER_BODY_BYTES = 1024 * 1024
#: Exceptions a callback raises when a crafted request gives it arguments of the wrong shape.
_MALFORMED = (TypeError, ValueError, KeyError, IndexError, AttributeError)


def _too_large(settings: Settings) -> tuple[Response, int]:
    return jsonify(error=f"The file is larger than the {settings.max_upload_mb} MB limit. "
                         "Upload a smaller export, or ask your administrator to raise MAX_UPLOAD_MB."), 413


#: Server memory one upload needs at its peak (read, data check, cache, segmentation, charts, download),
#: per byte of CSV file: measured by bench/benchmark.py (docs/performance.md, "Benchmark"), rounded up.
#: An .xlsx file is zipped (~4x smaller than the CSV) and read cell by cell: 4x more per byte.
MEMORY_PER_FILE_BYTE = 20
MEMORY_PER_XLSX_BYTE = 4 * MEMORY_PER_FILE_BYTE


#: Where the kernel shows the memory figures (tests point these at a folder of their own).
PROC_MEMINFO = Path("/proc/meminfo")
CGROUP_ROOT = Path("/sys/fs/cgroup")
#: cgroup v1 says "no limit" with a huge number (the largest page-aligned 64-bit value), not "max".
_CGROUP_V1_UNLIMITED = 1 << 60


def _cgroup_room() -> int | None:
    """Bytes the container may still allocate: cgroup v2 (``memory.max`` less ``memory.current``) or v1
    (``memory/memory.limit_in_bytes`` less ``memory.usage_in_bytes``); None without a limit."""
    for limit_file, usage_file in (("memory.max", "memory.current"),
                                   ("memory/memory.limit_in_bytes", "memory/memory.usage_in_bytes")):
        try:
            limit = (CGROUP_ROOT / limit_file).read_text().strip()
            if limit == "max" or int(limit) >= _CGROUP_V1_UNLIMITED:
                continue
            return max(0, int(limit) - int((CGROUP_ROOT / usage_file).read_text().strip()))
        except (OSError, ValueError):
            continue
    return None


def _available_memory() -> int | None:
    """Bytes of memory still available: Linux's MemAvailable, or less if a container limit (cgroup v2 or
    v1) is nearer; None where neither can be read (then uploads are not checked)."""
    try:
        found = re.search(r"^MemAvailable:\s+(\d+) kB", PROC_MEMINFO.read_text(), re.MULTILINE)
        available = int(found.group(1)) * 1024 if found else None
    except OSError:
        available = None
    room = _cgroup_room()
    if room is not None:
        available = room if available is None else min(available, room)
    return available


def _too_big_for_memory(size: int, xlsx: bool, share: float) -> str | None:
    """The message refusing a file whose processing would need more than ``share`` of the available
    memory, or None when it fits (or the memory cannot be read)."""
    available = _available_memory()
    needed = size * (MEMORY_PER_XLSX_BYTE if xlsx else MEMORY_PER_FILE_BYTE)
    if available is None or needed <= share * available:
        return None
    gb = 1024 ** 3
    return (f"This file ({size / 1024 ** 2:,.0f} MB) would need about {needed / gb:,.1f} GB of memory on the "
            f"server to segment, more than the {share:.0%} of the available {available / gb:,.1f} GB an upload "
            "may use. Upload fewer rows or columns (for example one region or a sample), or ask your "
            "administrator to add memory or raise UPLOAD_MEMORY_SHARE.")


def _unpacked_limit(max_upload_bytes: int, share: float) -> int:
    """The most a zipped or gzipped upload may unpack to: what an upload of its own may be (``MAX_UPLOAD_MB``),
    and no more than :func:`_too_big_for_memory` lets a file of that size be (the archive's own size said
    nothing of what it holds)."""
    available = _available_memory()
    if available is None:
        return max_upload_bytes
    return max(1, min(max_upload_bytes, int(share * available / MEMORY_PER_FILE_BYTE)))


class _UploadRequest(Request):
    """Flask's request, receiving an uploaded file into memory instead of a temporary file on disk when
    the file will be read into memory next anyway (its size passes :func:`_too_big_for_memory`): at 10^7
    rows (345 MB) writing the spool and reading it back cost 0.7 s of CPU. A file too large for the
    memory is still spooled to disk, and refused from there."""

    #: ``UPLOAD_MEMORY_SHARE`` (set on the subclass :func:`register` makes for its app).
    memory_share = 0.5

    def _get_file_stream(self, total_content_length: int | None, content_type: str | None,
                         filename: str | None = None, content_length: int | None = None) -> IO[bytes]:
        if (self.path == "/api/upload" and total_content_length is not None
                and _too_big_for_memory(total_content_length, False, self.memory_share) is None):
            return io.BytesIO()
        return super()._get_file_stream(total_content_length, content_type, filename, content_length)


def _uploaded_bytes(stream: IO[bytes]) -> bytes:
    """The whole uploaded file: a file received into memory without a copy (BytesIO.getvalue shares its
    buffer), one spooled to disk read back."""
    stream.seek(0)
    return stream.getvalue() if isinstance(stream, io.BytesIO) else stream.read()


#: The raw upload (assets/upload.js): the body is the file, of this type, its name in this header. Neither can
#: be sent by another site's form (a "simple" request): a browser asks first (CORS preflight) and is refused.
RAW_UPLOAD_TYPE = "application/octet-stream"
FILE_NAME_HEADER = "X-File-Name"
_NO_FILE = "No file was received. Choose a CSV or Excel file and try again."
_BAD_NAME = (f"The file's name in {FILE_NAME_HEADER} could not be read: send it percent-encoded UTF-8 (as "
             "JavaScript's encodeURIComponent writes it), without control characters.")
_PERCENT_ENCODED = re.compile(r"(?:[^%]|%[0-9A-Fa-f]{2})*")


def _base_name(name: str) -> str:
    """The file's own name: any folders before it (``C:\\Users\\ann\\x.csv``, ``../x.csv``: some clients send
    a path) left out. Shown only as text, and only made part of a download's name after
    :func:`_download_name` keeps safe characters."""
    return re.split(r"[/\\]", name)[-1].strip()


def _header_file_name(value: str) -> str:
    """The name in the ``X-File-Name`` header, decoded strictly: ASCII, every ``%`` followed by two hex digits,
    UTF-8 underneath, no control characters; raises ValueError otherwise."""
    if not value.isascii() or not _PERCENT_ENCODED.fullmatch(value):
        raise ValueError(value)
    name = unquote(value, errors="strict")  # UnicodeDecodeError is a ValueError
    if any(unicodedata.category(char) == "Cc" for char in name):
        raise ValueError(value)
    return _base_name(name)


_FOREIGN_ORIGIN = "Uploads are accepted only from this site's own pages."


def _foreign_origin() -> str | None:
    """The request's ``Origin`` when it does not name this server's host and port
    (:func:`dashboard.security.names_this_host`, as the sign-in form's check), else None. A browser sends
    ``Origin`` with every cross-site POST, so a page of another site cannot post a file into a signed-in
    user's session (the SameSite=Lax cookie alone was the guard); a request without one (curl, a script)
    is not a browser being tricked."""
    origin = request.headers.get("Origin")
    return None if origin is None or names_this_host(origin) else origin


@dataclass(frozen=True)
class _Received:
    """An uploaded file, whole in memory, and its name (folders left out)."""

    name: str
    content: bytes


def _read_body(stream: IO[bytes], size: int) -> bytes | None:
    """A raw body of ``size`` bytes, asked for in one read: gunicorn's input and a ``BytesIO`` hand it over whole
    (a ``BytesIO`` made of bytes without a copy); a stream that answers in parts is asked again. None when the
    client stopped sending before the end."""
    content = stream.read(size)
    if len(content) < size:
        pieces, left = [content], size - len(content)
        while left > 0:
            piece = stream.read(left)
            if not piece:
                return None
            pieces.append(piece)
            left -= len(piece)
        content = b"".join(pieces)
    return content


def _body_limit(settings: Settings, path: str) -> int:
    """The largest request body accepted on ``path``: the upload limit for uploads, the callback limit
    for Dash callbacks (a model bundle travels in one), 1 MB for anything else."""
    if path == "/api/upload":
        return settings.max_upload_bytes + 64 * 1024  # multipart framing adds a little to the file itself
    if path == CALLBACK_PATH:
        return settings.max_callback_bytes
    return MAX_OTHER_BODY_BYTES


#: Free space under which the cache disk is reported as full: a dataset, a result or a job's record no
#: longer fits (SQLite's "database or disk is full" for background jobs).
DISK_LOW_BYTES = 64 * 1024 * 1024


def _disk_state(settings: Settings) -> dict[str, object]:
    """The cache folder's disk (datasets, results and local jobs): ``{"status": "ok" | "full" | "failing",
    "free_mb": ...}``. With Redis and Celery the local disk holds nothing of ours: always ok."""
    if settings.redis_url and settings.background == "celery":
        return {"status": "ok"}
    try:
        free = shutil.disk_usage(settings.cache_dir).free
    except OSError:
        return {"status": "failing", "message": "the cache folder cannot be read"}
    if free < DISK_LOW_BYTES:
        return {"status": "full", "free_mb": free // 1024 ** 2,
                "message": "the cache folder's disk is (almost) full: uploads and background jobs fail"}
    return {"status": "ok", "free_mb": free // 1024 ** 2}


def _store_failure(exc: BaseException) -> str | None:
    """The message for a failure of the data store behind a request (Redis or the broker not answering,
    the cache disk full), or None for any other error. The exception's causes count too (Celery wraps a
    Redis connection error in a RuntimeError)."""
    seen: set[int] = set()
    cause: BaseException | None = exc
    while cause is not None and id(cause) not in seen:
        seen.add(id(cause))
        message = _store_failure_of(cause)
        if message:
            return message
        cause = cause.__cause__ or cause.__context__
    return None


def _store_failure_of(exc: BaseException) -> str | None:
    module = type(exc).__module__.split(".", 1)[0]
    if isinstance(exc, sqlite3.OperationalError) and "full" in str(exc) or \
            isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
        return service.DISK_FULL_MESSAGE
    if module in ("redis", "kombu", "celery", "amqp") or isinstance(exc, (ConnectionError, service.StoreUnavailable)):
        return str(service.StoreUnavailable())
    return None


def _error_text(exc: SegmentsError) -> tuple[str, int]:
    """A download that cannot be made: the message, with 410 (data gone), 503 (store down) or 400."""
    if isinstance(exc, service.DatasetGone):
        return str(exc), 410
    if isinstance(exc, (service.StoreUnavailable, library.LibraryUnavailable)):
        return str(exc), 503
    if isinstance(exc, library.NotInLibrary):
        return str(exc), 404
    return str(exc), 400


def _with_bom(payload: bytes | Iterator[bytes]) -> bytes | Iterator[bytes]:
    """A CSV download with the UTF-8 byte-order mark first: Excel on Windows then reads it as UTF-8 (without
    it, "·" in segment names, accents and currency signs come out garbled)."""
    if isinstance(payload, bytes):
        return UTF8_BOM + payload
    return itertools.chain([UTF8_BOM], payload)


def _download_name(name: str, suffix: str) -> str:
    """``<file stem>-<suffix>`` with only safe characters (the extension is added by the caller; a gzipped or
    zipped upload's stem is its file's: ``customers.csv.gz`` gives ``customers``)."""
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", file_stem(name))[:60] or "customers"
    return f"{stem}-{suffix}"


def _clustered(dataset: service.Dataset, state: ViewState) -> tuple[pd.DataFrame, Segmentation]:
    seg = service.get_segmentation(state)
    return clustered_table(dataset.frame, seg, for_export(service.get_confidence(state))), seg


def _summary(dataset: service.Dataset, state: ViewState) -> Profile:
    """The profile the summary downloads give (rounded for people by core.deliver.rounded_summary)."""
    seg = service.get_segmentation(state)
    return summary_profile(seg, dataset.frame, dataset.report.describing_columns)


def _workbook(dataset: service.Dataset, customers: pd.DataFrame | None, summary: Profile) -> bytes:
    # ID columns too: numeric IDs stay numbers (core.deliver keeps a column with leading zeros as text)
    numeric = [c.name for c in dataset.report.column_reports if c.kind == "numeric"]
    frames = ({} if customers is None else {"Customers": customers}) | {"Segments": rounded_summary(summary)}
    return to_xlsx_bytes(frames, numeric + ["distance", "margin", "silhouette"], dataset.table.decimal,
                         share_columns(summary))


def _selection(dataset: service.Dataset, state: ViewState) -> pd.DataFrame:
    table, _ = _clustered(dataset, state)
    rows = service.get_selection(request.args.get("sel", ""))
    if rows.size and (int(rows.min()) < 0 or int(rows.max()) >= len(table)):
        raise DataError("This selection was made on another data set: select the customers again on the "
                        "Clusters page of this one.")
    return table.iloc[rows]


def _report(dataset: service.Dataset, state: ViewState) -> bytes:
    seg = service.get_segmentation(state)
    sweep = service.get_sweep(state) if not state.applies_model else None
    html = render_report(dataset.name, dataset.frame, seg, report=service.report_for(dataset, state),
                         missing=state.missing, sweep=sweep, stability=service.get_stability(state),
                         text_columns=dataset.report.describing_columns)
    return html.encode("utf-8")


#: Every download: name -> (dataset, state) -> (content, file-name suffix). All escape spreadsheet formulas.
#: The per-customer CSVs are streamed a piece at a time (:func:`core.iter_csv`): a download of ten million
#: rows never holds its whole text in the worker; the table itself is built before the answer starts, so
#: a problem still gets its message.
DOWNLOADS: dict[str, Callable[[service.Dataset, ViewState], tuple[bytes | Iterator[bytes], str]]] = {
    # CSVs in the uploaded file's own separator and decimal mark (a German export's semicolons come back)
    "clustered.csv": lambda d, s: (iter_csv(_clustered(d, s)[0], dialect=d.table.dialect), "segments"),
    "clustered.xlsx": lambda d, s: (_workbook(d, _clustered(d, s)[0], _summary(d, s)), "segments"),
    "summary.csv": lambda d, s: (to_csv_bytes(rounded_summary(_summary(d, s)), d.table.dialect), "summary"),
    "summary.xlsx": lambda d, s: (_workbook(d, None, _summary(d, s)), "summary"),
    "selection.csv": lambda d, s: (iter_csv(_selection(d, s), dialect=d.table.dialect), "selection"),
    "segments.zip": lambda d, s: (segments_zip_bytes(*_clustered(d, s), d.table.dialect), "by-segment"),
    "report.html": lambda d, s: (_report(d, s), "report"),
    "model.json": lambda d, s: (service.model_bundle(s, d.name), "model"),
}
_MIMETYPES = {"csv": "text/csv", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
              "zip": "application/zip", "html": "text/html", "json": "application/json"}


def register(server: Flask, settings: Settings) -> None:
    """Add the routes and the security headers to the Flask server."""
    server.request_class = type("UploadRequest", (_UploadRequest,), {"memory_share": settings.upload_memory_share})

    @server.before_request
    def limit_body() -> None:
        limit = _body_limit(settings, request.path)
        request.max_content_length = limit  # werkzeug refuses a longer body as it is read (chunked too)
        if request.content_length is not None and request.content_length > limit:
            raise RequestEntityTooLarge()  # refused before a byte of it is read

    @server.errorhandler(RequestEntityTooLarge)
    def too_large(_: Exception) -> tuple[Response, int]:
        if request.path == "/api/upload":
            return _too_large(settings)
        return jsonify(error=f"The request is larger than the {_body_limit(settings, request.path) // 1024:,} KB "
                             "this address accepts."), 413

    @server.errorhandler(DependencyException)
    def unknown_script(_: Exception) -> tuple[str, int]:
        return "Unknown script.", 404

    @server.errorhandler(Exception)
    def malformed_callback(exc: Exception) -> Any:
        """A callback given arguments of the wrong shape (a crafted request: ``startRow: "x"``) answers 400;
        everything else is what Flask would do (HTTP errors as they are, anything else a logged 500)."""
        if isinstance(exc, HTTPException):
            return exc
        store = _store_failure(exc)
        if store:  # Redis stopped mid-job, a full disk under the job store: say so, 503
            log.warning("request failed on the data store (%s: %s)", type(exc).__name__, exc)
            return jsonify(error=store), 503
        if request.path == CALLBACK_PATH and isinstance(exc, _MALFORMED):
            log.warning("callback refused as malformed (%s: %s)", type(exc).__name__, exc, exc_info=exc)
            return jsonify(error="The request was not understood."), 400
        log.exception("unhandled error on %s", request.path, exc_info=exc)
        return "Something went wrong on the server. Please try again; if it keeps happening, report it.", 500

    uploads = RateLimit("uploads", settings.upload_rate_limit, 3600)
    server.extensions["segments_upload_rate"] = uploads

    def _refusal(size: int, first_bytes: bytes) -> tuple[Response, int] | None:
        """413 for a file over ``MAX_UPLOAD_MB`` (exactly: the body limit leaves room for a form's framing) or
        too big for the memory (an Excel workbook, by its first bytes, needs more per byte); else None."""
        if size > settings.max_upload_bytes:
            return _too_large(settings)
        refused = _too_big_for_memory(size, first_bytes == b"PK\x03\x04", settings.upload_memory_share)
        return (jsonify(error=refused), 413) if refused else None

    def _raw_upload() -> _Received | tuple[Response, int]:
        """The page's upload: the body is the file, its name in ``X-File-Name``. With a declared length the size
        and memory checks run before a byte is read (an Excel workbook, known by its first bytes once read,
        needs more memory per byte: checked again then); a body sent in chunks is read first (Werkzeug stops
        it past the body limit)."""
        header = request.headers.get(FILE_NAME_HEADER)
        try:
            name = _header_file_name(header) if header is not None else ""
        except ValueError:
            return jsonify(error=_BAD_NAME), 400
        size = request.content_length
        content: bytes | None = None
        if size is None:  # chunked: a server that ends the input (gunicorn) says so, else there is no body
            content = request.stream.read() if request.environ.get("wsgi.input_terminated") else b""
            size = len(content)
        if not name or size == 0:
            return jsonify(error=_NO_FILE), 400
        refused = _refusal(size, b"" if content is None else content[:4])
        if refused:
            return refused
        if content is None:
            content = _read_body(request.environ["wsgi.input"], size)  # exactly ``size`` bytes: the length is known
            if content is None:
                return jsonify(error="The upload was interrupted before the whole file arrived. Try again."), 400
            refused = _refusal(size, content[:4])
            if refused:
                return refused
        return _Received(name, content)

    def _form_upload() -> _Received | tuple[Response, int]:
        """A multipart form's ``file`` field (received into memory, or spooled to disk when too large for it)."""
        file = request.files.get("file")
        name = _base_name(file.filename or "") if file is not None else ""
        if file is None or not name:
            return jsonify(error=_NO_FILE), 400
        size = file.stream.seek(0, os.SEEK_END)  # received (into memory or spooled to disk): nothing read yet
        file.stream.seek(0)
        refused = _refusal(size, file.stream.read(4))
        if refused:
            return refused
        return _Received(name, _uploaded_bytes(file.stream))

    @server.post("/api/upload")
    def upload() -> tuple[Response, int]:
        foreign = _foreign_origin()
        if foreign is not None:  # before the rate limit and before a byte of the body is read
            log.warning("upload refused: posted from %r, not from this site (%s)", foreign[:200], request.host)
            return jsonify(error=_FOREIGN_ORIGIN), 403
        limit: RateLimit = server.extensions["segments_upload_rate"]
        client = client_address()
        wait = limit.wait(client)
        if wait:
            log.warning("upload refused: %s sent %d uploads within the hour", client, limit.limit)
            response = jsonify(error=f"Too many uploads from your address ({limit.limit} an hour at most). "
                                     f"Try again in {int(wait // 60) + 1} minutes.")
            response.headers["Retry-After"] = str(int(wait) + 1)
            return response, 429
        limit.record(client)
        if request.mimetype == RAW_UPLOAD_TYPE:
            received = _raw_upload()
        else:
            received = _form_upload()
        if not isinstance(received, _Received):
            return received
        try:
            dataset = service.read_and_store(received.content, received.name, settings.max_rows,
                                             settings.max_columns, settings.max_cells,
                                             _unpacked_limit(settings.max_upload_bytes, settings.upload_memory_share))
        except service.StoreUnavailable as exc:
            return jsonify(error=str(exc)), 503
        except SegmentsError as exc:
            return jsonify(error=str(exc)), 400
        except MemoryError:
            return jsonify(error="The file is too large for this server's memory."), 413
        report = dataset.report
        return jsonify(token=dataset.token, rows=report.rows, columns=report.columns), 200

    @server.get("/download/<name>")
    def download(name: str) -> Response | tuple[str, int]:
        maker = DOWNLOADS.get(name)
        if maker is None:
            return "Unknown download.", 404
        state = ViewState.from_query(request.args.to_dict(flat=False))
        try:
            dataset = service.get_dataset(state.ds)
            payload, suffix = maker(dataset, state)
        except SegmentsError as exc:
            return _error_text(exc)
        filename = _download_name(dataset.name, suffix) + "." + name.rsplit(".", 1)[1]
        if name.endswith(".csv"):
            payload = _with_bom(payload)
        return Response(payload, mimetype=_MIMETYPES[name.rsplit(".", 1)[1]],
                        headers={"Content-Disposition": f'attachment; filename="{filename}"',
                                 "Cache-Control": "no-store"})

    @server.get("/saved/movers.csv")
    def movers() -> Response | tuple[str, int]:
        """The customers of a saved segmentation who went from one segment to another between two snapshots:
        their rows in the newer snapshot (in the older one for customers gone), formulas escaped."""
        args = request.args
        new_side, gone_side = "new", "gone"  # the empty segment's names in the query (pages/library.py)
        old, new = args.get("from", ""), args.get("to", "")
        try:
            first = int(args.get("first", "")) if args.get("first", "").isdigit() else None
            second = int(args.get("second", "")) if args.get("second", "").isdigit() else None
            result = snapshots.migration_between(args.get("saved", ""), first, second, args.get("id") or None,
                                                 loose=args.get("loose") == "1")
            side = "old" if new == gone_side else "new"
            rows = result.rows(side, "" if old == new_side else old, "" if new == gone_side else new)
        except SegmentsError as exc:
            return _error_text(exc)
        filename = _download_name(f"{result.saved.summary.name}.csv", f"movers-{old}-to-{new}") + ".csv"
        return Response(_with_bom(iter_csv(rows, dialect=result.dialect(side))), mimetype="text/csv",
                        headers={"Content-Disposition": f'attachment; filename="{filename}"',
                                 "Cache-Control": "no-store"})

    @server.get("/health/details")
    def health_details() -> tuple[Response, int]:
        try:
            service.cache.set("health:probe", "ok", timeout=60)
            store = "ok" if service.cache.get("health:probe") == "ok" else "failing"
        except Exception:
            store = "failing"
        backend = "redis" if settings.redis_url else "filesystem"
        disk = _disk_state(settings)
        healthy = store == "ok" and disk["status"] == "ok"
        return jsonify(status="ok" if healthy else "degraded", cache=backend, store=store, disk=disk), (
            200 if healthy else 503)


