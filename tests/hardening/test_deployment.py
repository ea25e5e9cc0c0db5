"""Hardening, second round (issue 13, items 15, 16 and 18): the memory guard honours cgroup v1, gunicorn's
error log carries no tokens, and each gunicorn instance keeps to itself (no shared control socket)."""

from __future__ import annotations

import io
import logging
import os
from pathlib import Path

import pytest

import dashboard.routes as routes
from tests.support import gunicorn_server

GB = 1024 ** 3


def _kernel(tmp_path: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


@pytest.fixture
def kernel(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(routes, "PROC_MEMINFO", tmp_path / "meminfo")
    monkeypatch.setattr(routes, "CGROUP_ROOT", tmp_path / "cgroup")
    _kernel(tmp_path, {"meminfo": f"MemTotal: {64 * GB // 1024} kB\nMemAvailable: {32 * GB // 1024} kB\n"})
    return tmp_path


def test_a_cgroup_v1_limit_is_honoured(kernel: Path) -> None:
    _kernel(kernel, {"cgroup/memory/memory.limit_in_bytes": str(2 * GB),
                     "cgroup/memory/memory.usage_in_bytes": str(GB // 2)})
    assert routes._available_memory() == GB + GB // 2


def test_an_unlimited_cgroup_v1_leaves_the_host_figure(kernel: Path) -> None:
    _kernel(kernel, {"cgroup/memory/memory.limit_in_bytes": "9223372036854771712",
                     "cgroup/memory/memory.usage_in_bytes": str(GB)})
    assert routes._available_memory() == 32 * GB


def test_cgroup_v2_still_wins_when_present(kernel: Path) -> None:
    _kernel(kernel, {"cgroup/memory.max": str(4 * GB), "cgroup/memory.current": str(GB)})
    assert routes._available_memory() == 3 * GB


def test_the_error_log_has_no_query_strings_or_tokens() -> None:
    from gunicorn.config import Config

    from dashboard.logs import RedactingLogger

    token = "Ab3_" * 12
    logger = RedactingLogger(Config())
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    logger.error_log.addHandler(handler)
    try:
        try:
            raise TimeoutError(f"worker stopped on /download/clustered.csv?ds={token}&k=3")
        except TimeoutError:
            logger.exception("Error handling request %s", f"/download/clustered.csv?ds={token}&k=3")
        logger.critical("WORKER TIMEOUT (pid:%s)", 42)
    finally:
        logger.error_log.removeHandler(handler)
    text = stream.getvalue()
    assert "Error handling request /download/clustered.csv?…" in text and "WORKER TIMEOUT (pid:42)" in text
    assert token not in text and "ds=" not in text


@pytest.mark.slow
def test_gunicorn_makes_no_shared_control_socket(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(home / "run"))
    with gunicorn_server(tmp_path / "server", workers=1, env={"GUNICORN_CMD_ARGS": ""}) as server:
        assert server.process.poll() is None
        assert not list(home.rglob("*.ctl")) and not (home / ".gunicorn").exists()


def test_gunicorn_uses_the_redacting_logger() -> None:
    import runpy

    config = runpy.run_path(str(Path(routes.__file__).resolve().parent.parent / "gunicorn.conf.py"))
    assert config["logger_class"] == "dashboard.logs.RedactingLogger"
