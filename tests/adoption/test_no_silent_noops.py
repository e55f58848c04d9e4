"""No silent no-ops: commands that read git say so outside a repository (exit 2), a path that
does not exist is named, and every command a hint prints can be pasted into a shell."""

from __future__ import annotations

import shlex
from pathlib import Path

import pytest
from support.cli import ve
from support.repo_factory import GitRepo, chunk_goal


@pytest.mark.parametrize("args", [["tips"], ["created-after", "fill"], ["graph"]])
def test_outside_a_git_repository_is_a_usage_error(tmp_path: Path, args: list[str]) -> None:
    plain = tmp_path / "plain"
    (plain / "docs" / "chunks" / "a").mkdir(parents=True)
    (plain / "docs" / "chunks" / "a" / "GOAL.md").write_text(chunk_goal())
    out = ve(*args, cwd=plain)
    assert out.returncode == 2, out.stdout
    assert "not inside a git repository" in out.stderr and f"ve {args[0]}" in out.stderr
    assert out.stdout == "" and (plain / "docs/chunks/a/GOAL.md").read_text() == chunk_goal()


def test_fill_on_a_missing_path_names_it(tmp_path: Path) -> None:
    r = GitRepo.init(tmp_path / "r")
    r.chunk("a")
    r.commit()
    out = ve("created-after", "fill", "docs/chunks/nope/GOAL.md", cwd=r.path)
    assert out.returncode == 2 and "docs/chunks/nope/GOAL.md: no such file or directory" in out.stderr


def test_a_hint_with_a_space_in_the_path_can_be_pasted(tmp_path: Path) -> None:
    r = GitRepo.init(tmp_path / "r")
    r.chunk("a")
    r.commit()
    r.write("docs/chunks/with space/GOAL.md", chunk_goal("FUTURE", []))
    out = ve(cwd=r.path, prog="ve-validate")
    hint = next(ln for ln in out.stdout.splitlines() if "ve created-after fill" in ln)
    command = hint.split("`")[1]
    assert shlex.split(command) == ["ve", "created-after", "fill", "docs/chunks/with space/GOAL.md"]
    pasted = ve(*shlex.split(command)[1:], cwd=r.path)  # the pasted command does what it says
    assert pasted.returncode == 1 and "Fixing docs/chunks/with space/GOAL.md" in pasted.stdout
