"""ve-validate --new-from-rev / --from-ref --to-ref: findings matched by rule, artifact identity
(through renames) and subject, never by line; transitions judged on every commit of the range."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.cli import ve
from support.repo_factory import GitRepo, render_frontmatter


def validate(repo: GitRepo, *args: str):  # noqa: ANN201
    return ve(*args, cwd=repo.path, prog="ve-validate")


def found(out: str) -> list[str]:
    """``path CODE`` of each finding line of the text output."""
    return [f"{ln.split(':', 1)[0]} {ln.split(': ', 1)[1].split()[0]}" for ln in out.splitlines()
            if ln.count(":") >= 3 and not ln.startswith(" ")]


def narrative(name: str, chunks: list[str]) -> tuple[str, str]:
    data = {"status": "ACTIVE", "advances_trunk_goal": "x", "created_after": [],
            "proposed_chunks": [{"prompt": "p", "chunk_directory": c} for c in chunks]}
    return f"docs/narratives/{name}/OVERVIEW.md", f"---\n{render_frontmatter(data)}---\n\n# {name}\n"


@pytest.fixture
def project(tmp_path: Path) -> GitRepo:
    """An old error (a reference to ``gone``) in ``old``, and a narrative naming ``target``."""
    r = GitRepo.init(tmp_path / "p")
    r.write("src/app.py", "def main():\n    pass\n")
    r.chunk("base")
    r.chunk("target", created_after=["base"])
    r.chunk("old", created_after=["target"], depends_on=["gone"])
    r.write(*narrative("story", ["target"]))
    r.commit("start")
    return r


def test_a_finding_in_an_untouched_file_caused_elsewhere_is_new(project: GitRepo) -> None:
    start = project.head()
    project.remove("docs/chunks/target")
    project.chunk("old", created_after=["base"], depends_on=["gone"])
    project.commit("delete target")
    out = validate(project, "--new-from-rev", start)
    assert out.returncode == 1
    assert found(out.stdout) == ["docs/narratives/story/OVERVIEW.md VE401"]  # not old's VE401 on 'gone'
    assert "1 findings that existed at" in out.stderr
    everything = validate(project)
    assert sorted(found(everything.stdout)) == ["docs/chunks/old/GOAL.md VE401", "docs/narratives/story/OVERVIEW.md VE401"]


def test_lines_shift_and_renames_do_not_make_old_findings_new(project: GitRepo) -> None:
    start = project.head()
    project.git("mv", "docs/chunks/old", "docs/chunks/older")
    body = "# Chunk Goal\n\n" + "Many new lines.\n" * 5
    project.chunk("older", created_after=["target"], depends_on=["gone"], ticket=None, body=body,
                  friction_entries=[])
    project.commit("rename and edit")
    assert "docs/chunks/older/GOAL.md VE401" in found(validate(project).stdout)
    out = validate(project, "--new-from-rev", start)
    assert out.returncode == 0, out.stdout
    assert found(out.stdout) == []


def test_a_second_finding_of_the_same_rule_is_new(project: GitRepo) -> None:
    start = project.head()
    project.chunk("old", created_after=["target"], depends_on=["gone", "also_gone"])
    project.commit("one more bad reference")
    out = validate(project, "--new-from-rev", start)
    assert found(out.stdout) == ["docs/chunks/old/GOAL.md VE401"] and "also_gone" in out.stdout


def test_a_transition_in_the_middle_of_the_range_is_reported(project: GitRepo) -> None:
    start = project.head()
    project.chunk("target", status="FUTURE", created_after=["base"])
    bad = project.commit("ACTIVE -> FUTURE")
    project.chunk("target", created_after=["base"])
    project.commit("FUTURE -> ACTIVE again")
    assert "VE501" not in validate(project, "--rev", "HEAD").stdout  # the last commit alone is fine
    out = validate(project, "--new-from-rev", start)
    assert out.returncode == 1
    assert f"in commit {bad[:10]}" in out.stdout and "VE501" in out.stdout
    ci = validate(project, "--from-ref", start, "--to-ref", "HEAD")  # pre-commit's CI mode
    assert found(ci.stdout) == found(out.stdout)


def test_a_bad_range_is_a_usage_error(project: GitRepo) -> None:
    out = validate(project, "--new-from-rev", "no-such-branch")
    assert out.returncode == 2 and "no-such-branch" in out.stderr and "Traceback" not in out.stderr
    out = validate(project, "--to-ref", "HEAD")
    assert out.returncode == 2 and "--from-ref" in out.stderr
