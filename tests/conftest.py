"""Suite-wide settings. Browser tests are in tests/browser (marker ``browser``)."""

from __future__ import annotations

import os

# Keep the math libraries to one thread in tests: predictable speed on the 2-core CI machine.
os.environ.setdefault("OMP_NUM_THREADS", "1")
