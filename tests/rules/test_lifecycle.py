"""VE501 on real histories: multi-step jumps, strict mode, backwards moves, --rev, --staged."""

from __future__ import annotations

import json
import subprocess
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rule_support import run_rule
from support.cli import script
from support.repo_factory import GitRepo, render_frontmatter

from ve_hooks.diagnostic import Diagnostic
from ve_hooks.rules import lifecycle

VE_VALIDATE = script("ve-validate")


def _check(r: GitRepo, *, staged: bool = False, rev: str | None = None, strict: bool = False) -> list[Diagnostic]:
    extra = {"strict_transitions": True} if strict else {}
    return run_rule(lifecycle.check, r, staged=staged, rev=rev, **extra)


def _cli(r: GitRepo, *args: str) -> tuple[int, list[dict[str, Any]]]:
    p = subprocess.run([VE_VALIDATE, "--format", "json", "--select", "VE501", *args], cwd=r.path,
                       capture_output=True, text=True, timeout=60)
    assert p.returncode in (0, 1), p.stderr
    return p.returncode, json.loads(p.stdout)["diagnostics"]


def _overview(r: GitRepo, kind_dir: str, name: str, status: str) -> None:
    data = {"status": status, "created_after": []}
    r.write(f"docs/{kind_dir}/{name}/OVERVIEW.md", f"---\n{render_frontmatter(data)}---\n\n# {name}\n")


def test_future_to_active_jump_passes_by_default_fails_strict(repo: GitRepo) -> None:
    repo.chunk("c", "FUTURE")
    repo.commit()
    repo.chunk("c", "ACTIVE")
    repo.add()
    assert _check(repo, staged=True) == []
    [d] = _check(repo, staged=True, strict=True)
    assert d.rule == "VE501" and "FUTURE to ACTIVE in one step" in d.message
    assert "IMPLEMENTING or HISTORICAL" in d.message
    # Strict mode from the repository's own configuration, through the console script.
    assert _cli(repo, "--staged") == (0, [])
    repo.write(".ve-hooks.toml", "strict-transitions = true\n")
    code, ds = _cli(repo, "--staged")
    assert code == 1 and [x["rule"] for x in ds] == ["VE501"] and ds[0]["line"] == 2


def test_single_steps_pass_strict(repo: GitRepo) -> None:
    repo.chunk("c", "FUTURE")
    repo.commit()
    for status in ("IMPLEMENTING", "ACTIVE", "SUPERSEDED", "HISTORICAL"):
        repo.chunk("c", status)
        repo.commit(status)
        assert _check(repo, rev="HEAD", strict=True) == [], status


def test_active_to_future_fails(repo: GitRepo) -> None:
    repo.chunk("c", "ACTIVE")
    repo.commit()
    repo.chunk("c", "FUTURE")
    [d] = _check(repo)  # worktree against HEAD
    assert d.message == "status changed from ACTIVE to FUTURE, which the chunk lifecycle does not allow"
    assert d.hint == "from ACTIVE a chunk may move to SUPERSEDED, COMPOSITE or HISTORICAL"
    assert d.data == {"from": "ACTIVE", "to": "FUTURE", "allowed": ["SUPERSEDED", "COMPOSITE", "HISTORICAL"]}


def test_terminal_status_cannot_be_left_and_rev_uses_first_parent(repo: GitRepo) -> None:
    repo.chunk("c", "HISTORICAL")
    first = repo.commit("historical")
    repo.chunk("c", "ACTIVE")
    repo.commit("revived")
    [d] = _check(repo, rev="HEAD")
    assert "HISTORICAL is a terminal chunk status" in d.message
    assert _check(repo, rev=first) == []  # root commit: nothing to compare with
    code, ds = _cli(repo, "--rev", "HEAD")
    assert code == 1 and ds[0]["rule"] == "VE501"


def test_new_and_renamed_artifacts_have_no_transition(repo: GitRepo) -> None:
    repo.chunk("a", "ACTIVE")
    assert _check(repo) == []  # no commits yet: base is empty
    repo.commit()
    repo.git("mv", "docs/chunks/a", "docs/chunks/b")
    repo.chunk("b", "FUTURE")
    repo.chunk("fresh", "HISTORICAL")
    repo.add()
    assert _check(repo, staged=True) == []


@pytest.mark.parametrize(("kind_dir", "old", "new", "ok"), [
    ("narratives", "DRAFTING", "COMPLETED", True),
    ("narratives", "COMPLETED", "DRAFTING", False),
    ("investigations", "DEFERRED", "ONGOING", True),
    ("investigations", "SOLVED", "ONGOING", False),
    ("subsystems", "STABLE", "REFACTORING", True),
    ("subsystems", "DOCUMENTED", "DISCOVERING", False),
])
def test_other_kinds(repo: GitRepo, kind_dir: str, old: str, new: str, ok: bool) -> None:
    _overview(repo, kind_dir, "x", old)
    repo.commit()
    _overview(repo, kind_dir, "x", new)
    assert (_check(repo) == []) is ok


def test_unknown_status_left_to_schema(repo: GitRepo) -> None:
    repo.chunk("c", "ACTIVE")
    repo.commit()
    repo.chunk("c", "DONE")
    assert _check(repo) == []


statuses = st.sampled_from(sorted(lifecycle.TRANSITIONS["chunk"]))


@given(statuses, statuses)
def test_strict_is_never_more_permissive(old: str, new: str) -> None:
    if lifecycle.allowed("chunk", old, new, strict=True):
        assert lifecycle.allowed("chunk", old, new, strict=False)
    for terminal in ("HISTORICAL",):
        assert not lifecycle.allowed("chunk", terminal, new, strict=False) or new == terminal


def test_tables_are_closed() -> None:
    for table in lifecycle.TRANSITIONS.values():
        for nxt in table.values():
            assert set(nxt) <= set(table)
