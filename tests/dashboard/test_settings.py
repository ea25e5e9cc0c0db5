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


@pytest.mark.parametrize("raw", ["0", "-0.5", "1.5", "half", "nan", "inf"])
def test_a_bad_upload_memory_share_stops_the_start_with_a_message(monkeypatch, raw):
    monkeypatch.setenv("UPLOAD_MEMORY_SHARE", raw)
    with pytest.raises(SystemExit, match=r"^error: the environment variable UPLOAD_MEMORY_SHARE must be a number "
                                         rf"above 0 and at most 1, not '{raw}'$"):
        Settings.from_env()
