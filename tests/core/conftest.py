"""Shared fixtures for the core test suite.

Every test builds its own data (bytes, tmp_path files or generated frames); nothing outside the
repository's own ``core/`` and ``models/`` is read.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

REPO = Path(__file__).resolve().parents[2]

if str(REPO) not in sys.path:  # make `import core` find the real package wherever pytest runs
    sys.path.insert(0, str(REPO))

from core.demo import generate_demo  # noqa: E402


def blob_frame(sizes, centers, spread=0.4, seed=0, names=None) -> tuple[pd.DataFrame, np.ndarray]:
    """Well-separated Gaussian blobs as a frame of *text* cells (like read_table returns), plus truth."""
    rng = np.random.default_rng(seed)
    centers = np.asarray(centers, dtype=float)
    parts, truth = [], []
    for index, (size, center) in enumerate(zip(sizes, centers)):
        parts.append(rng.normal(center, spread, size=(size, centers.shape[1])))
        truth.extend([index] * size)
    X = np.vstack(parts)
    order = rng.permutation(X.shape[0])
    X, truth = X[order], np.asarray(truth)[order]
    names = names or [f"f{j}" for j in range(X.shape[1])]
    frame = pd.DataFrame({n: [f"{v:.6f}" for v in X[:, j]] for j, n in enumerate(names)})
    return frame, truth


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO


@pytest.fixture(scope="session")
def demo():
    """(frame with text cells, truth) of the built-in demo data."""
    frame, truth = generate_demo()
    return frame.astype(str), truth


@pytest.fixture
def blobs():
    return blob_frame


@pytest.fixture
def write(tmp_path):
    """write(name, bytes_or_text) -> Path inside tmp_path."""

    def _write(name: str, content: bytes | str) -> Path:
        path = tmp_path / name
        path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
        return path

    return _write


@pytest.fixture
def cli():
    """Run ``segments`` in-process: cli(*argv) -> (exit status, stdout text, stderr text)."""
    from core.cli import main

    def _run(*argv: str) -> tuple[int, str, str]:
        out, err = io.StringIO(), io.StringIO()
        status = main([str(a) for a in argv], out=out, err=err)
        return status, out.getvalue(), err.getvalue()

    return _run


def make_evil_pickle(marker: Path) -> bytes:
    """A pickle whose loading creates ``marker`` (as a real attack would run code)."""
    import pickle

    class Evil:
        def __reduce__(self):
            return (open, (str(marker), "w"))

    return pickle.dumps(Evil())


@pytest.fixture
def evil_pickle(tmp_path):
    """(payload bytes, marker path): unpickling the payload creates the marker file."""
    marker = tmp_path / "PWNED"
    return make_evil_pickle(marker), marker


@pytest.fixture
def evil_factory():
    return make_evil_pickle
