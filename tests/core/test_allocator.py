"""pyarrow allocates with the C library's ``malloc``, and numpy asks for no transparent huge pages, in every
process the product runs: the command line, the web server's workers and the scripts that import ``core``,
whatever was imported first.

Found measuring issue 15 (docs/performance.md, session 18), on this project's virtual machines (which back
memory when it is first touched): with pyarrow's default allocator, mimalloc, the 10^7-row upload took 23-25 s,
against 4.4-8.4 s with ``malloc``; with numpy's huge pages ``segments sweep`` of 10^7 rows took 10.4-10.6 s,
against 6.4-6.6 s without. Which settings are in use is checked here (it is deterministic); the seconds are
measured in the benchmark, never asserted.

Each probe is a fresh interpreter without the settings' variables in its environment: this test's own
process has imported ``core``, which sets them, and a child would otherwise inherit the answer.
"""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

VARIABLES = ("ARROW_DEFAULT_MEMORY_POOL", "NUMPY_MADVISE_HUGEPAGE")
#: What a probe prints: pyarrow's allocator, and whether numpy asks for huge pages (its switch answers the
#: setting it replaces, which is put back).
SETTINGS = """
import numpy, pyarrow
from numpy._core import multiarray
huge = multiarray._set_madvise_hugepage(True)
multiarray._set_madvise_hugepage(huge)
print(pyarrow.default_memory_pool().backend_name, "huge pages" if huge else "no huge pages")
"""
PRODUCT = "system, no huge pages"


def _settings(repo, code: str, **variables: str) -> str:
    env = {name: value for name, value in os.environ.items() if name not in VARIABLES}
    env.update(variables)
    result = subprocess.run([sys.executable, "-c", code + SETTINGS], capture_output=True, text=True, cwd=repo,
                            env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1].replace(" ", ", ", 1)


def test_a_plain_interpreter_has_the_libraries_defaults(repo):
    """What the settings change, so that the tests below can fail."""
    assert _settings(repo, "") == "mimalloc, huge pages"


def test_the_command_line_has_the_settings(repo, tmp_path):
    path = tmp_path / "small.csv"
    rng = np.random.default_rng(0)
    path.write_text("CustomerID,Age,Spend\n" + "".join(f"C{i},{20 + i % 50},{rng.gamma(2, 50):.2f}\n"
                                                       for i in range(100)))
    code = ("import contextlib, io\nfrom core.cli import main\n"
            f"with contextlib.redirect_stdout(io.StringIO()):\n    assert main(['inspect', {str(path)!r}]) == 0")
    assert _settings(repo, code) == PRODUCT


def test_the_web_app_has_the_settings(repo):
    """``app`` is what gunicorn imports (the Procfile); it imports numpy (through plotly) before ``core``."""
    assert _settings(repo, "import app") == PRODUCT


@pytest.mark.parametrize("first", ["import numpy", "import pyarrow", "import pandas"])
def test_core_switches_libraries_imported_before_it(repo, first):
    assert _settings(repo, f"{first}\nimport core") == PRODUCT


def test_settings_named_in_the_environment_are_kept(repo):
    assert _settings(repo, "import core", ARROW_DEFAULT_MEMORY_POOL="jemalloc",
                     NUMPY_MADVISE_HUGEPAGE="1") == "jemalloc, huge pages"
