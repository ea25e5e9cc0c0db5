"""pyarrow allocates with the C library's ``malloc`` in every process the product runs: the command line,
the web server's workers and the scripts that import ``core``, whatever was imported first.

Found measuring issue 15 (docs/performance.md, session 18): with pyarrow's default allocator, mimalloc, the
10^7-row upload took 23-25 s on this project's virtual machines (which back memory when it is first touched),
all but ~4 s of it system time; with ``malloc`` 4.4-8.4 s. Which allocator is in use is checked here (it is
deterministic); the seconds are measured in the benchmark, never asserted.

Each probe is a fresh interpreter without ``ARROW_DEFAULT_MEMORY_POOL`` in its environment: this test's own
process has imported ``core``, which sets it, and a child would otherwise inherit the answer.
"""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

VARIABLE = "ARROW_DEFAULT_MEMORY_POOL"


def _backend(repo, code: str, **variables: str) -> str:
    env = {name: value for name, value in os.environ.items() if name != VARIABLE}
    env.update(variables)
    result = subprocess.run([sys.executable, "-c", code + "\nimport pyarrow\n"
                             "print(pyarrow.default_memory_pool().backend_name)"],
                            capture_output=True, text=True, cwd=repo, env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_the_command_line_reads_with_the_system_allocator(repo, tmp_path):
    path = tmp_path / "small.csv"
    rng = np.random.default_rng(0)
    path.write_text("CustomerID,Age,Spend\n" + "".join(f"C{i},{20 + i % 50},{rng.gamma(2, 50):.2f}\n"
                                                       for i in range(100)))
    code = ("import contextlib, io\nfrom core.cli import main\n"
            f"with contextlib.redirect_stdout(io.StringIO()):\n    assert main(['inspect', {str(path)!r}]) == 0")
    assert _backend(repo, code) == "system"


def test_the_web_app_allocates_with_the_system_allocator(repo):
    """``app`` is what gunicorn imports (the Procfile); its workers inherit the variable besides."""
    assert _backend(repo, "import app") == "system"


@pytest.mark.parametrize("first", ["import pyarrow", "import pandas"])
def test_core_switches_pyarrow_imported_before_it(repo, first):
    assert _backend(repo, f"{first}\nimport core") == "system"


def test_an_allocator_named_in_the_environment_is_kept(repo):
    assert _backend(repo, "import core", **{VARIABLE: "jemalloc"}) == "jemalloc"
