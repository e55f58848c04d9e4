"""``ve created-after backfill``: replaying the mainline, renames, merges and the classification."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from support.cli import ve
from support.repo_factory import GitRepo
from test_tips import brute_tips, histories

from ve_hooks import config as config_mod
from ve_hooks.cache import Cache
from ve_hooks.created_after import history
from ve_hooks.project import locate


def run_backfill(repo: GitRepo, *args: str) -> dict[str, Any]:
    p = ve("created-after", "backfill", "--format", "json", *args, cwd=repo.path)
    assert p.returncode == 0, p.stderr
    return json.loads(p.stdout)


def rows(out: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {r["name"]: r for r in out["artifacts"]}


def test_classification_on_a_linear_history(repo: GitRepo) -> None:
    repo.chunk("a")
    c1 = repo.commit("a")
    repo.chunk("b", created_after=["a"])  # exact
    c2 = repo.commit("b")
    repo.chunk("c")  # missing
    repo.chunk("fut", "FUTURE", created_after=["b"])
    repo.commit("c, fut")
    repo.chunk("d", created_after=["a"])  # a existed and had been a tip: stale
    repo.commit("d")
    repo.chunk("e", created_after=["fut"])  # fut was never a tip: wrong
    repo.chunk("g", created_after=["later"])  # names something that did not exist then: wrong
    repo.commit("e, g")
    repo.chunk("later")
    repo.commit("later")
    out = run_backfill(repo)
    r = rows(out)
    assert r["a"] == {"kind": "chunk", "name": "a", "added_in": c1, "current": [], "computed": [],
                      "status": "exact"}
    assert r["b"]["added_in"] == c2 and r["b"]["computed"] == ["a"] and r["b"]["status"] == "exact"
    assert r["c"]["status"] == "missing" and r["c"]["computed"] == ["b"]
    assert r["fut"]["status"] == "exact"
    assert r["d"]["status"] == "stale" and r["d"]["computed"] == ["b", "c"]
    assert r["e"]["status"] == "wrong" and r["e"]["computed"] == ["b", "c", "d"]
    assert r["g"]["status"] == "wrong"
    s = out["summary"]
    assert (s["exact"], s["missing"], s["stale"], s["wrong"], s["commits"]) == (3, 2, 1, 2, 6)  # later is missing too
    assert out["version"] == 1 and isinstance(s["seconds"], float)


def test_merge_uses_the_first_parent(repo: GitRepo) -> None:
    repo.chunk("a")
    repo.commit("a")
    repo.git("checkout", "-q", "-b", "topic")
    repo.chunk("t", created_after=["a"])  # right at the branch point
    repo.commit("t")
    repo.git("checkout", "-q", "main")
    repo.chunk("m", created_after=["a"])
    before_merge = repo.commit("m")
    repo.git("merge", "-q", "--no-ff", "--no-edit", "topic")
    merge = repo.head()
    r = rows(run_backfill(repo))
    assert r["t"]["added_in"] == merge
    assert r["t"]["computed"] == ["m"]  # the tips of the first parent
    assert r["t"]["status"] == "stale"  # a was a tip, just not any more
    assert r["m"]["added_in"] == before_merge and r["m"]["status"] == "exact"


def test_chunks_added_together_are_not_tips_for_each_other(repo: GitRepo) -> None:
    repo.chunk("a")
    repo.commit()
    repo.chunk("x", created_after=["a"])
    repo.chunk("y", created_after=["x"])
    repo.commit("together")
    r = rows(run_backfill(repo))
    assert r["x"]["computed"] == ["a"] and r["y"]["computed"] == ["a"]
    assert r["x"]["status"] == "exact" and r["y"]["status"] == "wrong"


def test_renamed_directories_keep_their_identity(repo: GitRepo) -> None:
    repo.chunk("0001-foo")
    c1 = repo.commit()
    repo.chunk("0002-bar", created_after=["0001-foo"])
    c2 = repo.commit()
    repo.git("mv", "docs/chunks/0001-foo", "docs/chunks/foo")
    repo.commit("rename foo")
    # rename with a content change too large for git's rename detection: bare names match
    shutil.rmtree(repo.path / "docs/chunks/0002-bar")
    repo.chunk("bar", created_after=["foo"], body="entirely different\n" * 40)
    repo.commit("rename bar")
    repo.chunk("baz", created_after=["bar"])
    repo.commit()
    r = rows(run_backfill(repo))
    assert set(r) == {"foo", "bar", "baz"}
    assert r["foo"]["added_in"] == c1
    assert r["bar"]["added_in"] == c2 and r["bar"]["computed"] == ["foo"] and r["bar"]["status"] == "exact"
    assert r["baz"]["computed"] == ["bar"] and r["baz"]["status"] == "exact"


def test_future_first_then_active_and_a_chunk_deleted_later(repo: GitRepo) -> None:
    repo.chunk("a")
    repo.chunk("f", "FUTURE", created_after=["a"])
    repo.commit()
    repo.chunk("b", created_after=["a"])
    repo.commit()
    repo.chunk("f", "ACTIVE", created_after=["a"])
    repo.commit("f ships")
    repo.chunk("gone", created_after=["b", "f"])
    repo.commit()
    repo.chunk("c", created_after=["gone"])
    repo.commit()
    repo.remove("docs/chunks/gone")
    repo.commit("delete gone")
    r = rows(run_backfill(repo))
    assert "gone" not in r
    assert r["f"]["computed"] == [] and r["f"]["status"] == "wrong"  # added with a, which wasn't there yet
    assert r["b"]["computed"] == ["a"]  # f was FUTURE then
    assert r["c"]["computed"] == ["gone"] and r["c"]["status"] == "exact"


def test_empty_repo_and_plain_directory(repo: GitRepo, tmp_path: Path) -> None:
    out = run_backfill(repo)
    assert out["artifacts"] == [] and out["summary"]["commits"] == 0
    repo.write("README.md", "x")
    repo.commit()
    assert run_backfill(repo)["artifacts"] == []
    plain = tmp_path / "plain"
    plain.mkdir()
    p = ve("created-after", "backfill", cwd=plain)
    assert p.returncode == 2 and "not a git repository" in p.stderr


def test_write_fills_missing_only_unless_all(repo: GitRepo) -> None:
    repo.chunk("a")
    repo.commit()
    repo.chunk("b")  # missing
    repo.chunk("c", created_after=["b"])  # wrong: b was added in the same commit
    repo.commit()
    before_c = repo.read("docs/chunks/c/GOAL.md")
    out = run_backfill(repo, "--write")
    assert out["written"] == ["docs/chunks/b/GOAL.md"]
    assert b"created_after: [\"a\"]\n" in repo.read("docs/chunks/b/GOAL.md")
    assert repo.read("docs/chunks/c/GOAL.md") == before_c
    out = run_backfill(repo, "--write", "--all")
    assert out["written"] == ["docs/chunks/c/GOAL.md"]
    assert b"created_after: [\"a\"]\n" in repo.read("docs/chunks/c/GOAL.md")
    p = ve("created-after", "backfill", "--all", cwd=repo.path)
    assert p.returncode == 2


def test_text_output_summarises(repo: GitRepo) -> None:
    repo.chunk("a")
    repo.commit()
    repo.chunk("b")
    repo.commit()
    p = ve("created-after", "backfill", cwd=repo.path)
    assert p.returncode == 0
    assert "missing  chunk b" in p.stdout and "2 artifacts: 1 exact, 1 missing" in p.stdout


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                HealthCheck.function_scoped_fixture])
@given(histories())
def test_computed_equals_brute_force_tips_at_the_parent(tmp_path_factory, history_ops) -> None:  # type: ignore[no-untyped-def]
    repo = GitRepo.init(tmp_path_factory.mktemp("bf") / "r")
    state: dict[str, tuple[str, list[str]]] = {}
    want: dict[str, list[str]] = {}
    for ops in history_ops:
        parent_tips = brute_tips(state)
        for action, name, status, ca in ops:
            if action == "add":
                state[name] = (status, ca)
                want[name] = [t for t in parent_tips if t != name]
                repo.chunk(name, status, ca)
            elif action == "status":
                state[name] = (status, state[name][1])
                repo.chunk(name, status, state[name][1])
            else:
                del state[name]
                want.pop(name, None)
                shutil.rmtree(repo.path / "docs" / "chunks" / name)
        repo.commit()
    loc = locate(repo.path)
    result = history.backfill(loc, config_mod.load(loc.root), Cache(None))
    assert {r.name: r.computed for r in result.rows} == want
