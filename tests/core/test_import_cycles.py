"""core imports in one direction: no module reaches itself through its imports, at module level or inside a function.

Issue 14, item 2: ``core.segmentation`` imported ``core.insight`` inside a function and ``core.insight``
imported ``core.segmentation`` (inside functions too), which only worked because of the order the functions
ran in. This walks every ``import`` statement of every module of core (``ast.walk``: module level, inside
functions and methods alike) and fails on any cycle, naming it.

Importing ``core.a.b`` runs ``core/a/__init__.py`` first, so such an import counts as importing both
(except for packages the importer is itself inside: they are being imported already). Imports under
``if TYPE_CHECKING:`` are left out: they are for the type checker and never run.
"""

from __future__ import annotations

import ast
from pathlib import Path

import core

ROOT = Path(core.__file__).resolve().parent


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(ROOT.rglob("*.py"))}


def _type_checking_only(tree: ast.AST) -> set[int]:
    """ids of the nodes inside ``if TYPE_CHECKING:`` blocks."""
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If):
            test = node.test
            name = test.id if isinstance(test, ast.Name) else test.attr if isinstance(test, ast.Attribute) else ""
            if name == "TYPE_CHECKING":
                for child in node.body:
                    skipped.update(id(n) for n in ast.walk(child))
    return skipped


def _targets(node: ast.Import | ast.ImportFrom, importer: str, is_package: bool, known: set[str]) -> set[str]:
    """The core modules an import statement runs."""
    found: set[str] = set()
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    else:
        if node.level:
            base = importer.split(".") if is_package else importer.split(".")[:-1]
            base = base[: len(base) - (node.level - 1)]
            module = ".".join(base + ([node.module] if node.module else []))
        else:
            module = node.module or ""
        # "from pkg import name" runs pkg, and pkg.name when name is a module
        names = [module] + [f"{module}.{alias.name}" for alias in node.names if f"{module}.{alias.name}" in known]
    for name in names:
        if name != "core" and not name.startswith("core."):
            continue
        parts = name.split(".")
        for end in range(1, len(parts) + 1):  # importing core.a.b runs core.a first
            candidate = ".".join(parts[:end])
            if candidate in known and not importer.startswith(candidate + "."):  # an ancestor runs already
                found.add(candidate)
    found.discard(importer)
    return found


def import_graph() -> dict[str, set[str]]:
    """{core module: the core modules its import statements run (module level and inside functions)}."""
    modules = _modules()
    known = set(modules)
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        skipped = _type_checking_only(tree)
        edges: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)) and id(node) not in skipped:
                edges |= _targets(node, name, path.name == "__init__.py", known)
        graph[name] = edges
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of the graph as a path (first module repeated at the end), or None."""
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        path.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state:
            found = visit(start)
            if found:
                return found
    return None


def test_core_has_no_import_cycle():
    graph = import_graph()
    assert "core.segmentation" in graph and "core.insight.naming" in graph["core.segmentation"]
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_the_walk_sees_imports_inside_functions_and_packages(tmp_path, monkeypatch):
    """The check itself: a cycle through an import inside a function, and one through a package's
    ``__init__``, are both found; one under ``if TYPE_CHECKING:`` is not a cycle."""
    package = tmp_path / "core"
    (package / "inner").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("def f():\n    from .b import g\n")
    (package / "b.py").write_text("from . import a\n")
    (package / "inner" / "__init__.py").write_text("from .c import h\n")
    (package / "inner" / "c.py").write_text("from ..d import x\n")
    (package / "d.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from . import a\n"
                                  "import core.inner.c\n")
    monkeypatch.setattr(__import__(__name__, fromlist=["ROOT"]), "ROOT", package)
    graph = import_graph()
    assert graph["core.a"] == {"core.b"} and graph["core.b"] == {"core.a"}
    assert graph["core.d"] == {"core.inner", "core.inner.c"}  # the package's __init__ runs first
    assert graph["core.inner.c"] == {"core.d"}  # its own package is being imported already
    assert find_cycle({k: v for k, v in graph.items() if k not in ("core.a", "core.b")}) == [
        "core.d", "core.inner", "core.inner.c", "core.d"]
    assert find_cycle(graph) == ["core.a", "core.b", "core.a"]
