"""Suite-wide settings. Browser tests are in tests/browser (marker ``browser``); the fixtures every folder
shares (the app, its test client, the Pages router request) are in tests/fixtures.py."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile

# The suite uploads hundreds of files from one address: no per-client upload limit, unless a test sets one
# (tests/hardening/test_access_control.py). Servers started by tests inherit it.
os.environ.setdefault("UPLOAD_RATE_LIMIT", "0")

# Keep the math libraries to one thread in tests: predictable speed on the 2-core CI machine.
os.environ.setdefault("OMP_NUM_THREADS", "1")

# The saved library's SQLite file goes to a private folder, never into the checkout's ./instance
# (gunicorn servers started by tests inherit it); tests of the library pass their own DATA_DIR.
if not os.environ.get("DATA_DIR"):
    os.environ["DATA_DIR"] = tempfile.mkdtemp(prefix="segments-test-data-")
    atexit.register(shutil.rmtree, os.environ["DATA_DIR"], True)

pytest_plugins = ["tests.fixtures"]
