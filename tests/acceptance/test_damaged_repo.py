"""Issue 23 item 4: a damaged repository is never green. A git object that a snapshot or the
history names and that cannot be read is exit 2, naming the object and the path and
suggesting `git fsck`; never a file silently left out (real git: the loose object deleted)."""

from __future__ import annotations

import os

import pytest
from support.cli import ve
from support.repo_factory import GitRepo


def _delete_object(repo: GitRepo, oid: str) -> None:
    path = repo.path / ".git/objects" / oid[:2] / oid[2:]
    assert path.is_file(), "the test repository must hold loose objects"
    path.chmod(0o644)
    path.unlink()


def _env() -> dict[str, str]:
    return {**os.environ, "VE_HOOKS_CACHE_DIR": ""}  # a cache keyed by blob id would not need the blob


@pytest.fixture
def damaged_blob(repo: GitRepo) -> tuple[GitRepo, str]:
    repo.write("src/app.py", "def main():\n    pass\n")
    repo.chunk("alpha", code_references=[{"ref": "src/app.py#main", "implements": "entry"}])
    repo.chunk("beta", created_after=["alpha"], code_references=[{"ref": "src/app.py#main", "implements": "x"}])
    repo.commit("two chunks")
    oid = repo.git("rev-parse", "HEAD:docs/chunks/beta/GOAL.md").strip()
    _delete_object(repo, oid)
    return repo, oid


@pytest.mark.parametrize("args", [("--staged",), ("--rev", "HEAD")])
def test_validate_on_a_missing_blob_exits_2_naming_object_and_path(damaged_blob: tuple[GitRepo, str],
                                                                  args: tuple[str, ...]) -> None:
    repo, oid = damaged_blob
    p = ve(*args, cwd=repo.path, prog="ve-validate", env=_env())
    assert p.returncode == 2, (p.returncode, p.stdout, p.stderr)  # main: "All checks passed" / a false VE605
    assert oid in p.stderr and "docs/chunks/beta/GOAL.md" in p.stderr and "git fsck" in p.stderr, p.stderr
    assert "Traceback" not in p.stderr and "All checks passed" not in p.stdout


def test_backfill_on_a_missing_blob_exits_2(damaged_blob: tuple[GitRepo, str]) -> None:
    repo, oid = damaged_blob
    p = ve("created-after", "backfill", cwd=repo.path, env=_env())
    assert p.returncode == 2, (p.returncode, p.stdout, p.stderr)  # main: beta reported "missing"
    assert oid in p.stderr and "docs/chunks/beta/GOAL.md" in p.stderr and "git fsck" in p.stderr, p.stderr


def test_a_missing_parent_commit_is_named_with_fsck(repo: GitRepo) -> None:
    repo.chunk("alpha")
    repo.commit("one")
    parent = repo.head()
    repo.write("notes.txt", "x\n")
    repo.commit("two")
    _delete_object(repo, parent)
    p = ve("--rev", "HEAD", cwd=repo.path, prog="ve-validate", env=_env())
    assert p.returncode == 2 and parent in p.stderr and "git fsck" in p.stderr, p.stderr  # main: "not a tree object"
    p = ve("created-after", "backfill", cwd=repo.path, env=_env())
    assert p.returncode == 2 and "git fsck" in p.stderr, p.stderr
