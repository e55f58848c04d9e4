"""``ve graph``: mermaid (GitHub-safe ids), dot and json."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

from support.cli import script
from support.repo_factory import GitRepo

VE = script("ve")


def ve(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([VE, *args], cwd=cwd, capture_output=True, text=True, timeout=120)


def build(repo: GitRepo) -> None:
    repo.chunk("a")
    repo.chunk('we"ird[name]', created_after=["a"])
    repo.chunk("c", created_after=["a"])
    repo.chunk("f", "FUTURE", created_after=["c"])
    repo.commit()


def test_json(repo: GitRepo) -> None:
    build(repo)
    p = ve("graph", "--format", "json", "--rev", "HEAD", cwd=repo.path)
    assert p.returncode == 0, p.stderr
    d = json.loads(p.stdout)
    assert d["rev"] == repo.head() and d["kind"] == "chunk"
    assert d["tips"] == ["c", 'we"ird[name]']
    assert {n["name"]: (n["status"], n["tip"]) for n in d["nodes"]} == {
        "a": ("ACTIVE", False), "c": ("ACTIVE", True), "f": ("FUTURE", False), 'we"ird[name]': ("ACTIVE", True)}
    assert sorted(map(tuple, d["edges"])) == [("c", "a"), ("f", "c"), ('we"ird[name]', "a")]


def test_mermaid_is_sanitised_and_marks_tips_and_future(repo: GitRepo) -> None:
    build(repo)
    p = ve("graph", cwd=repo.path)
    out = p.stdout
    assert out.startswith("```mermaid\nflowchart BT\n") and out.rstrip().endswith("```")
    for line in out.splitlines()[2:-1]:
        # every node declaration: a plain id and a quoted label without raw quotes or brackets inside
        m = re.fullmatch(r'  (n\d+)\["([^"\[\]]*)"\]', line)
        assert m or re.fullmatch(r"  n\d+ (-->|-\.->) n\d+", line) or line.startswith(("  classDef", "  class ")), line
    assert "we#34;ird#91;name#93;" in out
    assert "-.->" in out  # the FUTURE chunk's edge is dashed
    assert re.search(r"class n\d+ future", out) and re.search(r"class n\d+,n\d+ tip", out)


def test_dot_and_empty_repo(repo: GitRepo) -> None:
    p = ve("graph", "--format", "dot", cwd=repo.path)
    assert p.returncode == 0 and p.stdout.startswith('digraph "chunk"')
    build(repo)
    out = ve("graph", "--format", "dot", cwd=repo.path).stdout
    assert '"we\\"ird[name]" -> "a";' in out
    assert '"f" [label="f\\nFUTURE", style=dashed];' in out
    assert '"f" -> "c" [style=dashed];' in out
