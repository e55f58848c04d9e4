"""Rules are declared beside their checks: every declaration runs, and no diagnostic states its
own severity. Adding a rule is one family module (here: a fixture) and no registry edit."""

from __future__ import annotations

import ast
import importlib
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.repo_factory import GitRepo

from ve_hooks.diagnostic import Severity
from ve_hooks.rules import registry
from ve_hooks.validation import engine

PACKAGE = Path(registry.__file__).resolve().parents[1]


def _sources() -> Iterator[tuple[Path, ast.AST]]:
    for path in sorted(PACKAGE.rglob("*.py")):
        yield path, ast.parse(path.read_text(encoding="utf-8"))


def _declaration_calls(tree: ast.AST) -> set[int]:
    """ids of the nodes inside ``Rule(...)`` calls (the declarations themselves)."""
    inside: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "Rule":
            inside.update(id(n) for n in ast.walk(node))
    return inside


def _uses() -> set[str]:
    """Codes the package uses outside their declarations: as a "VE401" literal or a VE401 name."""
    used: set[str] = set()
    for _path, tree in _sources():
        declared = _declaration_calls(tree)
        for node in ast.walk(tree):
            if id(node) in declared:
                continue
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in registry.RULES:
                used.add(node.value)
            elif isinstance(node, ast.Name) and node.id in registry.RULES and isinstance(node.ctx, ast.Load):
                used.add(node.id)
    return used


def test_every_declared_rule_can_run() -> None:
    rules = registry.rules()
    for module in registry.family_modules():
        mod = importlib.import_module(module)
        assert any(hasattr(mod, hook) for hook in ("check", "check_file", "check_sources")), \
            f"{module} declares rules but checks nothing"
    never = sorted(set(rules) - _uses())
    assert never == [], f"declared but never emitted: {never}"


def test_no_severity_is_stated_outside_a_declaration() -> None:
    """The declaration is the one statement of a rule's severity: family modules and the parser
    never name one themselves."""
    checked = {Path(sys.modules[m].__file__ or "").resolve() for m in registry.family_modules()}
    checked |= set((PACKAGE / "documents").glob("*.py"))
    stated = []
    for path, tree in _sources():
        if path not in checked:
            continue
        declared = _declaration_calls(tree)
        for node in ast.walk(tree):
            if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                    and node.value.id == "Severity" and id(node) not in declared):
                stated.append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
    assert stated == []


def _violations(repo: GitRepo) -> None:
    """One repository breaking rules of every family, warnings and softer cases included."""
    repo.write("src/app.py", "def main():\n    pass\n")
    repo.write("docs/narratives/story/OVERVIEW.md", "---\nstatus: ACTIVE\nproposed_chunks: []\n---\n# Story\n")
    repo.chunk("base", "ACTIVE")
    repo.commit()
    repo.chunk("fix", "ACTIVE", ["base"], bug_type="implementation", code_references=[])
    repo.chunk("bare", "ACTIVE", ["base"], code_references=[])
    repo.chunk("told", "ACTIVE", ["base"], narrative="story", colour="blue")
    repo.chunk("plans", "IMPLEMENTING", ["base"], code_paths=["src/later.py"])
    repo.chunk("empty", "FUTURE")
    repo.chunk("refs", "ACTIVE", ["base"], code_paths=["src/later.py"], code_references=[{"ref": "src/app.py#nope", "implements": "x"},
                                                             {"ref": "src/gone.py#main", "implements": "y"},
                                                             {"ref": "org/other::src/x.py#f", "implements": "z"}])
    repo.write("docs/chunks/bom/GOAL.md", b"\xef\xbb\xbf" + repo.read("docs/chunks/base/GOAL.md"))
    repo.write("docs/chunks/broken/GOAL.md", "---\nstatus: [\n---\n")
    repo.write("docs/chunks/plans/PLAN.md", "# Plan\n\n## Approach\n\n<!-- how -->\n")
    repo.add()


def test_diagnostics_carry_their_declared_severity(repo: GitRepo) -> None:
    _violations(repo)
    out = engine.run(engine.Options(repo=str(repo.path), staged=True))
    seen = {d.rule for d in out.diagnostics}
    assert {"VE104", "VE110", "VE205", "VE303", "VE404", "VE503", "VE502", "VE606", "VE701",
            "VE703"} <= seen, seen
    wrong = []
    for d in out.diagnostics:
        rule = registry.get(d.rule)
        assert rule is not None, d
        allowed = {rule.severity, rule.softer_severity} if rule.softer else {rule.severity}
        if d.severity not in allowed:
            wrong.append((d.rule, d.severity.value, rule.severity.value))
    assert wrong == []
    # The softer case is the declared one, and only where the declaration says: a reference into
    # another repository; a stale code_paths entry is an error, as in vibe-engineer 0.10.0.
    planned = [d for d in out.diagnostics if d.rule == "VE701" and "code_paths" in d.message]
    assert planned and {d.severity for d in planned} == {Severity.ERROR}
    other = [d for d in out.diagnostics if d.rule == "VE701" and "org/other::" in d.message]
    assert other and {d.severity for d in other} == {Severity.WARNING}


FAMILY = '''
"""A family added by a test: one module, no registry edit."""
from ve_hooks.diagnostic import Severity
from ve_hooks.rules.registry import Page, Rule

VE799 = Rule("VE799", "shouting-title", Severity.WARNING, "A chunk's status is shouted twice",
             page_text=Page("Flags it.", "Noise.", "```yaml\\nstatus: ACTIVE\\n```", "Say it once."))


def check(target, ctx):
    if target.art.kind == "chunk" and target.data.get("status") == "ACTIVE":
        yield ctx.diag("VE799", target, ("status",), "status is ACTIVE", "lower your voice")
'''


@pytest.fixture
def new_family(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "shouting.py").write_text(textwrap.dedent(FAMILY), encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path / "pkg"))
    importlib.import_module("shouting")
    yield "VE799"
    registry.undeclare("VE799")
    sys.modules.pop("shouting", None)


def test_a_rule_declared_in_a_new_module_runs_without_a_registry_edit(repo: GitRepo, new_family: str) -> None:
    repo.chunk("loud", "ACTIVE")
    repo.commit()
    out = engine.run(engine.Options(repo=str(repo.path)))
    [d] = [d for d in out.diagnostics if d.rule == new_family]
    assert (d.path, d.severity, d.line) == ("docs/chunks/loud/GOAL.md", Severity.WARNING, 2)
    # select/ignore, the pages and did-you-mean all know it from its declaration alone
    assert not [d for d in engine.run(engine.Options(repo=str(repo.path), ignore=["VE79"])).diagnostics
                if d.rule == new_family]
    from ve_hooks.rules.docs import expected_docs

    assert "# VE799 shouting-title" in expected_docs()["VE799.md"]
    assert registry.suggest("shouting-titel") == "VE799"


def test_a_code_is_declared_once(new_family: str) -> None:
    with pytest.raises(ValueError, match="declared twice"):
        registry.Rule("VE799", "other", Severity.ERROR, "Another", module="elsewhere")


def test_the_wiring_test_sees_a_declaration_nothing_emits(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "silent.py").write_text(
        "from ve_hooks.diagnostic import Severity\nfrom ve_hooks.rules.registry import Rule\n"
        "VE798 = Rule('VE798', 'never-emitted', Severity.ERROR, 'Declared and forgotten')\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        importlib.import_module("silent")
        assert "VE798" in set(registry.rules()) - _uses()
    finally:
        registry.undeclare("VE798")
        sys.modules.pop("silent", None)
