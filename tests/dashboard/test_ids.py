"""Component ids are spelled once, in dashboard/ids.py: no page, dashboard module or script writes one inline.

A second spelling drifts (a renamed id breaks a callback or the upload script silently), so the source is
read: every ``id=``, every ``Input``/``Output``/``State`` and every chart must name an id from ``ids``, no
string literal anywhere may repeat an id's value, and the scripts in assets/ get the ids they need from
``data-`` attributes on the layout.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from dashboard import ids

ROOT = Path(__file__).resolve().parents[2]
PAGE_PREFIXES = ("shell", "upload", "model", "clusters", "downloads", "orders", "rfm-groups", "library")
_ID_LIKE = re.compile(r"^(?:%s)-[a-z0-9-]+$" % "|".join(PAGE_PREFIXES))


def _id_values() -> set[str]:
    values = {ids.page_query("x")["type"], ids.retry_reason("x")["type"]}
    for owner in vars(ids).values():
        if isinstance(owner, type):
            values |= {v for k, v in vars(owner).items() if k.isupper() and isinstance(v, str)}
    return values


def _python_sources() -> list[Path]:
    files = sorted((ROOT / "pages").rglob("*.py")) + sorted((ROOT / "dashboard").glob("*.py"))
    return [f for f in files if f.name != "ids.py"]


def _is_literal(node: ast.AST) -> bool:
    return isinstance(node, ast.JoinedStr) or (isinstance(node, ast.Constant) and isinstance(node.value, str))


def _inline_ids(path: Path, known: set[str]) -> list[str]:
    """Where ``path`` spells an id itself: as ``id=``, the id of a callback dependency or of a chart, or a
    string equal to an id in ids.py."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        where = f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path.name}:{getattr(node, 'lineno', '?')}"
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in known:
            found.append(f"{where} repeats the id {node.value!r}")
        if not isinstance(node, ast.Call):
            continue
        name = getattr(node.func, "id", getattr(node.func, "attr", ""))
        spelled: list[ast.AST] = [kw.value for kw in node.keywords if kw.arg == "id"]
        if name in ("Input", "Output", "State", "chart") and node.args:
            spelled.append(node.args[0])
        for value in spelled:
            parts = [value] + ([v for k, v in zip(value.keys, value.values) if getattr(k, "value", None) == "type"]
                               if isinstance(value, ast.Dict) else [])
            found += [f"{where} writes the id {ast.unparse(p)} inline" for p in parts if _is_literal(p)]
    return found


def test_pages_and_dashboard_take_every_id_from_ids_py():
    known = _id_values()
    problems = [problem for path in _python_sources() for problem in _inline_ids(path, known)]
    assert problems == []


def test_the_check_finds_an_inline_id(tmp_path):
    """The check above can fail: a module spelling an id in each way it looks for."""
    sample = tmp_path / "sample.py"
    source = ('from dash import Input, Output, html\n'
              'a = html.Div(id="clusters-new-thing")\n'
              'b = Output("model-other", "children")\n'
              'c = html.Div(id={"type": "library-x", "index": 1})\n'
              f'd = "{ids.Clusters.SCATTER}"\n')
    sample.write_text(source, encoding="utf-8")
    assert len(_inline_ids(sample, _id_values())) == 4


def test_scripts_spell_no_id():
    """assets/*.js read the ids they need from data- attributes (see dashboard.components.dropzone_data)."""
    known = _id_values()
    problems = []
    for path in sorted((ROOT / "assets").glob("*.js")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for literal in re.findall(r"""["']([^"'\s]+)["']""", line):
                if literal in known or _ID_LIKE.match(literal):
                    problems.append(f"{path.name}:{number} spells the id {literal!r}")
    assert problems == []
