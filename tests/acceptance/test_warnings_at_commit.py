"""Warnings reach the person committing, without failing the commit: the real pre-commit program
with the manifest's own settings (no ``verbose`` added by the test)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml
from support.cli import BIN
from support.repo_factory import GitRepo

CHECKOUT = Path(__file__).parents[2]


def _config() -> str:
    manifest = {h["id"]: h for h in yaml.safe_load((CHECKOUT / ".pre-commit-hooks.yaml").read_text())}
    hook = dict(manifest["ve-validate"], language="system", entry=str(BIN / manifest["ve-validate"]["entry"]))
    return yaml.safe_dump({"repos": [{"repo": "local", "hooks": [hook]}]}, sort_keys=False)


def test_warnings_are_shown_and_the_commit_passes(repo: GitRepo) -> None:
    repo.write(".pre-commit-config.yaml", _config())
    p = subprocess.run([sys.executable, "-m", "pre_commit", "install"], cwd=repo.path, capture_output=True,
                       text=True)
    assert p.returncode == 0, p.stderr
    repo.chunk("alpha", "FUTURE")
    repo.commit("base")
    repo.chunk("beta", "FUTURE", colour="blue")  # VE205 unknown field: a warning
    repo.add()
    p = subprocess.run(["git", "commit", "-m", "beta"], cwd=repo.path, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True, timeout=300)
    assert p.returncode == 0, p.stdout
    assert "docs/chunks/beta/GOAL.md:" in p.stdout and "VE205" in p.stdout, p.stdout
    assert "alpha" not in p.stdout  # only the files the hook checks
    assert repo.git("log", "-1", "--format=%s").strip() == "beta"
