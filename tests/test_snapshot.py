"""Snapshots and the repo reader over real git repositories: worktree, index, commit."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from support.repo_factory import GitRepo

from ve_hooks import git
from ve_hooks.cache import Cache
from ve_hooks.config import Config
from ve_hooks.diagnostic import UsageError
from ve_hooks.documents.frontmatter import Doc, ParseError
from ve_hooks.project import head_snapshot, locate, parent_snapshot, snapshot_for
from ve_hooks.repo import Repo
from ve_hooks.snapshot import CommitSnapshot, EmptySnapshot, IndexSnapshot, Unreadable, WorktreeSnapshot


def _three_states(repo: GitRepo) -> str:
    repo.chunk("alpha", "ACTIVE")
    first = repo.commit("alpha")
    repo.chunk("beta", "ACTIVE", ["alpha"])
    repo.commit("beta")
    repo.chunk("gamma", "FUTURE", ["beta"])
    repo.git("add", "docs/chunks/gamma/GOAL.md")  # staged only
    repo.chunk("delta", "FUTURE")  # worktree only
    return first


def test_three_sources_see_three_states(repo: GitRepo) -> None:
    first = _three_states(repo)
    loc = locate(repo.path)
    names = {}
    for label, snap in {
        "worktree": snapshot_for(loc),
        "staged": snapshot_for(loc, staged=True),
        "head": snapshot_for(loc, rev="HEAD"),
        "first": snapshot_for(loc, rev=first),
    }.items():
        names[label] = sorted(Repo(snap, Config(), Cache(None)).names("chunk"))
    assert names == {
        "worktree": ["alpha", "beta", "delta", "gamma"],
        "staged": ["alpha", "beta", "gamma"],
        "head": ["alpha", "beta"],
        "first": ["alpha"],
    }


def test_git_snapshots_report_blob_ids_that_match_content(repo: GitRepo) -> None:
    _three_states(repo)
    loc = locate(repo.path)
    snap = snapshot_for(loc, staged=True)
    listing = snap.list("docs")
    data = snap.read_many(listing)
    assert set(data) == set(listing)
    for path, oid in listing.items():
        assert git.blob_id(data[path]) == oid  # type: ignore[arg-type]


def test_cat_blobs_reads_many_in_one_process(repo: GitRepo) -> None:
    for i in range(300):
        repo.write(f"f{i}.txt", f"content {i}\n" * (i % 7))
    repo.commit("many")
    entries = git.ls_tree(repo.path, "HEAD")
    blobs = git.cat_blobs(repo.path, [e.oid for e in entries] + ["0" * 40])
    assert len(blobs) == len({e.oid for e in entries})
    assert blobs[entries[0].oid] == (repo.path / entries[0].path).read_bytes()


def test_rev_and_parent(repo: GitRepo) -> None:
    first = _three_states(repo)
    loc = locate(repo.path)
    head = snapshot_for(loc, rev="HEAD")
    assert isinstance(head, CommitSnapshot)
    parent = parent_snapshot(loc, head)
    assert isinstance(parent, CommitSnapshot) and parent.sha == first
    assert isinstance(parent_snapshot(loc, parent), EmptySnapshot)
    assert isinstance(parent_snapshot(loc, snapshot_for(loc, staged=True)), CommitSnapshot)
    with pytest.raises(UsageError, match="unknown revision"):
        snapshot_for(loc, rev="no-such-rev")


def test_repository_without_commits(repo: GitRepo) -> None:
    repo.chunk("alpha", "FUTURE")
    repo.git("add", ".")
    loc = locate(repo.path)
    assert isinstance(head_snapshot(loc), EmptySnapshot)
    staged = Repo(snapshot_for(loc, staged=True), Config(), Cache(None))
    assert list(staged.names("chunk")) == ["alpha"]


def test_plain_directory_without_git(tmp_path: Path) -> None:
    d = tmp_path / "plain"
    (d / "docs/chunks/x").mkdir(parents=True)
    (d / "docs/chunks/x/GOAL.md").write_text("---\nstatus: ACTIVE\n---\n")
    loc = locate(d)
    assert loc.info is None
    snap = snapshot_for(loc)
    assert isinstance(snap, WorktreeSnapshot)
    with pytest.raises(UsageError):
        snapshot_for(loc, staged=True)


def test_bare_repository_reads_head(repo: GitRepo, tmp_path: Path) -> None:
    repo.chunk("alpha")
    repo.commit()
    bare = tmp_path / "bare.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(repo.path), str(bare)], check=True)
    loc = locate(bare)
    snap = snapshot_for(loc)
    assert isinstance(snap, CommitSnapshot)
    assert list(Repo(snap, Config(), Cache(None)).names("chunk")) == ["alpha"]


def test_symlink_out_of_the_repository_is_never_followed(repo: GitRepo, tmp_path: Path) -> None:
    secret = tmp_path / "secret.md"
    secret.write_text("---\nstatus: ACTIVE\n---\nsecret\n")
    target = repo.path / "docs/chunks/link/GOAL.md"
    target.parent.mkdir(parents=True)
    os.symlink(secret, target)
    worktree = WorktreeSnapshot(repo.path)
    assert isinstance(worktree.read("docs/chunks/link/GOAL.md"), Unreadable)
    r = Repo(worktree, Config(), Cache(None)).doc("chunk", "link")
    assert isinstance(r, ParseError) and r.problem.rule == "VE111"
    repo.commit("link")
    committed = Repo(snapshot_for(locate(repo.path), rev="HEAD"), Config(), Cache(None))
    r = committed.doc("chunk", "link")
    assert isinstance(r, ParseError) and r.problem.rule == "VE111"


def test_a_linked_folder_out_of_the_repository_is_never_entered(repo: GitRepo, tmp_path: Path) -> None:
    """However deep below the link the file is, and after its folders were seen inside once."""
    outside = tmp_path / "outside"
    (outside / "deep/er").mkdir(parents=True)
    (outside / "GOAL.md").write_text("---\nstatus: ACTIVE\n---\n")
    (outside / "deep/er/GOAL.md").write_text("---\nstatus: ACTIVE\n---\n")
    repo.write("docs/chunks/plain/GOAL.md", "---\nstatus: ACTIVE\n---\n")
    repo.write("src/inner/mod.py", "x = 1\n")
    os.symlink(outside, repo.path / "docs/chunks/linked")
    os.symlink(repo.path / "src/inner", repo.path / "src/alias")  # a link that stays inside
    worktree = WorktreeSnapshot(repo.path)
    assert isinstance(worktree.read("docs/chunks/plain/GOAL.md"), bytes)
    for rel in ("docs/chunks/linked/GOAL.md", "docs/chunks/linked/deep/er/GOAL.md"):
        assert isinstance(worktree.read(rel), Unreadable), rel
        assert not worktree.exists(rel), rel
    assert not worktree.exists("docs/chunks/linked/deep")
    assert worktree.read("src/alias/mod.py") == b"x = 1\n" and worktree.exists("src/alias/mod.py")
    assert isinstance(worktree.read("docs/chunks/plain/../linked/GOAL.md"), Unreadable)


def test_exists_answers_files_and_directories(repo: GitRepo) -> None:
    repo.write("src/pkg/mod.py", "x = 1\n")
    repo.chunk("alpha")
    repo.commit()
    for snap in (snapshot_for(locate(repo.path), rev="HEAD"), IndexSnapshot(repo.path, repo.path),
                 WorktreeSnapshot(repo.path)):
        assert snap.exists("src/pkg/mod.py")
        assert snap.exists("src/pkg")
        assert not snap.exists("src/pkg/other.py")


def test_second_run_parses_nothing(repo: GitRepo, tmp_path: Path) -> None:
    for i in range(20):
        repo.chunk(f"c{i}", ticket=f"T-{i}")  # distinct bytes, distinct blob ids
    repo.commit()
    cache_dir = tmp_path / "cache"
    for source in ("HEAD", None):
        loc = locate(repo.path)
        first = Repo(snapshot_for(loc, rev=source), Config(), Cache(cache_dir))
        assert len(first.docs("chunk")) == 20
        first.close()
        second = Repo(snapshot_for(loc, rev=source), Config(), Cache(cache_dir))
        docs = second.docs("chunk")
        assert second.parsed == 0 and second.cache.hits == 20
        assert all(isinstance(d, Doc) and d.data["status"] == "ACTIVE" for d in docs.values())
    # The worktree shares entries with commits (same bytes, same blob id): its first pass was warm.
    assert first.parsed == 0


def test_worktree_uses_index_ids_only_for_files_git_vouches_for(repo: GitRepo) -> None:
    repo.chunk("alpha", "ACTIVE")
    repo.chunk("beta", "ACTIVE")
    repo.commit()
    # Same size, same second: only content tells them apart (git's racy-clean check must).
    goal = repo.path / "docs/chunks/beta/GOAL.md"
    goal.write_bytes(goal.read_bytes().replace(b"status: ACTIVE", b"status: FUTURE"))
    repo.chunk("gamma", "FUTURE")  # untracked
    loc = locate(repo.path)
    r = Repo(snapshot_for(loc), Config(), Cache(None))
    files = r.files
    assert files["docs/chunks/alpha/GOAL.md"] == git.blob_id((repo.path / "docs/chunks/alpha/GOAL.md").read_bytes())
    assert files["docs/chunks/beta/GOAL.md"] is None and files["docs/chunks/gamma/GOAL.md"] is None
    statuses = {n: f.status for n, f in r.facts("chunk").items()}
    assert statuses == {"alpha": "ACTIVE", "beta": "FUTURE", "gamma": "FUTURE"}


def test_grep_answers_for_each_git_snapshot_and_declines_without_git(repo: GitRepo, tmp_path: Path) -> None:
    repo.write("src/a.py", "# Chunk: docs/chunks/x\n")
    repo.write("src/b.py", "x = 1\n")
    repo.write("docs/chunks/x/GOAL.md", "# Chunk: docs/chunks/x\n")
    repo.commit("one")
    repo.write("src/b.py", "# Chunk: docs/chunks/y\n")  # worktree only: git grep reads tracked files' content
    repo.write("src/c.py", "# Chunk: docs/chunks/z\n")
    repo.git("add", "src/c.py")
    loc = locate(repo.path)
    pattern = r"^#[[:blank:]]*Chunk:"
    assert sorted(snapshot_for(loc, rev="HEAD").grep(pattern)) == ["docs/chunks/x/GOAL.md", "src/a.py"]
    assert sorted(snapshot_for(loc, staged=True).grep(pattern, exclude=["docs/**/*.md"])) == ["src/a.py", "src/c.py"]
    assert sorted(snapshot_for(loc).grep(pattern, ["src"])) == ["src/a.py", "src/b.py", "src/c.py"]
    plain = tmp_path / "plain"
    plain.mkdir()
    assert WorktreeSnapshot(plain).grep(pattern) is None  # no git to ask: the caller reads the listing


def test_only_the_snapshot_knows_where_git_runs() -> None:
    import ve_hooks

    package = Path(ve_hooks.__file__).parent
    reaching = [str(p.relative_to(package)) for p in package.rglob("*.py")
                if p.name != "snapshot.py" and "_git_cwd" in p.read_text(encoding="utf-8")]
    assert reaching == []


def test_an_index_listing_started_ahead_is_the_listing_and_never_outlives_its_block(repo: GitRepo,
                                                                                   tmp_path: Path) -> None:
    """The commit hook starts listing the index while it asks git what changed: the listing the
    run takes is the one it would have made, taken once; one nobody took is dropped when the
    block ends (the index may change before the next call); a failed one lists again."""
    repo.write("src/pkg/mod.py", "x = 1\n")
    repo.chunk("alpha")
    repo.add()
    plain = git.index_listing(repo.path, toplevel=True)
    with git.index_listing_ahead(repo.path):
        assert git.index_listing(repo.path, toplevel=True) == plain
        assert not git._early  # taken, not kept for a second call
    with git.index_listing_ahead(repo.path):
        pass  # the hook exited early: nobody took it
    assert not git._early
    repo.chunk("beta")
    repo.add()
    assert "docs/chunks/beta/GOAL.md" in git.index_listing(repo.path, toplevel=True).oids
    plain_dir = tmp_path / "plain"
    plain_dir.mkdir()
    with git.index_listing_ahead(plain_dir), pytest.raises(git.GitError):
        git.index_listing(plain_dir, toplevel=True)  # the early listing failed quietly: asked again


def test_meanwhile_hands_back_the_result_none_for_a_git_failure_and_raises_anything_else() -> None:
    assert git.meanwhile(lambda: 42)() == 42

    def git_fails() -> int:
        raise git.GitError("no repository")

    def bug() -> int:
        raise KeyError("a bug")

    assert git.meanwhile(git_fails)() is None
    with pytest.raises(KeyError):  # raised where the result is asked for, not lost in the thread
        git.meanwhile(bug)()
