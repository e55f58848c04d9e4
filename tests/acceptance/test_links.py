"""Issue 23 item 1: no command writes through a symbolic link, into another artifact or outside
the repository. A linked artifact file is reported (VE111) in every snapshot, never followed
and never written (docs/security.md)."""

from __future__ import annotations

import os
import resource
from pathlib import Path

import pytest
from support.cli import ve
from support.repo_factory import GitRepo, chunk_goal

from ve_hooks.documents.writer import UnsafePath, atomic_write, safe_target


def _linked(repo: GitRepo, status: str = "active") -> bytes:
    """Chunk ``a`` committed; a new chunk ``b`` whose GOAL.md is a link to a's."""
    repo.chunk("base")
    repo.commit("base")
    raw = ("---\r\nstatus: " + status + "   # a safe case fix\r\nticket: null\r\ncode_paths: []\r\n"
           "code_references: []\r\ncreated_after: []\r\n---\r\n\r\n# A\r\n").encode()
    repo.write("docs/chunks/a/GOAL.md", raw)
    repo.commit("a")
    (repo.path / "docs/chunks/b").mkdir()
    os.symlink("../a/GOAL.md", repo.path / "docs/chunks/b/GOAL.md")
    return raw


def test_fill_never_writes_one_chunk_fix_into_the_chunk_its_goal_links_to(repo: GitRepo) -> None:
    raw = _linked(repo)
    p = ve("created-after", "fill", cwd=repo.path)
    assert repo.read("docs/chunks/a/GOAL.md") == raw  # main wrote [base] into a through b's link
    assert p.returncode == 2, (p.returncode, p.stdout, p.stderr)  # not written is never 0
    assert "docs/chunks/b/GOAL.md: not written" in p.stderr and "symbolic link" in p.stderr
    assert os.path.islink(repo.path / "docs/chunks/b/GOAL.md")


def test_the_fill_hook_refuses_the_link_too(repo: GitRepo) -> None:
    raw = _linked(repo)
    p = ve("docs/chunks/b/GOAL.md", cwd=repo.path, prog="ve-hooks-created-after")
    assert repo.read("docs/chunks/a/GOAL.md") == raw
    assert p.returncode == 2, (p.stdout, p.stderr)


def test_validate_reports_the_linked_goal_in_every_snapshot_and_fix_leaves_both_alone(repo: GitRepo) -> None:
    raw = _linked(repo)
    p = ve("--fix", "--format", "json", cwd=repo.path, prog="ve-validate")
    # a's own fix (status case) is written into a; b is a link: reported, never followed or written.
    assert repo.read("docs/chunks/a/GOAL.md") == raw.replace(b"status: active", b"status: ACTIVE")
    assert '"path": "docs/chunks/b/GOAL.md"' in p.stdout and "VE111" in p.stdout, p.stdout
    assert os.path.islink(repo.path / "docs/chunks/b/GOAL.md")
    repo.add("docs/chunks/b/GOAL.md")
    for args in ((), ("--staged",)):
        out = ve(*args, "--format", "json", "--select", "VE111", cwd=repo.path, prog="ve-validate")
        assert "docs/chunks/b/GOAL.md" in out.stdout and out.returncode == 1, (args, out.stdout)


def _small_files() -> None:
    """In the child: any write past 64 bytes fails with EFBIG (Python ignores SIGXFSZ), as on a
    full disk, whoever runs the test (root writes to read-only directories)."""
    resource.setrlimit(resource.RLIMIT_FSIZE, (64, 64))


def test_a_fix_that_cannot_be_written_exits_non_zero(repo: GitRepo) -> None:
    repo.chunk("base")
    repo.commit("base")
    raw = chunk_goal("active").encode()
    repo.write("docs/chunks/a/GOAL.md", raw)
    env = {**os.environ, "VE_HOOKS_CACHE_DIR": ""}
    for extra in ((), ("--exit-zero",)):
        p = ve("--fix", *extra, cwd=repo.path, prog="ve-validate", env=env, preexec_fn=_small_files)
        assert "not fixed" in p.stderr and p.returncode == 2, (p.returncode, p.stderr)  # main: exit 1 / 0
    p = ve("created-after", "fill", cwd=repo.path, env=env, preexec_fn=_small_files)
    assert "not written" in p.stderr and p.returncode == 2, (p.returncode, p.stderr)
    assert repo.read("docs/chunks/a/GOAL.md") == raw
    assert [f.name for f in (repo.path / "docs/chunks/a").iterdir()] == ["GOAL.md"]  # no temp file left


def test_the_guard_refuses_links_anywhere_below_the_root_and_paths_outside(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    (root / "docs/chunks/a").mkdir(parents=True)
    (root / "docs/chunks/a/GOAL.md").write_bytes(b"a")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "GOAL.md").write_bytes(b"secret")
    os.symlink(outside, root / "docs/chunks/out")  # a linked directory
    os.symlink("a", root / "docs/chunks/in")  # a linked directory inside
    for bad in ("docs/chunks/out/GOAL.md", "docs/chunks/in/GOAL.md", "../outside/GOAL.md", "."):
        with pytest.raises(UnsafePath):
            safe_target(bad, root)
        with pytest.raises(UnsafePath):
            atomic_write(root / bad, b"x", root)
    assert (outside / "GOAL.md").read_bytes() == b"secret" and (root / "docs/chunks/a/GOAL.md").read_bytes() == b"a"
    assert safe_target("docs/chunks/a/GOAL.md", root) == root / "docs/chunks/a/GOAL.md"
    # the root itself may be reached through a link (a checkout under a linked home)
    os.symlink(root, tmp_path / "linked-root")
    atomic_write(tmp_path / "linked-root/docs/chunks/a/GOAL.md", b"b", tmp_path / "linked-root")
    assert (root / "docs/chunks/a/GOAL.md").read_bytes() == b"b"
    # no root given: the file's own directory; the file itself must still not be a link
    os.symlink(outside / "GOAL.md", root / "mcp.json")
    with pytest.raises(UnsafePath):
        atomic_write(root / "mcp.json", b"{}")
    assert (outside / "GOAL.md").read_bytes() == b"secret"
