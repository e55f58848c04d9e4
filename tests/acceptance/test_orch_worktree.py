"""The orchestrator's layout: each chunk is worked on in a ``git worktree`` on an ``orch/<chunk>``
branch while the mainline moves on. Tips, the created_after fixer, the validator and backfill
run inside that worktree must read its own HEAD and index, never the main checkout's.
"""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from support.cli import ve
from support.repo_factory import GitRepo
from test_pre_commit import _commit, _install, _seed, local_config


def test_hooks_and_tools_in_an_orch_worktree_use_its_head_and_index(repo: GitRepo, tmp_path: Path) -> None:
    _install(repo, local_config())  # installed once, in the common git dir: worktrees share it
    _seed(repo)
    repo.add()
    assert _commit(repo.path, "base").returncode == 0
    wt = tmp_path / "orch-gamma"
    repo.git("worktree", "add", "-q", str(wt), "-b", "orch/gamma")
    # the mainline moves on: a tip the worktree must not see
    repo.chunk("mainline", created_after=["beta"])
    repo.add()
    p = _commit(repo.path, "mainline")
    assert p.returncode == 0, p.stdout

    w = GitRepo(wt)
    w.chunk("gamma", status="FUTURE")
    w.add()
    p = ve("tips", "--staged", "--format", "json", cwd=wt)
    assert json.loads(p.stdout)["tips"] == ["beta"], p.stderr  # gamma is FUTURE; no "mainline"
    first = _commit(wt, "gamma")
    assert first.returncode != 0 and "Fixing docs/chunks/gamma/GOAL.md" in first.stdout, first.stdout
    front = yaml.safe_load((wt / "docs/chunks/gamma/GOAL.md").read_text().split("---")[1])
    assert front["created_after"] == ["beta"]  # the worktree's HEAD, not main's
    w.add()
    second = _commit(wt, "gamma")
    assert second.returncode == 0, second.stdout
    assert w.git("rev-parse", "--abbrev-ref", "HEAD").strip() == "orch/gamma"

    # the validator reads the worktree's index: "mainline" does not exist there
    w.chunk("delta", created_after=["mainline"])
    w.add()
    p = ve("--staged", "--select", "VE401", cwd=wt, prog="ve-validate")
    assert p.returncode == 1 and "docs/chunks/delta/GOAL.md" in p.stdout and "mainline" in p.stdout, p.stdout
    p = ve("--staged", "--select", "VE401", cwd=repo.path, prog="ve-validate")
    assert p.returncode == 0, p.stdout  # and the main checkout's index knows nothing of delta
    w.git("reset", "-q", "HEAD", "docs/chunks/delta")

    # backfill in the worktree audits the branch's history, dating gamma on the branch
    p = ve("created-after", "backfill", "--format", "json", cwd=wt)
    rows = {r["name"]: r for r in json.loads(p.stdout)["artifacts"]}
    assert set(rows) == {"alpha", "beta", "gamma"}
    assert rows["gamma"]["created_in"] == w.head() and rows["gamma"]["class"] == "exact"

    # merged back: gamma keeps its branch commit and its value
    repo.git("merge", "-q", "--no-ff", "--no-edit", "orch/gamma")
    p = ve("created-after", "backfill", "--format", "json", cwd=repo.path)
    rows = {r["name"]: r for r in json.loads(p.stdout)["artifacts"]}
    assert rows["gamma"]["created_in"] == w.head() and rows["gamma"]["computed"] == ["beta"]
    assert rows["gamma"]["class"] == "exact" and p.returncode == 0, p.stdout
