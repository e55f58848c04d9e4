"""``ve-validate --statistics``: findings per rule in ruff's shape, exit code unchanged."""

from __future__ import annotations

import json
import subprocess

from support.cli import script
from support.repo_factory import GitRepo

VE_VALIDATE = script("ve-validate")


def _run(repo: GitRepo, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([VE_VALIDATE, "--statistics", *args], cwd=repo.path, capture_output=True, text=True)


def _seed(repo: GitRepo) -> None:
    repo.chunk("alpha", "FUTURE")
    repo.chunk("beta", "FUTURE", narrative="nope", colour="blue", size=1)
    repo.chunk("gamma", "FUTURE", narrative="gone")
    repo.commit("chunks")


def test_text_statistics_count_code_marker_name(repo: GitRepo) -> None:
    _seed(repo)
    p = _run(repo)
    assert p.returncode == 1, p.stderr
    lines = p.stdout.splitlines()
    assert lines[:2] == ["2\tVE205\t[ ] unknown-field", "2\tVE401\t[ ] missing-reference"]
    assert lines[-1] == "Found 2 errors and 2 warnings in 3 files."
    assert not any(line.startswith("docs/") for line in lines)  # counts instead of findings


def test_json_statistics_and_a_clean_run(repo: GitRepo) -> None:
    _seed(repo)
    rows = json.loads(_run(repo, "--format", "json").stdout)
    assert rows == [{"code": "VE205", "name": "unknown-field", "count": 2, "fixable": False},
                    {"code": "VE401", "name": "missing-reference", "count": 2, "fixable": False}]
    p = _run(repo, "--select", "VE205")
    assert p.returncode == 0 and p.stdout.splitlines() == ["2\tVE205\t[ ] unknown-field",
                                                           "Found 2 warnings in 3 files."]
    p = _run(repo, "--select", "VE7")
    assert p.returncode == 0 and p.stdout == "All checks passed (3 files).\n"
