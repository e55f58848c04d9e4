"""A renamed artifact is the same artifact: ``git mv`` with references updated is not a new chunk
for the lifecycle and created_after rules, the commit hooks or ``ve created-after fill``."""

from __future__ import annotations

import json
import subprocess

import pytest
from support.cli import BIN
from support.repo_factory import GitRepo

from ve_hooks.created_after.identity import renamed
from ve_hooks.project import open_project
from ve_hooks.repo import Repo


def _run(repo: GitRepo, tool: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(BIN / tool), *args], cwd=repo.path, capture_output=True, text=True)


def _history(repo: GitRepo) -> None:
    repo.write("src/app.py", "# Chunk: docs/chunks/cli_modularize - the split\ndef main():\n    pass\n")
    repo.chunk("alpha")
    repo.commit("alpha")
    repo.chunk("cli_modularize", created_after=["alpha"])
    repo.commit("cli_modularize")
    repo.chunk("beta", created_after=["cli_modularize"])
    repo.commit("beta")  # tips at HEAD: beta


def _rename(repo: GitRepo, *, edit: bool) -> None:
    """``git mv`` and update every reference; with ``edit`` the moved GOAL.md changes too."""
    repo.git("mv", "docs/chunks/cli_modularize", "docs/chunks/cli_split")
    repo.chunk("beta", created_after=["cli_split"])
    repo.write("src/app.py", "# Chunk: docs/chunks/cli_split - the split\ndef main():\n    pass\n")
    if edit:
        goal = repo.path / "docs/chunks/cli_split/GOAL.md"
        goal.write_text(goal.read_text().replace("Do the thing.", "Split the CLI into modules."))
    repo.add()


def _staged(repo: GitRepo) -> tuple[Repo, Repo | None]:
    project = open_project(repo.path)
    snap = project.snapshot(staged=True)
    return project.repo(snap), project.base(snap)


def _findings(repo: GitRepo, *args: str) -> list[dict]:
    p = _run(repo, "ve-validate", "--format", "json", *args)
    assert p.returncode in (0, 1), p.stderr
    return json.loads(p.stdout)["diagnostics"]


@pytest.mark.parametrize("edit", [False, True])
def test_a_pure_move_and_a_move_with_edits_are_renames(repo: GitRepo, edit: bool) -> None:
    _history(repo)
    _rename(repo, edit=edit)
    assert renamed(*_staged(repo), "chunk") == {"cli_split": "cli_modularize"}


def test_renamed_chunk_is_not_new_for_created_after(repo: GitRepo) -> None:
    _history(repo)
    _rename(repo, edit=True)
    found = _findings(repo, "--staged")
    assert found == [], found
    hook = _run(repo, "ve-hooks-validate-staged")
    assert hook.returncode == 0 and "VE605" not in hook.stdout and "--refresh" not in hook.stdout, hook.stdout


def test_renamed_chunk_keeps_its_lifecycle(repo: GitRepo) -> None:
    _history(repo)
    _rename(repo, edit=True)
    goal = repo.path / "docs/chunks/cli_split/GOAL.md"
    goal.write_text(goal.read_text().replace("status: ACTIVE", "status: FUTURE"))
    repo.add()
    transitions = _run(repo, "ve-hooks-status-transitions")
    assert transitions.returncode == 1, transitions.stdout + transitions.stderr
    assert "docs/chunks/cli_split/GOAL.md:2:1: VE501 status changed from ACTIVE to FUTURE" in transitions.stdout


def test_fill_never_rewrites_a_renamed_chunk(repo: GitRepo) -> None:
    _history(repo)
    _rename(repo, edit=True)
    before = (repo.path / "docs/chunks/cli_split/GOAL.md").read_bytes()
    p = _run(repo, "ve", "created-after", "fill", "--refresh")
    assert p.returncode == 0, p.stderr
    hook = _run(repo, "ve-hooks-created-after", "--refresh", "docs/chunks/cli_split/GOAL.md")
    assert hook.returncode == 0, hook.stdout + hook.stderr
    assert (repo.path / "docs/chunks/cli_split/GOAL.md").read_bytes() == before


def test_a_deleted_chunk_and_an_unrelated_new_one_are_not_a_rename(repo: GitRepo) -> None:
    _history(repo)
    repo.remove("docs/chunks/cli_modularize")
    repo.write("src/app.py", "def main():\n    pass\n")
    repo.chunk("beta", created_after=["alpha"])
    repo.chunk("gamma", "FUTURE")  # same template, empty created_after: new
    repo.add()
    assert renamed(*_staged(repo), "chunk") == {}
    assert [(d["rule"], d["path"]) for d in _findings(repo, "--staged", "--select", "VE6")] == [
        ("VE606", "docs/chunks/gamma/GOAL.md")]
