"""``ve created-after fill``: new artifacts get the tips of HEAD, only that field changes."""

from __future__ import annotations

from pathlib import Path

from support.cli import ve
from support.repo_factory import GitRepo

from ve_hooks.commands.created_after import fill
from ve_hooks.documents.frontmatter import Doc, parse
from ve_hooks.project import locate


def ca(repo: GitRepo, name: str) -> object:
    doc = parse(repo.read(f"docs/chunks/{name}/GOAL.md"))
    assert isinstance(doc, Doc)
    return doc.data.get("created_after")


def base(repo: GitRepo) -> None:
    repo.chunk("a")
    repo.chunk("b", created_after=["a"])
    repo.chunk("c", created_after=["a"])
    repo.chunk("f", "FUTURE", created_after=["b"])
    repo.commit("base")


def test_fill_writes_the_tips_of_head_and_exits_1(repo: GitRepo) -> None:
    base(repo)
    repo.chunk("new", "FUTURE")
    repo.write("docs/chunks/new2/GOAL.md", "---\r\nstatus: FUTURE\r\n# note\r\n---\r\nbody\r\n")
    p = ve("created-after", "fill", cwd=repo.path)
    assert p.returncode == 1, p.stderr
    assert "Fixing docs/chunks/new/GOAL.md" in p.stdout and "Fixing docs/chunks/new2/GOAL.md" in p.stdout
    assert ca(repo, "new") == ["b", "c"]
    assert repo.read("docs/chunks/new2/GOAL.md") == (
        b'---\r\nstatus: FUTURE\r\n# note\r\ncreated_after: ["b", "c"]\r\n---\r\nbody\r\n')
    p = ve("created-after", "fill", cwd=repo.path)
    assert p.returncode == 0 and p.stdout == ""  # nothing left to do


def test_only_new_and_empty_unless_refresh(repo: GitRepo) -> None:
    base(repo)
    repo.chunk("b", created_after=[])  # existing at HEAD: never touched
    repo.chunk("n1", created_after=["a"])  # new, non-empty: kept without --refresh
    loc = locate(repo.path)
    assert fill(loc) == []
    assert ca(repo, "b") == [] and ca(repo, "n1") == ["a"]
    assert fill(loc, refresh=True) == ["docs/chunks/n1/GOAL.md"]
    assert ca(repo, "n1") == ["b", "c"]


def test_paths_narrow_and_accept_files_or_directories(repo: GitRepo) -> None:
    base(repo)
    repo.chunk("x", "FUTURE")
    repo.chunk("y", "FUTURE")
    loc = locate(repo.path)
    assert fill(loc, ["docs/chunks/x/GOAL.md"]) == ["docs/chunks/x/GOAL.md"]
    assert ca(repo, "y") == []
    p = ve("created-after", "fill", "chunks/y", cwd=repo.path / "docs")  # relative to the cwd
    assert p.returncode == 1 and "docs/chunks/y/GOAL.md" in p.stdout
    assert ca(repo, "y") == ["b", "c"]


def test_unparsable_file_is_skipped_with_a_note(repo: GitRepo) -> None:
    base(repo)
    repo.write("docs/chunks/bad/GOAL.md", "---\nstatus: [\n---\n")
    before = repo.read("docs/chunks/bad/GOAL.md")
    p = ve("created-after", "fill", cwd=repo.path)
    assert p.returncode == 0
    assert "docs/chunks/bad/GOAL.md" in p.stderr
    assert repo.read("docs/chunks/bad/GOAL.md") == before


def test_empty_repo_first_chunk_gets_an_empty_list(repo: GitRepo) -> None:
    repo.write("docs/chunks/first/GOAL.md", "---\nstatus: FUTURE\n---\n")
    loc = locate(repo.path)
    assert fill(loc) == ["docs/chunks/first/GOAL.md"]
    assert repo.read("docs/chunks/first/GOAL.md") == b"---\nstatus: FUTURE\ncreated_after: []\n---\n"
    assert fill(loc) == []


def test_other_kinds_use_their_own_tips(repo: GitRepo) -> None:
    repo.write("docs/investigations/i1/OVERVIEW.md", "---\nstatus: SOLVED\ncreated_after: []\n---\n")
    repo.chunk("a")
    repo.commit()
    repo.write("docs/investigations/i2/OVERVIEW.md", "---\nstatus: ONGOING\n---\n")
    assert fill(locate(repo.path)) == ["docs/investigations/i2/OVERVIEW.md"]
    assert b'created_after: ["i1"]' in repo.read("docs/investigations/i2/OVERVIEW.md")


def test_outside_path_is_a_usage_error(repo: GitRepo, tmp_path: Path) -> None:
    base(repo)
    p = ve("created-after", "fill", str(tmp_path), cwd=repo.path)
    assert p.returncode == 2 and "not inside the project" in p.stderr
