"""What a chunk must carry once under way, on real repositories: VE502/VE503 (lifecycle) and VE303 (template)."""

from __future__ import annotations

import json
import subprocess

from rule_support import run_rule
from support.cli import script
from support.repo_factory import GitRepo

from ve_hooks.diagnostic import Diagnostic, Severity
from ve_hooks.rules import lifecycle, template

VE_VALIDATE = script("ve-validate")
TEMPLATE_PLAN = """<!--
This document captures HOW you'll achieve the chunk's GOAL.
-->

# Implementation Plan

## Approach

<!--
How will you build this?
-->

## Sequence

<!-- Ordered steps. -->

---
"""


def _check(r: GitRepo, *, staged: bool = False) -> list[Diagnostic]:
    def both(target, ctx):  # type: ignore[no-untyped-def]
        return [d for fn in (lifecycle.check, template.check) for d in fn(target, ctx) if d.rule != "VE501"]

    return run_rule(both, r, staged=staged)


def test_active_chunk_needs_code_references(repo: GitRepo) -> None:
    repo.chunk("ok", "ACTIVE")  # the factory gives ACTIVE chunks a reference
    repo.chunk("bare", "ACTIVE", code_references=[])
    repo.chunk("planned", "FUTURE")
    repo.chunk("old", "HISTORICAL")
    repo.commit()
    [d] = _check(repo)
    assert (d.rule, d.path) == ("VE502", "docs/chunks/bare/GOAL.md")
    assert d.message.startswith("ACTIVE chunk has no code_references")


def test_completing_without_references_is_reported_as_completion(repo: GitRepo) -> None:
    repo.chunk("c", "IMPLEMENTING")
    repo.commit()
    repo.chunk("c", "ACTIVE", code_references=None)
    repo.add()
    [d] = _check(repo, staged=True)
    assert d.rule == "VE502" and d.message.startswith("chunk is being completed without code_references")
    p = subprocess.run([VE_VALIDATE, "--staged", "--format", "json", "--select", "VE502"], cwd=repo.path,
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 1, p.stderr
    assert [x["rule"] for x in json.loads(p.stdout)["diagnostics"]] == ["VE502"]


def test_bug_types(repo: GitRepo) -> None:
    # vibe-engineer 0.10.0 removed bug_type: an owning chunk needs code_references whatever it says.
    repo.chunk("impl", "ACTIVE", code_references=[], bug_type="implementation")
    repo.chunk("sem", "ACTIVE", code_references=[], bug_type="semantic")
    repo.chunk("impl_done", "HISTORICAL", code_references=[], bug_type="implementation")
    repo.chunk("shared", "COMPOSITE", code_references=[])
    repo.commit()
    got = sorted((d.rule, d.path.split("/")[2], d.severity) for d in _check(repo))
    assert got == [("VE502", "impl", Severity.ERROR), ("VE502", "sem", Severity.ERROR),
                   ("VE502", "shared", Severity.ERROR), ("VE503", "impl", Severity.WARNING)]
    sem = next(d for d in _check(repo) if d.path == "docs/chunks/sem/GOAL.md")
    assert "semantic bug fix" in sem.message


def test_plan_template_warning(repo: GitRepo) -> None:
    repo.chunk("filled", "ACTIVE")
    repo.write("docs/chunks/filled/PLAN.md", TEMPLATE_PLAN.replace("## Sequence", "Reuse the parser.\n\n## Sequence"))
    repo.chunk("empty", "IMPLEMENTING")
    repo.write("docs/chunks/empty/PLAN.md", TEMPLATE_PLAN)
    repo.chunk("queued", "FUTURE")
    repo.write("docs/chunks/queued/PLAN.md", TEMPLATE_PLAN)
    repo.chunk("no_plan", "ACTIVE")
    repo.commit()
    [d] = _check(repo)
    assert (d.rule, d.severity, d.path) == ("VE303", Severity.WARNING, "docs/chunks/empty/GOAL.md")
    assert "docs/chunks/empty/PLAN.md is still the empty template" in d.message
    # Fill it in the index only: --staged sees the plan, the worktree still the template.
    repo.write("docs/chunks/empty/PLAN.md", TEMPLATE_PLAN + "\n1. Write the parser.\n")
    repo.add()
    repo.write("docs/chunks/empty/PLAN.md", TEMPLATE_PLAN)
    assert _check(repo, staged=True) == []
    assert [d.rule for d in _check(repo)] == ["VE303"]


def test_plan_is_template_detection() -> None:
    assert template.plan_is_template(TEMPLATE_PLAN)
    assert template.plan_is_template("")
    assert template.plan_is_template("---\nx: 1\n---\n# Plan\n<!-- unclosed comment\nstill comment")
    assert not template.plan_is_template("# Plan\n\n- step one\n")
    assert not template.plan_is_template("<!-- c -->text after a comment\n")
