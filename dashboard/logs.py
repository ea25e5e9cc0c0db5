"""gunicorn's error log without dataset tokens.

The access log is already written without query strings (``gunicorn.conf.py``), but gunicorn's error log
writes the full request URI when a worker times out or a request fails (``Error handling request
/download/clustered.csv?ds=<token>``). :class:`RedactingLogger` (``logger_class`` in gunicorn.conf.py)
replaces every query string and every token-like word (32 or more URL-safe characters) in the error
log's messages and tracebacks with ``…``.
"""

from __future__ import annotations

import logging
import re
import traceback

from gunicorn.glogging import Logger

__all__ = ["RedactingLogger", "redact"]

_QUERY = re.compile(r"\?[^\s\"'<>]*")
_TOKEN = re.compile(r"[A-Za-z0-9_-]{32,}")


def redact(text: str) -> str:
    """``text`` with query strings (``?…``) and token-like words replaced by ``…``."""
    return _TOKEN.sub("…", _QUERY.sub("?…", text))


class _RedactFilter(logging.Filter):
    """Rewrites each record's message and traceback through :func:`redact`."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage())
        record.args = None
        if record.exc_info:
            record.exc_text = redact("".join(traceback.format_exception(*record.exc_info)).rstrip("\n"))
            record.exc_info = None
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


class RedactingLogger(Logger):
    """gunicorn's logger, its error log redacted (the access log has its own format)."""

    def setup(self, cfg: object) -> None:
        super().setup(cfg)
        if not any(isinstance(f, _RedactFilter) for f in self.error_log.filters):
            self.error_log.addFilter(_RedactFilter())
