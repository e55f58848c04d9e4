"""The GitHub Action: action.yml wiring and its run step, scripts/ci-validate.sh, run as the Action runs it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from support.cli import script
from support.repo_factory import GitRepo

CHECKOUT = Path(__file__).parents[2]
SCRIPT = CHECKOUT / "scripts" / "ci-validate.sh"
VALIDATE = script("ve-validate")


def _run(repo: GitRepo, **env: str) -> subprocess.CompletedProcess[str]:
    full = {**os.environ, "VE_VALIDATE": VALIDATE, "GITHUB_ACTION_PATH": str(CHECKOUT), **env}
    return subprocess.run([str(SCRIPT)], cwd=repo.path, env=full, capture_output=True, text=True, timeout=120)


def _bad_repo(repo: GitRepo) -> None:
    repo.chunk("alpha")
    repo.chunk("broken", status="BOGUS")
    repo.write("src/app.py", "def main():\n    pass\n")
    repo.commit("base")


def test_findings_become_annotations_and_fail(repo: GitRepo) -> None:
    _bad_repo(repo)
    p = _run(repo)
    assert p.returncode == 1, p.stderr
    assert "::error file=docs/chunks/broken/GOAL.md,line=" in p.stdout and "VE201" in p.stdout


def test_sarif_is_written_even_when_the_step_fails(repo: GitRepo) -> None:
    _bad_repo(repo)
    p = _run(repo, VE_SARIF_FILE="out/ve.sarif", VE_ARGS="--ignore VE502")
    assert p.returncode == 1, p.stderr
    sarif = json.loads((repo.path / "out" / "ve.sarif").read_text())
    results = sarif["runs"][0]["results"]
    assert {r["ruleId"] for r in results} >= {"VE201"} and "VE502" not in {r["ruleId"] for r in results}


def test_paths_limit_the_check(repo: GitRepo) -> None:
    _bad_repo(repo)
    p = _run(repo, VE_PATHS="docs/chunks/alpha docs/chunks/alpha/GOAL.md")
    assert p.returncode == 0, p.stdout + p.stderr
    assert "::error" not in p.stdout


def test_pull_request_mode_reports_only_what_the_branch_adds(repo: GitRepo, tmp_path: Path) -> None:
    _bad_repo(repo)  # main already has a VE201
    origin = tmp_path / "origin.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(repo.path), str(origin)], check=True)
    repo.git("remote", "add", "origin", str(origin))
    repo.git("checkout", "-q", "-b", "feature")
    repo.chunk("alpha", depends_on=["nowhere"])
    repo.commit("feature: a bad reference")
    assert _run(repo).stdout.count("::error") == 2
    p = _run(repo, VE_NEW_FROM_REV="merge-base", GITHUB_BASE_REF="main")  # origin/main is fetched
    assert p.returncode == 1, p.stderr
    assert p.stdout.count("::error") == 1 and "VE401" in p.stdout and "VE201" not in p.stdout
    p = _run(repo, VE_NEW_FROM_REV="merge-base", GITHUB_BASE_REF="")
    assert p.returncode == 2 and "pull_request" in p.stdout


def test_action_inputs_reach_the_script() -> None:
    action = yaml.safe_load((CHECKOUT / "action.yml").read_text())
    assert set(action["inputs"]) == {"paths", "sarif-file", "args", "new-from-rev", "python-version"}
    steps = action["runs"]["steps"]
    assert action["runs"]["using"] == "composite"
    run_step = steps[-1]
    assert "scripts/ci-validate.sh" in run_step["run"]
    assert run_step["env"] == {"VE_PATHS": "${{ inputs.paths }}", "VE_ARGS": "${{ inputs.args }}",
                               "VE_SARIF_FILE": "${{ inputs.sarif-file }}",
                               "VE_NEW_FROM_REV": "${{ inputs.new-from-rev }}"}
    assert any('pip install' in s.get("run", "") and "$GITHUB_ACTION_PATH" in s["run"] for s in steps)
    assert os.access(SCRIPT, os.X_OK)


def test_every_hook_is_documented_and_has_its_entry_point() -> None:
    tomllib = pytest.importorskip("tomllib" if sys.version_info >= (3, 11) else "tomli")

    hooks = yaml.safe_load((CHECKOUT / ".pre-commit-hooks.yaml").read_text())
    scripts = tomllib.loads((CHECKOUT / "pyproject.toml").read_text())["project"]["scripts"]
    doc = (CHECKOUT / "docs" / "pre-commit.md").read_text()
    for h in hooks:
        assert f"`{h['id']}`" in doc and h["entry"] in scripts
        assert h["language"] == "python" and h["minimum_pre_commit_version"] == "3.2.0" and h["stages"]
