"""Plain Flask routes beside Dash: the streaming upload, the CSV downloads and security headers.

* ``POST /api/upload``: a multipart form with a ``file`` field. Werkzeug spools large bodies to
  disk, so a 100 MB file never sits in the browser as base64 (as ``dcc.Upload`` would need). Answers
  JSON: ``{"token", "rows", "columns"}`` or ``{"error"}`` with a message for the user.
* ``GET /download/clustered.csv?<view query>`` and ``/download/summary.csv?<view query>``: the
  clustered data set (every input row and column + ``cluster``) and the cluster summary, with
  spreadsheet formulas escaped.
"""

from __future__ import annotations

import re

from flask import Flask, Response, jsonify, request
from werkzeug.exceptions import RequestEntityTooLarge

from core import SegmentsError, clustered_table, to_csv_bytes
from core.insight import summary_table

from . import service
from .settings import Settings
from .state import ViewState

__all__ = ["register"]


def _too_large(settings: Settings) -> tuple[Response, int]:
    return jsonify(error=f"The file is larger than the {settings.max_upload_mb} MB limit. "
                         "Upload a smaller export, or ask your administrator to raise MAX_UPLOAD_MB."), 413


def _error_text(exc: SegmentsError) -> tuple[str, int]:
    """A download that cannot be made: the message, with 410 (data gone), 503 (store down) or 400."""
    if isinstance(exc, service.DatasetGone):
        return str(exc), 410
    if isinstance(exc, service.StoreUnavailable):
        return str(exc), 503
    return str(exc), 400


def _download_name(name: str, suffix: str) -> str:
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", name.rsplit(".", 1)[0])[:60] or "customers"
    return f"{stem}-{suffix}.csv"


def _csv_response(payload: bytes, filename: str) -> Response:
    return Response(payload, mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"',
                             "Cache-Control": "no-store"})


def register(server: Flask, settings: Settings) -> None:
    """Add the routes and the security headers to the Flask server."""

    @server.errorhandler(RequestEntityTooLarge)
    def upload_too_large(_: Exception) -> tuple[Response, int]:
        return _too_large(settings)

    @server.post("/api/upload")
    def upload() -> tuple[Response, int]:
        file = request.files.get("file")
        if file is None or not file.filename:
            return jsonify(error="No file was received. Choose a CSV or Excel file and try again."), 400
        name = file.filename
        try:
            dataset = service.read_and_store(file.stream.read(), name, settings.max_rows, settings.max_columns)
        except service.StoreUnavailable as exc:
            return jsonify(error=str(exc)), 503
        except SegmentsError as exc:
            return jsonify(error=str(exc)), 400
        except MemoryError:
            return jsonify(error="The file is too large for this server's memory."), 413
        report = dataset.report
        return jsonify(token=dataset.token, rows=report.rows, columns=report.columns), 200

    @server.get("/download/model.json")
    def download_model() -> Response | tuple[str, int]:
        state = ViewState.from_query(request.args.to_dict(flat=False))
        try:
            dataset = service.get_dataset(state.ds)
            payload = service.model_bundle(state, dataset.name)
        except SegmentsError as exc:
            return _error_text(exc)
        stem = _download_name(dataset.name, "model")[:-4]
        return Response(payload, mimetype="application/json",
                        headers={"Content-Disposition": f'attachment; filename="{stem}.json"',
                                 "Cache-Control": "no-store"})

    @server.get("/download/<kind>.csv")
    def download(kind: str) -> Response | tuple[str, int]:
        if kind not in {"clustered", "summary", "selection"}:
            return "Unknown download.", 404
        state = ViewState.from_query(request.args.to_dict(flat=False))
        try:
            dataset = service.get_dataset(state.ds)
            segmentation = service.get_segmentation(state)
            if kind == "summary":
                payload = to_csv_bytes(summary_table(segmentation, dataset.frame, dataset.report.text_columns))
                return _csv_response(payload, _download_name(dataset.name, "summary"))
            table = clustered_table(dataset.frame, segmentation, service.get_confidence(state))
            if kind == "selection":
                table = table.iloc[service.get_selection(request.args.get("sel", ""))]
        except SegmentsError as exc:
            return _error_text(exc)
        return _csv_response(to_csv_bytes(table), _download_name(dataset.name, "segments" if kind == "clustered"
                                                                 else "selection"))

    @server.get("/health/details")
    def health_details() -> tuple[Response, int]:
        try:
            service.cache.set("health:probe", "ok", timeout=60)
            store = "ok" if service.cache.get("health:probe") == "ok" else "failing"
        except Exception:
            store = "failing"
        backend = "redis" if settings.redis_url else "filesystem"
        return jsonify(status="ok" if store == "ok" else "degraded", cache=backend, store=store), (
            200 if store == "ok" else 503)


