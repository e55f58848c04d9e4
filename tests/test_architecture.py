"""The package's import graph against docs/architecture.md's layer table.

The table is the one statement of the layers: its rows go from the bottom (1) to the top, a
module may import its own layer and the ones below, never one above, and no two modules may
import each other, directly or round a circle (a lazy import inside a function counts: it only
hides the circle). Imports under ``if TYPE_CHECKING:`` are left out: they never run; so is a
module's import of its own package, which Python imports first anyway. Each module
of the package is named in its layer's row, so a new module is placed on purpose.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "ve_hooks"
DOC = ROOT / "docs" / "architecture.md"


def _modules() -> dict[str, Path]:
    out: dict[str, Path] = {}
    for f in sorted(PACKAGE.rglob("*.py")):
        parts = f.relative_to(ROOT).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = f
    return out


MODULES = _modules()


def _type_checking_lines(tree: ast.AST) -> set[int]:
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                lines.update(range(child.lineno, (child.end_lineno or child.lineno) + 1))
    return lines


def imports_of(name: str) -> set[str]:
    """The package modules ``name`` imports at run time (at top level or inside a function)."""
    path = MODULES[name]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = _type_checking_lines(tree)
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    out: set[str] = set()
    for node in ast.walk(tree):
        if getattr(node, "lineno", None) in skip:
            continue
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package[: len(package) - (node.level - 1)]
                base = ".".join([*up, base] if base else up)
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in MODULES else base for a in node.names]
        else:
            continue
        for t in targets:
            while t and t not in MODULES:  # ``import ve_hooks.orch.cli.group`` names a module; keep the longest
                t = t.rpartition(".")[0]
            if t.startswith("ve_hooks") and t != name and not name.startswith(t + "."):
                out.add(t)  # a package is imported before its modules anyway: no edge to one's own
    return out


GRAPH = {name: imports_of(name) for name in MODULES}


def _layers() -> list[tuple[str, str]]:
    """(layer name, modules cell) per row of the layer table, bottom first."""
    text = DOC.read_text(encoding="utf-8")
    section = text.split("## Layers", 1)[1].split("\n## ", 1)[0]
    rows = []
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 3 and cells[0].isdigit():
            rows.append((int(cells[0]), cells[1], cells[2]))
    assert rows, "docs/architecture.md has no numbered layer table under '## Layers'"
    assert [r[0] for r in rows] == list(range(1, len(rows) + 1)), "layers are numbered 1, 2, ... from the bottom"
    return [(layer, cell) for _, layer, cell in rows]


LAYERS = _layers()


def _names(cell: str) -> set[str]:
    return set(re.findall(r"`([\w./]+)`", cell))


def layer_of(name: str) -> int:
    """The row whose modules cell names this module's package folder (``orch/``, or a deeper one
    such as ``orch/cli/`` where the table places it apart) or, for a top-level module, its file
    (``git.py``); the most specific name wins."""
    parts = name.split(".")[1:]
    if not parts:
        keys = ["ve_hooks/__init__.py"]
    else:
        is_package = (PACKAGE.joinpath(*parts)).is_dir()
        folders = parts if is_package else parts[:-1]
        keys = ["/".join(folders[:i]) + "/" for i in range(len(folders), 0, -1)]
        if len(parts) == 1 and not is_package:
            keys = [f"{parts[0]}.py"]
    for key in keys:
        found = [i for i, (_, cell) in enumerate(LAYERS) if key in _names(cell)]
        if found:
            assert len(found) == 1, f"{name}: `{key}` is named in {len(found)} rows of the layer table"
            return found[0]
    raise AssertionError(f"{name}: none of {keys} is named in docs/architecture.md's layer table")


def test_every_module_is_named_in_its_layer() -> None:
    missing = []
    for name, path in MODULES.items():
        if path.name == "__init__.py" and name != "ve_hooks":
            continue  # a package is named by its folder
        cell = LAYERS[layer_of(name)][1]
        if path.name not in _names(cell) and f"{path.parent.name}/{path.name}" not in _names(cell):
            missing.append(f"{name} ({path.name} in the row of {LAYERS[layer_of(name)][0]})")
    assert not missing, "modules not named in docs/architecture.md's layer table:\n" + "\n".join(missing)


def test_no_import_runs_up_a_layer() -> None:
    bad = []
    for name, targets in GRAPH.items():
        mine = layer_of(name)
        for t in sorted(targets):
            theirs = layer_of(t)
            if theirs > mine:
                bad.append(f"{name} ({LAYERS[mine][0]}) imports {t} ({LAYERS[theirs][0]})")
    assert not bad, "imports that run back up a layer:\n" + "\n".join(bad)


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []
    counter = 0
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on.add(start)
        while work:
            node, it = work[-1]
            nxt = next(it, None)
            if nxt is not None:
                if nxt not in index:
                    index[nxt] = low[nxt] = counter
                    counter += 1
                    stack.append(nxt)
                    on.add(nxt)
                    work.append((nxt, iter(sorted(graph[nxt]))))
                elif nxt in on:
                    low[node] = min(low[node], index[nxt])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                comp = []
                while True:
                    m = stack.pop()
                    on.discard(m)
                    comp.append(m)
                    if m == node:
                        break
                if len(comp) > 1:
                    out.append(sorted(comp))
    return out


def test_no_import_circles() -> None:
    assert circles(GRAPH) == []


@pytest.mark.parametrize("graph, circle", [
    ({"a": {"b"}, "b": {"a"}}, True),
    ({"a": {"b"}, "b": {"c"}, "c": {"a"}}, True),
    ({"a": {"b"}, "b": {"c"}, "c": set()}, False),
])
def test_the_circle_finder_finds_circles(graph: dict[str, set[str]], circle: bool) -> None:
    assert bool(circles(graph)) is circle
