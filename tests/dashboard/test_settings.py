"""Settings read from the environment: defaults, values and the one-line refusal of a bad value."""

from __future__ import annotations

import pytest

from dashboard.settings import Settings


def test_upload_memory_share_defaults_to_half(monkeypatch):
    monkeypatch.delenv("UPLOAD_MEMORY_SHARE", raising=False)
    assert Settings.from_env().upload_memory_share == 0.5
    monkeypatch.setenv("UPLOAD_MEMORY_SHARE", "  ")
    assert Settings.from_env().upload_memory_share == 0.5


@pytest.mark.parametrize("raw, share", [("0.25", 0.25), ("1", 1.0), (" 0.8 ", 0.8)])
def test_upload_memory_share_is_read(monkeypatch, raw, share):
    monkeypatch.setenv("UPLOAD_MEMORY_SHARE", raw)
    assert Settings.from_env().upload_memory_share == share


def test_local_cache_mb_is_read(monkeypatch):
    monkeypatch.delenv("LOCAL_CACHE_MB", raising=False)
    assert Settings.from_env().local_cache_mb == 1024
    assert Settings.from_env().local_cache_bytes == 1024 ** 3
    monkeypatch.setenv("LOCAL_CACHE_MB", "0")  # keeps only the two most recent entries
    assert Settings.from_env().local_cache_mb == 0
    monkeypatch.setenv("LOCAL_CACHE_MB", "256")
    assert Settings.from_env().local_cache_bytes == 256 * 1024 ** 2


_SHARE = "a number above 0 and at most 1"
_SIZE = "a whole number of 0 or more"


@pytest.mark.parametrize("name, raw, requirement", [
    *[("UPLOAD_MEMORY_SHARE", raw, _SHARE) for raw in ["0", "-0.5", "1.5", "half", "nan", "inf"]],
    *[("LOCAL_CACHE_MB", raw, _SIZE) for raw in ["-1", "1.5", "lots"]],
    ("MAX_ROWS", "many", "a whole number"),
])
def test_a_bad_value_stops_the_start_with_a_message(monkeypatch, name, raw, requirement):
    monkeypatch.setenv(name, raw)
    with pytest.raises(SystemExit, match=rf"^error: the environment variable {name} must be {requirement}, "
                                         rf"not '{raw}'$"):
        Settings.from_env()
