"""``ve tips`` against real repositories, including a brute-force property over random histories."""

from __future__ import annotations

import json
import random
import shutil

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.cli import ve
from support.repo_factory import GitRepo

from ve_hooks.commands.tips import tips
from ve_hooks.project import locate


def test_empty_repo_and_repo_without_chunks(repo: GitRepo) -> None:
    p = ve("tips", "--format", "json", cwd=repo.path)
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout) == {"rev": "WORKTREE", "kind": "chunk", "tips": []}
    repo.write("README.md", "hi\n")
    sha = repo.commit("readme")
    p = ve("tips", "--rev", "HEAD", "--format", "json", cwd=repo.path)
    assert json.loads(p.stdout) == {"rev": sha, "kind": "chunk", "tips": []}
    p = ve("tips", "--staged", "--format", "json", cwd=repo.path)
    assert json.loads(p.stdout)["rev"] == "STAGED"


def test_multiple_tips_future_siblings_and_revisions(repo: GitRepo) -> None:
    repo.chunk("a")
    first = repo.commit("a")
    repo.chunk("b", created_after=["a"])
    repo.chunk("c", created_after=["a"])
    repo.chunk("f", "FUTURE", created_after=["b", "c"])
    repo.commit("b c f")
    loc = locate(repo.path)
    assert tips(loc, rev=first) == ["a"]
    assert tips(loc, rev="HEAD") == ["b", "c"]  # the FUTURE chunk hides nothing
    repo.chunk("d", "IMPLEMENTING", created_after=["b", "c"])
    assert tips(loc) == ["b", "c"]
    repo.chunk("d", "ACTIVE", created_after=["b", "c"])
    assert tips(loc) == ["d"]  # worktree
    assert tips(loc, staged=True) == ["b", "c"]
    repo.add()
    assert tips(loc, staged=True) == ["d"]
    p = ve("tips", "--rev", "HEAD", cwd=repo.path)
    assert p.stdout.split() == ["b", "c"]


def test_external_references_count_as_active_and_other_kinds(repo: GitRepo) -> None:
    repo.chunk("a")
    repo.write("docs/chunks/ext/external.yaml", "artifact_type: chunk\nartifact_id: ext\nrepo: o/r\n"
               "track: main\ncreated_after: [a]\n")
    repo.write("docs/investigations/i1/OVERVIEW.md", "---\nstatus: SOLVED\ncreated_after: []\n---\n")
    repo.write("docs/investigations/i2/OVERVIEW.md", "---\nstatus: ONGOING\ncreated_after: [i1]\n---\n")
    repo.write("docs/narratives/n1/OVERVIEW.md", "---\nstatus: DRAFTING\ncreated_after: []\n---\n")
    repo.commit()
    loc = locate(repo.path)
    assert tips(loc) == ["ext"]
    assert tips(loc, kind="investigation") == ["i2"]
    assert tips(loc, kind="narrative") == []
    (repo.path / ".ve-hooks.toml").write_text('[tip-statuses]\nnarrative = ["DRAFTING"]\n')
    assert tips(loc, kind="narrative") == ["n1"]


def test_bad_revision_is_a_usage_error(repo: GitRepo) -> None:
    p = ve("tips", "--rev", "nope", cwd=repo.path)
    assert p.returncode == 2 and "Traceback" not in p.stderr and "nope" in p.stderr


# ---------------------------------------------------------------------------------------------
# property: tips at every commit of a random history equal a brute-force computation


def brute_tips(state: dict[str, tuple[str, list[str]]]) -> list[str]:
    named = {r for s, ca in state.values() if s == "ACTIVE" for r in ca}
    return sorted(n for n, (s, _) in state.items() if s == "ACTIVE" and n not in named)


@st.composite
def histories(draw: st.DrawFn) -> list[list[tuple[str, str, str, list[str]]]]:
    """Commits of operations: ("add"|"status"|"delete", name, status, created_after)."""
    rnd = random.Random(draw(st.integers(0, 2**32)))
    commits: list[list[tuple[str, str, str, list[str]]]] = []
    alive: dict[str, str] = {}
    counter = 0
    for _ in range(draw(st.integers(1, 6))):
        ops: list[tuple[str, str, str, list[str]]] = []
        for _ in range(rnd.randint(1, 3)):
            action = rnd.choice(["add", "add", "add", "status", "delete"]) if alive else "add"
            if action == "add":
                counter += 1
                name = f"c{counter}"
                pool = sorted(alive)
                ca = rnd.sample(pool, min(len(pool), rnd.randint(0, 3)))
                status = rnd.choice(["ACTIVE", "ACTIVE", "FUTURE", "HISTORICAL"])
                ops.append(("add", name, status, ca))
                alive[name] = status
            elif action == "status":
                name = rnd.choice(sorted(alive))
                status = rnd.choice(["ACTIVE", "FUTURE", "SUPERSEDED"])
                ops.append(("status", name, status, []))
                alive[name] = status
            else:
                name = rnd.choice(sorted(alive))
                ops.append(("delete", name, "", []))
                del alive[name]
        commits.append(ops)
    return commits


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                HealthCheck.function_scoped_fixture])
@given(histories())
def test_tips_equal_brute_force_at_every_commit(tmp_path_factory, history) -> None:  # type: ignore[no-untyped-def]
    repo = GitRepo.init(tmp_path_factory.mktemp("prop") / "r")
    state: dict[str, tuple[str, list[str]]] = {}
    expected: dict[str, list[str]] = {}
    for ops in history:
        for action, name, status, ca in ops:
            if action == "add":
                state[name] = (status, ca)
                repo.chunk(name, status, ca)
            elif action == "status":
                state[name] = (status, state[name][1])
                repo.chunk(name, status, state[name][1])
            else:
                del state[name]
                shutil.rmtree(repo.path / "docs" / "chunks" / name)
        sha = repo.commit()
        expected[sha] = brute_tips(state)
    loc = locate(repo.path)
    for sha, want in expected.items():
        assert tips(loc, rev=sha) == want
    p = ve("tips", "--rev", sha, "--format", "json", cwd=repo.path)
    assert json.loads(p.stdout)["tips"] == want
