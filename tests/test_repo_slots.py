"""Issue 25 item 1: incremental updates are public on Repo. ``Repo.derive`` shares what one edit
cannot change; each rule's typed Slot carries its own answers forward (or starts again), and the
patched answers equal a fresh run's."""

from __future__ import annotations

from support.repo_factory import GitRepo, chunk_goal

from ve_hooks.project import open_project
from ve_hooks.repo import Repo, Slot
from ve_hooks.rules import created_after as ordering
from ve_hooks.rules import references
from ve_hooks.snapshot import WorktreeSnapshot

B = "docs/chunks/b/GOAL.md"


def _answers(repo: Repo) -> dict[tuple[str, str], object]:
    got = repo.peek(ordering.ANSWERS)
    assert got is not None
    out = {k: v for k, v in got.items() if k[1] == "chunk" and k[0] in ("graph", "facts")}
    rev = got[("reverse", "chunk")]
    assert isinstance(rev, dict)
    out[("reverse", "chunk")] = {n: s for n, s in rev.items() if s}  # (an emptied entry is no entry)
    return out


def test_derive_patches_the_graph_as_a_fresh_run_computes_it(repo: GitRepo) -> None:
    repo.chunk("a")
    repo.chunk("b", created_after=["a"])
    repo.chunk("c", created_after=["b"])
    repo.commit("chain")
    own: Slot[list[int]] = Slot("a test's slot without carry")
    with open_project(repo.path) as project:
        old = project.repo(WorktreeSnapshot(repo.path))
        ordering.warm(old)
        old.slot(own, lambda: [1])
        references._bare_index(old, "chunk")
        edited = chunk_goal("ACTIVE", ["c"]).encode()  # b after c: a cycle b -> c -> b
        repo.write(B, edited)
        new = old.derive(WorktreeSnapshot(repo.path), {B: edited})
        fresh = project.repo(WorktreeSnapshot(repo.path))
        ordering.warm(fresh)
        assert _answers(new) == _answers(fresh)
        assert _answers(new)[("graph", "chunk")] == ({"a": [], "b": ["c"], "c": ["b"]}, True)
        assert new.peek(own) is None and old.peek(own) == [1]  # no carry: starts again
        assert new.peek(references.BARE) is old.peek(references.BARE)  # same names: still holds
        assert new.facts("chunk")["b"].created_after == ["c"] and old.facts("chunk")["b"].created_after == ["a"]

        # a new artifact changes the listing: name-based answers start again
        d = chunk_goal("FUTURE", ["a"]).encode()
        newer = new.derive(WorktreeSnapshot(repo.path), {"docs/chunks/d/GOAL.md": d})
        assert newer.peek(ordering.ANSWERS) is None and newer.peek(references.BARE) is None
        assert "d" in newer.names("chunk")
