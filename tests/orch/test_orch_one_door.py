"""One door to git for the orchestrator (issue 25 item 4): no orch module starts processes of its
own but the one that launches the agent; git goes through ``ve_hooks.git``."""

from __future__ import annotations

import ast
from pathlib import Path

import ve_hooks.orch

ORCH = Path(ve_hooks.orch.__file__).parent
LAUNCHES_THE_AGENT = {"agent.py"}


def _runtime_imports(tree: ast.Module) -> set[str]:
    """Modules imported outside ``if TYPE_CHECKING:`` blocks."""
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skip.update(id(n) for n in ast.walk(node))
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def test_only_the_agent_launcher_imports_subprocess() -> None:
    offenders = sorted(str(p.relative_to(ORCH)) for p in ORCH.rglob("*.py")
                       if p.name not in LAUNCHES_THE_AGENT and "subprocess" in _runtime_imports(ast.parse(p.read_text())))
    assert offenders == [], f"run git through ve_hooks.git (notes.git in orch), not subprocess: {offenders}"
