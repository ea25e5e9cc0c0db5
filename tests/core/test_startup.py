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
