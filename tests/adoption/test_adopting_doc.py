"""docs/adopting.md, followed as written: every command of its blocks runs, in order, on a
repository with old errors, with the hooks of docs/pre-commit.md's ``repo: local`` recipe under
the real pre-commit; what the page promises between the commands is checked here too."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import yaml
from support.cli import BIN
from support.docblocks import ROOT, blocks
from support.repo_factory import GitRepo

DOC = "docs/adopting.md"
FILE = "ve-hooks-suppressions.json"


def local_recipe() -> str:
    """The ``repo: local`` configuration of docs/pre-commit.md, verbatim."""
    text = (ROOT / "docs/pre-commit.md").read_text()
    for block in re.findall(r"(?ms)^```yaml\n(.*?)^```", text):
        c = yaml.safe_load(block)
        if isinstance(c, dict) and c.get("repos", [{}])[0].get("repo") == "local":
            return block
    raise AssertionError("docs/pre-commit.md has no repo: local recipe")


def sh(line: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    return subprocess.run(["bash", "-c", line], cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


def run_block(name: str, cwd: Path) -> list[subprocess.CompletedProcess[str]]:
    """Each command of the block; its exit status is the one its ``# exit N`` comment names, else 0."""
    out = []
    for line in blocks(DOC)[name]:
        m = re.search(r"#\s*exit (\d+)", line)
        p = sh(line, cwd)
        assert p.returncode == (int(m[1]) if m else 0), (line, p.stdout, p.stderr)
        out.append(p)
    return out


def commit(repo: GitRepo, message: str) -> subprocess.CompletedProcess[str]:
    return sh(f"git commit -qam {message!r}", repo.path)


def test_adopting_walkthrough(tmp_path: Path) -> None:
    assert set(blocks(DOC)) == {"survey", "record", "hooks", "prune", "one-rule", "ci"}
    r = GitRepo.init(tmp_path / "legacy")
    r.write("src/app.py", "def main():\n    pass\n")
    r.chunk("base")
    r.chunk("old_work", created_after=["base"], depends_on=["never_was", "nor_this"])
    r.chunk("other", created_after=["old_work"])
    r.write(".pre-commit-config.yaml", local_recipe())
    r.commit("a repository that lived without ve-hooks")
    origin = tmp_path / "origin.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(r.path), str(origin)], check=True)
    r.git("remote", "add", "origin", str(origin))
    r.git("fetch", "-q", "origin")

    (survey,) = run_block("survey", r.path)
    assert "VE401" in survey.stdout

    record = run_block("record", r.path)
    assert FILE in record[0].stdout
    assert "2 errors suppressed" in record[-1].stdout
    assert json.loads((r.path / FILE).read_text()) == {
        "suppressions": {"docs/chunks/old_work/GOAL.md": {"VE401": 2}}, "version": 1}

    run_block("hooks", r.path)
    goal = r.path / "docs/chunks/old_work/GOAL.md"
    goal.write_text(goal.read_text().replace("Do the thing.", "Do the thing.\n\nA longer explanation."))
    assert commit(r, "edit a chunk with recorded errors").returncode == 0
    r.chunk("other", status="DONE", created_after=["old_work"])
    blocked = commit(r, "a wrong status")
    assert blocked.returncode != 0
    assert re.findall(r"\S+:\d+:\d+: VE\d+", blocked.stdout + blocked.stderr) == \
        ["docs/chunks/other/GOAL.md:2:1: VE201"]
    r.chunk("other", created_after=["old_work"])

    r.chunk("old_work", created_after=["base"], depends_on=["never_was"])  # one old error fixed
    prune = run_block("prune", r.path)
    assert "(was 2)" in prune[0].stdout
    assert json.loads((r.path / FILE).read_text())["suppressions"] == {"docs/chunks/old_work/GOAL.md": {"VE401": 1}}

    run_block("one-rule", r.path)
    assert json.loads((r.path / FILE).read_text())["suppressions"] == {"docs/chunks/old_work/GOAL.md": {"VE401": 1}}

    r.git("push", "-q", "origin", "main")
    r.git("checkout", "-q", "-b", "feature")
    r.chunk("other", created_after=["old_work"], depends_on=["imaginary"])
    r.add()
    r.git("commit", "-q", "--no-verify", "-m", "a new bad reference")
    (ci,) = run_block("ci", r.path)
    found = re.findall(r"(\S+):\d+:\d+: (VE\d+)", ci.stdout)
    assert found == [("docs/chunks/other/GOAL.md", "VE401")] and "imaginary" in ci.stdout
