"""Start-up: each command imports only what it uses (issue 15). ``segments --help`` loads no numpy,
pandas, pyarrow or scikit-learn; ``segments inspect`` reads and checks a file without scikit-learn or
scipy; nothing from plotting or the web layer is ever loaded. Which modules get imported is checked
(deterministic); how long it takes is measured in docs/performance.md, never asserted."""

from __future__ import annotations

import json
import pickle
import subprocess
import sys

import numpy as np

WEB = {"dash", "flask", "dashboard", "pages", "plotly", "matplotlib", "dash_bootstrap_components", "flask_caching"}
HEAVY = {"numpy", "pandas", "pyarrow", "sklearn", "scipy", "joblib", "threadpoolctl"}
MODEL = {"sklearn", "scipy", "joblib"}

PROBE = """
import contextlib, io, json, sys
from core.cli import main
out, err = io.StringIO(), io.StringIO()
try:
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(sys.argv[1:], out=out, err=err)
except SystemExit as exc:
    status = exc.code
print(json.dumps({"status": status, "out": out.getvalue(), "err": err.getvalue(),
                  "modules": sorted({m.split(".")[0] for m in sys.modules})}))
"""


def _run(repo, *args: str) -> dict:
    result = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True, cwd=repo,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_help_imports_no_data_library(repo):
    for args in (["--help"], ["fit", "--help"], ["sweep", "--help"]):
        data = _run(repo, *args)
        assert data["status"] == 0 and "usage: segments" in data["out"], data
        loaded = set(data["modules"])
        assert not loaded & (HEAVY | WEB), (args, sorted(loaded & (HEAVY | WEB)))


def test_inspect_imports_no_model_library(repo, tmp_path):
    path = tmp_path / "small.csv"
    rng = np.random.default_rng(0)
    lines = ["CustomerID,Gender,Age,Spend"] + [f"C{i},{'FM'[i % 2]},{20 + i % 50},{rng.gamma(2, 50):.2f}"
                                               for i in range(200)]
    path.write_text("\n".join(lines) + "\n")
    data = _run(repo, "inspect", str(path))
    assert data["status"] == 0, data
    assert "200 rows, 4 columns" in data["out"] and "features proposed:" in data["out"], data["out"]
    loaded = set(data["modules"])
    assert {"pandas", "pyarrow"} <= loaded  # the probe does see what the command loaded
    assert not loaded & (MODEL | WEB), sorted(loaded & (MODEL | WEB))


def test_the_lazy_package_keeps_every_public_name():
    import core

    for name in core.__all__:
        assert getattr(core, name) is not None, name
    from core import Segmentation, read_table, sweep_k  # noqa: F401  (the usual way still works)

    assert set(core.__all__) <= set(dir(core))


def test_the_transform_step_pickles_under_its_public_name():
    from core.model import fit_segmenter
    from core.transform import FeatureTransform

    X = np.random.default_rng(1).gamma(2.0, 10.0, size=(300, 2))
    pipeline = fit_segmenter(X, 3, 0, ("log", "none"))
    step = pipeline[0]
    assert isinstance(step, FeatureTransform) and type(step).__module__ == "core.transform"
    again = pickle.loads(pickle.dumps(pipeline))
    assert isinstance(again[0], FeatureTransform)
    assert np.array_equal(again.predict(X), pipeline.predict(X))


QUICK_IMPORT = """
import json, sys
from core import cli
cli._QUICK_START = {quick}
with cli._using_threads(1):
    import scipy.stats
    from scipy._lib._array_api import xp_capabilities_table
    from sklearn.cluster import KMeans
doc = scipy.stats.rankdata.__doc__
print(json.dumps({{"note": "Array API Standard Support" in doc, "first": doc.strip().splitlines()[0],
                  "length": len(doc), "registered": scipy.stats.rankdata in xp_capabilities_table}}))
"""


def _quick_import(repo, quick: bool) -> dict:
    result = subprocess.run([sys.executable, "-c", QUICK_IMPORT.format(quick=quick)], capture_output=True, text=True,
                            cwd=repo, timeout=120)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_the_command_leaves_out_scipys_docstring_notes_and_nothing_else(repo):
    """scipy rewrites ~470 docstrings as scikit-learn imports it (numpydoc parsing, to add a note on array-API
    support): 0.15-0.2 s of each command's start. The ``segments`` process skips the note; the docstrings
    themselves, and what scipy registers, stay."""
    normal, quick = _quick_import(repo, False), _quick_import(repo, True)
    assert normal["note"] and not quick["note"]
    assert quick["first"] == normal["first"] == "Assign ranks to data, dealing with ties appropriately."
    assert quick["length"] > 1_000
    assert quick["registered"] and normal["registered"]


def test_the_segments_process_asks_for_the_quick_start(monkeypatch):
    from core import cli

    seen = []
    monkeypatch.setattr(cli, "main", lambda: seen.append(cli._QUICK_START) or 0)
    monkeypatch.setattr(cli.os, "_exit", lambda status: (_ for _ in ()).throw(SystemExit(status)))
    monkeypatch.setattr(cli, "_QUICK_START", False)
    monkeypatch.setattr(cli.gc, "set_threshold", lambda *thresholds: None)  # (this test process's own stays)
    try:
        cli.run()
    except SystemExit as exc:
        assert exc.code == 0
    assert seen == [True]


OVERLAP_PROBE = """
import importlib.abc, io, json, sys, threading
finders = {}


class Watch(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        finders.setdefault(name, threading.current_thread().name)
        return None


sys.meta_path.insert(0, Watch())
from core import cli, io as core_io

read_on, main_before_ready = [], []
real_read, real_ready = core_io.read_table, cli._using_threads


def read_table(*args, **kwargs):
    read_on.append(threading.current_thread().name)
    return real_read(*args, **kwargs)


def using_threads(count):  # what the main thread imported until the command called ready()
    context = real_ready(count)
    ready = context.__enter__()

    def watched_ready():
        # (a copy first, made in one step: the import thread may be adding to finders meanwhile; iterating the
        # dict itself failed a CI run with "dictionary changed size during iteration")
        main_before_ready.extend(sorted(n for n, t in dict(finders).items() if t == "MainThread"))
        ready()

    class Context:
        __enter__ = lambda self: watched_ready
        __exit__ = lambda self, *exc: context.__exit__(*exc)
    return Context()


core_io.read_table, cli._using_threads = read_table, using_threads
out, err = io.StringIO(), io.StringIO()
status = cli.main(sys.argv[1:], out=out, err=err)
model_libraries = ("sklearn", "scipy", "threadpoolctl", "joblib")
print(json.dumps({"status": status, "out": out.getvalue(), "err": err.getvalue(), "read_on": read_on,
                  "sklearn_on": sorted({t for n, t in finders.items() if n.split(".")[0] in model_libraries}),
                  "main_before_ready": [n for n in main_before_ready if n.split(".")[0] in model_libraries]}))
"""


def _overlap_probe(repo, *args: str) -> dict:
    result = subprocess.run([sys.executable, "-c", OVERLAP_PROBE, *args], capture_output=True, text=True, cwd=repo,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def _customers(path, rows: int = 300):
    rng = np.random.default_rng(3)
    lines = ["CustomerID,Age,Spend"] + [f"{i},{20 + i % 50},{rng.gamma(2, 50):.2f}" for i in range(rows)]
    path.write_text("\n".join(lines) + "\n")
    return path


def test_sweep_and_fit_import_scikit_learn_on_a_thread_of_their_own_while_the_file_is_read(repo, tmp_path):
    """scikit-learn and scipy (about 0.6 s of a command's start) are imported beside the read and check of the
    file, which pyarrow does without Python's lock (docs/performance.md): on a thread of their own, never on
    the main thread, which reads the file."""
    path = _customers(tmp_path / "customers.csv")
    for args in (["sweep", str(path), "--k-max", "4"],
                 ["fit", str(path), "--k", "3", "--out", str(tmp_path / "out.csv"), "--stability-runs", "2"]):
        data = _overlap_probe(repo, *args)
        assert data["status"] == 0, data
        assert data["read_on"] == ["MainThread"], data
        assert "import sklearn.cluster" in data["sklearn_on"], data  # (the main thread imports more later)
        assert data["main_before_ready"] == [], data


def test_a_failed_import_of_scikit_learn_is_one_line_of_error(cli, tmp_path, monkeypatch):
    """The import on its own thread hands its failure to the command, which says it in one line."""
    from core import cli as cli_module

    real = cli_module._Importing
    monkeypatch.setattr(cli_module, "_Importing", lambda name: real("sklearn.no_such_module"))
    status, out, err = cli("sweep", _customers(tmp_path / "customers.csv"), "--k-max", "4")
    assert status == cli_module.EXIT_INTERNAL
    assert err.startswith("error: internal error (ModuleNotFoundError: No module named 'sklearn.no_such_module')")
    assert len(err.strip().splitlines()) == 1


def test_a_file_that_cannot_be_read_is_reported_and_nothing_is_left_importing(cli, tmp_path, monkeypatch):
    from core import cli as cli_module

    started = []
    real = cli_module._Importing

    def watched(name: str):
        started.append(real(name))
        return started[-1]

    monkeypatch.setattr(cli_module, "_Importing", watched)
    (tmp_path / "empty.csv").write_text("")
    status, out, err = cli("fit", tmp_path / "empty.csv", "--k", "3", "--out", tmp_path / "out.csv")
    assert status == cli_module.EXIT_BAD_INPUT and "is empty" in err, err
    assert len(started) == 1 and not started[0]._thread.is_alive()
