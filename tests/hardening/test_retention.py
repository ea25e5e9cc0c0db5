"""Hardening, second round (issue 13, item 7): nobody can evict other users' data before the promised
retention by sending many small uploads; the cache folder is limited by its size on disk, and one client's
uploads are rate-limited."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import pytest

from dashboard import budget, service
from dashboard.budget import BudgetFileSystemCache
from tests.fixtures import demo_bytes, upload


@pytest.mark.slow
def test_thousands_of_tiny_entries_evict_nobody(client: Any) -> None:
    victim = upload(client, demo_bytes()).get_json()["token"]
    for i in range(5_100):  # what 5,100 tiny anonymous uploads wrote (the rate limit stops real ones sooner)
        service.cache.set(f"flood:{i}", b"x" * 10)
    service.forget_local()
    response = client.get(f"/download/summary.csv?ds={victim}&k=3")
    assert response.status_code == 200, response.data[:200]
    for i in range(5_100):
        service.cache.delete(f"flood:{i}")


def _cache(folder: Path, budget_bytes: int) -> BudgetFileSystemCache:
    return BudgetFileSystemCache(str(folder), budget_bytes=budget_bytes, default_timeout=3600)


def test_over_its_budget_the_folder_loses_its_oldest_entries(tmp_path: Path) -> None:
    cache = _cache(tmp_path, budget_bytes=1_000_000)
    for i in range(12):
        cache.set(f"k{i}", os.urandom(100_000))
        path = cache._get_filename(f"k{i}")
        os.utime(path, (time.time() - 1_000 + i, time.time() - 1_000 + i))  # written one second apart
    total = cache.enforce_budget()
    assert total <= 1_000_000 * 0.9
    kept = [i for i in range(12) if cache.has(f"k{i}")]
    assert kept == list(range(12 - len(kept), 12)) and len(kept) >= 8  # the newest stay


def test_expired_entries_go_before_live_ones(tmp_path: Path) -> None:
    cache = _cache(tmp_path, budget_bytes=550_000)
    cache.set("old but live", os.urandom(200_000))
    os.utime(cache._get_filename("old but live"), (time.time() - 500, time.time() - 500))
    cache.set("expired", os.urandom(200_000), timeout=1)
    with open(cache._get_filename("expired"), "r+b") as file:  # its expiry time: in the past
        file.write((int(time.time()) - 10).to_bytes(4, "little"))
    cache.set("new", os.urandom(200_000))
    cache.enforce_budget()
    assert cache.has("old but live") and cache.has("new")
    assert not os.path.exists(cache._get_filename("expired"))


def test_the_folder_is_not_measured_on_every_write(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(budget, "RESCAN_SECONDS", 3600.0)  # (the writes may take long on a busy machine)
    cache = _cache(tmp_path, budget_bytes=100 * 1024 ** 2)
    cache.enforce_budget()
    scans = []
    monkeypatch.setattr(BudgetFileSystemCache, "enforce_budget", lambda self: scans.append(1) or 0)
    for i in range(500):
        cache.set(f"k{i}", b"tiny")
    assert len(scans) <= 1
    monkeypatch.setattr(budget, "RESCAN_SECONDS", 0.0)
    cache.set("one more", b"tiny")
    assert len(scans) >= 1
