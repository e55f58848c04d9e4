"""Issue 25 item 1: no module of the package reads another module's underscore names.

An AST walk over ``ve_hooks``: ``from ve_hooks.x import _name``, ``module._name`` on an imported
package module, and ``obj._name`` where ``_name`` is defined nowhere in the reading module (so it
is another module's object's private field, like the language server writing ``Repo._files``).
A module's own privates, ``self``/``cls`` and other libraries' objects are not this test's business.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "ve_hooks"
# Public API that happens to start with an underscore (named tuples).
PUBLIC = {"_replace", "_asdict", "_fields", "_make"}


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__") and name not in PUBLIC


def reaches(source: str) -> list[tuple[int, str]]:
    """(line, what) for every read of another module's private name in one module's source."""
    tree = ast.parse(source)
    own: set[str] = set()
    ours: set[str] = set()  # names bound by importing a ve_hooks module or object
    theirs: set[str] = set()  # names bound by importing anything else
    found: list[tuple[int, str]] = []
    for n in ast.walk(tree):
        if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            own.add(n.name)
        elif isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store):
            own.add(n.id)
        elif isinstance(n, ast.arg):
            own.add(n.arg)
        elif isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name) and n.value.id in ("self", "cls"):
            own.add(n.attr)
        elif isinstance(n, ast.Import):
            for a in n.names:
                (ours if a.name.startswith("ve_hooks") else theirs).add(a.asname or a.name.split(".")[0])
        elif isinstance(n, ast.ImportFrom):
            package = n.level > 0 or (n.module or "").startswith("ve_hooks")
            for a in n.names:
                (ours if package else theirs).add(a.asname or a.name)
                if package and _private(a.name):
                    found.append((n.lineno, f"from {'.' * n.level}{n.module or ''} import {a.name}"))
    for n in ast.walk(tree):
        if not (isinstance(n, ast.Attribute) and _private(n.attr)):
            continue
        base = n.value.id if isinstance(n.value, ast.Name) else None
        if base in ("self", "cls") or base in theirs:
            continue
        if base in ours or n.attr not in own:
            found.append((n.lineno, ast.unparse(n)))
    return found


def test_no_module_reads_another_modules_private_names() -> None:
    bad = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).as_posix()
        for line, what in reaches(path.read_text(encoding="utf-8")):
            bad.append(f"ve_hooks/{rel}:{line}: {what}")
    assert not bad, "another module's private names read:\n" + "\n".join(bad)


def test_the_walk_finds_each_kind_of_reach() -> None:
    src = ("from ve_hooks.repo import Repo, _namespace\nfrom ve_hooks.rules import created_after as ordering\n"
           "import sys\n\nclass Mine:\n    def __init__(self):\n        self._own = 1\n\n"
           "def f(old: Repo, m: Mine):\n    new = Repo()\n    new._files = {}\n    ordering._graph(old)\n"
           "    sys._getframe()\n    return m._own, old.files._replace()\n")
    assert [w for _, w in reaches(src)] == ["from ve_hooks.repo import _namespace", "new._files", "ordering._graph"]
