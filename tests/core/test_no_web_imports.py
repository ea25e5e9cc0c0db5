"""core is framework-free: importing it (and its CLI) loads no Dash, Flask or dashboard module."""

from __future__ import annotations

import json
import subprocess
import sys

FORBIDDEN = {"dash", "flask", "dashboard", "pages", "plotly", "dash_bootstrap_components", "flask_caching"}

PROBE = """
import json, sys
import core, core.cli, core.demo
from core import read_table, segment_new, load_shipped_model
print(json.dumps({"file": core.__file__, "modules": sorted(sys.modules)}))
"""


def test_import_core_loads_no_web_framework(repo):
    result = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, cwd=repo, timeout=60)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    # the real package was imported (its __init__ ran), not an empty namespace
    assert data["file"] == str(repo / "core" / "__init__.py")
    assert "sklearn" in {m.split(".")[0] for m in data["modules"]}  # the probe does see loaded modules
    loaded = {m.split(".")[0] for m in data["modules"]}
    assert not loaded & FORBIDDEN, sorted(loaded & FORBIDDEN)


def test_core_sources_do_not_import_web_frameworks(repo):
    for path in sorted((repo / "core").glob("*.py")):
        for line in path.read_text(encoding="utf-8").splitlines():
            stripped = line.strip()
            if stripped.startswith(("import ", "from ")):
                module = stripped.split()[1].lstrip(".").split(".")[0]
                assert module not in FORBIDDEN, f"{path.name}: {stripped}"
