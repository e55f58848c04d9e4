"""`--rev REV` agrees with a checkout of REV; `--staged` agrees with a commit of the index."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from support.cli import BIN
from support.repo_factory import GitRepo


def _validate(cwd: Path, *args: str) -> list[tuple[str, str, int, int]]:
    p = subprocess.run([str(BIN / "ve-validate"), "--format", "json", *args], cwd=cwd, capture_output=True,
                       text=True, env={**os.environ, "VE_HOOKS_CACHE_DIR": ""}, timeout=120)
    assert p.returncode in (0, 1), p.stderr
    # Messages may say "which this change deletes" where a checkout can only say "does not
    # exist": the finding and its place are what must agree.
    return sorted((d["path"], d["rule"], d["line"], d["column"]) for d in json.loads(p.stdout)["diagnostics"])


def _history(repo: GitRepo) -> list[str]:
    repo.write("src/app.py", "class App:\n    def run(self):\n        pass\n")
    repo.chunk("alpha", "ACTIVE", code_references=[{"ref": "src/app.py#App::run", "implements": "x"}])
    repo.chunk("beta", "FUTURE", ["alpha"])
    first = repo.commit("one")
    repo.chunk("beta", "ACTIVE", ["alpha"], code_references=[{"ref": "src/app.py#App::stop", "implements": "y"}])
    repo.chunk("gamma", "ACTIVE", ["beta", "ghost"], narrative="nowhere")
    repo.remove("docs/chunks/alpha")
    second = repo.commit("two")
    return [first, second]


def test_rev_agrees_with_a_checkout(repo: GitRepo, tmp_path: Path) -> None:
    revs = _history(repo)
    found = 0
    for rev in revs:
        wt = tmp_path / f"wt-{rev[:7]}"
        repo.git("worktree", "add", "-q", "--detach", str(wt), rev)
        # The worktree of a checkout compares with HEAD = REV, --rev with REV's parent: the
        # per-artifact findings that do not depend on history must be the same.
        at_rev = [d for d in _validate(repo.path, "--rev", rev) if d[1] not in ("VE501", "VE605", "VE606")]
        checkout = [d for d in _validate(wt) if d[1] not in ("VE501", "VE605", "VE606")]
        assert at_rev == checkout
        found += len(at_rev)
    assert found  # the history has problems to find: the comparison is not vacuous


def test_staged_agrees_with_a_commit_of_the_index(repo: GitRepo) -> None:
    _history(repo)
    repo.chunk("delta", "ACTIVE", ["gamma"], parent_chunk="alpha")  # names a chunk deleted before
    repo.git("add", "docs/chunks/delta/GOAL.md")
    repo.chunk("epsilon", "ACTIVE")  # worktree only: not part of the index
    staged = _validate(repo.path, "--staged")
    assert any(d[0] == "docs/chunks/delta/GOAL.md" and d[1] == "VE401" for d in staged)
    assert not any("epsilon" in d[0] for d in staged)
    repo.commit("three", add=False)
    assert _validate(repo.path, "--rev", "HEAD") == staged
