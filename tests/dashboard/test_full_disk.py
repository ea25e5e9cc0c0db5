"""A full disk under the cache folder: a message, not a crash (a real 1 MB tmpfs, mounted by the test)."""

from __future__ import annotations

import subprocess

import pytest
import requests

from tests.support import gunicorn_server


@pytest.fixture()
def tiny_disk(tmp_path):
    cache_dir = tmp_path / "cache"
    data = cache_dir / "data"
    data.mkdir(parents=True)
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(data)], capture_output=True)
    if mounted.returncode != 0:
        pytest.fail(f"mounting a tmpfs needs root: {mounted.stderr.decode().strip()}")
    try:
        yield tmp_path
    finally:
        subprocess.run(["umount", "-l", str(data)], check=False)


@pytest.mark.slow
def test_full_cache_disk_gives_a_message(tiny_disk):
    with gunicorn_server(tiny_disk, workers=2) as web:
        small = b"Age,Income\n" + b"".join(f"{20 + (i * 7) % 50},{(i * 13) % 90}\n".encode() for i in range(40))
        first = requests.post(web.url + "/api/upload", files={"file": ("a.csv", small)}, timeout=30)
        assert first.status_code == 200
        token = first.json()["token"]
        # fill the disk to the brim
        with open(web.cache_dir / "data" / "filler", "wb", buffering=0) as filler:  # nothing left to flush at close
            try:
                while True:
                    filler.write(b"\0" * 65536)
            except OSError:
                pass
        big = b"Age,Income\n" + b"".join(f"{20 + i % 50},{i % 97}\n".encode() for i in range(60_000))
        refused = requests.post(web.url + "/api/upload", files={"file": ("b.csv", big)}, timeout=30)
        assert refused.status_code == 503
        assert "storage for uploaded data is full" in refused.json()["error"]
        assert requests.get(web.url + "/health", timeout=10).status_code == 200  # still serving
        # data stored before the disk filled up is still there
        summary = requests.get(web.url + f"/download/clustered.csv?ds={token}&k=2", timeout=30)
        assert summary.status_code == 200
